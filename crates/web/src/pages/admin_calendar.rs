//! Entering or correcting a year's official calendar (province administrators). Each save is a
//! new version with its reason, checked by the same rules as the calendar files; the calendar in
//! force is rebuilt at once here, and within half a minute in other motcua processes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::year::Source;
use motcua_calendar::{Date, DayKind, SpecialDay, YearData};
use motcua_domain::organisation::access::Action;

use super::{Layout, not_found_page, render, require};
use crate::AppState;
use crate::auth::Staff;
use crate::problem::Problem;

pub(crate) struct Entry {
    index: usize,
    date: String,
    weekday: &'static str,
    kind: &'static str,
    reason: String,
    basis: String,
}

pub(crate) struct Version {
    version: i64,
    reason: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    official: bool,
    entries: Vec<Entry>,
    history: Vec<Version>,
    errors: Vec<String>,
    saved: Option<i64>,
    new_date: String,
    new_reason: String,
    new_basis: String,
}

fn kind_vn(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "Nghỉ lễ, Tết",
        DayKind::Compensation => "Nghỉ bù",
        DayKind::Swap => "Nghỉ hoán đổi",
        DayKind::MakeUp => "Làm bù",
    }
}

/// The year's entries in one list: days off, then make-up days.
fn entries(data: &YearData) -> Vec<SpecialDay> {
    data.days_off
        .iter()
        .chain(&data.working_days)
        .cloned()
        .collect()
}

async fn page(state: &AppState, staff: &Staff, year: i32) -> Result<Option<CalendarPage>, Problem> {
    let time = state.time.current();
    let Some(data) = time.calendar.year(year) else {
        return Ok(None);
    };
    let history = state
        .db
        .calendar_year_history(i64::from(year))
        .await?
        .into_iter()
        .map(|v| Version {
            version: v.version,
            reason: v.reason,
            by: v.created_by,
            at: motcua_calendar::Instant(v.created_at).vn(),
        })
        .collect();
    Ok(Some(CalendarPage {
        layout: Layout::new(state, &format!("Lịch năm {year}"))
            .signed_in(staff)
            .active("holidays"),
        year,
        official: data.is_official(),
        entries: entries(data)
            .into_iter()
            .enumerate()
            .map(|(index, d)| Entry {
                index,
                date: d.date.vn(),
                weekday: d.date.weekday().vietnamese(),
                kind: kind_vn(d.kind),
                reason: d.reason,
                basis: d.basis,
            })
            .collect(),
        history,
        errors: Vec::new(),
        saved: None,
        new_date: String::new(),
        new_reason: String::new(),
        new_basis: String::new(),
    }))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(year): Path<i32>,
) -> Response {
    require!(state, staff, Action::ManageCalendar);
    match page(&state, &staff, year).await {
        Ok(Some(p)) => render(StatusCode::OK, p),
        Ok(None) => not_found_page(&state, &format!("/can-bo/quan-tri/lich/{year}")),
        Err(p) => p.into_response(),
    }
}

pub(crate) async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(year): Path<i32>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    require!(state, staff, Action::ManageCalendar);
    let mut p = match page(&state, &staff, year).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found_page(&state, &format!("/can-bo/quan-tri/lich/{year}")),
        Err(p) => return p.into_response(),
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let removed: Vec<usize> = pairs
        .iter()
        .filter(|(k, _)| k == "xoa")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let change_reason = field("ly_do");
    let (new_date, new_kind, new_reason, new_basis) = (
        field("ngay"),
        field("loai"),
        field("noi_dung"),
        field("can_cu"),
    );
    p.new_date = new_date.clone();
    p.new_reason = new_reason.clone();
    p.new_basis = new_basis.clone();

    let time = state.time.current();
    let current = time
        .calendar
        .year(year)
        .expect("the page exists, so the year does");
    let mut kept: Vec<SpecialDay> = entries(current)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, d)| d)
        .collect();
    let mut errors = Vec::new();
    if change_reason.is_empty() {
        errors.push("Ghi lý do thay đổi (ví dụ số văn bản công bố lịch nghỉ).".to_string());
    }
    if !new_date.is_empty() {
        let kind = match new_kind.as_str() {
            "holiday" => Some(DayKind::Holiday),
            "compensation" => Some(DayKind::Compensation),
            "swap" => Some(DayKind::Swap),
            "make_up" => Some(DayKind::MakeUp),
            _ => None,
        };
        match (Date::parse_vn(&new_date), kind) {
            (Ok(date), Some(kind)) => kept.push(SpecialDay {
                date,
                kind,
                reason: new_reason.clone(),
                basis: new_basis.clone(),
            }),
            (Err(_), _) => errors.push(format!(
                "Ngày “{new_date}” không hợp lệ: nhập theo dạng ngày/tháng/năm."
            )),
            (_, None) => errors.push("Chọn loại ngày.".into()),
        }
    } else if removed.is_empty() {
        errors.push("Chưa có thay đổi nào: thêm một ngày hoặc chọn ngày cần bỏ.".into());
    }
    let (mut days_off, mut working_days): (Vec<SpecialDay>, Vec<SpecialDay>) =
        kept.into_iter().partition(|d| d.kind != DayKind::MakeUp);
    days_off.sort_by_key(|d| d.date);
    working_days.sort_by_key(|d| d.date);
    let data = YearData {
        year,
        source: Source::Official {
            name: format!("Quản trị viên {}", staff.user.login),
        },
        days_off,
        working_days,
    };
    if let Err(more) = data.check() {
        errors.extend(more);
    }
    if !errors.is_empty() {
        p.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, p);
    }
    let json = serde_json::to_string(&data).expect("a year serialises");
    let saved = async {
        let mut tx = state.db.begin().await?;
        let version = tx
            .save_calendar_year(i64::from(year), &json, &change_reason, &staff.user.login)
            .await?;
        let detail = format!("{{\"version\":{version}}}");
        tx.audit(&staff.audit_entry(
            "calendar_year_saved",
            "calendar_year",
            &year.to_string(),
            &detail,
        ))
        .await?;
        tx.commit().await?;
        Ok::<i64, motcua_store::StoreError>(version)
    };
    let version = match saved.await {
        Ok(v) => v,
        Err(e) => return Problem::from(e).into_response(),
    };
    if let Err(e) = state.time.reload(&state.db).await {
        tracing::error!(%e, "calendar reload after save failed");
    }
    match page(&state, &staff, year).await {
        Ok(Some(mut p)) => {
            p.saved = Some(version);
            render(StatusCode::OK, p)
        }
        Ok(None) => not_found_page(&state, "/"),
        Err(p) => p.into_response(),
    }
}
