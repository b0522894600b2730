//! The desk's intake (tiếp nhận): find the procedure by typing, fill in the applicant (a
//! returning one found by identity number, with their consent), tick the documents handed in
//! with their scans, see the appointment date, then receive (Mẫu 01), ask to complete (Mẫu 02)
//! or refuse (Mẫu 03). Built for the keyboard: the search and the name have the focus, Enter
//! receives. A hidden key makes a double submission one dossier.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::{Duration, Instant, Unit};
use motcua_domain::catalogue::{self, Procedure};
use motcua_domain::dossier::{Applicant, Application, Channel, Command, ReceivedComponent};
use motcua_domain::organisation::access::Action;
use motcua_domain::search;
use serde::Deserialize;

use super::multipart::{Posted, Upload, read_posted};
use super::{Layout, render, require};
use crate::AppState;
use crate::auth::{Person, Staff, new_token};
use crate::due::now;
use crate::problem::Problem;

#[derive(Deserialize, Default)]
pub(crate) struct IntakeQuery {
    q: Option<String>,
    #[serde(rename = "thu-tuc")]
    procedure: Option<String>,
    /// A returning applicant's identity number, looked up only with consent.
    #[serde(rename = "so-dinh-danh")]
    id_number: Option<String>,
    #[serde(rename = "dong-y")]
    consent: Option<String>,
}

pub(crate) struct Found {
    code: String,
    name: String,
    href: String,
}

/// A row of the document checklist, as typed.
pub(crate) struct ComponentRow {
    index: usize,
    name: String,
    form: String,
    case: String,
    given: bool,
    originals: String,
    copies: String,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    layout: Layout,
    q: String,
    found: Vec<Found>,
    procedure: Option<(String, String, String)>,
    due_now: String,
    components: Vec<ComponentRow>,
    fields: BTreeMap<&'static str, String>,
    communes: Vec<(String, String)>,
    key: String,
    error: Option<String>,
    error_field: String,
    looked_up: Option<String>,
}

