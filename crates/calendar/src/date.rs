//! Civil dates as day numbers, and instants in Vietnam time.
//!
//! A [`Date`] is a count of days since 1970-01-01 in the proleptic Gregorian calendar, so date
//! arithmetic is integer arithmetic. An [`Instant`] is microseconds since the Unix epoch, UTC,
//! the form every instant is stored in. Vietnam keeps UTC+7 all year.

use std::fmt;

/// Vietnam's offset from UTC, in microseconds. No daylight saving.
pub const VN_OFFSET_MICROS: i64 = 7 * 3600 * 1_000_000;
const MICROS_PER_MINUTE: i64 = 60 * 1_000_000;
const MICROS_PER_DAY: i64 = 24 * 60 * MICROS_PER_MINUTE;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date: write YYYY-MM-DD")]
    Format(String),
    #[error("{0} does not exist in the calendar")]
    Impossible(String),
    #[error("'{0}' is not a time: write HH:MM")]
    Time(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }

    /// The name as Vietnamese writes it: "Thứ Hai" … "Chủ nhật".
    pub fn vietnamese(self) -> &'static str {
        match self {
            Weekday::Monday => "Thứ Hai",
            Weekday::Tuesday => "Thứ Ba",
            Weekday::Wednesday => "Thứ Tư",
            Weekday::Thursday => "Thứ Năm",
            Weekday::Friday => "Thứ Sáu",
            Weekday::Saturday => "Thứ Bảy",
            Weekday::Sunday => "Chủ nhật",
        }
    }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

impl Date {
    /// The date, if it exists (1 ≤ month ≤ 12, 1 ≤ day ≤ the month's length).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Days from civil (H. Hinnant): years start in March so the leap day comes last.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.0 + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let t = text.trim();
        let parts: Vec<&str> = t.split('-').collect();
        let numbers =
            (parts.len() == 3 && parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2)
                .then(|| {
                    Some((
                        parts[0].parse::<i32>().ok()?,
                        parts[1].parse::<u32>().ok()?,
                        parts[2].parse::<u32>().ok()?,
                    ))
                })
                .flatten();
        let (y, m, d) = numbers.ok_or_else(|| DateError::Format(t.to_string()))?;
        Date::from_ymd(y, m, d).ok_or_else(|| DateError::Impossible(t.to_string()))
    }

    /// Parses a date as people in Vietnam type it: day, month, year (`29/04/2026`, `29/4/2026`,
    /// `29-04-2026`, `29.04.2026`), or `YYYY-MM-DD`.
    pub fn parse_vn(text: &str) -> Result<Date, DateError> {
        let t = text.trim();
        if t.len() == 10 && t.as_bytes()[4] == b'-' {
            return Date::parse(t);
        }
        let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
        let numbers = (parts.len() == 3
            && parts[2].len() == 4
            && (1..=2).contains(&parts[0].len())
            && (1..=2).contains(&parts[1].len()))
        .then(|| {
            Some((
                parts[2].parse::<i32>().ok()?,
                parts[1].parse::<u32>().ok()?,
                parts[0].parse::<u32>().ok()?,
            ))
        })
        .flatten();
        let (y, m, d) = numbers.ok_or_else(|| DateError::Format(t.to_string()))?;
        Date::from_ymd(y, m, d).ok_or_else(|| DateError::Impossible(t.to_string()))
    }

    /// `dd/mm/yyyy`, as dates are written on screen and on paper in Vietnam.
    pub fn vn(self) -> String {
        let mut out = String::with_capacity(10);
        self.push_vn(&mut out);
        out
    }

    fn push_vn(self, out: &mut String) {
        let (y, m, d) = self.ymd();
        push_digits(out, d, 2);
        out.push('/');
        push_digits(out, m, 2);
        out.push('/');
        push_year(out, y);
    }

    fn push_iso(self, out: &mut String) {
        let (y, m, d) = self.ymd();
        push_year(out, y);
        out.push('-');
        push_digits(out, m, 2);
        out.push('-');
        push_digits(out, d, 2);
    }
}

/// Appends `n` in decimal, zero-padded to `width`. Dates and times are written by hand rather
/// than by `format!`: a status lookup writes a dozen, and formatting cost it a tenth of its time.
fn push_digits(out: &mut String, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut i = digits.len();
    let mut rest = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let start = i.min(digits.len().saturating_sub(width));
    out.extend(digits[start..].iter().map(|&b| char::from(b)));
}

fn push_year(out: &mut String, y: i32) {
    if y < 0 {
        out.push('-');
    }
    push_digits(out, y.unsigned_abs(), 4);
}

