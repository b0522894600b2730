//! Staff administration within an administrator's reach, and the audit log for auditors.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::TestApp;

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    a_province_administrator_creates_staff_and_grants_roles,
    an_agency_administrator_stays_within_their_agencies,
    locking_an_account_ends_its_sessions,
    the_audit_log_filters_and_exports,
);

/// A small organisation: a department (1) with an office under it (2), and another department (3).
async fn organisation(app: &TestApp) -> (i64, i64, i64) {
    use motcua_store::testing::{agency, unit};
    let db = &app.db;
    let province = unit(db, "99", "Tỉnh Mẫu", "province", None, "2000-01-01", None).await;
    let land = agency(
        db,
        "Sở Nông nghiệp và Môi trường",
        "department",
        province,
        None,
        "H99.06",
        "2000-01-01",
    )
    .await;
    let office = agency(
        db,
        "Văn phòng Đăng ký đất đai",
        "department",
        province,
        Some(land),
        "H99.06.01",
        "2000-01-01",
    )
    .await;
    let justice = agency(
        db,
        "Sở Tư pháp",
        "department",
        province,
        None,
        "H99.03",
        "2000-01-01",
    )
    .await;
    (land, office, justice)
}

fn initial_password(html: &str) -> String {
    let needle = "<p class=\"big\"><code>";
    let start = html.find(needle).expect("an initial password is shown") + needle.len();
    html[start..start + 14].to_string()
}

