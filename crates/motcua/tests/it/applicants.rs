//! Applicants' accounts: registering with a phone number or e-mail, signing in, their own page.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::{TestApp, session_cookie};

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    an_applicant_registers_and_signs_in_with_their_phone,
    bad_registrations_are_explained,
);

async fn an_applicant_registers_and_signs_in_with_their_phone(backend: Backend) {
    let app = TestApp::start(backend).await;
    let r = app
        .post_form(
            None,
            "/dang-ky",
            &[
                ("full_name", "  Nguyễn   Thị  Dân "),
                ("contact", "+84 912 345 678"),
                ("password", GOOD),
                ("repeat", GOOD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/ca-nhan");
    let cookie = session_cookie(&r).unwrap();
    let page = app.get_as(&cookie, "/ca-nhan").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Xin chào, Nguyễn Thị Dân"));
    assert!(html.contains("0912345678"));
    // An applicant does not open the staff application.
    assert_eq!(
        app.get_as(&cookie, "/can-bo").await.status(),
        StatusCode::FORBIDDEN
    );
    // Signing in with the number written another way reaches the same account.
    let r = app
        .post_form(
            None,
            "/dang-nhap",
            &[
                ("login", "0912 345 678"),
                ("password", GOOD),
                ("next", "/can-bo"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/ca-nhan",
        "an applicant is never sent into the staff area"
    );
    let user = app.db.user_by_login("0912345678").await.unwrap().unwrap();
    assert_eq!(user.kind, "applicant");
    assert_eq!(user.phone, "0912345678");
    assert_eq!(
        app.db
            .audit(Some("applicant_registered"), None, None, None, 5)
            .await
            .unwrap()
            .len(),
        1
    );
    // A second registration with the same number is refused, keeping what was typed.
    let again = app
        .post_form(
            None,
            "/dang-ky",
            &[
                ("full_name", "Người Khác"),
                ("contact", "0912345678"),
                ("password", GOOD),
                ("repeat", GOOD),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let html = again.text().await.unwrap();
    assert!(html.contains("đã có tài khoản"));
    assert!(html.contains("value=\"Người Khác\""));
    // Staff pages are not for applicants, and the personal page is not for staff.
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    let staff = app.sign_in("canbo", GOOD).await;
    assert_eq!(
        app.get_as(&staff, "/ca-nhan").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/ca-nhan").await.status(), StatusCode::SEE_OTHER);
}

async fn bad_registrations_are_explained(backend: Backend) {
    let app = TestApp::start(backend).await;
    for (name, contact, password, repeat, message) in [
        ("", "0912345678", GOOD, GOOD, "Nhập họ và tên"),
        (
            "Dân",
            "12345",
            GOOD,
            GOOD,
            "không phải số điện thoại hợp lệ",
        ),
        (
            "Dân",
            "dan@",
            GOOD,
            GOOD,
            "không phải địa chỉ thư điện tử hợp lệ",
        ),
        ("Dân", "0912345678", "ngắn", "ngắn", "ít nhất 10 ký tự"),
        ("Dân", "0912345678", GOOD, "khác", "không khớp"),
        ("Dân", "0912345678", "1234567890", "1234567890", "phổ biến"),
    ] {
        let r = app
            .post_form(
                None,
                "/dang-ky",
                &[
                    ("full_name", name),
                    ("contact", contact),
                    ("password", password),
                    ("repeat", repeat),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(session_cookie(&r).is_none());
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{message}");
        assert!(
            html.contains(&format!("value=\"{contact}\"")),
            "the contact typed is kept"
        );
    }
    assert!(app.db.user_by_login("0912345678").await.unwrap().is_none());
}
