//! The applicant's evaluation of a returned dossier, between the request and the store: who may
//! evaluate (whoever holds the code and lookup secret, or the applicant account that submitted
//! it), when (once, after the return), what was typed, and how it is shown. The lookup page, the
//! applicant's page and the API all come through here.
//!
//! The evaluation is not an event of the dossier. DESIGN.md's invariant is that a dossier
//! *changes* only by appending events, and that the control sheet, register, statistics and
//! national status derive from them: an evaluation changes none of those (the stage stays
//! "returned", national status 10), and its author may be anyone holding the lookup secret, not
//! an actor of the workflow. So it lives in its own table, one row per dossier, append-only in
//! the database like the log, and audited in the same transaction.

use motcua_calendar::Instant;
use motcua_domain::evaluation::{Evaluation, INDICATORS, may_evaluate};
use motcua_store::{AuditEntry, EvaluateError, EvaluationRow, NewEvaluation, UserRow};

use crate::AppState;
use crate::dossiers::{self, Loaded};
use crate::due::now;
use crate::problem::Problem;

/// How the applicant proves the dossier is theirs.
pub(crate) enum Proof<'a> {
    /// The code and lookup secret printed on the receipt; `api` says it came through the API.
    Secret { secret: &'a str, api: bool },
    /// Signed in as the applicant account that submitted the dossier.
    Account(&'a UserRow),
}

/// What was typed, before checking: each indicator's answer (by [`INDICATORS`] order) and the
/// comment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answers {
    pub scores: [Option<String>; 9],
    pub comment: String,
}

impl Answers {
    /// Reads the answers from form fields named by the indicators' codes.
    pub fn from_fields(get: impl Fn(&str) -> Option<String>) -> Answers {
        Answers {
            scores: INDICATORS.map(|i| get(i.code())),
            comment: get("comment").unwrap_or_default(),
        }
    }
}

fn not_found() -> Problem {
    Problem::not_found("Không có hồ sơ với mã và mã tra cứu này.")
}

/// The dossier, if `proof` shows it is the applicant's; else "not found", as the lookup answers.
pub(crate) async fn dossier_of(
    state: &AppState,
    code: &str,
    proof: &Proof<'_>,
) -> Result<Loaded, Problem> {
    let row = state
        .db
        .dossier_by_code(code.trim())
        .await?
        .ok_or_else(not_found)?;
    let theirs = match proof {
        Proof::Secret { secret, .. } => dossiers::secret_matches(&row.lookup_hash, secret),
        Proof::Account(user) => row.applicant_login.as_deref() == Some(user.login.as_str()),
    };
    if !theirs {
        return Err(not_found());
    }
    dossiers::unpack(row)
}

fn already(code: &str, row: &EvaluationRow) -> Problem {
    Problem::new(
        axum::http::StatusCode::CONFLICT,
        "already-evaluated",
        "Hồ sơ đã được đánh giá",
    )
    .detail(format!(
        "Hồ sơ {code} đã được đánh giá lúc {}. Mỗi hồ sơ chỉ được đánh giá một lần.",
        Instant(row.evaluated_at).vn()
    ))
}

fn not_returned(code: &str, reason: &str) -> Problem {
    Problem::new(
        axum::http::StatusCode::CONFLICT,
        "not-returned",
        "Hồ sơ chưa trả kết quả",
    )
    .detail(format!("Hồ sơ {code}: {reason}"))
}

/// Why an evaluation cannot be given now (already given, or not returned), if it cannot.
pub(crate) async fn closed(state: &AppState, loaded: &Loaded) -> Result<Option<Problem>, Problem> {
    if let Some(row) = state.db.evaluation(loaded.row.id).await? {
        return Ok(Some(already(&loaded.row.code, &row)));
    }
    Ok(may_evaluate(loaded.dossier.stage)
        .err()
        .map(|e| not_returned(&loaded.row.code, e.vietnamese())))
}

