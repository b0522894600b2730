//! The deadline engine, table-driven: one line per case, every expected value worked out by hand
//! from the official 2025/2026 calendars (data/calendar/) and, for other years, the Labour Code
//! rules. Office hours 07:30–11:30 and 13:30–17:00, cut-off 15:00, unless a row says otherwise.
//!
//! Durations: `3d` working days (`0.5d` a fraction), `4h` working hours, `10cd` calendar days,
//! `1m` months, `same` same day. Flags: `R` the receipt day counts; `N` no cut-off.

use motcua_calendar::deadline::{Finished, Granularity, Open, classify_finished, classify_open};
use motcua_calendar::{
    Duration, Instant, OfficeHours, Policy, Rules, Unit, WorkCalendar, official,
};

fn calendar() -> WorkCalendar {
    WorkCalendar::build(2020..=2030, &official::shipped().unwrap())
}

fn duration(text: &str) -> Duration {
    let (amount, unit) = if let Some(a) = text.strip_suffix("cd") {
        (a, Unit::CalendarDays)
    } else if let Some(a) = text.strip_suffix('d') {
        (a, Unit::WorkingDays)
    } else if let Some(a) = text.strip_suffix('h') {
        (a, Unit::WorkingHours)
    } else if let Some(a) = text.strip_suffix('m') {
        (a, Unit::Months)
    } else {
        assert_eq!(text, "same");
        return Duration::same_day();
    };
    Duration::parse(unit, amount).unwrap()
}

fn policy(flags: &str) -> Policy {
    Policy {
        count_receipt_day: flags.contains('R'),
        cutoff_applies: !flags.contains('N'),
    }
}

