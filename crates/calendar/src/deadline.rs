//! Appointment dates, elapsed working time, pauses and classification.
//!
//! All arithmetic happens on one line of working time: the position of an instant is
//! `rank of its working day × minutes per working day + working minutes passed that day`, where
//! an instant outside office hours counts as the next working moment. Adding time, measuring
//! elapsed time and skipping pauses are then integer sums; only turning a position back into an
//! instant needs the calendar. A position that falls exactly on the end of a window is shown as
//! that end (17:00 of the day), never as the opening of the next.

use serde::{Deserialize, Serialize};

use crate::calendar::{OutOfRange, WorkCalendar};
use crate::date::{Date, Instant, days_in_month};
use crate::office::OfficeHours;

/// The unit a procedure's time limit is stated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Working days; fractions (0.5, 1.25) are parts of a working day's office minutes.
    WorkingDays,
    /// Working hours of office time.
    WorkingHours,
    /// Calendar days; a due date on a non-working day moves to the next working day.
    CalendarDays,
    /// Calendar months; the same day of the month (or its last day), then the next working day.
    Months,
    /// Within the day of receipt (the next working day if received after the cut-off).
    SameDay,
}

/// A time limit: an amount in hundredths of its unit (150 = 1.5 working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    pub unit: Unit,
    pub centi: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("the time limit must be more than zero")]
    Zero,
    #[error("the time limit is longer than ten years")]
    TooLong,
    #[error("{0:?} must be a whole number")]
    NotWhole(Unit),
    #[error("'{0}' is not an amount: write a number like 3 or 1.5")]
    Amount(String),
    #[error("a pause ends before it starts")]
    PauseBackwards,
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
}

impl DeadlineError {
    /// The message for a person, in Vietnamese.
    pub fn vietnamese(&self) -> String {
        match self {
            DeadlineError::Zero => "Thời hạn phải lớn hơn 0.".into(),
            DeadlineError::TooLong => "Thời hạn dài quá 10 năm, không hợp lý.".into(),
            DeadlineError::NotWhole(_) => {
                "Thời hạn theo ngày lịch hoặc tháng phải là số nguyên.".into()
            }
            DeadlineError::Amount(a) => {
                format!("“{a}” không phải là một con số (ví dụ: 3 hoặc 1,5).")
            }
            DeadlineError::PauseBackwards => {
                "Thời điểm kết thúc tạm dừng trước thời điểm bắt đầu.".into()
            }
            DeadlineError::OutOfRange(OutOfRange(d)) => {
                format!(
                    "Ngày {} nằm ngoài phạm vi lịch làm việc của hệ thống.",
                    d.vn()
                )
            }
        }
    }
}

impl Duration {
    /// A duration from an amount written by a person ("3", "1.5", "0,25").
    pub fn parse(unit: Unit, amount: &str) -> Result<Duration, DeadlineError> {
        let text = amount.trim().replace(',', ".");
        let bad = || DeadlineError::Amount(amount.trim().to_string());
        let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole
                .bytes()
                .chain(frac.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| bad())?
        };
        let centi = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .ok_or(DeadlineError::TooLong)?;
        Duration::new(unit, centi)
    }

    pub fn new(unit: Unit, centi: u32) -> Result<Duration, DeadlineError> {
        let limit = match unit {
            Unit::WorkingDays => 2_600,
            Unit::WorkingHours => 20_800,
            Unit::CalendarDays => 3_660,
            Unit::Months => 120,
            Unit::SameDay => return Ok(Duration { unit, centi: 0 }),
        };
        if centi == 0 {
            return Err(DeadlineError::Zero);
        }
        if centi > limit * 100 {
            return Err(DeadlineError::TooLong);
        }
        if matches!(unit, Unit::CalendarDays | Unit::Months) && !centi.is_multiple_of(100) {
            return Err(DeadlineError::NotWhole(unit));
        }
        Ok(Duration { unit, centi })
    }

    pub fn working_days(n: u32) -> Duration {
        Duration {
            unit: Unit::WorkingDays,
            centi: n * 100,
        }
    }

    pub fn same_day() -> Duration {
        Duration {
            unit: Unit::SameDay,
            centi: 0,
        }
    }

    /// How finely lateness is judged: by the minute for hours, by the day otherwise.
    pub fn granularity(&self) -> Granularity {
        if self.unit == Unit::WorkingHours {
            Granularity::Minute
        } else {
            Granularity::Day
        }
    }

    /// "3 ngày làm việc", "1,5 ngày làm việc", "4 giờ làm việc", "trong ngày".
    pub fn vietnamese(&self) -> String {
        let amount = if self.centi.is_multiple_of(100) {
            (self.centi / 100).to_string()
        } else {
            format!(
                "{},{}",
                self.centi / 100,
                format!("{:02}", self.centi % 100).trim_end_matches('0')
            )
        };
        match self.unit {
            Unit::SameDay => "trong ngày".into(),
            unit => format!("{amount} {}", unit.vietnamese()),
        }
    }
}

