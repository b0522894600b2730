//! The applicant's phone told that the result is ready: by SMS through the province's gateway,
//! or on Zalo through ZNS with its renewed tokens. A provider on this machine (HTTP on a random
//! port) answers as the real ones do and records what it was sent.

use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use motcua_calendar::Instant;
use motcua_store::testing::TestDb;
use motcua_store::{Backend, Db, NewMessage};
use motcua_web::jobs::{self, DeliveryReport, JobConfig};
use motcua_web::notifier::{Notifiers, SmsGateway, SmsSettings, ZaloSettings, ZaloZns, zalo_body};
use serde_json::{Value, json};

use crate::alerts::{at, insert, province, result_ready};
use crate::on_both_backends;

on_both_backends!(
    sms_go_through_the_gateway_once_each,
    zalo_renews_its_tokens_once_for_every_process,
);

const CODE: &str = "H99.31-260302-0001";
const NOW: &str = "2026-03-10 09:00";
/// A number Zalo answers has no account.
const NO_ZALO: &str = "84977000111";

/// What the provider was sent and how it answers next.
#[derive(Default)]
struct Provider {
    /// (headers that matter, body) of each request, in order.
    requests: Vec<(Vec<(String, String)>, Value)>,
    /// Status codes for the next SMS, first first; then 200.
    sms_answers: Vec<u16>,
    /// Zalo's pairs: refresh token → (access token, next refresh token).
    pairs: Vec<(String, String, String)>,
    /// Access tokens Zalo takes.
    valid: Vec<String>,
    renewals: usize,
}

type Shared = Arc<Mutex<Provider>>;

fn kept(headers: &HeaderMap) -> Vec<(String, String)> {
    ["authorization", "access_token", "secret_key"]
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)
                .map(|v| (name.to_string(), v.to_str().unwrap().to_string()))
        })
        .collect()
}

