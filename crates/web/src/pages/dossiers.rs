//! The processing officer's screens: the work queue (soonest due first, with due-soon, overdue
//! and paused marked) and a dossier's page with its documents, its control sheet (each step
//! early, on time or late) and the actions its stage and step allow the reader.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

use motcua_calendar::{Date, Finished, Granularity, Instant, WorkingTime, deadline};
use motcua_domain::catalogue::{Procedure, WorkflowStep};
use motcua_domain::dossier::{
    Actor, Command, Context, Dossier, Event, Refusal, Stage, decide, step_ends,
};
use motcua_domain::organisation::Role;
use motcua_domain::organisation::access::Action;
use motcua_store::{DossierFilter, DossierRow};
use serde::Deserialize;

use super::{Choice, Layout, render, require, vary_on_htmx, wants_fragment};
use crate::AppState;
use crate::auth::{Person, Staff, encode_component};
use crate::dossiers::{self, Loaded};
use crate::due::now;
use crate::problem::Problem;

pub(crate) fn page_url(code: &str) -> String {
    format!("/can-bo/ho-so/{}", encode_component(code))
}

/// How an open dossier stands against its due date now.
pub(crate) struct Standing {
    pub label: &'static str,
    pub tone: &'static str,
}

pub(crate) fn standing(state: &AppState, row: &DossierRow, paused: bool) -> Option<Standing> {
    let stage = Stage::from_code(&row.stage)?;
    if let Some(outcome) = row.outcome.as_deref() {
        return Some(match outcome {
            "late" => Standing {
                label: "Quá hạn",
                tone: "late",
            },
            "early" => Standing {
                label: "Trước hạn",
                tone: "ok",
            },
            _ => Standing {
                label: "Đúng hạn",
                tone: "ok",
            },
        });
    }
    if stage.is_final() {
        return None;
    }
    if paused {
        return Some(Standing {
            label: "Tạm dừng tính thời gian",
            tone: "muted",
        });
    }
    let due = Instant(row.due_at?);
    let at = now();
    if deadline::classify_open(at, due, Granularity::Day) == motcua_calendar::Open::Overdue {
        return Some(Standing {
            label: "Quá hạn",
            tone: "late",
        });
    }
    let time = state.time.current();
    let soon = time
        .rules(None)
        .ok()
        .and_then(|r| r.is_due_soon(at, due, 1).ok())
        .unwrap_or(false);
    Some(if soon {
        Standing {
            label: "Sắp đến hạn",
            tone: "warn",
        }
    } else {
        Standing {
            label: "Trong hạn",
            tone: "ok",
        }
    })
}

/// The procedure versions `rows` pinned, each read once (`None` if one cannot be read).
pub(crate) type Versions = BTreeMap<(String, i64), Option<std::sync::Arc<Procedure>>>;

pub(crate) async fn pinned_versions(state: &AppState, rows: &[DossierRow]) -> Versions {
    let mut versions = Versions::new();
    for row in rows {
        let key = (row.procedure_code.clone(), row.procedure_version);
        if let std::collections::btree_map::Entry::Vacant(slot) = versions.entry(key) {
            slot.insert(dossiers::procedure_of(state, row).await.ok());
        }
    }
    versions
}

/// The workflow step a dossier is at, in its pinned version and its deciding agency's workflow.
pub(crate) fn current_step<'a>(versions: &'a Versions, d: &Loaded) -> Option<&'a WorkflowStep> {
    let procedure = versions
        .get(&(d.row.procedure_code.clone(), d.row.procedure_version))?
        .as_ref()?;
    let (_, steps) = procedure.workflow_for(&d.dossier.application.deciding_agency);
    steps.get(d.dossier.step)
}

/// Working days an open dossier is past its due date on `today` (none if it is not past it).
pub(crate) fn days_over(time: &WorkingTime, d: &Dossier, today: Date) -> Option<i64> {
    d.due
        .filter(|_| !d.stage.is_final() && d.outcome.is_none())
        .map(|due| Instant(due).local_date())
        .filter(|due| *due < today)
        .and_then(|due| time.calendar.working_days_between(due, today).ok())
}

