//! The merge wizard: two communes become one from a date, staff and roles moving with them.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::TestApp;

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    a_merge_is_reviewed_then_done_in_one_step,
    a_bad_merge_lists_every_problem_and_changes_nothing,
);

/// A province with communes A and B (each with a committee and one officer) and commune C.
async fn province(app: &TestApp) -> (i64, i64, i64) {
    use motcua_store::testing::{agency, unit};
    let db = &app.db;
    let p = unit(db, "99", "Tỉnh Mẫu", "province", None, "2000-01-01", None).await;
    let mut ids = Vec::new();
    for (code, name, identifier) in [
        ("99001", "Xã An", "H99.41"),
        ("99002", "Xã Bình", "H99.42"),
        ("99003", "Xã Cát", "H99.43"),
    ] {
        let u = unit(db, code, name, "commune", Some(p), "2025-07-01", None).await;
        let committee = format!("Ủy ban nhân dân {name}");
        let a = agency(
            db,
            &committee,
            "commune_committee",
            u,
            None,
            identifier,
            "2025-07-01",
        )
        .await;
        ids.push((u, a));
    }
    for (i, (_, agency)) in ids.iter().enumerate().take(2) {
        let id = app.staff(&format!("canbo{i}"), GOOD, None, false).await;
        let mut tx = app.db.begin().await.unwrap();
        tx.grant(id, "desk_officer", Some(*agency), true, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.db
            .execute_unchecked(&format!(
                "UPDATE users SET agency_id = {agency} WHERE id = {id}"
            ))
            .await
            .unwrap();
    }
    (ids[0].0, ids[1].0, ids[2].0)
}

async fn a_merge_is_reviewed_then_done_in_one_step(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (a, b, _) = province(&app).await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    let admin = app.sign_in("quantri", GOOD).await;
    let form = app
        .get_as(&admin, "/can-bo/quan-tri/sap-nhap")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("Xã An (99001)") && form.contains("Xã Cát (99003)"));
    let fields = |confirm: bool| {
        let mut f = vec![
            ("don_vi", a.to_string()),
            ("don_vi", b.to_string()),
            ("ten", "Xã An Bình".to_string()),
            ("ma", "99010".to_string()),
            ("loai", "commune".to_string()),
            ("ngay", "01/10/2026".to_string()),
            ("ma_dinh_danh", "H99.50".to_string()),
        ];
        if confirm {
            f.push(("xac_nhan", "1".to_string()));
        }
        f
    };
    let to_refs = |f: &Vec<(&'static str, String)>| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let review = app
        .client
        .post(app.url("/can-bo/quan-tri/sap-nhap"))
        .header("origin", &app.base)
        .header("cookie", &admin)
        .form(&to_refs(&fields(false)))
        .send()
        .await
        .unwrap();
    assert_eq!(review.status(), StatusCode::OK);
    let html = review.text().await.unwrap();
    assert!(html.contains("Kiểm tra trước khi xác nhận"), "{html}");
    assert!(html.contains("Xã An, Xã Bình thôi tồn tại"));
    assert!(html.contains("2 cán bộ của các cơ quan cũ chuyển sang Ủy ban nhân dân xã An Bình"));
    // Nothing has changed yet.
    assert_eq!(app.db.units_as_of("2026-10-01").await.unwrap().len(), 4);
    let done = app
        .client
        .post(app.url("/can-bo/quan-tri/sap-nhap"))
        .header("origin", &app.base)
        .header("cookie", &admin)
        .form(&to_refs(&fields(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("2 cán bộ đã chuyển sang")
    );
    let before: Vec<String> = app
        .db
        .units_as_of("2026-09-30")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    let after: Vec<String> = app
        .db
        .units_as_of("2026-10-01")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert!(before.contains(&"Xã An".to_string()) && !before.contains(&"Xã An Bình".to_string()));
    assert!(after.contains(&"Xã An Bình".to_string()) && !after.contains(&"Xã An".to_string()));
    let committee = app
        .db
        .agency_by_identifier("H99.50", "2026-10-01")
        .await
        .unwrap();
    assert_eq!(committee.name, "Ủy ban nhân dân xã An Bình");
    assert_eq!(app.db.desks_of(committee.id).await.unwrap().len(), 1);
    // The old committee is history: its identifier still names it before the date.
    assert_eq!(
        app.db
            .agency_by_identifier("H99.41", "2026-09-30")
            .await
            .unwrap()
            .name,
        "Ủy ban nhân dân Xã An"
    );
    assert!(
        app.db
            .agency_by_identifier("H99.41", "2026-10-01")
            .await
            .is_err()
    );
    for login in ["canbo0", "canbo1"] {
        let user = app.db.user_by_login(login).await.unwrap().unwrap();
        assert_eq!(user.agency_id, Some(committee.id));
        assert_eq!(
            app.db.grants_of(user.id).await.unwrap()[0].agency_id,
            Some(committee.id)
        );
    }
    let audit = app
        .db
        .audit(Some("unit_merged"), None, None, None, 5)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].detail.contains("\"staff_moved\":2"));
}

async fn a_bad_merge_lists_every_problem_and_changes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (a, _, _) = province(&app).await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    let admin = app.sign_in("quantri", GOOD).await;
    let response = app
        .post_form(
            Some(&admin),
            "/can-bo/quan-tri/sap-nhap",
            &[
                ("don_vi", &a.to_string()),
                ("ten", ""),
                ("ma", "99003"),
                ("loai", "commune"),
                ("ngay", "31/09/2026"),
                ("ma_dinh_danh", "h99.50"),
                ("xac_nhan", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    for message in [
        "ít nhất hai đơn vị",
        "Nhập tên đơn vị mới",
        "Ngày “31/09/2026” không hợp lệ",
        "chỉ gồm chữ số và chữ in hoa",
    ] {
        assert!(html.contains(message), "{message} missing");
    }
    // A code in use and an identifier in force are refused too.
    let (_, b, c) = (a, a + 1, a + 2);
    let response = app
        .post_form(
            Some(&admin),
            "/can-bo/quan-tri/sap-nhap",
            &[
                ("don_vi", &b.to_string()),
                ("don_vi", &c.to_string()),
                ("ten", "Xã Mới"),
                ("ma", "99001"),
                ("loai", "commune"),
                ("ngay", "01/10/2026"),
                ("ma_dinh_danh", "H99.41"),
                ("xac_nhan", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Mã đơn vị 99001 đang được dùng"));
    assert!(html.contains("Mã định danh H99.41 đang được một cơ quan khác sử dụng"));
    assert_eq!(app.db.units_as_of("2026-10-01").await.unwrap().len(), 4);
    assert!(
        app.db
            .audit(Some("unit_merged"), None, None, None, 5)
            .await
            .unwrap()
            .is_empty()
    );
}
