//! Reports through HTTP: `cargo bench -p motcua --bench reports`; on PostgreSQL with
//! `BENCH_DATABASE_URL=postgres://…/an_empty_database` (the program refuses a database that
//! holds anything, before it loads a thing).
//!
//! The real binary: `motcua demo` fills a fresh database (SQLite in a temporary folder by
//! default) with the demo province and its year of 5,000 dossiers; then this program adds two
//! million more of the same kind (`BENCH_DOSSIERS` to change it) through the bulk path, opened
//! over the three years before today, numbered after the demo's, in transactions of 5,000 (made
//! on a thread of their own while the previous ones are written), and refreshes the planner's
//! statistics. The demo catalogue was published from July 2025 on, so that there is a catalogue
//! on the earlier days, each procedure's first version is made in force from the first of the
//! three years. A personal access token, kept hashed as the token pages keep it, is made for the
//! procedure controller of the provincial office (`kiemsoat.vp`), who reads the reports of the
//! whole province; then `motcua serve` answers one client on the same machine, one keep-alive
//! HTTP/1.1 connection, one request at a time:
//!
//! - Biểu 06 of the last full quarter (the official periods of Decree 09/2019, from the 15th of
//!   the month before the quarter's first to the 14th of its last):
//!   `GET /api/v1/reports/bieu-06?period=quarter&year=…&number=…`;
//! - Biểu 06 of the current reporting year (15 December to 14 December): `period=year`;
//! - Biểu 06 of ten days inside that quarter: `period=window&from=…&to=…`;
//! - the late dossiers of that quarter, as JSON: `GET /api/v1/reports/late?period=quarter&…`
//!   (it lists at most 5,000; the API has no limit to set).
//!
//! Each: 3 requests to warm up, then `BENCH_REQUESTS` (30) timed. Prints each one's latency
//! percentiles (nearest rank: with 30 requests p99 is the slowest), the report's grand total
//! received (column 3 of Biểu 06: received in the period and carried over into it) or the
//! number of late dossiers listed, the answer's size, the database's size on disk (SQLite: the
//! file and its WAL; PostgreSQL: `pg_database_size`) and the rows of the report counters
//! (`report_counts`). The design's budget: Biểu 06 for a quarter over a province of 2 million
//! dossiers in at most 250 ms. `BENCH_MOTCUA_BIN` runs another build of the binary, to compare
//! two versions.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant as Clock};

use motcua_calendar::{Date, Instant, OfficeHours, WorkingTime, official};
use motcua_domain::report::Period;
use motcua_store::{Db, DbOptions, History, sha256_hex};
use serde_json::Value;

#[allow(dead_code)]
#[path = "../src/demo_dossiers.rs"]
mod generator;

/// The bench's dossiers differ from the demo's and from the dossier benchmark's: another seed.
const SEED: u64 = generator::SEED + 2;
/// Dossiers written per transaction.
const BATCH: usize = 5_000;
/// Progress is printed every so many dossiers.
const PROGRESS: usize = 100_000;
/// Requests to warm each report up before the timed ones.
const WARM_UP: usize = 3;
/// The reader: the provincial office's procedure controller, who reads reports of the whole
/// province (`Action::ReadReports`).
const READER: &str = "kiemsoat.vp";
/// The design's budget for Biểu 06 of a quarter over 2 million dossiers.
const BUDGET_MS: f64 = 250.0;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let given = std::env::var("BENCH_DATABASE_URL").ok();
    let url = given
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("motcua.db").display()));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let count = env_number("BENCH_DOSSIERS", 2_000_000);
    let requests = env_number("BENCH_REQUESTS", 30).max(1);

    let prepare = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if given.is_some()
        && let Err(why) = prepare.block_on(refuse_unless_empty(&url))
    {
        eprintln!("reports bench: {why}");
        eprintln!("BENCH_DATABASE_URL must name an empty database; nothing was written.");
        std::process::exit(2);
    }

    let started = Clock::now();
    run(dir.path(), &["--database-url", &url, "demo"]);
    println!("motcua demo: {:.1} s", started.elapsed().as_secs_f64());
    let prepared = prepare.block_on(prepare_database(&url, count));
    drop(prepare);

    let server = Server::start(dir.path(), &url);
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let today = Instant(motcua_store::migrate::now_micros()).local_date();
    let runs = client.block_on(measure(&server.base, &prepared.token, today, requests));
    drop(server);

    println!();
    println!(
        "{backend}: {} generated dossiers ({} events) opened {} – {}, and the demo's {}",
        thousands(prepared.dossiers),
        thousands(prepared.events),
        prepared.first,
        prepared.last,
        thousands(generator::COUNT)
    );
    println!(
        "database on disk: {}; report_counts: {} rows ({} by day, {} by reporting month)",
        prepared.size,
        thousands(prepared.counters.0),
        thousands(prepared.counters.1),
        thousands(prepared.counters.0 - prepared.counters.1)
    );
    println!(
        "one client, sequential, {WARM_UP} warm-up then {requests} timed requests each, as {READER}"
    );
    println!(
        "{:<52} {:>8} {:>8} {:>8} {:>8} {:>10} {:>8} {:>6}",
        "report", "p50 ms", "p95 ms", "p99 ms", "max ms", "counted", "KB", "errors"
    );
    for r in &runs {
        println!(
            "{:<52} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>10} {:>8.1} {:>6}",
            r.name,
            r.p50,
            r.p95,
            r.p99,
            r.max,
            thousands(r.counted),
            r.bytes as f64 / 1024.0,
            r.errors
        );
    }
    println!(
        "counted: Biểu 06's grand total (3), received in the period or carried over into it; \
         for the late report, the dossiers listed (at most 5.000)"
    );
    if let Some(quarter) = runs.first() {
        println!(
            "budget, Biểu 06 for a quarter over 2.000.000 dossiers ≤ {BUDGET_MS:.0} ms: p95 {:.1} ms over {} dossiers, {}",
            quarter.p95,
            thousands(prepared.dossiers + generator::COUNT),
            if quarter.p95 <= BUDGET_MS {
                "within it"
            } else {
                "over it"
            }
        );
    }
}

