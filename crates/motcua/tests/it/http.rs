//! The HTTP server, started for real on a random port.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(
    healthz_reports_the_database,
    healthz_is_503_when_the_database_is_down,
    the_home_page_is_vietnamese_and_secure,
    unknown_pages_get_a_vietnamese_404,
    unknown_api_paths_get_a_problem_document,
    metrics_count_requests_by_route_and_show_the_pools,
    oversized_bodies_are_refused,
    static_assets_are_embedded_and_cached,
    the_served_openapi_document_is_the_generated_one,
);

async fn healthz_reports_the_database(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], backend.name());
}

async fn healthz_is_503_when_the_database_is_down(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.db.close().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "urn:motcua:problem:unavailable");
    assert_eq!(body["status"], 503);
}

async fn the_home_page_is_vietnamese_and_secure(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(headers.contains_key("x-request-id"));
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="vi">"#));
    assert!(html.contains("<title>Trang chủ — Hệ thống một cửa điện tử</title>"));
    assert!(html.contains("Dịch vụ công một cửa"));
    // No inline script: every <script> has a src.
    for tag in html.split("<script").skip(1) {
        assert!(tag.trim_start().starts_with("src="), "inline script: {tag}");
    }
}

async fn unknown_pages_get_a_vietnamese_404(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/khong-co-trang-nay").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("Không tìm thấy trang"));
    assert!(html.contains("/khong-co-trang-nay"));
}

async fn unknown_api_paths_get_a_problem_document(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/api/v1/khong-co").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "urn:motcua:problem:not-found");
    assert_eq!(body["status"], 404);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("/api/v1/khong-co")
    );
}

async fn metrics_count_requests_by_route_and_show_the_pools(backend: Backend) {
    let app = TestApp::start(backend).await;
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains(r#"route="/healthz""#)
                && l.contains(r#"status="200""#)
        })
        .unwrap_or_else(|| panic!("no request counter for /healthz in:\n{text}"));
    // Other tests in this process share the recorder, so at least our three.
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
    assert!(text.contains("http_request_duration_seconds_bucket{"));
    assert!(text.contains("db_pool_connections{"));
}

async fn oversized_bodies_are_refused(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::start(backend).await;
    // The server answers from the headers alone, before the body is sent, so speak raw HTTP
    // rather than let a client fail on the closed connection.
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "POST /api/v1/anything HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        3 * 1024 * 1024
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 256];
    let n = stream.read(&mut answer).await.unwrap();
    let status_line = String::from_utf8_lossy(&answer[..n]);
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
}

async fn static_assets_are_embedded_and_cached(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/static/htmx.min.js").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = response.headers()["etag"].clone();
    assert!(response.text().await.unwrap().contains("htmx"));
    let again = app
        .client
        .get(app.url("/static/htmx.min.js"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.get("/static/nothing.js").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn the_served_openapi_document_is_the_generated_one(backend: Backend) {
    let app = TestApp::start(backend).await;
    let served: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let generated = serde_json::to_value(motcua_web::openapi_document()).unwrap();
    assert_eq!(served, generated);
}

/// The API's shape is reviewed like code: a change to it shows in this snapshot.
#[test]
fn openapi_document_snapshot() {
    insta::assert_json_snapshot!("openapi", motcua_web::openapi_document());
}
