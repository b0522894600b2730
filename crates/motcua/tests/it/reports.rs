//! Biểu 06 over HTTP: the thirteen columns from real dossiers, the invariants on every line, a
//! later window carrying over what was open, the exports, and bad periods and scopes answered
//! with problems naming the field.

use std::io::Cursor;
use std::process::Command;

use calamine::{Reader, Xlsx};
use std::collections::BTreeMap;

use motcua_domain::catalogue::Level;
use motcua_domain::report::{Bieu06, LevelOrder, Period, RowSums};
use motcua_store::{Backend, Db, ReportScope};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{Province, application};
use crate::on_both_backends;

on_both_backends!(
    bieu06_counts_the_dossiers_of_the_period,
    the_late_list_says_where_the_time_was_lost
);

fn today() -> motcua_calendar::Date {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    motcua_calendar::Instant(now).local_date()
}

/// The grand total line of a report answered as JSON.
fn total(report: &Value) -> &Value {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == "TỔNG CỘNG")
        .expect("a grand total")
}

fn check_invariants(report: &Value) {
    for l in report["lines"].as_array().unwrap() {
        let n = |k: &str| l[k].as_u64().unwrap();
        assert_eq!(
            n("received"),
            n("online") + n("counter_post") + n("carried"),
            "{l}"
        );
        assert_eq!(n("received"), n("resolved") + n("in_progress"), "{l}");
        assert_eq!(n("resolved"), n("early") + n("on_time") + n("late"), "{l}");
        assert_eq!(n("in_progress"), n("within_time") + n("overdue"), "{l}");
    }
}

/// Biểu 06 from the report counters equals Biểu 06 tallied from every dossier's facts, for the
/// whole province and for each deciding agency, over official periods and odd windows.
pub async fn counters_agree(db: &Db) {
    let facts = db.report_facts().await.unwrap();
    assert!(!facts.is_empty());
    let now = motcua_calendar::Instant::from_local(today(), 0).0 + 10 * 3_600_000_000;
    let year = today().year();
    let mut periods = vec![
        Period::year(year).unwrap(),
        Period::year(year - 1).unwrap(),
        Period::month(year, today().ymd().1).unwrap(),
        Period::window(today().add_days(-100), today().add_days(-37)).unwrap(),
        Period::window(today().add_days(-3), today().add_days(3)).unwrap(),
    ];
    for q in 1..=4 {
        periods.push(Period::quarter(year, q).unwrap());
    }
    let mut agencies: Vec<Option<i64>> = facts.iter().map(|(a, _)| Some(*a)).collect();
    agencies.sort();
    agencies.dedup();
    agencies.push(None);
    for agency in agencies {
        let scope = ReportScope {
            deciding_agency: agency,
            ..ReportScope::default()
        };
        for &period in &periods {
            let mut rows: BTreeMap<(LevelOrder, String), RowSums> = BTreeMap::new();
            for ((_, sector, level), sums) in db.row_sums(period, now, &scope).await.unwrap() {
                let level = LevelOrder::of(Level::from_code(&level).unwrap());
                rows.entry((level, sector)).or_default().add(&sums);
            }
            let summed = Bieu06::from_sums(
                period,
                rows.into_iter().map(|((l, s), r)| ((l.level(), s), r)),
            );
            let tallied = Bieu06::tally(
                period,
                facts
                    .iter()
                    .filter(|(a, _)| agency.is_none_or(|x| x == *a))
                    .map(|(_, f)| f),
                now,
            );
            assert!(summed.check().is_ok(), "{period:?} {agency:?}");
            assert_eq!(summed, tallied, "{period:?} {agency:?}");
        }
    }
}

