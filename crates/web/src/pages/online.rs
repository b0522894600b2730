//! The applicant's online side: submitting a dossier online from a procedure's page (details
//! from the account, a file per document, the expected appointment shown, one dossier however
//! often the form is sent), the confirmation with the code and lookup secret, the applicant's
//! own dossiers, and sending the documents asked for (a supplement while processing, or a
//! completion before receipt) from the lookup page or the applicant's own page.
//!
//! Dossiers are opened with `dossiers::open` and changed with `dossiers::act`, as through the
//! API: who may do what is decided there and in the domain, not here.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use motcua_calendar::{Duration, Instant, Unit};
use motcua_domain::catalogue::{self, Procedure};
use motcua_domain::dossier::{Applicant, Application, Command, Event, ReceivedComponent, Stage};
use motcua_domain::people::Contact;
use motcua_store::{DossierFilter, UserRow};
use serde::Deserialize;

use super::multipart::{Posted, read_posted};
use super::{Layout, not_found_page, render};
use crate::AppState;
use crate::auth::{self, Applicant as SignedInApplicant, Person, encode_component, new_token};
use crate::dossiers::{self, Loaded};
use crate::due::now;
use crate::problem::Problem;

pub(crate) fn router() -> Router<AppState> {
    // Files are larger than other forms: each route's own limit is in `layers`.
    Router::new()
        .route(
            "/thu-tuc/{code}/nop-truc-tuyen",
            get(form)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/ca-nhan/ho-so/{code}", get(own_dossier))
        .route(
            "/ca-nhan/ho-so/{code}/bo-sung",
            post(supplement).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}

/// The address of the online submission form of a procedure.
pub(crate) fn submission_url(code: &str) -> String {
    format!("/thu-tuc/{}/nop-truc-tuyen", encode_component(code))
}

/// Whether a procedure takes dossiers online: it has an online method.
pub(crate) fn offered_online(p: &Procedure) -> bool {
    p.methods
        .iter()
        .any(|m| m.channel == catalogue::Channel::Online)
}

fn own_url(code: &str) -> String {
    format!("/ca-nhan/ho-so/{}", encode_component(code))
}

/// The layout of a page for a signed-in applicant.
fn applicant_layout(state: &AppState, title: &str, user: &UserRow) -> Layout {
    let mut layout = Layout::new(state, title).active("personal");
    layout.user_name = Some(user.full_name.clone());
    layout
}

/// A stage as an applicant reads it.
pub(crate) fn plain_status(stage: Stage) -> &'static str {
    match stage {
        Stage::Submitted => "Đã nộp, chờ Bộ phận Một cửa tiếp nhận",
        Stage::CompletionRequested => "Cần hoàn thiện hồ sơ",
        Stage::Refused => "Không được tiếp nhận",
        Stage::Received => "Đã tiếp nhận",
        Stage::Processing => "Đang giải quyết",
        Stage::SupplementRequested => "Cần bổ sung giấy tờ",
        Stage::PaymentRequested => "Cần thực hiện nghĩa vụ tài chính (phí, lệ phí)",
        Stage::WithdrawalRequested => "Đang xem xét đề nghị rút hồ sơ",
        Stage::Stopped => "Đã dừng giải quyết",
        Stage::Done => "Đã có kết quả, mời nhận kết quả",
        Stage::Returned => "Đã trả kết quả",
    }
}

// ---------------------------------------------------------------------------------------------
// Files sent with a form

/// A file already kept, carried in a hidden field as `sha256|name` so it is not sent again.
#[derive(Clone)]
pub(crate) struct Kept {
    pub value: String,
    pub label: String,
}

impl Kept {
    fn parse(value: &str) -> Option<Kept> {
        let (sha, label) = value.split_once('|').unwrap_or((value, ""));
        let valid = sha.len() == 64
            && sha
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| {
            let label: String = label.trim().chars().take(100).collect();
            let label = if label.is_empty() {
                format!("tệp {}", &sha[..8])
            } else {
                label
            };
            Kept {
                value: format!("{sha}|{label}"),
                label,
            }
        })
    }

    fn sha(&self) -> &str {
        &self.value[..64]
    }
}

impl Posted {
    fn kept(&self, row: usize) -> Vec<Kept> {
        let name = format!("kept-{row}");
        let mut out: Vec<Kept> = Vec::new();
        for (_, v) in self.text.iter().filter(|(k, _)| *k == name) {
            if let Some(k) = Kept::parse(v)
                && !out.iter().any(|o| o.sha() == k.sha())
            {
                out.push(k);
            }
        }
        out
    }
}

