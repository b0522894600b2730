//! Catalogue search end to end, through HTTP: `cargo bench -p motcua --bench http_search`.
//!
//! The real binary: `motcua demo` and `motcua catalogue import` fill a fresh SQLite database with
//! the demo province and 2,000 procedures (the demo's 206 repeated with varied names and codes),
//! then `motcua serve` answers `GET /thu-tuc?q=…`, the whole results page, over one keep-alive
//! connection. Prints p50, p99 and the worst per request, measured by the client.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../domain/benches/common/province.rs"]
mod province;
use province::{PROCEDURES, QUERIES, province_sized};

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let file = dir.path().join("catalogue.json");
    std::fs::write(
        &file,
        serde_json::to_string(&province_sized()).expect("a catalogue serialises"),
    )
    .expect("the catalogue file is written");

    run(&data, &["demo"]);
    run(&data, &["catalogue", "import", file.to_str().unwrap()]);
    let server = Server::start(&data);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(measure(&server.base));
    drop(server);
}

async fn measure(base: &str) {
    let queries = QUERIES;
    let client = reqwest::Client::new();
    let fetch = |url: String| {
        let client = client.clone();
        async move {
            let response = client.get(url).send().await.expect("the server answers");
            assert!(response.status().is_success(), "{}", response.status());
            response.text().await.expect("a page").len()
        }
    };
    let get = |q: &str| fetch(format!("{base}/thu-tuc?q={}", encode(q)));
    // Warm the connection, the page templates and the search index.
    for q in &queries {
        get(q).await;
    }
    let rounds = 200;
    let mut times = Vec::with_capacity(rounds * queries.len());
    let mut by_query = vec![Vec::with_capacity(rounds); queries.len()];
    // The same server answering without searching or a database: the machine's own jitter.
    let mut baseline = Vec::with_capacity(rounds);
    let mut bytes = 0usize;
    for _ in 0..rounds {
        let start = Instant::now();
        fetch(format!("{base}/static/favicon.svg")).await;
        baseline.push(start.elapsed());
        for (i, q) in queries.iter().enumerate() {
            let start = Instant::now();
            bytes += get(q).await;
            let took = start.elapsed();
            times.push(took);
            by_query[i].push(took);
        }
    }
    println!(
        "catalogue search through HTTP, {PROCEDURES} procedures, {} requests: {} ({:.1} MB of pages)",
        times.len(),
        percentiles(&mut times),
        bytes as f64 / 1e6
    );
    for (q, times) in queries.iter().zip(&mut by_query) {
        println!("  {:<45} {}", format!("{q:?}"), percentiles(times));
    }
    println!(
        "baseline, GET /static/favicon.svg, {} requests: {}",
        baseline.len(),
        percentiles(&mut baseline)
    );
}

fn percentiles(times: &mut [Duration]) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, worst {:.3} ms",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    )
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn motcua(data: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
    command
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("RUST_LOG", "warn")
        .arg("--data-dir")
        .arg(data);
    command
}

fn run(data: &std::path::Path, args: &[&str]) {
    let output = motcua(data).args(args).output().expect("motcua runs");
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
    fn start(data: &std::path::Path) -> Server {
        let mut child = motcua(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
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
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
