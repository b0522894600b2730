//! The reports on screen: Biểu 06 (`/can-bo/bao-cao`) and the late dossiers behind it
//! (`/can-bo/bao-cao/tre-han`). Both take the same form: the period (an official month, quarter,
//! half-year or year, or any days) and which dossiers of the reach (those an agency decides, a
//! desk received or a unit's agencies handle); both offer the same
//! report as XLSX or PDF.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::{Date, Instant};
use motcua_domain::organisation::access::{Action, Reach};
use motcua_render::reports::{LateGroup, Line};
use serde::Deserialize;

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::{Staff, encode_component};
use crate::due::now;
use crate::problem::Problem;
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
    #[serde(rename = "mot-cua")]
    desk: Option<String>,
    #[serde(rename = "dia-ban")]
    unit: Option<String>,
    /// `xlsx` or `pdf`: the file; none: the page.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
}

impl ReportQuery {
    /// Which dossiers of the reach were chosen.
    pub(super) fn within(&self) -> reports::Within<'_> {
        reports::Within {
            agency: self.agency.as_deref(),
            desk: self.desk.as_deref(),
            unit: self.unit.as_deref(),
        }
    }

    pub(super) fn format(&self) -> Option<&str> {
        self.format.as_deref()
    }
}

const KINDS: [(&str, &str); 5] = [
    ("quarter", "Quý"),
    ("month", "Tháng"),
    ("half", "6 tháng"),
    ("year", "Năm"),
    ("window", "Khoảng ngày"),
];

/// The form as typed (kept on screen), and the query that shows the same report again.
pub(crate) struct ReportForm {
    pub(super) kinds: Vec<Choice>,
    pub(super) year: String,
    pub(super) number: String,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) agencies: Vec<Choice>,
    pub(super) desks: Vec<Choice>,
    pub(super) units: Vec<Choice>,
    pub(super) query: String,
}

/// The form's values (the current official quarter by default) and the period they ask for.
pub(super) async fn form(
    state: &AppState,
    reach: &Reach,
    q: &ReportQuery,
) -> (
    ReportForm,
    Result<(motcua_domain::report::Period, String), Problem>,
) {
    let today = now().local_date();
    let kind = q.kind.clone().unwrap_or_else(|| "quarter".into());
    let year = q.year.clone().unwrap_or_else(|| today.year().to_string());
    // An official quarter starts on the 15th of the month before its first.
    let default_number = {
        let (_, m, d) = today.ymd();
        let month = if d >= 15 { m % 12 + 1 } else { m };
        (month - 1) / 3 + 1
    };
    let number = q
        .number
        .clone()
        .unwrap_or_else(|| default_number.to_string());
    let from = q.from.clone().unwrap_or_default();
    let to = q.to.clone().unwrap_or_default();
    let chosen = q.agency.clone().unwrap_or_default();
    let day = |field: &str, t: &str| -> Result<Option<Date>, Problem> {
        if t.trim().is_empty() {
            return Ok(None);
        }
        Date::parse_vn(t.trim())
            .map(Some)
            .map_err(|_| Problem::invalid(field, format!("“{t}” không phải ngày hợp lệ.")))
    };
    let asked = (|| {
        let y = year
            .trim()
            .parse::<i32>()
            .map_err(|_| Problem::invalid("year", format!("“{year}” không phải năm.")))?;
        reports::period(&Asked {
            kind: kind.clone(),
            year: Some(y),
            number: number.trim().parse().ok(),
            from: day("from", &from)?,
            to: day("to", &to)?,
        })
    })();
    let chosen_desk = q.desk.clone().unwrap_or_default();
    let chosen_unit = q.unit.clone().unwrap_or_default();
    let any = |chosen: &str| Choice {
        value: String::new(),
        label: "Toàn bộ phạm vi".into(),
        selected: chosen.is_empty(),
    };
    let (mut agencies, mut desks, mut units) = (
        vec![any(&chosen)],
        vec![any(&chosen_desk)],
        vec![any(&chosen_unit)],
    );
    let all = state
        .db
        .agencies_as_of(&today.to_string())
        .await
        .unwrap_or_default();
    let with_desk: Vec<i64> = state
        .db
        .desks()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(d, _)| d.agency_id)
        .collect();
    for a in all {
        if a.identifier.is_empty() || !reach.contains(Some(a.id)) {
            continue;
        }
        if with_desk.contains(&a.id) {
            desks.push(Choice {
                selected: a.identifier == chosen_desk,
                value: a.identifier.clone(),
                label: a.name.clone(),
            });
        }
        agencies.push(Choice {
            selected: a.identifier == chosen,
            value: a.identifier,
            label: a.name,
        });
    }
    for u in state
        .db
        .units_as_of(&today.to_string())
        .await
        .unwrap_or_default()
    {
        units.push(Choice {
            selected: u.code == chosen_unit,
            value: u.code,
            label: u.name,
        });
    }
    let query = [
        ("ky", &kind),
        ("nam", &year),
        ("so", &number),
        ("tu", &from),
        ("den", &to),
        ("co-quan", &chosen),
        ("mot-cua", &chosen_desk),
        ("dia-ban", &chosen_unit),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", encode_component(v)))
    .collect::<Vec<_>>()
    .join("&");
    let form = ReportForm {
        kinds: KINDS
            .iter()
            .map(|(v, l)| Choice {
                value: (*v).into(),
                label: (*l).into(),
                selected: *v == kind,
            })
            .collect(),
        year,
        number,
        from,
        to,
        agencies,
        desks,
        units,
        query,
    };
    (form, asked)
}

