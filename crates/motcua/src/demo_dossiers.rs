//! A year of dossiers for the demo province, made the way the service makes them: each command
//! is decided by `motcua_domain::dossier::decide` at a simulated time (office hours and working
//! days of the calendar), by an officer holding the workflow step's role, under the procedure
//! version in force on the day; codes are numbered per receiving agency and day in the order
//! the dossiers were opened, and each lookup secret is kept as its SHA-256, as a receipt keeps it.
//! Nothing happens after `now`, so recent dossiers are still open. The same seed, the same
//! database and the same `now` give the same dossiers, codes and hashes.
//!
//! Besides the binary, the integration tests and the dossier benchmark include this file (by
//! path), so it uses only the libraries, never the binary's own modules.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use motcua_calendar::{Date, Duration, Instant, Rules, Unit, WorkingTime};
use motcua_domain::catalogue::{Procedure, WorkflowStep};
use motcua_domain::dossier::{
    Actor, Applicant, Application, Channel, CodeFormat, Command, Context, Dossier,
    ReceivedComponent, ReturnChannel, Stage, decide,
};
use motcua_domain::organisation::Role;
use motcua_store::{Db, History, NewDossier, NewEvent, Projection, StoreError, Tx, sha256_hex};

/// The demo's seed: fixed, so every demo database tells the same story about the same days.
pub const SEED: u64 = 0x6d6f_7463_7561;
/// About a year of a small province's dossiers.
pub const COUNT: usize = 5_000;
/// Dossiers written per transaction.
const BATCH: usize = 1_000;

/// Why no dossiers could be made.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The generator asked for something the rules refuse: a bug here, not in the data.
    #[error("a generated dossier was refused: {0}")]
    Refused(String),
    #[error("the province has no {0}")]
    Missing(String),
}

/// SplitMix64: small, fast and the same everywhere, which is all sample data needs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `0..n` (the bias of `%` is far below what sample data can show).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// In `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).max(1) as u64) as i64
    }

    /// In `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let mut left = self.unit() * weights.iter().sum::<f64>();
        for (i, w) in weights.iter().enumerate() {
            if left < *w {
                return i;
            }
            left -= w;
        }
        weights.len() - 1
    }
}

/// Shares of the dossiers by sector: land first, as in every province, then civil status and
/// certification; sectors not listed weigh 1.
const SECTOR_WEIGHTS: &[(&str, f64)] = &[
    ("DD", 30.0),
    ("HT", 16.0),
    ("CHT", 12.0),
    ("DKDN", 6.0),
    ("XD", 5.0),
    ("HKD", 4.0),
    ("BTXH", 4.0),
    ("GT", 4.0),
    ("LD", 3.0),
];

/// How a sector's dossiers go wrong: the chance one runs slow (most of those end late), that it
/// is sent back for a supplement, and that a slow one's agency apologises in time. Land and
/// construction, with surveys and site visits, most; civil status, often done the same day,
/// least; sectors not listed as `OTHER_RISK`. Over the demo's mix about a tenth run slow.
struct Risk {
    slow: f64,
    supplement: f64,
    apology: f64,
}

const SECTOR_RISKS: &[(&str, Risk)] = &[
    (
        "DD",
        Risk {
            slow: 0.16,
            supplement: 0.14,
            apology: 0.55,
        },
    ),
    (
        "XD",
        Risk {
            slow: 0.14,
            supplement: 0.12,
            apology: 0.5,
        },
    ),
    (
        "DKDN",
        Risk {
            slow: 0.06,
            supplement: 0.10,
            apology: 0.6,
        },
    ),
    (
        "HKD",
        Risk {
            slow: 0.06,
            supplement: 0.06,
            apology: 0.6,
        },
    ),
    (
        "HT",
        Risk {
            slow: 0.04,
            supplement: 0.05,
            apology: 0.7,
        },
    ),
    (
        "CHT",
        Risk {
            slow: 0.02,
            supplement: 0.03,
            apology: 0.7,
        },
    ),
];

const OTHER_RISK: Risk = Risk {
    slow: 0.08,
    supplement: 0.07,
    apology: 0.6,
};

fn risk(sector: &str) -> &'static Risk {
    SECTOR_RISKS
        .iter()
        .find(|(s, _)| *s == sector)
        .map_or(&OTHER_RISK, |(_, r)| r)
}

/// A procedure version in force, as the service reads it.
struct Offered {
    version: i64,
    sector: String,
    level: String,
    procedure: Arc<Procedure>,
}

/// A staff account that may act in dossiers, with its grants.
struct Officer {
    login: String,
    roles: Vec<Role>,
    /// (role, agency id or the whole province, with the agencies below it)
    grants: Vec<(Role, Option<i64>, bool)>,
}

