//! htmx answers: the work queue and a dossier's actions answer a fragment to a request with
//! `HX-Request` and the whole page to any other, at the same URL (`Vary: HX-Request`).

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::json;

use crate::dossiers::{Province, application};
use crate::on_both_backends;

on_both_backends!(
    the_queue_answers_its_results_alone_to_htmx,
    a_dossier_action_from_htmx_answers_the_dossier_region,
);

async fn received(p: &Province, key: &str) -> String {
    let cookie = p.cookie("motcua").await;
    let body = json!({"action": "receive", "channel": "counter", "application": application(&["Tờ khai đăng ký khai sinh"])})
        .to_string();
    let (status, d) = p.post(&cookie, "/api/v1/dossiers", &body, Some(key)).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// A GET as the browser of `cookie`, from htmx or not: the status, the headers and the body.
async fn get(
    p: &Province,
    cookie: &str,
    path: &str,
    htmx: bool,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = p.app.client.get(p.app.url(path)).header("cookie", cookie);
    if htmx {
        request = request.header("hx-request", "true");
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// A form POST as the browser of `cookie` sends it, from htmx or not.
async fn post(
    p: &Province,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    htmx: bool,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = p
        .app
        .client
        .post(p.app.url(path))
        .header("origin", &p.app.base)
        .header("cookie", cookie)
        .form(form);
    if htmx {
        request = request.header("hx-request", "true");
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

fn varies_on_htmx(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap_or("").contains("HX-Request"))
}

async fn the_queue_answers_its_results_alone_to_htmx(backend: Backend) {
    let p = Province::new(backend).await;
    let code = received(&p, "htmx-1").await;
    let officer = p.cookie("chuyenvien").await;

    // Without htmx: the whole page, the filter form and the results in it.
    let (status, headers, page) = get(&p, &officer, "/can-bo/ho-so?loc=dang-xu-ly", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(varies_on_htmx(&headers), "{headers:?}");
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains("id=\"queue-filter\""));
    assert!(page.contains("<div id=\"results\""));
    assert!(page.contains(&code));

    // From htmx: the results alone, nothing of the layout or the form.
    let (status, headers, fragment) = get(&p, &officer, "/can-bo/ho-so?loc=dang-xu-ly", true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(varies_on_htmx(&headers), "{headers:?}");
    assert!(
        fragment.trim_start().starts_with("<div id=\"results\""),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"), "{fragment}");
    assert!(!fragment.contains("queue-filter"), "{fragment}");
    assert!(fragment.contains(&code), "{fragment}");
    assert!(fragment.trim_end().ends_with("</div>"), "{fragment}");

    // The filter applies to the fragment: a dossier received today is not overdue, and a
    // stranger's identity number finds nothing.
    let (_, _, overdue) = get(&p, &officer, "/can-bo/ho-so?loc=qua-han", true).await;
    assert!(!overdue.contains(&code), "{overdue}");
    assert!(overdue.contains("Không có hồ sơ nào."), "{overdue}");
    let (_, _, own) = get(
        &p,
        &officer,
        "/can-bo/ho-so?loc=tat-ca&q=001199000123",
        true,
    )
    .await;
    assert!(own.contains(&code), "{own}");
    let (_, _, other) = get(
        &p,
        &officer,
        "/can-bo/ho-so?loc=tat-ca&q=001199999999",
        true,
    )
    .await;
    assert!(!other.contains(&code), "{other}");

    // A whole code typed opens the dossier (htmx redirects the browser); one that opens no
    // dossier says so in the results. Without htmx a code is a plain redirect.
    let (status, headers, _) = get(&p, &officer, &format!("/can-bo/ho-so?q={code}"), true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("hx-redirect").and_then(|v| v.to_str().ok()),
        Some(format!("/can-bo/ho-so/{code}").as_str())
    );
    let (status, headers, missing) =
        get(&p, &officer, "/can-bo/ho-so?q=H99.31-260101-99", true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("hx-redirect").is_none());
    assert!(
        missing.contains("Không tìm thấy hồ sơ có mã “H99.31-260101-99”."),
        "{missing}"
    );
    let (status, headers, _) = get(&p, &officer, &format!("/can-bo/ho-so?q={code}"), false).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/can-bo/ho-so/{code}").as_str())
    );

    // htmx restoring a page from its history wants the whole page.
    let response = p
        .app
        .client
        .get(p.app.url("/can-bo/ho-so"))
        .header("cookie", &officer)
        .header("hx-request", "true")
        .header("hx-history-restore-request", "true")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .text()
            .await
            .unwrap()
            .starts_with("<!doctype html>")
    );
}

async fn a_dossier_action_from_htmx_answers_the_dossier_region(backend: Backend) {
    let p = Province::new(backend).await;
    let code = received(&p, "htmx-2").await;
    let desk = p.cookie("motcua").await;
    let url = format!("/can-bo/ho-so/{code}");
    let action = format!("{url}/thao-tac");
    let (_, d) = p.get(&desk, &format!("/api/v1/dossiers/{code}")).await;
    let version = d["version"].as_i64().unwrap().to_string();

    // The page itself, whole or its region.
    let (_, headers, page) = get(&p, &desk, &url, false).await;
    assert!(varies_on_htmx(&headers));
    assert!(page.starts_with("<!doctype html>") && page.contains("<div id=\"dossier\">"));
    let (_, _, region) = get(&p, &desk, &url, true).await;
    assert!(
        region.trim_start().starts_with("<div id=\"dossier\">"),
        "{region}"
    );
    assert!(!region.contains("<html"));

    // A bad date: 422, the region alone, the message inside the action's form (open) with what
    // was typed kept; nothing written.
    let form = [
        ("action", "send_back"),
        ("version", version.as_str()),
        ("reason", "Thiếu chữ ký"),
        ("to_user", "không-có-ai"),
    ];
    let (status, _, refused) = post(&p, &desk, &action, &form, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.trim_start().starts_with("<div id=\"dossier\">"),
        "{refused}"
    );
    assert!(!refused.contains("<html"), "{refused}");
    assert!(refused.contains("id=\"error\""), "{refused}");

    let form = [
        ("action", "hand_over"),
        ("version", "không phải số"),
        ("note", "Ghi chú đã gõ"),
    ];
    let (status, _, refused) = post(&p, &desk, &action, &form, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(!refused.contains("<html"), "{refused}");
    let at = refused
        .find("id=\"action-error\"")
        .unwrap_or_else(|| panic!("no message in the form: {refused}"));
    assert!(
        refused[at..]
            .starts_with("id=\"action-error\">Không rõ phiên bản hồ sơ; tải lại trang.</p>")
    );
    let form_at = refused.find("id=\"form-hand_over\"").unwrap();
    assert!(form_at < at, "the message is outside its form");
    assert!(refused.contains("value=\"Ghi chú đã gõ\""), "{refused}");
    assert!(refused[..form_at].contains("<details class=\"panel action\" open>"));
    let (_, d) = p.get(&desk, &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(d["version"].as_i64().unwrap().to_string(), version);

    // The same without htmx: the whole page, still 422 with the message.
    let (status, _, whole) = post(&p, &desk, &action, &form, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(whole.starts_with("<!doctype html>"));
    assert!(whole.contains("Không rõ phiên bản hồ sơ; tải lại trang."));

    // Done from htmx: 200 with the updated region (the message, the sheet's new row).
    let form = [("action", "hand_over"), ("version", version.as_str())];
    let (status, headers, done) = post(&p, &desk, &action, &form, true).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(headers.get("location").is_none());
    assert!(
        done.trim_start().starts_with("<div id=\"dossier\">"),
        "{done}"
    );
    assert!(
        done.contains("Đã ghi nhận: Chuyển bước tiếp theo."),
        "{done}"
    );
    // The sheet names the step, as the timeline of the API does.
    let (_, events) = p
        .get(&desk, &format!("/api/v1/dossiers/{code}/events"))
        .await;
    let handed = events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "handed_over")
        .unwrap_or_else(|| panic!("no hand-over: {events}"))["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        handed.starts_with("Chuyển xử lý bước 2 (") && handed.ends_with(')'),
        "{handed}"
    );
    assert!(done.contains(&handed), "{done}");
    let (_, d) = p.get(&desk, &format!("/api/v1/dossiers/{code}")).await;
    assert_ne!(d["version"].as_i64().unwrap().to_string(), version);

    // Done without htmx: POST, redirect, GET.
    let (_, d) = p.get(&desk, &format!("/api/v1/dossiers/{code}")).await;
    let version = d["version"].as_i64().unwrap().to_string();
    let officer = p.cookie("chuyenvien").await;
    let form = [("action", "hand_over"), ("version", version.as_str())];
    let (status, headers, _) = post(&p, &officer, &action, &form, false).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{url}?da-luu=hand_over").as_str())
    );
}
