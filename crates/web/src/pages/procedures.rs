//! The public catalogue: search with facets, and a procedure's page with what a citizen needs.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::{Date, Duration};
use motcua_domain::catalogue::{Channel, Level, Online, Procedure};
use motcua_domain::search;
use motcua_store::FormFile;
use serde::Deserialize;
use std::collections::BTreeMap;

use super::{Layout, not_found_page, render};
use crate::AppState;
use crate::auth::{Denied, Staff};
use crate::due::now;
use crate::problem::Problem;

#[derive(Deserialize, Default)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "linh-vuc")]
    sector: Option<String>,
    #[serde(rename = "cap")]
    level: Option<String>,
    #[serde(rename = "truc-tuyen")]
    online: Option<String>,
    #[serde(rename = "co-quan")]
    agency: Option<String>,
}

pub(crate) struct Facet {
    label: String,
    count: usize,
    href: String,
    chosen: bool,
}

pub(crate) struct Line {
    code: String,
    name: String,
    sector: String,
    level: &'static str,
    online: bool,
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    total: usize,
    lines: Vec<Line>,
    sectors: Vec<Facet>,
    levels: Vec<Facet>,
    online: Vec<Facet>,
    agencies: Vec<Facet>,
    ignored: String,
    filtered: bool,
}

fn level_of(code: &str) -> Option<Level> {
    match code {
        "tinh" => Some(Level::Province),
        "xa" => Some(Level::Commune),
        _ => None,
    }
}

fn online_of(code: &str) -> Option<Online> {
    match code {
        "toan-trinh" => Some(Online::Full),
        "mot-phan" => Some(Online::Partial),
        _ => None,
    }
}

/// A link to the same search with one facet set (or cleared when it is the chosen one).
fn href(q: &SearchQuery, key: &str, value: &str) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let text = q.q.clone().unwrap_or_default();
    if !text.is_empty() {
        pairs.push(("q", text));
    }
    for (k, current) in [
        ("linh-vuc", &q.sector),
        ("cap", &q.level),
        ("truc-tuyen", &q.online),
        ("co-quan", &q.agency),
    ] {
        let v = if k == key {
            if current.as_deref() == Some(value) {
                None
            } else {
                Some(value.to_string())
            }
        } else {
            current.clone().filter(|c| !c.is_empty())
        };
        if let Some(v) = v {
            pairs.push((k, v));
        }
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::auth::encode_component(v)))
        .collect();
    format!("/thu-tuc?{}", query.join("&"))
}