pub(crate) struct QueueLine {
    code: String,
    href: String,
    procedure: String,
    applicant: String,
    stage: &'static str,
    /// Where it is: the workflow step's name.
    step: String,
    assignee: String,
    due: String,
    standing: Option<Standing>,
    /// Working days past the due date, for an overdue open dossier.
    days_over: Option<i64>,
}

/// The whole page, or (`as_results()`) the results an htmx filter swaps.
#[derive(Template)]
#[template(path = "dossier_queue.html", blocks = ["results"])]
struct QueuePage {
    layout: Layout,
    views: Vec<Choice>,
    lines: Vec<QueueLine>,
    next: Option<String>,
    q: String,
    /// Said instead of the table (a code typed that opens no dossier).
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct QueueQuery {
    /// `cua-toi` (handed to me), `dang-xu-ly` (open in my reach), `qua-han`, `tat-ca`.
    #[serde(rename = "loc")]
    view: Option<String>,
    #[serde(rename = "sau")]
    after: Option<String>,
    /// A dossier code (opens it) or an applicant's identity number.
    q: Option<String>,
}

pub(crate) const OPEN: [Stage; 6] = [
    Stage::Submitted,
    Stage::Received,
    Stage::Processing,
    Stage::SupplementRequested,
    Stage::PaymentRequested,
    Stage::WithdrawalRequested,
];

/// The work queue. An htmx request (the filter form as it is typed or chosen) is answered with
/// the results alone; any other with the whole page.
pub(crate) async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Response {
    let reach = require!(state, staff, Action::ReadDossiers);
    let fragment = wants_fragment(&headers);
    let view = q.view.clone().unwrap_or_else(|| "dang-xu-ly".into());
    let wanted = q.q.clone().unwrap_or_default().trim().to_string();
    // A code goes straight to its dossier (the page checks the reader's reach). Typed into the
    // filter, it opens the dossier once the code is whole and within reach, and says so until.
    let mut notice = None;
    if wanted.contains('-') {
        if !fragment {
            return vary_on_htmx(Redirect::to(&page_url(&wanted)).into_response());
        }
        let person = Person::Staff(staff.clone());
        let found = match dossiers::load(&state, &wanted).await {
            Ok(d) => dossiers::may(&state, &person, &d.row, Action::ReadDossiers)
                .await
                .is_ok(),
            Err(p) if p.status == 404 => false,
            Err(p) => return p.into_response(),
        };
        if found {
            let mut response = StatusCode::OK.into_response();
            if let Ok(to) = HeaderValue::from_str(&page_url(&wanted)) {
                response.headers_mut().insert("hx-redirect", to);
            }
            return vary_on_htmx(response);
        }
        notice = Some(format!("Không tìm thấy hồ sơ có mã “{wanted}”."));
    }
    let result: Result<QueuePage, Problem> = async {
        let mut filter = DossierFilter {
            agencies: reach.filter(),
            limit: 50,
            ..Default::default()
        };
        match view.as_str() {
            "cua-toi" => {
                filter.assignee = Some(staff.user.login.clone());
                filter.stages = OPEN.iter().map(|s| s.code().into()).collect();
            }
            "qua-han" => {
                filter.stages = OPEN.iter().map(|s| s.code().into()).collect();
                filter.due_before = Some(Instant::from_local(now().local_date(), 0).0);
            }
            "co-ket-qua" => filter.stages = vec![Stage::Done.code().into()],
            "tat-ca" => {}
            _ => filter.stages = OPEN.iter().map(|s| s.code().into()).collect(),
        }
        if !wanted.is_empty() {
            // An applicant's dossiers, whatever their stage.
            filter.stages.clear();
            filter.due_before = None;
            filter.applicant_id_number = Some(wanted.clone());
        }
        if let Some(after) = q.after.as_deref().filter(|a| !a.is_empty()) {
            filter.after = Some(dossiers::decode_cursor(after)?);
        }
        let rows = if notice.is_some() {
            Vec::new()
        } else {
            state.db.dossiers(&filter).await?
        };
        let time = state.time.current();
        let today = now().local_date();
        let versions = pinned_versions(&state, &rows).await;
        let next = (rows.len() as i64 == filter.limit)
            .then(|| {
                rows.last().map(|r| {
                    format!(
                        "/can-bo/ho-so?loc={view}&sau={}",
                        dossiers::encode_cursor(r.due_at.unwrap_or(i64::MAX), r.id)
                    )
                })
            })
            .flatten();
        let loaded = state
            .catalogue
            .current(&state.db, &now().local_date().to_string())
            .await?;
        let lines = rows
            .into_iter()
            .map(|row| {
                let d = dossiers::unpack(row)?;
                // A refused, stopped or returned dossier is at no step any more.
                let step = current_step(&versions, &d)
                    .filter(|_| !d.dossier.stage.is_final())
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                let days_over = days_over(&time, &d.dossier, today);
                Ok(QueueLine {
                    step,
                    days_over,
                    href: page_url(&d.row.code),
                    procedure: loaded
                        .procedures
                        .get(&d.row.procedure_code)
                        .map_or(d.row.procedure_code.clone(), |p| p.procedure.name.clone()),
                    applicant: d.dossier.application.applicant.name.clone(),
                    stage: d.dossier.stage.vietnamese(),
                    assignee: d.dossier.assignee.clone().unwrap_or_default(),
                    due: d.dossier.due.map(|t| Instant(t).vn()).unwrap_or_default(),
                    standing: standing(&state, &d.row, d.dossier.paused_since.is_some()),
                    code: d.row.code,
                })
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        let views = [
            ("dang-xu-ly", "Đang giải quyết"),
            ("cua-toi", "Được giao cho tôi"),
            ("qua-han", "Quá hạn"),
            ("co-ket-qua", "Có kết quả, chờ trả"),
            ("tat-ca", "Tất cả"),
        ]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.into(),
            label: label.into(),
            selected: value == view,
        })
        .collect();
        Ok(QueuePage {
            layout: Layout::new(&state, "Hồ sơ")
                .signed_in(&staff)
                .active("dossiers"),
            views,
            lines,
            next,
            q: wanted.clone(),
            notice,
        })
    }
    .await;
    vary_on_htmx(match result {
        Ok(page) if fragment => render(StatusCode::OK, page.as_results()),
        Ok(page) => render(StatusCode::OK, page),
        Err(p) => p.into_response(),
    })
}

/// One row of the control sheet (Mẫu 06): who handed over to whom and when, and how the step
/// that ended did against its budget.
pub(crate) struct SheetLine {
    at: String,
    actor: String,
    role: &'static str,
    what: String,
    result: Option<&'static str>,
}

pub(crate) struct Document {
    name: String,
    originals: u32,
    copies: u32,
    files: Vec<(String, String)>,
}

/// An action the reader may take now, with the fields its form needs.
pub(crate) struct Offer {
    action: &'static str,
    label: &'static str,
    fields: &'static [&'static str],
    /// What was typed, kept when the form was refused.
    values: ActionForm,
    /// Why the form was refused, shown inside it.
    error: Option<String>,
}

