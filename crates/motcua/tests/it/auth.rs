//! Signing in, lockout, forced password change, CSRF, sessions, the role matrix and the audit
//! trail, on both backends.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::{TestApp, session_cookie};

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    staff_pages_ask_to_sign_in,
    a_wrong_password_is_refused_and_audited,
    a_right_password_opens_a_session_with_safe_cookie_flags,
    repeated_failures_lock_the_account,
    an_initial_password_must_be_changed_first,
    forged_cross_site_posts_are_refused,
    signing_out_ends_the_session,
    signing_out_everywhere_ends_every_session,
    an_idle_session_ends,
    every_role_reaches_exactly_its_pages,
);

async fn staff_pages_ask_to_sign_in(backend: Backend) {
    let app = TestApp::start(backend).await;
    for path in [
        "/can-bo",
        "/can-bo/tinh-ngay-hen-tra?amount=3",
        "/can-bo/to-chuc",
        "/doi-mat-khau",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with("/dang-nhap?next=%2F")
                || location.starts_with("/dang-nhap?next=/"),
            "{path}: {location}"
        );
    }
    let form = app
        .get("/dang-nhap?next=/can-bo/to-chuc")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("name=\"next\" value=\"/can-bo/to-chuc\""));
    // An address outside the site is never followed after signing in.
    let evil = app
        .get("/dang-nhap?next=//evil.example")
        .await
        .text()
        .await
        .unwrap();
    assert!(evil.contains("name=\"next\" value=\"/can-bo\""));
}

