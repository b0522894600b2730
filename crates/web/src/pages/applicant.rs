//! Accounts for applicants (citizens and businesses) who use services online: registration with
//! a phone number or e-mail address and a password, and their own page. Signing in shares the
//! staff form; an identity provider (VNeID) would add a second way to reach the same account.
//! Their page lists the dossiers their account submitted, and a returned one is evaluated there.

use askama::Template;
use axum::Form;
use std::collections::BTreeMap;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::Stage;
use motcua_domain::people::{Contact, check_password};
use motcua_store::{AuditEntry, DossierFilter, NewUser, StoreError, UserRow};
use serde::Deserialize;

use super::account::start_session;
use super::{Layout, render};
use crate::AppState;
use crate::auth::{Applicant, encode_component, password};
use crate::due::now;
use crate::evaluations::{self, Answers, Proof, Shown};
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

/// A returned dossier of the applicant's, to evaluate or evaluated.
pub(crate) struct ToEvaluate {
    code: String,
    procedure: String,
    href: String,
    /// The points given, once evaluated.
    evaluated: Option<u32>,
}

#[derive(Template)]
#[template(path = "personal.html")]
struct PersonalPage {
    layout: Layout,
    full_name: String,
    contact: String,
    dossiers: Vec<super::online::MyDossier>,
    to_evaluate: Vec<ToEvaluate>,
}

fn applicant_layout(state: &AppState, title: &str, user: &UserRow) -> Layout {
    let mut layout = Layout::new(state, title).active("personal");
    layout.user_name = Some(user.full_name.clone());
    layout
}

fn evaluation_url(code: &str) -> String {
    format!("/ca-nhan/ho-so/{}/danh-gia", encode_component(code))
}

/// The applicant's returned dossiers, each with its evaluation page and the points given.
async fn returned_dossiers(state: &AppState, login: &str) -> Result<Vec<ToEvaluate>, Problem> {
    let rows = state
        .db
        .dossiers(&DossierFilter {
            applicant_login: Some(login.to_string()),
            stages: vec![Stage::Returned.code().to_string()],
            limit: 100,
            ..Default::default()
        })
        .await?;
    let today = now().local_date().to_string();
    let catalogue = state.catalogue.current(&state.db, &today).await?;
    let mut out = Vec::new();
    for row in rows {
        out.push(ToEvaluate {
            evaluated: state
                .db
                .evaluation(row.id)
                .await?
                .map(|e| e.evaluation.total()),
            procedure: catalogue
                .procedures
                .get(&row.procedure_code)
                .map_or(row.procedure_code.clone(), |p| p.procedure.name.clone()),
            href: evaluation_url(&row.code),
            code: row.code,
        });
    }
    Ok(out)
}

pub(crate) async fn personal(
    State(state): State<AppState>,
    Applicant(user): Applicant,
) -> Response {
    let contact = if user.phone.is_empty() {
        user.email.clone()
    } else {
        user.phone.clone()
    };
    let dossiers = match super::online::my_dossiers(&state, &user.login).await {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    let to_evaluate = match returned_dossiers(&state, &user.login).await {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    render(
        StatusCode::OK,
        PersonalPage {
            layout: applicant_layout(&state, "Trang cá nhân", &user),
            full_name: user.full_name,
            contact,
            dossiers,
            to_evaluate,
        },
    )
}

#[derive(Template)]
#[template(path = "applicant_evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    code: String,
    procedure: String,
    stage: &'static str,
    evaluation: Option<Shown>,
    evaluation_form: Option<evaluations::Form>,
    /// Why it cannot be evaluated (not returned yet; evaluated before).
    notice: Option<String>,
    thanked: bool,
}

async fn evaluation_page(
    state: &AppState,
    user: &UserRow,
    code: &str,
) -> Result<EvaluationPage, Problem> {
    let loaded = evaluations::dossier_of(state, code, &Proof::Account(user)).await?;
    let today = now().local_date().to_string();
    let procedure = state
        .catalogue
        .current(&state.db, &today)
        .await?
        .procedures
        .get(&loaded.row.procedure_code)
        .map_or(loaded.row.procedure_code.clone(), |p| {
            p.procedure.name.clone()
        });
    let evaluation = state.db.evaluation(loaded.row.id).await?;
    let returned = loaded.dossier.stage == Stage::Returned;
    Ok(EvaluationPage {
        layout: applicant_layout(state, &format!("Đánh giá hồ sơ {}", loaded.row.code), user),
        procedure,
        stage: loaded.dossier.stage.vietnamese(),
        evaluation_form: (returned && evaluation.is_none())
            .then(|| evaluations::Form::new(evaluation_url(&loaded.row.code), Vec::new())),
        notice: (!returned).then(|| {
            motcua_domain::evaluation::NotEvaluable::NotReturned
                .vietnamese()
                .to_string()
        }),
        evaluation: evaluation.as_ref().map(Shown::of),
        thanked: false,
        code: loaded.row.code,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct EvaluationQuery {
    #[serde(rename = "da-danh-gia")]
    evaluated: Option<String>,
}

/// The evaluation page of one of the applicant's own dossiers.
pub(crate) async fn evaluation_form(
    State(state): State<AppState>,
    Applicant(user): Applicant,
    Path(code): Path<String>,
    Query(q): Query<EvaluationQuery>,
) -> Response {
    match evaluation_page(&state, &user, &code).await {
        Ok(mut page) => {
            page.thanked = q.evaluated.is_some() && page.evaluation.is_some();
            render(StatusCode::OK, page)
        }
        Err(p) if p.status == 404 => super::not_found_page(&state, &evaluation_url(&code)),
        Err(p) => p.into_response(),
    }
}

/// The evaluation, sent from the applicant's page: kept, or the form again as typed.
pub(crate) async fn evaluate(
    State(state): State<AppState>,
    Applicant(user): Applicant,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(code): Path<String>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Response {
    let answers = Answers::from_fields(|name| fields.get(name).cloned());
    let kept = evaluations::evaluate(
        &state,
        &code,
        &Proof::Account(&user),
        &answers,
        &peer.ip().to_string(),
        "",
    )
    .await;
    let problem = match kept {
        Ok(_) => {
            return Redirect::to(&format!("{}?da-danh-gia=1", evaluation_url(&code)))
                .into_response();
        }
        Err(p) if p.status == 404 => return super::not_found_page(&state, &evaluation_url(&code)),
        Err(p) if p.status >= 500 => return p.into_response(),
        Err(p) => p,
    };
    let mut page = match evaluation_page(&state, &user, &code).await {
        Ok(page) => page,
        Err(p) => return p.into_response(),
    };
    if page.evaluation_form.is_some() {
        page.evaluation_form = Some(evaluations::Form::typed(
            evaluation_url(&code),
            Vec::new(),
            &answers,
            Some(&problem),
        ));
    } else {
        page.notice = problem.detail.clone();
    }
    render(problem.status(), page)
}
