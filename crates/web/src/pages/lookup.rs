//! The public lookup (tra cứu hồ sơ): a dossier's status by its code and the secret printed on
//! the receipt, in plain Vietnamese, with what is missing when more was asked for; once the result
//! is returned, the applicant's evaluation (nine indicators) given here with the same two codes.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::UserRow;
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::api::{PublicStatus, public_status};
use crate::auth::{Person, encode_component};
use crate::evaluations::{self, Answers, Proof, Shown};

#[derive(Deserialize, Default)]
pub(crate) struct LookupQuery {
    ma: Option<String>,
    #[serde(rename = "ma-tra-cuu")]
    secret: Option<String>,
    /// Set after an evaluation was kept, to thank the applicant.
    #[serde(rename = "da-danh-gia")]
    evaluated: Option<String>,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    layout: Layout,
    code: String,
    status: Option<PublicStatus>,
    error: Option<String>,
    /// The evaluation already given, shown read-only.
    evaluation: Option<Shown>,
    /// The form to give it, when the result was returned and none was given.
    evaluation_form: Option<evaluations::Form>,
    /// The evaluation was just kept.
    thanked: bool,
    /// The documents asked for, and their form when the reader may send them here.
    supplement: Option<super::online::Offer>,
}

const NOT_FOUND: &str = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Kiểm tra lại hai mã in trên giấy biên nhận.";

/// Where the evaluation form posts.
const EVALUATE: &str = "/tra-cuu/danh-gia";

/// The page for `code` and `secret`: the status and, after the return, the evaluation or its
/// form. `Err` is a failure to answer at all.
async fn page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    secret: &str,
) -> Result<LookupPage, Response> {
    let layout = viewer.layout(state);
    let mut page = LookupPage {
        layout,
        code: code.to_string(),
        status: None,
        error: None,
        evaluation: None,
        evaluation_form: None,
        thanked: false,
        supplement: None,
    };
    if code.is_empty() && secret.is_empty() {
        return Ok(page);
    }
    match public_status(state, code, secret).await {
        Ok(status) => {
            page.status = Some(status);
            page.supplement =
                super::online::lookup_offer(state, viewer.applicant(), code, secret).await;
        }
        Err(p) if p.status == 404 => {
            // A search that found nothing: the page answers, with the reason.
            page.error = Some(NOT_FOUND.into());
            return Ok(page);
        }
        Err(p) => return Err(p.into_response()),
    }
    let proof = Proof::Secret { secret, api: false };
    let loaded = evaluations::dossier_of(state, code, &proof)
        .await
        .map_err(IntoResponse::into_response)?;
    match state.db.evaluation(loaded.row.id).await {
        Ok(Some(row)) => page.evaluation = Some(Shown::of(&row)),
        Ok(None) if loaded.dossier.stage == motcua_domain::dossier::Stage::Returned => {
            page.evaluation_form = Some(evaluations::Form::new(
                EVALUATE.into(),
                hidden(&loaded.row.code, secret),
            ));
        }
        Ok(None) => {}
        Err(e) => return Err(crate::problem::Problem::from(e).into_response()),
    }
    Ok(page)
}

fn hidden(code: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![("ma", code.to_string()), ("ma-tra-cuu", secret.to_string())]
}

/// Who reads the page: anyone, a staff member, or an applicant (who may send documents asked
/// for on a dossier their account submitted).
pub(crate) struct Viewer(Option<Person>);

impl Viewer {
    fn layout(&self, state: &AppState) -> Layout {
        let layout = Layout::new(state, "Tra cứu hồ sơ").active("lookup");
        match &self.0 {
            Some(Person::Staff(staff)) => layout.signed_in(staff),
            Some(Person::Applicant(user)) => {
                let mut layout = layout;
                layout.user_name = Some(user.full_name.clone());
                layout
            }
            None => layout,
        }
    }

    fn applicant(&self) -> Option<&UserRow> {
        match &self.0 {
            Some(Person::Applicant(user)) => Some(user),
            _ => None,
        }
    }
}

impl axum::extract::FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Viewer(Person::from_request_parts(parts, state).await.ok()))
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LookupQuery>,
) -> Response {
    let code = q.ma.clone().unwrap_or_default().trim().to_string();
    let secret = q.secret.clone().unwrap_or_default();
    match page(&state, &viewer, &code, &secret).await {
        Ok(mut page) => {
            page.thanked = q.evaluated.is_some() && page.evaluation.is_some();
            render(StatusCode::OK, page)
        }
        Err(response) => response,
    }
}

/// The evaluation form posted from the lookup page: kept, then the page again (thanking); or the
/// page with the form as typed and each problem beside its question.
pub(crate) async fn evaluate(
    State(state): State<AppState>,
    viewer: Viewer,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Response {
    let code = fields.get("ma").map_or("", |c| c.trim()).to_string();
    let secret = fields.get("ma-tra-cuu").cloned().unwrap_or_default();
    let answers = Answers::from_fields(|name| fields.get(name).cloned());
    let proof = Proof::Secret {
        secret: &secret,
        api: false,
    };
    let kept =
        evaluations::evaluate(&state, &code, &proof, &answers, &peer.ip().to_string(), "").await;
    let problem = match kept {
        Ok(_) => {
            return Redirect::to(&format!(
                "/tra-cuu?ma={}&ma-tra-cuu={}&da-danh-gia=1",
                encode_component(&code),
                encode_component(&secret)
            ))
            .into_response();
        }
        Err(p) if p.status >= 500 => return p.into_response(),
        Err(p) => p,
    };
    let mut page = match page(&state, &viewer, &code, &secret).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    if problem.status == 404 {
        return render(StatusCode::NOT_FOUND, page);
    }
    if page.evaluation_form.is_some() {
        // Refused for what was typed: the form again, as typed, each problem beside its field.
        page.evaluation_form = Some(evaluations::Form::typed(
            EVALUATE.into(),
            hidden(&code, &secret),
            &answers,
            Some(&problem),
        ));
    } else {
        // Evaluated before (another tab, a second click: the first evaluation stands), or not
        // returned yet.
        page.error = problem.detail.clone();
    }
    render(problem.status(), page)
}