impl Unit {
    pub const ALL: [Unit; 5] = [
        Unit::WorkingDays,
        Unit::WorkingHours,
        Unit::CalendarDays,
        Unit::Months,
        Unit::SameDay,
    ];

    /// "ngày làm việc", "giờ làm việc", "ngày", "tháng", "trong ngày".
    pub fn vietnamese(self) -> &'static str {
        match self {
            Unit::WorkingDays => "ngày làm việc",
            Unit::WorkingHours => "giờ làm việc",
            Unit::CalendarDays => "ngày",
            Unit::Months => "tháng",
            Unit::SameDay => "trong ngày",
        }
    }

    /// The code in files and forms (`working_days` …).
    pub fn code(self) -> &'static str {
        match self {
            Unit::WorkingDays => "working_days",
            Unit::WorkingHours => "working_hours",
            Unit::CalendarDays => "calendar_days",
            Unit::Months => "months",
            Unit::SameDay => "same_day",
        }
    }
}

/// How a procedure counts its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Policy {
    /// Whether the day of receipt is the first day counted (default: no, counting starts the
    /// next working day).
    pub count_receipt_day: bool,
    /// Whether a receipt after the daily cut-off counts as received the next working day
    /// (default: yes).
    pub cutoff_applies: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            count_receipt_day: false,
            cutoff_applies: true,
        }
    }
}

/// Why a receipt counts from the next working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moved {
    /// Received on a day off (weekend, holiday, compensation or swapped day).
    DayOff,
    /// Received after the daily cut-off.
    AfterCutoff,
    /// Received after office hours.
    AfterHours,
}

impl Moved {
    pub fn vietnamese(self) -> &'static str {
        match self {
            Moved::DayOff => "nhận vào ngày nghỉ, tính như nhận vào ngày làm việc tiếp theo",
            Moved::AfterCutoff => {
                "nhận sau giờ chốt trong ngày, tính như nhận vào ngày làm việc tiếp theo"
            }
            Moved::AfterHours => {
                "nhận ngoài giờ làm việc, tính như nhận vào ngày làm việc tiếp theo"
            }
        }
    }
}

/// The outcome of an appointment computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appointment {
    /// When the result is promised (ngày hẹn trả).
    pub due: Instant,
    /// The first day that counts.
    pub first_day: Date,
    /// Why the receipt counted as on the next working day, if it did.
    pub moved: Option<Moved>,
    /// Whether every year between receipt and due has an official calendar; if not, part of the
    /// computation used the Labour Code defaults and may change when the year is announced.
    pub official: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Minute,
}

/// A finished dossier's standing against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finished {
    Early,
    OnTime,
    Late,
}

/// An open dossier's standing against its due date at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Open {
    WithinTime,
    Overdue,
}

