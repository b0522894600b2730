//! The printed forms of a dossier and a desk's register, as files.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use motcua_calendar::Date;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::{Denied, Person};
use crate::forms;
use crate::problem::Problem;

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct FormQuery {
    /// The lookup secret, to print it on the receipt (only the dossier's own is printed).
    lookup_secret: Option<String>,
}

/// A form of a dossier as PDF: `receipt` (Mẫu 01), `completion-request` (02), `refusal` (03),
/// `apology` (04), `stop-notice` (05), `control-sheet` (06), in the set of forms in force when
/// the dossier was received (Circular 01/2018 before 1 July 2025, 03/2025 after).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/forms/{form}",
    tag = "dossiers",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The dossier code"),
        ("form" = String, Path, description = "receipt, completion-request, refusal, apology, stop-notice or control-sheet"),
        FormQuery,
    ),
    responses(
        (status = 200, description = "The form", content_type = "application/pdf"),
        (status = 404, description = "No such dossier within your reach, or no such form", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier's story has no such form (an apology for a dossier never late)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn dossier_form(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    headers: HeaderMap,
    Path((code, form)): Path<(String, String)>,
    Query(q): Query<FormQuery>,
) -> Response {
    let who = match who {
        Ok(p) => p,
        Err(d) => return d.into_response(),
    };
    forms::dossier_form(
        &state,
        &who,
        &headers,
        &code,
        &form,
        q.lookup_secret.as_deref(),
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct RegisterQuery {
    /// First day, YYYY-MM-DD.
    from: Option<String>,
    /// Last day, YYYY-MM-DD (included).
    to: Option<String>,
    /// `pdf` (default) or `xlsx`.
    format: Option<String>,
}

/// A day from the query, or a problem naming the field.
pub(crate) fn day(
    field: &str,
    text: Option<&str>,
    parse: fn(&str) -> Result<Date, motcua_calendar::date::DateError>,
) -> Result<Date, Problem> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(Problem::invalid(field, "Cần chọn ngày."));
    }
    parse(text).map_err(|_| Problem::invalid(field, format!("“{text}” không phải ngày hợp lệ.")))
}

/// A desk's register (Sổ theo dõi hồ sơ, Mẫu 07) over a date range, as PDF or XLSX, for staff
/// whose reach holds the agency.
#[utoipa::path(
    get,
    path = "/api/v1/agencies/{agency}/register",
    tag = "dossiers",
    security(("bearer" = [])),
    params(("agency" = String, Path, description = "The identifier of the agency with the desk"), RegisterQuery),
    responses(
        (status = 200, description = "The register", content_type = "application/pdf"),
        (status = 404, description = "No such agency within your reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A missing, malformed or reversed date, or a range of too many dossiers", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Path(agency): Path<String>,
    Query(q): Query<RegisterQuery>,
) -> Response {
    let staff = match who {
        Ok(Person::Staff(s)) => s,
        Ok(Person::Applicant(_)) => {
            return Problem::not_found(format!("Không có cơ quan mã “{agency}”.")).into_response();
        }
        Err(d) => return d.into_response(),
    };
    let result = async {
        let from = day("from", q.from.as_deref(), Date::parse)?;
        let to = day("to", q.to.as_deref(), Date::parse)?;
        let xlsx = match q.format.as_deref().unwrap_or("pdf") {
            "pdf" => false,
            "xlsx" => true,
            other => {
                return Err(Problem::invalid(
                    "format",
                    format!("“{other}”: chọn pdf hoặc xlsx."),
                ));
            }
        };
        forms::register_file(&state, &staff, &agency, from, to, xlsx).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
