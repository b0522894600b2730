//! The applicant's online side through its pages: submitting a dossier online (the form
//! prefilled from the account, a file per document, messages next to the fields with files kept,
//! one dossier however often the form is sent), the applicant's own dossiers, documents asked
//! for sent from the lookup page (a supplement) and from their own page (a completion), and the
//! result-ready notice.

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, session_cookie};

const SAMPLE: &str = include_str!("../../../domain/tests/data/catalogue_sample.json");
const PASSWORD: &str = "Hồ sơ đúng hạn, dân hài lòng";
const PDF: &[u8] = b"%PDF-1.7\n% a scan\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really an image";

on_both_backends!(
    an_applicant_submits_online_and_a_second_send_is_the_same_dossier,
    bad_input_is_explained_next_to_the_fields_and_files_are_kept,
    a_supplement_is_sent_from_the_lookup_page_and_the_clock_resumes,
    a_completion_is_sent_from_the_applicants_page,
    the_applicant_is_told_when_the_result_is_ready,
);

/// Two communes with their committees (H99.31, H99.32), the sample catalogue with registering a
/// birth (MS.HT.001) offered online, the desk, processing and approving staff of H99.31, and an
/// applicant registered with a phone number.
struct Province {
    app: TestApp,
    applicant: String,
}

/// A part of a multipart form.
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

impl Province {
    async fn new(backend: Backend) -> Province {
        let app = TestApp::start(backend).await;
        let db = &app.db;
        let province = motcua_store::testing::unit(
            db,
            "99",
            "Tỉnh Minh Sơn",
            "province",
            None,
            "2025-07-01",
            None,
        )
        .await;
        for (code, name, identifier) in [
            ("99101", "Phường Minh Sơn", "H99.31"),
            ("99102", "Xã An Thịnh", "H99.32"),
        ] {
            let unit = motcua_store::testing::unit(
                db,
                code,
                name,
                "ward",
                Some(province),
                "2025-07-01",
                None,
            )
            .await;
            motcua_store::testing::agency(
                db,
                &format!("Ủy ban nhân dân {name}"),
                "commune_committee",
                unit,
                None,
                identifier,
                "2025-07-01",
            )
            .await;
        }
        let mut catalogue: Value = serde_json::from_str(SAMPLE).unwrap();
        let birth = &mut catalogue["procedures"][0];
        assert_eq!(birth["code"], "MS.HT.001");
        birth["methods"].as_array_mut().unwrap().push(json!({
            "channel": "online", "amount": "3", "unit": "working_days", "fee": 0,
            "fee_note": "Miễn lệ phí", "description": "Nộp trực tuyến"
        }));
        birth["components"].as_array_mut().unwrap().push(json!({
            "name": "Văn bản ủy quyền", "form": "", "originals": 1, "copies": 0,
            "case": "Trường hợp ủy quyền"
        }));
        motcua_web::catalogue::import(db, &catalogue.to_string(), "test", "2026-01-01", None)
            .await
            .unwrap();
        for (login, role) in [
            ("motcua", "desk_officer"),
            ("chuyenvien", "processing_officer"),
            ("lanhdao", "approver"),
        ] {
            let agency = db
                .agency_by_identifier("H99.31", "2026-01-01")
                .await
                .unwrap()
                .id;
            let hash = motcua_web::hash_password(PASSWORD);
            let mut tx = db.begin().await.unwrap();
            let id = tx
                .insert_user(&motcua_store::NewUser {
                    login,
                    kind: "staff",
                    full_name: "Cán Bộ Thử",
                    position: "",
                    agency_id: Some(agency),
                    phone: "",
                    email: "",
                    password_hash: &hash,
                    must_change_password: false,
                })
                .await
                .unwrap();
            tx.grant(id, role, Some(agency), false, None).await.unwrap();
            tx.commit().await.unwrap();
        }
        let applicant = register(&app, "Nguyễn Thị Dân", "0912 345 678").await;
        Province { app, applicant }
    }

    async fn cookie(&self, login: &str) -> String {
        self.app.sign_in(login, PASSWORD).await
    }