#[rustfmt::skip]
const CASES: &[(&str, &str, &str, &str)] = &[
    // received            limit   flags  due
    // The worked example of DOMAIN §6 and its neighbours (30/4, 1/5 2026; 27/4 compensation).
    ("2026-04-29 16:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-04-29 10:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-04-29 10:00",   "1d",   "",    "2026-05-04 17:00"),
    ("2026-04-28 09:00",   "1d",   "",    "2026-04-29 17:00"),
    ("2026-04-28 09:00",   "2d",   "",    "2026-05-04 17:00"),
    ("2026-04-24 09:00",   "1d",   "",    "2026-04-28 17:00"),
    ("2026-04-24 09:00",   "5d",   "",    "2026-05-06 17:00"),
    ("2026-04-30 09:00",   "1d",   "",    "2026-05-04 17:00"),
    ("2026-05-02 09:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-05-03 09:00",   "3d",   "",    "2026-05-06 17:00"),
    // Tết Bính Ngọ 2026: off 14–22 Feb.
    ("2026-02-13 09:00",   "1d",   "",    "2026-02-23 17:00"),
    ("2026-02-12 09:00",   "1d",   "",    "2026-02-13 17:00"),
    ("2026-02-12 09:00",   "2d",   "",    "2026-02-23 17:00"),
    ("2026-02-13 16:00",   "5d",   "",    "2026-02-27 17:00"),
    ("2026-02-17 10:00",   "1d",   "",    "2026-02-23 17:00"),
    ("2026-02-11 09:00",   "10d",  "",    "2026-03-04 17:00"),
    ("2026-02-13 09:00",   "same", "",    "2026-02-13 17:00"),
    ("2026-02-13 15:30",   "same", "",    "2026-02-23 17:00"),
    // Tết Dương lịch 2026: 1–2 Jan off, Saturday 10 Jan worked.
    ("2025-12-31 09:00",   "1d",   "",    "2026-01-05 17:00"),
    ("2025-12-30 09:00",   "2d",   "",    "2026-01-05 17:00"),
    ("2026-01-08 09:00",   "2d",   "",    "2026-01-10 17:00"),
    ("2026-01-09 09:00",   "1d",   "",    "2026-01-10 17:00"),
    ("2026-01-09 09:00",   "2d",   "",    "2026-01-12 17:00"),
    ("2026-01-10 09:00",   "1d",   "",    "2026-01-12 17:00"),
    ("2026-01-10 16:00",   "same", "",    "2026-01-12 17:00"),
    ("2026-01-10 10:00",   "same", "",    "2026-01-10 17:00"),
    ("2026-01-03 10:00",   "same", "",    "2026-01-05 17:00"),
    ("2026-01-17 10:00",   "1d",   "",    "2026-01-19 17:00"),
    // Quốc khánh 2026: 31/8 swapped for Saturday 22/8; 1–2 Sep off.
    ("2026-08-21 09:00",   "1d",   "",    "2026-08-22 17:00"),
    ("2026-08-28 09:00",   "1d",   "",    "2026-09-03 17:00"),
    ("2026-08-28 09:00",   "2d",   "",    "2026-09-04 17:00"),
    ("2026-08-27 14:00",   "3d",   "",    "2026-09-04 17:00"),
    ("2026-08-22 10:00",   "same", "",    "2026-08-22 17:00"),
    ("2026-08-20 09:00",   "3d",   "",    "2026-08-24 17:00"),
    // 2025: Tết 27–31 Jan; Hùng Kings 7 Apr; 2 May swapped for Saturday 26 Apr; 1–2 Sep.
    ("2025-01-24 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-23 09:00",   "2d",   "",    "2025-02-03 17:00"),
    ("2025-04-25 09:00",   "1d",   "",    "2025-04-26 17:00"),
    ("2025-04-29 09:00",   "1d",   "",    "2025-05-05 17:00"),
    ("2025-04-28 09:00",   "2d",   "",    "2025-05-05 17:00"),
    ("2025-04-04 09:00",   "1d",   "",    "2025-04-08 17:00"),
    ("2025-08-29 09:00",   "1d",   "",    "2025-09-03 17:00"),
    ("2025-12-31 09:00",   "2d",   "",    "2026-01-06 17:00"),
    // Working hours.
    ("2026-03-02 08:00",   "4h",   "",    "2026-03-02 14:00"),
    ("2026-03-02 07:00",   "4h",   "",    "2026-03-02 11:30"),
    ("2026-03-02 12:00",   "1h",   "",    "2026-03-02 14:30"),
    ("2026-03-02 14:00",   "8h",   "",    "2026-03-03 14:30"),
    ("2026-03-02 15:30",   "2h",   "",    "2026-03-03 09:30"),
    ("2026-03-02 15:00",   "2h",   "",    "2026-03-02 17:00"),
    ("2026-03-06 14:00",   "4h",   "",    "2026-03-09 08:30"),
    ("2026-02-13 14:00",   "4h",   "",    "2026-02-23 08:30"),
    ("2026-03-07 10:00",   "1h",   "",    "2026-03-09 08:30"),
    ("2026-03-02 08:00",   "0.5h", "",    "2026-03-02 08:30"),
    ("2026-03-02 11:00",   "0.5h", "",    "2026-03-02 11:30"),
    ("2026-03-02 11:00",   "1h",   "",    "2026-03-02 14:00"),
    ("2026-03-02 16:30",   "1h",   "",    "2026-03-03 08:30"),
    ("2026-03-02 16:30",   "1h",   "N",   "2026-03-03 08:00"),
    ("2026-03-02 17:30",   "1h",   "N",   "2026-03-03 08:30"),
    ("2026-03-02 07:30",   "7.5h", "",    "2026-03-02 17:00"),
    ("2026-03-02 07:30",   "15h",  "",    "2026-03-03 17:00"),
    ("2026-03-02 09:00",   "40h",  "",    "2026-03-09 11:30"),
    ("2025-01-24 16:00",   "2h",   "",    "2025-02-03 09:30"),
    ("2025-01-24 10:00",   "8h",   "",    "2025-02-03 10:30"),
    ("2026-01-09 14:00",   "4h",   "",    "2026-01-10 08:30"),
    ("2026-08-21 16:00",   "1h",   "",    "2026-08-22 08:30"),
    // Fractions of a working day (a day is 450 office minutes) and counting the receipt day.
    ("2026-03-02 09:00",   "0.5d", "",    "2026-03-03 11:15"),
    ("2026-03-02 09:00",   "1.5d", "",    "2026-03-04 11:15"),
    ("2026-03-02 09:00",   "0.25d","",    "2026-03-03 09:23"),
    ("2026-03-06 09:00",   "2.5d", "",    "2026-03-11 11:15"),
    ("2026-02-13 09:00",   "0.5d", "",    "2026-02-23 11:15"),
    ("2026-03-02 09:00",   "0.5d", "R",   "2026-03-02 14:45"),
    ("2026-03-02 09:00",   "1d",   "R",   "2026-03-02 17:00"),
    ("2026-03-02 16:00",   "1d",   "R",   "2026-03-03 17:00"),
    ("2026-03-02 09:00",   "3d",   "R",   "2026-03-04 17:00"),
    ("2026-03-07 09:00",   "1d",   "R",   "2026-03-09 17:00"),
    ("2026-04-29 10:00",   "3d",   "R",   "2026-05-05 17:00"),
    ("2026-04-29 16:00",   "3d",   "R",   "2026-05-06 17:00"),
    ("2026-04-29 16:00",   "3d",   "RN",  "2026-05-05 17:00"),
    ("2026-04-29 17:30",   "3d",   "RN",  "2026-05-06 17:00"),
    // Calendar days, counted from the day after receipt; the due day moves to a working day.
    ("2026-03-02 09:00",   "10cd", "",    "2026-03-12 17:00"),
    ("2026-03-02 09:00",   "12cd", "",    "2026-03-16 17:00"),
    ("2026-04-20 09:00",   "10cd", "",    "2026-05-04 17:00"),
    ("2026-02-06 09:00",   "10cd", "",    "2026-02-23 17:00"),
    ("2026-03-02 16:00",   "10cd", "",    "2026-03-12 17:00"),
    ("2026-03-02 09:00",   "10cd", "R",   "2026-03-11 17:00"),
    ("2026-03-07 09:00",   "10cd", "",    "2026-03-17 17:00"),
    ("2026-12-25 09:00",   "7cd",  "",    "2027-01-04 17:00"),
    ("2026-01-05 09:00",   "30cd", "",    "2026-02-04 17:00"),
    ("2025-12-22 09:00",   "10cd", "",    "2026-01-05 17:00"),
    // Months: the same day of the month, or its last day.
    ("2026-01-31 09:00",   "1m",   "",    "2026-03-02 17:00"),
    ("2026-03-02 09:00",   "1m",   "",    "2026-04-02 17:00"),
    ("2026-03-31 09:00",   "1m",   "",    "2026-05-04 17:00"),
    ("2026-01-16 09:00",   "1m",   "",    "2026-02-23 17:00"),
    ("2026-03-02 09:00",   "3m",   "",    "2026-06-02 17:00"),
    ("2026-03-02 09:00",   "12m",  "",    "2027-03-02 17:00"),
    ("2024-01-31 09:00",   "1m",   "",    "2024-02-29 17:00"),
    ("2026-07-31 09:00",   "1m",   "",    "2026-09-03 17:00"),
    ("2026-03-02 16:00",   "1m",   "",    "2026-04-02 17:00"),
    // Same day.
    ("2026-03-02 09:00",   "same", "",    "2026-03-02 17:00"),
    ("2026-03-02 15:00",   "same", "",    "2026-03-02 17:00"),
    ("2026-03-02 15:01",   "same", "",    "2026-03-03 17:00"),
    ("2026-03-06 16:00",   "same", "",    "2026-03-09 17:00"),
    ("2026-03-07 09:00",   "same", "",    "2026-03-09 17:00"),
    ("2026-04-29 16:00",   "same", "",    "2026-05-04 17:00"),
    ("2026-03-02 16:00",   "same", "N",   "2026-03-02 17:00"),
    ("2026-03-02 06:00",   "same", "",    "2026-03-02 17:00"),
    ("2026-03-02 23:00",   "same", "",    "2026-03-03 17:00"),
    // Year ends and long limits (2027 by the Labour Code rules: 1 Jan is a Friday).
    ("2026-12-30 09:00",   "2d",   "",    "2027-01-04 17:00"),
    ("2026-12-31 09:00",   "1d",   "",    "2027-01-04 17:00"),
    ("2025-12-31 16:00",   "5d",   "",    "2026-01-09 17:00"),
    ("2026-12-31 16:00",   "7d",   "",    "2027-01-12 17:00"),
    ("2026-03-02 09:00",   "20d",  "",    "2026-03-30 17:00"),
    ("2026-04-01 09:00",   "20d",  "",    "2026-05-04 17:00"),
    ("2026-02-02 09:00",   "15d",  "",    "2026-03-02 17:00"),
    // 2024 by the rules (no official file shipped): Tết 9–13 Feb with 14–15 compensating the
    // weekend; Hùng Kings 18 Apr; 2 Sep a Monday, so 3 Sep joins it.
    ("2024-02-08 09:00",   "1d",   "",    "2024-02-16 17:00"),
    ("2024-04-29 09:00",   "1d",   "",    "2024-05-02 17:00"),
    ("2024-08-30 09:00",   "1d",   "",    "2024-09-04 17:00"),
    ("2024-04-17 09:00",   "1d",   "",    "2024-04-19 17:00"),
    // The cut-off, to the minute and the second.
    ("2026-03-02 14:59",   "1d",   "R",   "2026-03-02 17:00"),
    ("2026-03-02 15:00",   "1d",   "R",   "2026-03-02 17:00"),
    ("2026-03-02 15:01",   "1d",   "R",   "2026-03-03 17:00"),
    ("2026-03-02T15:00:30","1d",   "R",   "2026-03-03 17:00"),
    // An ordinary week, each day of receipt.
    ("2026-03-09 09:00",   "1d",   "",    "2026-03-10 17:00"),
    ("2026-03-09 09:00",   "2d",   "",    "2026-03-11 17:00"),
    ("2026-03-09 09:00",   "5d",   "",    "2026-03-16 17:00"),
    ("2026-03-10 09:00",   "1d",   "",    "2026-03-11 17:00"),
    ("2026-03-10 09:00",   "2d",   "",    "2026-03-12 17:00"),
    ("2026-03-10 09:00",   "5d",   "",    "2026-03-17 17:00"),
    ("2026-03-11 09:00",   "1d",   "",    "2026-03-12 17:00"),
    ("2026-03-11 09:00",   "2d",   "",    "2026-03-13 17:00"),
    ("2026-03-11 09:00",   "5d",   "",    "2026-03-18 17:00"),
    ("2026-03-12 09:00",   "1d",   "",    "2026-03-13 17:00"),
    ("2026-03-12 09:00",   "2d",   "",    "2026-03-16 17:00"),
    ("2026-03-12 09:00",   "5d",   "",    "2026-03-19 17:00"),
    ("2026-03-13 09:00",   "1d",   "",    "2026-03-16 17:00"),
    ("2026-03-13 09:00",   "2d",   "",    "2026-03-17 17:00"),
    ("2026-03-13 09:00",   "5d",   "",    "2026-03-20 17:00"),
    ("2026-03-14 09:00",   "1d",   "",    "2026-03-16 17:00"),
    ("2026-03-14 09:00",   "2d",   "",    "2026-03-17 17:00"),
    ("2026-03-14 09:00",   "5d",   "",    "2026-03-20 17:00"),
    ("2026-03-15 09:00",   "1d",   "",    "2026-03-16 17:00"),
    ("2026-03-15 09:00",   "2d",   "",    "2026-03-17 17:00"),
    ("2026-03-15 09:00",   "5d",   "",    "2026-03-20 17:00"),
    ("2026-03-09 09:00",   "1d",   "R",   "2026-03-09 17:00"),
    ("2026-03-09 09:00",   "5d",   "R",   "2026-03-13 17:00"),
    ("2026-03-13 09:00",   "2d",   "R",   "2026-03-16 17:00"),
    ("2026-03-14 09:00",   "1d",   "R",   "2026-03-16 17:00"),
    ("2026-03-14 09:00",   "5d",   "R",   "2026-03-20 17:00"),
    ("2026-03-11 16:00",   "2d",   "R",   "2026-03-13 17:00"),
    ("2026-03-11 16:00",   "2d",   "RN",  "2026-03-12 17:00"),
    // Each day of receipt around Hùng Kings, 30/4 and 1/5 2026, three working days.
    ("2026-04-20 09:00",   "3d",   "",    "2026-04-23 17:00"),
    ("2026-04-21 09:00",   "3d",   "",    "2026-04-24 17:00"),
    ("2026-04-22 09:00",   "3d",   "",    "2026-04-28 17:00"),
    ("2026-04-23 09:00",   "3d",   "",    "2026-04-29 17:00"),
    ("2026-04-24 09:00",   "3d",   "",    "2026-05-04 17:00"),
    ("2026-04-25 09:00",   "3d",   "",    "2026-05-04 17:00"),
    ("2026-04-26 09:00",   "3d",   "",    "2026-05-04 17:00"),
    ("2026-04-27 09:00",   "3d",   "",    "2026-05-04 17:00"),
    ("2026-04-28 09:00",   "3d",   "",    "2026-05-05 17:00"),
    ("2026-04-29 09:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-04-30 09:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-05-01 09:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-05-02 09:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-05-03 09:00",   "3d",   "",    "2026-05-06 17:00"),
    ("2026-05-04 09:00",   "3d",   "",    "2026-05-07 17:00"),
    // Each day of receipt around Tết 2026, two working days.
    ("2026-02-10 09:00",   "2d",   "",    "2026-02-12 17:00"),
    ("2026-02-11 09:00",   "2d",   "",    "2026-02-13 17:00"),
    ("2026-02-12 10:00",   "2d",   "",    "2026-02-23 17:00"),
    ("2026-02-13 10:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-14 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-15 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-16 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-17 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-18 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-19 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-20 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-21 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-22 09:00",   "2d",   "",    "2026-02-24 17:00"),
    ("2026-02-23 09:00",   "2d",   "",    "2026-02-25 17:00"),
    // Each day of receipt around Tết 2025, one working day.
    ("2025-01-22 09:00",   "1d",   "",    "2025-01-23 17:00"),
    ("2025-01-23 10:00",   "1d",   "",    "2025-01-24 17:00"),
    ("2025-01-24 10:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-25 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-26 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-27 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-28 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-29 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-30 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-01-31 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-02-01 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-02-02 09:00",   "1d",   "",    "2025-02-03 17:00"),
    ("2025-02-03 09:00",   "1d",   "",    "2025-02-04 17:00"),
    ("2025-02-03 16:00",   "same", "",    "2025-02-04 17:00"),
    // Each day of receipt around Quốc khánh 2025, two working days.
    ("2025-08-27 09:00",   "2d",   "",    "2025-08-29 17:00"),
    ("2025-08-28 09:00",   "2d",   "",    "2025-09-03 17:00"),
    ("2025-08-29 10:00",   "2d",   "",    "2025-09-04 17:00"),
    ("2025-08-30 09:00",   "2d",   "",    "2025-09-04 17:00"),
    ("2025-08-31 09:00",   "2d",   "",    "2025-09-04 17:00"),
    ("2025-09-01 09:00",   "2d",   "",    "2025-09-04 17:00"),
    ("2025-09-02 09:00",   "2d",   "",    "2025-09-04 17:00"),
    ("2025-09-03 09:00",   "2d",   "",    "2025-09-05 17:00"),
    // 2025's swap, each day of receipt, one working day and the same day.
    ("2025-04-24 09:00",   "1d",   "",    "2025-04-25 17:00"),
    ("2025-04-26 09:00",   "1d",   "",    "2025-04-28 17:00"),
    ("2025-04-26 09:00",   "same", "",    "2025-04-26 17:00"),
    ("2025-04-27 09:00",   "same", "",    "2025-04-28 17:00"),
    ("2025-04-30 09:00",   "1d",   "",    "2025-05-05 17:00"),
    ("2025-05-02 09:00",   "same", "",    "2025-05-05 17:00"),
    ("2025-05-02 09:00",   "1d",   "R",   "2025-05-05 17:00"),
    ("2025-04-25 16:00",   "1d",   "R",   "2025-04-26 17:00"),
    // Hours across the make-up Saturday and a weekend.
    ("2026-01-10 16:00",   "2h",   "",    "2026-01-12 09:30"),
    ("2026-01-10 14:00",   "4h",   "",    "2026-01-12 08:30"),
    ("2026-08-22 09:00",   "8h",   "",    "2026-08-24 09:30"),
    ("2026-08-28 15:00",   "3h",   "",    "2026-09-03 08:30"),
];