impl Finished {
    pub fn vietnamese(self) -> &'static str {
        match self {
            Finished::Early => "Trước hạn",
            Finished::OnTime => "Đúng hạn",
            Finished::Late => "Quá hạn",
        }
    }
}

impl Open {
    pub fn vietnamese(self) -> &'static str {
        match self {
            Open::WithinTime => "Trong hạn",
            Open::Overdue => "Quá hạn",
        }
    }
}

/// The calendar and office hours that deadlines of one agency are computed with.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub calendar: &'a WorkCalendar,
    pub hours: OfficeHours,
}

impl<'a> Rules<'a> {
    pub fn new(calendar: &'a WorkCalendar, hours: OfficeHours) -> Rules<'a> {
        Rules { calendar, hours }
    }

    fn day(&self) -> i64 {
        i64::from(self.hours.day_minutes())
    }

    /// The position of an instant on the line of working time.
    pub fn position(&self, at: Instant) -> Result<i64, OutOfRange> {
        let (date, minute, _) = at.to_local();
        let rank = i64::from(self.calendar.rank(date)?);
        Ok(if self.calendar.is_working(date)? {
            rank * self.day() + i64::from(self.hours.offset_at(minute))
        } else {
            rank * self.day()
        })
    }

    /// The instant at a position; a position at a day boundary is the end of the earlier day.
    pub fn instant(&self, position: i64) -> Result<Instant, OutOfRange> {
        let day = self.day();
        let (mut rank, mut offset) = (position.div_euclid(day), position.rem_euclid(day));
        if offset == 0 && rank > 0 {
            rank -= 1;
            offset = day;
        }
        let date = self.calendar.working_day(rank as u32)?;
        Ok(Instant::from_local(
            date,
            self.hours.minute_at(offset as u32),
        ))
    }

    /// Whether a receipt at `at` counts on its own day (a working day, before the cut-off when it
    /// applies, before closing time), and if not, why.
    fn moved(&self, at: Instant, policy: Policy) -> Result<Option<Moved>, OutOfRange> {
        let (date, minute, micros) = at.to_local();
        let after_cutoff =
            minute > self.hours.cutoff || (minute == self.hours.cutoff && micros > 0);
        Ok(if !self.calendar.is_working(date)? {
            Some(Moved::DayOff)
        } else if policy.cutoff_applies && after_cutoff {
            Some(Moved::AfterCutoff)
        } else if minute >= self.hours.afternoon_end {
            Some(Moved::AfterHours)
        } else {
            None
        })
    }

    /// The appointment date for a dossier received (complete) at `received`.
    pub fn appointment(
        &self,
        received: Instant,
        duration: Duration,
        policy: Policy,
    ) -> Result<Appointment, DeadlineError> {
        let date = received.local_date();
        let moved = self.moved(received, policy)?;
        let today = moved.is_none();
        let day = self.day();
        // The rank of the first working day after the day of receipt.
        let next =
            i64::from(self.calendar.rank(date)?) + i64::from(self.calendar.is_working(date)?);
        let own = next - 1; // the receipt day's rank, meaningful only when `today`
        let rank_date = |rank: i64| self.calendar.working_day(rank as u32);
        let (due_position, first_day) = match duration.unit {
            Unit::SameDay => {
                let rank = if today { own } else { next };
                ((rank + 1) * day, rank_date(rank)?)
            }
            Unit::WorkingDays => {
                let whole = i64::from(duration.centi / 100);
                let part = (i64::from(duration.centi % 100) * day + 50) / 100;
                let (first, start) = if policy.count_receipt_day && today {
                    (own, self.position(received)?)
                } else {
                    (next, next * day)
                };
                let position = if whole == 0 {
                    start + part
                } else {
                    (first + whole) * day + part
                };
                (position, rank_date(first)?)
            }
            Unit::WorkingHours => {
                let minutes = (i64::from(duration.centi) * 60 + 50) / 100;
                if today {
                    (self.position(received)? + minutes, date)
                } else {
                    (next * day + minutes, rank_date(next)?)
                }
            }
            Unit::CalendarDays | Unit::Months => {
                // Every day counts, so counting runs from the day after receipt (or from the day
                // of receipt when it counts); only the due day must be a working day.
                let n = duration.centi / 100;
                let counted = policy.count_receipt_day && today;
                let end = match (duration.unit, counted) {
                    (Unit::CalendarDays, true) => date.add_days(n as i32 - 1),
                    (Unit::CalendarDays, false) => date.add_days(n as i32),
                    (_, true) => add_months(date.add_days(-1), n),
                    (_, false) => add_months(date, n),
                };
                let due_day = self.calendar.working_on_or_after(end)?;
                let rank = i64::from(self.calendar.rank(due_day)?);
                (
                    (rank + 1) * day,
                    if counted { date } else { date.add_days(1) },
                )
            }
        };
        let due = self.instant(due_position)?;
        Ok(Appointment {
            due,
            first_day,
            moved,
            official: self.calendar.all_official(date, due.local_date()),
        })
    }

    /// Working minutes from `from` to `to` (negative if `to` is earlier).
    pub fn working_minutes_between(&self, from: Instant, to: Instant) -> Result<i64, OutOfRange> {
        Ok(self.position(to)? - self.position(from)?)
    }

    /// `at` moved forward by `minutes` of working time.
    pub fn add_working_minutes(&self, at: Instant, minutes: i64) -> Result<Instant, OutOfRange> {
        self.instant(self.position(at)? + minutes)
    }

    /// The due date moved by the working time of each pause (supplement waits): time the
    /// applicant holds the dossier does not count against the agency.
    pub fn extend_by_pauses(
        &self,
        due: Instant,
        pauses: &[(Instant, Instant)],
    ) -> Result<Instant, DeadlineError> {
        let mut total = 0;
        for (start, end) in pauses {
            if end < start {
                return Err(DeadlineError::PauseBackwards);
            }
            total += self.working_minutes_between(*start, *end)?;
        }
        Ok(self.instant(self.position(due)? + total)?)
    }

    /// The last moment an apology with an extension (Mẫu 04) may be sent: one working day before
    /// the due date.
    pub fn latest_extension_request(&self, due: Instant) -> Result<Instant, OutOfRange> {
        self.instant(self.position(due)? - self.day())
    }

    /// Whether an open dossier is due soon: not yet overdue, and due today or within
    /// `working_days` working days after today (1: today or the next working day).
    pub fn is_due_soon(
        &self,
        now: Instant,
        due: Instant,
        working_days: u32,
    ) -> Result<bool, OutOfRange> {
        let left = self
            .calendar
            .working_days_between(now.local_date(), due.local_date())?;
        Ok(now <= due && left <= i64::from(working_days))
    }
}

/// `date` plus `months` calendar months, on the same day or the month's last day.
pub fn add_months(date: Date, months: u32) -> Date {
    let (y, m, d) = date.ymd();
    let total = (y * 12 + m as i32 - 1) + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    Date::from_ymd(year, month, d.min(days_in_month(year, month))).expect("clamped to the month")
}

/// Early, on time or late, for a dossier finished at `finished`.
pub fn classify_finished(finished: Instant, due: Instant, granularity: Granularity) -> Finished {
    let (f, d) = (finished.local_date(), due.local_date());
    let late = match granularity {
        Granularity::Day => f > d,
        Granularity::Minute => finished > due,
    };
    if late {
        Finished::Late
    } else if f < d {
        Finished::Early
    } else {
        Finished::OnTime
    }
}

/// Within time or overdue, for a dossier still open at `now`.
pub fn classify_open(now: Instant, due: Instant, granularity: Granularity) -> Open {
    let overdue = match granularity {
        Granularity::Day => now.local_date() > due.local_date(),
        Granularity::Minute => now > due,
    };
    if overdue {
        Open::Overdue
    } else {
        Open::WithinTime
    }
}