    async fn page(&self, cookie: Option<&str>, path: &str) -> (StatusCode, String) {
        let response = match cookie {
            Some(c) => self.app.get_as(c, path).await,
            None => self.app.get(path).await,
        };
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    /// A multipart POST as a browser on this site sends it.
    async fn post_multipart(
        &self,
        cookie: &str,
        path: &str,
        parts: &[Part<'_>],
    ) -> reqwest::Response {
        const BOUNDARY: &str = "----motcua-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for part in parts {
            body.extend(format!("--{BOUNDARY}\r\n").bytes());
            match part {
                Part::Text(name, value) => {
                    body.extend(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                        )
                        .bytes(),
                    );
                }
                Part::File(name, file, media, bytes) => {
                    body.extend(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {media}\r\n\r\n"
                        )
                        .bytes(),
                    );
                    body.extend_from_slice(bytes);
                    body.extend(b"\r\n");
                }
            }
        }
        body.extend(format!("--{BOUNDARY}--\r\n").bytes());
        self.app
            .client
            .post(self.app.url(path))
            .header("origin", &self.app.base)
            .header("cookie", cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// A JSON POST to the API as `cookie`.
    async fn api(&self, cookie: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("origin", &self.app.base)
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Submits the birth registration online with a scan; the code and the lookup secret.
    async fn submit(&self, cookie: &str) -> (String, String) {
        let (_, form) = self.page(Some(cookie), FORM).await;
        let key = hidden(&form, "key");
        let r = self
            .post_multipart(
                cookie,
                FORM,
                &[
                    Part::Text("key", &key),
                    Part::Text("kind", "person"),
                    Part::Text("name", "Nguyễn Thị Dân"),
                    Part::Text("id_number", "001199000123"),
                    Part::Text("phone", "0912345678"),
                    Part::Text("email", "dan@example.vn"),
                    Part::Text("desk_agency", "H99.31"),
                    Part::File("file-0", "to-khai.pdf", "application/pdf", PDF),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        (text_of(&html, "done-code"), text_of(&html, "done-secret"))
    }
}

const FORM: &str = "/thu-tuc/MS.HT.001/nop-truc-tuyen";

async fn register(app: &TestApp, name: &str, contact: &str) -> String {
    let r = app
        .post_form(
            None,
            "/dang-ky",
            &[
                ("full_name", name),
                ("contact", contact),
                ("password", PASSWORD),
                ("repeat", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    session_cookie(&r).unwrap()
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The text of the element with `id` (up to its first tag).
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let after = &html[start..];
    let open = after.find('>').unwrap() + 1;
    after[open..].split('<').next().unwrap().trim().to_string()
}

fn sha256(bytes: &[u8]) -> String {
    motcua_store::sha256_hex(bytes)
}

async fn an_applicant_submits_online_and_a_second_send_is_the_same_dossier(backend: Backend) {
    let p = Province::new(backend).await;
    let db = &p.app.db;
    // The procedure's public page offers it online; a procedure only at the counter does not.
    let (_, page) = p.page(None, "/thu-tuc/MS.HT.001").await;
    assert!(
        page.contains("href=\"/thu-tuc/MS.HT.001/nop-truc-tuyen\""),
        "{page}"
    );
    let (_, page) = p.page(None, "/thu-tuc/MS.HT.002").await;
    assert!(!page.contains("nop-truc-tuyen"));
    assert_eq!(
        p.page(Some(&p.applicant), "/thu-tuc/MS.HT.002/nop-truc-tuyen")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Signing in comes first, and leads back to the form.
    let r = p.app.get(FORM).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/dang-nhap?next=/thu-tuc/MS.HT.001/nop-truc-tuyen"
    );
    // Staff do not submit as applicants.
    let desk = p.cookie("motcua").await;
    assert_eq!(p.page(Some(&desk), FORM).await.0, StatusCode::FORBIDDEN);

    // The form: the account's details, the communes, the documents, the expected appointment.
    let (status, form) = p.page(Some(&p.applicant), FORM).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"Nguyễn Thị Dân\""));
    assert!(form.contains("value=\"0912345678\""));
    assert!(form.contains("<option value=\"H99.32\">Ủy ban nhân dân Xã An Thịnh</option>"));
    assert!(form.contains("Tờ khai đăng ký khai sinh"));
    assert!(form.contains("Bắt buộc"));
    assert!(
        text_of(&form, "due-now").contains(" lúc "),
        "the appointment is shown before confirming"
    );
    let key = hidden(&form, "key");
    let parts = [
        Part::Text("key", &key),
        Part::Text("kind", "person"),
        Part::Text("name", "Nguyễn Thị Dân"),
        Part::Text("id_number", "001199000123"),
        Part::Text("phone", "0912 345 678"),
        Part::Text("email", ""),
        Part::Text("desk_agency", "H99.32"),
        Part::Text("note", "Đăng ký khai sinh cho con"),
        Part::File("file-0", "to-khai.pdf", "application/pdf", PDF),
        Part::File("file-1", "uy-quyen.png", "image/png", PNG),
    ];
    let r = p.post_multipart(&p.applicant, FORM, &parts).await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = r.text().await.unwrap();
    let code = text_of(&done, "done-code");
    let secret = text_of(&done, "done-secret");
    assert!(
        code.starts_with("H99.32-") && code.ends_with("-0001"),
        "{code}"
    );
    assert_eq!(secret.len(), 12);
    assert!(done.contains("chỉ hiện một lần"));

    let row = db.dossier_by_code(&code).await.unwrap().unwrap();
    assert_eq!(
        (row.stage.as_str(), row.channel.as_str()),
        ("submitted", "online")
    );
    assert_eq!(row.applicant_login.as_deref(), Some("0912345678"));
    let state: Value = serde_json::from_str(&row.state).unwrap();
    let application = &state["application"];
    assert_eq!(application["desk_agency"], "H99.32");
    assert_eq!(application["deciding_agency"], "H99.32");
    assert_eq!(application["note"], "Đăng ký khai sinh cho con");
    assert_eq!(application["components"][0]["files"][0], sha256(PDF));
    assert_eq!(application["components"][1]["name"], "Văn bản ủy quyền");
    assert_eq!(application["components"][1]["files"][0], sha256(PNG));

    // The same form sent again (a double click, the back button, a retry): the same dossier.
    let r = p.post_multipart(&p.applicant, FORM, &parts).await;
    assert_eq!(r.status(), StatusCode::OK);
    let again = r.text().await.unwrap();
    assert_eq!(text_of(&again, "done-code"), code);
    assert!(again.contains("id=\"done-again\""));
    assert!(!again.contains(&secret));
    // Even from a page whose files are gone (the back button to an earlier attempt).
    let r = p
        .post_multipart(
            &p.applicant,
            FORM,
            &[Part::Text("key", &key), Part::Text("name", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text_of(&r.text().await.unwrap(), "done-code"), code);
    let mine = db
        .dossiers(&motcua_store::DossierFilter {
            applicant_login: Some("0912345678".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);

    // The public lookup with the secret; the applicant's page lists it in plain words.
    let (_, lookup) = p
        .page(None, &format!("/tra-cuu?ma={code}&ma-tra-cuu={secret}"))
        .await;
    assert_eq!(text_of(&lookup, "lookup-status"), "Mới đăng ký");
    let (_, personal) = p.page(Some(&p.applicant), "/ca-nhan").await;
    assert!(personal.contains(&code));
    assert!(personal.contains("Đã nộp, chờ Bộ phận Một cửa tiếp nhận"));
    assert!(personal.contains(&format!("href=\"/tra-cuu?ma={code}\"")));
    let (status, own) = p
        .page(Some(&p.applicant), &format!("/ca-nhan/ho-so/{code}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("Nộp hồ sơ (trực tuyến)"), "{own}");
    // Another applicant does not see it.
    let other = register(&p.app, "Trần Văn Khác", "khac@example.vn").await;
    assert_eq!(
        p.page(Some(&other), &format!("/ca-nhan/ho-so/{code}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = p.page(Some(&other), "/ca-nhan").await;
    assert!(!theirs.contains(&code));
}

async fn bad_input_is_explained_next_to_the_fields_and_files_are_kept(backend: Backend) {
    let p = Province::new(backend).await;
    let db = &p.app.db;
    let (_, form) = p.page(Some(&p.applicant), FORM).await;
    let key = hidden(&form, "key");
    // Everything wrong at once: no name, a malformed identity number and phone, no commune, a
    // page that claims to be a PDF, and the required document missing.
    let r = p
        .post_multipart(
            &p.applicant,
            FORM,
            &[
                Part::Text("key", &key),
                Part::Text("name", "  "),
                Part::Text("id_number", "12ab"),
                Part::Text("address", "Số 5 đường Lê Lợi"),
                Part::Text("phone", "12345"),
                Part::Text("email", ""),
                Part::Text("desk_agency", ""),
                Part::File("file-1", "trang.pdf", "application/pdf", b"<html>"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"online-error\""));
    assert_eq!(
        text_of(&html, "name-error"),
        "Nhập họ tên người nộp hoặc tên tổ chức."
    );
    assert!(text_of(&html, "id_number-error").contains("9 đến 13 chữ số"));
    assert!(text_of(&html, "phone-error").contains("không phải số điện thoại"));
    assert!(text_of(&html, "desk_agency-error").contains("Chọn Ủy ban nhân dân xã, phường"));
    assert_eq!(
        text_of(&html, "file-0-error"),
        "Cần tải lên tệp của giấy tờ này."
    );
    assert!(text_of(&html, "file-1-error").contains("không phải PDF"));
    // What was typed stays; the key too, so the corrected form is still one dossier.
    assert!(html.contains("value=\"Số 5 đường Lê Lợi\""));
    assert!(html.contains("value=\"12ab\""));
    assert_eq!(hidden(&html, "key"), key);
    // The scan is good now, but the commune is still missing: the scan is kept by its hash.
    let r = p
        .post_multipart(
            &p.applicant,
            FORM,
            &[
                Part::Text("key", &key),
                Part::Text("name", "Nguyễn Thị Dân"),
                Part::Text("id_number", "001199000123"),
                Part::Text("phone", "0912345678"),
                Part::Text("desk_agency", "H99.99"),
                Part::File("file-0", "to-khai.pdf", "application/pdf", PDF),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "desk_agency-error").contains("trong danh sách"));
    assert!(!html.contains("file-0-error"));
    let kept = hidden(&html, "kept-0");
    assert_eq!(kept, format!("{}|to-khai.pdf", sha256(PDF)));
    assert!(html.contains("Đã tải lên: to-khai.pdf"));
    assert!(
        db.dossiers(&motcua_store::DossierFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .is_empty(),
        "nothing is written by a refused form"
    );
    // A kept hash that was never uploaded is refused; the file need not be sent again.
    let r = p
        .post_multipart(
            &p.applicant,
            FORM,
            &[
                Part::Text("key", &key),
                Part::Text("name", "Nguyễn Thị Dân"),
                Part::Text("id_number", "001199000123"),
                Part::Text("phone", "0912345678"),
                Part::Text("desk_agency", "H99.31"),
                Part::Text("kept-0", &kept),
                Part::Text("kept-1", &format!("{}|x.pdf", "b".repeat(64))),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Chưa có tệp"));
    let r = p
        .post_multipart(
            &p.applicant,
            FORM,
            &[
                Part::Text("key", &key),
                Part::Text("name", "Nguyễn Thị Dân"),
                Part::Text("id_number", "001199000123"),
                Part::Text("phone", "0912345678"),
                Part::Text("desk_agency", "H99.31"),
                Part::Text("kept-0", &kept),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let code = text_of(&r.text().await.unwrap(), "done-code");
    let row = db.dossier_by_code(&code).await.unwrap().unwrap();
    let state: Value = serde_json::from_str(&row.state).unwrap();
    assert_eq!(
        state["application"]["components"][0]["files"][0],
        sha256(PDF)
    );
}

async fn a_supplement_is_sent_from_the_lookup_page_and_the_clock_resumes(backend: Backend) {
    let p = Province::new(backend).await;
    let db = &p.app.db;
    let (code, secret) = p.submit(&p.applicant).await;
    let desk = p.cookie("motcua").await;
    let (status, d) = p
        .api(
            &desk,
            &format!("/api/v1/dossiers/{code}/receive"),
            json!({"version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let (status, d) = p
        .api(
            &desk,
            &format!("/api/v1/dossiers/{code}/request-supplement"),
            json!({"version": 2, "reason": "Bản chụp giấy chứng sinh bị mờ", "items": ["Giấy chứng sinh (bản chụp rõ)"], "applicant_due": "2099-01-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let due_paused = db.dossier_by_code(&code).await.unwrap().unwrap().due_at;

    let lookup = format!("/tra-cuu?ma={code}&ma-tra-cuu={secret}");
    // Without signing in: what is missing, and how to send it.
    let (_, page) = p.page(None, &lookup).await;
    assert!(page.contains("Giấy chứng sinh (bản chụp rõ)"));
    assert!(page.contains("id=\"supplement-sign-in\""));
    assert!(!page.contains("id=\"supplement-form\""));
    // Another applicant with the secret may read, not send.
    let other = register(&p.app, "Trần Văn Khác", "khac@example.vn").await;
    let (_, page) = p.page(Some(&other), &lookup).await;
    assert!(!page.contains("id=\"supplement-form\""));
    let action = format!("/ca-nhan/ho-so/{code}/bo-sung");
    let r = p
        .post_multipart(
            &other,
            &action,
            &[
                Part::Text("version", "3"),
                Part::File("file-0", "giay-chung-sinh.pdf", "application/pdf", PDF),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The applicant, signed in: the form.
    let (_, page) = p.page(Some(&p.applicant), &lookup).await;
    assert!(page.contains("id=\"supplement-form\""), "{page}");
    assert_eq!(hidden(&page, "version"), "3");
    let back = hidden(&page, "back");
    assert_eq!(back, lookup);
    // Nothing chosen: said so, nothing changes.
    let r = p
        .post_multipart(
            &p.applicant,
            &action,
            &[Part::Text("version", "3"), Part::Text("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Chọn ít nhất một tệp"));
    let scan = b"%PDF-1.7\n% the birth certificate, readable\n";
    let parts = [
        Part::Text("version", "3"),
        Part::Text("back", &back),
        Part::File("file-0", "giay-chung-sinh.pdf", "application/pdf", scan),
    ];
    let r = p.post_multipart(&p.applicant, &action, &parts).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], lookup.as_str());
    // Sent twice (a double click): one supplement.
    let r = p.post_multipart(&p.applicant, &action, &parts).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let row = db.dossier_by_code(&code).await.unwrap().unwrap();
    assert_eq!(row.stage, "processing");
    assert!(
        row.due_at >= due_paused,
        "the clock resumed, the date moved by the pause"
    );
    let events = db.dossier_events(row.id).await.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "resumed").count(),
        1,
        "one supplement however often it is sent"
    );
    let resumed = events.iter().find(|e| e.kind == "resumed").unwrap();
    assert_eq!(resumed.actor, "0912345678");
    let state: Value = serde_json::from_str(&row.state).unwrap();
    let supplied = state["application"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Giấy chứng sinh (bản chụp rõ)")
        .expect("the supplement joins the dossier's documents");
    assert_eq!(supplied["files"][0], sha256(scan));
    // The lookup shows it resumed; the officer sees the document with its file.
    let (_, page) = p.page(None, &lookup).await;
    assert_eq!(text_of(&page, "lookup-status"), "Đang xử lý");
    assert!(page.contains("Đã nhận hồ sơ bổ sung, tiếp tục xử lý"));
    assert!(!page.contains("id=\"supplement\""));
    let (_, staff_page) = p.page(Some(&desk), &format!("/can-bo/ho-so/{code}")).await;
    assert!(staff_page.contains("Giấy chứng sinh (bản chụp rõ)"));
    assert!(staff_page.contains(&format!("/api/v1/dossiers/{code}/files/{}", sha256(scan))));
    // Documents sent online are electronic copies, not "0 originals, 0 copies".
    assert!(staff_page.contains("Giấy chứng sinh (bản chụp rõ) — bản điện tử"));
    assert!(!staff_page.contains("0 bản chính, 0 bản sao"));
}

async fn a_completion_is_sent_from_the_applicants_page(backend: Backend) {
    let p = Province::new(backend).await;
    let db = &p.app.db;
    let (code, _) = p.submit(&p.applicant).await;
    let desk = p.cookie("motcua").await;
    let (status, d) = p
        .api(
            &desk,
            &format!("/api/v1/dossiers/{code}/request-completion"),
            json!({"version": 1, "missing": ["Tờ khai có chữ ký của người yêu cầu"], "reason": "Tờ khai chưa ký"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let (_, personal) = p.page(Some(&p.applicant), "/ca-nhan").await;
    assert!(personal.contains(&format!("id=\"asked-{code}\"")));
    assert!(personal.contains("Cần hoàn thiện hồ sơ"));
    let own = format!("/ca-nhan/ho-so/{code}");
    let (_, page) = p.page(Some(&p.applicant), &own).await;
    assert!(page.contains("Tờ khai có chữ ký của người yêu cầu"));
    assert!(page.contains("Tờ khai chưa ký"));
    assert!(page.contains("Đã có 1 tệp"));
    // A file of a kind not accepted: explained, nothing changes.
    let r = p
        .post_multipart(
            &p.applicant,
            &format!("{own}/bo-sung"),
            &[
                Part::Text("version", &hidden(&page, "version")),
                Part::Text("back", &own),
                Part::File("file-0", "to-khai.txt", "text/plain", b"hello"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Không nhận tệp loại"));
    assert_eq!(
        db.dossier_by_code(&code).await.unwrap().unwrap().stage,
        "completion_requested"
    );
    let signed = b"%PDF-1.7\n% signed\n";
    let r = p
        .post_multipart(
            &p.applicant,
            &format!("{own}/bo-sung"),
            &[
                Part::Text("version", &hidden(&page, "version")),
                Part::Text("back", &own),
                Part::File("file-0", "to-khai-da-ky.pdf", "application/pdf", signed),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("{own}?da-gui=1").as_str());
    let row = db.dossier_by_code(&code).await.unwrap().unwrap();
    assert_eq!(row.stage, "submitted", "back to the desk");
    let state: Value = serde_json::from_str(&row.state).unwrap();
    assert_eq!(
        state["application"]["components"][0]["files"],
        json!([sha256(PDF), sha256(signed)])
    );
    let (_, page) = p.page(Some(&p.applicant), &format!("{own}?da-gui=1")).await;
    assert!(page.contains("id=\"supplement-sent\""));
    assert!(page.contains("Người nộp đã hoàn thiện hồ sơ"));
}

async fn the_applicant_is_told_when_the_result_is_ready(backend: Backend) {
    let p = Province::new(backend).await;
    let db = &p.app.db;
    let (code, _) = p.submit(&p.applicant).await;
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    let leader = p.cookie("lanhdao").await;
    for (who, action, body) in [
        (&desk, "receive", json!({"version": 1})),
        (&desk, "hand-over", json!({"version": 2})),
        (&officer, "hand-over", json!({"version": 3})),
        (
            &leader,
            "complete",
            json!({"version": 4, "result": "Giấy khai sinh"}),
        ),
    ] {
        let (status, d) = p
            .api(who, &format!("/api/v1/dossiers/{code}/{action}"), body)
            .await;
        assert_eq!(status, StatusCode::OK, "{action}: {d}");
    }
    let (_, personal) = p.page(Some(&p.applicant), "/ca-nhan").await;
    assert!(
        personal.contains(&format!("id=\"ready-{code}\"")),
        "{personal}"
    );
    assert!(personal.contains("Đã có kết quả, mời nhận kết quả"));
    let (_, own) = p
        .page(Some(&p.applicant), &format!("/ca-nhan/ho-so/{code}"))
        .await;
    assert!(own.contains("id=\"result-ready\""));
    // The deadline job tells the applicant at the phone and address given with the dossier.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    let time = crate::support::test_working_time().current();
    motcua_web::jobs::scan(
        db,
        &time,
        &motcua_web::jobs::JobConfig::default(),
        motcua_calendar::Instant(now),
    )
    .await
    .unwrap();
    let mut sent: Vec<(String, String)> = db
        .outbox_messages(Some(&code))
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.channel, m.recipient))
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        vec![
            ("email".to_string(), "dan@example.vn".to_string()),
            ("sms".to_string(), "0912345678".to_string()),
        ]
    );
}
