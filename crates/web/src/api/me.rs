//! `/api/v1/me` and `/api/v1/tokens`: who a token acts as, and revoking a token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Denied, Staff};
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    login: String,
    full_name: String,
    position: String,
    /// Role codes: `desk_officer`, `processing_officer`, `approver`, `agency_admin`,
    /// `procedure_controller`, `reform_officer`, `province_admin`, `auditor`.
    roles: Vec<&'static str>,
}

/// The account the request acts as (a session, or a personal access token's owner).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "No valid session or token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn me(staff: Result<Staff, Denied>) -> Result<Json<Me>, Denied> {
    let staff = staff?;
    Ok(Json(Me {
        login: staff.user.login.clone(),
        full_name: staff.user.full_name.clone(),
        position: staff.user.position.clone(),
        roles: staff.roles().into_iter().map(|r| r.code()).collect(),
    }))
}

/// Revokes one of the caller's own personal access tokens (needs the `write` scope).
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "account",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's number, as listed on the tokens page")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid session or token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of yours, or already revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    staff: Result<Staff, Denied>,
    Path(id): Path<i64>,
) -> Result<StatusCode, axum::response::Response> {
    let staff = staff.map_err(IntoResponse::into_response)?;
    crate::pages::revoke_own_token(&state, &staff, id)
        .await
        .map_err(|e| Problem::from(e).into_response())?;
    Ok(StatusCode::NO_CONTENT)
}