/// Keeps the files of each row that are what they claim and within the limit, and answers the
/// rows' problems. A file is written whole (a temporary name, then renamed) before its row is
/// recorded, so a failure leaves at most a file nothing names.
async fn keep_files(
    state: &AppState,
    posted: &Posted,
    rows: usize,
) -> Result<(BTreeMap<usize, Vec<Kept>>, BTreeMap<usize, String>), Problem> {
    let mut kept = BTreeMap::new();
    let mut problems = BTreeMap::new();
    for row in 0..rows {
        let mut have = posted.kept(row);
        for upload in posted.files.get(&row).into_iter().flatten() {
            let label: String = upload.name.chars().take(100).collect();
            if upload.bytes.len() > state.config.upload_limit {
                problems.insert(
                    row,
                    format!(
                        "Tệp “{label}” lớn hơn {} MB: hãy quét ở độ phân giải thấp hơn hoặc tách tệp.",
                        state.config.upload_limit / (1024 * 1024)
                    ),
                );
                continue;
            }
            let media = match crate::api::accepted_upload(&upload.content_type, &upload.bytes) {
                Ok(m) => m,
                Err(m) => {
                    problems.insert(row, format!("Tệp “{label}”: {m}"));
                    continue;
                }
            };
            let sha = state
                .files
                .put(&upload.bytes)
                .map_err(|e| Problem::from(motcua_store::StoreError::Internal(e.to_string())))?;
            let mut tx = state.db.begin().await?;
            tx.add_file(&sha, upload.bytes.len() as i64, media).await?;
            tx.commit().await?;
            if !have.iter().any(|k| k.sha() == sha) {
                have.extend(Kept::parse(&format!("{sha}|{label}")));
            }
        }
        kept.insert(row, have);
    }
    Ok((kept, problems))
}

// ---------------------------------------------------------------------------------------------
// Online submission

/// A document of the procedure, with the files given for it.
pub(crate) struct UploadRow {
    pub index: usize,
    pub name: String,
    pub form: String,
    pub case: String,
    pub required: bool,
    /// Files already sent with an earlier attempt (kept by hash).
    pub kept: Vec<Kept>,
    /// Files of it the dossier already holds (a completion).
    pub held: usize,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "online_form.html")]
struct SubmitPage {
    layout: Layout,
    action: String,
    code: String,
    name: String,
    level: &'static str,
    full_online: bool,
    duration: String,
    due: String,
    fields: BTreeMap<&'static str, String>,
    errors: BTreeMap<&'static str, String>,
    rows: Vec<UploadRow>,
    communes: Vec<(String, String)>,
    key: String,
    error: Option<String>,
}

