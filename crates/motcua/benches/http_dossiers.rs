//! Dossiers through HTTP: `cargo bench -p motcua --bench http_dossiers`; on PostgreSQL with
//! `BENCH_DATABASE_URL=postgres://…/an_empty_database`.
//!
//! The real binary: `motcua demo` fills a fresh database (SQLite in a temporary folder by
//! default) with the demo province and its year of 5,000 dossiers; then this program adds a
//! million more of the same kind (`BENCH_DOSSIERS` to change it) through the bulk path, over the
//! same year, numbered after the demo's, and a personal access token for the provincial desk
//! officer (`motcua.tinh`), kept hashed as the token pages keep it; then `motcua serve` answers
//! clients on the same machine for `BENCH_SECONDS` (5) per run:
//!
//! - intake: `POST /api/v1/dossiers` receiving a land dossier at the counter, each with its own
//!   `Idempotency-Key`, by 16 and by 64 concurrent clients;
//! - hand-over: `POST /api/v1/dossiers/{code}/hand-over` of the dossiers just received;
//! - status lookup: `GET /api/v1/lookup/{code}?secret=…` of random dossiers of the million.
//!
//! Prints each run's rate and latency percentiles as the clients measured them. `BENCH_RUNS`
//! picks some runs (`intake,hand-over,lookup`); `BENCH_MOTCUA_BIN` runs another build of the
//! binary, to compare two versions.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant as Clock};

use motcua_calendar::{Instant, OfficeHours, WorkingTime, official};
use motcua_domain::catalogue::Procedure;
use motcua_store::{Db, DbOptions, History, sha256_hex};
use serde_json::{Value, json};

#[allow(dead_code)]
#[path = "../src/demo_dossiers.rs"]
mod generator;

/// The server's process, whose CPU time each run reads (Linux).
static SERVER_PID: AtomicU32 = AtomicU32::new(0);

/// The server's CPU time so far (user and system), in seconds; 0 where /proc cannot tell.
fn server_cpu_seconds() -> f64 {
    let pid = SERVER_PID.load(Ordering::Relaxed);
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // The fields after the command's closing parenthesis; utime and stime are 14 and 15.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let ticks: f64 =
                fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// The bench's dossiers differ from the demo's: another seed.
const SEED: u64 = generator::SEED + 1;
/// Dossiers written per transaction.
const BATCH: usize = 20_000;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("motcua.db").display()));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let count = env_number("BENCH_DOSSIERS", 1_000_000);
    let seconds = env_number("BENCH_SECONDS", 5) as u64;

    let started = Clock::now();
    run(dir.path(), &["--database-url", &url, "demo"]);
    println!("motcua demo: {:.1} s", started.elapsed().as_secs_f64());
    let prepare = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let prepared = prepare.block_on(prepare_database(&url, count));
    drop(prepare);

    let server = Server::start(dir.path(), &url);
    SERVER_PID.store(server.child.id(), Ordering::Relaxed);
    // The clients share one thread, so the server keeps the other core to itself at least.
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let runs = client.block_on(measure(
        &server.base,
        &prepared,
        Duration::from_secs(seconds),
    ));
    // Linux: the server's resident memory after the runs.
    let resident = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .map(|v| v.trim().to_string())
        });
    drop(server);

    println!();
    println!(
        "{backend}, {} generated dossiers ({} events) and the demo's 5,000 in the database, {seconds} s per run",
        thousands(prepared.dossiers),
        thousands(prepared.events)
    );
    if let Some(resident) = resident {
        println!("server resident memory after the runs: {resident}");
    }
    println!(
        "{:<44} {:>9} {:>10} {:>10} {:>10} {:>12} {:>8}",
        "run", "req/s", "p50 ms", "p95 ms", "p99 ms", "server CPU", "errors"
    );
    for r in &runs {
        println!(
            "{:<44} {:>9.0} {:>10.2} {:>10.2} {:>10.2} {:>9.0} µs {:>8}",
            r.name,
            r.rate,
            r.p50,
            r.p95,
            r.p99,
            r.cpu_per_request * 1e6,
            r.errors
        );
    }
}

