//! The appointment calculator (staff) and the public calendar of days off.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Choice, Layout, not_found_page, render};
use crate::AppState;
use crate::api::{YearAnswer, year_answer};
use crate::auth::{Denied, Staff};
use crate::due::{DueInput, UNITS, now};

/// The calculator's form as typed; every value is echoed back so nothing is lost on an error.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CalcForm {
    date: Option<String>,
    time: Option<String>,
    unit: Option<String>,
    amount: Option<String>,
    count_receipt_day: Option<String>,
    no_cutoff: Option<String>,
    agency: Option<String>,
}

pub(crate) struct CalcResult {
    weekday: &'static str,
    date: String,
    time: String,
    received: String,
    limit: String,
    first_day: String,
    moved: Option<&'static str>,
    official: bool,
    office_hours: String,
}

#[derive(Template)]
#[template(path = "due_calculator.html")]
struct Calculator {
    layout: Layout,
    date: String,
    time: String,
    amount: String,
    count_receipt_day: bool,
    no_cutoff: bool,
    units: Vec<Choice>,
    agencies: Vec<Choice>,
    error_received: Option<String>,
    error_amount: Option<String>,
    error_unit: Option<String>,
    error_agency: Option<String>,
    result: Option<CalcResult>,
}

pub(crate) async fn calculator(
    State(state): State<AppState>,
    staff: crate::auth::Staff,
    Query(form): Query<CalcForm>,
) -> Response {
    let submitted = form.date.is_some() || form.amount.is_some();
    let (today, minute, _) = now().to_local();
    let date = form.date.clone().unwrap_or_else(|| today.vn());
    let time = form
        .time
        .clone()
        .unwrap_or_else(|| motcua_calendar::date::format_minute(minute));
    let unit = form.unit.clone().unwrap_or_else(|| "working_days".into());
    let agency = form.agency.clone().unwrap_or_default();
    let time_state = state.time.current();
    let mut page = Calculator {
        layout: Layout::new(&state, "Tính ngày hẹn trả kết quả")
            .signed_in(&staff)
            .active("calculator"),
        date: date.clone(),
        time: time.clone(),
        amount: form.amount.clone().unwrap_or_default(),
        count_receipt_day: form.count_receipt_day.is_some(),
        no_cutoff: form.no_cutoff.is_some(),
        units: UNITS
            .iter()
            .map(|(_, code, label)| Choice {
                value: (*code).into(),
                label: (*label).into(),
                selected: *code == unit,
            })
            .collect(),
        agencies: std::iter::once(Choice {
            value: String::new(),
            label: "Giờ làm việc chung của tỉnh".into(),
            selected: agency.is_empty(),
        })
        .chain(time_state.agency_hours.keys().map(|id| Choice {
            value: id.clone(),
            label: format!("Cơ quan {id}"),
            selected: *id == agency,
        }))
        .collect(),
        error_received: None,
        error_amount: None,
        error_unit: None,
        error_agency: None,
        result: None,
    };
    if !submitted {
        return render(StatusCode::OK, page);
    }
    // The form takes the date and time as people type them; the shared check takes ISO.
    let parsed_date = motcua_calendar::Date::parse_vn(&date);
    let parsed_time = motcua_calendar::date::parse_minute_vn(&time);
    if parsed_date.is_err() || parsed_time.is_err() {
        if parsed_date.is_err() {
            page.error_received = Some(format!(
                "Ngày “{}” không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 29/04/2026.",
                date.trim()
            ));
        } else {
            page.error_received = Some(format!(
                "Giờ “{}” không hợp lệ: nhập theo dạng giờ:phút, ví dụ 16:00.",
                time.trim()
            ));
        }
        if let Err(e) = input_amount_check(&form) {
            page.error_amount = Some(e);
        }
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let received = format!(
        "{}T{}",
        parsed_date.expect("checked"),
        motcua_calendar::date::format_minute(parsed_time.expect("checked"))
    );
    let input = DueInput {
        received: Some(received),
        unit: Some(unit),
        amount: form.amount.clone(),
        count_receipt_day: Some(page.count_receipt_day.to_string()),
        cutoff: Some((!page.no_cutoff).to_string()),
        agency: form.agency.clone(),
    };
    let request = match input.check() {
        Ok(request) => request,
        Err(errors) => {
            for e in errors {
                match e.field.as_str() {
                    "received" => {
                        page.error_received = Some("Ngày hoặc giờ tiếp nhận không hợp lệ.".into())
                    }
                    "amount" => page.error_amount = Some(e.reason),
                    "unit" => page.error_unit = Some(e.reason),
                    _ => {}
                }
            }
            return render(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let rules = match time_state.rules(request.agency.as_deref()) {
        Ok(rules) => rules,
        Err(e) => {
            page.error_agency = Some(format!("Không có cơ quan mã “{}”.", e.0));
            return render(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    match rules.appointment(request.received, request.limit, request.policy) {
        Ok(a) => {
            let (due_date, due_minute, _) = a.due.to_local();
            page.result = Some(CalcResult {
                weekday: due_date.weekday().vietnamese(),
                date: due_date.vn(),
                time: motcua_calendar::date::format_minute(due_minute),
                received: request.received.vn(),
                limit: request.limit.vietnamese(),
                first_day: a.first_day.vn(),
                moved: a.moved.map(|m| m.vietnamese()),
                official: a.official,
                office_hours: rules.hours.describe(),
            });
            render(StatusCode::OK, page)
        }
        Err(e) => {
            page.error_received = Some(e.vietnamese());
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

/// The amount's own message, so a bad date does not hide a bad amount.
fn input_amount_check(form: &CalcForm) -> Result<(), String> {
    let input = DueInput {
        received: Some("2026-01-05T08:00".into()),
        unit: form.unit.clone(),
        amount: form.amount.clone(),
        ..DueInput::default()
    };
    match input.check() {
        Ok(_) => Ok(()),
        Err(errors) => errors
            .into_iter()
            .find(|e| e.field == "amount")
            .map_or(Ok(()), |e| Err(e.reason)),
    }
}

#[derive(Template)]
#[template(path = "holidays.html")]
struct Holidays {
    layout: Layout,
    year: YearAnswer,
    tet: String,
    previous: Option<i32>,
    next: Option<i32>,
}

pub(crate) async fn holidays_this_year(
    state: State<AppState>,
    staff: Result<Staff, Denied>,
) -> Response {
    holidays_of(state, staff.ok(), now().local_date().year()).await
}

pub(crate) async fn holidays(
    state: State<AppState>,
    staff: Result<Staff, Denied>,
    Path(year): Path<String>,
) -> Response {
    match year.parse::<i32>() {
        Ok(year) => holidays_of(state, staff.ok(), year).await,
        Err(_) => not_found_page(&state, &format!("/lich-nghi-le/{year}")),
    }
}

async fn holidays_of(State(state): State<AppState>, staff: Option<Staff>, year: i32) -> Response {
    let Ok(answer) = year_answer(&state, year) else {
        return not_found_page(&state, &format!("/lich-nghi-le/{year}"));
    };
    let range = state.time.current().calendar.years();
    let tet = answer
        .tet
        .as_deref()
        .and_then(|d| motcua_calendar::Date::parse(d).ok())
        .map(|d| format!("{}, {}", d.weekday().vietnamese(), d.vn()))
        .unwrap_or_default();
    render(
        StatusCode::OK,
        Holidays {
            layout: Layout::new(&state, &format!("Lịch nghỉ lễ, Tết năm {year}"))
                .maybe_signed_in(staff.as_ref())
                .active("holidays"),
            previous: (year > *range.start()).then_some(year - 1),
            next: (year < *range.end()).then_some(year + 1),
            tet,
            year: answer,
        },
    )
}