impl IntakePage {
    fn v(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

const APPLICANT_FIELDS: [&str; 8] = [
    "kind",
    "name",
    "id_number",
    "address",
    "phone",
    "email",
    "representative",
    "sets",
];

fn blank_fields() -> BTreeMap<&'static str, String> {
    let mut f: BTreeMap<&'static str, String> = APPLICANT_FIELDS
        .iter()
        .map(|k| (*k, String::new()))
        .collect();
    f.insert("kind", "person".into());
    f.insert("sets", "1".into());
    f.insert("deciding_agency", String::new());
    f.insert("missing", String::new());
    f.insert("reasons", String::new());
    f
}

/// The appointment if received complete now at the desk.
fn due_now(state: &AppState, p: &Procedure) -> String {
    let method = p
        .methods
        .iter()
        .find(|m| m.channel == catalogue::Channel::Counter);
    let duration = match method {
        Some(m) if m.unit == Unit::SameDay => Some(Duration::same_day()),
        Some(m) => Duration::parse(m.unit, &m.amount).ok(),
        None => p.legal_time(),
    };
    let time = state.time.current();
    let Some((duration, rules)) = duration.zip(
        time.rules(Some(&p.implementing_agency))
            .or_else(|_| time.rules(None))
            .ok(),
    ) else {
        return String::new();
    };
    rules
        .appointment(now(), duration, p.counting)
        .map(|a| {
            let (date, minute, _) = a.due.to_local();
            format!(
                "{}, {} lúc {} ({})",
                date.weekday().vietnamese(),
                date.vn(),
                motcua_calendar::date::format_minute(minute),
                duration.vietnamese()
            )
        })
        .unwrap_or_default()
}

async fn page(
    state: &AppState,
    staff: &Staff,
    q: &IntakeQuery,
    fields: BTreeMap<&'static str, String>,
    given: Option<BTreeMap<usize, (String, String)>>,
) -> Result<IntakePage, Problem> {
    let today = now().local_date().to_string();
    let loaded = state.catalogue.current(&state.db, &today).await?;
    let text: String = q.q.clone().unwrap_or_default().chars().take(200).collect();
    let found = if text.trim().is_empty() || q.procedure.is_some() {
        Vec::new()
    } else {
        loaded
            .index
            .search(&search::Query {
                text: &text,
                sector: None,
                level: None,
                online: None,
                agency: None,
            })
            .entries
            .iter()
            .take(15)
            .map(|e| Found {
                href: format!(
                    "/can-bo/tiep-nhan?thu-tuc={}",
                    crate::auth::encode_component(&e.code)
                ),
                code: e.code.clone(),
                name: e.name.clone(),
            })
            .collect()
    };
    let chosen = q
        .procedure
        .as_deref()
        .and_then(|c| loaded.procedures.get(c));
    let mut fields = fields;
    let mut looked_up = None;
    // A returning applicant: their details from their latest dossier within the desk's reach.
    if let (Some(id), Some(_)) = (
        q.id_number.as_deref().filter(|s| !s.trim().is_empty()),
        q.consent.as_deref(),
    ) {
        let reach = staff.reach(state, Action::ReadDossiers, false).await.ok();
        let agencies = reach.as_ref().and_then(|r| r.filter());
        match state
            .db
            .latest_dossier_of_applicant(id.trim(), agencies.as_deref())
            .await?
        {
            Some(row) => {
                let d = crate::dossiers::unpack(row)?;
                let a = d.dossier.application.applicant;
                for (k, v) in [
                    ("kind", a.kind),
                    ("name", a.name),
                    ("id_number", a.id_number),
                    ("address", a.address),
                    ("phone", a.phone),
                    ("email", a.email),
                    ("representative", a.representative),
                ] {
                    fields.insert(k, v);
                }
                looked_up = Some(format!("Đã điền thông tin từ hồ sơ {}.", d.row.code));
            }
            None => {
                looked_up =
                    Some("Chưa có hồ sơ nào của số định danh này; nhập thông tin mới.".into())
            }
        }
    }
    let (procedure, due, components) = match chosen {
        Some(p) => {
            let p = &p.procedure;
            let rows = p
                .components
                .iter()
                .enumerate()
                .map(|(index, c)| {
                    let typed = given.as_ref().and_then(|g| g.get(&index));
                    ComponentRow {
                        index,
                        name: c.name.clone(),
                        form: c.form.clone(),
                        case: c.case.clone(),
                        given: given.as_ref().is_some_and(|g| g.contains_key(&index)),
                        originals: typed.map_or(c.originals.to_string(), |t| t.0.clone()),
                        copies: typed.map_or(c.copies.to_string(), |t| t.1.clone()),
                    }
                })
                .collect();
            (
                Some((
                    p.code.clone(),
                    p.name.clone(),
                    p.implementing_agency.clone(),
                )),
                due_now(state, p),
                rows,
            )
        }
        None => (None, String::new(), Vec::new()),
    };
    // A commune-level procedure received at a provincial desk is decided by a commune: choose it.
    let communes = if chosen.is_some_and(|p| p.procedure.implementing_agency == "commune") {
        state
            .db
            .agencies_as_of(&today)
            .await?
            .into_iter()
            .filter(|a| a.kind == "commune_committee")
            .map(|a| (a.identifier, a.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(IntakePage {
        layout: Layout::new(state, "Tiếp nhận hồ sơ")
            .signed_in(staff)
            .active("intake"),
        q: text,
        found,
        procedure,
        due_now: due,
        components,
        fields,
        communes,
        key: new_token(),
        error: None,
        error_field: String::new(),
        looked_up,
    })
}

pub(crate) async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<IntakeQuery>,
) -> Response {
    require!(state, staff, Action::ReceiveDossiers);
    match page(&state, &staff, &q, blank_fields(), None).await {
        Ok(p) => render(StatusCode::OK, p),
        Err(p) => p.into_response(),
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    request: Request,
) -> Response {
    require!(state, staff, Action::ReceiveDossiers);
    let posted = match read_posted(&state, request).await {
        Ok(p) => p,
        Err(message) => return Problem::invalid("body", message).into_response(),
    };
    let t = |k: &str| posted.get(k);
    let q = IntakeQuery {
        procedure: Some(t("procedure")),
        ..IntakeQuery::default()
    };
    let mut fields = blank_fields();
    for k in APPLICANT_FIELDS
        .iter()
        .chain(&["deciding_agency", "missing", "reasons"])
    {
        fields.insert(k, t(k));
    }
    let given: BTreeMap<usize, (String, String)> = posted
        .text
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("given-").and_then(|i| i.parse().ok()))
        .map(|i: usize| (i, (t(&format!("originals-{i}")), t(&format!("copies-{i}")))))
        .collect();
    let result = receive(&state, &staff, &posted, &fields, &given).await;
    match result {
        Ok(receipt) => render(StatusCode::OK, receipt),
        Err((message, field)) => match page(&state, &staff, &q, fields, Some(given)).await {
            Ok(mut p) => {
                // The same key again: a resubmission after correcting is one dossier.
                p.key = t("key");
                p.error = Some(message);
                p.error_field = field;
                render(StatusCode::UNPROCESSABLE_ENTITY, p)
            }
            Err(p) => p.into_response(),
        },
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub(crate) struct Receipt {
    layout: Layout,
    code: String,
    href: String,
    procedure: String,
    stage: &'static str,
    applicant: Applicant,
    received: String,
    due: String,
    components: Vec<ReceivedComponent>,
    secret: Option<String>,
    lookup: String,
    missing: Vec<String>,
    reasons: String,
    sets: u32,
}

/// Reads the form into a command, keeps the scans, and opens the dossier.
async fn receive(
    state: &AppState,
    staff: &Staff,
    posted: &Posted,
    fields: &BTreeMap<&'static str, String>,
    given: &BTreeMap<usize, (String, String)>,
) -> Result<Receipt, (String, String)> {
    let f = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let code = posted.get("procedure");
    let today = now().local_date().to_string();
    let loaded = state
        .catalogue
        .current(&state.db, &today)
        .await
        .map_err(|e| (Problem::from(e).title, String::new()))?;
    let Some(procedure) = loaded
        .procedures
        .get(code.trim())
        .map(|p| p.procedure.clone())
    else {
        return Err(("Chọn thủ tục trước khi tiếp nhận.".into(), "q".into()));
    };
    let count = |text: &str, what: &str| -> Result<u32, (String, String)> {
        if text.trim().is_empty() {
            return Ok(0);
        }
        text.trim().parse().map_err(|_| {
            (
                format!("{what}: “{}” không phải số.", text.trim()),
                String::new(),
            )
        })
    };
    let mut components = Vec::new();
    for (i, c) in procedure.components.iter().enumerate() {
        let Some((originals, copies)) = given.get(&i) else {
            continue;
        };
        let mut files = Vec::new();
        for Upload {
            content_type,
            bytes,
            ..
        } in posted.files.get(&i).into_iter().flatten()
        {
            let media = crate::api::accepted_upload(content_type, bytes)
                .map_err(|m| (format!("{}: {m}", c.name), format!("file-{i}")))?;
            if bytes.len() > state.config.upload_limit {
                return Err((
                    format!("{}: tệp lớn hơn giới hạn.", c.name),
                    format!("file-{i}"),
                ));
            }
            let sha = state
                .files
                .put(bytes)
                .map_err(|e| (e.to_string(), String::new()))?;
            let mut tx = state
                .db
                .begin()
                .await
                .map_err(|e| (e.to_string(), String::new()))?;
            tx.add_file(&sha, bytes.len() as i64, media)
                .await
                .map_err(|e| (e.to_string(), String::new()))?;
            tx.commit()
                .await
                .map_err(|e| (e.to_string(), String::new()))?;
            files.push(sha);
        }
        components.push(ReceivedComponent {
            name: c.name.clone(),
            originals: count(originals, &c.name)?,
            copies: count(copies, &c.name)?,
            files,
        });
    }
    let application = Application {
        procedure: procedure.code.clone(),
        procedure_version: 0,
        applicant: Applicant {
            kind: if f("kind") == "organisation" {
                "organisation".into()
            } else {
                "person".into()
            },
            name: f("name"),
            id_number: f("id_number"),
            address: f("address"),
            phone: f("phone"),
            email: f("email"),
            representative: f("representative"),
        },
        components,
        sets: count(&f("sets"), "Số bộ hồ sơ")?.max(1),
        desk_agency: String::new(),
        deciding_agency: f("deciding_agency"),
        served_at: String::new(),
        note: String::new(),
    };
    let action = Some(posted.get("thao_tac"))
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "receive".into());
    let application = Some(application);
    let command = match action.as_str() {
        "request_completion" => Command::RequestCompletion {
            application,
            channel: Channel::Counter,
            missing: f("missing")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            reason: String::new(),
        },
        "refuse" => Command::Refuse {
            application,
            channel: Channel::Counter,
            reasons: f("reasons"),
        },
        _ => Command::Receive {
            application,
            channel: Channel::Counter,
        },
    };
    let key = Some(posted.get("key")).filter(|k| !k.is_empty());
    let person = Person::Staff(staff.clone());
    let opened = crate::dossiers::open(state, &person, command, key.as_deref())
        .await
        .map_err(|p| {
            let field = p
                .errors
                .first()
                .map(|e| e.field.clone())
                .unwrap_or_default();
            let message = p
                .errors
                .first()
                .map(|e| e.reason.clone())
                .or(p.detail.clone())
                .unwrap_or(p.title.clone());
            (message, field)
        })?;
    let d = &opened.loaded.dossier;
    let row = &opened.loaded.row;
    let events = crate::dossiers::timeline(state, row)
        .await
        .map_err(|p| (p.title, String::new()))?;
    let missing = events
        .iter()
        .find_map(|(_, e)| match e {
            motcua_domain::dossier::Event::CompletionRequested { missing, .. } => {
                Some(missing.clone())
            }
            _ => None,
        })
        .unwrap_or_default();
    let reasons = events
        .iter()
        .find_map(|(_, e)| match e {
            motcua_domain::dossier::Event::Refused { reasons } => Some(reasons.clone()),
            _ => None,
        })
        .unwrap_or_default();
    Ok(Receipt {
        layout: Layout::new(state, &format!("Biên nhận hồ sơ {}", row.code))
            .signed_in(staff)
            .active("intake"),
        code: row.code.clone(),
        href: super::dossiers::page_url(&row.code),
        procedure: format!("{} – {}", procedure.code, procedure.name),
        stage: d.stage.vietnamese(),
        applicant: d.application.applicant.clone(),
        received: Instant(d.received_at.unwrap_or(d.submitted_at)).vn(),
        due: d.due.map(|t| Instant(t).vn()).unwrap_or_default(),
        components: d.application.components.clone(),
        lookup: format!("/tra-cuu?ma={}", crate::auth::encode_component(&row.code)),
        secret: opened.secret,
        missing,
        reasons,
        sets: d.application.sets,
    })
}
