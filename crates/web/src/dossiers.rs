//! Dossiers between the request and the store: who may act on which dossier, the procedure
//! version and calendar a decision is made with, the code and lookup secret of a new dossier,
//! and the one transaction in which its events and projection are written. The API and the
//! pages both come through here.

use std::sync::Arc;

use motcua_calendar::Instant;
use motcua_domain::catalogue::Procedure;
use motcua_domain::dossier::{Actor, Command, Context, Dossier, Event, decide};
use motcua_domain::organisation::access::{Action, Reach};
use motcua_store::{DossierRow, EventBatch, Opening, Projection, StoreError};

use crate::AppState;
use crate::agency_tree::InForce;
use crate::auth::{Person, new_token, token_hash};
use crate::due::now;
use crate::problem::Problem;

/// A dossier as the store has it, with its state unpacked.
pub(crate) struct Loaded {
    pub row: DossierRow,
    pub dossier: Dossier,
}

/// A new dossier, and the lookup secret to print on its receipt (shown once, kept hashed).
pub(crate) struct Opened {
    pub loaded: Loaded,
    /// `None` when an idempotent retry returned a dossier made before.
    pub secret: Option<String>,
}

pub(crate) fn unpack(row: DossierRow) -> Result<Loaded, Problem> {
    let dossier = serde_json::from_str(&row.state).map_err(|e| {
        Problem::from(StoreError::Internal(format!(
            "dossier {} cannot be read: {e}",
            row.code
        )))
    })?;
    Ok(Loaded { row, dossier })
}

/// The actor the domain decides for, and the role named on the event.
fn actor_of(person: &Person) -> (Actor, String) {
    match person {
        Person::Staff(staff) => {
            let roles = staff.roles();
            let role = roles
                .first()
                .map_or("staff".to_string(), |r| r.code().to_string());
            (
                Actor::Staff {
                    login: staff.user.login.clone(),
                    roles,
                },
                role,
            )
        }
        Person::Applicant(user) => (
            Actor::Applicant {
                login: user.login.clone(),
            },
            "applicant".to_string(),
        ),
    }
}

/// The role an event is recorded under: the first of the actor's roles the command needs.
fn event_role(actor: &Actor, fallback: &str, command: &Command) -> String {
    use motcua_domain::organisation::Role;
    let Actor::Staff { roles, .. } = actor else {
        return fallback.to_string();
    };
    let desk_first = matches!(
        command,
        Command::Receive { .. }
            | Command::RequestCompletion { .. }
            | Command::Refuse { .. }
            | Command::Return { .. }
            | Command::Stop { .. }
    );
    let preferred = if desk_first {
        [Role::DeskOfficer, Role::ProcessingOfficer, Role::Approver]
    } else {
        [Role::ProcessingOfficer, Role::Approver, Role::DeskOfficer]
    };
    preferred
        .into_iter()
        .find(|r| roles.contains(r))
        .map_or(fallback.to_string(), |r| r.code().to_string())
}

fn refusal(r: motcua_domain::dossier::Refusal) -> Problem {
    use axum::http::StatusCode;
    use motcua_domain::dossier::Refusal;
    match &r {
        Refusal::Stage { .. } => Problem::new(
            StatusCode::CONFLICT,
            "wrong-stage",
            "Thao tác không phù hợp với trạng thái hồ sơ",
        )
        .detail(r.vietnamese()),
        Refusal::Role { .. } => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Không có quyền")
            .detail(r.vietnamese()),
        Refusal::Invalid { field, .. } => Problem::invalid(*field, r.vietnamese()),
        Refusal::Deadline(_) => Problem::invalid("due", r.vietnamese()),
    }
}

/// The version a dossier was received under.
async fn pinned_procedure(state: &AppState, row: &DossierRow) -> Result<Arc<Procedure>, Problem> {
    let (code, number) = (&row.procedure_code, row.procedure_version);
    if let Some(p) = state.pinned.get(code, number) {
        return Ok(p);
    }
    let version = state
        .db
        .procedure_versions(code)
        .await?
        .into_iter()
        .find(|v| v.version == number)
        .ok_or_else(|| {
            Problem::from(StoreError::Internal(format!(
                "dossier {} names procedure {code} version {number}, which is missing",
                row.code
            )))
        })?;
    let procedure: Arc<Procedure> = Arc::new(serde_json::from_str(&version.data).map_err(|e| {
        Problem::from(StoreError::Internal(format!(
            "procedure {code} cannot be read: {e}"
        )))
    })?);
    if version.status != "draft" {
        state.pinned.keep(code, number, procedure.clone());
    }
    Ok(procedure)
}

