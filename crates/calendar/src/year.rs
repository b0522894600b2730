//! A year's non-working and make-up working days: from the official announcement when there is
//! one, otherwise generated from the rules of the Labour Code 2019, Article 112.
//!
//! Official data lives in `data/calendar/YYYY.toml` (and may be edited by an administrator); when
//! a year has it, it is the whole truth for that year and the rules are not consulted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::{Date, Weekday};
use crate::lunar::{self, LunarDate};

/// Why a day is off or worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (ngày lễ, Tết).
    Holiday,
    /// A working day given in place of a holiday that fell on a weekend (nghỉ bù).
    Compensation,
    /// A working day off in exchange for a make-up day (hoán đổi).
    Swap,
    /// A Saturday or Sunday worked to make up for a swapped day (làm bù).
    MakeUp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    pub date: Date,
    pub kind: DayKind,
    /// What the day is, in Vietnamese ("Tết Nguyên đán (mùng 1)", "Nghỉ bù Giỗ Tổ Hùng Vương").
    pub reason: String,
    /// The legal basis: the law or the announcement that made it so.
    pub basis: String,
}

/// Where a year's data came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Announced by the government; `name` is the file or record it was read from.
    Official { name: String },
    /// Generated from the Labour Code's rules: the official calendar is not known yet.
    Rules,
}

/// One year's days off (other than ordinary weekends) and make-up working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearData {
    pub year: i32,
    pub source: Source,
    /// Sorted by date.
    pub days_off: Vec<SpecialDay>,
    /// Weekend days that are worked, sorted by date.
    pub working_days: Vec<SpecialDay>,
}

impl YearData {
    pub fn is_official(&self) -> bool {
        matches!(self.source, Source::Official { .. })
    }

