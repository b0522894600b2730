//! Entering a year's official calendar in the application, and every process noticing it.

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{TestApp, test_working_time};

const GOOD: &str = "sông Hồng chảy về biển";

on_both_backends!(
    an_administrator_adds_a_day_off_and_dates_move_at_once,
    bad_calendar_edits_are_explained_and_nothing_is_saved,
    a_year_saved_elsewhere_is_picked_up,
);

async fn due_after_23_november(app: &TestApp) -> String {
    let r = app
        .get("/api/v1/calendar/due?received=2026-11-23T09:00&amount=1")
        .await;
    let body: Value = r.json().await.unwrap();
    body["due_display"].as_str().unwrap().to_string()
}

async fn an_administrator_adds_a_day_off_and_dates_move_at_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    let admin = app.sign_in("quantri", GOOD).await;
    assert_eq!(due_after_23_november(&app).await, "24/11/2026 17:00");
    let page = app.get_as(&admin, "/can-bo/quan-tri/lich/2026").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("17/02/2026"));
    let saved = app
        .post_form(
            Some(&admin),
            "/can-bo/quan-tri/lich/2026",
            &[
                ("ngay", "24/11/2026"),
                ("loai", "holiday"),
                ("noi_dung", "Ngày Văn hóa Việt Nam (24/11)"),
                ("can_cu", "Bộ luật Lao động sửa đổi (giả định để thử)"),
                ("ly_do", "Bổ sung ngày nghỉ mới"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(saved.text().await.unwrap().contains("Đã lưu phiên bản 1"));
    assert_eq!(due_after_23_november(&app).await, "25/11/2026 17:00");
    let year: Value = app
        .get("/api/v1/calendar/years/2026")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(year["working_day_count"], 249);
    // Removing it again is a second version, and the date moves back.
    let page = app
        .get_as(&admin, "/can-bo/quan-tri/lich/2026")
        .await
        .text()
        .await
        .unwrap();
    let at = page
        .find("Bỏ ngày 24/11/2026")
        .expect("the new day is listed");
    let value_at = page[..at].rfind("value=\"").unwrap() + 7;
    let index = &page[value_at..value_at + page[value_at..].find('"').unwrap()];
    let removed = app
        .post_form(
            Some(&admin),
            "/can-bo/quan-tri/lich/2026",
            &[("xoa", index), ("ly_do", "Chưa được luật hóa")],
        )
        .await;
    assert!(removed.text().await.unwrap().contains("Đã lưu phiên bản 2"));
    assert_eq!(due_after_23_november(&app).await, "24/11/2026 17:00");
    let history = app.db.calendar_year_history(2026).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| v.reason.as_str())
            .collect::<Vec<_>>(),
        ["Chưa được luật hóa", "Bổ sung ngày nghỉ mới"]
    );
    assert_eq!(
        app.db
            .audit(Some("calendar_year_saved"), None, None, None, 5)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn bad_calendar_edits_are_explained_and_nothing_is_saved(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.staff("quantri", GOOD, Some("province_admin"), false)
        .await;
    let admin = app.sign_in("quantri", GOOD).await;
    for (form, message) in [
        (
            vec![
                ("ngay", "24/11/2026"),
                ("loai", "holiday"),
                ("noi_dung", "x"),
                ("can_cu", "y"),
                ("ly_do", ""),
            ],
            "Ghi lý do thay đổi",
        ),
        (
            vec![
                ("ngay", "25/11/2026"),
                ("loai", "make_up"),
                ("noi_dung", "x"),
                ("can_cu", "y"),
                ("ly_do", "z"),
            ],
            "chỉ thứ Bảy, Chủ nhật",
        ),
        (
            vec![
                ("ngay", "31/11/2026"),
                ("loai", "holiday"),
                ("noi_dung", "x"),
                ("can_cu", "y"),
                ("ly_do", "z"),
            ],
            "không hợp lệ",
        ),
        (
            vec![
                ("ngay", "24/11/2027"),
                ("loai", "holiday"),
                ("noi_dung", "x"),
                ("can_cu", "y"),
                ("ly_do", "z"),
            ],
            "không thuộc năm 2026",
        ),
        (
            vec![
                ("ngay", "01/01/2026"),
                ("loai", "holiday"),
                ("noi_dung", "x"),
                ("can_cu", "y"),
                ("ly_do", "z"),
            ],
            "hai lần",
        ),
        (
            vec![
                ("ngay", "24/11/2026"),
                ("loai", "holiday"),
                ("noi_dung", ""),
                ("can_cu", "y"),
                ("ly_do", "z"),
            ],
            "ghi rõ lý do",
        ),
        (vec![("ly_do", "z")], "Chưa có thay đổi nào"),
    ] {
        let r = app
            .post_form(Some(&admin), "/can-bo/quan-tri/lich/2026", &form)
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    assert!(app.db.calendar_year_history(2026).await.unwrap().is_empty());
    assert_eq!(
        app.get_as(&admin, "/can-bo/quan-tri/lich/2400")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_year_saved_elsewhere_is_picked_up(backend: Backend) {
    use motcua_calendar::year::Source;
    use motcua_calendar::{Date, DayKind, SpecialDay, YearData};
    let app = TestApp::start(backend).await;
    let handle = test_working_time();
    assert!(!handle.reload(&app.db).await.unwrap(), "nothing saved yet");
    let year = YearData {
        year: 2027,
        source: Source::Official {
            name: "tiến trình khác".into(),
        },
        days_off: vec![SpecialDay {
            date: Date::from_ymd(2027, 1, 4).unwrap(),
            kind: DayKind::Swap,
            reason: "x".into(),
            basis: "y".into(),
        }],
        working_days: vec![],
    };
    let mut tx = app.db.begin().await.unwrap();
    tx.save_calendar_year(2027, &serde_json::to_string(&year).unwrap(), "thử", "admin")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(handle.reload(&app.db).await.unwrap());
    assert!(
        !handle
            .current()
            .calendar
            .is_working(Date::from_ymd(2027, 1, 4).unwrap())
            .unwrap()
    );
    assert!(
        !handle.reload(&app.db).await.unwrap(),
        "no change, no rebuild"
    );
}
