//! `/api/v1/dossiers`: opening a dossier, reading one and its timeline, lists, one endpoint per
//! transition, and the public lookup by code and secret.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_calendar::{Instant, deadline};
use motcua_domain::dossier::event::read_timeline;
use motcua_domain::dossier::{Command, Stage};
use motcua_domain::organisation::access::Action;
use motcua_store::{DossierFilter, DossierRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Denied, Person};
use crate::dossiers::{self, Loaded, rfc3339};
use crate::due::now;
use crate::problem::Problem;

/// A dossier as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DossierView {
    #[schema(example = "H99.01.50-260302-0007")]
    code: String,
    /// Name it when acting on the dossier: a stale version is refused with 409.
    version: i64,
    /// `submitted`, `completion_requested`, `refused`, `received`, `processing`,
    /// `supplement_requested`, `payment_requested`, `withdrawal_requested`, `stopped`, `done`,
    /// `returned`.
    stage: &'static str,
    /// The national status code (1 Mới đăng ký … 10 Đã trả kết quả) and its name.
    national_status: u8,
    national_status_name: &'static str,
    /// `counter`, `online`, `post`, and the national channel code (1, 2, 3).
    channel: &'static str,
    national_channel: u8,
    procedure: String,
    procedure_version: i64,
    sector: String,
    applicant_name: String,
    desk_agency: String,
    deciding_agency: String,
    /// The workflow step (0: the desk's receipt) and the officer it was handed to.
    step: i64,
    assignee: Option<String>,
    submitted_at: String,
    received_at: Option<String>,
    /// The appointment (ngày hẹn trả), RFC 3339 Vietnam time, and as on the receipt.
    due: Option<String>,
    due_display: Option<String>,
    original_due: Option<String>,
    /// Open: `within_time` or `overdue` now; finished: `early`, `on_time` or `late`.
    classification: Option<&'static str>,
    paused: bool,
    supplements: u32,
    extended: bool,
    /// The lookup secret to print on the receipt: only in the answer that created the dossier.
    #[serde(skip_serializing_if = "Option::is_none")]
    lookup_secret: Option<String>,
}

fn view(l: &Loaded, secret: Option<String>) -> DossierView {
    let d = &l.dossier;
    let classification = match (d.outcome, d.due) {
        (Some(outcome), _) => Some(match outcome {
            motcua_calendar::Finished::Early => "early",
            motcua_calendar::Finished::OnTime => "on_time",
            motcua_calendar::Finished::Late => "late",
        }),
        (None, Some(due)) if !d.stage.is_final() => Some(
            match deadline::classify_open(now(), Instant(due), motcua_calendar::Granularity::Day) {
                motcua_calendar::Open::WithinTime if !d.counts_late => "within_time",
                _ => "overdue",
            },
        ),
        _ => None,
    };
    DossierView {
        code: l.row.code.clone(),
        version: l.row.version,
        stage: d.stage.code(),
        national_status: d.stage.national_code(),
        national_status_name: d.stage.national_name(),
        channel: dossiers::channel_code(d.channel),
        national_channel: d.channel.national_code(),
        procedure: l.row.procedure_code.clone(),
        procedure_version: l.row.procedure_version,
        sector: l.row.sector.clone(),
        applicant_name: d.application.applicant.name.clone(),
        desk_agency: d.application.desk_agency.clone(),
        deciding_agency: d.application.deciding_agency.clone(),
        step: d.step as i64,
        assignee: d.assignee.clone(),
        submitted_at: rfc3339(d.submitted_at),
        received_at: d.received_at.map(rfc3339),
        due: d.due.map(rfc3339),
        due_display: d.due.map(|t| Instant(t).vn()),
        original_due: d.original_due.map(rfc3339),
        classification,
        paused: d.paused_since.is_some(),
        supplements: d.supplements,
        extended: d.extended,
        lookup_secret: secret,
    }
}

/// The body as JSON, or a problem that says where it is malformed.
pub(crate) fn json_body(
    body: &Bytes,
) -> Result<serde_json::Map<String, serde_json::Value>, Problem> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(Problem::invalid(
            "body",
            "Nội dung phải là một đối tượng JSON.",
        )),
        Err(e) => Err(Problem::invalid(
            "body",
            format!(
                "JSON không hợp lệ (dòng {}, cột {}): {e}",
                e.line(),
                e.column()
            ),
        )),
    }
}

