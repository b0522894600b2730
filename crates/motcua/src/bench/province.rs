//! The synthetic province: `motcua demo` (organisation, staff, the 206-procedure catalogue and a
//! year of 5,000 dossiers), then the scale's dossiers over the three years before today, made by
//! the demo's generator with the benchmark's seed and written through the store's bulk path for
//! historic dossiers (what a merged province's data comes in by), then the catalogue grown to
//! 2,000 procedures for the search. The same seed, scale and day give the same province.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant as Clock};

use motcua_calendar::{Date, Instant, OfficeHours, WorkingTime, official};
use motcua_domain::catalogue::Procedure;
use motcua_store::{Db, DbOptions, History, sha256_hex};
use serde_json::json;

use super::system::run_motcua;
use crate::demo_dossiers as generator;

/// The benchmark's dossiers differ from the demo's: another seed.
const SEED: u64 = generator::SEED + 10;
/// Dossiers written per transaction of the bulk path.
const BATCH: usize = 5_000;
/// The catalogue the search runs over: the one the search index's own benchmark measures.
pub use super::sized_catalogue::PROCEDURES;

/// The accounts the load acts as, each with a personal access token.
pub const DESK_OFFICER: &str = "motcua.tinh";
pub const QUEUE_OFFICER: &str = "lanhdao.nnmt";
/// The agency (with those below it) whose queue `QUEUE_OFFICER` reads.
pub const QUEUE_AGENCY: &str = "H99.06";
pub const REPORT_READER: &str = "kiemsoat.vp";

/// What was loaded, and the figures of loading it.
pub struct Loaded {
    pub dossiers: usize,
    pub events: usize,
    pub first: Date,
    pub last: Date,
    /// Seconds `motcua demo` took.
    pub demo_seconds: f64,
    /// The bulk path: seconds spent writing (the transactions alone), and in all.
    pub import_seconds: f64,
    pub load_seconds: f64,
    /// (code, lookup secret) of dossiers spread over the province, to look up.
    pub lookups: Vec<(String, String)>,
    /// Bodies of counter receipts of the provincial land procedures in force, with their
    /// required documents.
    pub receipts: Vec<String>,
    /// Bearer tokens by account.
    pub tokens: HashMap<&'static str, String>,
    /// A signed-in session of `QUEUE_OFFICER`: the work queue is a page, not an API.
    pub queue_session: String,
    /// Open dossiers decided by `QUEUE_AGENCY` and the agencies below it.
    pub queue_open: i64,
    /// The database's size on disk in bytes, after loading.
    pub size: u64,
    /// Shares of the generated dossiers: online, late among the finished, with a supplement
    /// request, with an apology.
    pub shares: Shares,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Shares {
    pub online: f64,
    pub late: f64,
    pub supplement: f64,
    pub apology: f64,
    pub land: f64,
}

/// Refuses a database that holds anything: a SQLite file that is not empty, a PostgreSQL
/// database with any table outside the system's schemas.
pub async fn refuse_unless_empty(url: &str) -> Result<(), String> {
    if let Some(path) = sqlite_path(url) {
        return match std::fs::metadata(path) {
            Ok(m) if m.len() > 0 => Err(format!(
                "{path} is not empty; the benchmark loads its own province into an empty database"
            )),
            _ => Ok(()),
        };
    }
    let shown = motcua_store::redact(url);
    let db = Db::connect(url, &DbOptions::default())
        .await
        .map_err(|e| format!("{shown} does not open: {e}"))?;
    let tables = db.table_count().await;
    db.close().await;
    match tables {
        Ok(0) => Ok(()),
        Ok(n) => Err(format!(
            "{shown} holds {n} tables; the benchmark loads its own province into an empty database"
        )),
        Err(e) => Err(format!("{shown}: {e}")),
    }
}

pub fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
}

