//! The Vietnamese lunisolar calendar, by Hồ Ngọc Đức's algorithm with time zone UTC+7.
//!
//! Months start on the local day of the new moon; month 11 holds the winter solstice; in a year
//! with 13 months the first month without a principal solar term is the leap month. Computing
//! for UTC+7 rather than UTC+8 is what makes it Vietnam's calendar: Tết 1985 and 2007 fall on
//! different days in Vietnam and China. Valid for 1900–2199.

use crate::date::Date;

/// Vietnam's time zone, in hours east of UTC.
const TIME_ZONE: f64 = 7.0;
/// Julian day number of 1970-01-01.
const JD_UNIX_EPOCH: i64 = 2_440_588;
/// The Julian day of the new moon of 1900-01-01, the epoch of the new-moon series.
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;
const SYNODIC_MONTH: f64 = 29.530_588_853;

pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2199;

/// A date in the lunar calendar. `leap` marks the repeated (intercalary) month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LunarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub leap: bool,
}

impl LunarDate {
    /// `d/m/yyyy`, followed by ` nhuận` for a day of a leap month.
    pub fn vn(&self) -> String {
        let leap = if self.leap { " nhuận" } else { "" };
        format!("{}/{}/{}{leap}", self.day, self.month, self.year)
    }
}

fn jd(date: Date) -> i64 {
    i64::from(date.days()) + JD_UNIX_EPOCH
}

fn date_of_jd(jd: i64) -> Date {
    Date::from_days((jd - JD_UNIX_EPOCH) as i32)
}

/// The instant (Julian day, fractional, UT) of the k-th new moon after the epoch.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = std::f64::consts::PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The Sun's apparent longitude in radians at a Julian day (UT).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = std::f64::consts::PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    let tau = std::f64::consts::PI * 2.0;
    l - tau * (l / tau).floor()
}

/// The local day (Julian day number) of the k-th new moon.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Which twelfth of the ecliptic (0..11) the Sun is in at the start of a local day.
fn sun_sector(day: i64) -> i64 {
    (sun_longitude(day as f64 - 0.5 - TIME_ZONE / 24.0) / std::f64::consts::PI * 6.0).floor() as i64
}

/// The first day of lunar month 11 of the lunar year that ends in Gregorian year `year`.
fn month11(year: i32) -> i64 {
    let off = jd(Date::from_ymd(year, 12, 31).expect("31 December exists")) - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k);
    // Month 11 must contain the winter solstice (sun sector 9 begins at 270°).
    if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// In a 13-month year starting at month 11 (`a11`), the offset of the leap month from it.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// Whether `date` is in the range this algorithm is kept for.
pub fn in_range(date: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// The lunar date of a Gregorian date, or `None` outside 1900–2199.
pub fn to_lunar(date: Date) -> Option<LunarDate> {
    if !in_range(date) {
        return None;
    }
    let (year, _, _) = date.ymd();
    let day_number = jd(date);
    // The mean-motion estimate can be one lunation off where the true new moon is far from the
    // mean one (2054-05-07 would get day 0): step to the last new moon on or before the day.
    let mut k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    while new_moon_day(k + 1) <= day_number {
        k += 1;
    }
    while new_moon_day(k) > day_number {
        k -= 1;
    }
    let month_start = new_moon_day(k);
    let mut a11 = month11(year);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = year;
        a11 = month11(year - 1);
    } else {
        lunar_year = year + 1;
        b11 = month11(year + 1);
    }
    let day = (day_number - month_start + 1) as u32;
    let diff = ((month_start - a11) as f64 / 29.0).floor() as i64;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            month = diff + 10;
            if diff == leap_diff {
                leap = true;
            }
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Some(LunarDate {
        year: lunar_year,
        month: month as u32,
        day,
        leap,
    })
}