/// What the generator needs to know of the province, read once.
pub struct Province {
    /// The desks dossiers are received at: the service centre, then the communes.
    /// Agencies in force today: identifier → (id, parent id).
    agencies: HashMap<String, (i64, Option<i64>)>,
    /// Agency id → its parent's id.
    parents: HashMap<i64, Option<i64>>,
    /// The provincial service centre's identifier: the desk of provincial procedures.
    centre: String,
    /// Commune committees, each the desk and deciding agency of commune procedures.
    communes: Vec<String>,
    officers: Vec<Officer>,
    /// The procedures in force from each day on which the catalogue in force changes.
    catalogues: BTreeMap<Date, Vec<Offered>>,
    /// How the province writes dossier codes.
    format: CodeFormat,
}

impl Province {
    /// Reads the organisation, staff and catalogue for dossiers opened from `first` to `last`,
    /// to be numbered in `format`.
    pub async fn load(
        db: &Db,
        first: Date,
        last: Date,
        format: CodeFormat,
    ) -> Result<Province, GenerateError> {
        let today = last.to_string();
        let mut agencies = HashMap::new();
        let mut centre = None;
        let mut communes = Vec::new();
        for a in db.agencies_as_of(&today).await? {
            if a.identifier.is_empty() {
                continue;
            }
            match a.kind.as_str() {
                "service_centre" if centre.is_none() => centre = Some(a.identifier.clone()),
                "commune_committee" => communes.push(a.identifier.clone()),
                _ => {}
            }
            agencies.insert(a.identifier, (a.id, a.parent_id));
        }
        communes.sort();
        let centre = centre.ok_or_else(|| GenerateError::Missing("service centre".into()))?;
        if communes.is_empty() {
            return Err(GenerateError::Missing("commune committee".into()));
        }

        let mut staff = db.staff(None).await?;
        staff.sort_by(|a, b| a.login.cmp(&b.login));
        let mut officers = Vec::new();
        for user in staff.into_iter().filter(|u| u.active) {
            let grants: Vec<(Role, Option<i64>, bool)> = db
                .grants_of(user.id)
                .await?
                .into_iter()
                .filter_map(|g| Some((Role::from_code(&g.role)?, g.agency_id, g.with_children)))
                .collect();
            let mut roles: Vec<Role> = grants.iter().map(|g| g.0).collect();
            roles.dedup();
            officers.push(Officer {
                login: user.login,
                roles,
                grants,
            });
        }

        // The catalogue in force changes only on the days versions begin or end.
        let mut changes = vec![first];
        for v in db.version_summaries().await? {
            for day in std::iter::once(&v.valid_from).chain(v.valid_until.as_ref()) {
                if let Ok(day) = Date::parse(day)
                    && day > first
                    && day <= last
                {
                    changes.push(day);
                }
            }
        }
        changes.sort();
        changes.dedup();
        let mut parsed: HashMap<(String, i64), Arc<Procedure>> = HashMap::new();
        let mut catalogues = BTreeMap::new();
        for day in changes {
            let mut offered = Vec::new();
            for row in db.procedures_in_force(&day.to_string()).await? {
                let key = (row.code.clone(), row.version);
                let procedure = match parsed.get(&key) {
                    Some(p) => p.clone(),
                    None => {
                        let p: Procedure = serde_json::from_str(&row.data).map_err(|e| {
                            StoreError::Internal(format!(
                                "procedure {} cannot be read: {e}",
                                row.code
                            ))
                        })?;
                        let p = Arc::new(p);
                        parsed.insert(key, p.clone());
                        p
                    }
                };
                offered.push(Offered {
                    version: row.version,
                    sector: row.sector,
                    level: row.level,
                    procedure,
                });
            }
            catalogues.insert(day, offered);
        }
        Ok(Province {
            parents: agencies.values().copied().collect(),
            agencies,
            centre,
            communes,
            officers,
            catalogues,
            format,
        })
    }

