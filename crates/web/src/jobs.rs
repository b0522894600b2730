//! The deadline job: every `interval`, raise alerts for open dossiers due soon or overdue and for
//! results ready, queue the messages they ask for, then send what is queued.
//!
//! Every motcua process runs it, and that is safe: an alert is raised once per dossier, kind and
//! due date whoever raises it (the database refuses a second), and a queued message is sent by
//! the one process that holds its lease. Deciding (`assess`, `messages`) is pure; `scan` and
//! `deliver` do the I/O.

use std::sync::Arc;
use std::time::Duration;

use motcua_calendar::deadline::{Granularity, Open, Rules, classify_open};
use motcua_calendar::{Instant, WorkCalendar, WorkingTime};
use motcua_domain::dossier::{Dossier, Stage};
use motcua_store::{AlertCandidate, CandidateQuery, Db, Failed, NewAlert, NewMessage, StoreError};
use tokio::sync::watch;

use crate::TimeHandle;
use crate::notifier::{self, Notifiers, SendError};

/// The stages whose due date is watched: received and not yet decided, running or paused.
pub const WATCHED: [Stage; 5] = [
    Stage::Received,
    Stage::Processing,
    Stage::SupplementRequested,
    Stage::PaymentRequested,
    Stage::WithdrawalRequested,
];

/// Results ready longer ago than this get no notice: turning the job on in an old database does
/// not write to applicants about results from last year.
const RESULT_READY_WINDOW: i64 = 3 * 24 * 3600 * 1_000_000;

/// Messages claimed at a time, and how long the claim holds: long enough for a batch of SMTP
/// conversations that each time out after 30 s.
const BATCH: i64 = 20;
const LEASE: i64 = 15 * 60 * 1_000_000;

/// Alerts written per transaction, so a first run over many overdue dossiers holds the write
/// lock in short turns.
const ALERTS_PER_TRANSACTION: usize = 200;

#[derive(Debug, Clone)]
pub struct JobConfig {
    pub interval: Duration,
    /// "Due soon": due today or within this many working days after today.
    pub due_soon_working_days: u32,
    /// Signs the messages.
    pub site_name: String,
    /// Applicants' phones are reached on Zalo (the approved template of `ZaloSettings`) instead
    /// of by SMS.
    pub phones_on_zalo: bool,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            interval: Duration::from_secs(60),
            due_soon_working_days: 1,
            site_name: crate::WebConfig::default().site_name,
            phones_on_zalo: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    DueSoon,
    Overdue,
    ResultReady,
}

impl AlertKind {
    /// As stored in `dossier_alerts.kind`.
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::DueSoon => "due_soon",
            AlertKind::Overdue => "overdue",
            AlertKind::ResultReady => "result_ready",
        }
    }
}

/// Which alert a dossier calls for at `now`, and the instant it is raised for (its due date, or
/// when its result was ready). Overdue is judged by the day, as the dossier screens judge it.
pub fn assess(
    stage: Stage,
    due: Option<i64>,
    paused_since: Option<i64>,
    finished_at: Option<i64>,
    now: Instant,
    rules: &Rules<'_>,
    due_soon_working_days: u32,
) -> Option<(AlertKind, i64)> {
    if stage == Stage::Done {
        return finished_at.map(|at| (AlertKind::ResultReady, at));
    }
    if !WATCHED.contains(&stage) {
        return None;
    }
    let due = due?;
    // While the clock is paused, the due date will move forward by the pause when it resumes:
    // only a date that had passed before the pause began makes it overdue, and it is not "due
    // soon" at all.
    let judged_at = paused_since.map_or(now, |p| Instant(p.min(now.0)));
    if classify_open(judged_at, Instant(due), Granularity::Day) == Open::Overdue {
        return Some((AlertKind::Overdue, due));
    }
    let soon = paused_since.is_none()
        && rules
            .is_due_soon(now, Instant(due), due_soon_working_days)
            .unwrap_or(false);
    soon.then_some((AlertKind::DueSoon, due))
}

