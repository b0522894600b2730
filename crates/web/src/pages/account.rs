//! Signing in and out, changing a password, and the staff home.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::AuditEntry;
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::auth::{
    self, COOKIE, LOCKOUT_WINDOW_MICROS, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS,
    SignedIn, Staff, password, safe_next, session_cookie,
};
use crate::due::now;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    login: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

pub(crate) async fn sign_in_form(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> Response {
    render(
        StatusCode::OK,
        SignInPage {
            layout: Layout::new(&state, "Đăng nhập"),
            login: String::new(),
            next: safe_next(q.next.as_deref()),
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let ip = peer.ip().to_string();
    // Applicants sign in with a phone number or e-mail however they type it.
    let login = match motcua_domain::people::Contact::parse(&form.login) {
        Ok(contact) => contact.login().to_string(),
        Err(_) => form.login.trim().to_lowercase(),
    };
    let next = safe_next(form.next.as_deref());
    let page = |error: &str, status| {
        render(
            status,
            SignInPage {
                layout: Layout::new(&state, "Đăng nhập"),
                login: form.login.clone(),
                next: next.clone(),
                error: Some(error.to_string()),
            },
        )
    };
    let since = now().0 - LOCKOUT_WINDOW_MICROS;
    let (by_account, by_address) = match state.db.recent_failures(&login, &ip, since).await {
        Ok(counts) => counts,
        Err(e) => return crate::problem::Problem::from(e).into_response(),
    };
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        let _ = audit(&state, None, &login, &ip, "sign_in_locked", &login).await;
        return page(
            "Đăng nhập sai quá nhiều lần. Tài khoản tạm khóa 15 phút; hãy thử lại sau hoặc liên hệ quản trị viên.",
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let user = match state.db.user_by_login(&login).await {
        Ok(user) => user.filter(|u| u.active),
        Err(e) => return crate::problem::Problem::from(e).into_response(),
    };
    let verified = password::verify(
        form.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(user) = user.filter(|_| verified) else {
        let recorded = async {
            let mut tx = state.db.begin().await?;
            tx.record_failure(&login, &ip).await?;
            tx.audit(&entry(None, &login, &ip, "sign_in_failed", &login))
                .await?;
            tx.commit().await
        };
        if let Err(e) = recorded.await {
            return crate::problem::Problem::from(e).into_response();
        }
        return page(
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            StatusCode::UNAUTHORIZED,
        );
    };
    let cookie = match start_session(&state, &user, &ip, &headers).await {
        Ok(cookie) => cookie,
        Err(e) => return crate::problem::Problem::from(e).into_response(),
    };
    let target = if user.must_change_password {
        "/doi-mat-khau".to_string()
    } else if user.kind == "applicant" {
        if next.starts_with("/can-bo") {
            "/ca-nhan".to_string()
        } else {
            next
        }
    } else {
        next
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

/// Opens a session for `user`: stores its token's hash, forgets earlier failures, records the
/// sign-in, and gives the cookie to set.
pub(crate) async fn start_session(
    state: &AppState,
    user: &motcua_store::UserRow,
    ip: &str,
    headers: &HeaderMap,
) -> Result<axum::http::HeaderValue, motcua_store::StoreError> {
    let token = auth::new_token();
    let absolute = state.config.session_absolute.as_micros() as i64;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect::<String>();
    let mut tx = state.db.begin().await?;
    tx.create_session(
        &auth::token_hash(&token),
        user.id,
        now().0 + absolute,
        ip,
        &user_agent,
    )
    .await?;
    tx.clear_failures(&user.login).await?;
    tx.audit(&entry(
        Some(user.id),
        &user.login,
        ip,
        "sign_in",
        &user.id.to_string(),
    ))
    .await?;
    tx.commit().await?;
    Ok(session_cookie(
        state,
        &token,
        state.config.session_absolute.as_secs() as i64,
    ))
}

fn entry<'a>(
    actor_id: Option<i64>,
    login: &'a str,
    ip: &'a str,
    action: &'a str,
    object_id: &'a str,
) -> AuditEntry<'a> {
    AuditEntry {
        actor_id,
        actor_login: login,
        ip,
        action,
        object_type: "user",
        object_id,
        detail: "{}",
    }
}

async fn audit(
    state: &AppState,
    actor_id: Option<i64>,
    login: &str,
    ip: &str,
    action: &str,
    object_id: &str,
) -> Result<(), motcua_store::StoreError> {
    let mut tx = state.db.begin().await?;
    tx.audit(&entry(actor_id, login, ip, action, object_id))
        .await?;
    tx.commit().await
}

fn signed_out(state: &AppState, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(state, "", 0));
    response
}

pub(crate) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = auth::cookie_value(&headers, COOKIE) {
        let hash = auth::token_hash(&token);
        if let Ok(Some(session)) = state.db.session(&hash, now().0).await {
            let revoked = async {
                let mut tx = state.db.begin().await?;
                tx.revoke_session(&hash).await?;
                tx.audit(&entry(
                    Some(session.user.id),
                    &session.user.login,
                    "",
                    "sign_out",
                    &session.user.id.to_string(),
                ))
                .await?;
                tx.commit().await
            };
            if let Err(e) = revoked.await {
                return crate::problem::Problem::from(e).into_response();
            }
        }
    }
    signed_out(&state, "/")
}

/// Ends every session of the signed-in person, this one included.
pub(crate) async fn sign_out_everywhere(
    State(state): State<AppState>,
    SignedIn(staff): SignedIn,
) -> Response {
    let revoked = async {
        let mut tx = state.db.begin().await?;
        let n = tx.revoke_sessions_of(staff.user.id).await?;
        tx.audit(&AuditEntry {
            detail: &format!("{{\"sessions\":{n}}}"),
            ..entry(
                Some(staff.user.id),
                &staff.user.login,
                &staff.ip,
                "sign_out_everywhere",
                &staff.user.id.to_string(),
            )
        })
        .await?;
        tx.commit().await
    };
    match revoked.await {
        Ok(()) => signed_out(&state, "/dang-nhap"),
        Err(e) => crate::problem::Problem::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "change_password.html")]
struct ChangePasswordPage {
    layout: Layout,
    forced: bool,
    error_current: Option<String>,
    error_new: Option<String>,
    done: bool,
}

pub(crate) async fn change_password_form(
    State(state): State<AppState>,
    SignedIn(staff): SignedIn,
) -> Response {
    render(
        StatusCode::OK,
        ChangePasswordPage {
            layout: Layout::new(&state, "Đổi mật khẩu").signed_in(&staff),
            forced: staff.user.must_change_password,
            error_current: None,
            error_new: None,
            done: false,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct ChangePasswordForm {
    current: String,
    new: String,
    repeat: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    SignedIn(staff): SignedIn,
    Form(form): Form<ChangePasswordForm>,
) -> Response {
    let mut page = ChangePasswordPage {
        layout: Layout::new(&state, "Đổi mật khẩu").signed_in(&staff),
        forced: staff.user.must_change_password,
        error_current: None,
        error_new: None,
        done: false,
    };
    if !password::verify(form.current.clone(), Some(staff.user.password_hash.clone())).await {
        page.error_current = Some("Mật khẩu hiện tại không đúng.".into());
    }
    if form.new != form.repeat {
        page.error_new = Some("Hai lần nhập mật khẩu mới không khớp.".into());
    } else if form.new == form.current {
        page.error_new = Some("Mật khẩu mới phải khác mật khẩu hiện tại.".into());
    } else if let Err(reason) =
        motcua_domain::people::check_password(&form.new, &staff.user.login, &staff.user.full_name)
    {
        page.error_new = Some(reason);
    }
    if page.error_current.is_some() || page.error_new.is_some() {
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let hash = password::hash(form.new.clone()).await;
    let saved = async {
        let mut tx = state.db.begin().await?;
        tx.set_password(staff.user.id, &hash, false).await?;
        tx.audit(&entry(
            Some(staff.user.id),
            &staff.user.login,
            &staff.ip,
            "password_changed",
            &staff.user.id.to_string(),
        ))
        .await?;
        tx.commit().await
    };
    if let Err(e) = saved.await {
        return crate::problem::Problem::from(e).into_response();
    }
    if page.forced {
        return Redirect::to("/can-bo").into_response();
    }
    page.done = true;
    render(StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "staff_home.html")]
struct StaffHome {
    layout: Layout,
    full_name: String,
    position: String,
    agency: String,
    roles: Vec<&'static str>,
}

pub(crate) async fn staff_home(State(state): State<AppState>, staff: Staff) -> Response {
    let today = now().local_date().to_string();
    let agency = match staff.user.agency_id {
        Some(id) => state
            .db
            .agencies_as_of(&today)
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|a| a.id == id))
            .map(|a| a.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    render(
        StatusCode::OK,
        StaffHome {
            layout: Layout::new(&state, "Trang cán bộ")
                .signed_in(&staff)
                .active("staff"),
            full_name: staff.user.full_name.clone(),
            position: staff.user.position.clone(),
            agency,
            roles: staff.roles().into_iter().map(|r| r.vietnamese()).collect(),
        },
    )
}