    fn in_force(&self, day: Date) -> &[Offered] {
        self.catalogues
            .range(..=day)
            .next_back()
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// Whether `agency` is `within` or, with children, below it.
    fn covers(&self, within: i64, with_children: bool, agency: i64) -> bool {
        if within == agency {
            return true;
        }
        if !with_children {
            return false;
        }
        let mut at = self.parents.get(&agency).copied().flatten();
        while let Some(id) = at {
            if id == within {
                return true;
            }
            at = self.parents.get(&id).copied().flatten();
        }
        false
    }

    /// Who acts as `role` at `agency`: the demo account granted it most narrowly, or, where
    /// the demo has nobody, a name for that agency's officer (`chuyenvien.h99.04`).
    fn officer(&self, role: Role, agency: &str) -> Actor {
        let id = self.agencies.get(agency).map(|a| a.0);
        let mut best: Option<(u8, &Officer)> = None;
        for o in &self.officers {
            for (r, within, children) in &o.grants {
                if *r != role {
                    continue;
                }
                let rank = match (within, id) {
                    (None, _) => 3,
                    (Some(w), Some(a)) if *w == a => u8::from(*children),
                    (Some(w), Some(a)) if self.covers(*w, *children, a) => 2,
                    _ => continue,
                };
                if best.is_none_or(|(b, _)| rank < b) {
                    best = Some((rank, o));
                }
            }
        }
        match best {
            Some((_, o)) => Actor::Staff {
                login: o.login.clone(),
                roles: o.roles.clone(),
            },
            None => {
                let prefix = match role {
                    Role::DeskOfficer => "motcua",
                    Role::Approver => "lanhdao",
                    _ => "chuyenvien",
                };
                Actor::Staff {
                    login: format!("{prefix}.{}", agency.to_lowercase()),
                    roles: vec![role],
                }
            }
        }
    }
}

/// One dossier as made: what the store writes, and the secret printed on its receipt.
pub struct Made {
    pub code: String,
    pub secret: String,
    pub dossier: Dossier,
    desk: String,
    desk_id: i64,
    deciding_id: i64,
    day: String,
    number: i64,
    lookup_hash: String,
    created_by: String,
    applicant_login: Option<String>,
    procedure_code: String,
    version: i64,
    sector: String,
    level: String,
    state: String,
    events: Vec<Written>,
}

struct Written {
    kind: &'static str,
    payload: String,
    at: i64,
    actor: String,
    role: String,
}

impl Made {
    pub fn history(&self) -> History<'_> {
        History {
            dossier: NewDossier {
                code: &self.code,
                lookup_hash: &self.lookup_hash,
                created_by: &self.created_by,
                idempotency_key: None,
                procedure_code: &self.procedure_code,
                procedure_version: self.version,
                sector: &self.sector,
                level: &self.level,
                desk_agency_id: self.desk_id,
                deciding_agency_id: self.deciding_id,
                channel: match self.dossier.channel {
                    Channel::Counter => "counter",
                    Channel::Online => "online",
                    Channel::Post => "post",
                },
                applicant_login: self.applicant_login.as_deref(),
            },
            desk: &self.desk,
            day: &self.day,
            number: self.number,
            projection: Projection::of(&self.dossier, &self.state),
            events: self
                .events
                .iter()
                .map(|e| NewEvent {
                    kind: e.kind,
                    payload: &e.payload,
                    at: e.at,
                    actor: &e.actor,
                    actor_role: &e.role,
                })
                .collect(),
        }
    }
}

/// The secret printed on a demo receipt: derived from the seed and the code, in the alphabet
/// of real secrets (no 0/O, 1/I/L), so a reader of the demo can compute and try it.
pub fn secret(seed: u64, code: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let digest = sha256_hex(format!("{seed}/{code}").as_bytes());
    digest
        .as_bytes()
        .chunks(2)
        .take(12)
        .map(|pair| {
            let byte =
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            ALPHABET[byte as usize % ALPHABET.len()] as char
        })
        .collect()
}

/// How many dossiers are opened on each day from `first` to `last`: `count` in all, working
/// days weighing 1 and days off (online submissions only) a tenth of that.
pub fn per_day(time: &WorkingTime, first: Date, last: Date, count: usize) -> Vec<(Date, usize)> {
    let days: Vec<(Date, f64)> = (first.days()..=last.days())
        .map(Date::from_days)
        .map(|d| {
            let working = time.calendar.is_working(d).unwrap_or(false);
            (d, if working { 1.0 } else { 0.1 })
        })
        .collect();
    let total: f64 = days.iter().map(|d| d.1).sum();
    let mut given = 0usize;
    let mut so_far = 0.0;
    days.into_iter()
        .map(|(d, w)| {
            so_far += w;
            let upto = (count as f64 * so_far / total).round() as usize;
            let n = upto - given;
            given = upto;
            (d, n)
        })
        .collect()
}