async fn bieu06_counts_the_dossiers_of_the_period(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    let leader = p.cookie("lanhdao").await;
    let citizen = p.cookie("0912345678").await;
    let components = ["Tờ khai đăng ký khai sinh"];

    // Two at the counter, one online; one of the counter ones decided the same day. The first
    // is received with its document scanned: digitised.
    let scan = p
        .app
        .client
        .post(p.app.url("/api/v1/files"))
        .header("origin", &p.app.base)
        .header("cookie", &desk)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4\n% to khai da quet\n".to_vec())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let mut codes = Vec::new();
    for i in 0..2 {
        let mut scanned = application(&components);
        if i == 0 {
            scanned["components"][0]["files"] = json!([scan["sha256"]]);
        }
        let body = json!({"action": "receive", "channel": "counter", "application": scanned});
        let (status, d) = p
            .post(&desk, "/api/v1/dossiers", &body.to_string(), None)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    let mut online = application(&components);
    online["desk_agency"] = json!("H99.31");
    let (_, d) = p
        .post(
            &citizen,
            "/api/v1/dossiers",
            &json!({"action": "submit", "application": online}).to_string(),
            None,
        )
        .await;
    let online_code = d["code"].as_str().unwrap().to_string();
    let (status, d) = p
        .act(&desk, &online_code, "receive", json!({"version": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    // Refused at the counter: never received, never counted.
    let body = json!({"action": "refuse", "application": application(&components), "reasons": "Không thuộc thẩm quyền"});
    p.post(&desk, "/api/v1/dossiers", &body.to_string(), None)
        .await;
    let decided = &codes[0];
    p.act(&desk, decided, "hand-over", json!({"version": 2}))
        .await;
    p.act(&officer, decided, "hand-over", json!({"version": 3}))
        .await;
    let (status, d) = p
        .act(
            &leader,
            decided,
            "complete",
            json!({"version": 4, "result": "Giấy khai sinh"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");

    let day = today();
    let window = format!("/api/v1/reports/bieu-06?period=window&from={day}&to={day}");
    let (status, report) = p.get(&leader, &window).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    check_invariants(&report);
    let t = total(&report);
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(
        [
            n("received"),
            n("online"),
            n("counter_post"),
            n("carried"),
            n("resolved"),
            n("in_progress"),
            n("within_time")
        ],
        [3, 1, 2, 0, 1, 2, 2],
        "{report}"
    );
    assert_eq!(n("early") + n("on_time"), 1, "{report}");
    // One of the three received was digitised: a third of the 80% target's 4 points.
    let digitised = &report["indicators"][2];
    assert_eq!(digitised["name"], "Số hóa hồ sơ", "{report}");
    assert!(
        (digitised["ratio"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-6,
        "{report}"
    );
    assert!(
        (digitised["points"].as_f64().unwrap() - 5.0 / 3.0).abs() < 1e-6,
        "{report}"
    );
    let labels: Vec<&str> = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels[0], "CẤP XÃ", "{labels:?}");

    // The same day by the desk that received them and by administrative unit: the ward, or the
    // province above it.
    for scope in [
        "desk=H99.31",
        "unit=99101",
        "unit=99",
        "agency=H99.31&desk=H99.31&unit=99101",
    ] {
        let (status, narrowed) = p.get(&leader, &format!("{window}&{scope}")).await;
        assert_eq!(status, StatusCode::OK, "{scope}: {narrowed}");
        assert_eq!(total(&narrowed)["received"], 3, "{scope}: {narrowed}");
    }
    let (_, ward) = p.get(&leader, &format!("{window}&unit=99101")).await;
    assert!(
        ward["scope"].as_str().unwrap().contains("Phường Minh Sơn"),
        "{ward}"
    );

    // A window starting tomorrow carries over the two still open, and not the decided one.
    let tomorrow = day.add_days(1);
    let (_, later) = p
        .get(
            &leader,
            &format!(
                "/api/v1/reports/bieu-06?period=window&from={tomorrow}&to={}",
                tomorrow.add_days(30)
            ),
        )
        .await;
    check_invariants(&later);
    let t = total(&later);
    assert_eq!(
        (t["received"].as_u64(), t["carried"].as_u64()),
        (Some(2), Some(2)),
        "{later}"
    );

    // An official quarter answers too, with its days.
    let (status, q) = p
        .get(
            &leader,
            &format!(
                "/api/v1/reports/bieu-06?period=quarter&year={}&number=1",
                day.year()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{q}");
    assert_eq!(
        q["from"].as_str(),
        Some(format!("{}-12-15", day.year() - 1).as_str())
    );

    // The exports.
    let response = p
        .app
        .get_as(&leader, &format!("{window}&format=xlsx"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(response.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "TỔNG CỘNG"));
    assert!(cells.iter().any(|c| c == "Từ kỳ trước chuyển qua"));
    let csv = libreoffice_reads(
        &p.app
            .get_as(&leader, &format!("{window}&format=xlsx"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert!(csv.contains("TỔNG CỘNG,3,1,2,0,1"), "{csv}");
    let response = p.app.get_as(&leader, &format!("{window}&format=pdf")).await;
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bieu06.pdf");
    std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("TỔNG HỢP TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        "{text}"
    );

    // Bad periods and scopes: problems naming the field, never a wrong table.
    for (query, field) in [
        ("period=quarter&year=2026", "number"),
        ("period=quarter&year=2026&number=5", "number"),
        ("period=decade&year=2026", "period"),
        ("period=window&from=2026-03-02&to=2026-03-01", "to"),
        ("period=window&from=02/03/2026&to=2026-03-05", "from"),
        ("period=month&year=2026&number=1&format=docx", "format"),
        ("period=month&year=2026&number=1&agency=H99.32", "agency"),
        ("period=month&year=2026&number=1&desk=H99.32", "desk"),
        ("period=month&year=2026&number=1&unit=99102", "unit"),
        ("period=month&year=2026&number=1&unit=12345", "unit"),
    ] {
        let (status, problem) = p
            .get(&leader, &format!("/api/v1/reports/bieu-06?{query}"))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {problem}"
        );
        assert_eq!(
            problem["errors"][0]["field"].as_str(),
            Some(field),
            "{query}: {problem}"
        );
    }
    // A desk officer does not read reports; an applicant neither.
    let (status, _) = p.get(&desk, &window).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = p.get(&citizen, &window).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The page: the table, and a bad period answered on it in Vietnamese.
    let page = p
        .app
        .get_as(
            &leader,
            &format!("/can-bo/bao-cao?ky=window&tu={0}&den={0}", day.vn()),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"bieu06\""), "{page}");
    assert!(page.contains("TỔNG CỘNG"));
    // One resolved, early or on time: progress scores its 20 points, with its formula beside it.
    assert!(page.contains("((8) + (9)) / (7) × 20 điểm"), "{page}");
    assert!(page.contains("20,0/20 điểm"), "{page}");
    let response = p
        .app
        .get_as(&leader, "/can-bo/bao-cao?ky=quarter&so=7&nam=2026")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Kỳ 7 không có"));
    dashboard_shows_the_same_figures(&p, &leader, &desk).await;
    counters_agree(&p.app.db).await;
}

/// The first sheet of a workbook as LibreOffice reads it (CSV): proof that the file is valid
/// for a real spreadsheet program, not only for the library that wrote it.
pub fn libreoffice_reads(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("profile").display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
        ])
        .arg("--outdir")
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("LibreOffice (soffice) is installed");
    std::fs::read_to_string(dir.path().join("book.csv"))
        .unwrap_or_else(|e| panic!("LibreOffice could not read the workbook: {e}; {out:?}"))
}

/// The names of the parts of a zip file (an XLSX), from its central directory.
fn zip_parts(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 46 <= bytes.len() {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            out.push(String::from_utf8_lossy(&bytes[i + 46..i + 46 + len]).into_owned());
            i += 46 + len;
        } else {
            i += 1;
        }
    }
    out
}

/// The dashboard and the public page over today: the figures of Biểu 06 above (three received,
/// one resolved on time, none overdue), SVG charts, a workbook with native charts, a PDF.
async fn dashboard_shows_the_same_figures(p: &Province, leader: &str, desk: &str) {
    let day = today().vn();
    let query = format!("ky=window&tu={day}&den={day}");
    let page = p
        .app
        .get_as(leader, &format!("/can-bo/bao-cao/tong-quan?{query}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for wanted in [
        "id=\"figure-received\">3<",
        "id=\"figure-resolved\">1<",
        "id=\"figure-on-time\">100%<",
        "id=\"figure-online\">33,3%<",
        "id=\"figure-overdue\">0<",
        "<svg",
        "Tỷ lệ giải quyết trước hạn, đúng hạn theo cơ quan",
        "100% · 1 hồ sơ",
    ] {
        assert!(page.contains(wanted), "{wanted}: {page}");
    }
    let response = p
        .app
        .get_as(desk, &format!("/can-bo/bao-cao/tong-quan?{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The public page needs no sign-in and shows the whole province.
    let public = p.app.get(&format!("/cong-khai?{query}")).await;
    assert_eq!(public.status(), StatusCode::OK);
    let public = public.text().await.unwrap();
    assert!(public.contains("id=\"figure-received\">3<"), "{public}");
    assert!(!public.contains("/can-bo/bao-cao/tre-han"), "{public}");
    let bad = p.app.get("/cong-khai?ky=quarter&so=7&nam=2026").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Kỳ 7 không có"));

    // The workbook: a native chart on each of its five sheets, and LibreOffice reads it.
    let xlsx = p
        .app
        .get_as(
            leader,
            &format!("/can-bo/bao-cao/tong-quan?{query}&dinh-dang=xlsx"),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let charts = zip_parts(&xlsx)
        .iter()
        .filter(|n| n.starts_with("xl/charts/chart"))
        .count();
    assert_eq!(charts, 5);
    let csv = libreoffice_reads(&xlsx);
    assert!(csv.contains("Tỷ lệ đúng hạn (%)"), "{csv}");
    assert!(csv.contains("Tổng cộng,3,1,1,0,100"), "{csv}");
    let pdf = p
        .app
        .get(&format!("/cong-khai?{query}&dinh-dang=pdf"))
        .await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
}

/// Moves a dossier's due date back (its row and its state alike), as if received long ago.
async fn set_due(p: &Province, code: &str, due: i64) {
    let row = p.app.db.dossier_by_code(code).await.unwrap().unwrap();
    let mut state: Value = serde_json::from_str(&row.state).unwrap();
    state["due"] = json!(due);
    let text = state.to_string().replace('\'', "''");
    p.app
        .db
        .execute_unchecked(&format!(
            "UPDATE dossiers SET due_at = {due}, state = '{text}' WHERE id = {}",
            row.id
        ))
        .await
        .unwrap();
}

async fn the_late_list_says_where_the_time_was_lost(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let leader = p.cookie("lanhdao").await;
    let components = ["Tờ khai đăng ký khai sinh"];
    let mut codes = Vec::new();
    for _ in 0..2 {
        let body = json!({"action": "receive", "channel": "counter", "application": application(&components)});
        let (_, d) = p
            .post(&desk, "/api/v1/dossiers", &body.to_string(), None)
            .await;
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    // The first is handed to the officer and left there, due ten days ago.
    p.act(
        &desk,
        &codes[0],
        "hand-over",
        json!({"version": 2, "to_user": "chuyenvien"}),
    )
    .await;
    let day = today();
    let ten_days_ago = motcua_calendar::Instant::from_local(day.add_days(-10), 17 * 60).0;
    set_due(&p, &codes[0], ten_days_ago).await;

    let query = format!("period=window&from={}&to={day}", day.add_days(-30));
    let (status, late) = p
        .get(&leader, &format!("/api/v1/reports/late?{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{late}");
    let lines = late.as_array().unwrap();
    assert_eq!(lines.len(), 1, "only the overdue one: {late}");
    let l = &lines[0];
    assert_eq!(l["code"].as_str(), Some(codes[0].as_str()));
    assert!(l["step"].as_str().unwrap().starts_with("Bước 2"), "{l}");
    assert_eq!(l["officer"].as_str(), Some("Người Thử"), "{l}");
    assert!(l["working_days_late"].as_i64().unwrap() >= 5, "{l}");
    assert_eq!(l["apology"].as_bool(), Some(false));
    assert!(l["finished"].is_null());

    // The same in Biểu 06: one overdue at the end of the window.
    let (_, report) = p
        .get(&leader, &format!("/api/v1/reports/bieu-06?{query}"))
        .await;
    assert_eq!(total(&report)["overdue"].as_u64(), Some(1), "{report}");

    // The files and the page.
    let response = p
        .app
        .get_as(
            &leader,
            &format!("/api/v1/reports/late?{query}&format=xlsx"),
        )
        .await;
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(response.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert!(sheet.rows().flatten().any(|c| c.to_string() == codes[0]));
    let response = p
        .app
        .get_as(&leader, &format!("/api/v1/reports/late?{query}&format=pdf"))
        .await;
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let page = p
        .app
        .get_as(
            &leader,
            &format!(
                "/can-bo/bao-cao/tre-han?ky=window&tu={}&den={}",
                day.add_days(-30).vn(),
                day.vn()
            ),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&codes[0]), "{page}");
    assert!(page.contains("id=\"late-count\">1<"), "{page}");
    let (status, _) = p.get(&desk, &format!("/api/v1/reports/late?{query}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    counters_agree(&p.app.db).await;
}
