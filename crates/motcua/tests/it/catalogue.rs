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

/// The sample with the fields it leaves out filled in, as far as a database without agencies
/// allows.
fn richer_sample() -> motcua_domain::catalogue::Catalogue {
    use motcua_domain::catalogue::StepAction;
    let mut c: motcua_domain::catalogue::Catalogue = serde_json::from_str(SAMPLE).unwrap();
    let p = &mut c.procedures[0];
    p.publication.law_effective = "2025-07-01".into();
    p.offered_by = vec!["commune".into()];
    p.workflow[0].actions = vec![StepAction::Receive, StepAction::HandOver];
    p.keywords = vec!["giấy khai sinh".into(), "khai sinh; cấp bản sao".into()];
    c
}

#[test]
fn a_catalogue_round_trips_through_xlsx_into_a_fresh_database() {
    let first = setup();
    let json = serde_json::to_string_pretty(&richer_sample()).unwrap();
    std::fs::write(first.path().join("in.json"), json).unwrap();
    for args in [
        &["catalogue", "import", "in.json"][..],
        &["catalogue", "export", "first.json", "--date", "2026-01-01"],
        &["catalogue", "export", "out.xlsx", "--date", "2026-01-01"],
    ] {
        let output = motcua(first.path()).args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
    }
    let workbook = std::fs::read(first.path().join("out.xlsx")).unwrap();
    assert!(workbook.starts_with(b"PK"), "an XLSX file is a zip archive");

    let second = setup();
    std::fs::write(second.path().join("in.xlsx"), &workbook).unwrap();
    let imported = motcua(second.path())
        .args(["catalogue", "import", "in.xlsx"])
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    assert!(String::from_utf8_lossy(&imported.stdout).contains("2 lĩnh vực, 3 thủ tục"));
    let exported = motcua(second.path())
        .args(["catalogue", "export", "--date", "2026-01-01"])
        .output()
        .unwrap();
    let back: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    let before: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.path().join("first.json")).unwrap())
            .unwrap();
    assert_eq!(
        back, before,
        "JSON → XLSX → a fresh database gives the same catalogue"
    );
    let birth = back["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "MS.HT.001")
        .unwrap();
    assert_eq!(birth["keywords"][1], "khai sinh; cấp bản sao", "{birth:#}");
    assert_eq!(birth["workflow"][0]["actions"][1], "hand_over");
    assert_eq!(birth["publication"]["law_effective"], "2025-07-01");
}

#[test]
fn a_bad_workbook_lists_each_problem_at_its_cell_and_imports_nothing() {
    let dir = setup();
    let mut c = richer_sample();
    c.procedures[1].sector = "ZZ".into();
    c.procedures[2].methods[0].fee = -5000;
    c.procedures[2].workflow[0].role = "boss".into();
    let bytes = motcua_render::catalogue_xlsx::write(&c).unwrap();
    std::fs::write(dir.path().join("bad.xlsx"), bytes).unwrap();
    let output = motcua(dir.path())
        .args(["catalogue", "import", "bad.xlsx"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let lines = stderr_lines(&output);
    for expected in [
        "Thủ tục, dòng 3, cột C (Mã lĩnh vực): không có lĩnh vực “ZZ”",
        "Cách thực hiện, dòng 4, cột E (Phí, lệ phí): phí, lệ phí không thể âm (-5000)",
        "Quy trình nội bộ, dòng 10, cột E (Vai trò): không có vai trò “boss”",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} missing from {lines:#?}"
        );
    }
    assert!(lines.last().unwrap().contains("nothing was imported"));
    let export = motcua(dir.path())
        .args(["catalogue", "export", "--date", "2026-01-01"])
        .output()
        .unwrap();
    let export: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(export["sectors"].as_array().unwrap().len(), 0);

    std::fs::write(dir.path().join("broken.xlsx"), "not a workbook").unwrap();
    let output = motcua(dir.path())
        .args(["catalogue", "import", "broken.xlsx"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_lines(&output)[0].starts_with("tệp: không đọc được tệp XLSX"),
        "{output:?}"
    );
}

#[test]
fn the_template_is_an_empty_workbook_with_its_instructions() {
    let dir = setup();
    let output = motcua(dir.path())
        .args(["catalogue", "template", "mau.xlsx"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Hướng dẫn"));
    let parsed =
        motcua_render::catalogue_xlsx::read(&std::fs::read(dir.path().join("mau.xlsx")).unwrap())
            .unwrap();
    assert!(parsed.catalogue.procedures.is_empty());
    let output = motcua(dir.path())
        .args(["catalogue", "template", "mau.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!dir.path().join("mau.json").exists());
}