/// Refuses a database that holds anything: a SQLite file that is not empty, a PostgreSQL
/// database with any table outside the system's schemas.
async fn refuse_unless_empty(url: &str) -> Result<(), String> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return match std::fs::metadata(path) {
            Ok(m) if m.len() > 0 => Err(format!("{path} exists and is not empty")),
            _ => Ok(()),
        };
    }
    let db = Db::connect(url, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let checked = db
        .execute_unchecked(
            "DO $$ BEGIN
               IF EXISTS (SELECT 1 FROM information_schema.tables
                          WHERE table_schema NOT IN ('pg_catalog', 'information_schema')) THEN
                 RAISE EXCEPTION 'the database holds tables already';
               END IF;
             END $$",
        )
        .await;
    db.close().await;
    checked.map_err(|e| format!("{}: {e}", motcua_store::redact(url)))
}

struct Prepared {
    token: String,
    dossiers: usize,
    events: usize,
    first: Date,
    last: Date,
    /// The database's size on disk, in words.
    size: String,
    /// Rows of `report_counts`: all, and those by day.
    counters: (usize, usize),
}

async fn prepare_database(url: &str, count: usize) -> Prepared {
    let db = Db::connect(url, &DbOptions::default())
        .await
        .expect("the database opens");
    let now = Instant(motcua_store::migrate::now_micros());
    let last = now.local_date().add_days(-1);
    let (y, m, d) = now.local_date().ymd();
    let first = Date::from_ymd(y - 3, m, d)
        .unwrap_or_else(|| Date::from_ymd(y - 3, m, d - 1).expect("the 28th exists"));

    // The catalogue in force from the first day: each procedure's first version from then.
    db.execute_unchecked(&format!(
        "UPDATE procedure_versions SET valid_from = '{first}'
         WHERE valid_from > '{first}' AND NOT EXISTS (
           SELECT 1 FROM procedure_versions o
           WHERE o.code = procedure_versions.code AND o.version < procedure_versions.version)"
    ))
    .await
    .unwrap();
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

    // The numbers the demo's dossiers already took each day, by desk: asked, then given back
    // (the transaction is rolled back), so the bench's numbers follow them.
    let started = Clock::now();
    let mut taken: HashMap<Date, HashMap<String, i64>> = HashMap::new();
    let mut tx = db.begin().await.unwrap();
    for day in (first.days()..=last.days()).map(Date::from_days) {
        for desk in &desks {
            let next = tx
                .next_dossier_number(desk, &day.to_string())
                .await
                .unwrap();
            if next > 1 {
                taken.entry(day).or_default().insert(desk.clone(), next - 1);
            }
        }
    }
    drop(tx);
    let numbering = started.elapsed();

    // Made on a thread of their own, written here as they come.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<generator::Made>>(2);
    let maker = std::thread::spawn(move || {
        let time = WorkingTime::new(
            official::shipped().unwrap(),
            OfficeHours::default(),
            BTreeMap::new(),
        );
        let none = HashMap::new();
        let mut making = Duration::ZERO;
        let mut pending = Vec::new();
        let days = generator::per_day(&time, first, last, count);
        let n_days = days.len();
        for (i, (day, n)) in days.into_iter().enumerate() {
            let t = Clock::now();
            let made = generator::day(
                &province,
                &time,
                SEED,
                day,
                n,
                now,
                taken.get(&day).unwrap_or(&none),
            )
            .expect("the generator makes the day's dossiers");
            making += t.elapsed();
            pending.extend(made);
            if (pending.len() >= BATCH || i + 1 == n_days)
                && send.send(std::mem::take(&mut pending)).is_err()
            {
                break;
            }
        }
        making
    });

    let started = Clock::now();
    let mut writing = Duration::ZERO;
    let (mut dossiers, mut events) = (0usize, 0usize);
    while let Ok(batch) = tokio::task::block_in_place(|| receive.recv()) {
        let t = Clock::now();
        let histories: Vec<History<'_>> = batch.iter().map(|m| m.history()).collect();
        events += histories.iter().map(|h| h.events.len()).sum::<usize>();
        let mut tx = db.begin().await.unwrap();
        tx.insert_histories(&histories).await.unwrap();
        tx.commit().await.unwrap();
        writing += t.elapsed();
        let before = dossiers;
        dossiers += batch.len();
        if dossiers / PROGRESS > before / PROGRESS {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "{:>12} dossiers written, {seconds:.0} s, {} dossiers/s",
                thousands(dossiers),
                thousands((dossiers as f64 / seconds) as usize)
            );
        }
    }
    let making = maker.join().expect("the generator finishes");
    let t = Clock::now();
    db.analyze_dossiers().await.unwrap();
    let analyzing = t.elapsed();
    let loading = started.elapsed();
    println!(
        "{} dossiers with {} events over {first} – {last} loaded in {:.1} s: {} dossiers/s, \
         {} events/s (made in {:.1} s on their own thread, written in {:.1} s, planner \
         statistics {:.1} s; the demo's numbers read before, in {:.1} s)",
        thousands(dossiers),
        thousands(events),
        loading.as_secs_f64(),
        thousands((dossiers as f64 / loading.as_secs_f64()) as usize),
        thousands((events as f64 / loading.as_secs_f64()) as usize),
        making.as_secs_f64(),
        writing.as_secs_f64(),
        analyzing.as_secs_f64(),
        numbering.as_secs_f64()
    );

    // The reader, who has changed the initial password and made a personal access token for
    // reading, stored as tokens are: hashed.
    let token = format!("bench-{}", &sha256_hex(now.0.to_string().as_bytes())[..32]);
    let user = db
        .user_by_login(READER)
        .await
        .unwrap()
        .expect("the demo's procedure controller");
    let mut tx = db.begin().await.unwrap();
    tx.set_password(user.id, &user.password_hash, false)
        .await
        .unwrap();
    tx.insert_token(
        user.id,
        "benchmark",
        &sha256_hex(token.as_bytes()),
        "read",
        now.0 + 86_400_000_000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let counters = scalar(
        &db,
        "SELECT CAST(COUNT(*) AS TEXT) || ' ' ||
                CAST(COALESCE(SUM(CASE WHEN span = 'day' THEN 1 ELSE 0 END), 0) AS TEXT) AS v
         FROM report_counts",
    )
    .await;
    let mut counters = counters
        .split_whitespace()
        .map(|n| n.parse::<usize>().unwrap_or(0));
    let counters = (counters.next().unwrap_or(0), counters.next().unwrap_or(0));
    let size = match url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Some(path) => {
            let len = |p: String| std::fs::metadata(p).map_or(0, |m| m.len());
            let (file, wal) = (len(path.to_string()), len(format!("{path}-wal")));
            format!(
                "{} ({} file, {} WAL)",
                bytes(file + wal),
                bytes(file),
                bytes(wal)
            )
        }
        None => {
            let n = scalar(
                &db,
                "SELECT CAST(pg_database_size(current_database()) AS TEXT) AS v",
            )
            .await;
            bytes(n.parse().unwrap_or(0))
        }
    };
    db.close().await;
    Prepared {
        token,
        dossiers,
        events,
        first,
        last,
        size,
        counters,
    }
}

