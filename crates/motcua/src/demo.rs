//! The demo province (`data/demo/province.toml` and `data/demo/catalogue.json`, fictional
//! sample data): loaded into an empty database on first start and by `motcua demo`. The
//! organisation is one transaction; the catalogue, checked against it, is a second; then a year
//! of dossiers (`demo_dossiers`), in transactions of a thousand.

use std::collections::BTreeMap;

use motcua_calendar::{Instant, WorkingTime};
use motcua_domain::dossier::CodeFormat;
use motcua_domain::organisation::{AgencyIdentifier, AgencyKind, Role, UnitKind};
use motcua_domain::text::thousands;
use motcua_store::{AuditEntry, Db, NewAgency, NewUnit, NewUser, StoreError, Tx};
use serde::Deserialize;

use crate::config::Config;

const PROVINCE: &str = include_str!("../../../data/demo/province.toml");
pub const CATALOGUE: &str = include_str!("../../../data/demo/catalogue.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    province: UnitEntry,
    unit: Vec<UnitEntry>,
    agency: Vec<AgencyEntry>,
    commune_template: CommuneTemplate,
    staff: Vec<StaffEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitEntry {
    code: String,
    name: String,
    kind: String,
    parent: Option<String>,
    valid_from: String,
    valid_until: Option<String>,
    merged_into: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyEntry {
    identifier: String,
    name: String,
    kind: String,
    unit: String,
    parent: Option<String>,
    valid_from: String,
    valid_until: Option<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    desks: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommuneTemplate {
    offices: Vec<(String, String)>,
    desk: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffEntry {
    login: String,
    full_name: String,
    position: String,
    agency: String,
    roles: Vec<(String, String)>,
}

/// What was loaded, for the message to the person who started motcua.
pub struct Loaded {
    pub province: String,
    pub units: usize,
    pub agencies: usize,
    pub procedures: usize,
    /// (login, full name, roles in Vietnamese)
    pub staff: Vec<(String, String, String)>,
    pub dossiers: crate::demo_dossiers::Summary,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo data is malformed: {0}")]
    Data(String),
    #[error("the database already holds an organisation; the demo loads only into an empty one")]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the demo catalogue does not import: {0}")]
    Catalogue(String),
    #[error("the demo dossiers were not made: {0}")]
    Dossiers(#[from] crate::demo_dossiers::GenerateError),
}

fn bad(message: impl Into<String>) -> DemoError {
    DemoError::Data(message.into())
}

/// "Phường Minh Sơn" → "Ủy ban nhân dân phường Minh Sơn".
fn committee_name(unit_name: &str) -> String {
    let (first, rest) = unit_name.split_once(' ').unwrap_or((unit_name, ""));
    format!("Ủy ban nhân dân {} {rest}", first.to_lowercase())
}

/// Loads the demo province, giving every account the hash `hash()` returns (one argon2 hash per
/// account, each with its own salt, of the same initial password), and its dossiers of the year
/// before `now`, with deadlines computed in `time` and codes written in `format`. The
/// organisation and the catalogue are each written whole or not at all; the dossiers follow in
/// transactions of a thousand.
pub async fn load(
    db: &Db,
    time: &WorkingTime,
    format: CodeFormat,
    now: Instant,
    hash: impl Fn() -> String,
) -> Result<Loaded, DemoError> {
    let file: File = toml::from_str(PROVINCE).map_err(|e| bad(e.to_string()))?;
    if db.has_organisation().await? {
        return Err(DemoError::NotEmpty);
    }
    let mut tx = db.begin().await?;
    let mut units: BTreeMap<String, (i64, String, String)> = BTreeMap::new();
    for entry in std::iter::once(&file.province).chain(&file.unit) {
        UnitKind::from_code(&entry.kind)
            .ok_or_else(|| bad(format!("unit {}: kind {}", entry.code, entry.kind)))?;
        let parent_id = match &entry.parent {
            None => None,
            Some(code) => Some(
                units
                    .get(code)
                    .ok_or_else(|| {
                        bad(format!(
                            "unit {}: parent {code} is not listed before it",
                            entry.code
                        ))
                    })?
                    .0,
            ),
        };
        let id = tx
            .insert_unit(&NewUnit {
                code: &entry.code,
                name: &entry.name,
                kind: &entry.kind,
                parent_id,
                valid_from: &entry.valid_from,
                valid_until: entry.valid_until.as_deref(),
            })
            .await?;
        units.insert(
            entry.code.clone(),
            (id, entry.name.clone(), entry.kind.clone()),
        );
    }
    for entry in &file.unit {
        if let Some(target) = &entry.merged_into {
            let to = units
                .get(target)
                .ok_or_else(|| bad(format!("unit {}: merged into unknown {target}", entry.code)))?
                .0;
            let effective = entry
                .valid_until
                .as_deref()
                .ok_or_else(|| bad(format!("unit {} merges without ending", entry.code)))?;
            tx.link_units(units[&entry.code].0, to, "merge", effective)
                .await?;
        }
    }

    let mut agencies: BTreeMap<String, i64> = BTreeMap::new();
    for entry in &file.agency {
        insert_agency(&mut tx, &units, &mut agencies, entry).await?;
    }
    // A committee, its offices and a one-stop desk for every commune-level unit of the new shape.
    for entry in file.unit.iter().filter(|u| u.valid_until.is_none()) {
        let suffix: u32 = entry.code[entry.code.len() - 2..]
            .parse()
            .map_err(|_| bad(format!("unit code {}", entry.code)))?;
        let identifier = format!("{}.{}", file_identifier(&file)?, suffix + 30);
        let committee = AgencyEntry {
            identifier: identifier.clone(),
            name: committee_name(&entry.name),
            kind: AgencyKind::CommuneCommittee.code().into(),
            unit: entry.code.clone(),
            parent: None,
            valid_from: entry.valid_from.clone(),
            valid_until: None,
            address: format!("Trụ sở {}", committee_name(&entry.name)),
            phone: String::new(),
            email: String::new(),
            desks: vec![file.commune_template.desk.clone()],
        };
        insert_agency(&mut tx, &units, &mut agencies, &committee).await?;
        for (i, (name, kind)) in file.commune_template.offices.iter().enumerate() {
            let office = AgencyEntry {
                identifier: format!("{identifier}.{:02}", i + 1),
                name: name.clone(),
                kind: kind.clone(),
                unit: entry.code.clone(),
                parent: Some(identifier.clone()),
                valid_from: entry.valid_from.clone(),
                valid_until: None,
                address: String::new(),
                phone: String::new(),
                email: String::new(),
                desks: Vec::new(),
            };
            insert_agency(&mut tx, &units, &mut agencies, &office).await?;
        }
    }

    let mut staff = Vec::new();
    for entry in &file.staff {
        let agency_id = *agencies
            .get(&entry.agency)
            .ok_or_else(|| bad(format!("staff {}: agency {}", entry.login, entry.agency)))?;
        let user_id = tx
            .insert_user(&NewUser {
                login: &entry.login,
                kind: "staff",
                full_name: &entry.full_name,
                position: &entry.position,
                agency_id: Some(agency_id),
                phone: "",
                email: "",
                password_hash: &hash(),
                must_change_password: true,
            })
            .await?;
        let mut names = Vec::new();
        for (role, scope) in &entry.roles {
            let role = Role::from_code(role)
                .ok_or_else(|| bad(format!("staff {}: role {role}", entry.login)))?;
            let (agency, with_children) = match scope.as_str() {
                "province" => (None, true),
                s => {
                    let (id, children) = s.strip_suffix('+').map_or((s, false), |x| (x, true));
                    let agency = *agencies
                        .get(id)
                        .ok_or_else(|| bad(format!("staff {}: scope {s}", entry.login)))?;
                    (Some(agency), children)
                }
            };
            tx.grant(user_id, role.code(), agency, with_children, None)
                .await?;
            names.push(role.vietnamese());
        }
        staff.push((
            entry.login.clone(),
            entry.full_name.clone(),
            names.join(", "),
        ));
    }
    tx.meta_set("demo_loaded", &file.province.name).await?;
    tx.audit(&AuditEntry {
        actor_id: None,
        actor_login: "motcua",
        ip: "",
        action: "demo_loaded",
        object_type: "province",
        object_id: &file.province.code,
        detail: &format!(
            "{{\"units\":{},\"agencies\":{}}}",
            units.len(),
            agencies.len()
        ),
    })
    .await?;
    tx.commit().await?;
    let today = now.local_date().to_string();
    let imported = motcua_web::catalogue::import(db, CATALOGUE, "motcua demo", &today, None)
        .await
        .map_err(|e| match e {
            motcua_web::catalogue::ImportError::Problems(problems) => DemoError::Catalogue(
                problems
                    .iter()
                    .map(|p| format!("{}: {}", p.path, p.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => DemoError::Catalogue(other.to_string()),
        })?;
    // The demo stands for a province at work: its catalogue is already in the national database.
    let mut tx = db.begin().await?;
    tx.mark_entered_when_decided().await?;
    tx.commit().await?;
    let dossiers = crate::demo_dossiers::generate(
        db,
        time,
        format,
        crate::demo_dossiers::SEED,
        crate::demo_dossiers::COUNT,
        now,
    )
    .await?;
    Ok(Loaded {
        province: file.province.name.clone(),
        units: units.len(),
        agencies: agencies.len(),
        procedures: imported.procedures,
        staff,
        dossiers,
    })
}

fn file_identifier(file: &File) -> Result<String, DemoError> {
    file.agency
        .iter()
        .find(|a| a.kind == AgencyKind::ProvincialCommittee.code())
        .map(|a| a.identifier.clone())
        .ok_or_else(|| bad("no provincial committee"))
}

async fn insert_agency(
    tx: &mut Tx,
    units: &BTreeMap<String, (i64, String, String)>,
    agencies: &mut BTreeMap<String, i64>,
    entry: &AgencyEntry,
) -> Result<(), DemoError> {
    AgencyIdentifier::parse(&entry.identifier).map_err(|e| bad(e.to_string()))?;
    AgencyKind::from_code(&entry.kind)
        .ok_or_else(|| bad(format!("agency {}: kind {}", entry.identifier, entry.kind)))?;
    let unit_id = units
        .get(&entry.unit)
        .ok_or_else(|| bad(format!("agency {}: unit {}", entry.identifier, entry.unit)))?
        .0;
    let parent_id = match &entry.parent {
        None => None,
        Some(p) => Some(*agencies.get(p).ok_or_else(|| {
            bad(format!(
                "agency {}: parent {p} is not listed before it",
                entry.identifier
            ))
        })?),
    };
    let id = tx
        .insert_agency(&NewAgency {
            name: &entry.name,
            kind: &entry.kind,
            unit_id,
            parent_id,
            identifier: &entry.identifier,
            address: &entry.address,
            phone: &entry.phone,
            email: &entry.email,
            valid_from: &entry.valid_from,
            valid_until: entry.valid_until.as_deref(),
        })
        .await?;
    for desk in &entry.desks {
        tx.insert_desk(id, desk, &entry.address).await?;
    }
    agencies.insert(entry.identifier.clone(), id);
    Ok(())
}

/// Loads the demo with a fresh initial password and says so on stdout: the accounts, the
/// password that each must change at first sign-in, and dossiers to look up. Deadlines follow
/// the shipped calendar, the years saved in the database and the default office hours.
pub async fn load_and_announce(db: &Db) -> Result<(), DemoError> {
    load_and_announce_with(db, &Config::default()).await
}

/// As [`load_and_announce`], with the calendar folder, office hours and code format of `config`.
pub async fn load_and_announce_with(db: &Db, config: &Config) -> Result<(), DemoError> {
    let years = crate::working_time::local_years(config).map_err(|f| bad(f.message))?;
    let saved = motcua_web::saved_years(db).await.map_err(bad)?;
    let time = motcua_web::TimeHandle::new(crate::working_time::setup(config, years), saved);
    let password = motcua_web::initial_password();
    let for_hash = password.clone();
    let now = Instant(motcua_store::migrate::now_micros());
    let format = CodeFormat::parse(&config.code_format).map_err(bad)?;
    let loaded = load(db, &time.current(), format, now, move || {
        motcua_web::hash_password(&for_hash)
    })
    .await?;
    println!(
        "Đã nạp {} (dữ liệu mẫu, không có thật): {} đơn vị hành chính, {} cơ quan, {} thủ tục hành chính.",
        loaded.province, loaded.units, loaded.agencies, loaded.procedures
    );
    println!("Tài khoản cán bộ mẫu; đăng nhập tại /dang-nhap và đổi mật khẩu ở lần đầu.");
    println!("Mật khẩu ban đầu: {password}");
    for (login, name, roles) in &loaded.staff {
        println!("  {login:<20} {name} — {roles}");
    }
    let d = &loaded.dossiers;
    println!(
        "Hồ sơ mẫu của 12 tháng qua: {} hồ sơ ({} nộp trực tuyến, {} đã trả kết quả, {} trễ hạn, {} đã xin lỗi và gia hạn).",
        thousands(d.dossiers as i64),
        thousands(d.online as i64),
        thousands(d.by_stage.get("returned").copied().unwrap_or(0) as i64),
        thousands(d.late as i64),
        thousands(d.extended as i64)
    );
    println!(
        "Tra cứu thử tại /tra-cuu bằng mã hồ sơ và mã tra cứu in trên giấy tiếp nhận (hoặc GET /api/v1/lookup/<mã hồ sơ>?secret=<mã tra cứu>):"
    );
    for (code, secret, stage) in &d.examples {
        println!(
            "  {code:<24} {secret}  {}",
            stage.national_name().to_lowercase()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn committee_names_read_naturally() {
        assert_eq!(
            super::committee_name("Phường Minh Sơn"),
            "Ủy ban nhân dân phường Minh Sơn"
        );
        assert_eq!(
            super::committee_name("Đặc khu Hòn Ngọc"),
            "Ủy ban nhân dân đặc khu Hòn Ngọc"
        );
    }
}
