//! `motcua bench`: the benchmark suite. This process is the load generator; it loads a
//! synthetic province into an empty database (`province`), starts `motcua serve` as a process
//! of its own on another core (`system`), runs the scenarios through HTTP (`scenarios`,
//! `client`) and prints every figure beside the design's budget (`report`).
//!
//! Everything a user can get wrong is refused before any load is sent: an unknown scale or
//! scenario, a database that is not empty, a server that does not answer.

mod client;
mod province;
mod report;
mod scenarios;
// The catalogue and queries of the search index's benchmark, so that both figures compare.
#[path = "../../../domain/benches/common/province.rs"]
mod sized_catalogue;
mod system;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use motcua_calendar::Instant;

use crate::Failure;
use crate::cli::{BenchArgs, GlobalArgs, Scale};
use report::{Budget, Report, Resource, bytes, thousands};
use scenarios::{Context, Scenario, Settings};
use system::{Machine, Pinning, ServerProcess};

/// A folder of the benchmark's own, removed when it ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn run(global: &GlobalArgs, args: &BenchArgs) -> Result<(), Failure> {
    let chosen = match &args.scenarios {
        Some(list) => Scenario::parse_list(list).map_err(Failure::usage)?,
        None => Scenario::ALL.to_vec(),
    };
    if args.seconds == 0 {
        return Err(Failure::usage("--seconds must be at least 1"));
    }
    let (scale, count) = match (args.quick, args.scale) {
        (true, _) => ("quick", 2_000),
        (false, Scale::Small) => ("small", 100_000),
        (false, Scale::Province) => ("province", 2_000_000),
    };
    let settings = if args.quick {
        Settings {
            length: Duration::from_secs(1),
            requests: 3,
            warm_up: 1,
            intake_clients: &[4],
            lookup_clients: &[4],
            quick: true,
        }
    } else {
        Settings {
            length: Duration::from_secs(args.seconds),
            requests: 30,
            warm_up: 3,
            intake_clients: &[1, 16, 64],
            lookup_clients: &[16, 64],
            quick: false,
        }
    };

    let scratch = Scratch(std::env::temp_dir().join(format!(
        "motcua-bench-{}-{}",
        std::process::id(),
        motcua_store::migrate::now_micros()
    )));
    std::fs::create_dir_all(&scratch.0)
        .map_err(|e| Failure::run(format!("{}: {e}", scratch.0.display())))?;
    let data = scratch.0.join("data");
    let url = match &global.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", scratch.0.join("motcua.db").display()),
    };
    let postgres = url.starts_with("postgres");
    province::refuse_unless_empty(&url)
        .await
        .map_err(Failure::usage)?;

    let machine = Machine::read();
    let pinning = Pinning::apply(machine.cores);
    eprintln!(
        "bench: loading {} dossiers into {}",
        thousands(count),
        motcua_store::redact(&url)
    );
    let loaded = province::load(&data, &url, count)
        .await
        .map_err(|e| Failure::run(format!("the province could not be loaded: {e}")))?;
    eprintln!(
        "bench: loaded in {:.0} s; starting motcua serve",
        loaded.demo_seconds + loaded.load_seconds
    );
    let server = ServerProcess::start(&data, &url, &pinning).map_err(Failure::run)?;
    answers(&server).await.map_err(Failure::run)?;

    let dossiers = loaded.dossiers + crate::demo_dossiers::COUNT;
    let reserved = if chosen.contains(&Scenario::Mixed) {
        scenarios::mixed_hand_overs(dossiers, &settings)
    } else {
        0
    };
    let cx = Context {
        server: &server,
        loaded: &loaded,
        postgres,
        settings,
        dossiers,
        received: Arc::new(Mutex::new(VecDeque::new())),
        reserved,
        receipts: Arc::new(loaded.receipts.clone()),
        today: Instant(motcua_store::migrate::now_micros()).local_date(),
    };
    let mut figures = Vec::new();
    for s in chosen {
        eprintln!("bench: {}", s.name());
        let made = scenarios::run(s, &cx).await.map_err(Failure::run)?;
        if let Some(empty) = made.iter().find(|f| f.requests == 0) {
            return Err(Failure::run(format!(
                "{}: no request completed in “{}”",
                s.name(),
                empty.what
            )));
        }
        figures.extend(made);
        if !server.alive() {
            return Err(Failure::run(format!(
                "the server stopped during the scenario {}",
                s.name()
            )));
        }
    }

    let resources = resources(&server, &loaded, &figures, dossiers, &url, postgres).await;
    drop(server);
    let mut report = Report {
        date: format!(
            "{} (Vietnam time)",
            Instant(motcua_store::migrate::now_micros()).vn()
        ),
        commit: system::commit(),
        machine,
        pinning,
        backend: if postgres { "PostgreSQL" } else { "SQLite" }.into(),
        scale: scale.into(),
        quick: args.quick,
        dossiers,
        generated: loaded.dossiers,
        events: loaded.events,
        first_day: loaded.first.vn(),
        last_day: loaded.last.vn(),
        shares: loaded.shares,
        figures,
        resources,
    };
    if args.quick {
        for b in report
            .figures
            .iter_mut()
            .filter_map(|f| f.budget.as_mut())
            .chain(
                report
                    .resources
                    .iter_mut()
                    .filter_map(|r| r.budget.as_mut()),
            )
        {
            *b = Budget::not_judged(&b.target, "quick");
        }
    }
    // With the JSON on standard output, the table goes to standard error.
    if args.json.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        eprint!("{}", report.text());
    } else {
        print!("{}", report.text());
    }
    if let Some(path) = &args.json {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| Failure::run(e.to_string()))?;
        if path.as_os_str() == "-" {
            println!("{json}");
        } else {
            std::fs::write(path, json + "\n")
                .map_err(|e| Failure::run(format!("{}: {e}", path.display())))?;
        }
    }
    match report.errors() {
        0 => Ok(()),
        n => Err(Failure::run(format!(
            "{n} requests were not answered as expected (the first of each run is shown above)"
        ))),
    }
}