/// An agency's id by its identifier, today.
fn agency_id(agencies: &InForce, field: &'static str, identifier: &str) -> Result<i64, Problem> {
    agencies
        .id(identifier)
        .ok_or_else(|| Problem::invalid(field, format!("Không có cơ quan mã “{identifier}”.")))
}

/// Whether `person` may act on (or read) `row`.
pub(crate) async fn may(
    state: &AppState,
    person: &Person,
    row: &DossierRow,
    action: Action,
) -> Result<(), Problem> {
    let allowed = match person {
        Person::Applicant(user) => row.applicant_login.as_deref() == Some(user.login.as_str()),
        Person::Staff(staff) => match staff.reach(state, action, true).await {
            Ok(reach) => {
                reach.contains(Some(row.desk_agency_id))
                    || reach.contains(Some(row.deciding_agency_id))
            }
            Err(_) => false,
        },
    };
    if allowed {
        Ok(())
    } else {
        // Not "forbidden": a dossier outside one's reach is not shown to exist.
        Err(Problem::not_found(format!("Không có hồ sơ {}.", row.code)))
    }
}

pub(crate) async fn load(state: &AppState, code: &str) -> Result<Loaded, Problem> {
    let row = state
        .db
        .dossier_by_code(code)
        .await?
        .ok_or_else(|| Problem::not_found(format!("Không có hồ sơ {code}.")))?;
    unpack(row)
}

/// Every file a command names must have been uploaded.
async fn check_files(state: &AppState, command: &Command) -> Result<(), Problem> {
    for (i, c) in command.components().iter().enumerate() {
        let missing = state.db.missing_files(&c.files).await?;
        if let Some(first) = missing.first() {
            return Err(Problem::invalid(
                format!("components[{i}].files"),
                format!("Chưa có tệp {first}: tải tệp lên (POST /api/v1/files) trước."),
            ));
        }
    }
    Ok(())
}

/// Opens a dossier: submitted online, or received, sent back for completion or refused at a desk.
/// With an idempotency key already used by the same person, answers with the dossier it made.
pub(crate) async fn open(
    state: &AppState,
    person: &Person,
    command: Command,
    idempotency_key: Option<&str>,
) -> Result<Opened, Problem> {
    if !command.opens() {
        return Err(Problem::invalid(
            "application",
            "Cần thông tin hồ sơ (application) để nộp hoặc tiếp nhận hồ sơ mới.",
        ));
    }
    if idempotency_key.is_some_and(|key| key.is_empty() || key.len() > 200) {
        return Err(Problem::invalid(
            "Idempotency-Key",
            "Khóa chống gửi trùng phải có từ 1 đến 200 ký tự.",
        ));
    }
    let problem = match open_new(state, person, command, idempotency_key).await {
        Ok(opened) => return Ok(opened),
        Err(problem) => problem,
    };
    // The dossier a key made is looked for only when a new one cannot be made: a retry breaks
    // the key's uniqueness (or, when things changed since, an earlier check), and a first
    // request, by far the most, is spared the query.
    let Some(key) = idempotency_key else {
        return Err(problem);
    };
    let created_by = actor_of(person).0.login().to_string();
    match state
        .db
        .dossier_by_idempotency_key(&created_by, key)
        .await?
    {
        Some(code) => Ok(Opened {
            loaded: load(state, &code).await?,
            secret: None,
        }),
        None => Err(problem),
    }
}

