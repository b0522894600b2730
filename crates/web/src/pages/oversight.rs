//! The leader's view (theo dõi): every open dossier within the leader's reach that is overdue or
//! due within a working day, worst first, with where each is stuck (the agency and workflow step
//! it is at, the officer holding it) and how many working days it is over or has left; counts per
//! agency at the top.
//!
//! It reads what the work queue reads: the same store list (`Db::dossiers`, filtered by the
//! reach in the query, soonest due first) and the same due classification ([`standing`]), so a
//! dossier is overdue here exactly when the queue marks it so.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::Instant;
use motcua_domain::organisation::access::Action;
use motcua_store::DossierFilter;
use serde::Deserialize;

use super::dossiers::{
    OPEN, current_step, days_over, page_url, pinned_versions, role_name, standing,
};
use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::{Staff, encode_component};
use crate::dossiers;
use crate::due::now;
use crate::problem::Problem;

/// The most rows read from the store for one view (the counts cover them all).
const MOST_READ: usize = 20_000;
/// The most rows shown at once; the counts and the agency filter reach the rest.
pub(crate) const MOST_SHOWN: usize = 300;
/// One page of the store's list.
const PAGE: i64 = 500;

#[derive(Deserialize, Default)]
pub(crate) struct OversightQuery {
    /// An agency's id: only dossiers stuck there.
    #[serde(rename = "co-quan")]
    agency: Option<String>,
    /// `qua-han` (overdue only), `sap-den-han` (due soon only), or both.
    #[serde(rename = "loc")]
    view: Option<String>,
}

/// One dossier and where it is stuck.
pub(crate) struct StuckLine {
    code: String,
    href: String,
    procedure: String,
    agency: String,
    step: String,
    holder: String,
    due: String,
    overdue: bool,
    label: &'static str,
    tone: &'static str,
    /// Working days over (overdue) or left (due soon).
    days: i64,
}

/// An agency's line of the counts.
pub(crate) struct AgencyCount {
    id: i64,
    name: String,
    overdue: usize,
    due_soon: usize,
    href: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "oversight.html")]
struct OversightPage {
    layout: Layout,
    at: String,
    overdue: usize,
    due_soon: usize,
    counts: Vec<AgencyCount>,
    agencies: Vec<Choice>,
    views: Vec<Choice>,
    lines: Vec<StuckLine>,
    /// How many rows the filters keep, of which `lines` shows the first [`MOST_SHOWN`].
    matching: usize,
    error_agency: Option<String>,
    /// The store held more than [`MOST_READ`] such dossiers: the counts are of the worst.
    truncated: bool,
}

