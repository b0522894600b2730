//! The catalogue through the command line: import checks everything first, export gives it back.

use crate::support::{motcua, stderr_lines};

const SAMPLE: &str = include_str!("../../../domain/tests/data/catalogue_sample.json");

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("motcua.toml"), "demo = false\n").unwrap();
    dir
}

#[test]
fn a_catalogue_round_trips_through_json() {
    let dir = setup();
    std::fs::write(dir.path().join("in.json"), SAMPLE).unwrap();
    let imported = motcua(dir.path())
        .args(["catalogue", "import", "in.json"])
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    assert!(String::from_utf8_lossy(&imported.stdout).contains("2 lĩnh vực, 3 thủ tục"));
    let exported = motcua(dir.path())
        .args(["catalogue", "export", "out.json", "--date", "2026-01-01"])
        .output()
        .unwrap();
    assert!(exported.status.success(), "{exported:?}");
    // The export lists by name; compare both sides in code order.
    let sorted = |mut v: serde_json::Value| {
        for key in ["sectors", "procedures"] {
            v[key]
                .as_array_mut()
                .unwrap()
                .sort_by_key(|x| x["code"].as_str().unwrap().to_string());
        }
        v["note"] = serde_json::Value::Null;
        v
    };
    let original = sorted(serde_json::from_str(SAMPLE).unwrap());
    let written = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    let back = sorted(serde_json::from_str(&written).unwrap());
    assert_eq!(back, original, "the export is the import");
    // Before the publication date nothing was in force.
    let early = motcua(dir.path())
        .args(["catalogue", "export", "--date", "2025-07-19"])
        .output()
        .unwrap();
    let early: serde_json::Value = serde_json::from_slice(&early.stdout).unwrap();
    assert_eq!(early["procedures"].as_array().unwrap().len(), 0);
}

#[test]
fn a_bad_catalogue_lists_every_problem_and_imports_nothing() {
    let dir = setup();
    let bad = SAMPLE
        .replace("\"fee\": 0", "\"fee\": -5000")
        .replace("\"sector\": \"HT\"", "\"sector\": \"ZZ\"")
        .replace(
            "\"implementing_agency\": \"commune\"",
            "\"implementing_agency\": \"H98.01\"",
        )
        .replace("\"amount\": \"3\"", "\"amount\": \"ba\"");
    std::fs::write(dir.path().join("bad.json"), bad).unwrap();
    let output = motcua(dir.path())
        .args(["catalogue", "import", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let lines = stderr_lines(&output);
    for expected in [
        "procedures[0].sector: không có lĩnh vực “ZZ”",
        "procedures[0].implementing_agency: không có cơ quan mã “H98.01”",
        "procedures[0].methods[0].amount:",
        "procedures[0].methods[0].fee: phí, lệ phí không thể âm (-5000)",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "{expected} missing from {lines:#?}"
        );
    }
    assert!(lines.last().unwrap().contains("nothing was imported"));
    let export = motcua(dir.path())
        .args(["catalogue", "export", "--date", "2026-01-01"])
        .output()
        .unwrap();
    let export: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(
        export["sectors"].as_array().unwrap().len(),
        0,
        "not even the sectors were written"
    );
    std::fs::write(dir.path().join("broken.json"), "{\"format\": ").unwrap();
    let output = motcua(dir.path())
        .args(["catalogue", "import", "broken.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_lines(&output)[0].contains("is not a catalogue"));
}