async fn open_new(
    state: &AppState,
    person: &Person,
    mut command: Command,
    idempotency_key: Option<&str>,
) -> Result<Opened, Problem> {
    let announced = state.db.announce_opening();
    check_files(state, &command).await?;
    let (actor, fallback_role) = actor_of(person);
    let created_by = actor.login().to_string();
    let at = now();
    let day = at.local_date();
    let application = command
        .application()
        .expect("a command that opens carries one");
    // The catalogue in force as loaded (a version published in another process shows within
    // `catalogue::RECHECK`); the dossier keeps the version it was received under.
    let catalogue = state.catalogue.current(&state.db, &day.to_string()).await?;
    let in_force = catalogue
        .procedures
        .get(&application.procedure)
        .ok_or_else(|| {
            Problem::invalid("application.procedure", {
                let (y, m, d) = day.ymd();
                format!(
                    "Không có thủ tục “{}” đang có hiệu lực ngày {d:02}/{m:02}/{y}.",
                    application.procedure
                )
            })
        })?;
    let (procedure, version) = (&in_force.procedure, in_force.version);
    let agencies = state
        .agency_tree
        .in_force(&state.db, &day.to_string())
        .await?;
    // Where it is received: the desk agency named, else the staff member's own agency, else (online)
    // where the procedure is received.
    let named_desk = application.desk_agency.trim();
    let (desk, own_agency) = if !named_desk.is_empty() {
        (named_desk.to_string(), None)
    } else {
        match person {
            Person::Staff(staff) => {
                let id = staff.user.agency_id.ok_or_else(|| {
                    Problem::invalid("application.desk_agency", "Cần ghi cơ quan tiếp nhận.")
                })?;
                let identifier = agencies.identifier(id).unwrap_or_default().to_string();
                (identifier, Some(id))
            }
            Person::Applicant(_) => (
                procedure
                    .offered_by
                    .first()
                    .map(|o| o.split('/').next().unwrap_or_default().to_string())
                    .filter(|o| o != "commune")
                    .unwrap_or_else(|| procedure.implementing_agency.clone()),
                None,
            ),
        }
    };
    if desk == "commune" || desk.is_empty() {
        return Err(Problem::invalid(
            "application.desk_agency",
            "Thủ tục cấp xã: cần chọn Ủy ban nhân dân xã, phường nơi nộp hồ sơ.",
        ));
    }
    let deciding = if !application.deciding_agency.trim().is_empty() {
        application.deciding_agency.trim().to_string()
    } else if procedure.implementing_agency == "commune" {
        desk.clone()
    } else {
        procedure.implementing_agency.clone()
    };
    let desk_id = match own_agency {
        Some(id) => id,
        None => agency_id(&agencies, "application.desk_agency", &desk)?,
    };
    let deciding_id = if deciding == desk {
        desk_id
    } else {
        agency_id(&agencies, "application.deciding_agency", &deciding)?
    };
    if let Person::Staff(staff) = person {
        let reach = staff
            .reach(state, Action::ReceiveDossiers, true)
            .await
            .unwrap_or(Reach::None);
        if !reach.contains(Some(desk_id)) {
            return Err(Problem::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                "Không có quyền",
            )
            .detail(format!("Bạn không tiếp nhận hồ sơ tại cơ quan {desk}.")));
        }
    }
    // The application as it will be kept: its procedure version and agencies settled.
    if let Some(a) = match &mut command {
        Command::Submit { application } => Some(application),
        Command::Receive { application, .. }
        | Command::RequestCompletion { application, .. }
        | Command::Refuse { application, .. } => application.as_mut(),
        _ => None,
    } {
        a.procedure_version = version;
        a.desk_agency = desk.clone();
        a.deciding_agency = deciding.clone();
    }
    let time = state.time.current();
    let rules = time
        .rules(Some(&deciding))
        .or_else(|_| time.rules(None))
        .map_err(|e| Problem::from(StoreError::Internal(e.to_string())))?;
    let ctx = Context {
        now: at,
        actor: &actor,
        procedure,
        rules,
    };
    let events = decide(None, &command, &ctx).map_err(refusal)?;
    let dossier = Dossier::replay(events.iter().map(|e| (e, at.0)))
        .expect("decide opens with an Opened event");
    let role = event_role(&actor, &fallback_role, &command);
    let secret = lookup_secret();
    let opening = Opening {
        desk,
        day,
        code_format: state.config.code_format.clone(),
        lookup_hash: token_hash(&secret),
        created_by: created_by.clone(),
        idempotency_key: idempotency_key.map(str::to_string),
        procedure_code: procedure.code.clone(),
        procedure_version: version,
        sector: procedure.sector.clone(),
        level: procedure.level.code().to_string(),
        desk_agency_id: desk_id,
        deciding_agency_id: deciding_id,
        channel: channel_code(dossier.channel).to_string(),
        applicant_login: match person {
            Person::Applicant(user) => Some(user.login.clone()),
            Person::Staff(_) => None,
        },
        state: serde_json::to_string(&dossier).expect("a dossier serialises"),
        events: EventBatch::new(&events, at.0, &created_by, &role),
        dossier,
    };
    drop(catalogue);
    let row = announced.open(opening).await?;
    Ok(Opened {
        loaded: unpack(row)?,
        secret: Some(secret),
    })
}

