//! Personal access tokens: a staff member makes tokens for integrations that call the API as
//! them, each named, scoped, expiring and revocable. The token is shown once; only its hash is
//! kept.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_calendar::Instant;
use motcua_store::StoreError;
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::auth::{Staff, new_token, token_hash};
use crate::due::now;
use crate::problem::Problem;

pub(crate) struct TokenLine {
    id: i64,
    name: String,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
    state: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    error: Option<String>,
    name: String,
}

async fn page(state: &AppState, staff: &Staff) -> Result<TokensPage, StoreError> {
    let now = now().0;
    let show = |t: i64| Instant(t).vn();
    let tokens = state
        .db
        .tokens_of(staff.user.id)
        .await?
        .into_iter()
        .map(|t| {
            let (state, active) = if t.revoked_at.is_some() {
                ("Đã thu hồi", false)
            } else if t.expires_at <= now {
                ("Đã hết hạn", false)
            } else {
                ("Đang dùng", true)
            };
            TokenLine {
                id: t.id,
                name: t.name,
                scopes: t.scopes.replace("read", "đọc").replace("write", "ghi"),
                created: show(t.created_at),
                expires: show(t.expires_at),
                last_used: t
                    .last_used_at
                    .map(show)
                    .unwrap_or_else(|| "chưa dùng".into()),
                state,
                active,
            }
        })
        .collect();
    Ok(TokensPage {
        layout: Layout::new(state, "Mã truy cập cho tích hợp")
            .signed_in(staff)
            .active("staff"),
        tokens,
        new_token: None,
        error: None,
        name: String::new(),
    })
}

pub(crate) async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    match page(&state, &staff).await {
        Ok(p) => render(StatusCode::OK, p),
        Err(e) => Problem::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct CreateForm {
    name: String,
    write: Option<String>,
    days: String,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CreateForm>,
) -> Response {
    let mut p = match page(&state, &staff).await {
        Ok(p) => p,
        Err(e) => return Problem::from(e).into_response(),
    };
    p.name = form.name.clone();
    let days: Option<i64> = form
        .days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d));
    let name = form.name.trim();
    let error = if name.is_empty() || name.chars().count() > 100 {
        Some("Đặt tên cho mã truy cập (tối đa 100 ký tự), ví dụ tên hệ thống sẽ dùng nó.")
    } else if days.is_none() {
        Some("Thời hạn là từ 1 đến 365 ngày.")
    } else {
        None
    };
    if let Some(e) = error {
        p.error = Some(e.into());
        return render(StatusCode::UNPROCESSABLE_ENTITY, p);
    }
    let scopes = if form.write.is_some() {
        "read write"
    } else {
        "read"
    };
    let token = format!("mc_{}", new_token());
    let expires = now().0 + days.unwrap_or(1) * 86_400_000_000;
    let saved = async {
        let mut tx = state.db.begin().await?;
        let id = tx
            .insert_token(staff.user.id, name, &token_hash(&token), scopes, expires)
            .await?;
        let detail = format!("{{\"scopes\":\"{scopes}\"}}");
        tx.audit(&staff.audit_entry("token_created", "token", &id.to_string(), &detail))
            .await?;
        tx.commit().await
    };
    if let Err(e) = saved.await {
        return Problem::from(e).into_response();
    }
    match page(&state, &staff).await {
        Ok(mut p) => {
            p.new_token = Some(token);
            render(StatusCode::OK, p)
        }
        Err(e) => Problem::from(e).into_response(),
    }
}

/// Revokes one of the caller's tokens (shared by the page and the API).
pub(crate) async fn revoke_own(state: &AppState, staff: &Staff, id: i64) -> Result<(), StoreError> {
    let mut tx = state.db.begin().await?;
    tx.revoke_token(id, staff.user.id).await?;
    tx.audit(&staff.audit_entry("token_revoked", "token", &id.to_string(), "{}"))
        .await?;
    tx.commit().await
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    match revoke_own(&state, &staff, id).await {
        Ok(()) | Err(StoreError::NotFound) => Redirect::to("/can-bo/ma-truy-cap").into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}