    /// The rules every year obeys, however it was entered: each date in the year and listed
    /// once, make-up days on weekends only, a reason and a legal basis for each, days off of the
    /// kinds that are days off. Messages are in Vietnamese, for the administrator.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (list, working) in [(&self.days_off, false), (&self.working_days, true)] {
            for day in list.iter() {
                let d = day.date.vn();
                if day.date.year() != self.year {
                    errors.push(format!("Ngày {d} không thuộc năm {}.", self.year));
                }
                if !seen.insert(day.date) {
                    errors.push(format!("Ngày {d} được ghi hai lần."));
                }
                if working != (day.kind == DayKind::MakeUp) {
                    errors.push(format!("Ngày {d}: loại ngày không phù hợp."));
                }
                if working && !day.date.weekday().is_weekend() {
                    errors.push(format!(
                        "Ngày {d} là {}: chỉ thứ Bảy, Chủ nhật mới có thể là ngày làm bù.",
                        day.date.weekday().vietnamese()
                    ));
                }
                if day.reason.trim().is_empty() {
                    errors.push(format!("Ngày {d}: ghi rõ lý do."));
                }
                if day.basis.trim().is_empty() {
                    errors.push(format!("Ngày {d}: ghi căn cứ pháp lý."));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

const LABOUR_CODE: &str = "Bộ luật Lao động 2019, Điều 112";

/// The default calendar of `year` by the rules: 1 Jan; five Tết days (the last day of the lunar
/// year and the first four of the new one); Hùng Kings' Day (10/3 lunar); 30 Apr; 1 May; 2 Sep
/// and one adjacent day; a holiday on a weekend is compensated on the next working day.
pub fn by_rules(year: i32) -> YearData {
    let mut holidays: Vec<(Date, String)> = Vec::new();
    let fixed = |m, d| Date::from_ymd(year, m, d).expect("a fixed holiday exists");
    holidays.push((fixed(1, 1), "Tết Dương lịch".into()));
    if let Some(tet) = lunar::tet(year) {
        holidays.push((
            tet.add_days(-1),
            "Tết Nguyên đán (ngày cuối năm Âm lịch)".into(),
        ));
        for n in 0..4 {
            holidays.push((tet.add_days(n), format!("Tết Nguyên đán (mùng {})", n + 1)));
        }
    }
    let hung_kings = lunar::to_solar(LunarDate {
        year,
        month: 3,
        day: 10,
        leap: false,
    });
    if let Some(day) = hung_kings {
        holidays.push((day, "Giỗ Tổ Hùng Vương (10/3 Âm lịch)".into()));
    }
    holidays.push((fixed(4, 30), "Ngày Chiến thắng (30/4)".into()));
    holidays.push((fixed(5, 1), "Ngày Quốc tế Lao động (1/5)".into()));
    let national_day = fixed(9, 2);
    holidays.push((national_day, "Quốc khánh (2/9)".into()));
    holidays.push((
        national_day_companion(national_day),
        "Quốc khánh (ngày liền kề 2/9)".into(),
    ));
    holidays.sort_by_key(|(d, _)| *d);

    let taken = |d: Date, list: &[SpecialDay]| list.iter().any(|s| s.date == d);
    let mut days_off: Vec<SpecialDay> = holidays
        .iter()
        .map(|(date, reason)| SpecialDay {
            date: *date,
            kind: DayKind::Holiday,
            reason: reason.clone(),
            basis: LABOUR_CODE.into(),
        })
        .collect();
    for (date, reason) in &holidays {
        if !date.weekday().is_weekend() {
            continue;
        }
        let mut candidate = date.add_days(1);
        while candidate.weekday().is_weekend() || taken(candidate, &days_off) {
            candidate = candidate.add_days(1);
        }
        days_off.push(SpecialDay {
            date: candidate,
            kind: DayKind::Compensation,
            reason: format!(
                "Nghỉ bù {} ({} {})",
                reason,
                date.weekday().vietnamese(),
                date.vn()
            ),
            basis: LABOUR_CODE.into(),
        });
    }
    days_off.sort_by_key(|s| s.date);
    YearData {
        year,
        source: Source::Rules,
        days_off,
        working_days: Vec::new(),
    }
}

/// The day the rules add beside 2 September: the one that joins the weekend where there is one
/// (the pattern of the official calendars 2021–2025); for a Wednesday, the Thursday.
fn national_day_companion(sep2: Date) -> Date {
    match sep2.weekday() {
        Weekday::Tuesday | Weekday::Friday | Weekday::Saturday => sep2.add_days(-1),
        Weekday::Monday | Weekday::Wednesday | Weekday::Thursday | Weekday::Sunday => {
            sep2.add_days(1)
        }
    }
}

/// An error in a calendar file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {field}: {message}")]
pub struct YearFileError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    year: toml::Spanned<i32>,
    #[serde(default)]
    day_off: Vec<toml::Spanned<EntryShape>>,
    #[serde(default)]
    working_day: Vec<toml::Spanned<EntryShape>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryShape {
    date: toml::Spanned<toml::value::Datetime>,
    #[serde(default = "holiday")]
    kind: toml::Spanned<String>,
    reason: String,
    basis: String,
}

fn holiday() -> toml::Spanned<String> {
    toml::Spanned::new(0..0, "holiday".to_string())
}

/// Parses an official year file. Every error names the file, the line and the field.
///
/// ```toml
/// year = 2026
/// [[day_off]]
/// date = 2026-02-16
/// kind = "holiday"            # holiday | compensation | swap
/// reason = "Tết Nguyên đán"
/// basis = "Thông báo số …/TB-BNV"
/// [[working_day]]
/// date = 2026-01-10
/// kind = "make_up"
/// reason = "Làm bù cho thứ Sáu 02/01/2026"
/// basis = "…"
/// ```
pub fn parse_year_file(file: &str, text: &str) -> Result<YearData, YearFileError> {
    let line_of = |offset: usize| {
        text.as_bytes()[..offset.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let error = |offset: usize, field: &str, message: String| YearFileError {
        file: file.to_string(),
        line: line_of(offset),
        field: field.to_string(),
        message,
    };
    let shape: FileShape = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().replace('\n', " ");
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| {
                message.starts_with("unknown field") || message.starts_with("missing field")
            })
            .unwrap_or("")
            .to_string();
        error(
            offset,
            if field.is_empty() { "toml" } else { &field },
            message,
        )
    })?;
    let year = *shape.year.get_ref();
    if let Some(expected) = file_year(file)
        && expected != year
    {
        return Err(error(
            shape.year.span().start,
            "year",
            format!("the file is named for {expected} but says {year}"),
        ));
    }
    let mut seen: BTreeMap<Date, usize> = BTreeMap::new();
    let mut read = |entries: Vec<toml::Spanned<EntryShape>>,
                    table: &str,
                    allowed: &[DayKind]|
     -> Result<Vec<SpecialDay>, YearFileError> {
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.into_inner();
            let at = entry.date.span().start;
            let date = to_date(entry.date.get_ref()).ok_or_else(|| {
                error(
                    at,
                    &format!("{table}.date"),
                    "must be a date like 2026-02-16".into(),
                )
            })?;
            if date.year() != year {
                return Err(error(
                    at,
                    &format!("{table}.date"),
                    format!("{date} is not in {year}"),
                ));
            }
            if let Some(line) = seen.insert(date, line_of(at)) {
                return Err(error(
                    at,
                    &format!("{table}.date"),
                    format!("{date} is listed twice (also on line {line})"),
                ));
            }
            let kind_at = entry.kind.span().start;
            let kind = parse_kind(entry.kind.get_ref())
                .filter(|k| allowed.contains(k))
                .ok_or_else(|| {
                    let names: Vec<&str> = allowed.iter().map(|k| kind_name(*k)).collect();
                    error(
                        kind_at.max(at),
                        &format!("{table}.kind"),
                        format!(
                            "'{}' is not one of {}",
                            entry.kind.get_ref(),
                            names.join(", ")
                        ),
                    )
                })?;
            if table == "working_day" && !date.weekday().is_weekend() {
                return Err(error(
                    at,
                    "working_day.date",
                    format!(
                        "{date} is a {:?}: only a Saturday or Sunday can be a make-up working day",
                        date.weekday()
                    ),
                ));
            }
            if entry.reason.trim().is_empty() {
                return Err(error(at, &format!("{table}.reason"), "must say why".into()));
            }
            if entry.basis.trim().is_empty() {
                return Err(error(
                    at,
                    &format!("{table}.basis"),
                    "must name the legal basis".into(),
                ));
            }
            out.push(SpecialDay {
                date,
                kind,
                reason: entry.reason.trim().to_string(),
                basis: entry.basis.trim().to_string(),
            });
        }
        out.sort_by_key(|s| s.date);
        Ok(out)
    };
    let days_off = read(
        shape.day_off,
        "day_off",
        &[DayKind::Holiday, DayKind::Compensation, DayKind::Swap],
    )?;
    let working_days = read(shape.working_day, "working_day", &[DayKind::MakeUp])?;
    Ok(YearData {
        year,
        source: Source::Official {
            name: file.to_string(),
        },
        days_off,
        working_days,
    })
}

fn file_year(file: &str) -> Option<i32> {
    let name = file.rsplit('/').next()?;
    name.strip_suffix(".toml")?.parse().ok()
}

fn to_date(value: &toml::value::Datetime) -> Option<Date> {
    if value.time.is_some() || value.offset.is_some() {
        return None;
    }
    let d = value.date?;
    Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

fn kind_name(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "holiday",
        DayKind::Compensation => "compensation",
        DayKind::Swap => "swap",
        DayKind::MakeUp => "make_up",
    }
}

fn parse_kind(text: &str) -> Option<DayKind> {
    [
        DayKind::Holiday,
        DayKind::Compensation,
        DayKind::Swap,
        DayKind::MakeUp,
    ]
    .into_iter()
    .find(|k| kind_name(*k) == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Date {
        Date::from_ymd(y, m, dd).unwrap()
    }

    fn off(data: &YearData) -> Vec<Date> {
        data.days_off.iter().map(|s| s.date).collect()
    }

    #[test]
    fn rules_for_2024_match_the_official_calendar() {
        // 2024 as announced: Tết 8–14 Feb (Sat 10 and Sun 11 compensated on 13, 14)… the rules
        // take the last day of the year and four after, so the Tết block is 9–13 Feb plus the
        // compensations; the official one moved a day earlier. Assert the rules, not the decree.
        let data = by_rules(2024);
        assert!(off(&data).contains(&d(2024, 1, 1)));
        assert!(off(&data).contains(&d(2024, 2, 9))); // 30 Tết
        assert!(off(&data).contains(&d(2024, 2, 13))); // mùng 4
        assert_eq!(data.source, Source::Rules);
    }

    #[test]
    fn a_weekend_holiday_is_compensated_after_the_block() {
        // 2026: Hùng Kings' Day (10/3 lunar) is Sunday 26 April → Monday 27 April.
        let data = by_rules(2026);
        let hung = data
            .days_off
            .iter()
            .find(|s| s.reason.starts_with("Giỗ Tổ"))
            .unwrap();
        assert_eq!(hung.date, d(2026, 4, 26));
        let comp = data
            .days_off
            .iter()
            .find(|s| s.kind == DayKind::Compensation && s.reason.contains("Giỗ Tổ"))
            .unwrap();
        assert_eq!(comp.date, d(2026, 4, 27));
    }

    #[test]
    fn national_day_companions_follow_the_recent_pattern() {
        for (year, companion) in [(2021, 3), (2022, 1), (2023, 1), (2024, 3), (2025, 1)] {
            let data = by_rules(year);
            assert!(off(&data).contains(&d(year, 9, companion)), "{year}");
        }
    }

    #[test]
    fn a_year_checks_its_own_rules() {
        let mut year = by_rules(2027);
        year.source = Source::Official { name: "x".into() };
        assert!(year.check().is_ok());
        year.working_days.push(SpecialDay {
            date: d(2027, 3, 3),
            kind: DayKind::MakeUp,
            reason: "".into(),
            basis: "b".into(),
        });
        year.days_off.push(year.days_off[0].clone());
        year.days_off.push(SpecialDay {
            date: d(2026, 3, 3),
            kind: DayKind::Holiday,
            reason: "r".into(),
            basis: "b".into(),
        });
        let errors = year.check().unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("chỉ thứ Bảy, Chủ nhật")));
        assert!(errors.iter().any(|e| e.contains("hai lần")));
        assert!(errors.iter().any(|e| e.contains("không thuộc năm 2027")));
        assert!(errors.iter().any(|e| e.contains("ghi rõ lý do")));
    }