/// Acts on a dossier read at `version`.
pub(crate) async fn act(
    state: &AppState,
    person: &Person,
    code: &str,
    version: i64,
    command: Command,
) -> Result<Loaded, Problem> {
    let loaded = load(state, code).await?;
    may(state, person, &loaded.row, Action::ActOnDossiers).await?;
    if command.opens() {
        return Err(Problem::invalid(
            "application",
            "Hồ sơ đã có; thao tác này không nhận thông tin hồ sơ mới.",
        ));
    }
    if loaded.row.version != version {
        return Err(stale(code, loaded.row.version, version));
    }
    check_files(state, &command).await?;
    let procedure = pinned_procedure(state, &loaded.row).await?;
    let (actor, fallback_role) = actor_of(person);
    let at = now();
    let deciding = &loaded.dossier.application.deciding_agency;
    let time = state.time.current();
    let rules = time
        .rules(Some(deciding))
        .or_else(|_| time.rules(None))
        .map_err(|e| Problem::from(StoreError::Internal(e.to_string())))?;
    let ctx = Context {
        now: at,
        actor: &actor,
        procedure: &procedure,
        rules,
    };
    let events = decide(Some(&loaded.dossier), &command, &ctx).map_err(refusal)?;
    let mut dossier = loaded.dossier.clone();
    for e in &events {
        dossier.evolve(e, at.0);
    }
    let role = event_role(&actor, &fallback_role, &command);
    let batch = EventBatch::new(&events, at.0, actor.login(), &role);
    let state_json = serde_json::to_string(&dossier).expect("a dossier serialises");
    let mut tx = state.db.begin().await?;
    match tx
        .append_events(
            loaded.row.id,
            version,
            &Projection::of(&dossier, &state_json),
            &batch.events(),
        )
        .await
    {
        Ok(()) => tx.commit().await?,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let now_at = load(state, code).await?.row.version;
            return Err(stale(code, now_at, version));
        }
        Err(e) => return Err(e.into()),
    }
    load(state, code).await
}

fn stale(code: &str, current: i64, asked: i64) -> Problem {
    Problem::new(
        axum::http::StatusCode::CONFLICT,
        "stale-version",
        "Hồ sơ đã thay đổi",
    )
    .detail(format!(
        "Hồ sơ {code} đã được cập nhật (phiên bản {current}, yêu cầu gửi theo phiên bản {asked}). Hãy tải lại hồ sơ rồi thao tác lại."
    ))
    .field("version", format!("phiên bản hiện tại là {current}"))
}

pub(crate) fn channel_code(c: motcua_domain::dossier::Channel) -> &'static str {
    match c {
        motcua_domain::dossier::Channel::Counter => "counter",
        motcua_domain::dossier::Channel::Online => "online",
        motcua_domain::dossier::Channel::Post => "post",
    }
}

/// The secret printed on the receipt for looking the dossier up: 12 letters and digits that read
/// aloud without confusion (no 0/O, 1/I/L).
fn lookup_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let token = new_token();
    token
        .bytes()
        .take(12)
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The events of a dossier, unpacked, with when and by whom.
pub(crate) async fn timeline(
    state: &AppState,
    row: &DossierRow,
) -> Result<Vec<(motcua_store::EventRow, Event)>, Problem> {
    unpack_events(&row.code, state.db.dossier_events(row.id).await?)
}

pub(crate) fn unpack_events(
    code: &str,
    rows: Vec<motcua_store::EventRow>,
) -> Result<Vec<(motcua_store::EventRow, Event)>, Problem> {
    rows.into_iter()
        .map(|r| {
            let event: Event = serde_json::from_str(&r.payload).map_err(|e| {
                Problem::from(StoreError::Internal(format!(
                    "dossier {code} event {} cannot be read: {e}",
                    r.seq
                )))
            })?;
            Ok((r, event))
        })
        .collect()
}

/// Whether `secret` is the dossier's lookup secret.
pub(crate) fn secret_matches(lookup_hash: &str, secret: &str) -> bool {
    let normalised: String = secret
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase();
    !normalised.is_empty() && token_hash(&normalised) == lookup_hash
}

/// An instant as shown in answers: RFC 3339 in Vietnam time.
pub(crate) fn rfc3339(micros: i64) -> String {
    Instant(micros).rfc3339_vn()
}

/// A list page's position, for the next page: the last row's due date and id.
pub(crate) fn encode_cursor(due: i64, id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{due}:{id}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Result<(i64, i64), Problem> {
    use base64::Engine;
    let bad = || {
        Problem::invalid(
            "after",
            "Con trỏ trang không hợp lệ; dùng giá trị next của trang trước.",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (due, id) = text.split_once(':').ok_or_else(bad)?;
    Ok((
        due.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// The pinned procedure of a dossier (public for the pages).
pub(crate) async fn procedure_of(
    state: &AppState,
    row: &DossierRow,
) -> Result<Arc<Procedure>, Problem> {
    pinned_procedure(state, row).await
}
