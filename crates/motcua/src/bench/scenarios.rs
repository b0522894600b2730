//! The scenarios, each a few runs through HTTP against the served province, each run a figure.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_calendar::Date;
use motcua_domain::report::Period;
use serde_json::Value;

use super::client::{Check, Connection, Request, Sample, Source, drive, pace};
use super::province::{DESK_OFFICER, Loaded, PROCEDURES, QUEUE_OFFICER, REPORT_READER};
use super::report::{Budget, Figure};
use super::system::ServerProcess;

/// What a user may ask for by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Intake,
    Transitions,
    Lookup,
    Queue,
    Search,
    Bieu06,
    Late,
    Mixed,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Scenario::Intake,
        Scenario::Transitions,
        Scenario::Lookup,
        Scenario::Queue,
        Scenario::Search,
        Scenario::Bieu06,
        Scenario::Late,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Intake => "intake",
            Scenario::Transitions => "transitions",
            Scenario::Lookup => "lookup",
            Scenario::Queue => "queue",
            Scenario::Search => "search",
            Scenario::Bieu06 => "bieu06",
            Scenario::Late => "late",
            Scenario::Mixed => "mixed",
        }
    }

    /// A comma-separated list of names, in the suite's order whatever the list's.
    pub fn parse_list(list: &str) -> Result<Vec<Scenario>, String> {
        let mut chosen = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let s = Scenario::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or_else(|| {
                    format!(
                        "unknown scenario '{name}'; the scenarios are {}",
                        Scenario::ALL.map(Scenario::name).join(", ")
                    )
                })?;
            chosen.push(s);
        }
        if chosen.is_empty() {
            return Err("no scenario named".into());
        }
        if chosen.contains(&Scenario::Transitions) && !chosen.contains(&Scenario::Intake) {
            return Err(
                "transitions act on the dossiers that intake receives; name intake too".into(),
            );
        }
        Ok(Scenario::ALL
            .into_iter()
            .filter(|s| chosen.contains(s))
            .collect())
    }
}

/// Lengths and sizes of the runs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How long each closed-loop run lasts.
    pub length: Duration,
    /// Timed requests of each report (one client, one at a time), after `warm_up` untimed.
    pub requests: usize,
    pub warm_up: usize,
    /// Client counts of the intake and lookup runs.
    pub intake_clients: &'static [usize],
    pub lookup_clients: &'static [usize],
    pub quick: bool,
}

/// What the scenarios share: the server, the province and the dossiers intake received.
pub struct Context<'a> {
    pub server: &'a ServerProcess,
    pub loaded: &'a Loaded,
    pub postgres: bool,
    pub settings: Settings,
    /// Every dossier in the database.
    pub dossiers: usize,
    /// Codes of the dossiers intake received and no transition has moved yet.
    pub received: Arc<Mutex<VecDeque<String>>>,
    /// How many of them the transitions run leaves for the mixed load's hand-overs.
    pub reserved: usize,
    /// Bodies of counter receipts of the provincial land procedures in force.
    pub receipts: Arc<Vec<String>>,
    pub today: Date,
}

impl Context<'_> {
    fn bearer(&self, login: &str) -> String {
        format!(
            "authorization: Bearer {}\r\n",
            self.loaded.tokens.get(login).map_or("", String::as_str)
        )
    }
}

/// "1 client", "16 clients".
pub fn clients_text(n: usize) -> String {
    if n == 1 {
        "1 client".into()
    } else {
        format!("{n} clients")
    }
}

fn ok_2xx() -> Check {
    Arc::new(|status, _| (200..300).contains(&status))
}

/// Hand-overs of the dossiers intake received, oldest first, leaving `keep` of them.
fn hand_over_source(cx: &Context<'_>, keep: usize) -> Source {
    let received = cx.received.clone();
    let headers = format!(
        "{}content-type: application/json\r\n",
        cx.bearer(DESK_OFFICER)
    );
    Arc::new(move |_| {
        let mut received = received.lock().ok()?;
        if received.len() <= keep {
            return None;
        }
        let code = received.pop_front()?;
        Some(Request {
            method: "POST",
            path: format!("/api/v1/dossiers/{code}/hand-over"),
            headers: headers.clone(),
            body: r#"{"version": 2}"#.into(),
        })
    })
}

fn ok_status(wanted: u16) -> Check {
    Arc::new(move |status, _| status == wanted)
}

/// Runs `scenario`; its figures in order.
pub async fn run(scenario: Scenario, cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    match scenario {
        Scenario::Intake => intake(cx).await,
        Scenario::Transitions => transitions(cx).await,
        Scenario::Lookup => lookup(cx).await,
        Scenario::Queue => queue(cx).await,
        Scenario::Search => search(cx).await,
        Scenario::Bieu06 => bieu06(cx).await,
        Scenario::Late => late(cx).await,
        Scenario::Mixed => mixed(cx).await,
    }
}