/// The whole page, or (`as_dossier()`) the region an htmx action swaps: the messages, facts,
/// documents, actions and control sheet.
#[derive(Template)]
#[template(path = "dossier.html", blocks = ["dossier"])]
struct DossierPage {
    layout: Layout,
    code: String,
    href: String,
    version: i64,
    procedure: String,
    stage: &'static str,
    national: String,
    channel: &'static str,
    applicant: motcua_domain::dossier::Applicant,
    received: String,
    due: String,
    original_due: String,
    standing: Option<Standing>,
    step: String,
    assignee: String,
    documents: Vec<Document>,
    sheet: Vec<SheetLine>,
    /// The forms to print: address and name.
    forms: Vec<(String, &'static str)>,
    offers: Vec<Offer>,
    /// The applicant's evaluation after the return, read-only.
    evaluation: Option<crate::evaluations::Shown>,
    message: Option<String>,
    error: Option<String>,
}

/// Every action, what its form asks, and a stand-in command to ask `decide` whether the stage,
/// role and step allow it (payload problems do not hide an action: the form fills them).
const ACTIONS: [(&str, &str, &[&str]); 17] = [
    ("receive", "Tiếp nhận hồ sơ", &[]),
    (
        "request_completion",
        "Yêu cầu hoàn thiện hồ sơ (Mẫu 02)",
        &["missing", "reason"],
    ),
    ("refuse", "Từ chối tiếp nhận (Mẫu 03)", &["reasons"]),
    ("hand_over", "Chuyển bước tiếp theo", &["to_user", "note"]),
    ("send_back", "Trả lại bước trước", &["reason", "to_user"]),
    (
        "request_supplement",
        "Yêu cầu bổ sung hồ sơ",
        &["items", "reason", "applicant_due", "second_reason"],
    ),
    ("provide_supplement", "Đã nhận hồ sơ bổ sung", &[]),
    (
        "request_payment",
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        &["amount", "reason"],
    ),
    ("confirm_payment", "Đã thực hiện nghĩa vụ tài chính", &[]),
    (
        "propose_extension",
        "Xin lỗi, hẹn lại ngày trả (Mẫu 04)",
        &["reason", "due"],
    ),
    (
        "consult",
        "Lấy ý kiến cơ quan phối hợp",
        &["agency", "request"],
    ),
    (
        "answer_consult",
        "Ghi nhận ý kiến cơ quan phối hợp",
        &["agency", "answer"],
    ),
    (
        "request_withdrawal",
        "Người nộp đề nghị rút hồ sơ",
        &["reason"],
    ),
    ("stop", "Dừng giải quyết (Mẫu 05)", &["reason"]),
    ("complete", "Hoàn thành, chuyển kết quả", &["result"]),
    ("return", "Trả kết quả", &["channel"]),
    ("provide_completion", "Đã hoàn thiện hồ sơ", &[]),
];

fn stand_in(action: &str) -> Option<Command> {
    let text = || "x".to_string();
    Some(match action {
        "receive" => Command::Receive {
            application: None,
            channel: motcua_domain::dossier::Channel::Counter,
        },
        "request_completion" => Command::RequestCompletion {
            application: None,
            channel: motcua_domain::dossier::Channel::Counter,
            missing: vec![text()],
            reason: text(),
        },
        "refuse" => Command::Refuse {
            application: None,
            channel: motcua_domain::dossier::Channel::Counter,
            reasons: text(),
        },
        "hand_over" => Command::HandOver {
            to_user: None,
            note: String::new(),
        },
        "send_back" => Command::SendBack {
            to_user: None,
            reason: text(),
        },
        "request_supplement" => Command::RequestSupplement {
            reason: text(),
            items: vec![text()],
            applicant_due: "2999-01-01".into(),
            second_reason: text(),
        },
        "provide_supplement" => Command::ProvideSupplement {
            components: Vec::new(),
        },
        "request_payment" => Command::RequestPayment {
            amount: 1,
            reason: text(),
        },
        "confirm_payment" => Command::ConfirmPayment {},
        "propose_extension" => Command::ProposeExtension {
            reason: text(),
            due: i64::MAX / 2,
        },
        "consult" => Command::Consult {
            agency: text(),
            request: text(),
        },
        "answer_consult" => Command::AnswerConsult {
            agency: text(),
            answer: text(),
        },
        "request_withdrawal" => Command::RequestWithdrawal { reason: text() },
        "stop" => Command::Stop { reason: text() },
        "complete" => Command::Complete { result: text() },
        "return" => Command::Return {
            channel: motcua_domain::dossier::ReturnChannel::Counter,
        },
        "provide_completion" => Command::ProvideCompletion {
            components: Vec::new(),
        },
        _ => return None,
    })
}

pub(crate) fn role_name(code: &str) -> &'static str {
    match Role::from_code(code) {
        Some(r) => r.vietnamese(),
        None if code == "applicant" => "Người nộp hồ sơ",
        None => "",
    }
}