/// Loads the province: `count` dossiers besides the demo's.
pub async fn load(data: &Path, url: &str, count: usize) -> Result<Loaded, String> {
    let started = Clock::now();
    run_motcua(data, url, &["demo"])?;
    let demo_seconds = started.elapsed().as_secs_f64();

    let db = Db::connect(url, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let fail = |e: motcua_store::StoreError| e.to_string();
    let now = Instant(motcua_store::migrate::now_micros());
    let last = now.local_date().add_days(-1);
    let (y, m, d) = now.local_date().ymd();
    let first = Date::from_ymd(y - 3, m, d)
        .or_else(|| Date::from_ymd(y - 3, m, d - 1))
        .ok_or("no day three years ago")?;

    // The demo catalogue is published from July 2025; so that there is a catalogue on every
    // earlier day, each procedure's first version is in force from the first of the three years.
    db.backdate_first_versions(first).await.map_err(fail)?;
    let province = generator::Province::load(&db, first, last, Default::default())
        .await
        .map_err(|e| e.to_string())?;

    // The numbers the demo's dossiers took each day, by desk: asked, then given back (the
    // transaction is rolled back), so the benchmark's numbers follow them. Only the demo's year
    // has any.
    let desks: Vec<String> = db
        .agencies_as_of(&last.to_string())
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|a| ["service_centre", "commune_committee"].contains(&a.kind.as_str()))
        .map(|a| a.identifier)
        .collect();
    let mut taken: HashMap<Date, HashMap<String, i64>> = HashMap::new();
    let mut tx = db.begin().await.map_err(fail)?;
    for day in (last.add_days(-366).days()..=last.days()).map(Date::from_days) {
        for desk in &desks {
            let next = tx
                .next_dossier_number(desk, &day.to_string())
                .await
                .map_err(fail)?;
            if next > 1 {
                taken.entry(day).or_default().insert(desk.clone(), next - 1);
            }
        }
    }
    drop(tx);

    // Made on a thread of their own, written here as they come.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<generator::Made>>(2);
    let maker = std::thread::spawn(move || -> Result<Shares, String> {
        let time = WorkingTime::new(
            official::shipped().map_err(|e| e.to_string())?,
            OfficeHours::default(),
            BTreeMap::new(),
        );
        let none = HashMap::new();
        let mut shares = Tally::default();
        let mut pending = Vec::new();
        let days = generator::per_day(&time, first, last, count);
        let n_days = days.len();
        for (i, (day, n)) in days.into_iter().enumerate() {
            let made = generator::day(
                &province,
                &time,
                SEED,
                day,
                n,
                now,
                taken.get(&day).unwrap_or(&none),
            )
            .map_err(|e| e.to_string())?;
            for m in &made {
                shares.add(&m.dossier);
            }
            pending.extend(made);
            if (pending.len() >= BATCH || i + 1 == n_days)
                && send.send(std::mem::take(&mut pending)).is_err()
            {
                break;
            }
        }
        Ok(shares.shares())
    });

    let loading = Clock::now();
    let mut writing = Duration::ZERO;
    let (mut dossiers, mut events) = (0usize, 0usize);
    let mut lookups = Vec::new();
    let step = (count / 100_000).max(1);
    while let Ok(batch) = tokio::task::block_in_place(|| receive.recv()) {
        let t = Clock::now();
        let histories: Vec<History<'_>> = batch.iter().map(|m| m.history()).collect();
        let mut tx = db.begin().await.map_err(fail)?;
        tx.insert_histories(&histories).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        writing += t.elapsed();
        events += histories.iter().map(|h| h.events.len()).sum::<usize>();
        for (i, m) in batch.iter().enumerate() {
            if (dossiers + i) % step == 0 {
                lookups.push((m.code.clone(), m.secret.clone()));
            }
        }
        let before = dossiers;
        dossiers += batch.len();
        if dossiers / 100_000 > before / 100_000 {
            let seconds = loading.elapsed().as_secs_f64();
            eprintln!(
                "bench: {:>9} dossiers written, {seconds:.0} s, {:.0} dossiers/s",
                dossiers,
                dossiers as f64 / seconds
            );
        }
    }
    let shares = maker
        .join()
        .map_err(|_| "the generator stopped".to_string())??;
    db.analyze_dossiers().await.map_err(fail)?;
    let load_seconds = loading.elapsed().as_secs_f64();

    let mut tokens = HashMap::new();
    for (login, scope) in [(DESK_OFFICER, "read write"), (REPORT_READER, "read")] {
        tokens.insert(login, token_for(&db, login, scope, now).await?);
    }
    let queue_session = session_for(&db, QUEUE_OFFICER, now).await?;
    let queue_open = db
        .open_dossiers_decided_under(QUEUE_AGENCY)
        .await
        .map_err(fail)?;
    let receipts = receipts(&db, now).await?;
    db.close().await;

    grow_catalogue(data, url)?;
    let size = size_on_disk(url).await?;
    Ok(Loaded {
        dossiers,
        events,
        first,
        last,
        demo_seconds,
        import_seconds: writing.as_secs_f64(),
        load_seconds,
        lookups,
        receipts,
        tokens,
        queue_session,
        queue_open,
        size,
        shares,
    })
}

/// Receipts at the counter of the provincial land procedures in force, one per procedure.
async fn receipts(db: &Db, now: Instant) -> Result<Vec<String>, String> {
    let mut bodies = Vec::new();
    for row in db
        .procedures_in_force(&now.local_date().to_string())
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|p| p.sector == "DD" && p.level == "province")
    {
        let p: Procedure = serde_json::from_str(&row.data).map_err(|e| e.to_string())?;
        let components: Vec<serde_json::Value> = p
            .components
            .iter()
            .filter(|c| c.case.trim().is_empty())
            .map(|c| json!({"name": c.name, "originals": 1}))
            .collect();
        bodies.push(
            json!({
                "action": "receive",
                "channel": "counter",
                "application": {
                    "procedure": p.code,
                    "procedure_version": 0,
                    "applicant": {"name": "Nguyễn Văn Bình", "id_number": "099123456789", "phone": "0912345678"},
                    "components": components,
                    "desk_agency": "",
                    "deciding_agency": "",
                },
            })
            .to_string(),
        );
    }
    if bodies.is_empty() {
        return Err("the catalogue has no provincial land procedure to receive".into());
    }
    Ok(bodies)
}