#[test]
fn the_table_has_at_least_two_hundred_rows() {
    assert!(CASES.len() >= 200, "{} rows", CASES.len());
}

#[test]
fn appointments_match_the_table() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let mut failures = Vec::new();
    for (received, limit, flags, expected) in CASES {
        let at = Instant::parse_local(received).unwrap();
        let got = rules
            .appointment(at, duration(limit), policy(flags))
            .unwrap();
        let got = got.due.rfc3339_vn();
        let want = Instant::parse_local(expected).unwrap().rfc3339_vn();
        if got != want {
            failures.push(format!(
                "{received} + {limit} [{flags}]: got {got}, want {want}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn other_office_hours_move_the_time_of_day() {
    let calendar = calendar();
    let hours = OfficeHours::new((7 * 60, 11 * 60 + 30), (13 * 60, 16 * 60 + 30), 15 * 60).unwrap();
    let rules = Rules::new(&calendar, hours);
    let at = |s| Instant::parse_local(s).unwrap();
    let due = |r, l| {
        rules
            .appointment(at(r), duration(l), Policy::default())
            .unwrap()
            .due
            .vn()
    };
    assert_eq!(due("2026-04-29 16:00", "3d"), "06/05/2026 16:30");
    assert_eq!(due("2026-03-02 07:00", "4.5h"), "02/03/2026 11:30");
    assert_eq!(due("2026-03-02 07:00", "5h"), "02/03/2026 13:30");
    assert_eq!(due("2026-03-02 09:00", "0.5d"), "03/03/2026 11:00");
}

#[test]
fn years_without_official_data_are_flagged() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let at = |s| Instant::parse_local(s).unwrap();
    let official = rules
        .appointment(at("2026-03-02 09:00"), duration("3d"), Policy::default())
        .unwrap();
    assert!(official.official);
    let crosses = rules
        .appointment(at("2026-12-30 09:00"), duration("2d"), Policy::default())
        .unwrap();
    assert!(!crosses.official, "2027 has no official file");
    let old = rules
        .appointment(at("2024-03-04 09:00"), duration("1d"), Policy::default())
        .unwrap();
    assert!(!old.official);
}

#[test]
fn the_first_counted_day_is_reported() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let a = rules
        .appointment(
            Instant::parse_local("2026-04-29 16:00").unwrap(),
            duration("3d"),
            Policy::default(),
        )
        .unwrap();
    assert_eq!(a.first_day.to_string(), "2026-05-04");
    assert_eq!(a.moved, Some(motcua_calendar::Moved::AfterCutoff));
    let b = rules
        .appointment(
            Instant::parse_local("2026-04-29 10:00").unwrap(),
            duration("3d"),
            policy("R"),
        )
        .unwrap();
    assert_eq!(b.first_day.to_string(), "2026-04-29");
    assert_eq!(b.moved, None);
}

/// (due, pauses as (from, until), the due after the pauses)
type PauseCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[rustfmt::skip]
const PAUSES: &[PauseCase] = &[
    // due                 pauses (from, until)                                      new due
    ("2026-03-06 17:00",   &[],                                                      "2026-03-06 17:00"),
    // A whole working day paused moves the due a whole working day.
    ("2026-03-06 17:00",   &[("2026-03-03 07:30", "2026-03-03 17:00")],              "2026-03-09 17:00"),
    // Paused from Tuesday 10:00 to Wednesday 10:00: one working day (450 min).
    ("2026-03-06 17:00",   &[("2026-03-03 10:00", "2026-03-04 10:00")],              "2026-03-09 17:00"),
    // Two hours paused.
    ("2026-03-06 17:00",   &[("2026-03-03 08:00", "2026-03-03 10:00")],              "2026-03-09 09:30"),
    // A pause across Tết 2026 counts only its working days: Fri 13 Feb 07:30 → Mon 23 Feb 07:30
    // is one working day (13 Feb).
    ("2026-02-24 17:00",   &[("2026-02-13 07:30", "2026-02-23 07:30")],              "2026-02-25 17:00"),
    // A pause entirely on days off changes nothing.
    ("2026-02-24 17:00",   &[("2026-02-14 09:00", "2026-02-22 18:00")],              "2026-02-24 17:00"),
    // Two pauses add up.
    ("2026-03-06 17:00",   &[("2026-03-02 07:30", "2026-03-02 17:00"),
                             ("2026-03-04 13:30", "2026-03-04 17:00")],              "2026-03-10 11:00"),
    // A pause outside office hours (evening to next morning) changes nothing.
    ("2026-03-06 17:00",   &[("2026-03-03 17:30", "2026-03-04 07:00")],              "2026-03-06 17:00"),
];

#[test]
fn pauses_move_the_due_date_by_their_working_time() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let at = |s: &str| Instant::parse_local(s).unwrap();
    for (due, pauses, expected) in PAUSES {
        let pauses: Vec<(Instant, Instant)> = pauses.iter().map(|(a, b)| (at(a), at(b))).collect();
        let got = rules.extend_by_pauses(at(due), &pauses).unwrap();
        assert_eq!(got.vn(), at(expected).vn(), "{due} {pauses:?}");
    }
    let backwards = rules.extend_by_pauses(
        at("2026-03-06 17:00"),
        &[(at("2026-03-04 10:00"), at("2026-03-03 10:00"))],
    );
    assert!(backwards.is_err());
}