fn intake_request(cx: &Context<'_>, round: usize) -> Source {
    let receipts = cx.receipts.clone();
    let headers = format!(
        "{}content-type: application/json\r\n",
        cx.bearer(DESK_OFFICER)
    );
    Arc::new(move |n| {
        Some(Request {
            method: "POST",
            path: "/api/v1/dossiers".into(),
            headers: format!("{headers}idempotency-key: bench-{round}-{n}\r\n"),
            body: receipts[n % receipts.len()].clone(),
        })
    })
}

/// A check that keeps the code of each dossier received.
fn keep_received(received: Arc<Mutex<VecDeque<String>>>) -> Check {
    Arc::new(move |status, body| {
        if status != 201 {
            return false;
        }
        if let Ok(v) = serde_json::from_slice::<Value>(body)
            && let Some(code) = v["code"].as_str()
            && let Ok(mut r) = received.lock()
        {
            r.push_back(code.to_string());
        }
        true
    })
}

async fn intake(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    let clients = cx.settings.intake_clients;
    for (round, &n) in clients.iter().enumerate() {
        let before = opening_commits(cx.server).await;
        let sample = drive(
            cx.server,
            n,
            cx.settings.length,
            usize::MAX,
            intake_request(cx, round),
            keep_received(cx.received.clone()),
        )
        .await?;
        let after = opening_commits(cx.server).await;
        let mut f = Figure::closed(
            "intake",
            format!(
                "POST /api/v1/dossiers, counter receipt, {}",
                clients_text(n)
            ),
            n,
            &sample,
        );
        if let (Some((c0, d0)), Some((c1, d1))) = (before, after)
            && c1 > c0
        {
            f.note = Some(format!(
                "{:.1} receipts a commit ({} commits)",
                (d1 - d0) as f64 / (c1 - c0) as f64,
                c1 - c0
            ));
        }
        if round + 1 == clients.len() {
            let (budget, needed) = if cx.postgres {
                ("≥ 1,000/s", 1_000.0)
            } else {
                ("≥ 2,000/s", 2_000.0)
            };
            f.budget = Some(Budget::judged(budget, sample.rate() >= needed));
        }
        figures.push(f);
    }
    Ok(figures)
}

/// The server's count of commits that opened dossiers and of the dossiers they opened, from
/// its metrics.
async fn opening_commits(server: &ServerProcess) -> Option<(u64, u64)> {
    let mut connection = Connection::open(&server.host).await.ok()?;
    let (status, body) = connection
        .send(&Request::get("/metrics".into(), ""))
        .await
        .ok()?;
    if status != 200 {
        return None;
    }
    let text = String::from_utf8(body).ok()?;
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<u64>().ok())
    };
    Some((
        value(motcua_web::OPENING_COMMITS)?,
        value(motcua_web::OPENED)?,
    ))
}

async fn transitions(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let clients = if cx.settings.quick { 4 } else { 16 };
    // Never keep more than half: the transitions run needs dossiers too.
    let reserved = cx
        .reserved
        .min(cx.received.lock().map_or(0, |r| r.len() / 2));
    let source = hand_over_source(cx, reserved);
    let sample = drive(
        cx.server,
        clients,
        cx.settings.length,
        usize::MAX,
        source,
        ok_2xx(),
    )
    .await?;
    Ok(vec![Figure::closed(
        "transitions",
        format!(
            "POST …/hand-over of a dossier just received, {}",
            clients_text(clients)
        ),
        clients,
        &sample,
    )])
}

fn lookup_source(cx: &Context<'_>) -> Source {
    let lookups = Arc::new(cx.loaded.lookups.clone());
    Arc::new(move |n| {
        // Spread over the sample, not in its order.
        let (code, secret) = &lookups[n.wrapping_mul(0x9e37_79b9) % lookups.len()];
        Some(Request::get(
            format!("/api/v1/lookup/{code}?secret={secret}"),
            "",
        ))
    })
}

async fn lookup(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    let clients = cx.settings.lookup_clients;
    for (i, &n) in clients.iter().enumerate() {
        let sample = drive(
            cx.server,
            n,
            cx.settings.length,
            usize::MAX,
            lookup_source(cx),
            ok_status(200),
        )
        .await?;
        let mut f = Figure::closed(
            "lookup",
            format!("GET /api/v1/lookup/{{code}}?secret=…, {}", clients_text(n)),
            n,
            &sample,
        );
        if i + 1 == clients.len() {
            f.budget = Some(if cx.dossiers >= 1_000_000 {
                Budget::judged(
                    "≥ 10,000/s, p99 ≤ 10 ms",
                    sample.rate() >= 10_000.0 && sample.percentile(0.99) <= 10.0,
                )
            } else {
                Budget::not_judged("≥ 10,000/s, p99 ≤ 10 ms", "set for 1 million dossiers")
            });
        }
        figures.push(f);
    }
    Ok(figures)
}

