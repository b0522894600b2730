//! Personal access tokens: made on a page, used as Bearer on the API, scoped, expiring, revocable.

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::TestApp;

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    tokens_open_the_api_within_their_scope,
    bad_tokens_and_bad_requests_are_refused,
);

async fn make_token(app: &TestApp, cookie: &str, name: &str, write: bool) -> String {
    let mut form = vec![("name", name), ("days", "30")];
    if write {
        form.push(("write", "on"));
    }
    let response = app
        .post_form(Some(cookie), "/can-bo/ma-truy-cap", &form)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let start = html.find("<code>mc_").expect("the new token is shown") + "<code>".len();
    let end = start + html[start..].find('<').unwrap();
    html[start..end].to_string()
}

async fn api(app: &TestApp, method: reqwest::Method, path: &str, token: &str) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn tokens_open_the_api_within_their_scope(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("tichhop", GOOD, Some("procedure_controller"), false)
        .await;
    let cookie = app.sign_in("tichhop", GOOD).await;
    let read = make_token(&app, &cookie, "Cổng dịch vụ công", false).await;
    let write = make_token(&app, &cookie, "Xoay vòng mã", true).await;
    let me = api(&app, reqwest::Method::GET, "/api/v1/me", &read).await;
    assert_eq!(me.status(), StatusCode::OK);
    let body: Value = me.json().await.unwrap();
    assert_eq!(body["login"], "tichhop");
    assert_eq!(body["roles"][0], "procedure_controller");
    // The list shows the tokens, never the tokens themselves.
    let page = app
        .get_as(&cookie, "/can-bo/ma-truy-cap")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Cổng dịch vụ công") && page.contains("Đang dùng"));
    assert!(!page.contains(&read) && !page.contains(&write));
    // A token does not open the pages.
    let r = app
        .client
        .get(app.url("/can-bo"))
        .bearer_auth(&write)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let tokens = app
        .db
        .tokens_of(app.db.user_by_login("tichhop").await.unwrap().unwrap().id)
        .await
        .unwrap();
    let read_id = tokens.iter().find(|t| t.scopes == "read").unwrap().id;
    // A read-only token may not revoke; a write token may.
    let r = api(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{read_id}"),
        &read,
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["type"], "urn:motcua:problem:insufficient-scope");
    let r = api(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{read_id}"),
        &write,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = api(&app, reqwest::Method::GET, "/api/v1/me", &read).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let again = api(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{read_id}"),
        &write,
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let audit: Vec<String> = app
        .db
        .audit(None, Some("tichhop"), None, None, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(audit.iter().filter(|a| *a == "token_created").count(), 2);
    assert_eq!(audit.iter().filter(|a| *a == "token_revoked").count(), 1);
}

async fn bad_tokens_and_bad_requests_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("tichhop", GOOD, Some("desk_officer"), false)
        .await;
    let cookie = app.sign_in("tichhop", GOOD).await;
    let token = make_token(&app, &cookie, "Thử", false).await;
    // Expired.
    app.db
        .execute_unchecked("UPDATE access_tokens SET expires_at = 1")
        .await
        .unwrap();
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", &token)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Made up.
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", "mc_nonsense")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // No credentials at all.
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["type"], "urn:motcua:problem:unauthenticated");
    // A session works for the API too.
    assert_eq!(
        app.get_as(&cookie, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    for (name, days, message) in [
        ("", "30", "Đặt tên"),
        ("Thử", "0", "1 đến 365"),
        ("Thử", "999", "1 đến 365"),
        ("Thử", "ba mươi", "1 đến 365"),
    ] {
        let r = app
            .post_form(
                Some(&cookie),
                "/can-bo/ma-truy-cap",
                &[("name", name), ("days", days)],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {days}"
        );
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
}
