//! The public catalogue: search with and without diacritics, codes, typos, junk, facets, and a
//! procedure's page.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::TestApp;

const SAMPLE: &str = include_str!("../../../domain/tests/data/catalogue_sample.json");

on_both_backends!(
    searching_the_catalogue,
    a_procedure_page_says_what_to_bring,
    an_import_elsewhere_reaches_the_search,
);

async fn with_catalogue(backend: Backend) -> TestApp {
    let app = TestApp::start(backend).await;
    motcua_web::catalogue::import(&app.db, SAMPLE, "test", "2026-01-01", None)
        .await
        .unwrap();
    app
}

/// The procedures listed, in order, by their codes.
async fn found(app: &TestApp, query: &str) -> Vec<String> {
    let url = format!("/thu-tuc?q={}", query.replace(' ', "+"));
    let html = app.get(&url).await.text().await.unwrap();
    html.split("<a href=\"/thu-tuc/")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

async fn searching_the_catalogue(backend: Backend) {
    let app = with_catalogue(backend).await;
    assert_eq!(found(&app, "dang ky khai sinh").await, ["MS.HT.001"]);
    assert_eq!(
        found(&app, "đăng ký khai sinh").await,
        found(&app, "dang ky khai sinh").await
    );
    assert_eq!(
        found(&app, "MS.HT.002").await[0],
        "MS.HT.002",
        "an exact code comes first"
    );
    assert_eq!(
        found(&app, "chung thuc ban saoo").await,
        ["MS.CT.001"],
        "one wrong letter"
    );
    assert_eq!(found(&app, "sao y").await, ["MS.CT.001"], "keywords");
    assert_eq!(found(&app, "").await.len(), 3);
    for junk in ["%22khai+sinh%22+OR+*", "-khai+sinh", "khai+AND+sinh+qqqzzz"] {
        let response = app.get(&format!("/thu-tuc?q={junk}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{junk}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("/thu-tuc/MS.HT.001"),
            "{junk}"
        );
    }
    let html = app
        .get("/thu-tuc?q=khai+sinh+qqqzzz")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("đã bỏ qua: qqqzzz"));
    let huge = "khai+".repeat(5000);
    assert_eq!(
        app.get(&format!("/thu-tuc?q={huge}")).await.status(),
        StatusCode::OK
    );
    // Facets: counted over the words' matches, narrowing when chosen.
    let html = app.get("/thu-tuc?q=dang+ky").await.text().await.unwrap();
    assert!(
        html.contains("Hộ tịch</a> <span class=\"muted\">(2)</span>"),
        "{html}"
    );
    let narrowed = app
        .get("/thu-tuc?q=dang+ky&truc-tuyen=toan-trinh")
        .await
        .text()
        .await
        .unwrap();
    assert!(narrowed.contains("/thu-tuc/MS.HT.001") && !narrowed.contains("/thu-tuc/MS.HT.002"));
    let by_sector = app.get("/thu-tuc?linh-vuc=CT").await.text().await.unwrap();
    assert!(by_sector.contains("/thu-tuc/MS.CT.001") && !by_sector.contains("/thu-tuc/MS.HT.001"));
    // By agency: every sample procedure is a commune committee's.
    assert!(
        html.contains("href=\"/thu-tuc?q=dang%20ky&#38;co-quan=commune\">Ủy ban nhân dân cấp xã</a> <span class=\"muted\">(2)</span>"),
        "{html}"
    );
    assert_eq!(found(&app, "dang ky&co-quan=commune").await.len(), 2);
    let elsewhere = app
        .get("/thu-tuc?q=dang+ky&co-quan=H56.99")
        .await
        .text()
        .await
        .unwrap();
    assert!(elsewhere.contains("id=\"no-results\"") && elsewhere.contains("(đang lọc)"));
}

async fn a_procedure_page_says_what_to_bring(backend: Backend) {
    let app = with_catalogue(backend).await;
    let page = app.get("/thu-tuc/MS.CT.001").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for expected in [
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Trong ngày",
        "2.000 đồng",
        "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao",
        "Trường hợp người yêu cầu tự mang bản sao",
        "Nghị định số 23/2015/NĐ-CP",
        "Ủy ban nhân dân cấp xã nơi cư trú",
        "Dịch vụ công trực tuyến toàn trình",
        "ngày 20/07/2025",
        "(phiên bản 1)",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    let birth = app.get("/thu-tuc/MS.HT.001").await.text().await.unwrap();
    assert!(birth.contains("3 ngày làm việc") && birth.contains("Không thu"));
    // The expected appointment if received now: three working days on, by the calendar.
    assert!(
        birth.contains("ngày hẹn trả kết quả dự kiến là <strong>"),
        "{birth}"
    );
    let now = motcua_calendar::Instant(motcua_store::migrate::now_micros());
    let time = crate::support::test_working_time().current();
    let due = time
        .rules(None)
        .unwrap()
        .appointment(
            now,
            motcua_calendar::Duration::working_days(3),
            motcua_calendar::Policy::default(),
        )
        .unwrap()
        .due
        .local_date()
        .vn();
    assert!(birth.contains(&due), "{due} not in the page");
    assert_eq!(
        app.get("/thu-tuc/KHONG.CO").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Another process's import (here: a write to the database behind the server's back) is found by
/// the search once the loaded catalogue is rechecked, without a restart.
async fn an_import_elsewhere_reaches_the_search(backend: Backend) {
    let app = with_catalogue(backend).await;
    assert_eq!(found(&app, "").await.len(), 3);
    let mut catalogue: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    let procedures = catalogue["procedures"].as_array_mut().unwrap();
    let mut added = procedures[0].clone();
    added["code"] = "MS.HT.099".into();
    added["name"] = "Đăng ký khai sinh lưu động".into();
    procedures.push(added);
    motcua_web::catalogue::import(&app.db, &catalogue.to_string(), "test", "2026-01-01", None)
        .await
        .unwrap();
    let waited = std::time::Instant::now();
    while found(&app, "").await.len() == 3 {
        assert!(
            waited.elapsed() < motcua_web::catalogue::RECHECK * 5,
            "the new procedure never reached the search"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        found(&app, "khai sinh luu dong")
            .await
            .contains(&"MS.HT.099".to_string())
    );
}
