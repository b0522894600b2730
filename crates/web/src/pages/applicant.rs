//! Accounts for applicants (citizens and businesses) who use services online: registration with
//! a phone number or e-mail address and a password, and their own page. Signing in shares the
//! staff form; an identity provider (VNeID) would add a second way to reach the same account.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::people::{Contact, check_password};
use motcua_store::{AuditEntry, NewUser, StoreError};
use serde::Deserialize;

use super::account::start_session;
use super::{Layout, render};
use crate::AppState;
use crate::auth::{Applicant, password};
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    full_name: String,
    contact: String,
    error_name: Option<String>,
    error_contact: Option<String>,
    error_password: Option<String>,
}

pub(crate) async fn form(State(state): State<AppState>) -> Response {
    render(
        StatusCode::OK,
        RegisterPage {
            layout: Layout::new(&state, "Đăng ký tài khoản"),
            full_name: String::new(),
            contact: String::new(),
            error_name: None,
            error_contact: None,
            error_password: None,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct RegisterForm {
    full_name: String,
    contact: String,
    password: String,
    repeat: String,
}

pub(crate) async fn register(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Response {
    let mut page = RegisterPage {
        layout: Layout::new(&state, "Đăng ký tài khoản"),
        full_name: form.full_name.clone(),
        contact: form.contact.clone(),
        error_name: None,
        error_contact: None,
        error_password: None,
    };
    let name = form
        .full_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        page.error_name = Some("Nhập họ và tên (tối đa 100 ký tự).".into());
    }
    let contact = Contact::parse(&form.contact)
        .map_err(|e| page.error_contact = Some(e))
        .ok();
    if form.password != form.repeat {
        page.error_password = Some("Hai lần nhập mật khẩu không khớp.".into());
    } else if let Err(e) = check_password(
        &form.password,
        contact.as_ref().map_or("", Contact::login),
        &name,
    ) {
        page.error_password = Some(e);
    }
    let Some(contact) =
        contact.filter(|_| page.error_name.is_none() && page.error_password.is_none())
    else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    let hash = password::hash(form.password.clone()).await;
    let (phone, email) = match &contact {
        Contact::Phone(p) => (p.as_str(), ""),
        Contact::Email(e) => ("", e.as_str()),
    };
    let ip = peer.ip().to_string();
    let created = async {
        let mut tx = state.db.begin().await?;
        let id = tx
            .insert_user(&NewUser {
                login: contact.login(),
                kind: "applicant",
                full_name: &name,
                position: "",
                agency_id: None,
                phone,
                email,
                password_hash: &hash,
                must_change_password: false,
            })
            .await?;
        tx.audit(&AuditEntry {
            actor_id: Some(id),
            actor_login: contact.login(),
            ip: &ip,
            action: "applicant_registered",
            object_type: "user",
            object_id: &id.to_string(),
            detail: "{}",
        })
        .await?;
        tx.commit().await?;
        Ok::<i64, StoreError>(id)
    };
    let id = match created.await {
        Ok(id) => id,
        Err(StoreError::Constraint { constraint, .. }) if constraint == "users_login" => {
            page.error_contact = Some(format!(
                "“{}” đã có tài khoản. Hãy đăng nhập, hoặc dùng số điện thoại, địa chỉ thư khác.",
                contact.login()
            ));
            return render(StatusCode::CONFLICT, page);
        }
        Err(e) => return Problem::from(e).into_response(),
    };
    let user = match state.db.user(id).await {
        Ok(u) => u,
        Err(e) => return Problem::from(e).into_response(),
    };
    match start_session(&state, &user, &ip, &headers).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/ca-nhan").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => Problem::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "personal.html")]
struct PersonalPage {
    layout: Layout,
    full_name: String,
    contact: String,
    dossiers: Vec<super::online::MyDossier>,
}

pub(crate) async fn personal(
    State(state): State<AppState>,
    Applicant(user): Applicant,
) -> Response {
    let mut layout = Layout::new(&state, "Trang cá nhân").active("personal");
    layout.user_name = Some(user.full_name.clone());
    let contact = if user.phone.is_empty() {
        user.email.clone()
    } else {
        user.phone.clone()
    };
    let dossiers = match super::online::my_dossiers(&state, &user.login).await {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    render(
        StatusCode::OK,
        PersonalPage {
            layout,
            full_name: user.full_name,
            contact,
            dossiers,
        },
    )
}
