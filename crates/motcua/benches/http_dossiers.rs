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
//! The clients are plain keep-alive HTTP/1.1 connections on one thread, so that the load they
//! make costs the shared machine as little as possible. Prints each run's rate and latency
//! percentiles as the clients measured them, and the server's CPU time per request (all its
//! threads, from /proc), which compares two builds even on a busy machine. `BENCH_RUNS`
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
    // Linux: the server's resident memory after the runs: its own (anonymous) memory, and the
    // pages of the database file it has mapped (the kernel's page cache, shared, given back
    // under pressure).
    let resident = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .ok()
        .map(|s| {
            let field = |name: &str| {
                s.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map_or("?".to_string(), |v| v.trim().to_string())
            };
            format!(
                "{} (its own memory {}, mapped file pages {})",
                field("VmRSS:"),
                field("RssAnon:"),
                field("RssFile:")
            )
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

/// A request as the clients send it.
struct Request {
    method: &'static str,
    path: String,
    /// Extra header lines, each ending in CRLF.
    headers: String,
    body: String,
}

/// A keep-alive HTTP/1.1 connection, as light as a client can be (the clients share the machine
/// with the server): the request written in one call, the answer read by its length.
struct Connection {
    read: tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: tokio::net::tcp::OwnedWriteHalf,
    host: String,
}

impl Connection {
    async fn open(host: &str) -> Connection {
        let stream = tokio::net::TcpStream::connect(host)
            .await
            .expect("the server accepts");
        stream.set_nodelay(true).unwrap();
        let (read, write) = stream.into_split();
        Connection {
            read: tokio::io::BufReader::new(read),
            write,
            host: host.to_string(),
        }
    }

    /// The status and body of the answer to `r`.
    async fn send(&mut self, r: &Request) -> std::io::Result<(u16, Vec<u8>)> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let message = format!(
            "{} {} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n{}\r\n{}",
            r.method,
            r.path,
            self.host,
            r.body.len(),
            r.headers,
            r.body
        );
        self.write.write_all(message.as_bytes()).await?;
        let mut line = String::new();
        self.read.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status in {line:?}")))?;
        let (mut length, mut chunked) = (0usize, false);
        loop {
            line.clear();
            self.read.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.trim().eq_ignore_ascii_case("chunked");
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.read.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; size + 2];
                self.read.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length, 0);
            self.read.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

/// `clients` connections sending `request(n)` for `n` = 0, 1, 2 … until `length` has passed or
/// `request` has nothing more to send; `answered` says whether an answer is the one expected.
async fn drive<F, A>(
    name: String,
    host: &str,
    clients: usize,
    length: Duration,
    request: F,
    answered: A,
) -> Run
where
    F: Fn(usize) -> Option<Request> + Send + Sync + 'static,
    A: Fn(u16, &[u8]) -> bool + Send + Sync + 'static,
{
    let (request, answered) = (Arc::new(request), Arc::new(answered));
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let mut connections = Vec::new();
    for _ in 0..clients {
        connections.push(Connection::open(host).await);
    }
    let start = Clock::now();
    let cpu_before = server_cpu_seconds();
    let mut tasks = Vec::new();
    for mut connection in connections {
        let (request, answered, next, errors) = (
            request.clone(),
            answered.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while start.elapsed() < length {
                let Some(r) = request(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                let t = Clock::now();
                let ok = match connection.send(&r).await {
                    Ok((status, body)) => {
                        let ok = answered(status, &body);
                        if !ok {
                            eprintln!(
                                "{} {}: {status} {}",
                                r.method,
                                r.path,
                                String::from_utf8_lossy(&body)
                            );
                        }
                        ok
                    }
                    Err(e) => {
                        eprintln!("{} {}: {e}", r.method, r.path);
                        connection = Connection::open(&connection.host).await;
                        false
                    }
                };
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
    let wanted = |name: &str| wanted.split(',').any(|w| w.trim() == name);
    let host = base.trim_start_matches("http://").to_string();
    let authorised = format!(
        "authorization: Bearer {}\r\ncontent-type: application/json\r\n",
        prepared.token
    );
    let mut runs = Vec::new();
    let received = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));

    // Warm the catalogue and the statements.
    let mut warm = Connection::open(&host).await;
    let (code, secret) = &prepared.lookups[0];
    let (status, _) = warm
        .send(&lookup(code, secret))
        .await
        .expect("the first lookup answers");
    assert_eq!(status, 200, "the first lookup answers");

    let intake_clients: &[usize] = if wanted("intake") { &[1, 16, 64] } else { &[] };
    for (round, &clients) in intake_clients.iter().enumerate() {
        let receipts = Arc::new(prepared.receipts.clone());
        let authorised = authorised.clone();
        let received = received.clone();
        runs.push(
            drive(
                format!("intake, POST /api/v1/dossiers, {clients} clients"),
                &host,
                clients,
                length,
                move |n| {
                    Some(Request {
                        method: "POST",
                        path: "/api/v1/dossiers".into(),
                        headers: format!("{authorised}idempotency-key: bench-{round}-{n}\r\n"),
                        body: receipts[n % receipts.len()].clone(),
                    })
                },
                move |status, body| {
                    let made = status == 201;
                    if made
                        && let Ok(v) = serde_json::from_slice::<Value>(body)
                        && let Some(code) = v["code"].as_str()
                    {
                        received.lock().unwrap().push(code.to_string());
                    }
                    made
                },
            )
            .await,
        );
    }

    let codes = Arc::new(std::mem::take(&mut *received.lock().unwrap()));
    if wanted("hand-over") {
        let authorised = authorised.clone();
        runs.push(
            drive(
                "hand-over, POST …/hand-over, 16 clients".into(),
                &host,
                16,
                length,
                move |n| {
                    Some(Request {
                        method: "POST",
                        path: format!("/api/v1/dossiers/{}/hand-over", codes.get(n)?),
                        headers: authorised.clone(),
                        body: r#"{"version": 2}"#.into(),
                    })
                },
                |status, _| (200..300).contains(&status),
            )
            .await,
        );
    }

    let lookups = Arc::new(prepared.lookups.clone());
    let lookup_clients: &[usize] = if wanted("lookup") { &[16, 64] } else { &[] };
    for &clients in lookup_clients {
        let lookups = lookups.clone();
        runs.push(
            drive(
                format!("status lookup, GET /api/v1/lookup, {clients} clients"),
                &host,
                clients,
                length,
                move |n| {
                    // Spread over the sample, not in its order.
                    let (code, secret) = &lookups[n.wrapping_mul(0x9e37_79b9) % lookups.len()];
                    Some(lookup(code, secret))
                },
                |status, _| status == 200,
            )
            .await,
        );
    }
    runs
}

fn lookup(code: &str, secret: &str) -> Request {
    Request {
        method: "GET",
        path: format!("/api/v1/lookup/{code}?secret={secret}"),
        headers: String::new(),
        body: String::new(),
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