struct Prepared {
    token: String,
    dossiers: usize,
    events: usize,
    /// (code, secret) of dossiers to look up.
    lookups: Vec<(String, String)>,
    /// Bodies of counter receipts of land procedures at the provincial service centre.
    receipts: Vec<String>,
}

async fn prepare_database(url: &str, count: usize) -> Prepared {
    let db = Db::connect(url, &DbOptions::default())
        .await
        .expect("the database opens");
    let time = WorkingTime::new(
        official::shipped().unwrap(),
        OfficeHours::default(),
        BTreeMap::new(),
    );
    let now = Instant(motcua_store::migrate::now_micros());
    let last = now.local_date().add_days(-1);
    let first = last.add_days(-364);
    let province = generator::Province::load(&db, first, last, Default::default())
        .await
        .unwrap();
    let desks: Vec<String> = db
        .agencies_as_of(&last.to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| ["service_centre", "commune_committee"].contains(&a.kind.as_str()))
        .map(|a| a.identifier)
        .collect();

    let (mut numbering, mut generating, mut writing) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut codes: Vec<String> = Vec::with_capacity(count);
    let (mut dossiers, mut events) = (0usize, 0usize);
    let mut pending: Vec<generator::Made> = Vec::new();
    let days = generator::per_day(&time, first, last, count);
    for (i, (day, n)) in days.iter().enumerate() {
        let t = Clock::now();
        // The numbers the demo's dossiers already took that day: asked, then given back.
        let mut taken = HashMap::new();
        let mut tx = db.begin().await.unwrap();
        for desk in &desks {
            let next = tx
                .next_dossier_number(desk, &day.to_string())
                .await
                .unwrap();
            taken.insert(desk.clone(), next - 1);
        }
        drop(tx);
        numbering += t.elapsed();
        let t = Clock::now();
        let made = generator::day(&province, &time, SEED, *day, *n, now, &taken).unwrap();
        generating += t.elapsed();
        pending.extend(made);
        if pending.len() >= BATCH || i + 1 == days.len() {
            let t = Clock::now();
            let histories: Vec<History<'_>> = pending.iter().map(|m| m.history()).collect();
            events += histories.iter().map(|h| h.events.len()).sum::<usize>();
            generating += t.elapsed();
            let t = Clock::now();
            let mut tx = db.begin().await.unwrap();
            tx.insert_histories(&histories).await.unwrap();
            tx.commit().await.unwrap();
            writing += t.elapsed();
            dossiers += pending.len();
            codes.extend(pending.drain(..).map(|m| m.code));
            eprint!("\r{} dossiers written", thousands(dossiers));
        }
    }
    eprintln!();
    let t = Clock::now();
    db.analyze_dossiers().await.unwrap();
    writing += t.elapsed();
    println!(
        "{} dossiers with {} events: made in {:.1} s, the demo's numbers read in {:.1} s, written through the bulk path in {:.1} s ({:.0} dossiers/s, {:.0} events/s)",
        thousands(dossiers),
        thousands(events),
        generating.as_secs_f64(),
        numbering.as_secs_f64(),
        writing.as_secs_f64(),
        dossiers as f64 / writing.as_secs_f64(),
        events as f64 / writing.as_secs_f64()
    );

    // The provincial desk officer, who has changed the initial password and made a personal
    // access token, stored as tokens are: hashed.
    let token = format!("bench-{}", &sha256_hex(now.0.to_string().as_bytes())[..32]);
    let user = db
        .user_by_login("motcua.tinh")
        .await
        .unwrap()
        .expect("the demo desk officer");
    let mut tx = db.begin().await.unwrap();
    tx.set_password(user.id, &user.password_hash, false)
        .await
        .unwrap();
    tx.insert_token(
        user.id,
        "benchmark",
        &sha256_hex(token.as_bytes()),
        "read write",
        now.0 + 86_400_000_000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Receipts of the provincial land procedures in force, with their required documents.
    let receipts: Vec<String> = db
        .procedures_in_force(&now.local_date().to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.sector == "DD" && p.level == "province")
        .map(|row| {
            let p: Procedure = serde_json::from_str(&row.data).unwrap();
            let components: Vec<Value> = p
                .components
                .iter()
                .filter(|c| c.case.trim().is_empty())
                .map(|c| json!({"name": c.name, "originals": 1}))
                .collect();
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
            .to_string()
        })
        .collect();
    assert!(!receipts.is_empty());

    // A sample of the million to look up, spread over the year.
    let step = (codes.len() / 200_000).max(1);
    let lookups = codes
        .iter()
        .step_by(step)
        .map(|c| (c.clone(), generator::secret(SEED, c)))
        .collect();
    db.close().await;
    Prepared {
        token,
        dossiers,
        events,
        lookups,
        receipts,
    }
}

/// One run's figures.
struct Run {
    name: String,
    rate: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    /// The server's CPU time (all its threads) per request, in seconds: comparable between
    /// versions even when other work shares the machine.
    cpu_per_request: f64,
    errors: usize,
}

/// `clients` tasks sending `request(n)` for `n` = 0, 1, 2 … until `length` has passed or
/// `request` has nothing more to send.
async fn drive<F, Fut>(name: String, clients: usize, length: Duration, request: F) -> Run
where
    F: Fn(usize) -> Option<Fut> + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let start = Clock::now();
    let cpu_before = server_cpu_seconds();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (request, next, errors) = (request.clone(), next.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while start.elapsed() < length {
                let Some(sent) = request(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                let t = Clock::now();
                let ok = sent.await;
                times.push(t.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = server_cpu_seconds() - cpu_before;
    times.sort();
    let at = |p: f64| {
        times
            .get(((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Run {
        name,
        rate: times.len() as f64 / elapsed,
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        cpu_per_request: cpu / times.len().max(1) as f64,
        errors: errors.load(Ordering::Relaxed),
    }
}

async fn measure(base: &str, prepared: &Prepared, length: Duration) -> Vec<Run> {
    // BENCH_RUNS picks some of the runs: `intake,hand-over,lookup` (all by default).
    let wanted = std::env::var("BENCH_RUNS").unwrap_or("intake,hand-over,lookup".into());
    let runs_of = |name: &str, clients: &'static [usize]| -> &'static [usize] {
        if wanted.split(',').any(|w| w.trim() == name) {
            clients
        } else {
            &[]
        }
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .unwrap();
    let bearer = format!("Bearer {}", prepared.token);
    let mut runs = Vec::new();
    let received = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));

    // Warm the connection pool, the catalogue and the statements.
    let warm = lookup(&http, base, &prepared.lookups[0]);
    assert!(warm.await, "the first lookup answers");

    for (round, &clients) in runs_of("intake", &[1, 16, 64]).iter().enumerate() {
        let (http, base, bearer) = (http.clone(), base.to_string(), bearer.clone());
        let receipts = Arc::new(prepared.receipts.clone());
        let received = received.clone();
        runs.push(
            drive(
                format!("intake, POST /api/v1/dossiers, {clients} clients"),
                clients,
                length,
                move |n| {
                    let request = http
                        .post(format!("{base}/api/v1/dossiers"))
                        .header("authorization", &bearer)
                        .header("content-type", "application/json")
                        .header("idempotency-key", format!("bench-{round}-{n}"))
                        .body(receipts[n % receipts.len()].clone());
                    let received = received.clone();
                    Some(async move {
                        match request.send().await {
                            Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                                let body: Value = r.json().await.unwrap_or_default();
                                if let Some(code) = body["code"].as_str() {
                                    received.lock().unwrap().push(code.to_string());
                                }
                                true
                            }
                            Ok(r) => {
                                eprintln!("intake: {}", r.status());
                                false
                            }
                            Err(e) => {
                                eprintln!("intake: {e}");
                                false
                            }
                        }
                    })
                },
            )
            .await,
        );
    }

    let codes = Arc::new(std::mem::take(&mut *received.lock().unwrap()));
    for &clients in runs_of("hand-over", &[16]) {
        let (http, base, bearer, codes) = (
            http.clone(),
            base.to_string(),
            bearer.clone(),
            codes.clone(),
        );
        runs.push(
            drive(
                format!("hand-over, POST …/hand-over, {clients} clients"),
                clients,
                length,
                move |n| {
                    let code = codes.get(n)?;
                    let request = http
                        .post(format!("{base}/api/v1/dossiers/{code}/hand-over"))
                        .header("authorization", &bearer)
                        .header("content-type", "application/json")
                        .body(r#"{"version": 2}"#);
                    Some(async move {
                        match request.send().await {
                            Ok(r) if r.status().is_success() => true,
                            Ok(r) => {
                                eprintln!("hand-over: {}", r.status());
                                false
                            }
                            Err(e) => {
                                eprintln!("hand-over: {e}");
                                false
                            }
                        }
                    })
                },
            )
            .await,
        );
    }

    let lookups = Arc::new(prepared.lookups.clone());
    for &clients in runs_of("lookup", &[16, 64]) {
        let (http, base, lookups) = (http.clone(), base.to_string(), lookups.clone());
        runs.push(
            drive(
                format!("status lookup, GET /api/v1/lookup, {clients} clients"),
                clients,
                length,
                move |n| {
                    // Spread over the sample, not in its order.
                    let i = n.wrapping_mul(0x9e37_79b9) % lookups.len();
                    Some(lookup(&http, &base, &lookups[i]))
                },
            )
            .await,
        );
    }
    runs
}

fn lookup(
    http: &reqwest::Client,
    base: &str,
    (code, secret): &(String, String),
) -> impl std::future::Future<Output = bool> + Send + use<> {
    let request = http.get(format!("{base}/api/v1/lookup/{code}?secret={secret}"));
    async move {
        match request.send().await {
            Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
            Ok(r) => {
                eprintln!("lookup: {}", r.status());
                false
            }
            Err(e) => {
                eprintln!("lookup: {e}");
                false
            }
        }
    }
}

fn thousands(n: usize) -> String {
    motcua_domain::text::thousands(n as i64)
}

fn motcua(dir: &std::path::Path) -> Command {
    // BENCH_MOTCUA_BIN runs another build of the binary, to compare two versions.
    let bin = std::env::var("BENCH_MOTCUA_BIN").unwrap_or(env!("CARGO_BIN_EXE_motcua").into());
    let mut command = Command::new(bin);
    command
        .current_dir(dir)
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("MOTCUA_LOG", "warn")
        .arg("--data-dir")
        .arg(dir.join("data"));
    command
}

fn run(dir: &std::path::Path, args: &[&str]) {
    let output = motcua(dir).args(args).output().expect("motcua runs");
    assert!(
        output.status.success(),
        "motcua {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `motcua serve` and waits for its deadline job's first round (alerts for the open
    /// dossiers of the million, written at start), so the runs measure requests alone.
    fn start(dir: &std::path::Path, url: &str) -> Server {
        let started = Clock::now();
        let mut child = motcua(dir)
            .env("MOTCUA_LOG", "warn,motcua_web::jobs=info")
            .args(["--database-url", url, "serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("motcua serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("motcua serve prints its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("motcua serves ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining both pipes so the server never blocks on a full one.
        std::thread::spawn(move || for _ in lines {});
        let (job, done) = std::sync::mpsc::channel();
        let log = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in log.lines().map_while(Result::ok) {
                if line.contains("deadline alerts") {
                    let _ = job.send(line);
                }
            }
        });
        match done.recv_timeout(Duration::from_secs(300)) {
            Ok(_) => println!(
                "motcua serve: started, its deadline job's first round done after {:.1} s",
                started.elapsed().as_secs_f64()
            ),
            Err(_) => println!("motcua serve: the deadline job said nothing in 300 s"),
        }
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