/// The end of the last day a dossier may be due on to count as due soon at `now`: the query for
/// candidates reads nothing due later. Days off are the province's, the same for every agency.
pub fn due_soon_horizon(calendar: &WorkCalendar, now: Instant, working_days: u32) -> i64 {
    let today = now.local_date();
    calendar
        .rank(today)
        .and_then(|rank| calendar.working_day(rank + working_days))
        .map(|last| Instant::from_local(last.add_days(1), 0).0)
        // Past the calendar's years: only what is overdue.
        .unwrap_or(now.0)
}

/// The messages an alert sends, in Vietnamese, with dates in Vietnam time.
pub fn messages(
    kind: AlertKind,
    c: &AlertCandidate,
    dossier: Option<&Dossier>,
    at: i64,
    config: &JobConfig,
) -> Vec<NewMessage> {
    let site_name = &config.site_name;
    let code = &c.code;
    let when = Instant(at).vn();
    let stage = Stage::from_code(&c.stage).map_or(c.stage.as_str(), |s| s.national_name());
    let footer = format!("--\n{site_name}\nThư gửi tự động, xin không trả lời thư này.\n");
    let about = format!(
        "Hồ sơ {code} của {} (thủ tục {})",
        c.applicant_name, c.procedure_code
    );
    let mail = |to: &str, subject: String, body: String| NewMessage {
        channel: "email",
        recipient: to.to_string(),
        subject,
        body,
        dossier_code: Some(code.clone()),
    };
    match kind {
        AlertKind::DueSoon | AlertKind::Overdue => {
            // The officer it was handed to, or else the agency that decides it.
            let (to, greeting) = match c.assignee_email.as_deref() {
                Some(email) => (email, "Kính gửi cán bộ xử lý hồ sơ,".to_string()),
                None if !c.deciding_agency_email.trim().is_empty() => (
                    c.deciding_agency_email.trim(),
                    format!("Kính gửi {},", c.deciding_agency_name),
                ),
                None => return Vec::new(),
            };
            let (subject, news, advice) = if kind == AlertKind::DueSoon {
                (
                    format!("Hồ sơ {code} sắp đến hạn giải quyết ({when})"),
                    "sắp đến hạn giải quyết",
                    "Nếu không thể trả kết quả đúng hạn, cơ quan giải quyết gửi văn bản xin lỗi \
                     và hẹn lại ngày trả kết quả (Mẫu 04) chậm nhất 01 ngày làm việc trước hạn; \
                     mỗi hồ sơ chỉ được hẹn lại một lần.",
                )
            } else {
                (
                    format!("Hồ sơ {code} đã quá hạn giải quyết ({when})"),
                    "đã quá hạn giải quyết",
                    "Đề nghị khẩn trương giải quyết hồ sơ.",
                )
            };
            let body = format!(
                "{greeting}\n\n{about} {news}.\n\nHạn giải quyết: {when}\nTình trạng: {stage}\n\
                 Cơ quan giải quyết: {}\n\n{advice}\n\n{footer}",
                c.deciding_agency_name
            );
            vec![mail(to, subject, body)]
        }
        AlertKind::ResultReady => {
            let Some(applicant) = dossier.map(|d| &d.application.applicant) else {
                return Vec::new();
            };
            let greeting = if applicant.kind == "organisation" {
                format!("Kính gửi {},", applicant.name)
            } else {
                format!("Kính gửi Ông/Bà {},", applicant.name)
            };
            let collect = format!(
                "Mời Ông/Bà nhận kết quả tại Bộ phận Một cửa của {} hoặc theo hình thức đã đăng ký \
                 khi nộp hồ sơ.",
                c.desk_agency_name
            );
            let mut out = Vec::new();
            let email = applicant.email.trim();
            if email.contains('@') {
                out.push(mail(
                    email,
                    format!("Hồ sơ {code} đã có kết quả"),
                    format!(
                        "{greeting}\n\n{about} đã được giải quyết xong lúc {when}.\n\n{collect}\n\n\
                         Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ và mã tra cứu ghi \
                         trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.\n\n{footer}"
                    ),
                ));
            }
            let phone = applicant.phone.trim();
            let sms = format!("{site_name}: Hồ sơ {code} đã có kết quả. {collect}");
            if !phone.is_empty() && config.phones_on_zalo {
                let values = zalo_result_ready(code, &applicant.name, &c.desk_agency_name, &when);
                out.push(NewMessage {
                    channel: "zalo",
                    recipient: phone.to_string(),
                    subject: format!("Hồ sơ {code} đã có kết quả"),
                    body: notifier::zalo_body(values, &sms),
                    dossier_code: Some(code.clone()),
                });
            } else if !phone.is_empty() {
                out.push(NewMessage {
                    channel: "sms",
                    recipient: phone.to_string(),
                    subject: String::new(),
                    body: sms,
                    dossier_code: Some(code.clone()),
                });
            }
            out
        }
    }
}

