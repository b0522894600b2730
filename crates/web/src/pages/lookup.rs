//! The public lookup (tra cứu hồ sơ): a dossier's status by its code and the secret printed on
//! the receipt, in plain Vietnamese, with what is missing when more was asked for.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::api::{PublicStatus, public_status};
use crate::auth::{Applicant, Denied, Staff};

#[derive(Deserialize, Default)]
pub(crate) struct LookupQuery {
    ma: Option<String>,
    #[serde(rename = "ma-tra-cuu")]
    secret: Option<String>,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    layout: Layout,
    code: String,
    status: Option<PublicStatus>,
    error: Option<String>,
    /// Documents asked of the applicant, and the form to send them (`online::lookup_offer`).
    supplement: Option<super::online::Offer>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Result<Staff, Denied>,
    applicant: Result<Applicant, Denied>,
    Query(q): Query<LookupQuery>,
) -> Response {
    let applicant = applicant.ok().map(|Applicant(user)| user);
    let code = q.ma.clone().unwrap_or_default().trim().to_string();
    let secret = q.secret.clone().unwrap_or_default();
    let mut page = LookupPage {
        layout: Layout::new(&state, "Tra cứu hồ sơ")
            .maybe_signed_in(staff.ok().as_ref())
            .active("lookup"),
        code: code.clone(),
        status: None,
        error: None,
        supplement: None,
    };
    if let Some(user) = &applicant {
        page.layout.user_name = Some(user.full_name.clone());
    }
    if code.is_empty() && secret.is_empty() {
        return render(StatusCode::OK, page);
    }
    match public_status(&state, &code, &secret).await {
        Ok(status) => {
            page.status = Some(status);
            page.supplement =
                super::online::lookup_offer(&state, applicant.as_ref(), &code, &secret).await;
            render(StatusCode::OK, page)
        }
        Err(p) if p.status == 404 => {
            page.error = Some(
                "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Kiểm tra lại hai mã in trên giấy biên nhận."
                    .into(),
            );
            // A search that found nothing: the page answers, with the reason.
            render(StatusCode::OK, page)
        }
        Err(p) => p.into_response(),
    }
}
