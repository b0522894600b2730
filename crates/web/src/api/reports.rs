//! Reports as JSON, XLSX or PDF.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use motcua_calendar::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Denied, Person};
use crate::problem::Problem;
use crate::reports::{self, Asked};
use motcua_domain::organisation::access::{Action, Reach};
use motcua_domain::report::Period;

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ReportQuery {
    /// `month`, `quarter`, `half`, `year` (the official periods of Decree 09/2019, from the 15th)
    /// or `window` (any days, with `from` and `to`).
    period: Option<String>,
    year: Option<i32>,
    /// The month (1–12), quarter (1–4) or half (1–2).
    number: Option<u32>,
    /// YYYY-MM-DD, for a window.
    from: Option<String>,
    to: Option<String>,
    /// An agency's identifier: only the dossiers it decides.
    agency: Option<String>,
    /// An agency's identifier: only the dossiers its one-stop desk received.
    desk: Option<String>,
    /// An administrative unit's code: only the dossiers that the agencies of it, or of the units
    /// below it, decide or received.
    unit: Option<String>,
    /// `json` (default), `xlsx` or `pdf`.
    format: Option<String>,
}

impl ReportQuery {
    fn within(&self) -> reports::Within<'_> {
        reports::Within {
            agency: self.agency.as_deref(),
            desk: self.desk.as_deref(),
            unit: self.unit.as_deref(),
        }
    }
}

/// A line of Biểu 06: a level's total, a sector, or the grand total.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Bieu06Line {
    number: String,
    label: String,
    total: bool,
    /// Columns (3) to (13).
    received: u64,
    online: u64,
    counter_post: u64,
    carried: u64,
    resolved: u64,
    early: u64,
    on_time: u64,
    late: u64,
    in_progress: u64,
    within_time: u64,
    overdue: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Bieu06View {
    /// First and last day, YYYY-MM-DD.
    from: String,
    to: String,
    period: String,
    scope: String,
    lines: Vec<Bieu06Line>,
    /// The Decision 766 indicators the figures give, each with its formula.
    indicators: Vec<IndicatorView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IndicatorView {
    name: String,
    formula: String,
    /// Per cent.
    ratio: f64,
    /// Points scored, where the decision gives them.
    points: Option<f64>,
    max_points: Option<f64>,
}

fn date(field: &str, text: Option<&str>) -> Result<Option<Date>, Problem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Date::parse(t)
            .map(Some)
            .map_err(|_| Problem::invalid(field, format!("“{t}” không phải ngày YYYY-MM-DD."))),
    }
}

/// The reader (staff who read reports), the period and the format asked for, or the response
/// that refuses them.
async fn asked(
    state: &AppState,
    who: Result<Person, Denied>,
    q: &ReportQuery,
) -> Result<(Reach, Option<i64>, Period, String, String), Response> {
    let staff = match who {
        Ok(Person::Staff(s)) => s,
        Ok(Person::Applicant(_)) => {
            return Err(Problem::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                "Không có quyền",
            )
            .detail("Báo cáo chỉ dành cho cán bộ.")
            .into_response());
        }
        Err(d) => return Err(d.into_response()),
    };
    let reach = staff
        .reach(state, Action::ReadReports, true)
        .await
        .map_err(IntoResponse::into_response)?;
    let parsed = (|| {
        let asked = Asked {
            kind: q.period.clone().unwrap_or_default(),
            year: q.year,
            number: q.number,
            from: date("from", q.from.as_deref())?,
            to: date("to", q.to.as_deref())?,
        };
        let format = q.format.clone().unwrap_or_else(|| "json".into());
        if !matches!(format.as_str(), "json" | "xlsx" | "pdf") {
            return Err(Problem::invalid(
                "format",
                format!("“{format}”: chọn json, xlsx hoặc pdf."),
            ));
        }
        let (period, name) = reports::period(&asked)?;
        Ok((period, name, format))
    })();
    let (period, name, format) = parsed.map_err(IntoResponse::into_response)?;
    Ok((reach, staff.user.agency_id, period, name, format))
}

