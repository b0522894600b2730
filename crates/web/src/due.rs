//! Reading an appointment-date request (from the API's query or the calculator's form) with a
//! message for each bad field, and the now of Vietnam.

use motcua_calendar::{Duration, Instant, Policy, Unit};

use crate::problem::FieldError;

/// A request as typed, before checking.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct DueInput {
    pub received: Option<String>,
    pub unit: Option<String>,
    pub amount: Option<String>,
    pub count_receipt_day: Option<String>,
    pub cutoff: Option<String>,
    pub agency: Option<String>,
}

/// A request that passed every check.
#[derive(Debug, Clone)]
pub(crate) struct DueRequest {
    pub received: Instant,
    pub unit: Unit,
    pub limit: Duration,
    pub policy: Policy,
    pub agency: Option<String>,
}

pub(crate) const UNITS: &[(Unit, &str, &str)] = &[
    (Unit::WorkingDays, "working_days", "ngày làm việc"),
    (Unit::WorkingHours, "working_hours", "giờ làm việc"),
    (Unit::CalendarDays, "calendar_days", "ngày (theo lịch)"),
    (Unit::Months, "months", "tháng"),
    (Unit::SameDay, "same_day", "trong ngày"),
];

pub(crate) fn unit_code(unit: Unit) -> &'static str {
    UNITS
        .iter()
        .find(|(u, _, _)| *u == unit)
        .map_or("", |(_, c, _)| c)
}

fn field(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        reason: reason.into(),
    }
}

fn flag(value: &Option<String>, default: bool, name: &str) -> Result<bool, FieldError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some("true" | "1" | "on" | "yes") => Ok(true),
        Some("false" | "0" | "off" | "no") => Ok(false),
        Some(other) => Err(field(
            name,
            format!("“{other}” không phải true hoặc false."),
        )),
    }
}

impl DueInput {
    /// Checks every field and reports every problem, not just the first.
    pub fn check(&self) -> Result<DueRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let received = match self.received.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(field("received", "Nhập thời điểm tiếp nhận hồ sơ."));
                None
            }
            Some(text) => match Instant::parse_local(text) {
                Ok(at) => Some(at),
                Err(_) => {
                    errors.push(field(
                        "received",
                        format!("“{text}” không phải thời điểm hợp lệ (ví dụ: 2026-04-29T16:00)."),
                    ));
                    None
                }
            },
        };
        let unit_text = self
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or("working_days");
        let unit = UNITS
            .iter()
            .find(|(_, code, _)| *code == unit_text)
            .map(|(u, _, _)| *u);
        if unit.is_none() {
            errors.push(field("unit", format!("Đơn vị “{unit_text}” không hợp lệ.")));
        }
        let limit = match unit {
            Some(Unit::SameDay) => Some(Duration::same_day()),
            Some(unit) => match self.amount.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.push(field("amount", "Nhập thời hạn giải quyết."));
                    None
                }
                Some(text) => match Duration::parse(unit, text) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.push(field("amount", e.vietnamese()));
                        None
                    }
                },
            },
            None => None,
        };
        let count_receipt_day = flag(&self.count_receipt_day, false, "count_receipt_day")
            .map_err(|e| errors.push(e))
            .ok();
        let cutoff = flag(&self.cutoff, true, "cutoff")
            .map_err(|e| errors.push(e))
            .ok();
        match (received, unit, limit, count_receipt_day, cutoff) {
            (
                Some(received),
                Some(unit),
                Some(limit),
                Some(count_receipt_day),
                Some(cutoff_applies),
            ) if errors.is_empty() => Ok(DueRequest {
                received,
                unit,
                limit,
                policy: Policy {
                    count_receipt_day,
                    cutoff_applies,
                },
                agency: self
                    .agency
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string),
            }),
            _ => Err(errors),
        }
    }
}

/// Now, as an instant.
pub(crate) fn now() -> Instant {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    Instant(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = DueInput {
            received: Some("2026-02-30T10:00".into()),
            unit: Some("weeks".into()),
            count_receipt_day: Some("maybe".into()),
            ..DueInput::default()
        };
        let errors = input.check().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["received", "unit", "count_receipt_day"]);
    }

    #[test]
    fn a_good_request_passes() {
        let input = DueInput {
            received: Some("2026-04-29 16:00".into()),
            amount: Some("3".into()),
            ..DueInput::default()
        };
        let request = input.check().unwrap();
        assert_eq!(request.unit, Unit::WorkingDays);
        assert!(request.policy.cutoff_applies);
        assert!(!request.policy.count_receipt_day);
    }
}