async fn sms(State(p): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> StatusCode {
    let mut p = p.lock().unwrap();
    p.requests.push((kept(&headers), body));
    let status = if p.sms_answers.is_empty() {
        200
    } else {
        p.sms_answers.remove(0)
    };
    StatusCode::from_u16(status).unwrap()
}

async fn zalo_token(
    State(p): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Json<Value> {
    let mut p = p.lock().unwrap();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        kept(&headers),
        [("secret_key".into(), "khoa-ung-dung-91c2".into())]
    );
    assert_eq!(
        (field("app_id"), field("grant_type")),
        ("3001".into(), "refresh_token".into())
    );
    let refresh = field("refresh_token");
    let Some(i) = p.pairs.iter().position(|(r, _, _)| *r == refresh) else {
        return Json(
            json!({"error": -14014, "error_name": "Invalid refresh token",
            "error_description": "refresh token không hợp lệ"}),
        );
    };
    // A refresh token serves once.
    let (_, access, next) = p.pairs.remove(i);
    p.valid.push(access.clone());
    p.renewals += 1;
    Json(json!({"access_token": access, "refresh_token": next, "expires_in": "90000"}))
}

async fn zalo_send(
    State(p): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Json<Value> {
    let mut p = p.lock().unwrap();
    let token = headers
        .get("access_token")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let no_zalo = body["phone"] == NO_ZALO;
    p.requests.push((kept(&headers), body));
    if no_zalo {
        Json(json!({"error": -118, "message": "Zalo account not existed or inactive"}))
    } else if p.valid.contains(&token) {
        Json(json!({"error": 0, "message": "Success", "data": {"msg_id": "m1"}}))
    } else {
        Json(json!({"error": -124, "message": "Access token is invalid"}))
    }
}

/// The provider on a random port.
async fn provider(state: Shared) -> String {
    let app = Router::new()
        .route("/gui-tin", post(sms))
        .route("/v4/oa/access_token", post(zalo_token))
        .route("/message/template", post(zalo_send))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// A dossier whose result is ready, scanned: its messages queued.
async fn queue_notices(db: &Db, config: &JobConfig) {
    let (minh_son, _) = province(db).await;
    insert(db, &result_ready(minh_son)).await;
    let time = crate::support::test_working_time().current();
    let report = jobs::scan(db, &time, config, Instant(at(NOW)))
        .await
        .unwrap();
    assert_eq!(report.queued, 2);
}

async fn deliver(db: &Db, notifiers: &Notifiers, at_time: i64) -> DeliveryReport {
    jobs::deliver(db, notifiers, "p1", Instant(at_time))
        .await
        .unwrap()
}

/// An hour after now: a failed message is tried again by then (the outbox counts from the
/// instant of the failure, on the clock).
fn later() -> i64 {
    motcua_store::migrate::now_micros() + 3_600_000_000
}

/// A Zalo message for dossier `code`, with its SMS in reserve.
fn zalo_message(code: &str) -> String {
    let values = serde_json::Map::from_iter([("ma_ho_so".to_string(), json!(code))]);
    zalo_body(values, &format!("Hồ sơ {code} đã có kết quả."))
}

async fn enqueue(db: &Db, channel: &'static str, recipient: &str, body: &str) {
    let mut tx = db.begin().await.unwrap();
    tx.enqueue(
        &NewMessage {
            channel,
            recipient: recipient.into(),
            subject: String::new(),
            body: body.into(),
            dossier_code: None,
        },
        at(NOW),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn sms_go_through_the_gateway_once_each(backend: Backend) {
    let fresh = TestDb::new(backend).await;
    let db = &fresh.db;
    queue_notices(db, &JobConfig::default()).await;
    // A landline cannot take an SMS; a number the gateway refuses (400) is not tried again.
    enqueue(db, "sms", "024 3345 6789", "Thử").await;
    enqueue(db, "sms", "0987654321", "Thử").await;
    let state: Shared = Arc::default();
    // The first attempt finds the gateway busy; the one to 0987654321 is refused.
    state.lock().unwrap().sms_answers = vec![503, 400];
    let base = provider(state.clone()).await;
    let gateway = SmsGateway::new(SmsSettings {
        url: format!("{base}/gui-tin"),
        token: "ma-bi-mat-7f3a".into(),
        sender: "UBND MINHSON".into(),
        unaccented: true,
    })
    .unwrap();
    let notifiers = Notifiers::new(None, Some(gateway), None);

    let report = deliver(db, &notifiers, at(NOW)).await;
    assert_eq!(
        (
            report.claimed,
            report.sent,
            report.retrying,
            report.given_up
        ),
        (3, 0, 1, 2),
        "{report:?}"
    );
    let messages = db.outbox_messages(None).await.unwrap();
    let by = |to: &str| messages.iter().find(|m| m.recipient == to).unwrap();
    let notice = by("0912345678");
    assert!(notice.last_error.as_deref().unwrap().contains("503"));
    let landline = by("024 3345 6789");
    assert_eq!(landline.next_attempt_at, None);
    assert!(
        landline
            .last_error
            .as_deref()
            .unwrap()
            .contains("không phải số di động Việt Nam")
    );
    assert!(
        by("0987654321")
            .last_error
            .as_deref()
            .unwrap()
            .contains("400")
    );

    // Later the gateway takes it: the same message, under the same id.
    let retried = deliver(db, &notifiers, later()).await;
    assert_eq!((retried.claimed, retried.sent), (1, 1), "{retried:?}");
    let requests = state.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 3, "the landline never reached the gateway");
    let (headers, first) = &requests[0];
    let (_, again) = &requests[2];
    assert_eq!(first, again);
    assert_eq!(
        headers,
        &[(
            "authorization".to_string(),
            "Bearer ma-bi-mat-7f3a".to_string()
        )]
    );
    let id = format!("motcua-{}-{}", notice.id, notice.created_at);
    assert_eq!(
        first,
        &json!({
            "id": id,
            "to": "84912345678",
            "sender": "UBND MINHSON",
            "text": "He thong mot cua dien tu: Ho so H99.31-260302-0001 da co ket qua. \
                     Moi Ong/Ba nhan ket qua tai Bo phan Mot cua cua Uy ban nhan dan Phuong Minh \
                     Son hoac theo hinh thuc da dang ky khi nop ho so."
        })
    );
    let sent = db.outbox_messages(Some(CODE)).await.unwrap();
    let sms = sent.iter().find(|m| m.channel == "sms").unwrap();
    assert!(sms.sent_at.is_some() && sms.next_attempt_at.is_none());
}

fn zalo(base: &str, refresh_token: &str) -> ZaloZns {
    ZaloZns::new(ZaloSettings {
        app_id: "3001".into(),
        secret_key: "khoa-ung-dung-91c2".into(),
        refresh_token: refresh_token.into(),
        template_id: "246810".into(),
        send_url: format!("{base}/message/template"),
        token_url: format!("{base}/v4/oa/access_token"),
    })
    .unwrap()
}

async fn zalo_renews_its_tokens_once_for_every_process(backend: Backend) {
    let fresh = TestDb::new(backend).await;
    let db = &fresh.db;
    let config = JobConfig {
        phones_on_zalo: true,
        ..JobConfig::default()
    };
    queue_notices(db, &config).await;
    // On Zalo, not by SMS; the message holds the template's values.
    let queued = db.outbox_messages(Some(CODE)).await.unwrap();
    let channels: Vec<&str> = queued.iter().map(|m| m.channel.as_str()).collect();
    assert_eq!(channels, ["email", "zalo"]);
    let reserve: Value = serde_json::from_str(&queued[1].body).unwrap();
    assert!(
        reserve["sms"]
            .as_str()
            .unwrap()
            .starts_with("Hệ thống một cửa điện tử: Hồ sơ H99.31-260302-0001 đã có kết quả."),
        "{reserve}"
    );
    let state: Shared = Arc::default();
    state.lock().unwrap().pairs = vec![
        ("R0".into(), "A1".into(), "R1".into()),
        ("R1".into(), "A2".into(), "R2".into()),
        ("S0".into(), "B1".into(), "S1".into()),
    ];
    let base = provider(state.clone()).await;
    let first = Notifiers::new(None, None, Some(zalo(&base, "R0")));

    // The first message renews the configured refresh token and keeps the new pair.
    let report = deliver(db, &first, at(NOW)).await;
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    let stored = db.provider_token("zalo").await.unwrap().unwrap();
    assert_eq!(
        (stored.access_token.as_str(), stored.refresh_token.as_str()),
        ("A1", "R1")
    );
    let message = queued.iter().find(|m| m.channel == "zalo").unwrap();
    {
        let p = state.lock().unwrap();
        assert_eq!(p.renewals, 1);
        let (headers, body) = &p.requests[0];
        assert_eq!(headers, &[("access_token".to_string(), "A1".to_string())]);
        assert_eq!(
            body,
            &json!({
                "phone": "84912345678",
                "template_id": "246810",
                "template_data": {
                    "ma_ho_so": CODE,
                    "ten_nguoi_nop": "Nguyễn Thị Hoà",
                    "noi_tra": "Ủy ban nhân dân Phường Minh Sơn",
                    "thoi_gian": "10/03/2026 08:30",
                },
                "tracking_id": format!("motcua-{}-{}", message.id, message.created_at),
            })
        );
    }

    // Another process uses the pair kept in the database: no second renewal.
    enqueue(
        db,
        "zalo",
        "0987654321",
        &zalo_message("H99.31-260302-0002"),
    )
    .await;
    let second = Notifiers::new(None, None, Some(zalo(&base, "R0")));
    let report = deliver(db, &second, at(NOW)).await;
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    assert_eq!(state.lock().unwrap().renewals, 1);

    // Zalo stops taking A1: the message waits, and the next attempt renews with R1.
    state.lock().unwrap().valid.clear();
    enqueue(
        db,
        "zalo",
        "0987654321",
        &zalo_message("H99.31-260302-0003"),
    )
    .await;
    let report = deliver(db, &second, at(NOW)).await;
    assert_eq!((report.claimed, report.retrying), (1, 1), "{report:?}");
    let waiting = db.outbox_messages(None).await.unwrap();
    let waiting = waiting
        .iter()
        .find(|m| m.channel == "zalo" && m.sent_at.is_none())
        .unwrap();
    assert!(
        waiting
            .last_error
            .as_deref()
            .unwrap()
            .contains("mã truy cập"),
        "{:?}",
        waiting.last_error
    );
    let report = deliver(db, &second, later()).await;
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    let stored = db.provider_token("zalo").await.unwrap().unwrap();
    assert_eq!(
        (stored.access_token.as_str(), stored.refresh_token.as_str()),
        ("A2", "R2")
    );
    assert_eq!(state.lock().unwrap().renewals, 2);

    // A new refresh token configured starts a new chain.
    enqueue(
        db,
        "zalo",
        "0987654321",
        &zalo_message("H99.31-260302-0004"),
    )
    .await;
    let reconfigured = Notifiers::new(None, None, Some(zalo(&base, "S0")));
    let report = deliver(db, &reconfigured, later()).await;
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    let stored = db.provider_token("zalo").await.unwrap().unwrap();
    assert_eq!(stored.access_token, "B1");

    // A refresh token Zalo does not know: the message waits, saying why.
    enqueue(
        db,
        "zalo",
        "0987654321",
        &zalo_message("H99.31-260302-0005"),
    )
    .await;
    let unknown = Notifiers::new(None, None, Some(zalo(&base, "X0")));
    let report = deliver(db, &unknown, later()).await;
    assert_eq!((report.claimed, report.retrying), (1, 1), "{report:?}");
    let messages = db.outbox_messages(None).await.unwrap();
    let refused = messages
        .iter()
        .find(|m| m.channel == "zalo" && m.sent_at.is_none())
        .unwrap();
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap()
            .contains("không gia hạn được mã truy cập Zalo"),
        "{:?}",
        refused.last_error
    );

    // A number without Zalo: given up at once, and the same news goes by SMS instead.
    enqueue(
        db,
        "zalo",
        "0977 000 111",
        &zalo_message("H99.31-260302-0006"),
    )
    .await;
    let report = deliver(db, &reconfigured, later()).await;
    assert_eq!((report.claimed, report.given_up), (1, 1), "{report:?}");
    let messages = db.outbox_messages(None).await.unwrap();
    let given_up = messages
        .iter()
        .find(|m| m.recipient == "0977 000 111" && m.channel == "zalo")
        .unwrap();
    assert_eq!(given_up.next_attempt_at, None);
    assert!(
        given_up.last_error.as_deref().unwrap().contains("-118"),
        "{:?}",
        given_up.last_error
    );
    let instead: Vec<_> = messages
        .iter()
        .filter(|m| m.channel == "sms")
        .map(|m| (m.recipient.as_str(), m.body.as_str(), m.attempts))
        .collect();
    assert_eq!(
        instead,
        [("0977 000 111", "Hồ sơ H99.31-260302-0006 đã có kết quả.", 0)]
    );
}