/// A personal access token for `login`, who has changed the initial password, stored as the
/// token pages store them: hashed.
async fn token_for(db: &Db, login: &str, scope: &str, now: Instant) -> Result<String, String> {
    let fail = |e: motcua_store::StoreError| e.to_string();
    let token = secret("bench", login, now);
    let user = ready_account(db, login).await?;
    let mut tx = db.begin().await.map_err(fail)?;
    tx.insert_token(
        user.id,
        "benchmark",
        &sha256_hex(token.as_bytes()),
        scope,
        now.0 + 7 * 86_400_000_000,
    )
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(token)
}

/// A secret of this run for `login`, after `prefix`.
fn secret(prefix: &str, login: &str, now: Instant) -> String {
    let digest = sha256_hex(format!("{login}{}", now.0).as_bytes());
    format!("{prefix}-{}", &digest[..32])
}

/// The demo account `login` without its first sign-in's demand for a new password.
async fn ready_account(db: &Db, login: &str) -> Result<motcua_store::UserRow, String> {
    let fail = |e: motcua_store::StoreError| e.to_string();
    let user = db
        .user_by_login(login)
        .await
        .map_err(fail)?
        .ok_or_else(|| format!("the demo has no account {login}"))?;
    let mut tx = db.begin().await.map_err(fail)?;
    tx.set_password(user.id, &user.password_hash, false)
        .await
        .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(user)
}

/// A session of `login` as signing in makes one (the cookie's value).
async fn session_for(db: &Db, login: &str, now: Instant) -> Result<String, String> {
    let fail = |e: motcua_store::StoreError| e.to_string();
    let session = secret("bench-session", login, now);
    let user = ready_account(db, login).await?;
    let mut tx = db.begin().await.map_err(fail)?;
    tx.create_session(
        &sha256_hex(session.as_bytes()),
        user.id,
        now.0 + 86_400_000_000,
        "127.0.0.1",
        "motcua bench",
    )
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(session)
}

/// The demo catalogue grown to `PROCEDURES`, imported as a province imports its own.
fn grow_catalogue(data: &Path, url: &str) -> Result<(), String> {
    let catalogue = super::sized_catalogue::province_sized();
    let file = data.join("bench-catalogue.json");
    std::fs::create_dir_all(data).map_err(|e| e.to_string())?;
    std::fs::write(
        &file,
        serde_json::to_string(&catalogue).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let imported = run_motcua(
        data,
        url,
        &["catalogue", "import", &file.display().to_string()],
    );
    let _ = std::fs::remove_file(&file);
    imported
}

/// The database's size on disk: the SQLite file and its WAL, or `pg_database_size`.
pub async fn size_on_disk(url: &str) -> Result<u64, String> {
    if let Some(path) = sqlite_path(url) {
        let len = |p: String| std::fs::metadata(p).map_or(0, |m| m.len());
        return Ok(len(path.to_string()) + len(format!("{path}-wal")));
    }
    let db = Db::connect(url, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let size = db.postgres_size().await.map_err(|e| e.to_string());
    db.close().await;
    Ok(size?.unwrap_or(0).max(0) as u64)
}

/// Counts of the generated dossiers, for the shares the output shows.
#[derive(Default)]
struct Tally {
    all: usize,
    online: usize,
    finished: usize,
    late: usize,
    supplement: usize,
    apology: usize,
    land: usize,
}

impl Tally {
    fn add(&mut self, d: &motcua_domain::dossier::Dossier) {
        use motcua_domain::dossier::Channel;
        self.all += 1;
        self.online += usize::from(d.channel == Channel::Online);
        self.land += usize::from(d.application.procedure.contains(".DD."));
        self.supplement += usize::from(d.supplements > 0);
        self.apology += usize::from(d.extended);
        if let (Some(finished), Some(due)) = (d.finished_at, d.due) {
            self.finished += 1;
            self.late += usize::from(finished > due || d.counts_late);
        }
    }

    fn shares(&self) -> Shares {
        let of = |n: usize, all: usize| n as f64 / all.max(1) as f64;
        Shares {
            online: of(self.online, self.all),
            late: of(self.late, self.finished),
            supplement: of(self.supplement, self.all),
            apology: of(self.apology, self.all),
            land: of(self.land, self.all),
        }
    }
}
