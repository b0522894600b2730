//! The calendar's surfaces: the API, the pages and the command line.

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{TestApp, listing, motcua, stderr_lines};

on_both_backends!(
    the_api_gives_the_worked_example,
    the_api_names_every_bad_parameter,
    the_api_uses_an_agencys_office_hours,
    the_api_lists_a_years_days_off,
    the_api_refuses_years_outside_the_calendar,
    the_calculator_page_computes_without_javascript,
    the_calculator_page_keeps_bad_input_and_explains,
    the_public_calendar_page_shows_the_year,
);

async fn json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.get(path).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn the_api_gives_the_worked_example(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = json(
        &app,
        "/api/v1/calendar/due?received=2026-04-29T16:00&amount=3",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["due"], "2026-05-06T17:00:00+07:00");
    assert_eq!(body["due_display"], "06/05/2026 17:00");
    assert_eq!(body["due_weekday"], "Thứ Tư");
    assert_eq!(body["first_day"], "2026-05-04");
    assert_eq!(body["moved"], "after_cutoff");
    assert_eq!(body["official_calendar"], true);
    let (_, hours) = json(
        &app,
        "/api/v1/calendar/due?received=2026-03-02%2014:00&unit=working_hours&amount=8",
    )
    .await;
    assert_eq!(hours["due_display"], "03/03/2026 14:30");
    let (_, same) = json(
        &app,
        "/api/v1/calendar/due?received=2026-02-13T15:30&unit=same_day",
    )
    .await;
    assert_eq!(same["due_display"], "23/02/2026 17:00");
    let (_, provisional) = json(
        &app,
        "/api/v1/calendar/due?received=2026-12-30T09:00&amount=2",
    )
    .await;
    assert_eq!(provisional["due_display"], "04/01/2027 17:00");
    assert_eq!(provisional["official_calendar"], false);
}

async fn the_api_names_every_bad_parameter(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app
        .get("/api/v1/calendar/due?received=2026-02-30T10:00&amount=-1&count_receipt_day=perhaps")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["received", "amount", "count_receipt_day"]);
    for (query, field) in [
        ("amount=3", "received"),
        ("received=2026-03-02T09:00", "amount"),
        ("received=2026-03-02T09:00&amount=0", "amount"),
        ("received=2026-03-02T09:00&amount=5000", "amount"),
        (
            "received=2026-03-02T09:00&amount=1.5&unit=calendar_days",
            "amount",
        ),
        ("received=2026-03-02T09:00&amount=3&unit=fortnights", "unit"),
        ("received=2199-03-02T09:00&amount=3", "received"),
    ] {
        let (status, body) = json(&app, &format!("/api/v1/calendar/due?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
        assert!(!body["errors"][0]["reason"].as_str().unwrap().is_empty());
    }
}

async fn the_api_uses_an_agencys_office_hours(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, body) = json(
        &app,
        "/api/v1/calendar/due?received=2026-04-29T16:00&amount=3&agency=H56.12",
    )
    .await;
    assert_eq!(body["due_display"], "06/05/2026 16:30");
    assert_eq!(body["office_hours"], "07:00–11:30, 13:00–16:30");
    let (status, body) = json(
        &app,
        "/api/v1/calendar/due?received=2026-04-29T16:00&amount=3&agency=X99",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "agency");
}

async fn the_api_lists_a_years_days_off(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = json(&app, "/api/v1/calendar/years/2026").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["lunar_year"], "Bính Ngọ");
    assert_eq!(body["tet"], "2026-02-17");
    assert_eq!(body["official"], true);
    assert_eq!(body["working_day_count"], 250);
    let days: Vec<&str> = body["days_off"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert!(days.contains(&"2026-01-02"));
    assert!(days.contains(&"2026-08-31"));
    let make_up: Vec<&str> = body["working_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(make_up, ["2026-01-10", "2026-08-22"]);
    let swap = body["days_off"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2026-01-02")
        .unwrap();
    assert_eq!(swap["kind"], "swap");
    assert_eq!(swap["basis"], "Văn bản số 12729/VPCP-KGVX ngày 25/12/2025");
    let (_, later) = json(&app, "/api/v1/calendar/years/2027").await;
    assert_eq!(later["official"], false);
    assert_eq!(later["tet"], "2027-02-06");
}

async fn the_api_refuses_years_outside_the_calendar(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = json(&app, "/api/v1/calendar/years/2300").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["type"], "urn:motcua:problem:not-found");
    let (status, body) = json(&app, "/api/v1/calendar/years/hai-nghin").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "year");
}