/// Whether the server answers its health check: asked once before any load.
async fn answers(server: &ServerProcess) -> Result<(), String> {
    let mut c = client::Connection::open(&server.host)
        .await
        .map_err(|e| format!("the server at {} does not answer: {e}", server.host))?;
    match c.send(&client::Request::get("/healthz".into(), "")).await {
        Ok((200, _)) => Ok(()),
        Ok((status, body)) => Err(format!(
            "the server at {} is not healthy: {status} {}",
            server.host,
            String::from_utf8_lossy(&body)
        )),
        Err(e) => Err(format!(
            "the server at {} does not answer: {e}",
            server.host
        )),
    }
}

/// The figures of the whole run: loading, memory, disk and CPU.
async fn resources(
    server: &ServerProcess,
    loaded: &province::Loaded,
    figures: &[report::Figure],
    dossiers: usize,
    url: &str,
    postgres: bool,
) -> Vec<Resource> {
    let mut out = Vec::new();
    let import_rate = loaded.dossiers as f64 / loaded.import_seconds.max(1e-9);
    out.push(Resource {
        what: "bulk import of historic dossiers (the store's bulk path)".into(),
        value: format!(
            "{} dossiers/s ({} events/s)",
            thousands(import_rate as usize),
            thousands((loaded.events as f64 / loaded.import_seconds.max(1e-9)) as usize)
        ),
        budget: Some(Budget::judged(
            "≥ 50,000 dossiers/s",
            import_rate >= 50_000.0,
        )),
    });
    out.push(Resource {
        what: "loading: motcua demo, then generating and importing".into(),
        value: format!(
            "{:.1} s + {:.1} s",
            loaded.demo_seconds, loaded.load_seconds
        ),
        budget: None,
    });
    let (own, all) = server.peak_memory();
    out.push(Resource {
        what: "server peak resident memory, its own (anonymous)".into(),
        value: bytes(own),
        budget: Some(if dossiers >= 1_000_000 {
            Budget::judged("≤ 150 MB", own <= 150_000_000)
        } else {
            Budget::not_judged("≤ 150 MB", "set for 1 million dossiers")
        }),
    });
    out.push(Resource {
        what: "server peak resident memory, with the database pages it maps".into(),
        value: bytes(all),
        budget: None,
    });
    let size = province::size_on_disk(url).await.unwrap_or(loaded.size);
    out.push(Resource {
        what: format!(
            "database on disk ({})",
            if postgres {
                "pg_database_size"
            } else {
                "SQLite file and WAL"
            }
        ),
        value: format!(
            "{}, {} per million dossiers",
            bytes(size),
            bytes((size as f64 / (dossiers as f64 / 1e6)) as u64)
        ),
        budget: None,
    });
    if let Some(intake) = figures
        .iter()
        .filter(|f| f.scenario == "intake")
        .max_by_key(|f| f.clients)
        && let Some(cpu) = intake.cpu_ms_per_request
    {
        out.push(Resource {
            what: format!(
                "server CPU per thousand intakes ({})",
                scenarios::clients_text(intake.clients)
            ),
            value: format!(
                "{cpu:.2} s{}",
                if postgres {
                    " (PostgreSQL's own on top)"
                } else {
                    ""
                }
            ),
            budget: None,
        });
    }
    out
}