impl SubmitPage {
    fn v(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn e(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
}

const FIELDS: [&str; 9] = [
    "kind",
    "name",
    "id_number",
    "address",
    "phone",
    "email",
    "representative",
    "desk_agency",
    "note",
];

/// The desk that receives an online dossier when the applicant names none, as `open` settles it:
/// `commune` when the applicant must choose a commune.
fn default_desk(p: &Procedure) -> String {
    p.offered_by
        .first()
        .map(|o| o.split('/').next().unwrap_or_default().to_string())
        .filter(|o| o != "commune")
        .unwrap_or_else(|| p.implementing_agency.clone())
}

/// The online method's time limit, and the appointment if received complete now.
fn expected_due(state: &AppState, p: &Procedure, agency: &str) -> (String, String) {
    let method = p
        .methods
        .iter()
        .find(|m| m.channel == catalogue::Channel::Online);
    let duration = match method {
        Some(m) if m.unit == Unit::SameDay => Some(Duration::same_day()),
        Some(m) => Duration::parse(m.unit, &m.amount).ok(),
        None => p.legal_time(),
    };
    let Some(duration) = duration else {
        return (String::new(), String::new());
    };
    let time = state.time.current();
    let Ok(rules) = time.rules(Some(agency)).or_else(|_| time.rules(None)) else {
        return (duration.vietnamese(), String::new());
    };
    let due = rules
        .appointment(now(), duration, p.counting)
        .map(|a| {
            let (date, minute, _) = a.due.to_local();
            format!(
                "{}, {} lúc {}",
                date.weekday().vietnamese(),
                date.vn(),
                motcua_calendar::date::format_minute(minute)
            )
        })
        .unwrap_or_default();
    (duration.vietnamese(), due)
}

async fn communes(state: &AppState) -> Result<Vec<(String, String)>, Problem> {
    let today = now().local_date().to_string();
    Ok(state
        .db
        .agencies_as_of(&today)
        .await?
        .into_iter()
        .filter(|a| a.kind == "commune_committee" && !a.identifier.is_empty())
        .map(|a| (a.identifier, a.name))
        .collect())
}

async fn in_force(state: &AppState, code: &str) -> Result<Option<(Procedure, i64)>, Problem> {
    let today = now().local_date().to_string();
    let loaded = state.catalogue.current(&state.db, &today).await?;
    Ok(loaded
        .procedures
        .get(code)
        .map(|p| (p.procedure.clone(), p.version)))
}

async fn submit_page(
    state: &AppState,
    user: &UserRow,
    p: &Procedure,
    fields: BTreeMap<&'static str, String>,
    kept: BTreeMap<usize, Vec<Kept>>,
) -> Result<SubmitPage, Problem> {
    let desk = default_desk(p);
    let communes = if desk == "commune" {
        communes(state).await?
    } else {
        Vec::new()
    };
    let chosen = fields
        .get("desk_agency")
        .filter(|d| !d.is_empty())
        .cloned()
        .unwrap_or(desk);
    let (duration, due) = expected_due(state, p, &chosen);
    let mut kept = kept;
    Ok(SubmitPage {
        layout: applicant_layout(state, &format!("Nộp hồ sơ trực tuyến: {}", p.name), user),
        action: submission_url(&p.code),
        code: p.code.clone(),
        name: p.name.clone(),
        level: p.level.vietnamese(),
        full_online: p.online == catalogue::Online::Full,
        duration,
        due,
        fields,
        errors: BTreeMap::new(),
        rows: p
            .components
            .iter()
            .enumerate()
            .map(|(index, c)| UploadRow {
                index,
                name: c.name.clone(),
                form: c.form.clone(),
                case: c.case.clone(),
                required: c.case.trim().is_empty(),
                kept: kept.remove(&index).unwrap_or_default(),
                held: 0,
                error: None,
            })
            .collect(),
        communes,
        key: new_token(),
        error: None,
    })
}

/// The applicant's details as the account knows them.
fn prefilled(user: &UserRow) -> BTreeMap<&'static str, String> {
    let mut f: BTreeMap<&'static str, String> =
        FIELDS.iter().map(|k| (*k, String::new())).collect();
    f.insert("kind", "person".into());
    f.insert("name", user.full_name.clone());
    f.insert("phone", user.phone.clone());
    f.insert("email", user.email.clone());
    f
}

pub(crate) async fn form(
    State(state): State<AppState>,
    SignedInApplicant(user): SignedInApplicant,
    Path(code): Path<String>,
) -> Response {
    let result = async {
        let Some((p, _)) = in_force(&state, &code).await? else {
            return Ok(None);
        };
        if !offered_online(&p) {
            return Ok(None);
        }
        submit_page(&state, &user, &p, prefilled(&user), BTreeMap::new())
            .await
            .map(Some)
    }
    .await;
    match result {
        Ok(Some(page)) => render(StatusCode::OK, page),
        Ok(None) => not_found_page(&state, &submission_url(&code)),
        Err(p) => p.into_response(),
    }
}

#[derive(Template)]
#[template(path = "online_done.html")]
struct DonePage {
    layout: Layout,
    code: String,
    procedure: String,
    applicant: Applicant,
    submitted: String,
    desk: String,
    components: Vec<ReceivedComponent>,
    duration: String,
    due: String,
    secret: Option<String>,
    lookup: String,
    own: String,
}

/// The form's fields, checked: the messages by field.
fn check_fields(fields: &mut BTreeMap<&'static str, String>) -> BTreeMap<&'static str, String> {
    let mut errors = BTreeMap::new();
    let name = fields["name"]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        errors.insert("name", "Nhập họ tên người nộp hoặc tên tổ chức.".into());
    } else if name.chars().count() > 200 {
        errors.insert("name", "Họ tên, tên tổ chức tối đa 200 ký tự.".into());
    }
    fields.insert("name", name);
    let id: String = fields["id_number"]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if id.is_empty() {
        errors.insert(
            "id_number",
            "Nhập số định danh cá nhân (căn cước) hoặc mã số thuế của tổ chức.".into(),
        );
    } else if !id.bytes().all(|b| b.is_ascii_digit()) || !(9..=13).contains(&id.len()) {
        errors.insert(
            "id_number",
            format!("“{id}” không phải số định danh hay mã số thuế (9 đến 13 chữ số)."),
        );
    }
    fields.insert("id_number", id);
    for (field, want_phone) in [("phone", true), ("email", false)] {
        let typed = fields[field].clone();
        if typed.is_empty() {
            continue;
        }
        match Contact::parse(&typed) {
            Ok(Contact::Phone(p)) if want_phone => {
                fields.insert(field, p);
            }
            Ok(Contact::Email(e)) if !want_phone => {
                fields.insert(field, e);
            }
            Ok(_) if want_phone => {
                errors.insert(
                    field,
                    format!("“{typed}” không phải số điện thoại (10 chữ số, ví dụ 0912 345 678)."),
                );
            }
            Ok(_) => {
                errors.insert(
                    field,
                    format!("“{typed}” không phải địa chỉ thư điện tử hợp lệ."),
                );
            }
            Err(m) => {
                errors.insert(field, m);
            }
        }
    }
    if fields["phone"].is_empty() && fields["email"].is_empty() {
        errors.insert(
            "phone",
            "Cần số điện thoại hoặc thư điện tử để nhận thông báo về hồ sơ.".into(),
        );
    }
    if fields["note"].chars().count() > 2000 {
        errors.insert("note", "Ghi chú tối đa 2.000 ký tự.".into());
    }
    errors
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    SignedInApplicant(user): SignedInApplicant,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let p = match in_force(&state, &code).await {
        Ok(Some((p, _))) if offered_online(&p) => p,
        Ok(_) => return not_found_page(&state, &submission_url(&code)),
        Err(p) => return p.into_response(),
    };
    let posted = match read_posted(&state, request).await {
        Ok(posted) => posted,
        Err(message) => return Problem::invalid("body", message).into_response(),
    };
    match submit_checked(&state, &user, &p, &posted).await {
        Ok(Ok(done)) => render(StatusCode::OK, done),
        Ok(Err(page)) => render(StatusCode::UNPROCESSABLE_ENTITY, *page),
        Err(problem) => problem.into_response(),
    }
}

/// The confirmation, or the form again with the messages next to the fields.
async fn submit_checked(
    state: &AppState,
    user: &UserRow,
    p: &Procedure,
    posted: &Posted,
) -> Result<Result<DonePage, Box<SubmitPage>>, Problem> {
    // A form sent again after it made a dossier (the back button, a second click, a retry, even
    // with its files gone from the page): that dossier, whatever else the form now holds.
    let key = posted.get("key");
    if !key.is_empty()
        && let Some(code) = state
            .db
            .dossier_by_idempotency_key(&user.login, &key)
            .await?
    {
        let loaded = dossiers::load(state, &code).await?;
        return Ok(Ok(done_page(state, user, p, &loaded, None).await));
    }
    let mut fields: BTreeMap<&'static str, String> =
        FIELDS.iter().map(|k| (*k, posted.get(k))).collect();
    if fields["kind"] != "organisation" {
        fields.insert("kind", "person".into());
    }
    let mut errors = check_fields(&mut fields);
    let (kept, mut problems) = keep_files(state, posted, p.components.len()).await?;
    for (i, c) in p.components.iter().enumerate() {
        let none = kept.get(&i).is_none_or(Vec::is_empty);
        if c.case.trim().is_empty() && none && !problems.contains_key(&i) {
            problems.insert(i, "Cần tải lên tệp của giấy tờ này.".into());
        }
    }
    let desk_needed = default_desk(p) == "commune";
    if desk_needed {
        let chosen = fields["desk_agency"].clone();
        if chosen.is_empty() {
            errors.insert(
                "desk_agency",
                "Chọn Ủy ban nhân dân xã, phường nơi nộp hồ sơ.".into(),
            );
        } else if !communes(state).await?.iter().any(|(id, _)| *id == chosen) {
            errors.insert("desk_agency", "Chọn một xã, phường trong danh sách.".into());
        }
    } else {
        fields.insert("desk_agency", String::new());
    }
    if !errors.is_empty() || !problems.is_empty() {
        let message = "Hồ sơ chưa gửi được: xem các lỗi ghi bên dưới.".to_string();
        return form_again(
            state,
            user,
            p,
            fields,
            errors,
            problems,
            kept,
            Some(message),
            &key,
        )
        .await;
    }
    let components = p
        .components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let files: Vec<String> = kept.get(&i)?.iter().map(|k| k.sha().to_string()).collect();
            (!files.is_empty()).then(|| ReceivedComponent {
                name: c.name.clone(),
                originals: 0,
                copies: 0,
                files,
            })
        })
        .collect();
    let f = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let command = Command::Submit {
        application: Application {
            procedure: p.code.clone(),
            procedure_version: 0,
            applicant: Applicant {
                kind: f("kind"),
                name: f("name"),
                id_number: f("id_number"),
                address: f("address"),
                phone: f("phone"),
                email: f("email"),
                representative: f("representative"),
            },
            components,
            sets: 1,
            desk_agency: f("desk_agency"),
            deciding_agency: String::new(),
            served_at: String::new(),
            note: f("note"),
        },
    };
    let person = Person::Applicant(user.clone());
    let idempotency = Some(key.as_str()).filter(|k| !k.is_empty());
    let opened = match dossiers::open(state, &person, command, idempotency).await {
        Ok(o) => o,
        Err(problem) if problem.status < 500 => {
            // The domain's or the service's refusal, next to its field when it names one.
            let (field, reason) = problem
                .errors
                .first()
                .map(|e| (e.field.clone(), e.reason.clone()))
                .unwrap_or_else(|| {
                    (
                        String::new(),
                        problem.detail.clone().unwrap_or(problem.title.clone()),
                    )
                });
            let mut errors = BTreeMap::new();
            let mut general = None;
            match field.as_str() {
                "application.desk_agency" | "application.deciding_agency" => {
                    errors.insert("desk_agency", reason);
                }
                "applicant.name" => {
                    errors.insert("name", reason);
                }
                _ => general = Some(reason),
            }
            return form_again(
                state,
                user,
                p,
                fields,
                errors,
                BTreeMap::new(),
                kept,
                general,
                &key,
            )
            .await;
        }
        Err(problem) => return Err(problem),
    };
    Ok(Ok(
        done_page(state, user, p, &opened.loaded, opened.secret).await
    ))
}

