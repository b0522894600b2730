//! `POST /api/v1/lookup/{code}/evaluation`: the applicant's evaluation of a returned dossier,
//! proved by the lookup secret, as the public lookup is.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::evaluation::{INDICATORS, Indicator, MAX_TOTAL};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::json_body;
use crate::AppState;
use crate::dossiers::rfc3339;
use crate::evaluations::{self, Answers, Proof};
use crate::problem::Problem;

/// The nine indicators (DOMAIN §8), each 0, 1 or 2 points.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct Scores {
    /// Total time against the legal time limit: 2 earlier than promised, 1 on time, 0 late.
    #[schema(maximum = 2)]
    total_time: u8,
    /// Time at each agency: 2 every agency on time, 1 one agency late, 0 several late.
    #[schema(maximum = 2)]
    agency_time: u8,
    /// Contacts needed to complete the dossier: 2 none, 1 one, 0 two or more.
    #[schema(maximum = 2)]
    contacts: u8,
    /// Agencies contacted: 2 only one, 1 two, 0 three or more.
    #[schema(maximum = 2)]
    agencies_contacted: u8,
    /// Handled at the one-stop desk: 2 submitted and collected there (or online), 1 had to go
    /// elsewhere too, 0 not through the desk.
    #[schema(maximum = 2)]
    one_stop: u8,
    /// The procedure publicly posted: 2 complete and easy to find, 1 incomplete or hard to
    /// find, 0 not posted.
    #[schema(maximum = 2)]
    publicly_posted: u8,
    /// Staff attitude: 2 courteous and helpful, 1 ordinary, 0 discourteous.
    #[schema(maximum = 2)]
    staff_attitude: u8,
    /// Handling of feedback: 2 answered fully and on time (or none given), 1 late or partly,
    /// 0 not answered.
    #[schema(maximum = 2)]
    feedback_handling: u8,
    /// Online service quality: 2 easy (or not used), 1 usable with difficulty, 0 unusable.
    #[schema(maximum = 2)]
    online_service: u8,
}

/// An evaluation to give.
#[derive(Debug, Deserialize, ToSchema)]
#[expect(
    dead_code,
    reason = "the body's schema for the OpenAPI document; `read` takes it field by field, to name each bad one"
)]
pub(crate) struct EvaluationRequest {
    /// The lookup secret printed on the receipt.
    #[schema(example = "K7M2QX9PDR4T")]
    secret: String,
    scores: Scores,
    /// An optional comment, at most 2,000 characters.
    comment: Option<String>,
}

/// An evaluation as kept.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EvaluationView {
    code: String,
    scores: Scores,
    /// The points, out of `max` (18).
    total: u32,
    max: u32,
    comment: String,
    /// RFC 3339, Vietnam time.
    evaluated_at: String,
}

/// The request's fields, each checked for its type; the scores are checked by the rules.
fn read(body: &Bytes) -> Result<(String, Answers), Problem> {
    let mut map = json_body(body)?;
    if let Some(unknown) = map
        .keys()
        .find(|k| !["secret", "scores", "comment"].contains(&k.as_str()))
    {
        return Err(Problem::invalid(
            unknown.clone(),
            "Trường không có trong yêu cầu đánh giá (chỉ nhận secret, scores, comment).",
        ));
    }
    let secret = match map.remove("secret") {
        Some(serde_json::Value::String(s)) => s,
        _ => {
            return Err(Problem::invalid(
                "secret",
                "Cần ghi secret: mã tra cứu in trên giấy tiếp nhận hồ sơ (chuỗi).",
            ));
        }
    };
    let comment = match map.remove("comment") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(Problem::invalid("comment", "Góp ý phải là một chuỗi.")),
    };
    let mut scores = match map.remove("scores") {
        Some(serde_json::Value::Object(m)) => m,
        _ => {
            return Err(Problem::invalid(
                "scores",
                "Cần ghi scores: một đối tượng chấm chín tiêu chí, mỗi tiêu chí 0, 1 hoặc 2.",
            ));
        }
    };
    if let Some(unknown) = scores.keys().find(|k| Indicator::from_code(k).is_none()) {
        return Err(Problem::invalid(
            format!("scores.{unknown}"),
            format!(
                "Không có tiêu chí “{unknown}”; các tiêu chí: {}.",
                INDICATORS.map(|i| i.code()).join(", ")
            ),
        ));
    }
    let answers = Answers {
        scores: INDICATORS.map(|i| match scores.remove(i.code()) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(other) => Some(other.to_string()),
        }),
        comment,
    };
    Ok((secret, answers))
}

/// The applicant evaluates a returned dossier (nine indicators × 2 points = 18), once. Proved by
/// the lookup secret; without the right one the dossier does not exist.
#[utoipa::path(
    post,
    path = "/api/v1/lookup/{code}/evaluation",
    tag = "dossiers",
    params(("code" = String, Path, description = "The dossier code")),
    request_body(content = EvaluationRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Kept", body = EvaluationView),
        (status = 404, description = "No dossier with this code and secret", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not returned yet (`not-returned`), or evaluated before (`already-evaluated`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or wrong; `errors` names it (e.g. `scores.staff_attitude`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn evaluate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let (secret, answers) = read(&body)?;
        let proof = Proof::Secret {
            secret: &secret,
            api: true,
        };
        let row = evaluations::evaluate(
            &state,
            &code,
            &proof,
            &answers,
            &peer.ip().to_string(),
            "scores.",
        )
        .await?;
        let e = &row.evaluation;
        let score = |i: Indicator| e.score(i);
        Ok::<_, Problem>(EvaluationView {
            code: code.trim().to_string(),
            scores: Scores {
                total_time: score(Indicator::TotalTime),
                agency_time: score(Indicator::AgencyTime),
                contacts: score(Indicator::Contacts),
                agencies_contacted: score(Indicator::AgenciesContacted),
                one_stop: score(Indicator::OneStop),
                publicly_posted: score(Indicator::PubliclyPosted),
                staff_attitude: score(Indicator::StaffAttitude),
                feedback_handling: score(Indicator::FeedbackHandling),
                online_service: score(Indicator::OnlineService),
            },
            total: e.total(),
            max: MAX_TOTAL,
            comment: e.comment.clone(),
            evaluated_at: rfc3339(row.evaluated_at),
        })
    }
    .await;
    match result {
        Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
        Err(p) => p.into_response(),
    }
}