/// The values of the Zalo template of "the result is ready", each within the length Zalo allows
/// its kind of parameter: `ma_ho_so` (a code, 30), `ten_nguoi_nop` (a name, 30), `noi_tra`
/// (an address, 200) and `thoi_gian` (a time, 20). The province registers the template with
/// these four.
fn zalo_result_ready(
    code: &str,
    applicant: &str,
    desk: &str,
    when: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let cut = |text: &str, most: usize| -> serde_json::Value {
        text.trim().chars().take(most).collect::<String>().into()
    };
    serde_json::Map::from_iter([
        ("ma_ho_so".to_string(), cut(code, 30)),
        ("ten_nguoi_nop".to_string(), cut(applicant, 30)),
        ("noi_tra".to_string(), cut(desk, 200)),
        ("thoi_gian".to_string(), cut(when, 20)),
    ])
}

/// What one look at the dossiers did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub candidates: usize,
    pub raised: usize,
    pub queued: usize,
    /// New alerts with nobody to tell: no e-mail for the officer, the agency or the applicant.
    pub unaddressed: usize,
}

/// Raises the alerts due at `now` and queues their messages.
pub async fn scan(
    db: &Db,
    time: &WorkingTime,
    config: &JobConfig,
    now: Instant,
) -> Result<ScanReport, StoreError> {
    let stages: Vec<&str> = WATCHED.iter().map(|s| s.code()).collect();
    let candidates = db
        .alert_candidates(&CandidateQuery {
            open_stages: &stages,
            due_before: due_soon_horizon(&time.calendar, now, config.due_soon_working_days),
            ready_since: now.0 - RESULT_READY_WINDOW,
        })
        .await?;
    let mut report = ScanReport {
        candidates: candidates.len(),
        ..ScanReport::default()
    };
    let mut alerts = Vec::new();
    for c in &candidates {
        let dossier = match serde_json::from_str::<Dossier>(&c.state) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(code = %c.code, error = %e, "a dossier's state cannot be read; alerting with the default calendar");
                None
            }
        };
        let rules = dossier
            .as_ref()
            .and_then(|d| time.rules(Some(&d.application.deciding_agency)).ok())
            .unwrap_or_else(|| time.rules(None).expect("the default rules exist"));
        let Some(stage) = Stage::from_code(&c.stage) else {
            continue;
        };
        let Some((kind, at)) = assess(
            stage,
            c.due_at,
            c.paused_since,
            c.finished_at,
            now,
            &rules,
            config.due_soon_working_days,
        ) else {
            continue;
        };
        if kind == AlertKind::DueSoon && c.due_soon_raised {
            continue;
        }
        alerts.push(NewAlert {
            dossier_id: c.dossier_id,
            kind: kind.code(),
            due_at: at,
            messages: messages(kind, c, dossier.as_ref(), at, config),
        });
    }
    for chunk in alerts.chunks(ALERTS_PER_TRANSACTION) {
        for i in db.raise_alerts(chunk, now.0).await? {
            let alert = &chunk[i];
            report.raised += 1;
            report.queued += alert.messages.len();
            if alert.messages.is_empty() {
                report.unaddressed += 1;
            }
        }
    }
    Ok(report)
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub given_up: usize,
}