/// One value (a query's column `v`, as text) that the store has no method for: run behind the
/// store, kept for a moment under a key of `app_meta` and read back, the key then removed.
async fn scalar(db: &Db, query: &str) -> String {
    const KEY: &str = "bench.reports.scalar";
    db.execute_unchecked(&format!(
        "DELETE FROM app_meta WHERE key = '{KEY}';
         INSERT INTO app_meta (key, value, updated_at) SELECT '{KEY}', v, 0 FROM ({query}) AS q"
    ))
    .await
    .unwrap();
    let value = db.meta_get(KEY).await.unwrap().unwrap_or_default();
    db.execute_unchecked(&format!("DELETE FROM app_meta WHERE key = '{KEY}'"))
        .await
        .unwrap();
    value
}

/// One report's figures.
struct Run {
    name: String,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    /// Biểu 06's grand total received (column 3), or the late dossiers listed.
    counted: usize,
    /// The size of the last answer.
    bytes: usize,
    errors: usize,
}

/// The last official quarter over before `today`: (year, number, days).
fn last_quarter(today: Date) -> (i32, u32, Period) {
    let y = today.year();
    for year in [y + 1, y, y - 1] {
        for n in (1..=4).rev() {
            let p = Period::quarter(year, n).expect("a quarter");
            if p.to < today {
                return (year, n, p);
            }
        }
    }
    unreachable!("a quarter ended within the last year")
}