pub(crate) async fn search(
    State(state): State<AppState>,
    staff: Result<Staff, Denied>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let today = now().local_date().to_string();
    let loaded = match state.catalogue.current(&state.db, &today).await {
        Ok(l) => l,
        Err(e) => return Problem::from(e).into_response(),
    };
    // A pasted page is not a question: only its beginning is read.
    let text: String = q.q.clone().unwrap_or_default().chars().take(500).collect();
    let hits = loaded.index.search(&search::Query {
        text: &text,
        sector: q.sector.as_deref().filter(|s| !s.is_empty()),
        level: q.level.as_deref().and_then(level_of),
        online: q.online.as_deref().and_then(online_of),
        agency: q.agency.as_deref().filter(|s| !s.is_empty()),
    });
    let total = hits.entries.len();
    let lines = hits
        .entries
        .iter()
        .take(200)
        .map(|e| Line {
            code: e.code.clone(),
            name: e.name.clone(),
            sector: loaded.sectors.get(&e.sector).cloned().unwrap_or_default(),
            level: e.level.vietnamese(),
            online: e.online == Online::Full,
        })
        .collect();
    let facet =
        |key: &str, value: &str, label: String, count: usize, current: &Option<String>| Facet {
            label,
            count,
            href: href(&q, key, value),
            chosen: current.as_deref() == Some(value),
        };
    let sectors = hits
        .facets
        .sectors
        .iter()
        .map(|(code, n)| {
            facet(
                "linh-vuc",
                code,
                loaded
                    .sectors
                    .get(code)
                    .cloned()
                    .unwrap_or_else(|| code.clone()),
                *n,
                &q.sector,
            )
        })
        .collect();
    let levels = [
        ("province", "tinh", "Cấp tỉnh"),
        ("commune", "xa", "Cấp xã"),
    ]
    .iter()
    .filter_map(|(k, v, label)| {
        hits.facets
            .levels
            .get(k)
            .map(|n| facet("cap", v, (*label).into(), *n, &q.level))
    })
    .collect();
    let online = [
        ("full", "toan-trinh", "Trực tuyến toàn trình"),
        ("partial", "mot-phan", "Trực tuyến một phần"),
    ]
    .iter()
    .filter_map(|(k, v, label)| {
        hits.facets
            .online
            .get(k)
            .map(|n| facet("truc-tuyen", v, (*label).into(), *n, &q.online))
    })
    .collect();
    // The agencies that carry out most of what was found come first.
    let mut by_count: Vec<(&String, &usize)> = hits.facets.agencies.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1));
    let agencies = by_count
        .into_iter()
        .map(|(id, n)| {
            let name = loaded
                .agencies
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.clone());
            facet("co-quan", id, name, *n, &q.agency)
        })
        .collect();
    render(
        StatusCode::OK,
        SearchPage {
            layout: Layout::new(&state, "Thủ tục hành chính")
                .maybe_signed_in(staff.ok().as_ref())
                .active("procedures"),
            q: text,
            total,
            lines,
            sectors,
            levels,
            online,
            agencies,
            ignored: hits.ignored.join(", "),
            filtered: [&q.sector, &q.level, &q.online, &q.agency]
                .iter()
                .any(|f| f.as_deref().is_some_and(|v| !v.is_empty())),
        },
    )
}

pub(crate) struct MethodLine {
    pub channel: &'static str,
    pub time: String,
    pub fee: String,
    pub note: String,
    pub description: String,
}

/// Everything a procedure's page shows, for the public page and for a controller's preview.
pub(crate) struct ProcedureView {
    pub p: Procedure,
    pub sector: String,
    pub level: &'static str,
    pub methods: Vec<MethodLine>,
    pub implementing: String,
    pub competent: String,
    pub published: String,
    /// The day the version shown took effect, and its number.
    pub updated: String,
    pub version: i64,
    /// The appointment if received complete now, by the counter method's limit, e.g.
    /// "Thứ Tư, 06/05/2026 lúc 17:00".
    pub due_now: Option<String>,
    /// Template files of the forms, by form name: (file name, download address).
    pub forms: BTreeMap<String, (String, String)>,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    layout: Layout,
    v: ProcedureView,
    /// The online submission form, for a procedure that takes dossiers online.
    online: Option<String>,
}

fn money(fee: i64) -> String {
    if fee == 0 {
        return "Không thu".into();
    }
    format!("{} đồng", motcua_domain::text::thousands(fee))
}

