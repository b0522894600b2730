//! `/api/v1/calendar`: appointment dates and the days off of a year.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use motcua_calendar::{DayKind, SpecialDay, lunar};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::due::{DueInput, unit_code};
use crate::problem::Problem;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DueQuery {
    /// When the complete dossier was received, Vietnam time: `2026-04-29T16:00` (seconds and a
    /// `+07:00` suffix are accepted).
    #[param(required = true)]
    received: Option<String>,
    /// `working_days` (default), `working_hours`, `calendar_days`, `months` or `same_day`.
    unit: Option<String>,
    /// The time limit in `unit`: `3`, `1.5`. Not used with `same_day`.
    amount: Option<String>,
    /// Whether the day of receipt is the first day counted. Default `false`.
    count_receipt_day: Option<String>,
    /// Whether a receipt after the daily cut-off counts from the next working day. Default `true`.
    cutoff: Option<String>,
    /// An agency's electronic identifier, to use its office hours.
    agency: Option<String>,
}

/// An appointment date and how it was reached.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DueAnswer {
    /// RFC 3339 with the +07:00 offset.
    #[schema(example = "2026-05-06T17:00:00+07:00")]
    due: String,
    /// As shown on screen and on the receipt.
    #[schema(example = "06/05/2026 17:00")]
    due_display: String,
    #[schema(example = "Thứ Tư")]
    due_weekday: &'static str,
    received: String,
    unit: &'static str,
    /// The limit in words, e.g. "3 ngày làm việc".
    limit: String,
    /// The first day counted, `YYYY-MM-DD`.
    first_day: String,
    /// Why the receipt counted from the next working day, if it did: `day_off`, `after_cutoff`,
    /// `after_hours`.
    #[schema(value_type = Option<String>)]
    moved: Option<motcua_calendar::Moved>,
    /// False when a year between receipt and due has no official calendar yet and the Labour
    /// Code's defaults were used: the date may change when that year is announced.
    official_calendar: bool,
    office_hours: String,
}

/// Computes an appointment date (ngày hẹn trả) by the working-day calendar.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/due",
    tag = "calendar",
    params(DueQuery),
    responses(
        (status = 200, description = "The appointment date", body = DueAnswer),
        (status = 422, description = "A parameter is missing or wrong; `errors` names each one",
         body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn due(
    State(state): State<AppState>,
    Query(q): Query<DueQuery>,
) -> Result<Json<DueAnswer>, Problem> {
    let input = DueInput {
        received: q.received,
        unit: q.unit,
        amount: q.amount,
        count_receipt_day: q.count_receipt_day,
        cutoff: q.cutoff,
        agency: q.agency,
    };
    let request = input.check().map_err(|errors| {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Dữ liệu không hợp lệ",
        );
        problem.errors = errors;
        problem
    })?;
    let time = state.time.current();
    let rules = time.rules(request.agency.as_deref()).map_err(|e| {
        Problem::invalid(
            "agency",
            format!("Không có cơ quan mã “{}” trong cấu hình giờ làm việc.", e.0),
        )
    })?;
    let appointment = rules
        .appointment(request.received, request.limit, request.policy)
        .map_err(|e| Problem::invalid("received", e.vietnamese()))?;
    Ok(Json(DueAnswer {
        due: appointment.due.rfc3339_vn(),
        due_display: appointment.due.vn(),
        due_weekday: appointment.due.local_date().weekday().vietnamese(),
        received: request.received.rfc3339_vn(),
        unit: unit_code(request.unit),
        limit: request.limit.vietnamese(),
        first_day: appointment.first_day.to_string(),
        moved: appointment.moved,
        official_calendar: appointment.official,
        office_hours: rules.hours.describe(),
    }))
}

/// A day off or a make-up working day.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DayAnswer {
    #[schema(example = "2026-02-17")]
    pub date: String,
    #[schema(example = "17/02/2026")]
    pub date_display: String,
    #[schema(example = "Thứ Ba")]
    pub weekday: &'static str,
    /// `holiday`, `compensation`, `swap` or `make_up`.
    #[schema(value_type = String)]
    pub kind: DayKind,
    pub reason: String,
    /// The law or announcement that made it so.
    pub basis: String,
}

