//! Staff administration: accounts and their roles, within the administrator's reach. A province
//! administrator manages everyone; an agency administrator the staff of their agencies, with the
//! agency roles only. Every change is in the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::organisation::access::{Action, Reach, grantable_by_agency_admin};
use motcua_domain::organisation::{ALL_ROLES, Role};
use motcua_store::{NewUser, StoreError};
use serde::Deserialize;

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::{Denied, Staff, password};
use crate::due::now;
use crate::problem::Problem;

pub(crate) struct GrantLine {
    id: i64,
    role: &'static str,
    scope: String,
}

pub(crate) struct StaffLine {
    id: i64,
    login: String,
    full_name: String,
    position: String,
    agency: String,
    active: bool,
    must_change: bool,
    grants: Vec<GrantLine>,
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
struct StaffPage {
    layout: Layout,
    people: Vec<StaffLine>,
    agencies: Vec<Choice>,
    roles: Vec<Choice>,
    notice: Option<String>,
    error: Option<String>,
    /// (login, initial password), shown once after creating or resetting an account.
    password: Option<(String, String)>,
    form_login: String,
    form_full_name: String,
    form_position: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct Notice {
    #[serde(rename = "thong-bao")]
    notice: Option<String>,
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "cap-vai-tro" => "Đã cấp vai trò.",
        "thu-hoi" => "Đã thu hồi vai trò.",
        "khoa" => "Đã khóa tài khoản và kết thúc mọi phiên đăng nhập của người đó.",
        "mo-khoa" => "Đã mở khóa tài khoản.",
        _ => return None,
    })
}

/// Roles this administrator may hand out.
fn grantable(reach: &Reach) -> Vec<Role> {
    ALL_ROLES
        .into_iter()
        .filter(|r| matches!(reach, Reach::All) || grantable_by_agency_admin(*r))
        .collect()
}

