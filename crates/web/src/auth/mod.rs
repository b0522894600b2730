//! Who is asking: sessions from the cookie, the signed-in staff member and their roles, and the
//! pieces of signing in (passwords, tokens, lockout). CSRF is checked in `csrf.rs`.

pub(crate) mod csrf;
pub(crate) mod password;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;

use motcua_domain::organisation::Role;
use motcua_domain::organisation::access::{self, Action, Grant, Reach};
use motcua_store::{GrantRow, UserRow};

use crate::AppState;
use crate::due::now;
use crate::problem::Problem;

pub(crate) const COOKIE: &str = "motcua_session";

/// Sign-in attempts allowed per account, and per address, within [`LOCKOUT_WINDOW_MICROS`].
pub(crate) const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub(crate) const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub(crate) const LOCKOUT_WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;

/// A fresh random token: 32 bytes, URL-safe base64.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256, hex.
pub(crate) fn token_hash(token: &str) -> String {
    motcua_store::sha256_hex(token.as_bytes())
}

pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS.
pub(crate) fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("a cookie of safe characters")
}

/// The client's address as seen by this server.
pub(crate) fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// A signed-in staff member, with the roles granted to them.
#[derive(Debug, Clone)]
pub(crate) struct Staff {
    pub user: UserRow,
    pub grants: Vec<GrantRow>,
    pub ip: String,
}

impl Staff {
    /// An audit entry for something this person did.
    pub fn audit_entry<'a>(
        &'a self,
        action: &'a str,
        object_type: &'a str,
        object_id: &'a str,
        detail: &'a str,
    ) -> motcua_store::AuditEntry<'a> {
        motcua_store::AuditEntry {
            actor_id: Some(self.user.id),
            actor_login: &self.user.login,
            ip: &self.ip,
            action,
            object_type,
            object_id,
            detail,
        }
    }

    fn domain_grants(&self) -> Vec<Grant> {
        self.grants
            .iter()
            .filter_map(|g| {
                Some(Grant {
                    role: Role::from_code(&g.role)?,
                    agency_id: g.agency_id,
                    with_children: g.with_children,
                })
            })
            .collect()
    }

    /// The agencies `action` reaches for this person, or forbidden if none.
    pub async fn reach(
        &self,
        state: &AppState,
        action: Action,
        api: bool,
    ) -> Result<Reach, Denied> {
        let parents = state
            .agency_tree
            .parents(&state.db)
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        let reach = access::reach(&self.domain_grants(), action, &parents);
        if reach.allowed() {
            Ok(reach)
        } else {
            Err(Denied::Forbidden { api })
        }
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .grants
            .iter()
            .filter_map(|g| Role::from_code(&g.role))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

/// Whoever is signed in and may act: a staff member, or an applicant on their own dossiers.
pub(crate) enum Person {
    Staff(Staff),
    Applicant(UserRow),
}

impl FromRequestParts<AppState> for Person {
    type Rejection = Denied;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let person = load(parts, state).await?;
        if person.user.must_change_password {
            return Err(Denied::ChangePassword);
        }
        Ok(if person.user.kind == "applicant" {
            Person::Applicant(person.user)
        } else {
            Person::Staff(person)
        })
    }
}

/// Like [`Staff`], but also for someone who must change their password first.
pub(crate) struct SignedIn(pub Staff);

/// A signed-in applicant (citizen or business): their own pages only.
pub(crate) struct Applicant(pub UserRow);

impl FromRequestParts<AppState> for Applicant {
    type Rejection = Denied;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let person = load(parts, state).await?;
        if person.user.kind != "applicant" {
            return Err(Denied::Forbidden { api: false });
        }
        Ok(Applicant(person.user))
    }
}

/// Why a request is not let in.
pub(crate) enum Denied {
    /// Not signed in: a page goes to the sign-in form, the API answers 401.
    SignIn {
        api: bool,
        next: String,
    },
    /// Signed in with a password that must be changed first.
    ChangePassword,
    /// Signed in, but the role does not allow it.
    Forbidden {
        api: bool,
    },
    /// A bearer token that is unknown, expired or revoked.
    BadToken,
    /// A valid token without the scope the request needs.
    Scope(&'static str),
    Failed(Problem),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::SignIn { api: true, .. } => Problem::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Chưa đăng nhập",
            )
            .detail("Hãy đăng nhập hoặc gửi mã truy cập (Authorization: Bearer …).")
            .into_response(),
            Denied::SignIn { api: false, next } => {
                Redirect::to(&format!("/dang-nhap?next={}", encode_component(&next)))
                    .into_response()
            }
            Denied::ChangePassword => Redirect::to("/doi-mat-khau").into_response(),
            Denied::BadToken => {
                let mut response = Problem::new(axum::http::StatusCode::UNAUTHORIZED, "invalid-token", "Mã truy cập không hợp lệ")
                    .detail("Mã truy cập không đúng, đã hết hạn hoặc đã bị thu hồi.")
                    .into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
                response
            }
            Denied::Scope(scope) => Problem::new(axum::http::StatusCode::FORBIDDEN, "insufficient-scope", "Mã truy cập không đủ quyền")
                .detail(format!("Thao tác này cần mã truy cập có phạm vi “{scope}”."))
                .into_response(),
            Denied::Forbidden { api: true } => {
                Problem::new(axum::http::StatusCode::FORBIDDEN, "forbidden", "Không có quyền")
                    .detail("Vai trò của bạn không cho phép thao tác này.")
                    .into_response()
            }
            Denied::Forbidden { api: false } => (
                axum::http::StatusCode::FORBIDDEN,
                axum::response::Html(
                    "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Không có quyền truy cập</title>\
                     <link rel=\"stylesheet\" href=\"/static/app.css\"><main class=\"wrap\"><h1>Không có quyền truy cập</h1>\
                     <p>Vai trò của bạn không cho phép mở trang này. Nếu cần, hãy liên hệ quản trị viên của cơ quan.</p>\
                     <p><a href=\"/can-bo\">Về trang cán bộ</a></p></main></html>",
                ),
            )
                .into_response(),
            Denied::Failed(problem) => problem.into_response(),
        }
    }
}

