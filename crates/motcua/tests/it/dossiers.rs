//! Dossiers through the API: a counter receipt carried to its return, an online submission
//! withdrawn, idempotent retries, stale versions, roles and reach, the public lookup, and bad
//! input answered with problem documents that name the field.

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::TestApp;

const SAMPLE: &str = include_str!("../../../domain/tests/data/catalogue_sample.json");
pub(crate) const PASSWORD: &str = "Hồ sơ đúng hạn, dân hài lòng";

on_both_backends!(
    a_counter_dossier_goes_from_receipt_to_return,
    an_online_dossier_is_received_then_withdrawn,
    bad_requests_get_problems_naming_the_field,
    scans_are_checked_kept_and_handed_back_as_downloads,
    the_other_paths_completion_refusal_payment_extension_consultation,
    fifty_parallel_receipts_get_fifty_consecutive_codes,
    racing_retries_in_parallel_make_one_dossier_each_and_skip_no_number,
);

/// A commune with its committee (H99.31), a neighbour (H99.32), the sample catalogue, and staff.
pub(crate) struct Province {
    pub(crate) app: TestApp,
}

impl Province {
    pub(crate) async fn new(backend: Backend) -> Province {
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
        motcua_web::catalogue::import(db, SAMPLE, "test", "2026-01-01", None)
            .await
            .unwrap();
        let p = Province { app };
        for (login, role, agency) in [
            ("motcua", "desk_officer", "H99.31"),
            ("chuyenvien", "processing_officer", "H99.31"),
            ("lanhdao", "approver", "H99.31"),
            ("motcua.khac", "desk_officer", "H99.32"),
        ] {
            p.person(login, "staff", Some((role, agency))).await;
        }
        p.person("0912345678", "applicant", None).await;
        p
    }

    pub(crate) async fn person(&self, login: &str, kind: &str, role: Option<(&str, &str)>) {
        let db = &self.app.db;
        let agency = match role {
            Some((_, identifier)) => Some(
                db.agency_by_identifier(identifier, "2026-01-01")
                    .await
                    .unwrap()
                    .id,
            ),
            None => None,
        };
        let hash = motcua_web::hash_password(PASSWORD);
        let mut tx = db.begin().await.unwrap();
        let id = tx
            .insert_user(&motcua_store::NewUser {
                login,
                kind,
                full_name: "Người Thử",
                position: "",
                agency_id: agency,
                phone: "",
                email: "",
                password_hash: &hash,
                must_change_password: false,
            })
            .await
            .unwrap();
        if let Some((role, _)) = role {
            tx.grant(id, role, agency, false, None).await.unwrap();
        }
        tx.commit().await.unwrap();
    }

    pub(crate) async fn cookie(&self, login: &str) -> String {
        self.app.sign_in(login, PASSWORD).await
    }

