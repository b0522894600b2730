//! A desk's register (sổ theo dõi hồ sơ, Mẫu 07) over a date range: the officer picks the agency
//! with the desk (among those in reach) and the days, and gets the PDF to print or the workbook.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_calendar::Date;
use motcua_domain::organisation::access::Action;
use serde::Deserialize;

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::api::day;
use crate::auth::Staff;
use crate::due::now;
use crate::problem::Problem;

#[derive(Deserialize, Default)]
pub(crate) struct RegisterQuery {
    #[serde(rename = "co-quan")]
    agency: Option<String>,
    #[serde(rename = "tu")]
    from: Option<String>,
    #[serde(rename = "den")]
    to: Option<String>,
    /// `pdf` or `xlsx`: the file; none: the form.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_register.html")]
struct DeskRegisterPage {
    layout: Layout,
    agencies: Vec<Choice>,
    from: String,
    to: String,
    error: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<RegisterQuery>,
) -> Response {
    let reach = require!(state, staff, Action::ReadDossiers);
    let today = now().local_date();
    let from_text = q.from.clone().unwrap_or_else(|| {
        Date::from_ymd(today.year(), today.ymd().1, 1)
            .unwrap_or(today)
            .vn()
    });
    let to_text = q.to.clone().unwrap_or_else(|| today.vn());
    let mut error = None;
    // Agencies within reach with a desk, and the officer's own, which comes first.
    let mut agencies: Vec<(String, String)> = Vec::new();
    match (
        state.db.desks().await,
        state.db.agencies_as_of(&today.to_string()).await,
    ) {
        (Ok(desks), Ok(all)) => {
            for a in all {
                let own = staff.user.agency_id == Some(a.id);
                if a.identifier.is_empty()
                    || !reach.contains(Some(a.id))
                    || !(own || desks.iter().any(|(d, _)| d.agency_id == a.id))
                {
                    continue;
                }
                let entry = (a.identifier.clone(), a.name.clone());
                if own {
                    agencies.insert(0, entry);
                } else {
                    agencies.push(entry);
                }
            }
        }
        (Err(e), _) | (_, Err(e)) => error = Some(Problem::from(e).title),
    }
    let chosen = q
        .agency
        .clone()
        .or_else(|| agencies.first().map(|(id, _)| id.clone()))
        .unwrap_or_default();
    if let Some(format) = q.format.as_deref() {
        let file = async {
            let from = day("tu", Some(&from_text), Date::parse_vn)?;
            let to = day("den", Some(&to_text), Date::parse_vn)?;
            crate::forms::register_file(&state, &staff, &chosen, from, to, format == "xlsx").await
        }
        .await;
        match file {
            Ok(response) => return response,
            Err(p) => {
                error = Some(
                    p.errors
                        .first()
                        .map(|e| e.reason.clone())
                        .or(p.detail.clone())
                        .unwrap_or(p.title.clone()),
                )
            }
        }
    }
    let page = DeskRegisterPage {
        layout: Layout::new(&state, "Sổ theo dõi hồ sơ")
            .signed_in(&staff)
            .active("register"),
        agencies: agencies
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == chosen,
                value,
                label,
            })
            .collect(),
        from: from_text,
        to: to_text,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, page)
}