/// The dossiers opened on `day`, numbered in the order they were opened after the numbers
/// `taken` already that day (by desk identifier).
pub fn day(
    province: &Province,
    time: &WorkingTime,
    seed: u64,
    day: Date,
    count: usize,
    now: Instant,
    taken: &HashMap<String, i64>,
) -> Result<Vec<Made>, GenerateError> {
    let offered = province.in_force(day);
    if offered.is_empty() || count == 0 {
        return Ok(Vec::new());
    }
    let mut sectors: Vec<&str> = offered.iter().map(|o| o.sector.as_str()).collect();
    sectors.sort();
    sectors.dedup();
    let weights: Vec<f64> = sectors
        .iter()
        .map(|s| {
            SECTOR_WEIGHTS
                .iter()
                .find(|(code, _)| code == s)
                .map_or(1.0, |w| w.1)
        })
        .collect();
    let mut rng = Rng::new(seed ^ (day.days() as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let working = time.calendar.is_working(day).unwrap_or(false);
    let mut made = Vec::with_capacity(count);
    for _ in 0..count {
        // A procedure that cannot be done that way (online on a day off) is drawn again.
        for _attempt in 0..10 {
            let sector = sectors[rng.weighted(&weights)];
            let choices: Vec<&Offered> = offered.iter().filter(|o| o.sector == sector).collect();
            let o = *rng.pick(&choices);
            if let Some(m) = one(province, time, &mut rng, o, day, working, now)? {
                made.push(m);
                break;
            }
        }
    }
    // Numbers follow the order of opening, per receiving agency, as `next_dossier_number` gives
    // them; the code names the day it was opened.
    made.sort_by_key(|m| m.events[0].at);
    let mut numbers = taken.clone();
    for m in &mut made {
        let n = numbers.entry(m.desk.clone()).or_default();
        *n += 1;
        m.number = *n;
        m.code = province.format.code(&m.desk, day, *n);
        m.secret = secret(seed, &m.code);
        m.lookup_hash = sha256_hex(m.secret.as_bytes());
    }
    Ok(made)
}

/// What was written, for the person loading the demo.
pub struct Summary {
    pub dossiers: usize,
    pub events: usize,
    pub by_stage: BTreeMap<&'static str, usize>,
    pub online: usize,
    pub late: usize,
    pub extended: usize,
    /// (code, secret, stage) of a few dossiers to look up.
    pub examples: Vec<(String, String, Stage)>,
}

/// Makes `count` dossiers opened over the 365 days before `now`'s day and writes them, in
/// transactions of a thousand.
pub async fn generate(
    db: &Db,
    time: &WorkingTime,
    format: CodeFormat,
    seed: u64,
    count: usize,
    now: Instant,
) -> Result<Summary, GenerateError> {
    let last = now.local_date().add_days(-1);
    let first = last.add_days(-364);
    let province = Province::load(db, first, last, format).await?;
    let mut summary = Summary {
        dossiers: 0,
        events: 0,
        by_stage: BTreeMap::new(),
        online: 0,
        late: 0,
        extended: 0,
        examples: Vec::new(),
    };
    let mut pending: Vec<Made> = Vec::new();
    for (d, n) in per_day(time, first, last, count) {
        pending.extend(day(&province, time, seed, d, n, now, &HashMap::new())?);
        if pending.len() >= BATCH {
            write(db, &pending, &mut summary).await?;
            pending.clear();
        }
    }
    write(db, &pending, &mut summary).await?;
    db.analyze_dossiers().await?;
    Ok(summary)
}

async fn write(db: &Db, made: &[Made], summary: &mut Summary) -> Result<(), GenerateError> {
    if made.is_empty() {
        return Ok(());
    }
    let histories: Vec<History<'_>> = made.iter().map(Made::history).collect();
    let mut tx: Tx = db.begin().await?;
    tx.insert_histories(&histories).await?;
    tx.commit().await?;
    for m in made {
        summary.dossiers += 1;
        summary.events += m.events.len();
        *summary.by_stage.entry(m.dossier.stage.code()).or_default() += 1;
        summary.online += usize::from(m.dossier.channel == Channel::Online);
        summary.late += usize::from(m.dossier.outcome == Some(motcua_calendar::Finished::Late));
        summary.extended += usize::from(m.dossier.extended);
        // The last dossier of each of these stages: the newest, most likely to interest.
        for wanted in [
            Stage::Returned,
            Stage::Processing,
            Stage::SupplementRequested,
        ] {
            if m.dossier.stage == wanted {
                summary.examples.retain(|e| e.2 != wanted);
                summary
                    .examples
                    .push((m.code.clone(), m.secret.clone(), wanted));
            }
        }
    }
    summary.examples.sort_by_key(|e| e.2 != Stage::Returned);
    Ok(())
}

/// Why a story ended early.
enum Halt {
    /// The next step would happen after `now`: the dossier stays where it is.
    Now,
    Refused(String),
}

/// One dossier's life, decided command by command on the working-time line of its deciding
/// agency (positions are working minutes).
struct Story<'a> {
    procedure: &'a Procedure,
    rules: Rules<'a>,
    now: Instant,
    dossier: Option<Dossier>,
    last: Instant,
    events: Vec<Written>,
}

impl Story<'_> {
    fn position(&self, at: Instant) -> Result<i64, Halt> {
        self.rules
            .position(at)
            .map_err(|e| Halt::Refused(e.to_string()))
    }

    fn instant(&self, position: i64) -> Result<Instant, Halt> {
        self.rules
            .instant(position)
            .map_err(|e| Halt::Refused(e.to_string()))
    }

    fn dossier(&self) -> &Dossier {
        self.dossier.as_ref().expect("opened before it is acted on")
    }

    /// `command` by `actor` at `position`, unless that is after now.
    fn act(&mut self, position: i64, actor: &Actor, command: Command) -> Result<(), Halt> {
        let at = self.instant(position)?.max(self.last);
        self.act_at(at, actor, command)
    }

    fn act_at(&mut self, at: Instant, actor: &Actor, command: Command) -> Result<(), Halt> {
        if at > self.now {
            return Err(Halt::Now);
        }
        let ctx = Context {
            now: at,
            actor,
            procedure: self.procedure,
            rules: self.rules,
        };
        let events = decide(self.dossier.as_ref(), &command, &ctx).map_err(|r| {
            Halt::Refused(format!("{} {}: {r}", self.procedure.code, command.name()))
        })?;
        match &mut self.dossier {
            None => self.dossier = Dossier::replay(events.iter().map(|e| (e, at.0))),
            Some(d) => events.iter().for_each(|e| d.evolve(e, at.0)),
        }
        let role = event_role(actor, &command);
        for e in &events {
            self.events.push(Written {
                kind: e.kind(),
                payload: serde_json::to_string(e).expect("an event serialises"),
                at: at.0,
                actor: actor.login().to_string(),
                role: role.clone(),
            });
        }
        self.last = at;
        Ok(())
    }
}