/// Claims one batch of messages for the channels that can send, and sends them. Messages of
/// channels that cannot are left queued with the reason.
pub async fn deliver(
    db: &Db,
    notifiers: &Notifiers,
    owner: &str,
    now: Instant,
) -> Result<DeliveryReport, StoreError> {
    for (channel, why, since) in notifiers.unavailable(now.0) {
        let noted = db.note_unsendable(channel, why, since).await?;
        let first = since == i64::MIN;
        if first && channel == "email" {
            tracing::warn!(
                "e-mail is not configured (notifications.smtp_url): e-mails stay queued until it is"
            );
        } else if first {
            tracing::info!(
                channel,
                "this channel is not configured: its messages stay queued until it is"
            );
        } else if noted > 0 {
            tracing::debug!(
                channel,
                noted,
                "messages waiting for a channel to be configured"
            );
        }
    }
    let ready = notifiers.ready();
    let claimed = db
        .claim_messages(owner, &ready, BATCH, now.0, now.0 + LEASE)
        .await?;
    let mut report = DeliveryReport {
        claimed: claimed.len(),
        ..DeliveryReport::default()
    };
    for m in &claimed {
        let Some(notifier) = notifiers.get(&m.channel) else {
            continue;
        };
        let result = notifier.send(db, m).await;
        let at = motcua_store::migrate::now_micros().max(now.0);
        match result {
            Ok(()) => {
                db.mark_sent(m.id, at).await?;
                report.sent += 1;
            }
            Err(e) => {
                let (error, permanent) = match e {
                    SendError::Transient(e) => (e, false),
                    SendError::Permanent(e) => (e, true),
                };
                let instead = notifier.fallback(m);
                match db
                    .mark_failed(m.id, owner, at, &error, permanent, instead.as_ref())
                    .await?
                {
                    Failed::RetryAt(_) => report.retrying += 1,
                    Failed::GaveUp => {
                        tracing::warn!(id = m.id, channel = %m.channel, %error, "a message was given up");
                        report.given_up += 1;
                    }
                    Failed::NotHeld => {}
                }
            }
        }
    }
    Ok(report)
}

/// The running job; [`JobHandle::stop`] ends it after the message in hand.
pub struct JobHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl JobHandle {
    /// Asks the job to stop and waits for it, at most `grace`.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, self.task).await.is_err() {
            tracing::warn!(
                "the notification job did not stop in time; its claimed messages are sent again after their lease"
            );
        }
    }
}

/// Starts the job on the current runtime.
pub fn spawn(db: Db, time: TimeHandle, notifiers: Notifiers, config: JobConfig) -> JobHandle {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(db, time, Arc::new(notifiers), config, stopped));
    JobHandle { stop, task }
}