fn queue_source(cx: &Context<'_>) -> Source {
    let headers = format!("cookie: motcua_session={}\r\n", cx.loaded.queue_session);
    Arc::new(move |_| Some(Request::get("/can-bo/ho-so".into(), &headers)))
}

async fn queue(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let clients = if cx.settings.quick { 2 } else { 4 };
    let sample = drive(
        cx.server,
        clients,
        cx.settings.length,
        usize::MAX,
        queue_source(cx),
        ok_status(200),
    )
    .await?;
    let open = cx.loaded.queue_open;
    let mut f = Figure::closed(
        "queue",
        format!(
            "GET /can-bo/ho-so as {QUEUE_OFFICER}, {} open dossiers, {}",
            super::report::thousands(open.max(0) as usize),
            clients_text(clients)
        ),
        clients,
        &sample,
    );
    f.budget = Some(if open >= 5_000 {
        Budget::judged("p99 ≤ 20 ms", sample.percentile(0.99) <= 20.0)
    } else {
        Budget::not_judged("p99 ≤ 20 ms", "set for 5,000 open dossiers in the agency")
    });
    Ok(vec![f])
}

fn search_source() -> Source {
    let paths: Arc<Vec<String>> = Arc::new(
        super::sized_catalogue::QUERIES
            .iter()
            .map(|q| format!("/thu-tuc?q={}", encode(q)))
            .collect(),
    );
    Arc::new(move |n| Some(Request::get(paths[n % paths.len()].clone(), "")))
}

async fn search(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let sample = drive(
        cx.server,
        1,
        cx.settings.length,
        usize::MAX,
        search_source(),
        ok_status(200),
    )
    .await?;
    let mut f = Figure::closed(
        "search",
        format!(
            "GET /thu-tuc?q=…, the results page, {} procedures, 1 client",
            super::report::thousands(PROCEDURES)
        ),
        1,
        &sample,
    );
    f.budget = Some(Budget::judged("p99 ≤ 5 ms", sample.percentile(0.99) <= 5.0));
    Ok(vec![f])
}

/// The last official quarter over before `today`: (year, number, days).
fn last_quarter(today: Date) -> (i32, u32, Period) {
    let y = today.year();
    for year in [y + 1, y, y - 1] {
        for n in (1..=4).rev() {
            if let Ok(p) = Period::quarter(year, n)
                && p.to < today
            {
                return (year, n, p);
            }
        }
    }
    let p = Period::quarter(y - 1, 4).expect("a quarter");
    (y - 1, 4, p)
}