/// The Gregorian date of a lunar date, or `None` if that lunar date does not exist (a leap
/// flag on a month that is not leap that year, day 30 of a 29-day month) or is out of range.
pub fn to_solar(lunar: LunarDate) -> Option<Date> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&lunar.year)
        || !(1..=12).contains(&lunar.month)
        || !(1..=30).contains(&lunar.day)
    {
        return None;
    }
    let month = i64::from(lunar.month);
    let (a11, b11) = if month < 11 {
        (month11(lunar.year - 1), month11(lunar.year))
    } else {
        (month11(lunar.year), month11(lunar.year + 1))
    };
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if lunar.leap && month != leap_month {
            return None;
        } else if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return None;
    }
    let k = (0.5 + (a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let month_start = new_moon_day(k + off);
    let date = date_of_jd(month_start + i64::from(lunar.day) - 1);
    // Day 30 of a 29-day month lands in the next month: refuse it rather than move it.
    (to_lunar(date) == Some(lunar)).then_some(date)
}

/// Lunar New Year's Day (mùng 1 Tết) of the lunar year `year`.
pub fn tet(year: i32) -> Option<Date> {
    to_solar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    })
}

const CAN: [&str; 10] = [
    "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý",
];
const CHI: [&str; 12] = [
    "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
];

/// The name of a lunar year in the sexagenary cycle, e.g. 2026 → "Bính Ngọ".
pub fn year_name(year: i32) -> String {
    let can = CAN[(year + 6).rem_euclid(10) as usize];
    let chi = CHI[(year + 8).rem_euclid(12) as usize];
    format!("{can} {chi}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Date {
        Date::from_ymd(y, m, dd).unwrap()
    }

    #[test]
    fn tet_of_recent_years() {
        assert_eq!(tet(2024), Some(d(2024, 2, 10)));
        assert_eq!(tet(2025), Some(d(2025, 1, 29)));
        assert_eq!(tet(2026), Some(d(2026, 2, 17)));
    }

    #[test]
    fn vietnam_differs_from_china_in_1985_and_2007() {
        assert_eq!(tet(1985), Some(d(1985, 1, 21)));
        assert_eq!(tet(2007), Some(d(2007, 2, 17)));
    }

    #[test]
    fn year_names() {
        assert_eq!(year_name(2026), "Bính Ngọ");
        assert_eq!(year_name(2025), "Ất Tỵ");
        assert_eq!(year_name(1945), "Ất Dậu");
        assert_eq!(year_name(2000), "Canh Thìn");
    }

    #[test]
    fn leap_months() {
        // 2023 had a leap 2nd month; 2025 a leap 6th.
        let leap2 = LunarDate {
            year: 2023,
            month: 2,
            day: 1,
            leap: true,
        };
        assert_eq!(to_solar(leap2), Some(d(2023, 3, 22)));
        assert_eq!(to_lunar(d(2023, 3, 22)), Some(leap2));
        let leap6 = LunarDate {
            year: 2025,
            month: 6,
            day: 1,
            leap: true,
        };
        assert_eq!(to_solar(leap6), Some(d(2025, 7, 25)));
        // No leap 3rd month in 2025.
        assert_eq!(
            to_solar(LunarDate {
                year: 2025,
                month: 3,
                day: 1,
                leap: true
            }),
            None
        );
    }

    #[test]
    fn every_day_round_trips_1900_to_2199() {
        let mut day = d(1900, 1, 31); // the first day whose lunar year is in range
        let end = d(2199, 12, 31);
        let mut previous: Option<LunarDate> = None;
        while day <= end {
            let lunar = to_lunar(day).unwrap();
            assert_eq!(to_solar(lunar), Some(day), "{day} → {lunar:?}");
            assert!((1..=30).contains(&lunar.day));
            if let Some(p) = previous {
                // Consecutive days: the next day of the month, or day 1 after day 29 or 30.
                if lunar.day == 1 {
                    assert!(p.day == 29 || p.day == 30, "{day}: month of {} days", p.day);
                } else {
                    assert_eq!(lunar.day, p.day + 1, "{day}");
                    assert_eq!(
                        (lunar.month, lunar.leap, lunar.year),
                        (p.month, p.leap, p.year)
                    );
                }
            }
            previous = Some(lunar);
            day = day.add_days(1);
        }
    }

    #[test]
    fn day_30_of_a_short_month_does_not_exist() {
        // The 12th month of lunar 2024 (Giáp Thìn) had 29 days: Tết 2025 followed day 29.
        let last = d(2025, 1, 28);
        assert_eq!(to_lunar(last).map(|l| (l.month, l.day)), Some((12, 29)));
        assert_eq!(
            to_solar(LunarDate {
                year: 2024,
                month: 12,
                day: 30,
                leap: false
            }),
            None
        );
    }
}