async fn the_calculator_page_computes_without_javascript(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff(
        "motcua",
        "sông Hồng chảy về biển",
        Some("desk_officer"),
        false,
    )
    .await;
    let cookie = app.sign_in("motcua", "sông Hồng chảy về biển").await;
    let blank = app.get_as(&cookie, "/can-bo/tinh-ngay-hen-tra").await;
    assert_eq!(blank.status(), StatusCode::OK);
    assert!(!blank.text().await.unwrap().contains("id=\"due\""));
    let response = app
        .get_as(&cookie, "/can-bo/tinh-ngay-hen-tra?date=29%2F04%2F2026&time=16%3A00&amount=3&unit=working_days&agency=")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("Thứ Tư, 06/05/2026 lúc 17:00"), "{html}");
    assert!(html.contains("ngày đầu tiên được tính: 04/05/2026"));
}

async fn the_calculator_page_keeps_bad_input_and_explains(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff(
        "motcua",
        "sông Hồng chảy về biển",
        Some("desk_officer"),
        false,
    )
    .await;
    let cookie = app.sign_in("motcua", "sông Hồng chảy về biển").await;
    let response = app
        .get_as(&cookie, "/can-bo/tinh-ngay-hen-tra?date=31%2F04%2F2026&time=9h&amount=m%E1%BB%99t&unit=working_days")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Ngày “31/04/2026” không hợp lệ"), "{html}");
    assert!(html.contains("“một” không phải là một con số"), "{html}");
    assert!(html.contains("value=\"31/04/2026\""));
    assert!(html.contains("value=\"một\""));
    assert!(!html.contains("id=\"due\""));
}

async fn the_public_calendar_page_shows_the_year(backend: Backend) {
    let app = TestApp::start(backend).await;
    let html = app.get("/lich-nghi-le/2025").await.text().await.unwrap();
    assert!(html.contains("Lịch nghỉ lễ, Tết năm 2025"));
    assert!(html.contains("Ất Tỵ"));
    assert!(html.contains("Thông báo số 6150/TB-BLĐTBXH"));
    assert!(html.contains("26/04/2025"));
    let later = app.get("/lich-nghi-le/2031").await.text().await.unwrap();
    assert!(later.contains("chưa được công bố"));
    assert_eq!(
        app.get("/lich-nghi-le/2400").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/lich-nghi-le/abc").await.status(),
        StatusCode::NOT_FOUND
    );
    let this_year = app.get("/lich-nghi-le").await;
    assert_eq!(this_year.status(), StatusCode::OK);
}

fn run(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    motcua(dir.path()).args(args).output().unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn due_prints_the_appointment_first() {
    let output = run(&[
        "due",
        "--received",
        "2026-04-29 16:00",
        "--working-days",
        "3",
    ]);
    assert!(output.status.success(), "{output:?}");
    let out = stdout(&output);
    assert_eq!(out.lines().next(), Some("06/05/2026 17:00"));
    assert!(out.contains("Thứ Tư"));
    for (args, first) in [
        (&["--hours", "4"][..], "02/03/2026 14:00"),
        (&["--same-day"][..], "02/03/2026 17:00"),
        (&["--calendar-days", "12"][..], "16/03/2026 17:00"),
        (&["--months", "1"][..], "02/04/2026 17:00"),
        (&["--working-days", "0.5"][..], "03/03/2026 11:15"),
    ] {
        let mut all = vec!["due", "--received", "2026-03-02 08:00"];
        all.extend_from_slice(args);
        let out = stdout(&run(&all));
        assert_eq!(out.lines().next(), Some(first), "{args:?}");
    }
}

#[test]
fn due_as_json() {
    let output = run(&[
        "due",
        "--received",
        "2026-12-30 09:00",
        "--working-days",
        "2",
        "--json",
    ]);
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["due_vn"], "04/01/2027 17:00");
    assert_eq!(body["official_calendar"], false);
    let text = stdout(&run(&[
        "due",
        "--received",
        "2026-12-30 09:00",
        "--working-days",
        "2",
    ]));
    assert!(text.contains("chưa có lịch nghỉ chính thức"), "{text}");
}