async fn dossier_page(state: &AppState, staff: &Staff, code: &str) -> Result<DossierPage, Problem> {
    let loaded = dossiers::load(state, code).await?;
    let person = Person::Staff(staff.clone());
    dossiers::may(state, &person, &loaded.row, Action::ReadDossiers).await?;
    let procedure = dossiers::procedure_of(state, &loaded.row).await?;
    let Loaded { row, dossier: d } = &loaded;
    let events = dossiers::timeline(state, row).await?;
    // The control sheet: each step's end against the time the step had.
    let ends = step_ends(events.iter().map(|(r, e)| (r.at, e)));
    let (_, steps) = procedure.workflow_for(&d.application.deciding_agency);
    let mut sheet = Vec::new();
    for (i, (r, e)) in events.iter().enumerate() {
        let result = ends
            .iter()
            .find(|end| end.index == i)
            .and_then(|end| end.outcome())
            .map(|o| match o {
                Finished::Early => "Trước hạn",
                Finished::OnTime => "Đúng hạn",
                Finished::Late => "Quá hạn",
            });
        let mut what = e.describe(steps);
        if let Event::HandedOver {
            to_user: Some(u), ..
        } = e
        {
            what.push_str(&format!(" — giao {u}"));
        }
        sheet.push(SheetLine {
            at: Instant(r.at).vn(),
            actor: r.actor.clone(),
            role: role_name(&r.actor_role),
            what,
            result,
        });
    }
    // What the reader may do now: every action the domain would accept, bar its payload.
    let mut offers = Vec::new();
    if let Ok(reach) = staff.reach(state, Action::ActOnDossiers, false).await
        && (reach.contains(Some(row.desk_agency_id))
            || reach.contains(Some(row.deciding_agency_id)))
    {
        let actor = Actor::Staff {
            login: staff.user.login.clone(),
            roles: staff.roles(),
        };
        let time = state.time.current();
        let rules = time
            .rules(Some(&d.application.deciding_agency))
            .or_else(|_| time.rules(None))
            .map_err(|e| Problem::from(motcua_store::StoreError::Internal(e.to_string())))?;
        let ctx = Context {
            now: now(),
            actor: &actor,
            procedure: &procedure,
            rules,
        };
        for (action, label, fields) in ACTIONS {
            let Some(command) = stand_in(action) else {
                continue;
            };
            // The apology and new date (Mẫu 04) is made once; it is not offered again.
            if action == "propose_extension" && d.extended {
                continue;
            }
            let allowed = match decide(Some(d), &command, &ctx) {
                Ok(_) => true,
                Err(Refusal::Invalid { field, .. }) => field != "action" && field != "step",
                Err(_) => false,
            };
            if allowed {
                offers.push(Offer {
                    action,
                    label,
                    fields,
                    values: ActionForm::default(),
                    error: None,
                });
            }
        }
    }
    let evaluation = state
        .db
        .evaluation(row.id)
        .await?
        .map(|e| crate::evaluations::Shown::of(&e));
    // A refused, stopped or returned dossier is at no step any more, as in the queue.
    let step = steps
        .get(d.step)
        .filter(|_| !d.stage.is_final())
        .map(|s| format!("Bước {}: {} ({})", d.step + 1, s.name, role_name(&s.role)))
        .unwrap_or_default();
    Ok(DossierPage {
        layout: Layout::new(state, &format!("Hồ sơ {code}"))
            .signed_in(staff)
            .active("dossiers"),
        code: row.code.clone(),
        href: page_url(&row.code),
        version: row.version,
        procedure: format!("{} – {}", procedure.code, procedure.name),
        stage: d.stage.vietnamese(),
        national: format!("{} – {}", d.stage.national_code(), d.stage.national_name()),
        channel: d.channel.vietnamese(),
        applicant: d.application.applicant.clone(),
        received: d.received_at.map(|t| Instant(t).vn()).unwrap_or_default(),
        due: d.due.map(|t| Instant(t).vn()).unwrap_or_default(),
        original_due: d.original_due.map(|t| Instant(t).vn()).unwrap_or_default(),
        standing: standing(state, row, d.paused_since.is_some()),
        step,
        assignee: d.assignee.clone().unwrap_or_default(),
        documents: d
            .application
            .components
            .iter()
            .map(|c| Document {
                name: c.name.clone(),
                originals: c.originals,
                copies: c.copies,
                files: c
                    .files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        (
                            format!("Tệp {}", i + 1),
                            format!("/api/v1/dossiers/{}/files/{f}", encode_component(&row.code)),
                        )
                    })
                    .collect(),
            })
            .collect(),
        sheet,
        forms: crate::forms::printable(d, &events)
            .into_iter()
            .map(|(slug, name)| (format!("{}/mau/{slug}", page_url(&row.code)), name))
            .collect(),
        offers,
        evaluation,
        message: None,
        error: None,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct ShowQuery {
    #[serde(rename = "da-luu")]
    done: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    require!(state, staff, Action::ReadDossiers);
    match dossier_page(&state, &staff, &code).await {
        Ok(mut page) => {
            page.message = q
                .done
                .map(|action| format!("Đã ghi nhận: {}.", label_of(&action)));
            if wants_fragment(&headers) {
                vary_on_htmx(render(StatusCode::OK, page.as_dossier()))
            } else {
                vary_on_htmx(render(StatusCode::OK, page))
            }
        }
        Err(p) if p.status == 404 => super::not_found_page(&state, &page_url(&code)),
        Err(p) => p.into_response(),
    }
}

/// The form of an action, as typed. Every field may be absent, so the form always parses and
/// the role check comes first.
#[derive(Deserialize, Default)]
pub(crate) struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    missing: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    applicant_due: String,
    #[serde(default)]
    second_reason: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    to_user: String,
    #[serde(default)]
    note: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The command a form asks for, or what is wrong with what was typed.
fn command_of(f: &ActionForm) -> Result<Command, String> {
    use motcua_domain::dossier::{Channel, ReturnChannel};
    let day = |text: &str, what: &str| {
        Date::parse_vn(text.trim())
            .map_err(|_| format!("{what}: “{}” không phải ngày (dd/mm/yyyy).", text.trim()))
    };
    let user = || Some(f.to_user.trim().to_string()).filter(|u| !u.is_empty());
    Ok(match f.action.as_str() {
        "receive" => Command::Receive {
            application: None,
            channel: Channel::Counter,
        },
        "request_completion" => Command::RequestCompletion {
            application: None,
            channel: Channel::Counter,
            missing: lines(&f.missing),
            reason: f.reason.clone(),
        },
        "refuse" => Command::Refuse {
            application: None,
            channel: Channel::Counter,
            reasons: f.reasons.clone(),
        },
        "hand_over" => Command::HandOver {
            to_user: user(),
            note: f.note.clone(),
        },
        "send_back" => Command::SendBack {
            to_user: user(),
            reason: f.reason.clone(),
        },
        "request_supplement" => Command::RequestSupplement {
            reason: f.reason.clone(),
            items: lines(&f.items),
            applicant_due: day(&f.applicant_due, "Hạn bổ sung")?.to_string(),
            second_reason: f.second_reason.clone(),
        },
        "provide_supplement" => Command::ProvideSupplement {
            components: Vec::new(),
        },
        "request_payment" => Command::RequestPayment {
            amount: f
                .amount
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .map_err(|_| format!("Số tiền “{}” không hợp lệ.", f.amount.trim()))?,
            reason: f.reason.clone(),
        },
        "confirm_payment" => Command::ConfirmPayment {},
        "propose_extension" => {
            let date = day(&f.due, "Ngày hẹn mới")?;
            // The end of office hours of the new day, as appointments are.
            let time = motcua_calendar::Instant::from_local(date, 17 * 60);
            Command::ProposeExtension {
                reason: f.reason.clone(),
                due: time.0,
            }
        }
        "consult" => Command::Consult {
            agency: f.agency.clone(),
            request: f.request.clone(),
        },
        "answer_consult" => Command::AnswerConsult {
            agency: f.agency.clone(),
            answer: f.answer.clone(),
        },
        "request_withdrawal" => Command::RequestWithdrawal {
            reason: f.reason.clone(),
        },
        "stop" => Command::Stop {
            reason: f.reason.clone(),
        },
        "complete" => Command::Complete {
            result: f.result.clone(),
        },
        "return" => Command::Return {
            channel: match f.channel.as_str() {
                "post" => ReturnChannel::Post,
                "online" => ReturnChannel::Online,
                _ => ReturnChannel::Counter,
            },
        },
        "provide_completion" => Command::ProvideCompletion {
            components: Vec::new(),
        },
        other => return Err(format!("Không có thao tác “{other}”.")),
    })
}

/// An action on a dossier. Without JavaScript: done, a redirect to the page (POST, redirect,
/// GET); refused, the page again with 422. From htmx (`HX-Request`): the dossier's region
/// updated, or refused (422) with the message and what was typed inside the action's form.
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    require!(state, staff, Action::ActOnDossiers);
    let fragment = wants_fragment(&headers);
    let answer = |status: StatusCode, page: DossierPage| {
        if fragment {
            render(status, page.as_dossier())
        } else {
            render(status, page)
        }
    };
    let refuse = |message: String, form: ActionForm| {
        let state = state.clone();
        let staff = staff.clone();
        let code = code.clone();
        async move {
            match dossier_page(&state, &staff, &code).await {
                Ok(mut page) => {
                    // Beside the form it came from, when that action is still offered.
                    match page.offers.iter_mut().find(|o| o.action == form.action) {
                        Some(offer) => {
                            offer.error = Some(message);
                            offer.values = form;
                        }
                        None => page.error = Some(message),
                    }
                    answer(StatusCode::UNPROCESSABLE_ENTITY, page)
                }
                Err(p) if p.status == 404 => super::not_found_page(&state, &page_url(&code)),
                Err(p) => p.into_response(),
            }
        }
    };
    let Ok(version) = form.version.parse::<i64>() else {
        return refuse("Không rõ phiên bản hồ sơ; tải lại trang.".into(), form).await;
    };
    let command = match command_of(&form) {
        Ok(c) => c,
        Err(message) => return refuse(message, form).await,
    };
    let person = Person::Staff(staff.clone());
    match dossiers::act(&state, &person, &code, version, command).await {
        Ok(_) if fragment => match dossier_page(&state, &staff, &code).await {
            Ok(mut page) => {
                page.message = Some(format!("Đã ghi nhận: {}.", label_of(&form.action)));
                answer(StatusCode::OK, page)
            }
            Err(p) => p.into_response(),
        },
        Ok(_) => {
            Redirect::to(&format!("{}?da-luu={}", page_url(&code), form.action)).into_response()
        }
        Err(p) if p.status == 404 => super::not_found_page(&state, &page_url(&code)),
        Err(p) if p.status >= 500 => p.into_response(),
        Err(p) => {
            let mut message = p.detail.clone().unwrap_or_else(|| p.title.clone());
            // A field's reason says more than the summary, except for a stale version, whose
            // summary tells the officer what happened and what to do.
            if let Some(e) = p.errors.first().filter(|e| e.field != "version") {
                message = e.reason.clone();
            }
            refuse(message, form).await
        }
    }
}

fn label_of(action: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|a| a.0 == action)
        .map_or("Thao tác", |a| a.1)
}

#[derive(Deserialize, Default)]
pub(crate) struct FormQuery {
    #[serde(rename = "ma-tra-cuu")]
    secret: Option<String>,
}

/// A form of the dossier as PDF, to open in a new tab and print.
pub(crate) async fn form(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((code, form)): Path<(String, String)>,
    Query(q): Query<FormQuery>,
) -> Response {
    require!(state, staff, Action::ReadDossiers);
    let person = Person::Staff(staff);
    crate::forms::dossier_form(&state, &person, &headers, &code, &form, q.secret.as_deref())
        .await
        .unwrap_or_else(|p| p.into_response())
}
