//! The organisation as of any date: administrative units and agencies with their identifiers.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::Date;
use motcua_domain::organisation::{AgencyKind, UnitKind};
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::auth::Staff;
use crate::due::now;

#[derive(Deserialize)]
pub(crate) struct AsOf {
    ngay: Option<String>,
}

pub(crate) struct UnitLine {
    code: String,
    name: String,
    kind: &'static str,
    parent: String,
    period: String,
}

pub(crate) struct AgencyLine {
    identifier: String,
    name: String,
    kind: &'static str,
    unit: String,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    layout: Layout,
    date: String,
    error: Option<String>,
    units: Vec<UnitLine>,
    agencies: Vec<AgencyLine>,
}

fn period(from: &str, until: Option<&str>) -> String {
    let show = |d: &str| {
        Date::parse(d)
            .map(|d| d.vn())
            .unwrap_or_else(|_| d.to_string())
    };
    match until {
        Some(u) => format!(
            "{} – {}",
            show(from),
            show(
                &Date::parse(u)
                    .map(|d| d.add_days(-1).to_string())
                    .unwrap_or_default()
            )
        ),
        None => format!("từ {}", show(from)),
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AsOf>,
) -> Response {
    let typed = q.ngay.unwrap_or_default();
    let (date, error) = if typed.trim().is_empty() {
        (now().local_date(), None)
    } else {
        match Date::parse_vn(&typed) {
            Ok(d) => (d, None),
            Err(_) => (
                now().local_date(),
                Some(format!(
                    "Ngày “{}” không hợp lệ: nhập theo dạng ngày/tháng/năm.",
                    typed.trim()
                )),
            ),
        }
    };
    let iso = date.to_string();
    let (mut units, mut agencies) = match (
        state.db.units_as_of(&iso).await,
        state.db.agencies_as_of(&iso).await,
    ) {
        (Ok(u), Ok(a)) => (u, a),
        (Err(e), _) | (_, Err(e)) => return crate::problem::Problem::from(e).into_response(),
    };
    // Codes and identifiers read left to right from the most general part: their order is the
    // hierarchy's.
    units.sort_by(|a, b| a.code.cmp(&b.code));
    agencies.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    let unit_name = |id: Option<i64>| {
        id.and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let unit_lines = units
        .iter()
        .map(|u| UnitLine {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: UnitKind::from_code(&u.kind).map_or("", UnitKind::vietnamese),
            parent: unit_name(u.parent_id),
            period: period(&u.valid_from, u.valid_until.as_deref()),
        })
        .collect();
    let agency_lines = agencies
        .iter()
        .map(|a| AgencyLine {
            identifier: a.identifier.clone(),
            name: a.name.clone(),
            kind: AgencyKind::from_code(&a.kind).map_or("", AgencyKind::vietnamese),
            unit: unit_name(Some(a.unit_id)),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        OrganisationPage {
            layout: Layout::new(&state, "Tổ chức bộ máy")
                .signed_in(&staff)
                .active("organisation"),
            date: if error.is_some() {
                typed.trim().to_string()
            } else {
                date.vn()
            },
            error,
            units: unit_lines,
            agencies: agency_lines,
        },
    )
}