#[test]
fn elapsed_working_time() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let at = |s: &str| Instant::parse_local(s).unwrap();
    let m = |a, b| rules.working_minutes_between(at(a), at(b)).unwrap();
    assert_eq!(m("2026-03-02 07:30", "2026-03-02 17:00"), 450);
    assert_eq!(m("2026-03-02 11:00", "2026-03-02 14:00"), 60);
    assert_eq!(m("2026-02-13 16:00", "2026-02-23 08:30"), 60 + 60);
    assert_eq!(m("2026-03-02 17:00", "2026-03-02 07:30"), -450);
    assert_eq!(m("2025-12-31 07:30", "2026-01-12 07:30"), 450 * 7); // 31/12, 5–9/1, Sat 10/1
}

#[test]
fn the_latest_moment_for_an_extension_is_one_working_day_before() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let at = |s: &str| Instant::parse_local(s).unwrap();
    // Due Monday 4 May 2026 17:00: the apology must go out by Wednesday 29 April 17:00.
    assert_eq!(
        rules
            .latest_extension_request(at("2026-05-04 17:00"))
            .unwrap()
            .vn(),
        "29/04/2026 17:00"
    );
    assert_eq!(
        rules
            .latest_extension_request(at("2026-02-23 17:00"))
            .unwrap()
            .vn(),
        "13/02/2026 17:00"
    );
}