async fn a_wrong_password_is_refused_and_audited(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    for login in ["canbo", "khongco"] {
        let response = app
            .post_form(
                None,
                "/dang-nhap",
                &[("login", login), ("password", "sai mật khẩu rồi")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(session_cookie(&response).is_none());
        let html = response.text().await.unwrap();
        // The same words whether or not the account exists.
        assert!(html.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
        assert!(
            html.contains(&format!("value=\"{login}\"")),
            "the login typed is kept"
        );
    }
    let failed = app
        .db
        .audit(Some("sign_in_failed"), None, None, None, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1].object_id, "canbo");
    assert_eq!(failed[1].ip, "127.0.0.1");
}

async fn a_right_password_opens_a_session_with_safe_cookie_flags(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("Canbo.Tinh", GOOD, Some("desk_officer"), false)
        .await;
    let response = app
        .post_form(
            None,
            "/dang-nhap",
            &[
                ("login", " CANBO.TINH "),
                ("password", GOOD),
                ("next", "/can-bo/to-chuc"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/can-bo/to-chuc");
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(flag), "{set_cookie}");
    }
    let cookie = session_cookie(&response).unwrap();
    let home = app.get_as(&cookie, "/can-bo").await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Xin chào, Cán Bộ Thử"));
    // The token itself is not what the database keeps.
    let token = cookie.split_once('=').unwrap().1;
    assert!(app.db.session(token, 0).await.unwrap().is_none());
    assert_eq!(
        app.db
            .audit(Some("sign_in"), Some("canbo.tinh"), None, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn repeated_failures_lock_the_account(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    for _ in 0..5 {
        let r = app
            .post_form(
                None,
                "/dang-nhap",
                &[("login", "canbo"), ("password", "đoán bừa một lần")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused for a while.
    let locked = app
        .post_form(
            None,
            "/dang-nhap",
            &[("login", "canbo"), ("password", GOOD)],
        )
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(&locked).is_none());
    assert!(locked.text().await.unwrap().contains("tạm khóa 15 phút"));
    assert_eq!(
        app.db
            .audit(Some("sign_in_locked"), None, None, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // Another account from elsewhere is not affected... but this address has 5 failures, under 20.
    app.staff("khac", GOOD, Some("desk_officer"), false).await;
    app.sign_in("khac", GOOD).await;
}

async fn an_initial_password_must_be_changed_first(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("moi", "mat-khau-ban-dau-x", Some("desk_officer"), true)
        .await;
    let response = app
        .post_form(
            None,
            "/dang-nhap",
            &[
                ("login", "moi"),
                ("password", "mat-khau-ban-dau-x"),
                ("next", "/can-bo"),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/doi-mat-khau");
    let cookie = session_cookie(&response).unwrap();
    let home = app.get_as(&cookie, "/can-bo").await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()["location"], "/doi-mat-khau");
    let page = app
        .get_as(&cookie, "/doi-mat-khau")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("mật khẩu ban đầu"));
    for (current, new, repeat, message) in [
        ("sai", GOOD, GOOD, "Mật khẩu hiện tại không đúng."),
        (
            "mat-khau-ban-dau-x",
            "ngắn quá",
            "ngắn quá",
            "ít nhất 10 ký tự",
        ),
        ("mat-khau-ban-dau-x", GOOD, "khác hẳn", "không khớp"),
        (
            "mat-khau-ban-dau-x",
            "mat-khau-ban-dau-x",
            "mat-khau-ban-dau-x",
            "phải khác",
        ),
    ] {
        let r = app
            .post_form(
                Some(&cookie),
                "/doi-mat-khau",
                &[("current", current), ("new", new), ("repeat", repeat)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    let changed = app
        .post_form(
            Some(&cookie),
            "/doi-mat-khau",
            &[
                ("current", "mat-khau-ban-dau-x"),
                ("new", GOOD),
                ("repeat", GOOD),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(changed.headers()["location"], "/can-bo");
    assert_eq!(
        app.get_as(&cookie, "/can-bo").await.status(),
        StatusCode::OK
    );
    app.sign_in("moi", GOOD).await;
    assert_eq!(
        app.db
            .audit(Some("password_changed"), None, None, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn forged_cross_site_posts_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    let cookie = app.sign_in("canbo", GOOD).await;
    let post = |origin: Option<&'static str>, site: Option<&'static str>| {
        let mut r = app
            .client
            .post(app.url("/can-bo/dang-xuat-tat-ca"))
            .header("cookie", &cookie);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        r.send()
    };
    for (origin, site) in [
        (None, None),
        (Some("https://evil.example"), None),
        (Some("https://evil.example"), Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let r = post(origin, site).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin:?} {site:?}");
    }
    // Nothing happened: the session still works.
    assert_eq!(
        app.get_as(&cookie, "/can-bo").await.status(),
        StatusCode::OK
    );
    // The API answers a problem document.
    let api = app
        .client
        .post(app.url("/api/v1/anything"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    // A browser's own same-origin request passes.
    let ok = post(None, Some("same-origin")).await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    let cookie = app.sign_in("canbo", GOOD).await;
    let out = app.post_form(Some(&cookie), "/dang-xuat", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.get_as(&cookie, "/can-bo").await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn signing_out_everywhere_ends_every_session(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    let phone = app.sign_in("canbo", GOOD).await;
    let desk = app.sign_in("canbo", GOOD).await;
    let r = app
        .post_form(Some(&desk), "/can-bo/dang-xuat-tat-ca", &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for cookie in [&phone, &desk] {
        assert_eq!(
            app.get_as(cookie, "/can-bo").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let audit = app
        .db
        .audit(Some("sign_out_everywhere"), None, None, None, 10)
        .await
        .unwrap();
    assert_eq!(audit[0].detail, "{\"sessions\":2}");
}

async fn an_idle_session_ends(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    let cookie = app.sign_in("canbo", GOOD).await;
    assert_eq!(
        app.get_as(&cookie, "/can-bo").await.status(),
        StatusCode::OK
    );
    // Thirty-one minutes without a request.
    app.db
        .execute_unchecked("UPDATE sessions SET last_seen_at = last_seen_at - 1860000000")
        .await
        .unwrap();
    assert_eq!(
        app.get_as(&cookie, "/can-bo").await.status(),
        StatusCode::SEE_OTHER
    );
}

/// Every staff route for every role, and for nobody. The expected answer is written out per
/// route; later capabilities add their routes and the roles that may use them.
async fn every_role_reaches_exactly_its_pages(backend: Backend) {
    use motcua_domain::organisation::ALL_ROLES;
    const ALL: &[&str] = &[
        "desk_officer",
        "processing_officer",
        "approver",
        "agency_admin",
        "procedure_controller",
        "reform_officer",
        "province_admin",
        "auditor",
    ];
    const ADMINS: &[&str] = &["province_admin", "agency_admin"];
    const PROVINCE: &[&str] = &["province_admin"];
    const AUDIT: &[&str] = &["province_admin", "auditor"];
    const CATALOGUE: &[&str] = &["procedure_controller", "province_admin"];
    const DESK: &[&str] = &["desk_officer"];
    const ACT: &[&str] = &["desk_officer", "processing_officer", "approver"];
    const LEADERS: &[&str] = &["approver", "province_admin"];
    const REPORTS: &[&str] = &[
        "approver",
        "agency_admin",
        "procedure_controller",
        "reform_officer",
        "province_admin",
        "auditor",
    ];
    const READ: &[&str] = &[
        "desk_officer",
        "processing_officer",
        "approver",
        "agency_admin",
        "province_admin",
        "auditor",
    ];
    let pages: &[(&str, &[&str])] = &[
        ("/can-bo", ALL),
        ("/can-bo/tinh-ngay-hen-tra", ALL),
        ("/can-bo/to-chuc", ALL),
        ("/doi-mat-khau", ALL),
        ("/can-bo/ma-truy-cap", ALL),
        ("/can-bo/quan-tri/can-bo", ADMINS),
        ("/can-bo/quan-tri/sap-nhap", PROVINCE),
        ("/can-bo/quan-tri/don-vi-co-quan", PROVINCE),
        ("/can-bo/quan-tri/lich/2026", PROVINCE),
        ("/can-bo/quan-tri/nhat-ky", AUDIT),
        ("/can-bo/quan-tri/nhat-ky.csv", AUDIT),
        ("/can-bo/thu-tuc", CATALOGUE),
        ("/can-bo/tiep-nhan", DESK),
        ("/can-bo/ho-so", READ),
        ("/can-bo/theo-doi", LEADERS),
        ("/can-bo/so-theo-doi", READ),
        ("/can-bo/bao-cao", REPORTS),
        ("/can-bo/bao-cao/tre-han", REPORTS),
        ("/can-bo/bao-cao/tong-quan", REPORTS),
        ("/can-bo/thu-tuc/moi", CATALOGUE),
        ("/can-bo/thu-tuc/han-cong-bo", CATALOGUE),
        ("/can-bo/thu-tuc/nhap-xuat", CATALOGUE),
        ("/can-bo/thu-tuc/linh-vuc", CATALOGUE),
        ("/can-bo/thu-tuc/danh-muc.json", CATALOGUE),
        ("/can-bo/thu-tuc/danh-muc.xlsx", CATALOGUE),
        ("/can-bo/thu-tuc/mau-nhap.xlsx", CATALOGUE),
    ];
    let api: &[(&str, &[&str])] = &[("/api/v1/me", ALL)];
    // Forms that change things: an allowed role gets past the role check (and meets validation),
    // any other gets 403 before anything is read or written.
    let writes: &[(&str, &[&str])] = &[
        ("/can-bo/ma-truy-cap", ALL),
        ("/can-bo/quan-tri/can-bo", ADMINS),
        ("/can-bo/quan-tri/sap-nhap", PROVINCE),
        ("/can-bo/quan-tri/lich/2026", PROVINCE),
        ("/can-bo/quan-tri/don-vi", PROVINCE),
        ("/can-bo/quan-tri/don-vi/cap-tren", PROVINCE),
        ("/can-bo/quan-tri/co-quan", PROVINCE),
        ("/can-bo/quan-tri/co-quan/ma-dinh-danh", PROVINCE),
        ("/can-bo/quan-tri/co-quan/cap-tren", PROVINCE),
        ("/can-bo/quan-tri/quay", PROVINCE),
        ("/can-bo/thu-tuc/moi", CATALOGUE),
        ("/can-bo/thu-tuc/MS.HT.001/sua", CATALOGUE),
        ("/can-bo/thu-tuc/MS.HT.001/cong-bo", CATALOGUE),
        ("/can-bo/thu-tuc/MS.HT.001/ngung", CATALOGUE),
        ("/can-bo/thu-tuc/MS.HT.001/huy", CATALOGUE),
        ("/can-bo/thu-tuc/MS.HT.001/csdl-quoc-gia", CATALOGUE),
        ("/can-bo/thu-tuc/MS.HT.001/mau-don", CATALOGUE),
        ("/can-bo/thu-tuc/nhap-xuat", CATALOGUE),
        ("/can-bo/thu-tuc/linh-vuc", CATALOGUE),
        ("/can-bo/tiep-nhan", DESK),
        ("/can-bo/ho-so/H99.31-260101-0001/thao-tac", ACT),
    ];
    // Every field those forms require, empty: each form parses, and fails its own checks.
    let empty: &[(&str, &str)] = &[
        ("login", ""),
        ("full_name", ""),
        ("agency_id", ""),
        ("role", ""),
        ("name", ""),
        ("days", ""),
    ];
    assert_eq!(
        ALL.len(),
        ALL_ROLES.len(),
        "a role is missing from the matrix"
    );
    let app = TestApp::start(backend).await;
    for role in ALL_ROLES {
        let login = format!("r.{}", role.code());
        app.staff(&login, GOOD, Some(role.code()), false).await;
        let cookie = app.sign_in(&login, GOOD).await;
        for (path, allowed) in pages.iter().chain(api) {
            let status = app.get_as(&cookie, path).await.status();
            let expected = if allowed.contains(&role.code()) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "{} on {path}", role.code());
        }
        for (path, allowed) in writes {
            let status = app.post_form(Some(&cookie), path, empty).await.status();
            if allowed.contains(&role.code()) {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} may post to {path}",
                    role.code()
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} may not post to {path}",
                    role.code()
                );
            }
        }
    }
    for (path, _) in pages {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::SEE_OTHER,
            "nobody on {path}"
        );
    }
    for (path, _) in writes {
        let status = app.post_form(None, path, empty).await.status();
        assert_eq!(status, StatusCode::SEE_OTHER, "nobody posting to {path}");
    }
    for (path, _) in api {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "nobody on {path}"
        );
    }
}