    /// A JSON POST as the browser of `cookie`; the status and the answer.
    pub(crate) async fn post(
        &self,
        cookie: &str,
        path: &str,
        body: &str,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .app
            .client
            .post(self.app.url(path))
            .header("origin", &self.app.base)
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn act(
        &self,
        cookie: &str,
        code: &str,
        action: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.post(
            cookie,
            &format!("/api/v1/dossiers/{code}/{action}"),
            &body.to_string(),
            None,
        )
        .await
    }

    pub(crate) async fn get(&self, cookie: &str, path: &str) -> (StatusCode, Value) {
        let response = self.app.get_as(cookie, path).await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

pub(crate) fn application(components: &[&str]) -> Value {
    json!({
        "procedure": "MS.HT.001",
        "procedure_version": 0,
        "applicant": {"name": "Nguyễn Thị Bình", "id_number": "001199000123", "phone": "0912345678"},
        "components": components.iter().map(|c| json!({"name": c, "originals": 1})).collect::<Vec<_>>(),
        "desk_agency": "",
        "deciding_agency": "",
    })
}

async fn a_counter_dossier_goes_from_receipt_to_return(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    let leader = p.cookie("lanhdao").await;
    let body = json!({"action": "receive", "channel": "counter", "application": application(&["Tờ khai đăng ký khai sinh"])}).to_string();
    let (status, d) = p
        .post(&desk, "/api/v1/dossiers", &body, Some("quay-1-0001"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    assert!(
        code.starts_with("H99.31-") && code.ends_with("-0001"),
        "{code}"
    );
    let secret = d["lookup_secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 12);
    assert_eq!(
        (
            d["stage"].as_str(),
            d["national_status"].as_u64(),
            d["version"].as_i64()
        ),
        (Some("received"), Some(2), Some(2))
    );
    assert_eq!(d["national_channel"], 1);
    assert!(
        d["due"].as_str().unwrap().ends_with("17:00:00+07:00"),
        "{d}"
    );
    let first_due = d["due"].as_str().unwrap().to_string();

    // A retry (double click, lost answer) returns the same dossier, without its secret again.
    let (status, again) = p
        .post(&desk, "/api/v1/dossiers", &body, Some("quay-1-0001"))
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::OK, Some(code.as_str()))
    );
    assert!(again.get("lookup_secret").is_none());
    // Even when the retry would not be received as a new dossier (here, a procedure that does
    // not exist): the key made this dossier. Under a new key the same body is refused.
    let unknown = body.replace("\"procedure\":\"", "\"procedure\":\"X");
    assert_ne!(unknown, body);
    let (status, again) = p
        .post(&desk, "/api/v1/dossiers", &unknown, Some("quay-1-0001"))
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::OK, Some(code.as_str()))
    );
    let (status, refused) = p
        .post(&desk, "/api/v1/dossiers", &unknown, Some("quay-1-0002"))
        .await;
    assert_eq!(
        (status, refused["errors"][0]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("application.procedure")
        ),
        "{refused}"
    );

    // The desk hands it over; it may not process it.
    let (status, d) = p
        .act(&desk, &code, "hand-over", json!({"version": 2}))
        .await;
    assert_eq!(
        (status, d["stage"].as_str(), d["step"].as_i64()),
        (StatusCode::OK, Some("processing"), Some(1)),
        "{d}"
    );
    let (status, d) = p
        .act(&desk, &code, "hand-over", json!({"version": 3}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{d}");
    assert!(
        d["detail"].as_str().unwrap().contains("chuyên viên xử lý"),
        "{d}"
    );

    // A supplement pauses the clock; a second request on a stale version is refused.
    let (status, d) = p
        .act(&officer, &code, "request-supplement", json!({"version": 3, "reason": "Tờ khai thiếu chữ ký", "items": ["Tờ khai có chữ ký"], "applicant_due": "2099-01-01"}))
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64(), d["paused"].as_bool()),
        (StatusCode::OK, Some(5), Some(true)),
        "{d}"
    );
    let (status, d) = p
        .act(&officer, &code, "hand-over", json!({"version": 3}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{d}");
    assert_eq!(d["type"], "urn:motcua:problem:stale-version");
    assert_eq!(d["errors"][0]["field"], "version");
    let (status, d) = p
        .act(&desk, &code, "provide-supplement", json!({"version": 4}))
        .await;
    assert_eq!(
        (status, d["stage"].as_str()),
        (StatusCode::OK, Some("processing")),
        "{d}"
    );
    assert!(
        d["due"].as_str().unwrap() >= first_due.as_str(),
        "a pause never brings the due date closer"
    );

    let (status, d) = p
        .act(&officer, &code, "hand-over", json!({"version": 5}))
        .await;
    assert_eq!(
        (status, d["step"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{d}"
    );
    let (status, d) = p
        .act(
            &leader,
            &code,
            "complete",
            json!({"version": 6, "result": "Giấy khai sinh"}),
        )
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64()),
        (StatusCode::OK, Some(9)),
        "{d}"
    );
    assert!(
        ["early", "on_time"].contains(&d["classification"].as_str().unwrap()),
        "{d}"
    );
    let (status, d) = p
        .act(
            &desk,
            &code,
            "return",
            json!({"version": 7, "channel": "counter"}),
        )
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64()),
        (StatusCode::OK, Some(10)),
        "{d}"
    );
    // Nothing follows a return.
    let (status, d) = p
        .act(&desk, &code, "stop", json!({"version": 8, "reason": "x"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{d}");
    assert_eq!(d["type"], "urn:motcua:problem:wrong-stage");

    let (status, events) = p
        .get(&leader, &format!("/api/v1/dossiers/{code}/events"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "received",
            "handed_over",
            "supplement_requested",
            "resumed",
            "handed_over",
            "completed",
            "returned"
        ]
    );
    for pair in events.as_array().unwrap().windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    assert_eq!(p.app.db.verify_chains().await.unwrap(), (vec![], 8));

    // The applicant's lookup needs the secret; without it the dossier does not exist.
    let lookup = |secret: &str| format!("/api/v1/lookup/{code}?secret={secret}");
    let response = p.app.get(&lookup(&secret.to_lowercase())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let status_json: Value = response.json().await.unwrap();
    assert_eq!(status_json["national_status_name"], "Đã trả kết quả");
    assert_eq!(status_json["timeline"].as_array().unwrap().len(), 8);
    assert!(
        !status_json.to_string().contains("chuyenvien"),
        "no officer names in public"
    );
    for wrong in ["", "AAAAAAAAAAAA"] {
        assert_eq!(
            p.app.get(&lookup(wrong)).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    // Staff of another commune do not see it.
    let other = p.cookie("motcua.khac").await;
    assert_eq!(
        p.get(&other, &format!("/api/v1/dossiers/{code}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = p.get(&other, "/api/v1/dossiers").await;
    assert!(page["items"].as_array().unwrap().is_empty(), "{page}");
    let (_, page) = p.get(&leader, "/api/v1/dossiers").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
}

async fn an_online_dossier_is_received_then_withdrawn(backend: Backend) {
    let p = Province::new(backend).await;
    let citizen = p.cookie("0912345678").await;
    let desk = p.cookie("motcua").await;
    let mut app = application(&["Tờ khai đăng ký khai sinh"]);
    app["desk_agency"] = json!("H99.31");
    let body = json!({"action": "submit", "application": app}).to_string();
    let (status, d) = p
        .post(&citizen, "/api/v1/dossiers", &body, Some("web-1"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!(
        (d["national_status"].as_u64(), d["channel"].as_str()),
        (Some(1), Some("online"))
    );
    let code = d["code"].as_str().unwrap().to_string();
    // An applicant cannot receive their own dossier; the desk can.
    assert_eq!(
        p.act(&citizen, &code, "receive", json!({"version": 1}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, d) = p.act(&desk, &code, "receive", json!({"version": 1})).await;
    assert_eq!(
        (status, d["stage"].as_str()),
        (StatusCode::OK, Some("received")),
        "{d}"
    );
    let (_, mine) = p.get(&citizen, "/api/v1/dossiers").await;
    assert_eq!(mine["items"][0]["code"].as_str(), Some(code.as_str()));
    let (status, d) = p
        .act(
            &citizen,
            &code,
            "request-withdrawal",
            json!({"version": 2, "reason": "Nộp nhầm thủ tục"}),
        )
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64()),
        (StatusCode::OK, Some(7)),
        "{d}"
    );
    let (status, d) = p
        .act(
            &desk,
            &code,
            "stop",
            json!({"version": 3, "reason": "Theo đề nghị của người nộp"}),
        )
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64()),
        (StatusCode::OK, Some(8)),
        "{d}"
    );
}

async fn bad_requests_get_problems_naming_the_field(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    let problem = |body: &str| {
        let body = body.to_string();
        let desk = desk.clone();
        let p = &p;
        async move {
            let (status, d) = p.post(&desk, "/api/v1/dossiers", &body, None).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {d}");
            d["errors"][0]["field"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    assert_eq!(problem("{\"action\": \"receive\",").await, "body");
    assert_eq!(problem("[]").await, "body");
    assert_eq!(problem("{\"application\": {}}").await, "action");
    let mut unknown = application(&["Tờ khai đăng ký khai sinh"]);
    unknown["procedure"] = json!("MS.XX.999");
    assert_eq!(
        problem(&json!({"action": "receive", "application": unknown}).to_string()).await,
        "application.procedure"
    );
    assert_eq!(
        problem(&json!({"action": "receive", "application": application(&[])}).to_string()).await,
        "components"
    );
    // An agency no one has the identifier of, named as the desk or as the deciding agency.
    for field in ["desk_agency", "deciding_agency"] {
        let mut nowhere = application(&["Tờ khai đăng ký khai sinh"]);
        nowhere[field] = json!("H99.99.99");
        assert_eq!(
            problem(&json!({"action": "receive", "application": nowhere}).to_string()).await,
            format!("application.{field}")
        );
    }
    let mut extra = application(&["Tờ khai đăng ký khai sinh"]);
    extra["applicant"]["nickname"] = json!("x");
    assert_eq!(
        problem(&json!({"action": "receive", "application": extra}).to_string()).await,
        "nickname"
    );
    // A processing officer does not receive at the desk.
    let body =
        json!({"action": "receive", "application": application(&["Tờ khai đăng ký khai sinh"])})
            .to_string();
    let (status, d) = p.post(&officer, "/api/v1/dossiers", &body, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{d}");
    // Nothing was written by any of it.
    assert!(
        p.app
            .db
            .dossiers(&motcua_store::DossierFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .is_empty()
    );
    // A transition without its version, and an unknown dossier.
    let (status, d) = p
        .act(&desk, "H99.31-260101-9999", "hand-over", json!({}))
        .await;
    assert_eq!(
        (status, d["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("version"))
    );
    let (status, _) = p
        .act(
            &desk,
            "H99.31-260101-9999",
            "hand-over",
            json!({"version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn scans_are_checked_kept_and_handed_back_as_downloads(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let upload = |content_type: &'static str, body: Vec<u8>| {
        let request = p
            .app
            .client
            .post(p.app.url("/api/v1/files"))
            .header("origin", &p.app.base)
            .header("cookie", &desk)
            .header("content-type", content_type)
            .body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let pdf = b"%PDF-1.4\n% to khai\n".to_vec();
    let (status, stored) = upload("application/pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let sha = stored["sha256"].as_str().unwrap().to_string();
    // The same content is one file.
    assert_eq!(
        upload("application/pdf", pdf.clone()).await.1["sha256"],
        json!(sha)
    );
    // A page claiming to be a PDF, a kind not taken, an empty body, and too much.
    let (status, d) = upload(
        "application/pdf",
        b"<html><script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_eq!(
        (status, d["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("Content-Type"))
    );
    assert_eq!(
        upload("text/html", b"<html>".to_vec()).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        upload("application/pdf", Vec::new()).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut big = b"%PDF-".to_vec();
    big.resize(10 * 1024 * 1024 + 1024, b'0');
    assert_eq!(
        upload("application/pdf", big).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // A dossier naming a file never uploaded is refused; naming the scan, it is received.
    let mut app = application(&["Tờ khai đăng ký khai sinh"]);
    app["components"][0]["files"] = json!(["0".repeat(64)]);
    let (status, d) = p
        .post(
            &desk,
            "/api/v1/dossiers",
            &json!({"action": "receive", "application": app}).to_string(),
            None,
        )
        .await;
    assert_eq!(
        (status, d["errors"][0]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("components[0].files")
        )
    );
    app["components"][0]["files"] = json!([sha]);
    let (status, d) = p
        .post(
            &desk,
            "/api/v1/dossiers",
            &json!({"action": "receive", "application": app}).to_string(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap();
    let response = p
        .app
        .get_as(&desk, &format!("/api/v1/dossiers/{code}/files/{sha}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);
    // Not for another commune's desk, and not a file the dossier does not name.
    let other = p.cookie("motcua.khac").await;
    assert_eq!(
        p.app
            .get_as(&other, &format!("/api/v1/dossiers/{code}/files/{sha}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let stranger = "1".repeat(64);
    assert_eq!(
        p.app
            .get_as(&desk, &format!("/api/v1/dossiers/{code}/files/{stranger}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// `motcua verify` through the binary: a clean chain passes; an event edited in the database
/// behind the application's back is named, and the command fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_names_an_event_altered_in_the_database() {
    use crate::support::motcua;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v.db").display());
    let db = motcua_store::Db::connect(&url, &motcua_store::DbOptions::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let unit =
        motcua_store::testing::unit(&db, "99", "Tỉnh", "province", None, "2025-07-01", None).await;
    let agency = motcua_store::testing::agency(
        &db,
        "Sở Tư pháp",
        "department",
        unit,
        None,
        "H99.10",
        "2025-07-01",
    )
    .await;
    let event = |kind| motcua_store::NewEvent {
        kind,
        payload: "{}",
        at: 1,
        actor: "motcua",
        actor_role: "desk_officer",
    };
    let mut tx = db.begin().await.unwrap();
    tx.insert_dossier(
        &motcua_store::NewDossier {
            code: "H99.10-260302-0001",
            lookup_hash: "h",
            created_by: "motcua",
            idempotency_key: None,
            procedure_code: "MS.HT.001",
            procedure_version: 1,
            sector: "HT",
            level: "commune",
            desk_agency_id: agency,
            deciding_agency_id: agency,
            channel: "counter",
            applicant_login: None,
        },
        &motcua_store::Projection {
            stage: "received",
            step: 0,
            assignee: None,
            applicant_name: "A",
            applicant_id_number: "",
            submitted_at: 1,
            received_at: Some(1),
            due_at: None,
            step_due_at: None,
            paused_since: None,
            finished_at: None,
            outcome: None,
            counts_late: false,
            digitised: false,
            version: 2,
            state: "{}",
        },
        &[event("opened"), event("received")],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let verify = || {
        motcua(dir.path())
            .args(["--database-url", &url, "verify"])
            .output()
            .unwrap()
    };
    let clean = verify();
    assert!(clean.status.success(), "{clean:?}");
    assert!(
        String::from_utf8_lossy(&clean.stdout).contains("2 sự kiện hồ sơ: chuỗi mã băm toàn vẹn")
    );
    db.execute_unchecked("DROP TRIGGER dossier_events_no_update")
        .await
        .unwrap();
    db.execute_unchecked("UPDATE dossier_events SET actor = 'someone else' WHERE seq = 2")
        .await
        .unwrap();
    db.close().await;
    let broken = verify();
    assert_eq!(broken.status.code(), Some(1), "{broken:?}");
    let out = String::from_utf8_lossy(&broken.stdout);
    assert!(
        out.contains("H99.10-260302-0001 sự kiện 2: nội dung sự kiện đã bị sửa"),
        "{out}"
    );
    assert!(String::from_utf8_lossy(&broken.stderr).contains("dữ liệu đã bị sửa ngoài hệ thống"));
}

async fn the_other_paths_completion_refusal_payment_extension_consultation(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    let citizen = p.cookie("0912345678").await;
    let components = ["Tờ khai đăng ký khai sinh"];

    // Refused at the counter (Mẫu 03): a dossier with its reasons, and nothing more to do.
    let body = json!({"action": "refuse", "application": application(&components), "reasons": "Không thuộc thẩm quyền"});
    let (status, d) = p
        .post(&desk, "/api/v1/dossiers", &body.to_string(), None)
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64()),
        (StatusCode::CREATED, Some(3)),
        "{d}"
    );

    // Online, incomplete: asked to complete (Mẫu 02), completed by the applicant, then received.
    let mut app = application(&components);
    app["desk_agency"] = json!("H99.31");
    let (_, d) = p
        .post(
            &citizen,
            "/api/v1/dossiers",
            &json!({"action": "submit", "application": app}).to_string(),
            None,
        )
        .await;
    let code = d["code"].as_str().unwrap().to_string();
    let (status, d) = p
        .act(&desk, &code, "request-completion", json!({"version": 1, "missing": ["Bản chính giấy chứng sinh"], "reason": "Thiếu giấy chứng sinh"}))
        .await;
    assert_eq!(
        (status, d["stage"].as_str()),
        (StatusCode::OK, Some("completion_requested")),
        "{d}"
    );
    let (status, d) = p
        .act(
            &citizen,
            &code,
            "provide-completion",
            json!({"version": 2, "components": [{"name": components[0], "originals": 1}]}),
        )
        .await;
    assert_eq!(
        (status, d["stage"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{d}"
    );
    let (status, d) = p.act(&desk, &code, "receive", json!({"version": 3})).await;
    assert_eq!(
        (status, d["stage"].as_str()),
        (StatusCode::OK, Some("received")),
        "{d}"
    );

    // Processing: a coordinating agency asked and answering, a payment, an apology with a new date.
    p.act(
        &desk,
        &code,
        "hand-over",
        json!({"version": 4, "to_user": "chuyenvien"}),
    )
    .await;
    let (status, d) = p
        .act(
            &officer,
            &code,
            "consult",
            json!({"version": 5, "agency": "H99.32", "request": "Xác minh nơi cư trú"}),
        )
        .await;
    assert_eq!(
        (status, d["version"].as_i64()),
        (StatusCode::OK, Some(6)),
        "{d}"
    );
    let (status, _) = p
        .act(
            &officer,
            &code,
            "answer-consult",
            json!({"version": 6, "agency": "H99.32", "answer": "Đúng nơi cư trú"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, d) = p
        .act(
            &officer,
            &code,
            "request-payment",
            json!({"version": 7, "amount": 8000, "reason": "Lệ phí đăng ký quá hạn"}),
        )
        .await;
    assert_eq!(
        (status, d["national_status"].as_u64()),
        (StatusCode::OK, Some(6)),
        "{d}"
    );
    let (status, d) = p
        .act(&desk, &code, "confirm-payment", json!({"version": 8}))
        .await;
    assert_eq!(
        (status, d["stage"].as_str()),
        (StatusCode::OK, Some("processing")),
        "{d}"
    );
    let due: i64 = p
        .app
        .db
        .dossier_by_code(&code)
        .await
        .unwrap()
        .unwrap()
        .due_at
        .unwrap();
    let later = due + 3 * 86_400_000_000;
    let (status, d) = p
        .act(
            &officer,
            &code,
            "propose-extension",
            json!({"version": 9, "reason": "Chờ xác minh", "due": later}),
        )
        .await;
    assert_eq!(
        (status, d["extended"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{d}"
    );
    assert!(d["original_due"].is_string());
    // Once only.
    let (status, d) = p
        .act(
            &officer,
            &code,
            "propose-extension",
            json!({"version": 10, "reason": "Lần nữa", "due": later + 86_400_000_000}),
        )
        .await;
    assert_eq!(
        (status, d["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("due")),
        "{d}"
    );
    let events = p
        .get(&officer, &format!("/api/v1/dossiers/{code}/events"))
        .await
        .1;
    assert_eq!(events.as_array().unwrap().len(), 10);
    assert_eq!(p.app.db.verify_chains().await.unwrap().0, vec![]);
}

/// Receipts sent together are numbered and written together, whatever desk they come from:
/// each desk's day goes on 1, 2, 3 … with no number twice or skipped.
async fn fifty_parallel_receipts_get_fifty_consecutive_codes(backend: Backend) {
    let p = Province::new(backend).await;
    let desks = [p.cookie("motcua").await, p.cookie("motcua.khac").await];
    let mut tasks = Vec::new();
    for i in 0..50 {
        // Each applicant named apart, to see that each answer is its own request's dossier.
        let mut application = application(&["Tờ khai đăng ký khai sinh"]);
        application["applicant"]["name"] = json!(format!("Người nộp {i}"));
        let body = json!({"action": "receive", "application": application}).to_string();
        let (client, url, base, cookie) = (
            p.app.client.clone(),
            p.app.url("/api/v1/dossiers"),
            p.app.base.clone(),
            desks[i % 5 / 4].clone(),
        );
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .header("origin", base)
                .header("cookie", cookie)
                .header("content-type", "application/json")
                .header("idempotency-key", format!("k{i}"))
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let d: Value = response.json().await.unwrap();
            assert_eq!(d["applicant_name"], format!("Người nộp {i}"));
            d["code"].as_str().unwrap().to_string()
        }));
    }
    let mut numbers = std::collections::BTreeMap::<String, Vec<u32>>::new();
    for t in tasks {
        let code = t.await.unwrap();
        let (desk, number) = code.split_once('-').unwrap();
        let number = number.rsplit('-').next().unwrap().parse::<u32>().unwrap();
        numbers.entry(desk.to_string()).or_default().push(number);
    }
    for n in numbers.values_mut() {
        n.sort();
    }
    assert_eq!(
        numbers,
        [
            ("H99.31".to_string(), (1..=40).collect::<Vec<u32>>()),
            ("H99.32".to_string(), (1..=10).collect::<Vec<u32>>()),
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(p.app.db.verify_chains().await.unwrap().0, vec![]);
}

/// Receipts sent together are written together; when two of them carry the same key (a retry
/// racing its original), the group falls back to one at a time: each key makes one dossier, both
/// of its requests answer with it, and no number is taken by the rolled-back group.
async fn racing_retries_in_parallel_make_one_dossier_each_and_skip_no_number(backend: Backend) {
    let p = Province::new(backend).await;
    let desk = p.cookie("motcua").await;
    let body =
        json!({"action": "receive", "application": application(&["Tờ khai đăng ký khai sinh"])})
            .to_string();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (client, url, base, cookie, body) = (
            p.app.client.clone(),
            p.app.url("/api/v1/dossiers"),
            p.app.base.clone(),
            desk.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .header("origin", base)
                .header("cookie", cookie)
                .header("content-type", "application/json")
                .header("idempotency-key", format!("k{}", i / 2))
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            assert!(
                status == StatusCode::CREATED || status == StatusCode::OK,
                "{status}"
            );
            let d: Value = response.json().await.unwrap();
            (i / 2, d["code"].as_str().unwrap().to_string())
        }));
    }
    let mut by_key = std::collections::BTreeMap::<usize, Vec<String>>::new();
    for t in tasks {
        let (key, code) = t.await.unwrap();
        by_key.entry(key).or_default().push(code);
    }
    let mut numbers = Vec::new();
    for (key, codes) in &by_key {
        assert_eq!(codes[0], codes[1], "both requests with key k{key}");
        numbers.push(codes[0].rsplit('-').next().unwrap().parse::<u32>().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=20).collect::<Vec<u32>>());
    assert_eq!(p.app.db.verify_chains().await.unwrap().0, vec![]);
}
