//! `motcua bench` as its user meets it: bad input is refused before anything is loaded, and a
//! quick run measures every scenario asked for against the real server.

use crate::support::{listing, motcua, stderr_lines};

fn last_error(output: &std::process::Output) -> String {
    let lines = stderr_lines(output);
    lines
        .iter()
        .rev()
        .find(|l| l.starts_with("error: "))
        .cloned()
        .unwrap_or_else(|| panic!("no error line in {lines:#?}"))
}

#[test]
fn an_unknown_scenario_is_a_usage_error_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let output = motcua(dir.path())
        .args(["bench", "--quick", "--scenarios", "intake,lookups"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let line = last_error(&output);
    assert!(line.contains("lookups"), "{line}");
    for known in ["intake", "lookup", "queue", "bieu06", "mixed"] {
        assert!(line.contains(known), "{line}");
    }
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn hand_overs_without_intake_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = motcua(dir.path())
        .args(["bench", "--quick", "--scenarios", "transitions"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(last_error(&output).contains("intake"), "{output:?}");
}

#[test]
fn zero_seconds_and_an_unknown_scale_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = motcua(dir.path())
        .args(["bench", "--seconds", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(last_error(&output).contains("--seconds"), "{output:?}");

    let output = motcua(dir.path())
        .args(["bench", "--scale", "country"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("small") && text.contains("province"),
        "{text}"
    );
}

#[test]
fn a_database_that_holds_data_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kept.db");
    let url = format!("sqlite://{}", db.display());
    let migrated = motcua(dir.path())
        .args(["--database-url", &url, "migrate"])
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    let before = std::fs::read(&db).unwrap();

    let output = motcua(dir.path())
        .args(["--database-url", &url, "bench", "--quick"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let line = last_error(&output);
    assert!(line.contains("is not empty"), "{line}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database changed");
}

/// The whole path on SQLite: the province loaded, the server started, each scenario's requests
/// answered as expected; the JSON tells what was measured.
#[test]
fn a_quick_run_measures_each_scenario_on_the_real_server() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let output = motcua(dir.path())
        .env("TMPDIR", scratch.path())
        .args([
            "bench",
            "--quick",
            "--seconds",
            "1",
            "--scenarios",
            "intake,transitions,lookup,queue,bieu06,mixed",
            "--json",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["backend"], "SQLite");
    assert_eq!(report["quick"], true);
    // 2,000 generated dossiers on top of the demo's.
    assert!(report["dossiers"].as_u64().unwrap() > 2_000, "{report}");
    let figures = report["figures"].as_array().unwrap();
    for scenario in [
        "intake",
        "transitions",
        "lookup",
        "queue",
        "bieu06",
        "mixed",
    ] {
        let of: Vec<_> = figures
            .iter()
            .filter(|f| f["scenario"] == scenario)
            .collect();
        assert!(!of.is_empty(), "no figure for {scenario}");
        for f in of {
            assert!(f["requests"].as_u64().unwrap() > 0, "{f}");
            assert_eq!(f["errors"], 0, "{f}");
            assert!(f["p99_ms"].as_f64().unwrap() >= f["p50_ms"].as_f64().unwrap());
        }
    }
    // Quick figures prove nothing, and say so rather than pass a budget.
    for budget in figures.iter().filter_map(|f| f["budget"].as_object()) {
        assert_eq!(budget["verdict"], "not judged: quick", "{budget:?}");
    }
    let memory = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["what"].as_str().unwrap().contains("own"))
        .expect("the server's own memory");
    assert!(
        memory["value"].as_str().unwrap().ends_with(" MB"),
        "{memory}"
    );
    // The scratch folder, its database with it, went with the run.
    assert!(
        listing(scratch.path()).is_empty(),
        "{:?}",
        listing(scratch.path())
    );
}
