//! The leader's view (`/can-bo/theo-doi`): overdue and due-soon dossiers within the leader's
//! reach, worst first, with the agency, step and officer each is stuck at, counts per agency,
//! and filters.

use motcua_calendar::{Date, Instant};
use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::json;

use crate::dossiers::{PASSWORD, Province, application};
use crate::on_both_backends;

on_both_backends!(the_leader_sees_what_is_late_and_where_it_is_stuck);

/// Receives a dossier at the desk of `desk` (a login); its code.
async fn received(p: &Province, desk: &str, key: &str) -> String {
    let cookie = p.cookie(desk).await;
    let body = json!({"action": "receive", "channel": "counter", "application": application(&["Tờ khai đăng ký khai sinh"])})
        .to_string();
    let (status, d) = p.post(&cookie, "/api/v1/dossiers", &body, Some(key)).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// Moves a dossier's due date (its row and its state alike), as if it had been received earlier.
async fn set_due(p: &Province, code: &str, due: Instant) {
    let row = p.app.db.dossier_by_code(code).await.unwrap().unwrap();
    let mut state: serde_json::Value = serde_json::from_str(&row.state).unwrap();
    state["due"] = json!(due.0);
    let text = state.to_string().replace('\'', "''");
    p.app
        .db
        .execute_unchecked(&format!(
            "UPDATE dossiers SET due_at = {}, state = '{text}' WHERE id = {}",
            due.0, row.id
        ))
        .await
        .unwrap();
}

/// The end of office hours `n` working days before (negative: after) today.
fn working_days_from_today(n: i32) -> Instant {
    let time = crate::support::test_working_time().current();
    let mut day: Date = Instant(now()).local_date();
    if n > 0 {
        for _ in 0..n {
            day = time.calendar.working_before(day).unwrap();
        }
    } else {
        for _ in 0..-n {
            day = time.calendar.working_after(day).unwrap();
        }
    }
    Instant::from_local(day, 17 * 60)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

fn position(page: &str, code: &str) -> usize {
    page.find(code)
        .unwrap_or_else(|| panic!("{code} is not on the page"))
}

async fn the_leader_sees_what_is_late_and_where_it_is_stuck(backend: Backend) {
    let p = Province::new(backend).await;
    p.app
        .staff("quantri", PASSWORD, Some("province_admin"), false)
        .await;
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    // Five working days over, at the desk (not yet handed over).
    let long_late = received(&p, "motcua", "a").await;
    set_due(&p, &long_late, working_days_from_today(5)).await;
    // One working day over, handed to a named officer.
    let late = received(&p, "motcua", "b").await;
    let (status, d) = p
        .act(
            &desk,
            &late,
            "hand-over",
            json!({"version": 2, "to_user": "chuyenvien"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    set_due(&p, &late, working_days_from_today(1)).await;
    // Due at the end of the next working day: due soon.
    let soon = received(&p, "motcua", "c").await;
    set_due(&p, &soon, working_days_from_today(-1)).await;
    // Far off: within time, not shown.
    let far = received(&p, "motcua", "d").await;
    set_due(&p, &far, working_days_from_today(-10)).await;
    // Overdue but waiting for the applicant's supplement: the clock is paused, not shown.
    let paused = received(&p, "motcua", "e").await;
    p.act(&desk, &paused, "hand-over", json!({"version": 2}))
        .await;
    let (status, d) = p
        .act(&officer, &paused, "request-supplement", json!({"version": 3, "reason": "Thiếu chữ ký", "items": ["Tờ khai có chữ ký"], "applicant_due": "2099-01-01"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    set_due(&p, &paused, working_days_from_today(3)).await;
    // Another commune's overdue dossier: outside the commune leader's reach.
    let elsewhere = received(&p, "motcua.khac", "f").await;
    set_due(&p, &elsewhere, working_days_from_today(2)).await;

    let leader = p.cookie("lanhdao").await;
    let home = p.app.get_as(&leader, "/can-bo").await.text().await.unwrap();
    assert!(home.contains("href=\"/can-bo/theo-doi\""), "{home}");
    let response = p.app.get_as(&leader, "/can-bo/theo-doi").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"total-overdue\">2<"), "{page}");
    assert!(page.contains("id=\"total-due-soon\">1<"), "{page}");
    for absent in [&far, &paused, &elsewhere] {
        assert!(!page.contains(absent.as_str()), "{absent} is shown");
    }
    // Worst first, each linked to its page.
    assert!(position(&page, &long_late) < position(&page, &late));
    assert!(position(&page, &late) < position(&page, &soon));
    assert!(page.contains(&format!("href=\"/can-bo/ho-so/{long_late}\"")));
    let row = |code: &str| {
        let start = position(&page, code);
        let end = page[start..].find("</tr>").unwrap() + start;
        page[start..end].to_string()
    };
    let long_row = row(&long_late);
    assert!(long_row.contains("quá 5 ngày làm việc"), "{long_row}");
    assert!(long_row.contains("Bước 1: Tiếp nhận"), "{long_row}");
    assert!(
        long_row.contains("Chưa giao người cụ thể (Cán bộ một cửa)"),
        "{long_row}"
    );
    assert!(
        long_row.contains("Ủy ban nhân dân Phường Minh Sơn"),
        "{long_row}"
    );
    let due = Instant(
        p.app
            .db
            .dossier_by_code(&long_late)
            .await
            .unwrap()
            .unwrap()
            .due_at
            .unwrap(),
    )
    .vn();
    assert!(long_row.contains(&due), "{long_row}");
    assert!(regex_like_vn_time(&due), "{due}");
    let late_row = row(&late);
    assert!(late_row.contains("quá 1 ngày làm việc"), "{late_row}");
    assert!(late_row.contains("Bước 2: Xử lý"), "{late_row}");
    assert!(late_row.contains("Người Thử (chuyenvien)"), "{late_row}");
    let soon_row = row(&soon);
    assert!(soon_row.contains("Sắp đến hạn"), "{soon_row}");
    assert!(
        soon_row.contains("còn 1 ngày làm việc") || soon_row.contains("đến hạn hôm nay"),
        "{soon_row}"
    );
    // The counts per agency.
    let counts = &page[page.find("id=\"by-agency\"").unwrap()..];
    let counts = &counts[..counts.find("</table>").unwrap()];
    assert!(
        counts.contains("Ủy ban nhân dân Phường Minh Sơn"),
        "{counts}"
    );
    assert!(counts.contains("<strong>2</strong>"), "{counts}");
    assert!(!counts.contains("Xã An Thịnh"), "{counts}");

    // Only the due-soon ones.
    let page = p
        .app
        .get_as(&leader, "/can-bo/theo-doi?loc=sap-den-han")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&soon) && !page.contains(&format!(">{late}<")),
        "{page}"
    );

    // The province administrator sees the whole province, and filters by agency.
    let admin = p.cookie("quantri").await;
    let page = p
        .app
        .get_as(&admin, "/can-bo/theo-doi")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"total-overdue\">3<"), "{page}");
    assert!(page.contains(&elsewhere));
    assert!(position(&page, &long_late) < position(&page, &elsewhere));
    assert!(position(&page, &elsewhere) < position(&page, &late));
    let other = p
        .app
        .db
        .agency_by_identifier("H99.32", "2026-01-01")
        .await
        .unwrap()
        .id;
    let page = p
        .app
        .get_as(&admin, &format!("/can-bo/theo-doi?co-quan={other}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&elsewhere) && !page.contains(&format!(">{long_late}<")),
        "{page}"
    );
    // A malformed agency is named beside the field; the page shows every agency.
    let response = p.app.get_as(&admin, "/can-bo/theo-doi?co-quan=abc").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"co-quan-error\""), "{page}");
    assert!(page.contains("“abc” không phải cơ quan"));
    assert!(page.contains(&elsewhere) && page.contains(&long_late));

    // Officers have the queue, not this view, and no link to it.
    assert_eq!(
        p.app.get_as(&officer, "/can-bo/theo-doi").await.status(),
        StatusCode::FORBIDDEN
    );
    let home = p
        .app
        .get_as(&officer, "/can-bo")
        .await
        .text()
        .await
        .unwrap();
    assert!(!home.contains("/can-bo/theo-doi"));
}

/// `dd/mm/yyyy HH:MM`.
fn regex_like_vn_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 16
        && [2, 5].iter().all(|&i| b[i] == b'/')
        && b[10] == b' '
        && b[13] == b':'
        && text
            .char_indices()
            .filter(|(i, _)| ![2, 5, 10, 13].contains(i))
            .all(|(_, c)| c.is_ascii_digit())
}