    #[test]
    fn a_year_file_parses() {
        let text = r#"
year = 2025
[[day_off]]
date = 2025-05-02
kind = "swap"
reason = "Hoán đổi"
basis = "Công văn"
[[working_day]]
date = 2025-04-26
kind = "make_up"
reason = "Làm bù cho thứ Sáu 02/05/2025"
basis = "Công văn"
"#;
        let data = parse_year_file("data/calendar/2025.toml", text).unwrap();
        assert_eq!(data.days_off[0].kind, DayKind::Swap);
        assert_eq!(data.working_days[0].date, d(2025, 4, 26));
        assert!(data.is_official());
    }

    fn err(text: &str) -> YearFileError {
        parse_year_file("2026.toml", text).unwrap_err()
    }

    #[test]
    fn malformed_files_name_the_line_and_field() {
        let e = err("year = 2026\n[[day_off]]\ndate = 2026-02-30\nreason = \"x\"\nbasis = \"y\"\n");
        assert_eq!((e.line, e.field.as_str()), (3, "toml"), "{e}");

        let e = err("year = 2026\n[[day_off]]\ndate = 2025-02-16\nreason = \"x\"\nbasis = \"y\"\n");
        assert_eq!((e.line, e.field.as_str()), (3, "day_off.date"), "{e}");
        assert!(e.message.contains("not in 2026"));

        let e = err("year = 2026\n[[day_off]]\ndate = 2026-02-16\nreson = \"x\"\nbasis = \"y\"\n");
        assert_eq!(e.field, "reson", "{e}");

        let e = err(
            "year = 2026\n[[working_day]]\ndate = 2026-02-16\nkind = \"make_up\"\nreason = \"x\"\nbasis = \"y\"\n",
        );
        assert_eq!((e.line, e.field.as_str()), (3, "working_day.date"), "{e}");
        assert!(e.message.contains("Saturday or Sunday"));

        let e = err(
            "year = 2026\n[[day_off]]\ndate = 2026-02-16\nkind = \"party\"\nreason = \"x\"\nbasis = \"y\"\n",
        );
        assert_eq!((e.line, e.field.as_str()), (4, "day_off.kind"), "{e}");

        let e = err(
            "year = 2026\n[[day_off]]\ndate = 2026-02-16\nreason = \"x\"\nbasis = \"y\"\n[[day_off]]\ndate = 2026-02-16\nreason = \"x\"\nbasis = \"y\"\n",
        );
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("listed twice (also on line 3)"));

        let e = err("year = 2025\n");
        assert_eq!((e.line, e.field.as_str()), (1, "year"), "{e}");

        let e = err("year = 2026\n[[day_off]]\ndate = 2026-02-16\nreason = \"x\"\nbasis = \" \"\n");
        assert_eq!(e.field, "day_off.basis", "{e}");
        assert!(
            e.to_string()
                .starts_with("2026.toml line 3: day_off.basis:")
        );
    }
}
