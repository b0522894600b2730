//! Cross-site request forgery: a state-changing request (anything but GET, HEAD, OPTIONS) must
//! come from this site. Browsers say where a request comes from in `Sec-Fetch-Site` (and always
//! send `Origin` on a POST); session cookies are also SameSite=Lax. Requests that authenticate
//! with a bearer token carry no ambient credentials and need no check.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::problem::Problem;

pub(crate) async fn check(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || same_site(&request)
    {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        return Problem::new(StatusCode::FORBIDDEN, "cross-site", "Yêu cầu bị từ chối")
            .detail("Yêu cầu thay đổi dữ liệu không xuất phát từ trang của hệ thống (CSRF).")
            .into_response();
    }
    (
        StatusCode::FORBIDDEN,
        Html("<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Yêu cầu bị từ chối</title>\
              <h1>Yêu cầu bị từ chối</h1><p>Yêu cầu thay đổi dữ liệu không xuất phát từ trang của hệ thống. \
              Hãy mở lại trang và thử lần nữa.</p><p><a href=\"/\">Về trang chủ</a></p></html>"),
    )
        .into_response()
}

fn same_site(request: &Request) -> bool {
    let headers = request.headers();
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
    {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    // Without Sec-Fetch-Site (older browsers, other clients): Origin must name this host.
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        _ => false,
    }
}