/// The confirmation of a dossier submitted online; the secret only the first time.
async fn done_page(
    state: &AppState,
    user: &UserRow,
    p: &Procedure,
    loaded: &Loaded,
    secret: Option<String>,
) -> DonePage {
    let d = &loaded.dossier;
    let row = &loaded.row;
    let today = now().local_date().to_string();
    let desk = state
        .db
        .agency_by_identifier(&d.application.desk_agency, &today)
        .await
        .map(|a| a.name)
        .unwrap_or_else(|_| d.application.desk_agency.clone());
    let (duration, due) = expected_due(state, p, &d.application.deciding_agency);
    DonePage {
        layout: applicant_layout(state, &format!("Đã nộp hồ sơ {}", row.code), user),
        code: row.code.clone(),
        procedure: format!("{} – {}", p.code, p.name),
        applicant: d.application.applicant.clone(),
        submitted: Instant(d.submitted_at).vn(),
        desk,
        components: d.application.components.clone(),
        duration,
        due,
        secret,
        lookup: format!("/tra-cuu?ma={}", encode_component(&row.code)),
        own: own_url(&row.code),
    }
}

/// The form again, with the messages next to their fields and the files kept.
#[allow(clippy::too_many_arguments)]
async fn form_again(
    state: &AppState,
    user: &UserRow,
    p: &Procedure,
    fields: BTreeMap<&'static str, String>,
    errors: BTreeMap<&'static str, String>,
    problems: BTreeMap<usize, String>,
    kept: BTreeMap<usize, Vec<Kept>>,
    error: Option<String>,
    key: &str,
) -> Result<Result<DonePage, Box<SubmitPage>>, Problem> {
    let mut page = submit_page(state, user, p, fields, kept).await?;
    page.errors = errors;
    page.error = error;
    for row in &mut page.rows {
        row.error = problems.get(&row.index).cloned();
    }
    // The same key again: a resubmission after correcting is one dossier.
    if !key.is_empty() {
        page.key = key.to_string();
    }
    Ok(Err(Box::new(page)))
}