/// A problem's first reason, for the page.
pub(super) fn reason(p: &Problem) -> String {
    p.errors
        .first()
        .map(|e| e.reason.clone())
        .or(p.detail.clone())
        .unwrap_or(p.title.clone())
}

pub(super) fn status(error: &Option<String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
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
        cells: c
            .values()
            .iter()
            .map(|n| motcua_domain::text::thousands(*n as i64))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "report_bieu06.html")]
struct Bieu06Page {
    layout: Layout,
    form: ReportForm,
    title: String,
    on_time_rate: String,
    lines: Vec<ShownLine>,
    /// Decision 766 indicators: name, formula, ratio, points.
    indicators: Vec<(&'static str, &'static str, String, String)>,
    error: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Response {
    let reach = require!(state, staff, Action::ReadReports);
    let (form, asked) = form(&state, &reach, &q).await;
    let report = match asked {
        Ok((period, period_name)) => {
            let request = reports::Request {
                reach: &reach,
                own_agency: staff.user.agency_id,
                period,
                period_name,
                within: q.within(),
            };
            reports::bieu06(&state, &request).await
        }
        Err(p) => Err(p),
    };
    if let (Ok(r), Some(format @ ("xlsx" | "pdf"))) = (&report, q.format.as_deref()) {
        return reports::bieu06_file(r, format).unwrap_or_else(IntoResponse::into_response);
    }
    let error = report.as_ref().err().map(reason);
    let page = Bieu06Page {
        layout: Layout::new(&state, "Báo cáo kết quả giải quyết TTHC (Biểu 06)")
            .signed_in(&staff)
            .active("reports"),
        form,
        title: report
            .as_ref()
            .map(|r| format!("{} — {}", r.title.scope, r.title.period))
            .unwrap_or_default(),
        on_time_rate: report
            .as_ref()
            .map(|r| format!("{:.1}", r.report.total().on_time_rate()).replace('.', ","))
            .unwrap_or_default(),
        lines: report
            .as_ref()
            .map(|r| r.lines.iter().map(shown).collect())
            .unwrap_or_default(),
        indicators: report
            .as_ref()
            .map(|r| {
                motcua_domain::report::indicators(&r.report.total())
                    .into_iter()
                    .map(|i| {
                        (
                            i.name,
                            i.formula,
                            format!("{:.1}%", i.ratio).replace('.', ","),
                            i.points
                                .map(|(p, max)| format!("{:.1}/{max:.0} điểm", p).replace('.', ","))
                                .unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        error,
    };
    render(status(&page.error), page)
}

/// A late dossier as shown.
pub(crate) struct ShownLate {
    code: String,
    href: String,
    procedure: String,
    step: String,
    officer: String,
    due: String,
    finished: String,
    days: i64,
    apology: bool,
}

pub(crate) struct ShownGroup {
    name: String,
    lines: Vec<ShownLate>,
}

#[derive(Template)]
#[template(path = "report_late.html")]
struct LatePage {
    layout: Layout,
    form: ReportForm,
    title: String,
    count: usize,
    groups: Vec<ShownGroup>,
    error: Option<String>,
}

pub(crate) async fn late(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Response {
    let reach = require!(state, staff, Action::ReadReports);
    let (form, asked) = form(&state, &reach, &q).await;
    let result = match asked {
        Ok((period, period_name)) => {
            let request = reports::Request {
                reach: &reach,
                own_agency: staff.user.agency_id,
                period,
                period_name,
                within: q.within(),
            };
            reports::late(&state, &request)
                .await
                .map(|(title, groups)| (period, title, groups))
        }
        Err(p) => Err(p),
    };
    if let (Ok((period, title, groups)), Some(format @ ("xlsx" | "pdf"))) =
        (&result, q.format.as_deref())
    {
        return reports::late_file(*period, title, groups, format)
            .unwrap_or_else(IntoResponse::into_response);
    }
    let error = result.as_ref().err().map(reason);
    let groups: Vec<ShownGroup> = result
        .as_ref()
        .map(|(_, _, groups)| groups.iter().map(shown_group).collect())
        .unwrap_or_default();
    let page = LatePage {
        layout: Layout::new(&state, "Hồ sơ trễ hạn")
            .signed_in(&staff)
            .active("reports"),
        form,
        title: result
            .as_ref()
            .map(|(_, t, _)| format!("{} — {}", t.scope, t.period))
            .unwrap_or_default(),
        count: groups.iter().map(|g| g.lines.len()).sum(),
        groups,
        error,
    };
    render(status(&page.error), page)
}

fn shown_group(g: &LateGroup) -> ShownGroup {
    ShownGroup {
        name: format!("{} — {}", g.sector, g.agency),
        lines: g
            .lines
            .iter()
            .map(|l| ShownLate {
                code: l.code.clone(),
                href: super::dossiers::page_url(&l.code),
                procedure: l.procedure.clone(),
                step: l.step.clone(),
                officer: l.officer.clone(),
                due: Instant(l.due).vn(),
                finished: l.finished.map(|t| Instant(t).vn()).unwrap_or_default(),
                days: l.working_days_late,
                apology: l.apology,
            })
            .collect(),
    }
}