async fn run(
    db: Db,
    time: TimeHandle,
    notifiers: Arc<Notifiers>,
    config: JobConfig,
    mut stop: watch::Receiver<bool>,
) {
    let owner = owner_id();
    tracing::info!(%owner, interval_secs = config.interval.as_secs(), "notification job started");
    let mut tick = tokio::time::interval(config.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        let now = Instant(motcua_store::migrate::now_micros());
        match scan(&db, &time.current(), &config, now).await {
            Ok(r) if r.raised > 0 => tracing::info!(
                raised = r.raised,
                queued = r.queued,
                unaddressed = r.unaddressed,
                "deadline alerts raised"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deadline alerts: the scan failed"),
        }
        // Batch after batch until nothing is left to send now, or the process stops.
        while !*stop.borrow() {
            let now = Instant(motcua_store::migrate::now_micros());
            match deliver(&db, &notifiers, &owner, now).await {
                Ok(r) => {
                    if r.claimed > 0 {
                        tracing::info!(
                            sent = r.sent,
                            retrying = r.retrying,
                            given_up = r.given_up,
                            "notifications sent"
                        );
                    }
                    if r.claimed < BATCH as usize {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "notifications: sending failed");
                    break;
                }
            }
        }
    }
    tracing::info!("notification job stopped");
}

/// Names this process in the leases it takes: the process id and a random part, since process
/// ids repeat across machines.
fn owner_id() -> String {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::{Date, OfficeHours, WorkingTime, official};

    fn time() -> WorkingTime {
        WorkingTime::new(
            official::shipped().unwrap(),
            OfficeHours::default(),
            Default::default(),
        )
    }

    fn at(text: &str) -> Instant {
        Instant::parse_local(text).unwrap()
    }

    /// Tuesday 10 March 2026, 09:00: the table below reads from there.
    #[test]
    fn which_alert_each_dossier_calls_for() {
        let time = time();
        let rules = time.rules(None).unwrap();
        let now = at("2026-03-10 09:00");
        let paused = Some(at("2026-03-05 10:00").0);
        let cases: &[(Stage, &str, Option<i64>, Option<AlertKind>)] = &[
            (
                Stage::Processing,
                "2026-03-10 17:00",
                None,
                Some(AlertKind::DueSoon),
            ),
            (
                Stage::Received,
                "2026-03-11 17:00",
                None,
                Some(AlertKind::DueSoon),
            ),
            (
                Stage::WithdrawalRequested,
                "2026-03-11 17:00",
                None,
                Some(AlertKind::DueSoon),
            ),
            (Stage::Processing, "2026-03-12 17:00", None, None),
            (
                Stage::Processing,
                "2026-03-09 17:00",
                None,
                Some(AlertKind::Overdue),
            ),
            // Paused: not due soon; overdue only if it was before the pause.
            (Stage::SupplementRequested, "2026-03-11 17:00", paused, None),
            (Stage::PaymentRequested, "2026-03-09 17:00", paused, None),
            (
                Stage::SupplementRequested,
                "2026-03-04 17:00",
                paused,
                Some(AlertKind::Overdue),
            ),
            // Not watched.
            (Stage::Submitted, "2026-03-09 17:00", None, None),
            (Stage::Returned, "2026-03-09 17:00", None, None),
            (Stage::Stopped, "2026-03-09 17:00", None, None),
        ];
        for (stage, due, paused_since, expected) in cases {
            let due = at(due).0;
            let got = assess(*stage, Some(due), *paused_since, None, now, &rules, 1);
            assert_eq!(got.map(|(k, _)| k), *expected, "{stage:?} due {due}");
            if let Some((_, for_due)) = got {
                assert_eq!(for_due, due);
            }
        }
        // Due earlier today and past: neither; overdue from tomorrow, judged by the day.
        let early = at("2026-03-10 08:00").0;
        assert_eq!(
            assess(Stage::Processing, Some(early), None, None, now, &rules, 1),
            None
        );
        // A result ready is raised for when it was ready.
        let done = at("2026-03-10 08:30").0;
        assert_eq!(
            assess(Stage::Done, None, None, Some(done), now, &rules, 1),
            Some((AlertKind::ResultReady, done))
        );
    }

    #[test]
    fn due_soon_counts_working_days_across_a_weekend_and_holidays() {
        let time = time();
        let rules = time.rules(None).unwrap();
        // Friday 24 April 2026: the weekend, then Monday 27 April off for Hùng Kings' Day.
        let friday = at("2026-04-24 09:00");
        let soon = |due: &str, days| {
            assess(
                Stage::Processing,
                Some(at(due).0),
                None,
                None,
                friday,
                &rules,
                days,
            )
            .map(|(k, _)| k)
        };
        assert_eq!(soon("2026-04-28 17:00", 1), Some(AlertKind::DueSoon));
        assert_eq!(soon("2026-04-29 17:00", 1), None);
        assert_eq!(soon("2026-04-29 17:00", 2), Some(AlertKind::DueSoon));
        // Wednesday 29 April: 30 April and 1 May are holidays, 2–3 May a weekend.
        let wednesday = at("2026-04-29 09:00");
        let horizon = due_soon_horizon(&time.calendar, wednesday, 1);
        assert_eq!(
            Instant(horizon).local_date(),
            Date::from_ymd(2026, 5, 5).unwrap(),
            "due soon on Wednesday 29 April runs to the end of Monday 4 May"
        );
    }
}