impl DayAnswer {
    /// The kind in Vietnamese, for the page.
    pub fn kind_vn(&self) -> &'static str {
        match self.kind {
            DayKind::Holiday => "Nghỉ lễ, Tết",
            DayKind::Compensation => "Nghỉ bù",
            DayKind::Swap => "Nghỉ hoán đổi",
            DayKind::MakeUp => "Làm bù",
        }
    }

    /// Whether the day falls on a weekend (a holiday there is listed for reference).
    pub fn on_weekend(&self) -> bool {
        matches!(self.weekday, "Thứ Bảy" | "Chủ nhật")
    }
}

/// A year's calendar of days off and make-up days.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct YearAnswer {
    pub year: i32,
    /// The lunar year's name, e.g. "Bính Ngọ".
    pub lunar_year: String,
    /// Lunar New Year's Day, `YYYY-MM-DD`.
    pub tet: Option<String>,
    /// True when the year's official calendar is known; false when it is generated from the
    /// Labour Code's rules and may change.
    pub official: bool,
    /// Days off other than ordinary weekends (weekend holidays are listed too, for reference).
    pub days_off: Vec<DayAnswer>,
    /// Saturdays or Sundays that are worked.
    pub working_days: Vec<DayAnswer>,
    /// Working days in the year.
    pub working_day_count: i64,
}

pub(crate) fn day_answer(day: &SpecialDay) -> DayAnswer {
    DayAnswer {
        date: day.date.to_string(),
        date_display: day.date.vn(),
        weekday: day.date.weekday().vietnamese(),
        kind: day.kind,
        reason: day.reason.clone(),
        basis: day.basis.clone(),
    }
}

pub(crate) fn year_answer(state: &AppState, year: i32) -> Result<YearAnswer, Problem> {
    let time = state.time.current();
    let calendar = &time.calendar;
    let data = calendar.year(year).ok_or_else(|| {
        let range = calendar.years();
        Problem::not_found(format!(
            "Lịch làm việc chỉ có các năm {} đến {}.",
            range.start(),
            range.end()
        ))
    })?;
    let first = motcua_calendar::Date::from_ymd(year, 1, 1).expect("1 January exists");
    let next = motcua_calendar::Date::from_ymd(year + 1, 1, 1).expect("1 January exists");
    // The last year's 31 December has no following day in the calendar: count it separately.
    let count = match calendar.working_days_between(first, next) {
        Ok(n) => n,
        Err(_) => {
            let last = next.add_days(-1);
            calendar.working_days_between(first, last).unwrap_or(0)
                + i64::from(calendar.is_working(last).unwrap_or(false))
        }
    };
    Ok(YearAnswer {
        year,
        lunar_year: lunar::year_name(year),
        tet: lunar::tet(year).map(|d| d.to_string()),
        official: data.is_official(),
        days_off: data.days_off.iter().map(day_answer).collect(),
        working_days: data.working_days.iter().map(day_answer).collect(),
        working_day_count: count,
    })
}

/// The days off and make-up working days of a year, with their legal basis.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/years/{year}",
    tag = "calendar",
    params(("year" = i32, Path, description = "The year, e.g. 2026")),
    responses(
        (status = 200, description = "The year's calendar", body = YearAnswer),
        (status = 404, description = "The year is outside the calendar", body = Problem,
         content_type = "application/problem+json"),
    )
)]
pub(crate) async fn year(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<YearAnswer>, Problem> {
    let year: i32 = year
        .parse()
        .map_err(|_| Problem::invalid("year", format!("“{year}” không phải là một năm.")))?;
    Ok(Json(year_answer(&state, year)?))
}
