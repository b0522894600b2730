//! Keeping the organisation: units, agencies, identifiers and desks, with their bad inputs.

use motcua_store::Backend;
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::TestApp;

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    units_are_added_and_moved_without_overlaps_or_cycles,
    agencies_identifiers_and_desks,
);

async fn setup(app: &TestApp) -> (String, i64, i64) {
    use motcua_store::testing::unit;
    let province = unit(
        &app.db,
        "99",
        "Tỉnh Mẫu",
        "province",
        None,
        "2000-01-01",
        None,
    )
    .await;
    let commune = unit(
        &app.db,
        "99001",
        "Xã Cũ",
        "commune",
        Some(province),
        "2000-01-01",
        Some("2025-07-01"),
    )
    .await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    (app.sign_in("quantri", GOOD).await, province, commune)
}

async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = app.post_form(Some(cookie), path, form).await;
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let body = match location {
        Some(l) => app.get_as(cookie, &l).await.text().await.unwrap(),
        None => r.text().await.unwrap(),
    };
    (status, body)
}

async fn units_are_added_and_moved_without_overlaps_or_cycles(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (admin, province, _) = setup(&app).await;
    let p = province.to_string();
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/don-vi",
        &[
            ("unit_code", "99002"),
            ("unit_name", "Xã Mới"),
            ("unit_kind", "commune"),
            ("unit_parent", &p),
            ("unit_from", "01/07/2025"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(body.contains("Đã thêm đơn vị hành chính."));
    // The code 99001 ended on 1 July 2025: it may be used again from then, not before.
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/don-vi",
        &[
            ("unit_code", "99001"),
            ("unit_name", "Xã Khác"),
            ("unit_kind", "commune"),
            ("unit_parent", &p),
            ("unit_from", "01/01/2025"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Mã 99001 đang được một đơn vị khác dùng"),
        "{body}"
    );
    assert!(body.contains("value=\"Xã Khác\""), "what was typed is kept");
    let (status, _) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/don-vi",
        &[
            ("unit_code", "99001"),
            ("unit_name", "Xã Khác"),
            ("unit_kind", "commune"),
            ("unit_parent", &p),
            ("unit_from", "01/07/2025"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for (form, message) in [
        (
            vec![
                ("unit_code", "ab"),
                ("unit_name", ""),
                ("unit_kind", "commune"),
                ("unit_parent", p.as_str()),
                ("unit_from", "01/07/2025"),
            ],
            "Mã đơn vị gồm các chữ số",
        ),
        (
            vec![
                ("unit_code", "99009"),
                ("unit_name", "Xã"),
                ("unit_kind", "commune"),
                ("unit_parent", ""),
                ("unit_from", "01/07/2025"),
            ],
            "Chọn đơn vị cấp trên",
        ),
        (
            vec![
                ("unit_code", "99009"),
                ("unit_name", "Tỉnh"),
                ("unit_kind", "province"),
                ("unit_parent", p.as_str()),
                ("unit_from", "01/07/2025"),
            ],
            "không thể trực thuộc",
        ),
        (
            vec![
                ("unit_code", "99009"),
                ("unit_name", "Xã"),
                ("unit_kind", "commune"),
                ("unit_parent", p.as_str()),
                ("unit_from", "31/06/2025"),
            ],
            "Ngày bắt đầu hiệu lực không hợp lệ",
        ),
    ] {
        let (status, body) = post(&app, &admin, "/can-bo/quan-tri/don-vi", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(body.contains(message), "{message}");
    }
    // A unit placed under its own child would close a loop.
    let new = app
        .db
        .units_as_of("2025-07-01")
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.code == "99002")
        .unwrap();
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/don-vi/cap-tren",
        &[("move_unit", &p), ("move_unit_parent", &new.id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("vòng lặp"), "{body}");
    assert_eq!(
        app.db.unit(province).await.unwrap().parent_id,
        None,
        "nothing changed"
    );
    let audit = app
        .db
        .audit(Some("unit_created"), None, None, None, 5)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
}

async fn agencies_identifiers_and_desks(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (admin, province, _) = setup(&app).await;
    let p = province.to_string();
    let parent = motcua_store::testing::agency(
        &app.db,
        "Sở Xây dựng",
        "department",
        province,
        None,
        "H99.07",
        "2000-01-01",
    )
    .await;
    let form = |identifier: &'static str| {
        vec![
            ("agency_name", "Chi cục Giám định"),
            ("agency_kind", "department"),
            ("agency_identifier", identifier),
            ("agency_unit", p.as_str()),
            ("agency_from", "01/01/2026"),
        ]
    };
    for (identifier, message) in [
        ("h99.07.01", "chỉ gồm chữ số và chữ in hoa"),
        ("Z99.01", "nhóm đầu phải là một chữ cái"),
        ("H99.07", "đang được cơ quan khác sử dụng"),
    ] {
        let (status, body) =
            post(&app, &admin, "/can-bo/quan-tri/co-quan", &form(identifier)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{identifier}");
        assert!(body.contains(message), "{identifier}: {body}");
    }
    let mut good = form("H99.07.01");
    let parent_id = parent.to_string();
    good.push(("agency_parent", parent_id.as_str()));
    let (status, _) = post(&app, &admin, "/can-bo/quan-tri/co-quan", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let child = app
        .db
        .agency_by_identifier("H99.07.01", "2026-01-01")
        .await
        .unwrap();
    assert_eq!(child.parent_id, Some(parent));
    // The department may not go under its own office.
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/co-quan/cap-tren",
        &[
            ("move_agency", &parent_id),
            ("move_agency_parent", &child.id.to_string()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("vòng lặp"));
    // A new identifier from a date; the old one still names the agency before it.
    let (status, _) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/co-quan/ma-dinh-danh",
        &[
            ("reissue_agency", &parent_id),
            ("reissue_identifier", "H99.15"),
            ("reissue_from", "01/07/2026"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.db
            .agency_by_identifier("H99.07", "2026-06-30")
            .await
            .unwrap()
            .id,
        parent
    );
    assert_eq!(
        app.db
            .agency_by_identifier("H99.15", "2026-07-01")
            .await
            .unwrap()
            .id,
        parent
    );
    assert!(
        app.db
            .agency_by_identifier("H99.07", "2026-07-01")
            .await
            .is_err()
    );
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/co-quan/ma-dinh-danh",
        &[
            ("reissue_agency", &child.id.to_string()),
            ("reissue_identifier", "H99.15"),
            ("reissue_from", "01/08/2026"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "H99.15 is in force for the department"
    );
    assert!(body.contains("đang được dùng"));
    // Desks open and close.
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/quay",
        &[
            ("desk_agency", &parent_id),
            ("desk_name", "Quầy 9 – Xây dựng"),
            ("desk_address", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(body.contains("Quầy 9 – Xây dựng"));
    let desk = app.db.desks_of(parent).await.unwrap()[0].id;
    let (status, _) = post(
        &app,
        &admin,
        &format!("/can-bo/quan-tri/quay/{desk}/dong"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        app.db.desks_of(parent).await.unwrap().is_empty(),
        "a closed desk is not offered"
    );
    let (status, body) = post(
        &app,
        &admin,
        "/can-bo/quan-tri/quay",
        &[("desk_agency", &parent_id), ("desk_name", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("đặt tên cho bộ phận một cửa"));
    let actions: Vec<String> = app
        .db
        .audit(None, Some("quantri"), None, None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for action in [
        "agency_created",
        "agency_identifier_reissued",
        "desk_created",
        "desk_closed",
    ] {
        assert!(actions.contains(&action.to_string()), "{action}");
    }
}