#[test]
fn due_refuses_bad_input_in_one_line() {
    for (args, expected) in [
        (
            &["--received", "2026-02-30 10:00", "--working-days", "3"][..],
            "does not exist",
        ),
        (
            &["--received", "29/04/2026 16:00", "--working-days", "3"][..],
            "--received",
        ),
        (
            &["--received", "2026-04-29 16:00", "--working-days", "0"][..],
            "more than zero",
        ),
        (
            &["--received", "2026-04-29 16:00", "--working-days", "9999"][..],
            "ten years",
        ),
        (
            &["--received", "2026-04-29 16:00", "--calendar-days", "2.5"][..],
            "whole number",
        ),
        (
            &[
                "--received",
                "2026-04-29 16:00",
                "--hours",
                "4",
                "--agency",
                "X1",
            ][..],
            "--agency",
        ),
        (
            &["--received", "2026-04-29 16:00"][..],
            "required arguments",
        ),
        (
            &[
                "--received",
                "2026-04-29 16:00",
                "--same-day",
                "--hours",
                "2",
            ][..],
            "cannot be used with",
        ),
    ] {
        let mut all = vec!["due"];
        all.extend_from_slice(args);
        let output = run(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(expected), "{args:?}: {}", lines[0]);
    }
}

#[test]
fn lunar_both_ways() {
    let out = stdout(&run(&["lunar", "2026-02-17"]));
    assert_eq!(out.lines().next(), Some("1/1/2026"));
    assert!(out.contains("Bính Ngọ"));
    let out = stdout(&run(&["lunar", "2025-07-25"]));
    assert_eq!(out.lines().next(), Some("1/6/2025 nhuận"));
    let out = stdout(&run(&["lunar", "--to-solar", "1/6/2025", "--leap"]));
    assert_eq!(out.lines().next(), Some("25/07/2025"));
    let out = stdout(&run(&["lunar", "--to-solar", "10/3/2026"]));
    assert_eq!(out.lines().next(), Some("26/04/2026"));
    for args in [
        &["lunar", "--to-solar", "30/12/2024"][..],
        &["lunar", "--to-solar", "1/3/2025", "--leap"][..],
        &["lunar", "2026-13-01"][..],
        &["lunar", "2300-01-01"][..],
        &["lunar", "--to-solar", "tết"][..],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr_lines(&output).len(), 1, "{args:?}");
    }
}

#[test]
fn a_malformed_calendar_file_stops_the_server_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lich")).unwrap();
    std::fs::write(
        dir.path().join("lich/2027.toml"),
        "year = 2027\n[[day_off]]\ndate = 2027-02-30\nreason = \"Tết\"\nbasis = \"x\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("motcua.toml"),
        "[calendar]\ndir = \"lich\"\n",
    )
    .unwrap();
    let output = motcua(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("lich/2027.toml line 3"), "{}", lines[0]);
    assert!(lines[0].contains("fix or remove the file"), "{}", lines[0]);
    assert_eq!(listing(dir.path()), ["lich", "motcua.toml"]);
}

#[test]
fn a_local_calendar_file_overrides_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lich")).unwrap();
    // A province that learns of a day off on Monday 4 January 2027.
    std::fs::write(
        dir.path().join("lich/2027.toml"),
        "year = 2027\n[[day_off]]\ndate = 2027-01-01\nreason = \"Tết Dương lịch\"\nbasis = \"BLLĐ\"\n\
         [[day_off]]\ndate = 2027-01-04\nkind = \"swap\"\nreason = \"Hoán đổi\"\nbasis = \"Giả định\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("motcua.toml"),
        "[calendar]\ndir = \"lich\"\n",
    )
    .unwrap();
    let output = motcua(dir.path())
        .args([
            "due",
            "--received",
            "2026-12-31 09:00",
            "--working-days",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output).lines().next(),
        Some("05/01/2027 17:00"),
        "{output:?}"
    );
}

/// An administrator's saved year (in the database) is used by the command line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_calendar_year_is_used() {
    use motcua_calendar::{Date, DayKind, SpecialDay, YearData, year::Source};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let db = motcua_store::Db::connect(&url, &Default::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let year = YearData {
        year: 2027,
        source: Source::Official {
            name: "quản trị viên".into(),
        },
        days_off: vec![SpecialDay {
            date: Date::from_ymd(2027, 1, 4).unwrap(),
            kind: DayKind::Swap,
            reason: "Hoán đổi".into(),
            basis: "Giả định".into(),
        }],
        working_days: vec![],
    };
    let mut tx = db.begin().await.unwrap();
    tx.save_calendar_year(2027, &serde_json::to_string(&year).unwrap(), "thử", "admin")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
    let output = motcua(dir.path())
        .args([
            "--database-url",
            &url,
            "due",
            "--received",
            "2026-12-31 09:00",
            "--working-days",
            "1",
        ])
        .output()
        .unwrap();
    // The saved year replaces 2027 whole: 1 January is no longer off, 4 January is.
    assert_eq!(
        stdout(&output).lines().next(),
        Some("01/01/2027 17:00"),
        "{output:?}"
    );
}