/// Percent-encodes a path for a query string.
pub(crate) fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `next` address is followed only if it stays on this site.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/can-bo".to_string(),
    }
}

/// The bearer token of a request, if it carries one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// A request to the API with a personal access token: the token acts as its owner, within its
/// scopes (`read` for GET and HEAD, `write` for anything else).
async fn load_token(parts: &Parts, state: &AppState, token: &str) -> Result<Staff, Denied> {
    let now = now().0;
    let (row, user, grants) = state
        .db
        .token_user(&token_hash(token), now)
        .await
        .map_err(|e| Denied::Failed(e.into()))?
        .ok_or(Denied::BadToken)?;
    let needed = if matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        "read"
    } else {
        "write"
    };
    if !row.scopes.split_whitespace().any(|s| s == needed) {
        return Err(Denied::Scope(needed));
    }
    if row.last_used_at.is_none_or(|t| now - t > 60_000_000) {
        let mut tx = state
            .db
            .begin()
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        tx.touch_token(row.id, now)
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        tx.commit().await.map_err(|e| Denied::Failed(e.into()))?;
    }
    Ok(Staff {
        user,
        grants,
        ip: client_ip(parts),
    })
}

async fn load(parts: &Parts, state: &AppState) -> Result<Staff, Denied> {
    let api = parts.uri.path().starts_with("/api/");
    if let Some(token) = bearer(&parts.headers) {
        // Tokens are for integrations: they open the API, never the pages.
        if api {
            return load_token(parts, state, token).await;
        }
    }
    let next = parts
        .uri
        .path_and_query()
        .map_or("/can-bo".into(), |p| p.as_str().to_string());
    let sign_in = || Denied::SignIn {
        api,
        next: next.clone(),
    };
    let token = cookie_value(&parts.headers, COOKIE).ok_or_else(sign_in)?;
    let hash = token_hash(&token);
    let now = now().0;
    let session = state
        .db
        .session(&hash, now)
        .await
        .map_err(|e| Denied::Failed(e.into()))?
        .ok_or_else(sign_in)?;
    let idle = state.config.session_idle.as_micros() as i64;
    if now - session.last_seen_at > idle {
        let mut tx = state
            .db
            .begin()
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        tx.revoke_session(&hash)
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        tx.commit().await.map_err(|e| Denied::Failed(e.into()))?;
        return Err(sign_in());
    }
    // Note activity at most once a minute, so reading pages does not mean writing on every request.
    if now - session.last_seen_at > 60_000_000 {
        let mut tx = state
            .db
            .begin()
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        tx.touch_session(&hash, now)
            .await
            .map_err(|e| Denied::Failed(e.into()))?;
        tx.commit().await.map_err(|e| Denied::Failed(e.into()))?;
    }
    Ok(Staff {
        user: session.user,
        grants: session.grants,
        ip: client_ip(parts),
    })
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Denied;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = load(parts, state).await?;
        if staff.user.kind != "staff" {
            // An applicant's account does not open the staff application.
            return Err(Denied::Forbidden {
                api: parts.uri.path().starts_with("/api/"),
            });
        }
        Ok(SignedIn(staff))
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Denied;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SignedIn(staff) = SignedIn::from_request_parts(parts, state).await?;
        if staff.user.must_change_password {
            return Err(Denied::ChangePassword);
        }
        Ok(staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/can-bo/tinh-ngay-hen-tra?x=1")),
            "/can-bo/tinh-ngay-hen-tra?x=1"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/can-bo");
        assert_eq!(safe_next(Some("https://evil.example/")), "/can-bo");
        assert_eq!(safe_next(Some("/\\evil.example")), "/can-bo");
        assert_eq!(safe_next(None), "/can-bo");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; motcua_session=abc; b=2"),
        );
        assert_eq!(cookie_value(&headers, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&headers, "c"), None);
    }
}
