//! The demo province's year of dossiers: loaded by `motcua demo` with the lookup secrets it
//! prints, and the generator itself with a fixed clock: the same seed gives the same codes and
//! hashes, every stage is reached, the chains verify, and numbering continues after it.

use std::collections::BTreeMap;

use motcua_calendar::{Date, Instant, OfficeHours, WorkingTime, official};
use motcua_domain::dossier::{ALL_STAGES, Dossier, Event};
use motcua_store::testing::TestDb;
use motcua_store::{Backend, GENESIS, event_hash, sha256_hex};

use crate::on_both_backends;
use crate::support::motcua;

#[allow(dead_code)]
#[path = "../../src/demo_dossiers.rs"]
mod generator;

on_both_backends!(the_demo_year_of_dossiers);

/// The database's URL as the binary takes it (a test's PostgreSQL schema in the URL).
fn url_of(fresh: &TestDb) -> String {
    match &fresh.options.pg_schema {
        None => fresh.url.clone(),
        Some(schema) => {
            let separator = if fresh.url.contains('?') { '&' } else { '?' };
            format!("{}{separator}options[search_path]={schema}", fresh.url)
        }
    }
}

/// The calendar `motcua demo` uses without a configuration: the shipped years, default hours.
fn working_time() -> WorkingTime {
    WorkingTime::new(
        official::shipped().unwrap(),
        OfficeHours::default(),
        BTreeMap::new(),
    )
}

/// Each event's hash, chained as the store chains them.
fn hashes(made: &generator::Made) -> Vec<String> {
    let history = made.history();
    let mut prev = GENESIS.to_string();
    history
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            prev = event_hash(&prev, &made.code, i as i64 + 1, e);
            prev.clone()
        })
        .collect()
}

async fn the_demo_year_of_dossiers(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let fresh = TestDb::new(backend).await;
    let db = fresh.db.clone();
    let out = motcua(dir.path())
        .args(["--database-url", &url_of(&fresh), "demo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Hồ sơ mẫu của 12 tháng qua: 5.000 hồ sơ"),
        "{stdout}"
    );
    // The codes and secrets printed to try the public lookup are what the receipts would say.
    let examples: Vec<(&str, &str)> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Tra cứu thử"))
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect();
    assert!(examples.len() >= 2, "{stdout}");
    for (code, secret) in &examples {
        let row = db.dossier_by_code(code).await.unwrap().unwrap();
        assert_eq!(row.lookup_hash, sha256_hex(secret.as_bytes()), "{code}");
        assert_eq!(*secret, generator::secret(generator::SEED, code));
    }
    let rows = db
        .dossiers(&motcua_store::DossierFilter {
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    // Each projection is what its events fold to.
    for row in rows.iter().take(100) {
        let events = db.dossier_events(row.id).await.unwrap();
        let parsed: Vec<(Event, i64)> = events
            .iter()
            .map(|e| (serde_json::from_str(&e.payload).unwrap(), e.at))
            .collect();
        let replayed = Dossier::replay(parsed.iter().map(|(e, at)| (e, *at))).unwrap();
        let stored: Dossier = serde_json::from_str(&row.state).unwrap();
        assert_eq!(replayed, stored, "{}", row.code);
        assert_eq!(row.version, events.len() as i64);
    }

    // A year of dossiers written in bulk: the report counters give what reading every dossier
    // gives, and so do counters built again from the dossiers.
    crate::reports::counters_agree(&db).await;
    db.rebuild_report_counts().await.unwrap();
    crate::reports::counters_agree(&db).await;
    // A database whose dossiers came before the counters gets them when it is next migrated.
    db.execute_unchecked("DELETE FROM report_counts")
        .await
        .unwrap();
    db.migrate().await.unwrap();
    crate::reports::counters_agree(&db).await;

    // The generator with a fixed clock. Its year lies after any the demo above could have
    // made, so the codes of the two never meet in this database.
    let time = working_time();
    let now = Instant::from_local(Date::parse("2035-03-15").unwrap(), 10 * 60);
    let last = now.local_date().add_days(-1);
    let province = generator::Province::load(&db, last.add_days(-364), last, Default::default())
        .await
        .unwrap();
    let recent: Vec<(Date, usize)> = generator::per_day(&time, last.add_days(-364), last, 5_000)
        .into_iter()
        .rev()
        .take(20)
        .collect();
    let run = || {
        recent
            .iter()
            .flat_map(|(day, n)| {
                generator::day(
                    &province,
                    &time,
                    generator::SEED,
                    *day,
                    *n,
                    now,
                    &Default::default(),
                )
                .unwrap()
            })
            .map(|m| (m.code.clone(), m.secret.clone(), hashes(&m)))
            .collect::<Vec<_>>()
    };
    let first = run();
    assert!(first.len() > 100, "{}", first.len());
    assert_eq!(first, run(), "the same seed makes the same dossiers");

    let (breaks, demo_events) = db.verify_chains().await.unwrap();
    assert!(breaks.is_empty(), "{breaks:?}");
    assert!(demo_events > 20_000, "{demo_events}");
    let summary = generator::generate(&db, &time, Default::default(), generator::SEED, 5_000, now)
        .await
        .unwrap();
    assert_eq!(summary.dossiers, 5_000);
    for stage in ALL_STAGES {
        assert!(
            summary.by_stage.get(stage.code()).copied().unwrap_or(0) > 0,
            "no dossier is {}: {:?}",
            stage.code(),
            summary.by_stage
        );
    }
    assert!(
        summary.by_stage["returned"] > 4_000,
        "{:?}",
        summary.by_stage
    );
    assert!(
        (1_500..=2_500).contains(&summary.online),
        "online: {}",
        summary.online
    );
    assert!(summary.late > 50 && summary.extended > 50);
    // What was written is what was made.
    for (code, _, hashes) in &first {
        let row = db.dossier_by_code(code).await.unwrap().unwrap();
        let stored: Vec<String> = db
            .dossier_events(row.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.hash)
            .collect();
        assert_eq!(&stored, hashes, "{code}");
    }
    let (breaks, checked) = db.verify_chains().await.unwrap();
    assert!(breaks.is_empty(), "{breaks:?}");
    assert_eq!(checked, demo_events + summary.events as u64);

    // Land is the largest sector of the generated year.
    let sectors: BTreeMap<String, usize> = {
        let mut by = BTreeMap::new();
        for (code, _, _) in &first {
            let row = db.dossier_by_code(code).await.unwrap().unwrap();
            *by.entry(row.sector).or_default() += 1;
        }
        by
    };
    let land = sectors.get("DD").copied().unwrap_or(0);
    assert_eq!(sectors.values().max(), Some(&land), "{sectors:?}");

    // A receipt at a desk on a generated day takes the next number.
    let (code, _, _) = first.last().unwrap();
    let (desk, rest) = code.split_at(code.len() - 12);
    let desk = desk.trim_end_matches('-');
    let day = Date::from_ymd(
        2000 + rest[1..3].parse::<i32>().unwrap(),
        rest[3..5].parse().unwrap(),
        rest[5..7].parse().unwrap(),
    )
    .unwrap();
    let highest = first
        .iter()
        .filter(|(c, _, _)| c.starts_with(&format!("{desk}-{}", &rest[1..7])))
        .map(|(c, _, _)| c[c.len() - 4..].parse::<i64>().unwrap())
        .max()
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        tx.next_dossier_number(desk, &day.to_string())
            .await
            .unwrap(),
        highest + 1
    );
}