// ---------------------------------------------------------------------------------------------
// The applicant's dossiers

pub(crate) struct MyDossier {
    pub code: String,
    pub href: String,
    pub lookup: String,
    pub procedure: String,
    pub status: &'static str,
    pub tone: &'static str,
    pub submitted: String,
    pub due: String,
    /// Documents are asked for: the applicant has something to do.
    pub asked: bool,
    /// When the result was ready, for a dossier whose result waits to be collected.
    pub ready: Option<String>,
}

fn tone(stage: Stage) -> &'static str {
    match stage {
        Stage::SupplementRequested | Stage::CompletionRequested | Stage::PaymentRequested => "warn",
        Stage::Done | Stage::Returned => "ok",
        Stage::Refused | Stage::Stopped => "late",
        _ => "muted",
    }
}

/// The applicant's own dossiers, newest first.
pub(crate) async fn my_dossiers(state: &AppState, login: &str) -> Result<Vec<MyDossier>, Problem> {
    let mut rows = state
        .db
        .dossiers(&DossierFilter {
            applicant_login: Some(login.to_string()),
            limit: 500,
            ..DossierFilter::default()
        })
        .await?;
    rows.sort_by(|a, b| b.submitted_at.cmp(&a.submitted_at).then(b.id.cmp(&a.id)));
    let today = now().local_date().to_string();
    let loaded = state.catalogue.current(&state.db, &today).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let stage = Stage::from_code(&r.stage)?;
            Some(MyDossier {
                href: own_url(&r.code),
                lookup: format!("/tra-cuu?ma={}", encode_component(&r.code)),
                procedure: loaded
                    .procedures
                    .get(&r.procedure_code)
                    .map_or(r.procedure_code.clone(), |p| p.procedure.name.clone()),
                status: plain_status(stage),
                tone: tone(stage),
                submitted: Instant(r.submitted_at).vn(),
                due: r.due_at.map(|t| Instant(t).vn()).unwrap_or_default(),
                asked: matches!(
                    stage,
                    Stage::SupplementRequested | Stage::CompletionRequested
                ),
                ready: (stage == Stage::Done)
                    .then(|| r.finished_at.map(|t| Instant(t).vn()).unwrap_or_default()),
                code: r.code,
            })
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Documents asked for: a supplement, or a completion before receipt

/// What the applicant is asked to send, and whether the reader may send it here.
pub(crate) struct Offer {
    pub action: String,
    pub version: i64,
    /// Before receipt (Mẫu 02), rather than a supplement during processing.
    pub completion: bool,
    pub items: Vec<String>,
    /// Whether the list of what is asked shows here (the lookup page lists it itself).
    pub show_items: bool,
    pub reason: String,
    /// The last day to send it, for a supplement.
    pub until: String,
    pub rows: Vec<UploadRow>,
    /// Where to go once sent.
    pub back: String,
    /// The reader is the applicant who submitted it, signed in.
    pub may_send: bool,
    /// For someone else: signing in with the account that submitted it, if one did.
    pub sign_in: Option<String>,
    pub error: Option<String>,
}

/// The documents asked for in `loaded`, if its stage waits for the applicant.
async fn offer(
    state: &AppState,
    loaded: &Loaded,
    viewer: Option<&UserRow>,
    back: String,
) -> Result<Option<Offer>, Problem> {
    let d = &loaded.dossier;
    let completion = match d.stage {
        Stage::SupplementRequested => false,
        Stage::CompletionRequested => true,
        _ => return Ok(None),
    };
    let events = dossiers::timeline(state, &loaded.row).await?;
    let asked = events.iter().rev().find_map(|(_, e)| match e {
        Event::SupplementRequested {
            items,
            reason,
            applicant_due,
            ..
        } if !completion => Some((items.clone(), reason.clone(), applicant_due.clone())),
        Event::CompletionRequested { missing, reason } if completion => {
            Some((missing.clone(), reason.clone(), String::new()))
        }
        _ => None,
    });
    let Some((items, reason, until)) = asked else {
        return Ok(None);
    };
    let rows = if completion {
        // The whole dossier again: every document of the procedure, with what it already holds.
        let procedure = dossiers::procedure_of(state, &loaded.row).await?;
        procedure
            .components
            .iter()
            .enumerate()
            .map(|(index, c)| UploadRow {
                index,
                name: c.name.clone(),
                form: c.form.clone(),
                case: c.case.clone(),
                required: c.case.trim().is_empty(),
                kept: Vec::new(),
                held: d
                    .application
                    .components
                    .iter()
                    .find(|h| h.name == c.name)
                    .map_or(0, |h| h.files.len()),
                error: None,
            })
            .collect()
    } else {
        items
            .iter()
            .enumerate()
            .map(|(index, item)| UploadRow {
                index,
                name: item.clone(),
                form: String::new(),
                case: String::new(),
                required: false,
                kept: Vec::new(),
                held: 0,
                error: None,
            })
            .collect()
    };
    let owner = loaded.row.applicant_login.as_deref();
    let may_send = viewer.is_some_and(|u| Some(u.login.as_str()) == owner);
    Ok(Some(Offer {
        action: format!("{}/bo-sung", own_url(&loaded.row.code)),
        version: loaded.row.version,
        completion,
        items,
        show_items: true,
        reason,
        until: motcua_calendar::Date::parse(&until)
            .map(|d| d.vn())
            .unwrap_or_default(),
        rows,
        sign_in: (!may_send && owner.is_some())
            .then(|| format!("/dang-nhap?next={}", encode_component(&back))),
        back,
        may_send,
        error: None,
    }))
}

/// For the lookup page: what is asked of the applicant of the dossier `code` (whose secret the
/// reader gave), and whether the reader may send it there.
pub(crate) async fn lookup_offer(
    state: &AppState,
    viewer: Option<&UserRow>,
    code: &str,
    secret: &str,
) -> Option<Offer> {
    let loaded = dossiers::load(state, code.trim()).await.ok()?;
    if !dossiers::secret_matches(&loaded.row.lookup_hash, secret) {
        return None;
    }
    let back = format!(
        "/tra-cuu?ma={}&ma-tra-cuu={}",
        encode_component(&loaded.row.code),
        encode_component(secret.trim())
    );
    match offer(state, &loaded, viewer, back).await {
        Ok(o) => o.map(|o| Offer {
            show_items: false,
            ..o
        }),
        Err(p) => {
            tracing::warn!(code, problem = %p.title, "the documents asked for cannot be shown");
            None
        }
    }
}

#[derive(Template)]
#[template(path = "own_dossier.html")]
struct OwnPage {
    layout: Layout,
    code: String,
    procedure: String,
    applicant: Applicant,
    channel: &'static str,
    status: &'static str,
    tone: &'static str,
    submitted: String,
    received: String,
    due: String,
    ready: Option<String>,
    components: Vec<ReceivedComponent>,
    timeline: Vec<(String, String)>,
    lookup: String,
    supplement: Option<Offer>,
    sent: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct OwnQuery {
    #[serde(rename = "da-gui")]
    sent: Option<String>,
}

async fn own_page(
    state: &AppState,
    user: &UserRow,
    code: &str,
) -> Result<Option<OwnPage>, Problem> {
    let loaded = match dossiers::load(state, code).await {
        Ok(l) => l,
        Err(p) if p.status == 404 => return Ok(None),
        Err(p) => return Err(p),
    };
    let person = Person::Applicant(user.clone());
    if dossiers::may(
        state,
        &person,
        &loaded.row,
        motcua_domain::organisation::access::Action::ReadDossiers,
    )
    .await
    .is_err()
    {
        return Ok(None);
    }
    let d = &loaded.dossier;
    let today = now().local_date().to_string();
    let procedure = state
        .catalogue
        .current(&state.db, &today)
        .await?
        .procedures
        .get(&loaded.row.procedure_code)
        .map_or(loaded.row.procedure_code.clone(), |p| {
            format!("{} – {}", p.procedure.code, p.procedure.name)
        });
    let timeline = dossiers::timeline(state, &loaded.row)
        .await?
        .iter()
        .map(|(r, e)| (Instant(r.at).vn(), e.vietnamese()))
        .collect();
    let supplement = offer(state, &loaded, Some(user), own_url(&loaded.row.code)).await?;
    Ok(Some(OwnPage {
        layout: applicant_layout(state, &format!("Hồ sơ {}", loaded.row.code), user),
        code: loaded.row.code.clone(),
        procedure,
        applicant: d.application.applicant.clone(),
        channel: d.channel.vietnamese(),
        status: plain_status(d.stage),
        tone: tone(d.stage),
        submitted: Instant(d.submitted_at).vn(),
        received: d.received_at.map(|t| Instant(t).vn()).unwrap_or_default(),
        due: d.due.map(|t| Instant(t).vn()).unwrap_or_default(),
        ready: (d.stage == Stage::Done)
            .then(|| d.finished_at.map(|t| Instant(t).vn()).unwrap_or_default()),
        components: d.application.components.clone(),
        timeline,
        lookup: format!("/tra-cuu?ma={}", encode_component(&loaded.row.code)),
        supplement,
        sent: false,
    }))
}

pub(crate) async fn own_dossier(
    State(state): State<AppState>,
    SignedInApplicant(user): SignedInApplicant,
    Path(code): Path<String>,
    Query(q): Query<OwnQuery>,
) -> Response {
    match own_page(&state, &user, &code).await {
        Ok(Some(mut page)) => {
            page.sent = q.sent.is_some();
            render(StatusCode::OK, page)
        }
        Ok(None) => not_found_page(&state, &own_url(&code)),
        Err(p) => p.into_response(),
    }
}

/// Sends the documents asked for: a supplement (the clock resumes) or a completion (back to
/// the desk), through the same transition as the API.
pub(crate) async fn supplement(
    State(state): State<AppState>,
    SignedInApplicant(user): SignedInApplicant,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let posted = match read_posted(&state, request).await {
        Ok(posted) => posted,
        Err(message) => return Problem::invalid("body", message).into_response(),
    };
    let typed = posted.get("back");
    let back = auth::safe_next(Some(typed.as_str()).filter(|b| !b.is_empty()));
    let back = if back.starts_with("/tra-cuu?") || back.starts_with("/ca-nhan") {
        back
    } else {
        own_url(&code)
    };
    match send_supplement(&state, &user, &code, &posted, &back).await {
        Ok(Ok(())) => {
            let to = if back.starts_with("/ca-nhan/ho-so/") {
                format!("{back}?da-gui=1")
            } else {
                back
            };
            Redirect::to(&to).into_response()
        }
        Ok(Err(None)) => not_found_page(&state, &own_url(&code)),
        Ok(Err(Some(page))) => render(StatusCode::UNPROCESSABLE_ENTITY, *page),
        Err(p) => p.into_response(),
    }
}

async fn send_supplement(
    state: &AppState,
    user: &UserRow,
    code: &str,
    posted: &Posted,
    back: &str,
) -> Result<Result<(), Option<Box<OwnPage>>>, Problem> {
    let Some(mut page) = own_page(state, user, code).await? else {
        return Ok(Err(None));
    };
    let version: i64 = posted.get("version").parse().unwrap_or(-1);
    let Some(mut offer) = page.supplement.take() else {
        // Nothing is asked any more: sent by an earlier click, or the desk moved on.
        return Ok(Ok(()));
    };
    offer.back = back.to_string();
    let (kept, problems) = keep_files(state, posted, offer.rows.len()).await?;
    let mut sent_any = false;
    for row in &mut offer.rows {
        row.kept = kept.get(&row.index).cloned().unwrap_or_default();
        row.error = problems.get(&row.index).cloned();
        sent_any |= !row.kept.is_empty();
    }
    let failed = |mut page: OwnPage, mut offer: Offer, message: String| {
        offer.error = Some(message);
        page.supplement = Some(offer);
        Ok(Err(Some(Box::new(page))))
    };
    if !problems.is_empty() {
        return failed(
            page,
            offer,
            "Có tệp không gửi được: xem ghi chú bên dưới.".into(),
        );
    }
    if !sent_any {
        return failed(
            page,
            offer,
            "Chọn ít nhất một tệp giấy tờ bổ sung trước khi gửi.".into(),
        );
    }
    let new: Vec<ReceivedComponent> = offer
        .rows
        .iter()
        .filter(|r| !r.kept.is_empty())
        .map(|r| ReceivedComponent {
            name: r.name.clone(),
            originals: 0,
            copies: 0,
            files: r.kept.iter().map(|k| k.sha().to_string()).collect(),
        })
        .collect();
    let command = if offer.completion {
        // A completion names the whole dossier: what it holds, with the new files added.
        let loaded = dossiers::load(state, code).await?;
        let mut application = loaded.dossier.application.clone();
        application.add_components(&new);
        Command::ProvideCompletion {
            components: application.components,
        }
    } else {
        Command::ProvideSupplement { components: new }
    };
    let person = Person::Applicant(user.clone());
    match dossiers::act(state, &person, code, version, command).await {
        Ok(_) => Ok(Ok(())),
        Err(problem) if problem.status < 500 => {
            let message = if problem.status == 409 {
                "Hồ sơ vừa được cập nhật. Các tệp đã chọn vẫn được giữ: hãy xem lại rồi gửi lại."
                    .to_string()
            } else {
                problem
                    .errors
                    .first()
                    .map(|e| e.reason.clone())
                    .or(problem.detail.clone())
                    .unwrap_or(problem.title.clone())
            };
            // The form again on the dossier as it is now, with the files kept.
            let Some(mut fresh) = own_page(state, user, code).await? else {
                return Ok(Err(None));
            };
            match fresh.supplement.take() {
                Some(mut again) => {
                    again.back = back.to_string();
                    for row in &mut again.rows {
                        if let Some(old) = offer.rows.iter().find(|r| r.name == row.name) {
                            row.kept = old.kept.clone();
                        }
                    }
                    failed(fresh, again, message)
                }
                // Nothing is asked any more: the same supplement sent twice.
                None => Ok(Ok(())),
            }
        }
        Err(problem) => Err(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn kept_files_are_named_by_a_hash_and_nothing_else() {
        let sha = "a".repeat(64);
        let k = Kept::parse(&format!("{sha}|giấy khai sinh.pdf")).unwrap();
        assert_eq!(k.sha(), sha);
        assert_eq!(k.label, "giấy khai sinh.pdf");
        assert!(Kept::parse("../../etc/passwd|x").is_none());
        assert!(Kept::parse(&"A".repeat(64)).is_none());
        assert_eq!(Kept::parse(&sha).unwrap().label, "tệp aaaaaaaa");
    }
}