#[test]
fn due_soon_is_today_or_the_next_working_day() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let at = |s: &str| Instant::parse_local(s).unwrap();
    let soon = |now, due| rules.is_due_soon(at(now), at(due), 1).unwrap();
    assert!(soon("2026-02-23 09:00", "2026-02-23 17:00")); // due today
    assert!(soon("2026-02-13 09:00", "2026-02-23 17:00")); // the next working day, after Tết
    assert!(!soon("2026-02-12 16:00", "2026-02-23 17:00"));
    assert!(!soon("2026-02-24 09:00", "2026-02-23 17:00")); // already overdue
}

#[rustfmt::skip]
const FINISHED: &[(&str, &str, Granularity, Finished)] = &[
    ("2026-05-05 10:00", "2026-05-06 17:00", Granularity::Day,    Finished::Early),
    ("2026-05-06 09:00", "2026-05-06 17:00", Granularity::Day,    Finished::OnTime),
    ("2026-05-06 17:30", "2026-05-06 17:00", Granularity::Day,    Finished::OnTime),
    ("2026-05-07 07:30", "2026-05-06 17:00", Granularity::Day,    Finished::Late),
    ("2026-03-02 13:59", "2026-03-02 14:00", Granularity::Minute, Finished::OnTime),
    ("2026-03-02 14:01", "2026-03-02 14:00", Granularity::Minute, Finished::Late),
    ("2026-03-01 14:01", "2026-03-02 14:00", Granularity::Minute, Finished::Early),
];

