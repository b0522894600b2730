//! The printed forms over HTTP: a dossier's forms as PDF within the reader's reach (the lookup
//! secret printed only when it is the dossier's own), refused when the dossier's story has no
//! such form, and a desk's register as PDF and XLSX over a date range.

use std::io::Cursor;
use std::process::Command;

use calamine::{Reader, Xlsx};
use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{Province, application};
use crate::on_both_backends;

on_both_backends!(a_dossier_prints_its_forms, a_desk_prints_its_register);

/// The text of a PDF, read back with poppler's pdftotext (installed by `.ci/run`).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed for these tests");
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// GET as `cookie`: status, content type and body.
async fn fetch(p: &Province, cookie: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = p.app.get_as(cookie, path).await;
    let status = response.status();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, media, response.bytes().await.unwrap().to_vec())
}

fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    motcua_calendar::Instant(now).local_date().to_string()
}

async fn receive(p: &Province, desk: &str) -> (String, String) {
    let body = json!({"action": "receive", "channel": "counter", "application": application(&["Tờ khai đăng ký khai sinh"])});
    let (status, d) = p
        .post(desk, "/api/v1/dossiers", &body.to_string(), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    (
        d["code"].as_str().unwrap().to_string(),
        d["lookup_secret"].as_str().unwrap().to_string(),
    )
}

async fn a_dossier_prints_its_forms(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let (code, secret) = receive(&p, &desk).await;
    let receipt = format!("/api/v1/dossiers/{code}/forms/receipt");

    // Mẫu 01 with the lookup secret, which prints only when it is the dossier's own.
    let (status, media, body) =
        fetch(&p, &desk, &format!("{receipt}?lookup_secret={secret}")).await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    let text = pdf_text(&body);
    for want in [
        &code,
        "Nguyễn Thị Bình",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        &secret,
        "Thông tư số 03/2025/TT-VPCP",
        "Tờ khai đăng ký khai sinh",
    ] {
        assert!(text.contains(want), "{want} is not on the receipt:\n{text}");
    }
    let (_, _, body) = fetch(&p, &desk, &format!("{receipt}?lookup_secret=AAAABBBBCCCC")).await;
    assert!(
        !pdf_text(&body).contains("AAAABBBBCCCC"),
        "a wrong secret was printed"
    );
    let (_, _, body) = fetch(&p, &desk, &receipt).await;
    assert!(!pdf_text(&body).contains(&secret));

    // A form the dossier's story does not have: a conflict that says why.
    let (status, media, body) =
        fetch(&p, &desk, &format!("/api/v1/dossiers/{code}/forms/apology")).await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::CONFLICT, "application/problem+json")
    );
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("xin lỗi"),
        "{problem}"
    );
    let (status, _, _) = fetch(&p, &desk, &format!("/api/v1/dossiers/{code}/forms/mau-99")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another commune's desk does not see it.
    let other = p.cookie("motcua.khac").await;
    let (status, _, _) = fetch(&p, &other, &receipt).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Handed over: the control sheet has the hand-over, judged against the step's time.
    let (status, d) = p
        .act(
            &desk,
            &code,
            "hand-over",
            json!({"version": 2, "to_user": "chuyenvien"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let (status, _, body) = fetch(
        &p,
        &desk,
        &format!("/api/v1/dossiers/{code}/forms/control-sheet"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&body);
    assert!(
        text.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "{text}"
    );
    assert!(
        text.contains("Trước hạn") || text.contains("Đúng hạn"),
        "{text}"
    );

    // The staff page lists the forms to print and opens them as PDF.
    let page = p
        .app
        .get_as(&desk, &format!("/can-bo/ho-so/{code}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/can-bo/ho-so/{code}/mau/receipt")),
        "{page}"
    );
    assert!(!page.contains("/mau/apology"));
    let (status, media, _) = fetch(
        &p,
        &desk,
        &format!("/can-bo/ho-so/{code}/mau/control-sheet"),
    )
    .await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::OK, "application/pdf")
    );
}

async fn a_desk_prints_its_register(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let (first, _) = receive(&p, &desk).await;
    let (second, _) = receive(&p, &desk).await;
    let day = today();
    let register = format!("/api/v1/agencies/H99.31/register?from={day}&to={day}");

    let (status, media, body) = fetch(&p, &desk, &register).await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    let text = pdf_text(&body);
    for want in [
        "SỔ THEO DÕI HỒ SƠ",
        first.as_str(),
        second.as_str(),
        "Nguyễn Thị",
        "Đăng ký khai sinh",
    ] {
        assert!(
            text.contains(want),
            "{want} is not in the register:\n{text}"
        );
    }

    let (status, media, body) = fetch(&p, &desk, &format!("{register}&format=xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        media.starts_with("application/vnd.openxmlformats"),
        "{media}"
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    for want in [
        "Mã hồ sơ",
        "Hẹn trả kết quả",
        first.as_str(),
        second.as_str(),
    ] {
        assert!(
            cells.iter().any(|c| c == want),
            "{want} is not in the workbook"
        );
    }

    // Bad ranges and scopes: precise problems, never a wrong table.
    for (query, field) in [
        (format!("from={day}&to=2020-01-01"), "to"),
        ("from=01/12/2026&to=2026-12-31".to_string(), "from"),
        (format!("to={day}"), "from"),
        (format!("from={day}&to={day}&format=docx"), "format"),
    ] {
        let (status, _, body) = fetch(
            &p,
            &desk,
            &format!("/api/v1/agencies/H99.31/register?{query}"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let problem: Value = serde_json::from_slice(&body).unwrap();
        let named = problem["errors"][0]["field"].as_str().unwrap_or_default();
        assert_eq!(named, field, "{query}: {problem}");
    }
    let (status, _, _) = fetch(
        &p,
        &desk,
        &format!("/api/v1/agencies/H99.32/register?from={day}&to={day}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another commune's register");
    let citizen = p.cookie("0912345678").await;
    let (status, _, _) = fetch(&p, &citizen, &register).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an applicant");

    // The page: the form, and a bad date answered on it in Vietnamese.
    let page = p
        .app
        .get_as(&desk, "/can-bo/so-theo-doi")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Ủy ban nhân dân Phường Minh Sơn"), "{page}");
    let response = p
        .app
        .get_as(
            &desk,
            "/can-bo/so-theo-doi?co-quan=H99.31&tu=31/02/2026&den=01/03/2026&dinh-dang=pdf",
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("không phải ngày hợp lệ")
    );
    let (status, media, _) = fetch(
        &p,
        &desk,
        &format!(
            "/can-bo/so-theo-doi?co-quan=H99.31&tu={0}&den={0}&dinh-dang=pdf",
            motcua_calendar::Date::parse(&day).unwrap().vn()
        ),
    )
    .await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::OK, "application/pdf")
    );
}