/// The role an event is recorded under, as the service records it: the first of the actor's
/// roles the command needs.
fn event_role(actor: &Actor, command: &Command) -> String {
    let Actor::Staff { roles, .. } = actor else {
        return "applicant".to_string();
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
        .or(roles.first().copied())
        .map_or("staff".to_string(), |r| r.code().to_string())
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: &[&str] = &[
    "Văn",
    "Thị",
    "Minh",
    "Thu",
    "Quốc",
    "Thanh",
    "Ngọc",
    "Đức",
    "Hải",
    "Thị Thu",
    "Xuân",
    "Hữu",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
    "Trung", "Tuấn", "Vân", "Yến",
];
const COMPANY: &[&str] = &[
    "Công ty TNHH Thương mại Minh Phát",
    "Công ty Cổ phần Xây dựng Sơn Hà",
    "Công ty TNHH Nông sản An Thịnh",
    "Hợp tác xã Dịch vụ Nông nghiệp Hòa Bình",
    "Công ty TNHH Vận tải Hòn Ngọc",
    "Công ty Cổ phần Du lịch Biển Xanh",
];

fn applicant(rng: &mut Rng, organisation: bool, place: &str) -> Applicant {
    let phone = format!("09{:08}", rng.below(100_000_000));
    if organisation {
        Applicant {
            kind: "organisation".into(),
            name: rng.pick(COMPANY).to_string(),
            id_number: format!("{:010}", 4_100_000_000u64 + rng.below(99_999_999) as u64),
            address: format!(
                "Số {} đường {}, {place}",
                rng.between(1, 300),
                rng.pick(GIVEN)
            ),
            phone,
            email: String::new(),
            representative: format!(
                "{} {} {}",
                rng.pick(FAMILY),
                rng.pick(MIDDLE),
                rng.pick(GIVEN)
            ),
        }
    } else {
        Applicant {
            kind: "person".into(),
            name: format!(
                "{} {} {}",
                rng.pick(FAMILY),
                rng.pick(MIDDLE),
                rng.pick(GIVEN)
            ),
            id_number: format!("0991{:08}", rng.below(100_000_000)),
            address: format!("Tổ {}, {place}", rng.between(1, 40)),
            phone,
            email: String::new(),
            representative: String::new(),
        }
    }
}

/// Every component the procedure always requires, as many originals and copies as it asks.
fn components(procedure: &Procedure) -> Vec<ReceivedComponent> {
    procedure
        .components
        .iter()
        .filter(|c| c.case.trim().is_empty())
        .map(|c| ReceivedComponent {
            name: c.name.clone(),
            originals: c.originals,
            copies: if c.originals + c.copies == 0 {
                1
            } else {
                c.copies
            },
            files: Vec::new(),
        })
        .collect()
}

/// The steps `decide` walks: the deciding agency's own, the province's, or the plainest.
fn steps_of(procedure: &Procedure, deciding: &str) -> Vec<WorkflowStep> {
    let (_, steps) = procedure.workflow_for(deciding);
    if !steps.is_empty() {
        return steps.to_vec();
    }
    let step = |role: Role| WorkflowStep {
        name: String::new(),
        role: role.code().into(),
        agency: deciding.into(),
        days: "0".into(),
        actions: Vec::new(),
    };
    vec![
        step(Role::DeskOfficer),
        step(Role::ProcessingOfficer),
        step(Role::DeskOfficer),
    ]
}

/// A working day's minute `offset` after opening, as a position.
fn opening_position(rules: &Rules, day: Date) -> Result<i64, Halt> {
    rules
        .position(Instant::from_local(day, 0))
        .map_err(|e| Halt::Refused(e.to_string()))
}

const REFUSALS: &[&str] = &[
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan",
    "Người nộp không đủ điều kiện theo quy định của thủ tục",
    "Thửa đất đang có tranh chấp, chưa đủ điều kiện giải quyết",
];
const EXTENSIONS: &[&str] = &[
    "Cần xác minh thêm nguồn gốc sử dụng đất tại địa phương",
    "Chờ ý kiến của cơ quan phối hợp",
    "Khối lượng hồ sơ tăng đột biến trong kỳ",
];

/// One dossier of procedure `o`, opened on `day`; `None` if it would open after now.
fn one(
    province: &Province,
    time: &WorkingTime,
    rng: &mut Rng,
    o: &Offered,
    day: Date,
    working: bool,
    now: Instant,
) -> Result<Option<Made>, GenerateError> {
    let p = &*o.procedure;
    let commune = o.level == "commune" || p.implementing_agency == "commune";
    let desk = if commune {
        // The ward of the provincial capital is the busiest.
        let weights: Vec<f64> = (0..province.communes.len())
            .map(|i| if i == 0 { 4.0 } else { 1.0 })
            .collect();
        province.communes[rng.weighted(&weights)].clone()
    } else {
        province.centre.clone()
    };
    let deciding = if commune {
        desk.clone()
    } else {
        p.implementing_agency.clone()
    };
    let (Some(desk_id), Some(deciding_id)) = (
        province.agencies.get(&desk).map(|a| a.0),
        province.agencies.get(&deciding).map(|a| a.0),
    ) else {
        return Ok(None);
    };
    let offers = |c: motcua_domain::catalogue::Channel| p.methods.iter().any(|m| m.channel == c);
    let channel =
        if !working || (offers(motcua_domain::catalogue::Channel::Online) && rng.chance(0.36)) {
            Channel::Online
        } else if offers(motcua_domain::catalogue::Channel::Post) && rng.chance(0.05) {
            Channel::Post
        } else {
            Channel::Counter
        };
    if channel == Channel::Online && !offers(motcua_domain::catalogue::Channel::Online) {
        return Ok(None);
    }
    let organisation = matches!(o.sector.as_str(), "DKDN" | "CT" | "DT") || rng.chance(0.05);
    let place = if commune {
        desk.as_str()
    } else {
        "tỉnh Minh Sơn"
    };
    let application = Application {
        procedure: p.code.clone(),
        procedure_version: o.version,
        applicant: applicant(rng, organisation, place),
        components: components(p),
        sets: 1,
        desk_agency: desk.clone(),
        deciding_agency: deciding.clone(),
        served_at: String::new(),
        note: String::new(),
    };
    let rules = time
        .rules(Some(&deciding))
        .or_else(|_| time.rules(None))
        .map_err(|e| GenerateError::Refused(e.to_string()))?;
    let mut story = Story {
        procedure: p,
        rules,
        now,
        dossier: None,
        last: Instant(i64::MIN),
        events: Vec::new(),
    };
    let applicant_login = (channel == Channel::Online).then(|| application.applicant.phone.clone());
    match live(
        province,
        rng,
        &mut story,
        application,
        channel,
        day,
        &desk,
        &deciding,
    ) {
        Ok(()) | Err(Halt::Now) => {}
        Err(Halt::Refused(why)) => return Err(GenerateError::Refused(why)),
    }
    let Some(dossier) = story.dossier else {
        return Ok(None);
    };
    let created_by = story.events[0].actor.clone();
    Ok(Some(Made {
        code: String::new(),
        secret: String::new(),
        state: serde_json::to_string(&dossier).expect("a dossier serialises"),
        dossier,
        desk,
        desk_id,
        deciding_id,
        day: day.to_string(),
        number: 0,
        lookup_hash: String::new(),
        created_by,
        applicant_login,
        procedure_code: p.code.clone(),
        version: o.version,
        sector: o.sector.clone(),
        level: o.level.clone(),
        events: story.events,
    }))
}

/// The whole life: opening, receipt, the workflow with its pauses, extension, withdrawal or
/// completion, and the return; `Err(Halt::Now)` where it reaches the present.
#[allow(clippy::too_many_arguments)]
fn live(
    province: &Province,
    rng: &mut Rng,
    story: &mut Story,
    application: Application,
    channel: Channel,
    day: Date,
    desk: &str,
    deciding: &str,
) -> Result<(), Halt> {
    let p = story.procedure;
    let day_minutes = i64::from(story.rules.hours.day_minutes());
    let desk_officer = province.officer(Role::DeskOfficer, desk);
    let applicant = Actor::Applicant {
        login: application.applicant.phone.clone(),
    };
    let online = channel == Channel::Online;
    // Who hands papers in later: the applicant online, the desk for those who come in person.
    let bringer = if online { &applicant } else { &desk_officer };
    let full = application.components.clone();

    // Opening: online at any hour, then the desk looks at it within a working day or so; at
    // the counter or by post, during office hours. The first command at the desk carries the
    // application unless it came online.
    let mut carried = Some(application);
    let mut pos = if online {
        let minute = rng.between(6 * 60, 23 * 60 - 1) as u16;
        let submitted = Instant::from_local(day, minute);
        let application = carried.take().expect("not yet given");
        story.act_at(submitted, &applicant, Command::Submit { application })?;
        let wait = if rng.chance(0.1) {
            rng.between(day_minutes, 3 * day_minutes)
        } else {
            rng.between(20, day_minutes)
        };
        story.position(submitted)? + wait
    } else {
        opening_position(&story.rules, day)? + rng.between(5, day_minutes - 5)
    };
    let roll = rng.unit();
    if roll < 0.02 {
        return story.act(
            pos,
            &desk_officer,
            Command::Refuse {
                application: carried.take(),
                channel,
                reasons: rng.pick(REFUSALS).to_string(),
            },
        );
    }
    if roll < 0.07 && !full.is_empty() {
        // Brought without one of the documents: asked to complete it (Mẫu 02).
        let missing = full[0].name.clone();
        let application = carried.take().map(|mut a| {
            a.components.retain(|c| c.name != missing);
            a
        });
        story.act(
            pos,
            &desk_officer,
            Command::RequestCompletion {
                application,
                channel,
                missing: vec![missing],
                reason: "Thiếu giấy tờ theo quy định của thủ tục".into(),
            },
        )?;
        // A quarter never come back.
        if rng.chance(0.25) {
            return Ok(());
        }
        pos += rng.between(1, 15) * day_minutes;
        story.act(
            pos,
            bringer,
            Command::ProvideCompletion {
                components: full.clone(),
            },
        )?;
        pos += rng.between(10, 120);
    }
    story.act(
        pos,
        &desk_officer,
        Command::Receive {
            application: carried.take(),
            channel,
        },
    )?;

    // The workflow: each step takes a share of the time to the appointment; the sector's share
    // of the dossiers are slow and most of those end late unless the agency apologises in time.
    let steps = steps_of(p, deciding);
    let last_work = steps.len() - 2;
    let due = story.dossier().due.unwrap_or(story.last.0);
    let total = (story.position(Instant(due))? - pos).max(60);
    let weights: Vec<f64> = steps[..=last_work]
        .iter()
        .map(|s| {
            Duration::parse(Unit::WorkingDays, &s.days)
                .map(|d| f64::from(d.centi))
                .unwrap_or(0.0)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let risk = risk(&p.sector);
    let slow = rng.chance(risk.slow);
    let speed = if slow {
        1.05 + rng.unit() * 0.55
    } else {
        0.35 + rng.unit() * 0.6
    };
    let durations: Vec<i64> = weights
        .iter()
        .map(|w| {
            let share = if sum > 0.0 {
                w / sum
            } else {
                1.0 / weights.len() as f64
            };
            ((total as f64 * share * speed * (0.8 + rng.unit() * 0.4)) as i64).max(5)
        })
        .collect();
    let withdraw_at = rng.chance(0.03).then(|| rng.below(last_work + 1));
    let supplement = rng.chance(risk.supplement);
    let payment = rng.chance(if p.code.contains(".DD.") { 0.35 } else { 0.04 });
    let consult = !p.coordinating_agencies.is_empty() && rng.chance(0.05);
    let send_back = rng.chance(0.03);
    let apologise = rng.chance(risk.apology);
    // The first processing step: where supplements, payments and consultations happen.
    let work_step = (1..=last_work).find(|i| steps[*i].role == Role::ProcessingOfficer.code());
    // The last signature: where the few sent back are sent back from.
    let sign_step = (1..=last_work)
        .rev()
        .find(|i| steps[*i].role == Role::Approver.code());

    let actor_at = |i: usize| {
        let step = &steps[i];
        let agency = if step.agency == "commune" {
            deciding
        } else {
            step.agency.as_str()
        };
        province.officer(
            Role::from_code(&step.role).unwrap_or(Role::ProcessingOfficer),
            agency,
        )
    };
    let mut i = 0;
    loop {
        let actor = actor_at(i);
        let start = pos;
        if withdraw_at == Some(i) {
            pos += rng.between(1, durations[i].max(2));
            story.act(
                pos,
                bringer,
                Command::RequestWithdrawal {
                    reason: "Người nộp đề nghị rút hồ sơ để điều chỉnh nội dung".into(),
                },
            )?;
            pos += rng.between(2, 15) * day_minutes;
            return story.act(
                pos,
                &desk_officer,
                Command::Stop {
                    reason: "Dừng giải quyết theo đề nghị rút hồ sơ của người nộp".into(),
                },
            );
        }
        // Going late: apologise and propose a new date while there is still a working day.
        if i >= 1 && slow && apologise && !story.dossier().extended {
            let finish = pos + durations[i..=last_work].iter().sum::<i64>();
            let due = story.dossier().due.unwrap_or(i64::MAX);
            let latest = story
                .rules
                .latest_extension_request(Instant(due))
                .map_err(|e| Halt::Refused(e.to_string()))?;
            if finish > story.position(Instant(due))? && story.instant(pos)? <= latest {
                let new_due = story.instant(finish + rng.between(1, 3) * day_minutes)?;
                story.act(
                    pos,
                    &actor,
                    Command::ProposeExtension {
                        reason: rng.pick(EXTENSIONS).to_string(),
                        due: new_due.0,
                    },
                )?;
            }
        }
        if Some(i) == work_step {
            if supplement {
                pos += durations[i] / 4 + 1;
                let asked = story.instant(pos)?.local_date();
                story.act(
                    pos,
                    &actor,
                    Command::RequestSupplement {
                        reason: "Giấy tờ chưa đúng quy định".into(),
                        items: vec![full.first().map_or_else(
                            || "Bản sao giấy tờ tùy thân".to_string(),
                            |c| c.name.clone(),
                        )],
                        applicant_due: asked.add_days(15).to_string(),
                        second_reason: String::new(),
                    },
                )?;
                // Some take their time; a few never bring it, and the desk stops the dossier.
                if rng.chance(0.05) {
                    pos += 40 * day_minutes;
                    return story.act(
                        pos,
                        &desk_officer,
                        Command::Stop {
                            reason: "Người nộp không bổ sung hồ sơ theo yêu cầu".into(),
                        },
                    );
                }
                pos += if rng.chance(0.1) {
                    rng.between(15, 45)
                } else {
                    rng.between(1, 10)
                } * day_minutes;
                story.act(
                    pos,
                    bringer,
                    Command::ProvideSupplement {
                        components: Vec::new(),
                    },
                )?;
            }
            if consult {
                pos += durations[i] / 4 + 1;
                let agency = p.coordinating_agencies[0].clone();
                story.act(
                    pos,
                    &actor,
                    Command::Consult {
                        agency: agency.clone(),
                        request: "Đề nghị cho ý kiến về hồ sơ".into(),
                    },
                )?;
                pos += rng.between(1, 5) * day_minutes;
                story.act(
                    pos,
                    &actor,
                    Command::AnswerConsult {
                        agency,
                        answer: "Thống nhất với đề xuất của cơ quan chủ trì".into(),
                    },
                )?;
            }
            if payment {
                pos += durations[i] / 4 + 1;
                let amount = p
                    .methods
                    .iter()
                    .map(|m| m.fee)
                    .find(|f| *f > 0)
                    .unwrap_or(100_000)
                    + rng.between(0, 40) * 250_000;
                story.act(
                    pos,
                    &actor,
                    Command::RequestPayment {
                        amount,
                        reason: "Lệ phí và nghĩa vụ tài chính theo thông báo".into(),
                    },
                )?;
                pos += rng.between(1, 10) * day_minutes;
                story.act(pos, &desk_officer, Command::ConfirmPayment {})?;
            }
        }
        pos = pos.max(start + durations[i]);
        // The signer sends a few back once; the officer before reworks and returns them.
        if send_back && Some(i) == sign_step && i >= 2 {
            story.act(
                pos,
                &actor,
                Command::SendBack {
                    to_user: None,
                    reason: "Đề nghị hoàn thiện dự thảo kết quả".into(),
                },
            )?;
            pos += rng.between(60, 2 * day_minutes);
            story.act(
                pos,
                &actor_at(i - 1),
                Command::HandOver {
                    to_user: None,
                    note: "Đã hoàn thiện theo ý kiến".into(),
                },
            )?;
            pos += rng.between(30, day_minutes);
        }
        if i == last_work {
            story.act(
                pos,
                &actor,
                Command::Complete {
                    result: if p.result.trim().is_empty() {
                        "Đã giải quyết".into()
                    } else {
                        p.result.clone()
                    },
                },
            )?;
            break;
        }
        story.act(
            pos,
            &actor,
            Command::HandOver {
                to_user: None,
                note: String::new(),
            },
        )?;
        i += 1;
    }

    // The result waits at the desk for a day or three; a few are never collected.
    pos += if rng.chance(0.03) {
        rng.between(30, 80) * day_minutes
    } else {
        rng.between(30, 3 * day_minutes)
    };
    let channel = match (channel, rng.below(10)) {
        (Channel::Online, 0..=5) => ReturnChannel::Online,
        (Channel::Online | Channel::Post, _) => ReturnChannel::Post,
        (Channel::Counter, 0) => ReturnChannel::Post,
        (Channel::Counter, _) => ReturnChannel::Counter,
    };
    story.act(pos, &desk_officer, Command::Return { channel })
}