#[test]
fn finished_dossiers_are_early_on_time_or_late() {
    let at = |s: &str| Instant::parse_local(s).unwrap();
    for (finished, due, g, expected) in FINISHED {
        assert_eq!(
            classify_finished(at(finished), at(due), *g),
            *expected,
            "{finished} vs {due}"
        );
    }
}

#[test]
fn open_dossiers_are_within_time_or_overdue() {
    let at = |s: &str| Instant::parse_local(s).unwrap();
    let due = at("2026-05-06 17:00");
    assert_eq!(
        classify_open(at("2026-05-06 23:59"), due, Granularity::Day),
        Open::WithinTime
    );
    assert_eq!(
        classify_open(at("2026-05-07 00:00"), due, Granularity::Day),
        Open::Overdue
    );
    assert_eq!(
        classify_open(at("2026-05-06 17:01"), due, Granularity::Minute),
        Open::Overdue
    );
}

#[test]
fn bad_durations_are_refused() {
    use motcua_calendar::DeadlineError;
    assert_eq!(
        Duration::parse(Unit::WorkingDays, "0"),
        Err(DeadlineError::Zero)
    );
    assert_eq!(
        Duration::parse(Unit::WorkingDays, "0.00"),
        Err(DeadlineError::Zero)
    );
    assert_eq!(
        Duration::parse(Unit::WorkingDays, "2601"),
        Err(DeadlineError::TooLong)
    );
    assert_eq!(
        Duration::parse(Unit::CalendarDays, "3661"),
        Err(DeadlineError::TooLong)
    );
    assert_eq!(
        Duration::parse(Unit::Months, "121"),
        Err(DeadlineError::TooLong)
    );
    assert_eq!(
        Duration::parse(Unit::CalendarDays, "1.5"),
        Err(DeadlineError::NotWhole(Unit::CalendarDays))
    );
    for bad in ["-3", "abc", "1.234", "", "1e3", "99999999999"] {
        assert!(Duration::parse(Unit::WorkingDays, bad).is_err(), "{bad}");
    }
    assert_eq!(
        Duration::parse(Unit::WorkingDays, "1,5").unwrap().centi,
        150
    );
    assert_eq!(
        Duration::parse(Unit::WorkingHours, "0.5").unwrap().centi,
        50
    );
    assert_eq!(
        Duration::parse(Unit::WorkingDays, "1,5")
            .unwrap()
            .vietnamese(),
        "1,5 ngày làm việc"
    );
}

#[test]
fn receipts_outside_the_calendar_are_refused() {
    let calendar = calendar();
    let rules = Rules::new(&calendar, OfficeHours::default());
    let at = Instant::parse_local("2031-06-01 09:00").unwrap();
    assert!(
        rules
            .appointment(at, duration("1d"), Policy::default())
            .is_err()
    );
    let late = Instant::parse_local("2030-12-30 09:00").unwrap();
    assert!(
        rules
            .appointment(late, duration("10d"), Policy::default())
            .is_err()
    );
}