fn push_minute(out: &mut String, minute: Minute) {
    push_digits(out, u32::from(minute / 60), 2);
    out.push(':');
    push_digits(out, u32::from(minute % 60), 2);
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Minutes since local midnight, 0..=1440.
pub type Minute = u16;

/// Parses `HH:MM` into minutes since midnight (24:00 is allowed, as the end of a day).
pub fn parse_minute(text: &str) -> Result<Minute, DateError> {
    let bad = || DateError::Time(text.to_string());
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Parses a time as people type it: `16:00`, `16h00`, `16h`, `9:05`.
pub fn parse_minute_vn(text: &str) -> Result<Minute, DateError> {
    let t = text.trim().to_lowercase();
    let (h, m) = t.split_once([':', 'h']).unwrap_or((&t, ""));
    let m = if m.is_empty() { "00" } else { m };
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(DateError::Time(text.trim().to_string()));
    }
    parse_minute(&format!("{h:0>2}:{m}")).map_err(|_| DateError::Time(text.trim().to_string()))
}

pub fn format_minute(minute: Minute) -> String {
    let mut out = String::with_capacity(5);
    push_minute(&mut out, minute);
    out
}

/// A moment in time: microseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Instant(pub i64);

impl Instant {
    /// The instant at `minute` past local midnight of `date`, Vietnam time.
    pub fn from_local(date: Date, minute: Minute) -> Instant {
        Instant(
            i64::from(date.0) * MICROS_PER_DAY + i64::from(minute) * MICROS_PER_MINUTE
                - VN_OFFSET_MICROS,
        )
    }

    /// The local date, the minute of that day, and the microseconds past that minute.
    pub fn to_local(self) -> (Date, Minute, i64) {
        let local = self.0 + VN_OFFSET_MICROS;
        let day = local.div_euclid(MICROS_PER_DAY);
        let rest = local.rem_euclid(MICROS_PER_DAY);
        (
            Date(day as i32),
            (rest / MICROS_PER_MINUTE) as Minute,
            rest % MICROS_PER_MINUTE,
        )
    }

    pub fn local_date(self) -> Date {
        self.to_local().0
    }

    /// `dd/mm/yyyy HH:MM`, Vietnam time.
    pub fn vn(self) -> String {
        let (date, minute, _) = self.to_local();
        let mut out = String::with_capacity(16);
        date.push_vn(&mut out);
        out.push(' ');
        push_minute(&mut out, minute);
        out
    }

    /// RFC 3339 with the +07:00 offset, e.g. `2026-05-06T17:00:00+07:00`.
    pub fn rfc3339_vn(self) -> String {
        let (date, minute, micros) = self.to_local();
        let mut out = String::with_capacity(25);
        date.push_iso(&mut out);
        out.push('T');
        push_minute(&mut out, minute);
        out.push(':');
        push_digits(&mut out, (micros / 1_000_000) as u32, 2);
        out.push_str("+07:00");
        out
    }

    /// Parses `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM[:SS]` as Vietnam time.
    pub fn parse_local(text: &str) -> Result<Instant, DateError> {
        let t = text.trim();
        let (d, rest) = t
            .split_once(['T', ' '])
            .ok_or_else(|| DateError::Format(t.to_string()))?;
        let date = Date::parse(d)?;
        let rest = rest.trim().trim_end_matches("+07:00");
        let (hm, seconds) = match rest.len() {
            5 => (rest, 0),
            8 => {
                let s: i64 = rest[6..]
                    .parse()
                    .ok()
                    .filter(|s| *s < 60)
                    .ok_or_else(|| DateError::Time(rest.to_string()))?;
                if &rest[5..6] != ":" {
                    return Err(DateError::Time(rest.to_string()));
                }
                (&rest[..5], s)
            }
            _ => return Err(DateError::Time(rest.to_string())),
        };
        let minute = parse_minute(hm)?;
        if minute == 24 * 60 {
            return Err(DateError::Time(rest.to_string()));
        }
        Ok(Instant(
            Instant::from_local(date, minute).0 + seconds * 1_000_000,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_three_centuries() {
        let start = Date::from_ymd(1900, 1, 1).unwrap();
        let end = Date::from_ymd(2200, 12, 31).unwrap();
        let mut expected = (1900, 1, 1);
        for n in start.days()..=end.days() {
            let d = Date::from_days(n);
            assert_eq!(d.ymd(), expected);
            assert_eq!(Date::from_ymd(expected.0, expected.1, expected.2), Some(d));
            let (y, m, dd) = expected;
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn known_weekdays() {
        assert_eq!(
            Date::from_ymd(1970, 1, 1).unwrap().weekday(),
            Weekday::Thursday
        );
        assert_eq!(
            Date::from_ymd(2026, 4, 29).unwrap().weekday(),
            Weekday::Wednesday
        );
        assert_eq!(
            Date::from_ymd(2026, 2, 17).unwrap().weekday(),
            Weekday::Tuesday
        );
        assert_eq!(
            Date::from_ymd(1945, 9, 2).unwrap().weekday(),
            Weekday::Sunday
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Date::from_ymd(2026, 2, 29), None);
        assert_eq!(
            Date::from_ymd(2024, 2, 29).map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        assert!(matches!(
            Date::parse("2026-02-30"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            Date::parse("2026-13-01"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            Date::parse("29/04/2026"),
            Err(DateError::Format(_))
        ));
        assert!(matches!(
            Date::parse("2026-4-29"),
            Err(DateError::Format(_))
        ));
    }

    #[test]
    fn local_time_is_utc_plus_seven() {
        let i = Instant::parse_local("2026-04-29 16:00").unwrap();
        // 16:00 in Hanoi is 09:00 UTC.
        let utc_day = Date::from_ymd(2026, 4, 29).unwrap().days() as i64;
        assert_eq!(i.0, (utc_day * 86_400 + 9 * 3600) * 1_000_000);
        assert_eq!(i.vn(), "29/04/2026 16:00");
        assert_eq!(i.rfc3339_vn(), "2026-04-29T16:00:00+07:00");
        // 23:30 UTC is already the next day in Vietnam.
        let late = Instant((utc_day * 86_400 + 23 * 3600 + 1800) * 1_000_000);
        assert_eq!(late.vn(), "30/04/2026 06:30");
    }

    #[test]
    fn written_by_hand_as_format_would() {
        // Every minute of a leap day, and instants spread over four centuries.
        let start = Instant::parse_local("2028-02-29 00:00").unwrap().0;
        // 1770 – 2170: a Julian year of microseconds is 31,557,600 seconds.
        let year = 31_557_600_000_000_i64;
        let spread = (0..20_000).map(|i| -200 * year + i * (400 * year / 20_000));
        for micros in (0..1_440)
            .map(|m| start + m * 60_000_000 + 59_000_000)
            .chain(spread)
        {
            let i = Instant(micros);
            let (date, minute, rest) = i.to_local();
            let (y, m, d) = date.ymd();
            let (hh, mm, ss) = (minute / 60, minute % 60, rest / 1_000_000);
            assert_eq!(date.vn(), format!("{d:02}/{m:02}/{y:04}"));
            assert_eq!(i.vn(), format!("{d:02}/{m:02}/{y:04} {hh:02}:{mm:02}"));
            assert_eq!(
                i.rfc3339_vn(),
                format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}+07:00")
            );
            assert_eq!(format_minute(minute), format!("{hh:02}:{mm:02}"));
        }
    }

    #[test]
    fn dates_and_times_as_typed_in_vietnam() {
        let d = Date::from_ymd(2026, 4, 29).unwrap();
        for text in [
            "29/04/2026",
            "29/4/2026",
            "29-04-2026",
            "29.04.2026",
            "2026-04-29",
            " 29/04/2026 ",
        ] {
            assert_eq!(Date::parse_vn(text), Ok(d), "{text}");
        }
        assert!(matches!(
            Date::parse_vn("30/02/2026"),
            Err(DateError::Impossible(_))
        ));
        for bad in ["04/29", "29/04/26", "2026/04/29", "hôm nay", ""] {
            assert!(Date::parse_vn(bad).is_err(), "{bad}");
        }
        for (text, minute) in [
            ("16:00", 960),
            ("16h00", 960),
            ("16h", 960),
            ("9:05", 545),
            ("16", 960),
            ("07H30", 450),
        ] {
            assert_eq!(parse_minute_vn(text), Ok(minute), "{text}");
        }
        for bad in ["25:00", "16:7", "4pm", "", "16:60"] {
            assert!(parse_minute_vn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!(parse_minute("07:30"), Ok(450));
        assert_eq!(parse_minute("24:00"), Ok(1440));
        for bad in ["7:30", "07:60", "25:00", "24:01", "0730", "ab:cd"] {
            assert!(parse_minute(bad).is_err(), "{bad}");
        }
        assert!(Instant::parse_local("2026-04-29T16:00:30").is_ok());
        assert!(Instant::parse_local("2026-04-29 24:00").is_err());
        assert!(Instant::parse_local("2026-04-29").is_err());
    }
}
