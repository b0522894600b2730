//! The deadline job through the store, on both backends: which dossiers get which alert (paused
//! ones are not due soon), once per due date and again when the date moves, and to whom; e-mail
//! sent through a real SMTP conversation, kept queued while e-mail is not configured; and the
//! served binary sending a notice on its own.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use motcua_calendar::Instant;
use motcua_domain::dossier::{Applicant, Application, Channel, Dossier, Event, Stage};
use motcua_store::testing::TestDb;
use motcua_store::{Backend, Db, EventBatch, NewAgency, NewDossier, NewUser, Projection};
use motcua_web::jobs::{self, JobConfig, ScanReport};
use motcua_web::notifier::{Notifiers, SmtpNotifier};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::on_both_backends;
use crate::support::{listing, motcua, stderr_lines};

on_both_backends!(
    the_job_alerts_each_dossier_once_per_due_date,
    email_goes_over_smtp_and_waits_while_not_configured,
    two_processes_raise_each_alert_once_and_send_each_message_once,
);

const AGENCY_MAIL: &str = "vanthu@minhson.example.vn";
const OFFICER_MAIL: &str = "chuyenvien@minhson.example.vn";
const APPLICANT_MAIL: &str = "hoa.nguyen@example.vn";

pub(crate) fn at(text: &str) -> i64 {
    Instant::parse_local(text).unwrap().0
}