fn command_from(
    mut map: serde_json::Map<String, serde_json::Value>,
    action: &str,
) -> Result<Command, Problem> {
    map.insert("action".into(), serde_json::Value::String(action.into()));
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
        let message = e.to_string();
        // serde names the field in its message ("missing field `reason`", "unknown field `x`").
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| message.contains("field"))
            .unwrap_or("body")
            .to_string();
        Problem::invalid(field, format!("Dữ liệu không hợp lệ: {message}"))
    })
}

async fn person(p: Result<Person, Denied>) -> Result<Person, Response> {
    p.map_err(IntoResponse::into_response)
}

/// Opens a dossier. Staff: `{"action": "receive" | "request_completion" | "refuse", "channel":
/// "counter" | "post", "application": {…}}`; an applicant: `{"action": "submit", "application":
/// {…}}`. An `Idempotency-Key` header makes a retry return the same dossier.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers",
    tag = "dossiers",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A key of the client's choosing; the same key returns the same dossier")),
    request_body(content = Object, description = "A command that opens a dossier", content_type = "application/json"),
    responses(
        (status = 201, description = "Opened; the answer carries the lookup secret once", body = DossierView),
        (status = 200, description = "A retry with the same Idempotency-Key: the dossier made before", body = DossierView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a desk officer of that agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or wrong; `errors` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let who = match person(who).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = async {
        let mut map = json_body(&body)?;
        let action = match map.remove("action") {
            Some(serde_json::Value::String(a)) => a,
            _ => {
                return Err(Problem::invalid(
                    "action",
                    "Cần ghi action: submit, receive, request_completion hoặc refuse.",
                ));
            }
        };
        let command = command_from(map, &action)?;
        let key = headers
            .get("idempotency-key")
            .map(|v| v.to_str().unwrap_or_default().to_string());
        dossiers::open(&state, &who, command, key.as_deref()).await
    }
    .await;
    match result {
        Ok(opened) => {
            let status = if opened.secret.is_some() {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(view(&opened.loaded, opened.secret))).into_response()
        }
        Err(p) => p.into_response(),
    }
}

/// A dossier, for staff within reach and for the applicant who submitted it.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}",
    tag = "dossiers",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier code")),
    responses(
        (status = 200, description = "The dossier", body = DossierView),
        (status = 404, description = "No such dossier within your reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Path(code): Path<String>,
) -> Response {
    let who = match person(who).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = async {
        let loaded = dossiers::load(&state, &code).await?;
        dossiers::may(&state, &who, &loaded.row, Action::ReadDossiers).await?;
        Ok::<_, Problem>(view(&loaded, None))
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

/// One event of the timeline, with its place in the hash chain.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventView {
    seq: i64,
    kind: String,
    /// What happened, in Vietnamese.
    description: String,
    at: String,
    actor: String,
    actor_role: String,
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    prev_hash: String,
    hash: String,
}

/// The dossier's events in order (the control sheet's source).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/events",
    tag = "dossiers",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The dossier code")),
    responses(
        (status = 200, description = "The events", body = [EventView]),
        (status = 404, description = "No such dossier within your reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn events(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Path(code): Path<String>,
) -> Response {
    let who = match person(who).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = async {
        let loaded = dossiers::load(&state, &code).await?;
        dossiers::may(&state, &who, &loaded.row, Action::ReadDossiers).await?;
        let events = dossiers::timeline(&state, &loaded.row).await?;
        let procedure = dossiers::procedure_of(&state, &loaded.row).await?;
        let (_, steps) = procedure.workflow_for(&loaded.dossier.application.deciding_agency);
        Ok::<_, Problem>(
            events
                .into_iter()
                .map(|(r, e)| EventView {
                    seq: r.seq,
                    kind: r.kind,
                    description: e.describe(steps),
                    at: rfc3339(r.at),
                    actor: r.actor,
                    actor_role: r.actor_role,
                    payload: serde_json::from_str(&r.payload).unwrap_or_default(),
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                })
                .collect::<Vec<_>>(),
        )
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Stages, comma-separated (`processing,supplement_requested`).
    stage: Option<String>,
    /// A sector code.
    sector: Option<String>,
    /// Only dossiers due before this day (`YYYY-MM-DD`, Vietnam time, exclusive).
    due_before: Option<String>,
    /// `true`: only open dossiers already past their due date.
    overdue: Option<String>,
    /// `me`: only those handed to the caller.
    assignee: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    /// At most this many (1–200, default 50).
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DossierPage {
    items: Vec<DossierView>,
    /// Pass as `after` for the next page; absent on the last.
    next: Option<String>,
}

const OPEN_STAGES: [Stage; 6] = [
    Stage::Received,
    Stage::Processing,
    Stage::SupplementRequested,
    Stage::PaymentRequested,
    Stage::WithdrawalRequested,
    Stage::Done,
];

/// Dossiers within the caller's reach (an applicant: their own), soonest due first.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers",
    tag = "dossiers",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of dossiers", body = DossierPage),
        (status = 422, description = "A filter is wrong", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Query(q): Query<ListQuery>,
) -> Response {
    let who = match person(who).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = async {
        let mut filter = DossierFilter {
            limit: q.limit.unwrap_or(50).clamp(1, 200),
            sector: q.sector.clone().filter(|s| !s.is_empty()),
            ..Default::default()
        };
        match &who {
            Person::Applicant(user) => filter.applicant_login = Some(user.login.clone()),
            Person::Staff(staff) => {
                let reach = staff
                    .reach(&state, Action::ReadDossiers, true)
                    .await
                    .map_err(|_| {
                        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Không có quyền")
                            .detail("Vai trò của bạn không xem được hồ sơ.")
                    })?;
                filter.agencies = reach.filter();
                if q.assignee.as_deref() == Some("me") {
                    filter.assignee = Some(staff.user.login.clone());
                }
            }
        }
        if let Some(stages) = q.stage.as_deref().filter(|s| !s.is_empty()) {
            for s in stages.split(',') {
                let stage = Stage::from_code(s.trim()).ok_or_else(|| {
                    Problem::invalid("stage", format!("Không có trạng thái “{s}”."))
                })?;
                filter.stages.push(stage.code().into());
            }
        }
        if let Some(day) = q.due_before.as_deref().filter(|s| !s.is_empty()) {
            let day = motcua_calendar::Date::parse(day).map_err(|_| {
                Problem::invalid(
                    "due_before",
                    format!("“{day}” không phải ngày (YYYY-MM-DD)."),
                )
            })?;
            filter.due_before = Some(Instant::from_local(day, 0).0);
        }
        if q.overdue.as_deref() == Some("true") {
            // Past the due day: due before the start of today.
            let today = Instant::from_local(now().local_date(), 0).0;
            filter.due_before = Some(filter.due_before.map_or(today, |d| d.min(today)));
            if filter.stages.is_empty() {
                filter.stages = OPEN_STAGES
                    .iter()
                    .filter(|s| **s != Stage::Done)
                    .map(|s| s.code().into())
                    .collect();
            }
        }
        if let Some(cursor) = q.after.as_deref().filter(|s| !s.is_empty()) {
            filter.after = Some(dossiers::decode_cursor(cursor)?);
        }
        let rows: Vec<DossierRow> = state.db.dossiers(&filter).await?;
        let next = (rows.len() as i64 == filter.limit)
            .then(|| {
                rows.last()
                    .map(|r| dossiers::encode_cursor(r.due_at.unwrap_or(i64::MAX), r.id))
            })
            .flatten();
        let items = rows
            .into_iter()
            .map(|row| {
                let loaded = dossiers::unpack(row)?;
                Ok(view(&loaded, None))
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        Ok::<_, Problem>(DossierPage { items, next })
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

/// Acting on a dossier: every transition takes `{"version": n, …}` and answers the dossier.
async fn transition(
    state: AppState,
    who: Result<Person, Denied>,
    code: String,
    body: Bytes,
    action: &str,
) -> Response {
    let who = match person(who).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = async {
        let mut map = json_body(&body)?;
        let version = match map.remove("version") {
            Some(serde_json::Value::Number(n)) if n.as_i64().is_some() => {
                n.as_i64().unwrap_or_default()
            }
            _ => {
                return Err(Problem::invalid(
                    "version",
                    "Cần ghi version: phiên bản hồ sơ đã đọc (số).",
                ));
            }
        };
        let command = command_from(map, action)?;
        dossiers::act(&state, &who, &code, version, command).await
    }
    .await;
    match result {
        Ok(loaded) => Json(view(&loaded, None)).into_response(),
        Err(p) => p.into_response(),
    }
}

macro_rules! transitions {
    ($($name:ident, $path:literal, $action:literal, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            #[utoipa::path(
                post,
                path = $path,
                tag = "dossier transitions",
                security(("bearer" = [])),
                params(("code" = String, Path, description = "The dossier code")),
                request_body(content = Object, description = $doc, content_type = "application/json"),
                responses(
                    (status = 200, description = "The dossier after the transition", body = DossierView),
                    (status = 403, description = "Your role may not do this at this step", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such dossier within your reach", body = Problem, content_type = "application/problem+json"),
                    (status = 409, description = "The dossier changed (stale version) or is in a stage that does not allow this", body = Problem, content_type = "application/problem+json"),
                    (status = 422, description = "A field is missing or wrong; `errors` names it", body = Problem, content_type = "application/problem+json"),
                )
            )]
            pub(crate) async fn $name(
                State(state): State<AppState>,
                who: Result<Person, Denied>,
                Path(code): Path<String>,
                body: Bytes,
            ) -> Response {
                transition(state, who, code, body, $action).await
            }
        )*
    };
}

transitions! {
    receive, "/api/v1/dossiers/{code}/receive", "receive", "Receives a dossier submitted online (Mẫu 01): `{\"version\"}`.";
    request_completion, "/api/v1/dossiers/{code}/request-completion", "request_completion", "Before receipt, asks to complete it (Mẫu 02): `{\"version\", \"missing\": [...], \"reason\"}`.";
    provide_completion, "/api/v1/dossiers/{code}/provide-completion", "provide_completion", "The applicant completes it: `{\"version\", \"components\": [...]}`.";
    refuse, "/api/v1/dossiers/{code}/refuse", "refuse", "Refuses it (Mẫu 03): `{\"version\", \"reasons\"}`.";
    hand_over, "/api/v1/dossiers/{code}/hand-over", "hand_over", "Hands it to the next workflow step: `{\"version\", \"to_user\"?, \"note\"?}`.";
    send_back, "/api/v1/dossiers/{code}/send-back", "send_back", "Sends it back a step: `{\"version\", \"reason\", \"to_user\"?}`.";
    request_supplement, "/api/v1/dossiers/{code}/request-supplement", "request_supplement", "Asks the applicant for a supplement; the clock pauses: `{\"version\", \"reason\", \"items\": [...], \"applicant_due\": \"YYYY-MM-DD\", \"second_reason\"?}`.";
    provide_supplement, "/api/v1/dossiers/{code}/provide-supplement", "provide_supplement", "The supplement came; the clock runs again: `{\"version\", \"components\"?}`.";
    request_payment, "/api/v1/dossiers/{code}/request-payment", "request_payment", "Asks for a payment; the clock pauses: `{\"version\", \"amount\", \"reason\"}`.";
    confirm_payment, "/api/v1/dossiers/{code}/confirm-payment", "confirm_payment", "The payment was made: `{\"version\"}`.";
    propose_extension, "/api/v1/dossiers/{code}/propose-extension", "propose_extension", "Apology and a new date (Mẫu 04), at least a working day before the due: `{\"version\", \"reason\", \"due\": microseconds}`.";
    consult, "/api/v1/dossiers/{code}/consult", "consult", "Asks a coordinating agency (liên thông): `{\"version\", \"agency\", \"request\"}`.";
    answer_consult, "/api/v1/dossiers/{code}/answer-consult", "answer_consult", "Records a coordinating agency's answer: `{\"version\", \"agency\", \"answer\"}`.";
    request_withdrawal, "/api/v1/dossiers/{code}/request-withdrawal", "request_withdrawal", "The applicant asks to withdraw it: `{\"version\", \"reason\"}`.";
    stop, "/api/v1/dossiers/{code}/stop", "stop", "Stops it before a decision (Mẫu 05): `{\"version\", \"reason\"}`.";
    complete, "/api/v1/dossiers/{code}/complete", "complete", "Decided; early, on time or late is fixed: `{\"version\", \"result\"}`.";
    return_result, "/api/v1/dossiers/{code}/return", "return", "The result was handed over: `{\"version\", \"channel\": \"counter\" | \"post\" | \"online\"}`.";
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LookupQuery {
    /// The lookup secret printed on the receipt.
    secret: Option<String>,
}

/// One line of the public timeline: when, and what, in plain Vietnamese (no officer names).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicEvent {
    pub(crate) at: String,
    pub(crate) description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicStatus {
    pub(crate) code: String,
    pub(crate) procedure: String,
    pub(crate) applicant_name: String,
    pub(crate) national_status: u8,
    pub(crate) national_status_name: &'static str,
    pub(crate) received_at: Option<String>,
    pub(crate) due: Option<String>,
    pub(crate) due_display: Option<String>,
    /// What to bring, when a supplement or completion was asked for and not yet given.
    pub(crate) missing: Vec<String>,
    pub(crate) timeline: Vec<PublicEvent>,
}

/// A dossier's status for its applicant, by code and the secret printed on the receipt. Without
/// the right secret it answers as if there were no such dossier.
#[utoipa::path(
    get,
    path = "/api/v1/lookup/{code}",
    tag = "dossiers",
    params(("code" = String, Path, description = "The dossier code"), LookupQuery),
    responses(
        (status = 200, description = "The status", body = PublicStatus),
        (status = 404, description = "No dossier with this code and secret", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn lookup(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LookupQuery>,
) -> Response {
    match public_status(&state, &code, q.secret.as_deref().unwrap_or("")).await {
        Ok(s) => Json(s).into_response(),
        Err(p) => p.into_response(),
    }
}

pub(crate) async fn public_status(
    state: &AppState,
    code: &str,
    secret: &str,
) -> Result<PublicStatus, Problem> {
    let not_found = || Problem::not_found("Không có hồ sơ với mã và mã tra cứu này.");
    let row = state
        .db
        .public_status(code.trim())
        .await?
        .ok_or_else(not_found)?;
    if !dossiers::secret_matches(&row.lookup_hash, secret) {
        return Err(not_found());
    }
    let unreadable = |what: String| Problem::from(motcua_store::StoreError::Internal(what));
    let lines = read_timeline(&row.timeline)
        .map_err(|e| unreadable(format!("dossier {} timeline cannot be read: {e}", row.code)))?;
    let stage = Stage::from_code(&row.stage)
        .ok_or_else(|| unreadable(format!("dossier {} stage “{}”", row.code, row.stage)))?;
    // What the last request for documents asked for, while it waits for them.
    let missing = lines
        .iter()
        .rev()
        .find_map(|(_, line)| line.requested())
        .filter(|(asked_in, _)| *asked_in == stage)
        .map(|(_, what)| what.to_vec())
        .unwrap_or_default();
    let procedure = state
        .catalogue
        .current(&state.db, &now().local_date().to_string())
        .await?
        .procedures
        .get(&row.procedure_code)
        .map_or(row.procedure_code.clone(), |p| p.procedure.name.clone());
    Ok(PublicStatus {
        code: row.code,
        procedure,
        applicant_name: row.applicant_name,
        national_status: stage.national_code(),
        national_status_name: stage.national_name(),
        received_at: row.received_at.map(rfc3339),
        due: row.due_at.map(rfc3339),
        due_display: row.due_at.map(|t| Instant(t).vn()),
        missing,
        timeline: lines
            .iter()
            .map(|(at, line)| PublicEvent {
                at: Instant(*at).vn(),
                description: line.describe(&[]),
            })
            .collect(),
    })
}