async fn page(state: &AppState, staff: &Staff, reach: &Reach) -> Result<StaffPage, StoreError> {
    let today = now().local_date().to_string();
    let agencies = state.db.agencies_as_of(&today).await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| agencies.iter().find(|a| a.id == id))
            .map(|a| format!("{} ({})", a.name, a.identifier))
            .unwrap_or_else(|| "Toàn tỉnh".into())
    };
    let mut people = Vec::new();
    for user in state.db.staff(reach.filter().as_deref()).await? {
        let grants = state
            .db
            .grants_of(user.id)
            .await?
            .into_iter()
            .map(|g| GrantLine {
                id: g.id,
                role: Role::from_code(&g.role).map_or("?", Role::vietnamese),
                scope: match g.agency_id {
                    None => "Toàn tỉnh".into(),
                    Some(_) if g.with_children => {
                        format!("{} và các đơn vị trực thuộc", name_of(g.agency_id))
                    }
                    Some(_) => name_of(g.agency_id),
                },
            })
            .collect();
        people.push(StaffLine {
            id: user.id,
            login: user.login,
            full_name: user.full_name,
            position: user.position,
            agency: name_of(user.agency_id),
            active: user.active,
            must_change: user.must_change_password,
            grants,
        });
    }
    let mut agency_options: Vec<Choice> = agencies
        .iter()
        .filter(|a| reach.contains(Some(a.id)))
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!("{} – {}", a.identifier, a.name),
            selected: false,
        })
        .collect();
    agency_options.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(StaffPage {
        layout: Layout::new(state, "Quản lý cán bộ")
            .signed_in(staff)
            .active("admin"),
        people,
        agencies: agency_options,
        roles: grantable(reach)
            .into_iter()
            .map(|r| Choice {
                value: r.code().into(),
                label: r.vietnamese().into(),
                selected: false,
            })
            .collect(),
        notice: None,
        error: None,
        password: None,
        form_login: String::new(),
        form_full_name: String::new(),
        form_position: String::new(),
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<Notice>,
) -> Response {
    let reach = require!(state, staff, Action::ManageStaff);
    match page(&state, &staff, &reach).await {
        Ok(mut p) => {
            p.notice = q
                .notice
                .as_deref()
                .and_then(notice_text)
                .map(str::to_string);
            render(StatusCode::OK, p)
        }
        Err(e) => Problem::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct CreateForm {
    login: String,
    full_name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    agency_id: String,
    role: String,
    with_children: Option<String>,
}

/// A role for an agency, checked against what this administrator may grant.
fn check_grant(reach: &Reach, role: &str, agency_id: &str) -> Result<(Role, Option<i64>), String> {
    let role = Role::from_code(role).ok_or("Vai trò không hợp lệ.")?;
    if !grantable(reach).contains(&role) {
        return Err("Bạn không được cấp vai trò này.".into());
    }
    let agency = if agency_id.trim().is_empty() {
        None
    } else {
        Some(
            agency_id
                .trim()
                .parse::<i64>()
                .map_err(|_| "Cơ quan không hợp lệ.")?,
        )
    };
    if !reach.contains(agency) {
        return Err("Cơ quan này nằm ngoài phạm vi quản lý của bạn.".into());
    }
    Ok((role, agency))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CreateForm>,
) -> Response {
    let reach = require!(state, staff, Action::ManageStaff);
    let mut p = match page(&state, &staff, &reach).await {
        Ok(p) => p,
        Err(e) => return Problem::from(e).into_response(),
    };
    p.form_login = form.login.clone();
    p.form_full_name = form.full_name.clone();
    p.form_position = form.position.clone();
    let checked = motcua_domain::people::normalise_login(&form.login).and_then(|login| {
        if form.full_name.trim().is_empty() {
            return Err("Nhập họ và tên.".to_string());
        }
        let (role, agency) = check_grant(&reach, &form.role, &form.agency_id)?;
        if agency.is_none() {
            return Err("Chọn cơ quan công tác.".to_string());
        }
        Ok((login, role, agency))
    });
    let (login, role, agency) = match checked {
        Ok(v) => v,
        Err(e) => {
            p.error = Some(e);
            return render(StatusCode::UNPROCESSABLE_ENTITY, p);
        }
    };
    let initial = password::initial_password();
    let hash = password::hash(initial.clone()).await;
    let with_children = form.with_children.is_some();
    let saved = async {
        let mut tx = state.db.begin().await?;
        let id = tx
            .insert_user(&NewUser {
                login: &login,
                kind: "staff",
                full_name: form.full_name.trim(),
                position: form.position.trim(),
                agency_id: agency,
                phone: form.phone.trim(),
                email: form.email.trim(),
                password_hash: &hash,
                must_change_password: true,
            })
            .await?;
        tx.grant(id, role.code(), agency, with_children, Some(staff.user.id))
            .await?;
        let detail = format!("{{\"login\":\"{login}\",\"role\":\"{}\"}}", role.code());
        tx.audit(&staff.audit_entry("user_created", "user", &id.to_string(), &detail))
            .await?;
        tx.commit().await
    };
    match saved.await {
        Ok(()) => {
            let mut p = match page(&state, &staff, &reach).await {
                Ok(p) => p,
                Err(e) => return Problem::from(e).into_response(),
            };
            p.password = Some((login, initial));
            render(StatusCode::OK, p)
        }
        Err(StoreError::Constraint { constraint, .. }) if constraint == "users_login" => {
            p.error = Some(format!("Tên đăng nhập “{login}” đã có người dùng."));
            render(StatusCode::CONFLICT, p)
        }
        Err(e) => Problem::from(e).into_response(),
    }
}

/// The target account, if this administrator reaches it.
async fn target(
    state: &AppState,
    reach: &Reach,
    id: i64,
) -> Result<motcua_store::UserRow, Response> {
    match state.db.user(id).await {
        Ok(user) if user.kind == "staff" && reach.contains(user.agency_id) => Ok(user),
        Ok(_) => Err(Denied::Forbidden { api: false }.into_response()),
        Err(e) => Err(Problem::from(e).into_response()),
    }
}

pub(crate) async fn reset_password(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let reach = require!(state, staff, Action::ManageStaff);
    let user = match target(&state, &reach, id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let initial = password::initial_password();
    let hash = password::hash(initial.clone()).await;
    let saved = async {
        let mut tx = state.db.begin().await?;
        tx.set_password(user.id, &hash, true).await?;
        tx.revoke_sessions_of(user.id).await?;
        tx.audit(&staff.audit_entry("password_reset", "user", &user.id.to_string(), "{}"))
            .await?;
        tx.commit().await
    };
    if let Err(e) = saved.await {
        return Problem::from(e).into_response();
    }
    match page(&state, &staff, &reach).await {
        Ok(mut p) => {
            p.password = Some((user.login, initial));
            render(StatusCode::OK, p)
        }
        Err(e) => Problem::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct GrantForm {
    role: String,
    agency_id: String,
    with_children: Option<String>,
}

pub(crate) async fn grant(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> Response {
    let reach = require!(state, staff, Action::ManageStaff);
    let user = match target(&state, &reach, id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (role, agency) = match check_grant(&reach, &form.role, &form.agency_id) {
        Ok(v) => v,
        Err(e) => {
            return match page(&state, &staff, &reach).await {
                Ok(mut p) => {
                    p.error = Some(e);
                    render(StatusCode::UNPROCESSABLE_ENTITY, p)
                }
                Err(e) => Problem::from(e).into_response(),
            };
        }
    };
    let detail = format!(
        "{{\"role\":\"{}\",\"agency_id\":{}}}",
        role.code(),
        agency.map_or("null".into(), |a| a.to_string())
    );
    let saved = async {
        let mut tx = state.db.begin().await?;
        tx.grant(
            user.id,
            role.code(),
            agency,
            form.with_children.is_some(),
            Some(staff.user.id),
        )
        .await?;
        tx.audit(&staff.audit_entry("role_granted", "user", &user.id.to_string(), &detail))
            .await?;
        tx.commit().await
    };
    match saved.await {
        Ok(()) => Redirect::to("/can-bo/quan-tri/can-bo?thong-bao=cap-vai-tro").into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(grant_id): Path<i64>,
) -> Response {
    let reach = require!(state, staff, Action::ManageStaff);
    let revoked = async {
        let mut tx = state.db.begin().await?;
        let grant = tx.revoke_grant(grant_id).await?;
        let allowed = reach.contains(grant.agency_id)
            && Role::from_code(&grant.role).is_some_and(|r| grantable(&reach).contains(&r));
        if !allowed {
            return Ok(false);
        }
        let detail = format!("{{\"role\":\"{}\",\"grant\":{grant_id}}}", grant.role);
        tx.audit(&staff.audit_entry("role_revoked", "user", &grant.user_id.to_string(), &detail))
            .await?;
        tx.commit().await?;
        Ok::<bool, StoreError>(true)
    };
    match revoked.await {
        Ok(true) => Redirect::to("/can-bo/quan-tri/can-bo?thong-bao=thu-hoi").into_response(),
        Ok(false) => Denied::Forbidden { api: false }.into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}

pub(crate) async fn lock(state: State<AppState>, staff: Staff, id: Path<i64>) -> Response {
    set_active(state, staff, id, false).await
}

pub(crate) async fn unlock(state: State<AppState>, staff: Staff, id: Path<i64>) -> Response {
    set_active(state, staff, id, true).await
}

async fn set_active(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    active: bool,
) -> Response {
    let reach = require!(state, staff, Action::ManageStaff);
    if id == staff.user.id {
        return Denied::Forbidden { api: false }.into_response();
    }
    let user = match target(&state, &reach, id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let action = if active {
        "user_unlocked"
    } else {
        "user_locked"
    };
    let saved = async {
        let mut tx = state.db.begin().await?;
        tx.set_active(user.id, active).await?;
        if !active {
            tx.revoke_sessions_of(user.id).await?;
        }
        tx.audit(&staff.audit_entry(action, "user", &user.id.to_string(), "{}"))
            .await?;
        tx.commit().await
    };
    match saved.await {
        Ok(()) => Redirect::to(if active {
            "/can-bo/quan-tri/can-bo?thong-bao=mo-khoa"
        } else {
            "/can-bo/quan-tri/can-bo?thong-bao=khoa"
        })
        .into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}