/// Biểu 06/VPCP/KSTT: the results of handling dossiers over a period, by level and sector,
/// within the reader's reach (or one agency of it). Every line keeps (3) = (4)+(5)+(6),
/// (3) = (7)+(11), (7) = (8)+(9)+(10), (11) = (12)+(13).
#[utoipa::path(
    get,
    path = "/api/v1/reports/bieu-06",
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The report (JSON, or the XLSX or PDF file)", body = Bieu06View),
        (status = 403, description = "The reader's roles do not read reports", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown period, a reversed or malformed window, an agency, desk or unit outside the reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn bieu06(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let (reach, own_agency, period, period_name, format) = match asked(&state, who, &q).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let request = reports::Request {
        reach: &reach,
        own_agency,
        period,
        period_name,
        within: q.within(),
    };
    let result = match reports::bieu06(&state, &request).await {
        Ok(r) if format == "json" => Ok(Json(view(&r)).into_response()),
        Ok(r) => reports::bieu06_file(&r, &format),
        Err(p) => Err(p),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// A late dossier, where its time was lost.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LateView {
    code: String,
    procedure: String,
    sector: String,
    agency: String,
    step: String,
    officer: String,
    due: String,
    /// When it was decided, if it was within the period.
    finished: Option<String>,
    working_days_late: i64,
    apology: bool,
}

/// The late dossiers of a period: decided late within it or open past their due day at its end,
/// by sector (land first) and agency, with the step and officer where the time was lost, the
/// working days late and whether an apology was sent. At most 5,000.
#[utoipa::path(
    get,
    path = "/api/v1/reports/late",
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The late dossiers (JSON, or the XLSX or PDF file)", body = Vec<LateView>),
        (status = 403, description = "The reader's roles do not read reports", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown period, a reversed or malformed window, an agency, desk or unit outside the reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn late(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let (reach, own_agency, period, period_name, format) = match asked(&state, who, &q).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let request = reports::Request {
        reach: &reach,
        own_agency,
        period,
        period_name,
        within: q.within(),
    };
    let result = match reports::late(&state, &request).await {
        Ok((_, groups)) if format == "json" => Ok(Json(
            groups
                .iter()
                .flat_map(|g| {
                    g.lines.iter().map(|l| LateView {
                        code: l.code.clone(),
                        procedure: l.procedure.clone(),
                        sector: g.sector.clone(),
                        agency: l.agency.clone(),
                        step: l.step.clone(),
                        officer: l.officer.clone(),
                        due: crate::dossiers::rfc3339(l.due),
                        finished: l.finished.map(crate::dossiers::rfc3339),
                        working_days_late: l.working_days_late,
                        apology: l.apology,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response()),
        Ok((title, groups)) => reports::late_file(period, &title, &groups, &format),
        Err(p) => Err(p),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

pub(crate) fn view(r: &reports::Report) -> Bieu06View {
    Bieu06View {
        from: r.report.period.from.to_string(),
        to: r.report.period.to.to_string(),
        period: r.title.period.clone(),
        scope: r.title.scope.clone(),
        lines: r
            .lines
            .iter()
            .map(|l| {
                let c = &l.counts;
                Bieu06Line {
                    number: l.number.clone(),
                    label: l.label.clone(),
                    total: l.total,
                    received: c.received,
                    online: c.online,
                    counter_post: c.counter_post,
                    carried: c.carried,
                    resolved: c.resolved,
                    early: c.early,
                    on_time: c.on_time,
                    late: c.late,
                    in_progress: c.in_progress,
                    within_time: c.within_time,
                    overdue: c.overdue,
                }
            })
            .collect(),
        indicators: motcua_domain::report::indicators(&r.report.total())
            .into_iter()
            .map(|i| IndicatorView {
                name: i.name.into(),
                formula: i.formula.into(),
                ratio: i.ratio,
                points: i.points.map(|p| p.0),
                max_points: i.points.map(|p| p.1),
            })
            .collect(),
    }
}