/// The view of `p`: agencies named from `agencies` (identifier → name), the appointment if
/// received now by the implementing agency's hours.
pub(crate) fn view(
    state: &AppState,
    p: &Procedure,
    sector: String,
    agencies: &BTreeMap<String, String>,
    version: i64,
    updated: String,
    forms: &[FormFile],
) -> ProcedureView {
    // A citizen reads "the commune committee where you live", not every commune's committee.
    let agency = |id: &str| {
        if id == "commune" {
            "Ủy ban nhân dân cấp xã nơi cư trú".to_string()
        } else {
            agencies.get(id).cloned().unwrap_or_else(|| id.to_string())
        }
    };
    let methods = p
        .methods
        .iter()
        .map(|m| MethodLine {
            channel: match m.channel {
                Channel::Counter => "Trực tiếp",
                Channel::Online => "Trực tuyến",
                Channel::Post => "Qua bưu chính công ích",
            },
            time: if m.unit == motcua_calendar::Unit::SameDay {
                "Trong ngày".into()
            } else {
                Duration::parse(m.unit, &m.amount)
                    .map(|d| d.vietnamese())
                    .unwrap_or_else(|_| m.amount.clone())
            },
            fee: money(m.fee),
            note: m.fee_note.clone(),
            description: m.description.clone(),
        })
        .collect();
    let due_now = p.legal_time().and_then(|limit| {
        let time = state.time.current();
        let rules = time
            .rules(Some(&p.implementing_agency))
            .or_else(|_| time.rules(None))
            .ok()?;
        let a = rules.appointment(now(), limit, p.counting).ok()?;
        let (date, minute, _) = a.due.to_local();
        Some(format!(
            "{}, {} lúc {}",
            date.weekday().vietnamese(),
            date.vn(),
            motcua_calendar::date::format_minute(minute)
        ))
    });
    ProcedureView {
        due_now,
        sector,
        level: p.level.vietnamese(),
        methods,
        implementing: agency(&p.implementing_agency),
        competent: agency(&p.competent_agency),
        published: Date::parse(&p.publication.date)
            .map(|d| d.vn())
            .unwrap_or_default(),
        updated,
        version,
        forms: forms
            .iter()
            .map(|f| {
                (
                    f.form.clone(),
                    (
                        f.file_name.clone(),
                        format!(
                            "/thu-tuc/{}/mau/{}",
                            crate::auth::encode_component(&f.procedure_code),
                            f.sha256
                        ),
                    ),
                )
            })
            .collect(),
        p: p.clone(),
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Result<Staff, Denied>,
    Path(code): Path<String>,
) -> Response {
    let today = now().local_date().to_string();
    let loaded = match state.catalogue.current(&state.db, &today).await {
        Ok(l) => l,
        Err(e) => return Problem::from(e).into_response(),
    };
    let Some(in_force) = loaded.procedures.get(&code) else {
        return not_found_page(&state, &format!("/thu-tuc/{code}"));
    };
    let p = &in_force.procedure;
    let forms = loaded.forms.get(&code).map_or(&[][..], Vec::as_slice);
    let v = view(
        &state,
        p,
        loaded.sectors.get(&p.sector).cloned().unwrap_or_default(),
        &loaded.agencies,
        in_force.version,
        in_force.since.vn(),
        forms,
    );
    render(
        StatusCode::OK,
        ProcedurePage {
            layout: Layout::new(&state, &p.name)
                .maybe_signed_in(staff.ok().as_ref())
                .active("procedures"),
            online: super::online::offered_online(p).then(|| super::online::submission_url(&code)),
            v,
        },
    )
}

/// A form's template file, as a download: never shown inline, whatever its type.
pub(crate) async fn form_file(
    State(state): State<AppState>,
    Path((code, sha256)): Path<(String, String)>,
) -> Response {
    let offered = match state.db.form_files(&code).await {
        Ok(files) => files.into_iter().find(|f| f.sha256 == sha256),
        Err(e) => return Problem::from(e).into_response(),
    };
    let Some(file) = offered else {
        return not_found_page(&state, &format!("/thu-tuc/{code}/mau/{sha256}"));
    };
    match state.files.get(&file.sha256) {
        Ok(bytes) => crate::download::attachment(&file.file_name, &file.media_type, bytes),
        Err(e) => {
            tracing::error!(%e, "a form file is missing from the file store");
            not_found_page(&state, &format!("/thu-tuc/{code}/mau/{sha256}"))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fees_read_as_vietnamese_money() {
        assert_eq!(super::money(0), "Không thu");
        assert_eq!(super::money(8000), "8.000 đồng");
        assert_eq!(super::money(1250000), "1.250.000 đồng");
    }
}