/// A commune committee with an e-mail (H99.31), one without (H99.32), an officer with an e-mail
/// and one without.
pub(crate) async fn province(db: &Db) -> (i64, i64) {
    db.migrate().await.unwrap();
    let unit = motcua_store::testing::unit(
        db,
        "99101",
        "Phường Minh Sơn",
        "ward",
        None,
        "2025-07-01",
        None,
    )
    .await;
    let mut tx = db.begin().await.unwrap();
    let mut ids = Vec::new();
    for (name, identifier, email) in [
        ("Ủy ban nhân dân Phường Minh Sơn", "H99.31", AGENCY_MAIL),
        ("Ủy ban nhân dân Xã An Thịnh", "H99.32", ""),
    ] {
        ids.push(
            tx.insert_agency(&NewAgency {
                name,
                kind: "commune_committee",
                unit_id: unit,
                parent_id: None,
                identifier,
                address: "",
                phone: "",
                email,
                valid_from: "2025-07-01",
                valid_until: None,
            })
            .await
            .unwrap(),
        );
    }
    for (login, email) in [("chuyenvien", OFFICER_MAIL), ("khongthu", "")] {
        tx.insert_user(&NewUser {
            login,
            kind: "staff",
            full_name: "Trần Văn Bình",
            position: "Chuyên viên",
            agency_id: Some(ids[0]),
            phone: "",
            email,
            password_hash: "x",
            must_change_password: false,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    (ids[0], ids[1])
}

/// What a test dossier is: its stage and dates, who holds it, where.
pub(crate) struct Case {
    code: &'static str,
    stage: Stage,
    due: Option<&'static str>,
    paused_since: Option<&'static str>,
    finished_at: Option<i64>,
    assignee: Option<&'static str>,
    agency: (i64, &'static str),
}

fn dossier(case: &Case) -> Dossier {
    let application = Application {
        procedure: "1.001612".into(),
        procedure_version: 1,
        applicant: Applicant {
            kind: "person".into(),
            name: "Nguyễn Thị Hoà".into(),
            id_number: "001190000001".into(),
            address: "Số 5, đường Lê Lợi".into(),
            phone: "0912345678".into(),
            email: APPLICANT_MAIL.into(),
            representative: String::new(),
        },
        components: Vec::new(),
        sets: 1,
        desk_agency: case.agency.1.into(),
        deciding_agency: case.agency.1.into(),
        served_at: String::new(),
        note: String::new(),
    };
    let opened = Event::Opened {
        application: Box::new(application),
        channel: Channel::Counter,
    };
    let mut d = Dossier::open(&opened, at("2026-03-02 08:00")).unwrap();
    d.stage = case.stage;
    d.received_at = Some(at("2026-03-02 08:00"));
    d.due = case.due.map(at);
    d.paused_since = case.paused_since.map(at);
    d.finished_at = case.finished_at;
    d.assignee = case.assignee.map(str::to_string);
    d
}

/// H99.31-260302-0001 of Phường Minh Sơn, whose result was ready at 08:30 on 10 March 2026.
pub(crate) fn result_ready(minh_son: i64) -> Case {
    Case {
        code: "H99.31-260302-0001",
        stage: Stage::Done,
        due: Some("2026-03-11 17:00"),
        paused_since: None,
        finished_at: Some(at("2026-03-10 08:30")),
        assignee: None,
        agency: (minh_son, "H99.31"),
    }
}

pub(crate) async fn insert(db: &Db, case: &Case) -> i64 {
    let d = dossier(case);
    let state = serde_json::to_string(&d).unwrap();
    let opened = Event::Opened {
        application: Box::new(d.application.clone()),
        channel: Channel::Counter,
    };
    let batch = EventBatch::new(&[opened], d.submitted_at, "motcua", "desk_officer");
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .insert_dossier(
            &NewDossier {
                code: case.code,
                lookup_hash: "h",
                created_by: "motcua",
                idempotency_key: None,
                procedure_code: "1.001612",
                procedure_version: 1,
                sector: "HT",
                level: "commune",
                desk_agency_id: case.agency.0,
                deciding_agency_id: case.agency.0,
                channel: "counter",
                applicant_login: None,
            },
            &Projection::of(&d, &state),
            &batch.events(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn scan(db: &Db, now: &str) -> ScanReport {
    let time = crate::support::test_working_time().current();
    jobs::scan(db, &time, &JobConfig::default(), Instant(at(now)))
        .await
        .unwrap()
}

/// The kinds of alert raised for a dossier, with the due date each was raised for.
async fn alerts(db: &Db, code: &str) -> Vec<(String, String)> {
    let row = db.dossier_by_code(code).await.unwrap().unwrap();
    db.alerts_of(row.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.kind, Instant(a.due_at).vn()))
        .collect()
}

/// (channel, recipient, subject) of the messages about a dossier.
async fn outbox(db: &Db, code: &str) -> Vec<(String, String, String)> {
    db.outbox_messages(Some(code))
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.channel, m.recipient, m.subject))
        .collect()
}

fn pair(kind: &str, due: &str) -> (String, String) {
    (kind.to_string(), due.to_string())
}

fn mail(to: &str, subject: &str) -> (String, String, String) {
    ("email".to_string(), to.to_string(), subject.to_string())
}

/// Tuesday 10 March 2026, 09:00, and the days after it.
async fn the_job_alerts_each_dossier_once_per_due_date(backend: Backend) {
    let fresh = TestDb::new(backend).await;
    let db = &fresh.db;
    let (minh_son, an_thinh) = province(db).await;
    let (a, b) = ((minh_son, "H99.31"), (an_thinh, "H99.32"));
    let case = |code, stage, due, paused_since, assignee, agency| Case {
        code,
        stage,
        due,
        paused_since,
        finished_at: None,
        assignee,
        agency,
    };
    let paused = Some("2026-03-05 10:00");
    let cases = [
        // Due tomorrow, with its officer: due soon, to the officer.
        case(
            "A-01",
            Stage::Processing,
            Some("2026-03-11 17:00"),
            None,
            Some("chuyenvien"),
            a,
        ),
        // Due yesterday, at the desk with nobody named: overdue, to the agency.
        case(
            "A-02",
            Stage::Received,
            Some("2026-03-09 17:00"),
            None,
            None,
            a,
        ),
        // Due next Monday: nothing yet.
        case(
            "A-03",
            Stage::Processing,
            Some("2026-03-16 17:00"),
            None,
            Some("chuyenvien"),
            a,
        ),
        // Paused for a supplement, due tomorrow: not due soon while the clock stands.
        case(
            "A-04",
            Stage::SupplementRequested,
            Some("2026-03-11 17:00"),
            paused,
            Some("chuyenvien"),
            a,
        ),
        // Paused for a payment, but it was overdue before the pause: overdue.
        case(
            "A-05",
            Stage::PaymentRequested,
            Some("2026-03-04 17:00"),
            paused,
            Some("chuyenvien"),
            a,
        ),
        // Handed back to the applicant: no deadline watched.
        case(
            "A-07",
            Stage::Returned,
            Some("2026-03-09 17:00"),
            None,
            None,
            a,
        ),
        // Due tomorrow at an agency without an e-mail: raised, but nobody to tell.
        case(
            "B-08",
            Stage::Processing,
            Some("2026-03-11 17:00"),
            None,
            None,
            b,
        ),
        // Its officer has no e-mail: the agency is told.
        case(
            "A-10",
            Stage::WithdrawalRequested,
            Some("2026-03-11 17:00"),
            None,
            Some("khongthu"),
            a,
        ),
    ];
    for c in &cases {
        insert(db, c).await;
    }
    // Results: one ready this morning, one four days ago (before the job's window).
    for (code, finished) in [("A-06", "2026-03-10 08:30"), ("A-09", "2026-03-06 08:30")] {
        insert(
            db,
            &Case {
                finished_at: Some(at(finished)),
                ..case(code, Stage::Done, Some("2026-03-11 17:00"), None, None, a)
            },
        )
        .await;
    }

    let first = scan(db, "2026-03-10 09:00").await;
    assert_eq!(
        (first.raised, first.queued, first.unaddressed),
        (6, 6, 1),
        "{first:?}"
    );
    assert_eq!(
        alerts(db, "A-01").await,
        [pair("due_soon", "11/03/2026 17:00")]
    );
    assert_eq!(
        outbox(db, "A-01").await,
        [mail(
            OFFICER_MAIL,
            "Hồ sơ A-01 sắp đến hạn giải quyết (11/03/2026 17:00)"
        )]
    );
    assert_eq!(
        alerts(db, "A-02").await,
        [pair("overdue", "09/03/2026 17:00")]
    );
    assert_eq!(
        outbox(db, "A-02").await,
        [mail(
            AGENCY_MAIL,
            "Hồ sơ A-02 đã quá hạn giải quyết (09/03/2026 17:00)"
        )]
    );
    for quiet in ["A-03", "A-04", "A-07", "A-09"] {
        assert!(alerts(db, quiet).await.is_empty(), "{quiet}");
        assert!(outbox(db, quiet).await.is_empty(), "{quiet}");
    }
    assert_eq!(
        alerts(db, "A-05").await,
        [pair("overdue", "04/03/2026 17:00")]
    );
    assert_eq!(
        alerts(db, "A-06").await,
        [pair("result_ready", "10/03/2026 08:30")]
    );
    assert_eq!(
        outbox(db, "A-06").await,
        [
            mail(APPLICANT_MAIL, "Hồ sơ A-06 đã có kết quả"),
            ("sms".into(), "0912345678".into(), String::new()),
        ]
    );
    assert_eq!(
        alerts(db, "B-08").await,
        [pair("due_soon", "11/03/2026 17:00")]
    );
    assert!(outbox(db, "B-08").await.is_empty());
    assert_eq!(outbox(db, "A-10").await[0].1, AGENCY_MAIL);
    // The officer's message says what, when and what to do, in Vietnamese.
    let body = &db.outbox_messages(Some("A-01")).await.unwrap()[0].body;
    for part in [
        "Kính gửi cán bộ xử lý hồ sơ,",
        "Hồ sơ A-01 của Nguyễn Thị Hoà (thủ tục 1.001612) sắp đến hạn giải quyết.",
        "Hạn giải quyết: 11/03/2026 17:00",
        "Tình trạng: Đang xử lý",
        "Cơ quan giải quyết: Ủy ban nhân dân Phường Minh Sơn",
        "(Mẫu 04)",
        "Hệ thống một cửa điện tử",
    ] {
        assert!(body.contains(part), "{part:?} not in {body}");
    }

    // Every later look, by this process or another, finds nothing new.
    let again = scan(db, "2026-03-10 09:00").await;
    assert_eq!((again.raised, again.queued), (0, 0), "{again:?}");
    assert_eq!(scan(db, "2026-03-10 16:59").await.raised, 0);

    // A-01's due date moves to Friday (an apology with a new date, Mẫu 04).
    extend(db, "A-01", "2026-03-13 17:00").await;
    assert_eq!(scan(db, "2026-03-10 10:00").await.raised, 0);
    // Thursday: A-01 is due soon again, for its new date; A-10 and B-08 are overdue.
    let thursday = scan(db, "2026-03-12 09:00").await;
    assert_eq!(
        (thursday.raised, thursday.unaddressed),
        (3, 1),
        "{thursday:?}"
    );
    assert_eq!(
        alerts(db, "A-01").await,
        [
            pair("due_soon", "11/03/2026 17:00"),
            pair("due_soon", "13/03/2026 17:00")
        ]
    );
    assert_eq!(
        outbox(db, "A-01").await[1].2,
        "Hồ sơ A-01 sắp đến hạn giải quyết (13/03/2026 17:00)"
    );
    assert_eq!(
        alerts(db, "A-10").await,
        [
            pair("due_soon", "11/03/2026 17:00"),
            pair("overdue", "11/03/2026 17:00")
        ]
    );
    // Monday: A-01 is overdue for its new date; A-03 is due today.
    let monday = scan(db, "2026-03-16 09:00").await;
    assert_eq!(monday.raised, 2, "{monday:?}");
    assert_eq!(
        alerts(db, "A-01").await[2],
        pair("overdue", "13/03/2026 17:00")
    );
    assert_eq!(
        alerts(db, "A-03").await,
        [pair("due_soon", "16/03/2026 17:00")]
    );
    // Alerts and their messages came in pairs: nothing was queued twice.
    let all = db.outbox_messages(None).await.unwrap();
    assert_eq!(all.len(), 6 + 2 + 2);
}

/// Moves a dossier's due date as an extension (Mẫu 04) does: an event and the projection.
async fn extend(db: &Db, code: &str, due: &str) {
    let row = db.dossier_by_code(code).await.unwrap().unwrap();
    let mut d: Dossier = serde_json::from_str(&row.state).unwrap();
    let event = Event::ExtensionProposed {
        reason: "Cần xác minh thêm".into(),
        previous_due: d.due.unwrap(),
        due: at(due),
    };
    let when = at("2026-03-10 09:30");
    d.evolve(&event, when);
    let state = serde_json::to_string(&d).unwrap();
    let batch = EventBatch::new(&[event], when, "lanhdao", "approver");
    let mut tx = db.begin().await.unwrap();
    tx.append_events(
        row.id,
        row.version,
        &Projection::of(&d, &state),
        &batch.events(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn email_goes_over_smtp_and_waits_while_not_configured(backend: Backend) {
    let fresh = TestDb::new(backend).await;
    let db = &fresh.db;
    let (minh_son, _) = province(db).await;
    let now = "2026-03-10 09:00";
    insert(db, &result_ready(minh_son)).await;
    assert_eq!(scan(db, now).await.queued, 2);

    // Nothing configured: nothing sent, nothing lost; each message says why it waits.
    let unconfigured = Notifiers::new(None, None, None);
    let report = jobs::deliver(db, &unconfigured, "p1", Instant(at(now)))
        .await
        .unwrap();
    assert_eq!(report.claimed, 0);
    let waiting = db.outbox_messages(None).await.unwrap();
    assert_eq!(waiting.len(), 2);
    for m in &waiting {
        assert_eq!((m.attempts, m.sent_at), (0, None), "{m:?}");
        assert!(m.next_attempt_at.is_some());
    }
    let why = |channel: &str| {
        waiting
            .iter()
            .find(|m| m.channel == channel)
            .and_then(|m| m.last_error.clone())
            .unwrap()
    };
    assert!(
        why("email").contains("Chưa cấu hình máy chủ thư"),
        "{}",
        why("email")
    );
    assert!(
        why("sms").contains("Chưa cấu hình tổng đài SMS"),
        "{}",
        why("sms")
    );

    // Two more messages: one to an address the server refuses for good (550), one it asks to
    // try later (451).
    let mut tx = db.begin().await.unwrap();
    for to in ["khong-ton-tai@example.vn", "ban@example.vn"] {
        tx.enqueue(
            &motcua_store::NewMessage {
                channel: "email",
                recipient: to.into(),
                subject: "Thử".into(),
                body: "Thử".into(),
                dossier_code: None,
            },
            at(now),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    // An SMTP server: the e-mails go out, intact.
    let (port, mut received) = smtp_server().await;
    let smtp = SmtpNotifier::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Hệ thống một cửa điện tử <motcua@minhson.example.vn>",
    )
    .unwrap();
    let notifiers = Notifiers::new(Some(smtp), None, None);
    let report = jobs::deliver(db, &notifiers, "p1", Instant(at(now)))
        .await
        .unwrap();
    assert_eq!(
        (
            report.claimed,
            report.sent,
            report.retrying,
            report.given_up
        ),
        (3, 1, 1, 1),
        "{report:?}"
    );
    let got = received.recv().await.unwrap();
    let queued = &db
        .outbox_messages(Some("H99.31-260302-0001"))
        .await
        .unwrap()[0];
    assert_eq!(got.mail_from, "motcua@minhson.example.vn");
    assert_eq!(got.rcpt_to, [APPLICANT_MAIL]);
    let (headers, body) = parse_message(&got.data);
    assert_eq!(
        header(&headers, "Subject"),
        "Hồ sơ H99.31-260302-0001 đã có kết quả"
    );
    assert_eq!(header(&headers, "To"), APPLICANT_MAIL);
    assert_eq!(
        header(&headers, "From"),
        "Hệ thống một cửa điện tử <motcua@minhson.example.vn>"
    );
    assert_eq!(body, queued.body);
    for part in [
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,",
        "đã được giải quyết xong lúc 10/03/2026 08:30.",
        "Bộ phận Một cửa của Ủy ban nhân dân Phường Minh Sơn",
    ] {
        assert!(body.contains(part), "{part:?} not in {body}");
    }
    assert!(queued.sent_at.is_some() && queued.next_attempt_at.is_none());
    assert_eq!(queued.last_error, None);
    let all = db.outbox_messages(None).await.unwrap();
    let by = |to: &str| all.iter().find(|m| m.recipient == to).unwrap().clone();
    let refused = by("khong-ton-tai@example.vn");
    assert_eq!((refused.attempts, refused.next_attempt_at), (1, None));
    assert!(refused.last_error.unwrap().contains("550"));
    let busy = by("ban@example.vn");
    assert_eq!(busy.attempts, 1);
    assert!(busy.next_attempt_at.is_some() && busy.sent_at.is_none());
    assert!(busy.last_error.unwrap().contains("451"));
    // The SMS still waits for a provider.
    let sms = by("0912345678");
    assert_eq!((sms.attempts, sms.sent_at), (0, None));
    // Sent is sent: another round finds nothing to send now.
    let again = jobs::deliver(db, &notifiers, "p2", Instant(at(now)))
        .await
        .unwrap();
    assert_eq!(again.claimed, 0);
}

/// Two processes run the job over one database at the same moment.
async fn two_processes_raise_each_alert_once_and_send_each_message_once(backend: Backend) {
    let fresh = TestDb::new(backend).await;
    let db = &fresh.db;
    let (minh_son, _) = province(db).await;
    let now = "2026-03-10 09:00";
    for i in 1..=12 {
        let code: &'static str = Box::leak(format!("H99.31-260302-{i:04}").into_boxed_str());
        insert(
            db,
            &Case {
                code,
                stage: Stage::Done,
                due: None,
                paused_since: None,
                finished_at: Some(at("2026-03-10 08:30")),
                assignee: None,
                agency: (minh_son, "H99.31"),
            },
        )
        .await;
    }
    let scans: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let time = crate::support::test_working_time().current();
                jobs::scan(&db, &time, &JobConfig::default(), Instant(at(now)))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut raised = 0;
    for s in scans {
        raised += s.await.unwrap().raised;
    }
    assert_eq!(raised, 12);
    assert_eq!(db.outbox_messages(None).await.unwrap().len(), 24);

    let (port, mut received) = smtp_server().await;
    let senders: Vec<_> = ["p1", "p2"]
        .into_iter()
        .map(|owner| {
            let db = db.clone();
            tokio::spawn(async move {
                let smtp = SmtpNotifier::new(
                    &format!("smtp://127.0.0.1:{port}"),
                    "motcua@minhson.example.vn",
                )
                .unwrap();
                let notifiers = Notifiers::new(Some(smtp), None, None);
                let mut sent = 0;
                loop {
                    let r = jobs::deliver(&db, &notifiers, owner, Instant(at(now)))
                        .await
                        .unwrap();
                    if r.claimed == 0 {
                        break sent;
                    }
                    sent += r.sent;
                }
            })
        })
        .collect();
    let mut sent = 0;
    for s in senders {
        sent += s.await.unwrap();
    }
    assert_eq!(sent, 12);
    let mut subjects = Vec::new();
    while let Ok(got) = received.try_recv() {
        subjects.push(header(&parse_message(&got.data).0, "Subject"));
    }
    subjects.sort();
    let expected: Vec<String> = (1..=12)
        .map(|i| format!("Hồ sơ H99.31-260302-{i:04} đã có kết quả"))
        .collect();
    assert_eq!(subjects, expected, "each e-mail once");
}

/// The real binary, configured for e-mail: it raises the notice and sends it on its own, then
/// stops gracefully.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_motcua_sends_a_result_notice_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let (port, mut received) = smtp_server().await;
    std::fs::write(
        dir.path().join("motcua.toml"),
        format!(
            "demo = false\n[notifications]\ninterval_secs = 1\n\
             smtp_url = \"smtp://127.0.0.1:{port}\"\nfrom = \"motcua@minhson.example.vn\"\n"
        ),
    )
    .unwrap();
    let mut child = motcua(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("motcua serves") {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "motcua stopped");
    }
    // Another process (this test) writes a dossier whose result is ready now.
    let url = format!(
        "sqlite://{}",
        dir.path().join("motcua-data/motcua.db").display()
    );
    let db = Db::connect(&url, &Default::default()).await.unwrap();
    let (minh_son, _) = province(&db).await;
    insert(
        &db,
        &Case {
            code: "H99.31-260302-0002",
            stage: Stage::Done,
            due: None,
            paused_since: None,
            finished_at: Some(motcua_store::migrate::now_micros()),
            assignee: None,
            agency: (minh_son, "H99.31"),
        },
    )
    .await;
    let got = tokio::time::timeout(Duration::from_secs(30), received.recv())
        .await
        .expect("the e-mail arrives within 30 s")
        .unwrap();
    assert_eq!(got.rcpt_to, [APPLICANT_MAIL]);
    let (headers, _) = parse_message(&got.data);
    assert_eq!(
        header(&headers, "Subject"),
        "Hồ sơ H99.31-260302-0002 đã có kết quả"
    );
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    let sent = db
        .outbox_messages(Some("H99.31-260302-0002"))
        .await
        .unwrap();
    assert!(sent[0].sent_at.is_some(), "{sent:?}");
    db.close().await;
}

/// A mail setting that cannot work stops the start with one line, before anything is created.
#[test]
fn bad_mail_settings_stop_the_server_before_anything_is_created() {
    for (settings, expected) in [
        (
            "smtp_url = \"smtp://motcua:bí-mật@mail.example.vn:587\"\nfrom = \"motcua@example.vn\"",
            "would send the password unencrypted",
        ),
        (
            "smtp_url = \"smtps://mail.example.vn\"",
            "notifications.from must be set",
        ),
        (
            "smtp_url = \"smtps://mail.example.vn\"\nfrom = \"một cửa\"",
            "notifications.from",
        ),
        (
            "[notifications.sms]\nurl = \"http://sms.example.vn/gui\"\ntoken = \"bí-mật\"\n\
             sender = \"UBND\"",
            "notifications.sms.url 'http://sms.example.vn/gui' must start with https://",
        ),
        (
            "[notifications.sms]\nurl = \"https://sms.example.vn/gui\"\ntoken = \"bí-mật\"\n\
             sender = \"UBND\"",
            "notifications.sms.token must be set, in printable ASCII",
        ),
        (
            "[notifications.zalo]\napp_id = \"1\"\nsecret_key = \"bí-mật\"\n\
             refresh_token = \"r\"",
            "missing field `template_id`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("motcua.toml"),
            format!("[notifications]\n{settings}\n"),
        )
        .unwrap();
        let output = motcua(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{settings}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(expected), "{}", lines[0]);
        assert!(!lines[0].contains("bí-mật"), "{}", lines[0]);
        assert_eq!(listing(dir.path()), ["motcua.toml"]);
    }
}

/// What the SMTP server was given in one transaction.
#[derive(Debug)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// A minimal SMTP server (RFC 5321: EHLO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT)
/// on a random port, handing over each message it accepts. It refuses `khong-ton-tai@…` for good
/// and `ban@…` for now.
async fn smtp_server() -> (u16, mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(conversation(stream, tx.clone()));
        }
    });
    (port, rx)
}

async fn conversation(stream: tokio::net::TcpStream, out: mpsc::UnboundedSender<Received>) {
    let (read, mut write) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(read).lines();
    let mut reply = async |text: &str| write.write_all(text.as_bytes()).await.unwrap();
    reply("220 thu.example.vn ESMTP\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    let path = |arg: &str| {
        arg.split_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(p, _)| p.to_string())
            .unwrap_or_default()
    };
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            reply("250-thu.example.vn\r\n250 8BITMIME\r\n").await;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            reply("250 OK\r\n").await;
        } else if upper.starts_with("MAIL FROM:") {
            from = path(&line);
            to.clear();
            reply("250 2.1.0 OK\r\n").await;
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = path(&line);
            if rcpt.starts_with("khong-ton-tai@") {
                reply("550 5.1.1 Không có hộp thư này\r\n").await;
            } else if rcpt.starts_with("ban@") {
                reply("451 4.3.0 Thử lại sau\r\n").await;
            } else {
                to.push(rcpt);
                reply("250 2.1.5 OK\r\n").await;
            }
        } else if upper == "DATA" {
            reply("354 Kết thúc bằng <CRLF>.<CRLF>\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                // Dot-stuffing: a line the client began with "." had one added.
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push_str("\r\n");
            }
            reply("250 2.0.0 Đã nhận\r\n").await;
            let _ = out.send(Received {
                mail_from: std::mem::take(&mut from),
                rcpt_to: std::mem::take(&mut to),
                data,
            });
        } else if upper == "RSET" {
            (from, to) = (String::new(), Vec::new());
            reply("250 OK\r\n").await;
        } else if upper == "QUIT" {
            reply("221 2.0.0 Bye\r\n").await;
            break;
        } else {
            reply("502 5.5.2 Không hiểu lệnh\r\n").await;
        }
    }
}

/// The headers (unfolded) and the body (decoded from base64 or taken as is, line ends `\n`).
fn parse_message(data: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            headers.last_mut().unwrap().1.push_str(line);
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_string(), value.trim().to_string()));
        }
    }
    let encoding = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Transfer-Encoding"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let text = if encoding == "base64" {
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap();
        String::from_utf8(bytes).unwrap()
    } else {
        body.to_string()
    };
    (headers, text.replace("\r\n", "\n"))
}

/// A header's value with its RFC 2047 encoded words decoded (whitespace between two encoded
/// words does not count).
fn header(headers: &[(String, String)], name: &str) -> String {
    let value = &headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
        .1;
    let mut out: Vec<u8> = Vec::new();
    let mut previous_encoded = false;
    for (i, word) in value.split_whitespace().enumerate() {
        let encoded = word
            .strip_prefix("=?utf-8?b?")
            .or_else(|| word.strip_prefix("=?UTF-8?B?"))
            .and_then(|w| w.strip_suffix("?="));
        match encoded {
            Some(b64) => {
                if i > 0 && !previous_encoded {
                    out.push(b' ');
                }
                out.extend(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                );
                previous_encoded = true;
            }
            None => {
                if i > 0 {
                    out.push(b' ');
                }
                out.extend(word.as_bytes());
                previous_encoded = false;
            }
        }
    }
    String::from_utf8(out).unwrap()
}
