//! Biểu 06 on screen (`/can-bo/bao-cao`): the period (an official month, quarter, half-year or
//! year, or any days), the agency (or the whole reach), the table with its level totals, and the
//! same report as XLSX or PDF.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_calendar::Date;
use motcua_domain::organisation::access::Action;
use motcua_render::reports::Line;
use serde::Deserialize;

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::Staff;
use crate::due::now;
use crate::reports::{self, Asked};

#[derive(Deserialize, Default)]
pub(crate) struct ReportQuery {
    #[serde(rename = "ky")]
    kind: Option<String>,
    #[serde(rename = "nam")]
    year: Option<String>,
    #[serde(rename = "so")]
    number: Option<String>,
    #[serde(rename = "tu")]
    from: Option<String>,
    #[serde(rename = "den")]
    to: Option<String>,
    #[serde(rename = "co-quan")]
    agency: Option<String>,
    /// `xlsx` or `pdf`: the file; none: the page.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
}

/// A line as shown: its figures formatted.
pub(crate) struct ShownLine {
    number: String,
    label: String,
    total: bool,
    cells: Vec<String>,
}

fn shown(l: &Line) -> ShownLine {
    let c = &l.counts;
    ShownLine {
        number: l.number.clone(),
        label: l.label.clone(),
        total: l.total,
        cells: [
            c.received,
            c.online,
            c.counter_post,
            c.carried,
            c.resolved,
            c.early,
            c.on_time,
            c.late,
            c.in_progress,
            c.within_time,
            c.overdue,
        ]
        .iter()
        .map(|n| motcua_domain::text::thousands(*n as i64))
        .collect(),
    }
}

#[derive(Template)]
#[template(path = "report_bieu06.html")]
struct ReportPage {
    layout: Layout,
    kinds: Vec<Choice>,
    year: String,
    number: String,
    from: String,
    to: String,
    agencies: Vec<Choice>,
    /// The query of the report shown, for its XLSX and PDF links.
    query: String,
    period: String,
    scope: String,
    on_time_rate: String,
    lines: Vec<ShownLine>,
    error: Option<String>,
}

const KINDS: [(&str, &str); 5] = [
    ("quarter", "Quý"),
    ("month", "Tháng"),
    ("half", "6 tháng"),
    ("year", "Năm"),
    ("window", "Khoảng ngày"),
];

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Response {
    let reach = require!(state, staff, Action::ReadReports);
    let today = now().local_date();
    let kind = q.kind.clone().unwrap_or_else(|| "quarter".into());
    let year_text = q.year.clone().unwrap_or_else(|| today.year().to_string());
    // The current official quarter by default: it starts on the 15th of the month before.
    let default_number = {
        let (_, m, d) = today.ymd();
        let month = if d >= 15 { m % 12 + 1 } else { m };
        (month - 1) / 3 + 1
    };
    let number_text = q
        .number
        .clone()
        .unwrap_or_else(|| default_number.to_string());
    let from_text = q.from.clone().unwrap_or_default();
    let to_text = q.to.clone().unwrap_or_default();
    let chosen = q.agency.clone().unwrap_or_default();
    let mut error = None;
    let asked = (|| {
        let parse_day = |field: &str, t: &str| -> Result<Option<Date>, crate::problem::Problem> {
            if t.trim().is_empty() {
                return Ok(None);
            }
            Date::parse_vn(t.trim()).map(Some).map_err(|_| {
                crate::problem::Problem::invalid(field, format!("“{t}” không phải ngày hợp lệ."))
            })
        };
        let year = year_text.trim().parse::<i32>().map_err(|_| {
            crate::problem::Problem::invalid("year", format!("“{year_text}” không phải năm."))
        })?;
        Ok::<_, crate::problem::Problem>(Asked {
            kind: kind.clone(),
            year: Some(year),
            number: number_text.trim().parse().ok(),
            from: parse_day("from", &from_text)?,
            to: parse_day("to", &to_text)?,
        })
    })();
    let report = match asked.and_then(|a| reports::period(&a)) {
        Ok((period, name)) => {
            reports::bieu06(
                &state,
                &reach,
                staff.user.agency_id,
                period,
                name,
                Some(chosen.as_str()),
            )
            .await
        }
        Err(p) => Err(p),
    };
    let report = match report {
        Ok(r) => Some(r),
        Err(p) => {
            error = Some(
                p.errors
                    .first()
                    .map(|e| e.reason.clone())
                    .or(p.detail.clone())
                    .unwrap_or(p.title.clone()),
            );
            None
        }
    };
    let report = match (report, q.format.as_deref()) {
        (Some(r), Some(format @ ("xlsx" | "pdf"))) => {
            return reports::answer(r, format)
                .unwrap_or_else(axum::response::IntoResponse::into_response);
        }
        (report, _) => report,
    };
    let today_text = today.to_string();
    let mut agencies = vec![Choice {
        value: String::new(),
        label: "Toàn bộ phạm vi".into(),
        selected: chosen.is_empty(),
    }];
    if let Ok(all) = state.db.agencies_as_of(&today_text).await {
        for a in all {
            if !a.identifier.is_empty() && reach.contains(Some(a.id)) {
                agencies.push(Choice {
                    selected: a.identifier == chosen,
                    value: a.identifier,
                    label: a.name,
                });
            }
        }
    }
    let query = format!(
        "ky={}&nam={}&so={}&tu={}&den={}&co-quan={}",
        crate::auth::encode_component(&kind),
        crate::auth::encode_component(&year_text),
        crate::auth::encode_component(&number_text),
        crate::auth::encode_component(&from_text),
        crate::auth::encode_component(&to_text),
        crate::auth::encode_component(&chosen)
    );
    let page = ReportPage {
        layout: Layout::new(&state, "Báo cáo kết quả giải quyết TTHC (Biểu 06)")
            .signed_in(&staff)
            .active("reports"),
        kinds: KINDS
            .iter()
            .map(|(v, l)| Choice {
                value: (*v).into(),
                label: (*l).into(),
                selected: *v == kind,
            })
            .collect(),
        year: year_text,
        number: number_text,
        from: from_text,
        to: to_text,
        agencies,
        query,
        period: report
            .as_ref()
            .map(|r| r.title.period.clone())
            .unwrap_or_default(),
        scope: report
            .as_ref()
            .map(|r| r.title.scope.clone())
            .unwrap_or_default(),
        on_time_rate: report
            .as_ref()
            .map(|r| format!("{:.1}", r.report.total().on_time_rate()).replace('.', ","))
            .unwrap_or_default(),
        lines: report
            .as_ref()
            .map(|r| r.lines.iter().map(shown).collect())
            .unwrap_or_default(),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, page)
}