/// The reporting year `today` falls in (15 December to 14 December).
fn reporting_year(today: Date) -> i32 {
    let y = today.year();
    [y, y + 1]
        .into_iter()
        .find(|&year| Period::year(year).is_ok_and(|p| p.from <= today && today <= p.to))
        .unwrap_or(y)
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

fn quarter_path(today: Date) -> (String, String) {
    let (y, n, p) = last_quarter(today);
    (
        format!(
            "quarter {}/{y} ({} – {})",
            ROMAN[n as usize - 1],
            p.from.vn(),
            p.to.vn()
        ),
        format!("period=quarter&year={y}&number={n}"),
    )
}

/// One client asking for `path` one request at a time: `warm_up` untimed, then `requests`.
async fn sequential(cx: &Context<'_>, path: String) -> Result<Sample, String> {
    let request = Request::get(path, &cx.bearer(REPORT_READER));
    let source: Source = Arc::new(move |_| Some(request.clone()));
    let warm = cx.settings.warm_up;
    if warm > 0 {
        drive(
            cx.server,
            1,
            Duration::MAX,
            warm,
            source.clone(),
            ok_status(200),
        )
        .await?;
    }
    drive(
        cx.server,
        1,
        Duration::MAX,
        cx.settings.requests,
        source,
        ok_status(200),
    )
    .await
}

async fn bieu06(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let (quarter, query) = quarter_path(cx.today);
    let sample = sequential(cx, format!("/api/v1/reports/bieu-06?{query}")).await?;
    let mut q = Figure::closed(
        "bieu06",
        format!("Biểu 06, {quarter}, the whole province, 1 client"),
        1,
        &sample,
    );
    q.budget = Some(if cx.dossiers >= 2_000_000 {
        Budget::judged("≤ 250 ms", sample.percentile(0.99) <= 250.0)
    } else {
        Budget::not_judged("≤ 250 ms", "set for 2 million dossiers")
    });
    let year = reporting_year(cx.today);
    let sample = sequential(
        cx,
        format!("/api/v1/reports/bieu-06?period=year&year={year}"),
    )
    .await?;
    let y = Figure::closed(
        "bieu06",
        format!("Biểu 06, reporting year {year}, the whole province, 1 client"),
        1,
        &sample,
    );
    Ok(vec![q, y])
}

async fn late(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let (quarter, query) = quarter_path(cx.today);
    let sample = sequential(cx, format!("/api/v1/reports/late?{query}")).await?;
    Ok(vec![Figure::closed(
        "late",
        format!(
            "late dossiers, {quarter}, JSON ({} KB), 1 client",
            sample.last_size / 1024
        ),
        1,
        &sample,
    )])
}

/// Dossiers received per second on a peak day at ten times the real rate: one and a half
/// times the average working day of the three years, in eight office hours.
fn peak_per_second(dossiers: usize) -> f64 {
    const WORKING_DAYS: f64 = 750.0;
    dossiers as f64 / WORKING_DAYS * 1.5 / (8.0 * 3600.0) * 10.0
}

fn hand_over_rate(dossiers: usize) -> f64 {
    (peak_per_second(dossiers) * 6.0).max(1.0)
}

fn mixed_length(settings: &Settings) -> Duration {
    settings.length * 6
}

/// The received dossiers the mixed load hands over, with a margin.
pub fn mixed_hand_overs(dossiers: usize, settings: &Settings) -> usize {
    (hand_over_rate(dossiers) * mixed_length(settings).as_secs_f64() * 1.2).ceil() as usize
}

/// A province's peak day at ten times its real rate: the dossiers of a peak day (one and a
/// half times the average working day over the three years) received in eight office hours,
/// each moved six times, looked up three times by its applicant, the queue read before each
/// move, and Biểu 06 asked for now and then; every kind at least once a second (Biểu 06 once in
/// ten) so that a small province still shows each. Requests are sent at their times whatever
/// the answers take (open loop), so a slow server shows as latency.
async fn mixed(cx: &Context<'_>) -> Result<Vec<Figure>, String> {
    let per_second = peak_per_second(cx.dossiers);
    let length = mixed_length(&cx.settings);
    let (quarter_name, quarter) = quarter_path(cx.today);
    let reader = cx.bearer(REPORT_READER);
    let report = Request::get(format!("/api/v1/reports/bieu-06?{quarter}"), &reader);
    let kinds: Vec<(String, f64, usize, Source, Check)> = vec![
        (
            "intake".into(),
            per_second.max(1.0),
            4,
            intake_request(cx, 99),
            keep_received(cx.received.clone()),
        ),
        (
            "hand-over".into(),
            hand_over_rate(cx.dossiers),
            8,
            hand_over_source(cx, 0),
            ok_2xx(),
        ),
        (
            "status lookup".into(),
            (per_second * 3.0).max(1.0),
            8,
            lookup_source(cx),
            ok_status(200),
        ),
        (
            "work queue".into(),
            (per_second * 6.0).max(1.0),
            8,
            queue_source(cx),
            ok_status(200),
        ),
        (
            format!("Biểu 06, {quarter_name}"),
            (per_second / 20.0).max(0.1),
            1,
            Arc::new(move |_| Some(report.clone())),
            ok_status(200),
        ),
    ];
    let cpu = cx.server.cpu_time();
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for (name, rate, connections, source, check) in kinds {
        let host = cx.server.host.clone();
        tasks.push(tokio::spawn(async move {
            let sample = pace(&host, rate, connections, length, start, source, check).await;
            (name, rate, connections, sample)
        }));
    }
    let mut figures = Vec::new();
    let mut total = 0usize;
    for t in tasks {
        let (name, rate, connections, sample) = t.await.map_err(|e| e.to_string())?;
        total += sample.times.len();
        let mut f = Figure::closed(
            "mixed",
            format!("{name}, {rate:.2}/s asked"),
            connections,
            &sample,
        );
        f.cpu_ms_per_request = None;
        figures.push(f);
    }
    let cpu = cx.server.cpu_time().saturating_sub(cpu);
    if let Some(first) = figures.first_mut() {
        first.note = Some(format!(
            "all kinds together: {:.2} ms of server CPU per request over {total} requests in {:.0} s",
            cpu.as_secs_f64() * 1e3 / total.max(1) as f64,
            length.as_secs_f64()
        ));
    }
    Ok(figures)
}

/// Percent-encodes a query string value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