/// The reporting year `today` falls in (15 December to 14 December).
fn reporting_year(today: Date) -> (i32, Period) {
    let y = today.year();
    [y, y + 1]
        .into_iter()
        .map(|year| (year, Period::year(year).expect("a year")))
        .find(|(_, p)| p.from <= today && today <= p.to)
        .expect("every day is in a reporting year")
}

async fn measure(base: &str, token: &str, today: Date, requests: usize) -> Vec<Run> {
    let host = base.trim_start_matches("http://").to_string();
    let (qy, qn, quarter) = last_quarter(today);
    let (year, whole) = reporting_year(today);
    let window = Period::window(quarter.from.add_days(30), quarter.from.add_days(39)).unwrap();
    let days = |p: Period| format!("{} – {}", p.from.vn(), p.to.vn());
    const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
    let asked = [
        (
            format!(
                "Biểu 06, quarter {}/{qy}, {}",
                ROMAN[qn as usize - 1],
                days(quarter)
            ),
            format!("/api/v1/reports/bieu-06?period=quarter&year={qy}&number={qn}"),
        ),
        (
            format!("Biểu 06, year {year}, {}", days(whole)),
            format!("/api/v1/reports/bieu-06?period=year&year={year}"),
        ),
        (
            format!("Biểu 06, window {}", days(window)),
            format!(
                "/api/v1/reports/bieu-06?period=window&from={}&to={}",
                window.from, window.to
            ),
        ),
        (
            format!("late dossiers, quarter {}/{qy}", ROMAN[qn as usize - 1]),
            format!("/api/v1/reports/late?period=quarter&year={qy}&number={qn}"),
        ),
    ];
    let mut connection = Connection::open(&host).await;
    let mut runs = Vec::new();
    for (name, path) in asked {
        let request = Request {
            method: "GET",
            path,
            headers: format!("authorization: Bearer {token}\r\n"),
            body: String::new(),
        };
        let mut times = Vec::with_capacity(requests);
        let (mut counted, mut size, mut errors) = (0, 0, 0);
        for n in 0..WARM_UP + requests {
            let t = Clock::now();
            let answer = connection.send(&request).await;
            let took = t.elapsed();
            match answer {
                Ok((200, body)) => {
                    size = body.len();
                    counted = counted_in(&body);
                }
                Ok((status, body)) => {
                    eprintln!(
                        "GET {}: {status} {}",
                        request.path,
                        String::from_utf8_lossy(&body)
                    );
                    errors += 1;
                }
                Err(e) => {
                    eprintln!("GET {}: {e}", request.path);
                    errors += 1;
                    connection = Connection::open(&host).await;
                }
            }
            if n >= WARM_UP {
                times.push(took);
            }
        }
        times.sort();
        // Nearest rank.
        let at = |p: f64| {
            let rank = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len());
            times[rank - 1].as_secs_f64() * 1e3
        };
        eprintln!("{name}: p50 {:.1} ms", at(0.5));
        runs.push(Run {
            name,
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
            counted,
            bytes: size,
            errors,
        });
    }
    runs
}

/// Biểu 06's grand total received (its last line, TỔNG CỘNG), or the length of a list.
fn counted_in(body: &[u8]) -> usize {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items.len(),
        Ok(v) => v["lines"]
            .as_array()
            .and_then(|lines| lines.last())
            .and_then(|total| total["received"].as_u64())
            .unwrap_or(0) as usize,
        Err(_) => 0,
    }
}

/// A request as the client sends it.
struct Request {
    method: &'static str,
    path: String,
    /// Extra header lines, each ending in CRLF.
    headers: String,
    body: String,
}

/// A keep-alive HTTP/1.1 connection, as light as a client can be (it shares the machine with
/// the server): the request written in one call, the answer read by its length.
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

fn thousands(n: usize) -> String {
    motcua_domain::text::thousands(n as i64)
}

fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else {
        format!("{:.0} MB", n / 1e6)
    }
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
    /// dossiers, written at start), so the runs measure requests alone.
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