/// Keeps the applicant's evaluation of dossier `code`. Each field error names the indicator's
/// code with `prefix` before it (`scores.` in the API, nothing in forms).
pub(crate) async fn evaluate(
    state: &AppState,
    code: &str,
    proof: &Proof<'_>,
    answers: &Answers,
    ip: &str,
    prefix: &str,
) -> Result<EvaluationRow, Problem> {
    let loaded = dossier_of(state, code, proof).await?;
    if let Some(problem) = closed(state, &loaded).await? {
        return Err(problem);
    }
    let evaluation = Evaluation::check(&answers.scores, &answers.comment).map_err(|problems| {
        let mut problem = Problem::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Dữ liệu không hợp lệ",
        )
        .detail("Chấm đủ chín tiêu chí, mỗi tiêu chí 0, 1 hoặc 2 điểm.");
        for p in problems {
            let field = if p.field == "comment" {
                p.field
            } else {
                format!("{prefix}{}", p.field)
            };
            problem = problem.field(field, p.reason);
        }
        problem
    })?;
    let (channel, login, actor_id) = match proof {
        Proof::Secret { api: true, .. } => ("api", None, None),
        Proof::Secret { api: false, .. } => ("lookup", None, None),
        Proof::Account(user) => ("account", Some(user.login.as_str()), Some(user.id)),
    };
    let at = now().0;
    let detail = serde_json::json!({"total": evaluation.total(), "channel": channel}).to_string();
    let mut tx = state.db.begin().await?;
    let kept = tx
        .insert_evaluation(&NewEvaluation {
            dossier_id: loaded.row.id,
            evaluation: &evaluation,
            channel,
            applicant_login: login,
            at,
        })
        .await;
    match kept {
        Ok(()) => {}
        Err(EvaluateError::Store(e)) => return Err(e.into()),
        // Another request got there between the check above and this one.
        Err(EvaluateError::AlreadyEvaluated | EvaluateError::NotReturned) => {
            drop(tx);
            return Err(closed(state, &loaded)
                .await?
                .unwrap_or_else(|| not_returned(&loaded.row.code, "")));
        }
    }
    tx.audit(&AuditEntry {
        actor_id,
        actor_login: login.unwrap_or(""),
        ip,
        action: "dossier_evaluated",
        object_type: "dossier",
        object_id: &loaded.row.code,
        detail: &detail,
    })
    .await?;
    tx.commit().await?;
    Ok(EvaluationRow {
        dossier_id: loaded.row.id,
        evaluation,
        channel: channel.to_string(),
        applicant_login: login.map(str::to_string),
        evaluated_at: at,
    })
}

/// One indicator of a kept evaluation, for a page.
pub(crate) struct ShownScore {
    pub question: &'static str,
    pub score: u8,
    pub label: &'static str,
}

/// A kept evaluation as pages show it (read-only).
pub(crate) struct Shown {
    pub total: u32,
    pub at: String,
    pub by: &'static str,
    pub scores: Vec<ShownScore>,
    pub comment: String,
}

impl Shown {
    pub fn of(row: &EvaluationRow) -> Shown {
        Shown {
            total: row.evaluation.total(),
            at: Instant(row.evaluated_at).vn(),
            by: match row.channel.as_str() {
                "account" => "qua tài khoản của người nộp",
                "api" => "qua API, bằng mã tra cứu",
                _ => "trên trang tra cứu, bằng mã tra cứu",
            },
            scores: INDICATORS
                .iter()
                .map(|i| ShownScore {
                    question: i.question(),
                    score: row.evaluation.score(*i),
                    label: i.label(row.evaluation.score(*i)),
                })
                .collect(),
            comment: row.evaluation.comment.clone(),
        }
    }
}

/// One answer of a question on the form.
pub(crate) struct Option3 {
    pub value: u8,
    pub label: &'static str,
    pub checked: bool,
}

/// One question on the form, with what was typed and what is wrong with it.
pub(crate) struct Question {
    pub code: &'static str,
    pub text: &'static str,
    pub options: Vec<Option3>,
    pub error: Option<String>,
}

/// The evaluation form, empty or as typed with its problems.
pub(crate) struct Form {
    /// Where it posts.
    pub action: String,
    /// Hidden fields it carries (the code and secret on the lookup page).
    pub hidden: Vec<(&'static str, String)>,
    pub questions: Vec<Question>,
    pub comment: String,
    pub comment_error: Option<String>,
    /// A problem with the whole form (shown above it).
    pub error: Option<String>,
}

impl Form {
    pub fn new(action: String, hidden: Vec<(&'static str, String)>) -> Form {
        Form::typed(action, hidden, &Answers::default(), None)
    }

    /// The form as typed, with the problem each field has (from a refused [`evaluate`]).
    pub fn typed(
        action: String,
        hidden: Vec<(&'static str, String)>,
        answers: &Answers,
        problem: Option<&Problem>,
    ) -> Form {
        let error_of = |field: &str| {
            problem.and_then(|p| {
                p.errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| e.reason.clone())
            })
        };
        let questions = INDICATORS
            .iter()
            .zip(&answers.scores)
            .map(|(indicator, typed)| Question {
                code: indicator.code(),
                text: indicator.question(),
                // The best answer first, as people read a scale.
                options: [2u8, 1, 0]
                    .into_iter()
                    .map(|value| Option3 {
                        value,
                        label: indicator.label(value),
                        checked: typed.as_deref().map(str::trim) == Some(&value.to_string()),
                    })
                    .collect(),
                error: error_of(indicator.code()),
            })
            .collect();
        Form {
            action,
            hidden,
            questions,
            comment: answers.comment.clone(),
            comment_error: error_of("comment"),
            error: problem.map(|p| p.detail.clone().unwrap_or_else(|| p.title.clone())),
        }
    }
}