/// A found dossier before the filters of the page.
struct Found {
    agency_id: i64,
    line: StuckLine,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<OversightQuery>,
) -> Response {
    let reach = require!(state, staff, Action::OverseeDossiers);
    let result: Result<OversightPage, Problem> = async {
        let at = now();
        let today = at.local_date();
        let time = state.time.current();
        // Everything due before the start of the second working day from today is a candidate;
        // `standing` then decides, as on the queue, which are overdue or due soon.
        let horizon = time
            .calendar
            .working_after(today)
            .and_then(|d| time.calendar.working_after(d))
            .unwrap_or_else(|_| today.add_days(31));
        let mut filter = DossierFilter {
            agencies: reach.filter(),
            stages: OPEN.iter().map(|s| s.code().into()).collect(),
            due_before: Some(Instant::from_local(horizon, 0).0),
            limit: PAGE,
            ..Default::default()
        };
        let mut rows = Vec::new();
        let mut truncated = false;
        loop {
            let page = state.db.dossiers(&filter).await?;
            let full = page.len() as i64 == PAGE;
            filter.after = page.last().map(|r| (r.due_at.unwrap_or(i64::MAX), r.id));
            rows.extend(page);
            if !full {
                break;
            }
            if rows.len() >= MOST_READ {
                truncated = true;
                break;
            }
        }
        let versions = pinned_versions(&state, &rows).await;
        let agencies = state.db.agencies_as_of(&today.to_string()).await?;
        let names: BTreeMap<i64, &str> = agencies.iter().map(|a| (a.id, a.name.as_str())).collect();
        let by_identifier: BTreeMap<&str, i64> = agencies
            .iter()
            .filter(|a| !a.identifier.is_empty())
            .map(|a| (a.identifier.as_str(), a.id))
            .collect();
        let catalogue = state.catalogue.current(&state.db, &today.to_string()).await?;
        let mut holders: BTreeMap<String, String> = BTreeMap::new();
        let mut found = Vec::new();
        for row in rows {
            let d = dossiers::unpack(row)?;
            let Some(standing) = standing(&state, &d.row, d.dossier.paused_since.is_some()) else {
                continue;
            };
            let overdue = match standing.tone {
                "late" => true,
                "warn" => false,
                _ => continue,
            };
            let step = current_step(&versions, &d);
            // Stuck at the step's agency; a commune step, or one naming no agency known today,
            // is the deciding agency's.
            let agency_id = step
                .and_then(|s| by_identifier.get(s.agency.as_str()).copied())
                .unwrap_or(d.row.deciding_agency_id);
            let agency = names.get(&agency_id).map_or_else(
                || d.dossier.application.deciding_agency.clone(),
                |n| n.to_string(),
            );
            let holder = match d.dossier.assignee.as_deref() {
                Some(login) => {
                    if !holders.contains_key(login) {
                        let name = match state.db.user_by_login(login).await? {
                            Some(u) => format!("{} ({login})", u.full_name),
                            None => login.to_string(),
                        };
                        holders.insert(login.to_string(), name);
                    }
                    holders[login].clone()
                }
                None => match step {
                    Some(s) => format!("Chưa giao người cụ thể ({})", role_name(&s.role)),
                    None => "Chưa giao người cụ thể".into(),
                },
            };
            let days = if overdue {
                days_over(&time, &d.dossier, today).unwrap_or(0)
            } else {
                d.dossier
                    .due
                    .and_then(|due| {
                        time.calendar
                            .working_days_between(today, Instant(due).local_date())
                            .ok()
                    })
                    .unwrap_or(0)
            };
            found.push(Found {
                agency_id,
                line: StuckLine {
                    href: page_url(&d.row.code),
                    procedure: catalogue
                        .procedures
                        .get(&d.row.procedure_code)
                        .map_or(d.row.procedure_code.clone(), |p| p.procedure.name.clone()),
                    agency,
                    step: step
                        .map(|s| format!("Bước {}: {}", d.dossier.step + 1, s.name))
                        .unwrap_or_default(),
                    holder,
                    due: d.dossier.due.map(|t| Instant(t).vn()).unwrap_or_default(),
                    overdue,
                    label: standing.label,
                    tone: standing.tone,
                    days,
                    code: d.row.code,
                },
            });
        }
        // Worst first: overdue before due soon, the longest overdue (the earliest due) first.
        // The store's order is already by due date; the sort is stable and says so.
        found.sort_by_key(|f| !f.line.overdue);
        let mut counts: BTreeMap<i64, AgencyCount> = BTreeMap::new();
        for f in &found {
            let c = counts.entry(f.agency_id).or_insert_with(|| AgencyCount {
                id: f.agency_id,
                name: f.line.agency.clone(),
                overdue: 0,
                due_soon: 0,
                href: String::new(),
                selected: false,
            });
            if f.line.overdue {
                c.overdue += 1;
            } else {
                c.due_soon += 1;
            }
        }
        let view = q.view.clone().unwrap_or_default();
        let mut error_agency = None;
        let chosen = match q.agency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match text.parse::<i64>() {
                Ok(id) if counts.contains_key(&id) => Some(id),
                // An agency with nothing late shows an empty list, not an error.
                Ok(id) if names.contains_key(&id) => Some(id),
                _ => {
                    error_agency = Some(format!(
                        "“{text}” không phải cơ quan trong phạm vi theo dõi của bạn; đang hiển thị mọi cơ quan."
                    ));
                    None
                }
            },
        };
        let overdue = found.iter().filter(|f| f.line.overdue).count();
        let due_soon = found.len() - overdue;
        let lines: Vec<StuckLine> = found
            .into_iter()
            .filter(|f| chosen.is_none_or(|id| f.agency_id == id))
            .filter(|f| match view.as_str() {
                "qua-han" => f.line.overdue,
                "sap-den-han" => !f.line.overdue,
                _ => true,
            })
            .map(|f| f.line)
            .collect();
        let matching = lines.len();
        let lines: Vec<StuckLine> = lines.into_iter().take(MOST_SHOWN).collect();
        let mut counts: Vec<AgencyCount> = counts.into_values().collect();
        counts.sort_by(|a, b| {
            (b.overdue, b.due_soon)
                .cmp(&(a.overdue, a.due_soon))
                .then_with(|| a.name.cmp(&b.name))
        });
        for c in &mut counts {
            c.selected = chosen == Some(c.id);
            c.href = format!("/can-bo/theo-doi?co-quan={}", c.id);
            if !view.is_empty() {
                c.href.push_str(&format!("&loc={}", encode_component(&view)));
            }
        }
        let mut agency_choices = vec![Choice {
            value: String::new(),
            label: "Tất cả cơ quan".into(),
            selected: chosen.is_none(),
        }];
        agency_choices.extend(counts.iter().map(|c| Choice {
            value: c.id.to_string(),
            label: c.name.clone(),
            selected: c.selected,
        }));
        if let Some(id) = chosen.filter(|id| !counts.iter().any(|c| c.id == *id)) {
            agency_choices.push(Choice {
                value: id.to_string(),
                label: names.get(&id).map_or(String::new(), |n| n.to_string()),
                selected: true,
            });
        }
        let views = [
            ("", "Quá hạn và sắp đến hạn"),
            ("qua-han", "Chỉ quá hạn"),
            ("sap-den-han", "Chỉ sắp đến hạn"),
        ]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.into(),
            label: label.into(),
            selected: value == view,
        })
        .collect();
        Ok(OversightPage {
            layout: Layout::new(&state, "Theo dõi hồ sơ quá hạn")
                .signed_in(&staff)
                .active("oversight"),
            at: at.vn(),
            overdue,
            due_soon,
            counts,
            agencies: agency_choices,
            views,
            lines,
            matching,
            error_agency,
            truncated,
        })
    }
    .await;
    match result {
        Ok(page) => {
            let status = if page.error_agency.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            render(status, page)
        }
        Err(p) => p.into_response(),
    }
}