async fn a_province_administrator_creates_staff_and_grants_roles(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (land, office, _) = organisation(&app).await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    let admin = app.sign_in("quantri", GOOD).await;
    let created = app
        .post_form(
            Some(&admin),
            "/can-bo/quan-tri/can-bo",
            &[
                ("login", "ChuyenVien.Dat"),
                ("full_name", "Đỗ Văn Đất"),
                ("position", "Chuyên viên"),
                ("agency_id", &office.to_string()),
                ("role", "processing_officer"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    let password = initial_password(&html);
    assert!(html.contains("chuyenvien.dat"));
    // The new person signs in with it and must change it.
    let r = app
        .post_form(
            None,
            "/dang-nhap",
            &[("login", "chuyenvien.dat"), ("password", &password)],
        )
        .await;
    assert_eq!(r.headers()["location"], "/doi-mat-khau");
    // A second account with the same login is refused, keeping what was typed.
    let again = app
        .post_form(
            Some(&admin),
            "/can-bo/quan-tri/can-bo",
            &[
                ("login", "chuyenvien.dat"),
                ("full_name", "Người Khác"),
                ("agency_id", &land.to_string()),
                ("role", "desk_officer"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let html = again.text().await.unwrap();
    assert!(html.contains("đã có người dùng"));
    assert!(html.contains("value=\"Người Khác\""));
    let user = app
        .db
        .user_by_login("chuyenvien.dat")
        .await
        .unwrap()
        .unwrap();
    let granted = app
        .post_form(
            Some(&admin),
            &format!("/can-bo/quan-tri/can-bo/{}/vai-tro", user.id),
            &[
                ("role", "approver"),
                ("agency_id", &land.to_string()),
                ("with_children", "on"),
            ],
        )
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grants = app.db.grants_of(user.id).await.unwrap();
    assert_eq!(
        grants.iter().map(|g| g.role.as_str()).collect::<Vec<_>>(),
        ["processing_officer", "approver"]
    );
    let revoked = app
        .post_form(
            Some(&admin),
            &format!("/can-bo/quan-tri/vai-tro/{}/thu-hoi", grants[1].id),
            &[],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.db.grants_of(user.id).await.unwrap().len(), 1);
    let actions: Vec<String> = app
        .db
        .audit(None, Some("quantri"), None, None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for action in ["user_created", "role_granted", "role_revoked"] {
        assert!(
            actions.contains(&action.to_string()),
            "{action} missing from {actions:?}"
        );
    }
}

async fn an_agency_administrator_stays_within_their_agencies(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (land, office, justice) = organisation(&app).await;
    let admin_id = app.staff("quantri.nnmt", GOOD, None, false).await;
    let mut tx = app.db.begin().await.unwrap();
    tx.grant(admin_id, "agency_admin", Some(land), true, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let inside = app.staff("dat", GOOD, None, false).await;
    let outside = app.staff("tuphap", GOOD, None, false).await;
    app.db
        .execute_unchecked(&format!(
            "UPDATE users SET agency_id = {office} WHERE id = {inside}"
        ))
        .await
        .unwrap();
    app.db
        .execute_unchecked(&format!(
            "UPDATE users SET agency_id = {justice} WHERE id = {outside}"
        ))
        .await
        .unwrap();
    let cookie = app.sign_in("quantri.nnmt", GOOD).await;
    let list = app
        .get_as(&cookie, "/can-bo/quan-tri/can-bo")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("id=\"user-dat\""),
        "staff of the office under the department are listed"
    );
    assert!(
        !list.contains("id=\"user-tuphap\""),
        "staff of another department are not"
    );
    assert!(
        !list.contains("Sở Tư pháp"),
        "nor is the other department offered"
    );
    // Province-wide roles cannot be handed out, nor roles outside the reach.
    for (role, agency) in [
        ("province_admin", land),
        ("auditor", land),
        ("desk_officer", justice),
    ] {
        let r = app
            .post_form(
                Some(&cookie),
                &format!("/can-bo/quan-tri/can-bo/{inside}/vai-tro"),
                &[("role", role), ("agency_id", &agency.to_string())],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{role} on {agency}"
        );
    }
    // Nor may the administrator touch someone outside: reset, lock or grant.
    for path in [
        format!("/can-bo/quan-tri/can-bo/{outside}/dat-lai-mat-khau"),
        format!("/can-bo/quan-tri/can-bo/{outside}/khoa"),
    ] {
        let r = app.post_form(Some(&cookie), &path, &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let r = app
        .post_form(
            Some(&cookie),
            &format!("/can-bo/quan-tri/can-bo/{outside}/vai-tro"),
            &[("role", "desk_officer"), ("agency_id", &land.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.db.grants_of(outside).await.unwrap().is_empty());
    // Inside the reach it works.
    let r = app
        .post_form(
            Some(&cookie),
            &format!("/can-bo/quan-tri/can-bo/{inside}/vai-tro"),
            &[("role", "desk_officer"), ("agency_id", &office.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn locking_an_account_ends_its_sessions(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    let target = app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    let admin = app.sign_in("quantri", GOOD).await;
    let session = app.sign_in("canbo", GOOD).await;
    let r = app
        .post_form(
            Some(&admin),
            &format!("/can-bo/quan-tri/can-bo/{target}/khoa"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_as(&session, "/can-bo").await.status(),
        StatusCode::SEE_OTHER
    );
    let refused = app
        .post_form(
            None,
            "/dang-nhap",
            &[("login", "canbo"), ("password", GOOD)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .post_form(
            Some(&admin),
            &format!("/can-bo/quan-tri/can-bo/{target}/mo-khoa"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.sign_in("canbo", GOOD).await;
    // Nobody locks themselves out.
    let me = app.db.user_by_login("quantri").await.unwrap().unwrap().id;
    let r = app
        .post_form(
            Some(&admin),
            &format!("/can-bo/quan-tri/can-bo/{me}/khoa"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn the_audit_log_filters_and_exports(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("thanhtra", GOOD, Some("auditor"), false).await;
    app.staff("canbo", GOOD, Some("desk_officer"), false).await;
    app.post_form(
        None,
        "/dang-nhap",
        &[("login", "canbo"), ("password", "nhầm, mật khẩu sai")],
    )
    .await;
    let auditor = app.sign_in("thanhtra", GOOD).await;
    let page = app
        .get_as(
            &auditor,
            "/can-bo/quan-tri/nhat-ky?hanh-dong=sign_in_failed",
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Đăng nhập sai"));
    assert!(html.contains("user canbo"));
    assert!(
        !html.contains("<td>Đăng nhập</td>"),
        "filtered to failed sign-ins only"
    );
    let csv = app
        .get_as(&auditor, "/can-bo/quan-tri/nhat-ky.csv?nguoi=thanhtra")
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"nhat-ky-")
    );
    let body = csv.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'));
    let lines: Vec<&str> = body.trim_end().lines().collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[1].contains(",thanhtra,127.0.0.1,Đăng nhập,sign_in,"));
    let bad = app
        .get_as(&auditor, "/can-bo/quan-tri/nhat-ky?tu=31/02/2026")
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Từ ngày “31/02/2026” không hợp lệ")
    );
}
