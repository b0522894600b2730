//! From a person's request to the events it makes: each command is checked against the dossier's
//! stage, the person's roles, and the workflow step it is at (the step's role and the actions
//! the step allows). Deadlines are computed here with the deciding agency's calendar, so events
//! carry their dates. Which agencies a person may act for is decided before, by their reach.

use motcua_calendar::{Duration, Finished, Instant, Rules, Unit, deadline};
use serde::{Deserialize, Serialize};

use super::event::{Pause, ReceivedComponent};
use super::{Application, Channel, Dossier, Event, ReturnChannel, Stage};
use crate::catalogue::{self, Procedure, StepAction, WorkflowStep};
use crate::organisation::Role;

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The applicant, signed in (their ownership of the dossier is checked by the caller).
    Applicant {
        login: String,
    },
    Staff {
        login: String,
        roles: Vec<Role>,
    },
}

impl Actor {
    pub fn login(&self) -> &str {
        match self {
            Actor::Applicant { login } | Actor::Staff { login, .. } => login,
        }
    }

    fn has(&self, role: Role) -> bool {
        matches!(self, Actor::Staff { roles, .. } if roles.contains(&role))
    }
}

/// What a person asks to be done. Instants are microseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Online, by the applicant.
    Submit {
        application: Application,
    },
    /// At the desk: a dossier brought in (with its application) or one submitted online.
    Receive {
        #[serde(default)]
        application: Option<Application>,
        #[serde(default = "counter")]
        channel: Channel,
    },
    RequestCompletion {
        #[serde(default)]
        application: Option<Application>,
        #[serde(default = "counter")]
        channel: Channel,
        missing: Vec<String>,
        #[serde(default)]
        reason: String,
    },
    ProvideCompletion {
        components: Vec<ReceivedComponent>,
    },
    Refuse {
        #[serde(default)]
        application: Option<Application>,
        #[serde(default = "counter")]
        channel: Channel,
        reasons: String,
    },
    HandOver {
        #[serde(default)]
        to_user: Option<String>,
        #[serde(default)]
        note: String,
    },
    SendBack {
        #[serde(default)]
        to_user: Option<String>,
        reason: String,
    },
    RequestSupplement {
        reason: String,
        items: Vec<String>,
        /// The last day for the applicant (YYYY-MM-DD).
        applicant_due: String,
        /// Why a second request is needed; required for a second one.
        #[serde(default)]
        second_reason: String,
    },
    ProvideSupplement {
        #[serde(default)]
        components: Vec<ReceivedComponent>,
    },
    RequestPayment {
        amount: i64,
        reason: String,
    },
    ConfirmPayment {},
    ProposeExtension {
        reason: String,
        due: i64,
    },
    Consult {
        agency: String,
        request: String,
    },
    AnswerConsult {
        agency: String,
        answer: String,
    },
    RequestWithdrawal {
        reason: String,
    },
    Stop {
        reason: String,
    },
    Complete {
        result: String,
    },
    Return {
        channel: ReturnChannel,
    },
}

fn counter() -> Channel {
    Channel::Counter
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Submit { .. } => "submit",
            Command::Receive { .. } => "receive",
            Command::RequestCompletion { .. } => "request_completion",
            Command::ProvideCompletion { .. } => "provide_completion",
            Command::Refuse { .. } => "refuse",
            Command::HandOver { .. } => "hand_over",
            Command::SendBack { .. } => "send_back",
            Command::RequestSupplement { .. } => "request_supplement",
            Command::ProvideSupplement { .. } => "provide_supplement",
            Command::RequestPayment { .. } => "request_payment",
            Command::ConfirmPayment {} => "confirm_payment",
            Command::ProposeExtension { .. } => "propose_extension",
            Command::Consult { .. } => "consult",
            Command::AnswerConsult { .. } => "answer_consult",
            Command::RequestWithdrawal { .. } => "request_withdrawal",
            Command::Stop { .. } => "stop",
            Command::Complete { .. } => "complete",
            Command::Return { .. } => "return",
        }
    }

    /// Whether the command creates a dossier rather than acting on one.
    pub fn opens(&self) -> bool {
        match self {
            Command::Submit { .. } => true,
            Command::Receive { application, .. }
            | Command::RequestCompletion { application, .. }
            | Command::Refuse { application, .. } => application.is_some(),
            _ => false,
        }
    }

    /// The documents a command hands in (to check that their files were uploaded).
    pub fn components(&self) -> &[ReceivedComponent] {
        match self {
            Command::ProvideCompletion { components }
            | Command::ProvideSupplement { components } => components,
            _ => self.application().map_or(&[], |a| &a.components),
        }
    }

    /// The application a command that opens a dossier carries.
    pub fn application(&self) -> Option<&Application> {
        match self {
            Command::Submit { application } => Some(application),
            Command::Receive { application, .. }
            | Command::RequestCompletion { application, .. }
            | Command::Refuse { application, .. } => application.as_ref(),
            _ => None,
        }
    }
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{action} is not possible when the dossier is {}", .stage.code())]
    Stage { action: &'static str, stage: Stage },
    #[error("{action} needs the role {needed}")]
    Role {
        action: &'static str,
        needed: String,
    },
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("deadline: {0}")]
    Deadline(String),
}

impl Refusal {
    /// The message for a person, in Vietnamese.
    pub fn vietnamese(&self) -> String {
        match self {
            Refusal::Stage { action, stage } => format!(
                "Không thể {} khi hồ sơ đang ở trạng thái “{}”.",
                action_vietnamese(action),
                stage.national_name()
            ),
            Refusal::Role { action, needed } => format!(
                "Chỉ {needed} mới được {} ở bước này.",
                action_vietnamese(action)
            ),
            Refusal::Invalid { message, .. } => message.clone(),
            Refusal::Deadline(m) => format!("Không tính được thời hạn: {m}"),
        }
    }

    /// The field a person should correct, if one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

pub fn action_vietnamese(action: &str) -> &'static str {
    match action {
        "submit" => "nộp hồ sơ",
        "receive" => "tiếp nhận",
        "request_completion" => "yêu cầu hoàn thiện hồ sơ",
        "provide_completion" => "hoàn thiện hồ sơ",
        "refuse" => "từ chối tiếp nhận",
        "hand_over" => "chuyển bước tiếp",
        "send_back" => "trả lại bước trước",
        "request_supplement" => "yêu cầu bổ sung",
        "provide_supplement" => "nộp bổ sung",
        "request_payment" => "yêu cầu nghĩa vụ tài chính",
        "confirm_payment" => "xác nhận đã nộp nghĩa vụ tài chính",
        "propose_extension" => "xin lỗi, gia hạn",
        "consult" => "lấy ý kiến liên thông",
        "answer_consult" => "ghi nhận ý kiến liên thông",
        "request_withdrawal" => "rút hồ sơ",
        "stop" => "dừng giải quyết",
        "complete" => "hoàn thành",
        "return" => "trả kết quả",
        _ => "thực hiện thao tác này",
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid {
        field,
        message: message.into(),
    }
}

/// What a decision needs besides the dossier: when, who, the procedure version the dossier is
/// judged under, and the deciding agency's calendar.
pub struct Context<'a> {
    pub now: Instant,
    pub actor: &'a Actor,
    pub procedure: &'a Procedure,
    pub rules: Rules<'a>,
}

impl Context<'_> {
    /// The workflow and counting of the deciding agency; a procedure without one gets the
    /// plainest: the desk receives, an officer processes, the desk returns.
    fn workflow(&self, deciding_agency: &str) -> (motcua_calendar::Policy, Vec<WorkflowStep>) {
        let (policy, steps) = self.procedure.workflow_for(deciding_agency);
        if !steps.is_empty() {
            return (policy, steps.to_vec());
        }
        let step = |name: &str, role: Role, days: &str| WorkflowStep {
            name: name.into(),
            role: role.code().into(),
            agency: deciding_agency.into(),
            days: days.into(),
            actions: Vec::new(),
        };
        let whole = self
            .procedure
            .legal_time()
            .filter(|d| d.unit == Unit::WorkingDays)
            .map_or("0".to_string(), |d| {
                format!("{}", f64::from(d.centi) / 100.0)
            });
        (
            policy,
            vec![
                step("Tiếp nhận", Role::DeskOfficer, "0"),
                step("Xử lý", Role::ProcessingOfficer, &whole),
                step("Trả kết quả", Role::DeskOfficer, "0"),
            ],
        )
    }

    /// The legal time for a channel: its method's, else the procedure's.
    fn duration(&self, channel: Channel) -> Result<Duration, Refusal> {
        let wanted = match channel {
            Channel::Counter => catalogue::Channel::Counter,
            Channel::Online => catalogue::Channel::Online,
            Channel::Post => catalogue::Channel::Post,
        };
        let method = self.procedure.methods.iter().find(|m| m.channel == wanted);
        let duration = match method {
            Some(m) if m.unit == Unit::SameDay => Some(Duration::same_day()),
            Some(m) => Duration::parse(m.unit, &m.amount).ok(),
            None => self.procedure.legal_time(),
        };
        duration.ok_or_else(|| {
            invalid(
                "procedure",
                format!(
                    "Thủ tục {} không có thời hạn giải quyết cho hình thức này.",
                    self.procedure.code
                ),
            )
        })
    }

    /// When a step's budget runs out if it starts now.
    fn step_due(&self, step: &WorkflowStep) -> Result<i64, Refusal> {
        let centi = Duration::parse(Unit::WorkingDays, &step.days)
            .map(|d| i64::from(d.centi))
            .unwrap_or(0);
        let day = i64::from(self.rules.hours.day_minutes());
        let minutes = centi * day / 100;
        let deadline = |e: motcua_calendar::OutOfRange| Refusal::Deadline(e.to_string());
        let start = self.rules.position(self.now).map_err(deadline)?;
        // A step with no budget is done within the working day (the next one, out of hours):
        // its due is that day's close, not the instant it began, which before opening time is
        // the previous day's close.
        let position = if minutes == 0 {
            (start / day + 1) * day
        } else {
            start + minutes
        };
        self.rules.instant(position).map(|i| i.0).map_err(deadline)
    }
}

/// The events `command` makes of `dossier` (`None` for a command that opens one).
pub fn decide(
    dossier: Option<&Dossier>,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<Event>, Refusal> {
    let action = command.name();
    let Some(d) = dossier else {
        return open(command, ctx);
    };
    if command.opens() {
        return Err(invalid(
            "application",
            "Hồ sơ đã có; thao tác này không nhận thông tin hồ sơ mới.",
        ));
    }
    let stage_is = |allowed: &[Stage]| {
        if allowed.contains(&d.stage) {
            Ok(())
        } else {
            Err(Refusal::Stage {
                action,
                stage: d.stage,
            })
        }
    };
    let (_, steps) = ctx.workflow(&d.application.deciding_agency);
    let at_step = |wanted: &[StepAction]| -> Result<&WorkflowStep, Refusal> {
        let step = steps.get(d.step).ok_or_else(|| {
            invalid(
                "step",
                "Quy trình của hồ sơ không còn bước này; liên hệ quản trị.",
            )
        })?;
        let role = Role::from_code(&step.role);
        if !role.is_some_and(|r| ctx.actor.has(r)) {
            return Err(Refusal::Role {
                action,
                needed: role.map_or(step.role.clone(), |r| r.vietnamese().to_lowercase()),
            });
        }
        let allowed = step.allowed_actions();
        if !wanted.iter().any(|a| allowed.contains(a)) {
            return Err(invalid(
                "action",
                format!(
                    "Bước “{}” không cho phép {}.",
                    step.name,
                    action_vietnamese(action)
                ),
            ));
        }
        Ok(step)
    };
    let desk = || {
        if ctx.actor.has(Role::DeskOfficer) {
            Ok(())
        } else {
            Err(Refusal::Role {
                action,
                needed: Role::DeskOfficer.vietnamese().to_lowercase(),
            })
        }
    };
    let text = |field: &'static str, value: &str, what: &str| {
        if value.trim().is_empty() {
            Err(invalid(field, format!("Cần ghi {what}.")))
        } else {
            Ok(value.trim().to_string())
        }
    };
    let event = match command {
        Command::Submit { .. } => unreachable!("Submit always opens"),
        Command::Receive { .. } => {
            desk()?;
            stage_is(&[Stage::Submitted])?;
            return receive(d.channel, &d.application, ctx).map(|e| vec![e]);
        }
        Command::RequestCompletion {
            missing, reason, ..
        } => {
            desk()?;
            stage_is(&[Stage::Submitted])?;
            completion_requested(missing, reason)?
        }
        Command::ProvideCompletion { components } => {
            if !matches!(ctx.actor, Actor::Applicant { .. }) {
                desk()?;
            }
            stage_is(&[Stage::CompletionRequested])?;
            check_components(components, ctx.procedure)?;
            Event::CompletionProvided {
                components: components.clone(),
            }
        }
        Command::Refuse { reasons, .. } => {
            desk()?;
            stage_is(&[Stage::Submitted, Stage::CompletionRequested])?;
            Event::Refused {
                reasons: text("reasons", reasons, "lý do từ chối")?,
            }
        }
        Command::HandOver { to_user, note } => {
            stage_is(&[Stage::Received, Stage::Processing])?;
            at_step(&[StepAction::HandOver])?;
            let to = d.step + 1;
            // The last step is the desk's return: a dossier goes there by being completed.
            if to + 1 >= steps.len() {
                return Err(invalid(
                    "action",
                    "Đây là bước xử lý cuối: dùng “Hoàn thành” để chuyển kết quả về Bộ phận Một cửa.",
                ));
            }
            Event::HandedOver {
                from_step: d.step,
                to_step: to,
                to_user: to_user.clone().filter(|u| !u.trim().is_empty()),
                step_due: ctx.step_due(&steps[to])?,
                note: note.trim().to_string(),
            }
        }
        Command::SendBack { to_user, reason } => {
            stage_is(&[Stage::Processing])?;
            at_step(&[StepAction::SendBack])?;
            if d.step == 0 {
                return Err(invalid("action", "Hồ sơ đang ở bước đầu tiên."));
            }
            Event::SentBack {
                from_step: d.step,
                to_step: d.step - 1,
                to_user: to_user.clone().filter(|u| !u.trim().is_empty()),
                step_due: ctx.step_due(&steps[d.step - 1])?,
                reason: text("reason", reason, "lý do trả lại")?,
            }
        }
        Command::RequestSupplement {
            reason,
            items,
            applicant_due,
            second_reason,
        } => {
            stage_is(&[Stage::Received, Stage::Processing])?;
            at_step(&[StepAction::RequestSupplement])?;
            let items: Vec<String> = items
                .iter()
                .map(|i| i.trim().to_string())
                .filter(|i| !i.is_empty())
                .collect();
            if items.is_empty() {
                return Err(invalid(
                    "items",
                    "Cần liệt kê đầy đủ các giấy tờ phải bổ sung (một lần).",
                ));
            }
            let second = d.supplements > 0;
            if second && second_reason.trim().is_empty() {
                return Err(invalid(
                    "second_reason",
                    "Hồ sơ đã được yêu cầu bổ sung một lần; lần thứ hai phải ghi rõ lý do và hồ sơ sẽ bị tính là quá hạn.",
                ));
            }
            let due = motcua_calendar::Date::parse(applicant_due.trim()).map_err(|_| {
                invalid(
                    "applicant_due",
                    format!("“{applicant_due}” không phải ngày (YYYY-MM-DD)."),
                )
            })?;
            if due < ctx.now.local_date() {
                return Err(invalid(
                    "applicant_due",
                    "Hạn bổ sung của người nộp không thể trước hôm nay.",
                ));
            }
            Event::SupplementRequested {
                reason: text("reason", reason, "lý do yêu cầu bổ sung")?,
                items,
                applicant_due: due.to_string(),
                counts_late: second,
                second_reason: second_reason.trim().to_string(),
            }
        }
        Command::ProvideSupplement { components } => {
            stage_is(&[Stage::SupplementRequested])?;
            if matches!(ctx.actor, Actor::Staff { .. }) && !ctx.actor.has(Role::DeskOfficer) {
                at_step(&[StepAction::RequestSupplement])?;
            }
            resume(d, Pause::Supplement, components.clone(), ctx)?
        }
        Command::RequestPayment { amount, reason } => {
            stage_is(&[Stage::Processing])?;
            at_step(&[StepAction::RequestPayment])?;
            if *amount <= 0 {
                return Err(invalid("amount", "Số tiền phải lớn hơn 0."));
            }
            Event::PaymentRequested {
                amount: *amount,
                reason: text("reason", reason, "nội dung nghĩa vụ tài chính")?,
            }
        }
        Command::ConfirmPayment {} => {
            stage_is(&[Stage::PaymentRequested])?;
            if !ctx.actor.has(Role::DeskOfficer) {
                at_step(&[StepAction::RequestPayment])?;
            }
            resume(d, Pause::Payment, Vec::new(), ctx)?
        }
        Command::ProposeExtension { reason, due } => {
            stage_is(&[Stage::Received, Stage::Processing])?;
            at_step(&[StepAction::ProposeExtension])?;
            if d.extended {
                return Err(invalid(
                    "due",
                    "Hồ sơ đã được gia hạn một lần; không được gia hạn lần nữa.",
                ));
            }
            let current = d
                .due
                .ok_or_else(|| invalid("due", "Hồ sơ chưa có ngày hẹn."))?;
            let latest = ctx
                .rules
                .latest_extension_request(Instant(current))
                .map_err(|e| Refusal::Deadline(e.to_string()))?;
            if ctx.now > latest {
                return Err(invalid(
                    "due",
                    format!(
                        "Văn bản xin lỗi, gia hạn phải gửi chậm nhất 01 ngày làm việc trước hạn (trước {}).",
                        latest.vn()
                    ),
                ));
            }
            if *due <= current {
                return Err(invalid(
                    "due",
                    format!(
                        "Ngày hẹn mới phải sau ngày hẹn hiện tại ({}).",
                        Instant(current).vn()
                    ),
                ));
            }
            Event::ExtensionProposed {
                reason: text("reason", reason, "lý do chậm")?,
                previous_due: current,
                due: *due,
            }
        }
        Command::Consult { agency, request } => {
            stage_is(&[Stage::Processing])?;
            at_step(&[StepAction::Consult])?;
            Event::Consulted {
                agency: text("agency", agency, "cơ quan phối hợp")?,
                request: text("request", request, "nội dung cần ý kiến")?,
            }
        }
        Command::AnswerConsult { agency, answer } => {
            stage_is(&[Stage::Processing])?;
            at_step(&[StepAction::Consult])?;
            Event::ConsultAnswered {
                agency: text("agency", agency, "cơ quan phối hợp")?,
                answer: text("answer", answer, "ý kiến trả lời")?,
            }
        }
        Command::RequestWithdrawal { reason } => {
            if !matches!(ctx.actor, Actor::Applicant { .. }) {
                desk()?;
            }
            if !d.stage.before_decision() || d.stage == Stage::WithdrawalRequested {
                return Err(Refusal::Stage {
                    action,
                    stage: d.stage,
                });
            }
            Event::WithdrawalRequested {
                reason: text("reason", reason, "lý do rút hồ sơ")?,
            }
        }
        Command::Stop { reason } => {
            desk()?;
            if !d.stage.before_decision() {
                return Err(Refusal::Stage {
                    action,
                    stage: d.stage,
                });
            }
            Event::Stopped {
                reason: text("reason", reason, "lý do dừng giải quyết")?,
            }
        }
        Command::Complete { result } => {
            stage_is(&[Stage::Received, Stage::Processing])?;
            let step = at_step(&[StepAction::MarkDone, StepAction::Approve])?;
            // Completing sends the result to the desk's return, the last step: only from the
            // step before it, so no step of the workflow (the approver's) is skipped.
            if d.step + 2 < steps.len() {
                return Err(invalid(
                    "action",
                    format!(
                        "Bước “{}” chưa phải bước xử lý cuối: chuyển tiếp hồ sơ theo quy trình.",
                        step.name
                    ),
                ));
            }
            let due = d
                .due
                .ok_or_else(|| invalid("due", "Hồ sơ chưa có ngày hẹn."))?;
            let granularity = ctx.duration(d.channel)?.granularity();
            let outcome = if d.counts_late {
                Finished::Late
            } else {
                deadline::classify_finished(ctx.now, Instant(due), granularity)
            };
            Event::Completed {
                result: text("result", result, "kết quả giải quyết")?,
                outcome,
            }
        }
        Command::Return { channel } => {
            desk()?;
            stage_is(&[Stage::Done])?;
            Event::Returned { channel: *channel }
        }
    };
    Ok(vec![event])
}

/// A command that creates a dossier: the opening event, and what the desk decided at once.
fn open(command: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    let action = command.name();
    let (application, channel) = match command {
        Command::Submit { application } => {
            if !matches!(ctx.actor, Actor::Applicant { .. }) {
                return Err(Refusal::Role {
                    action,
                    needed: "người nộp hồ sơ (đã đăng nhập)".into(),
                });
            }
            (application, Channel::Online)
        }
        Command::Receive {
            application: Some(a),
            channel,
        }
        | Command::RequestCompletion {
            application: Some(a),
            channel,
            ..
        }
        | Command::Refuse {
            application: Some(a),
            channel,
            ..
        } => {
            if !ctx.actor.has(Role::DeskOfficer) {
                return Err(Refusal::Role {
                    action,
                    needed: Role::DeskOfficer.vietnamese().to_lowercase(),
                });
            }
            (a, *channel)
        }
        _ => {
            return Err(invalid(
                "code",
                "Thao tác này cần một hồ sơ đã có (mã hồ sơ).",
            ));
        }
    };
    check_application(application, ctx.procedure)?;
    let opened = Event::Opened {
        application: Box::new(application.clone()),
        channel,
    };
    let then = match command {
        Command::Submit { .. } => None,
        Command::Receive { .. } => Some(receive(channel, application, ctx)?),
        Command::RequestCompletion {
            missing, reason, ..
        } => Some(completion_requested(missing, reason)?),
        Command::Refuse { reasons, .. } => {
            if reasons.trim().is_empty() {
                return Err(invalid("reasons", "Cần ghi lý do từ chối."));
            }
            Some(Event::Refused {
                reasons: reasons.trim().to_string(),
            })
        }
        _ => unreachable!("matched above"),
    };
    Ok(std::iter::once(opened).chain(then).collect())
}

fn completion_requested(missing: &[String], reason: &str) -> Result<Event, Refusal> {
    let missing: Vec<String> = missing
        .iter()
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    if missing.is_empty() {
        return Err(invalid(
            "missing",
            "Cần liệt kê đầy đủ giấy tờ còn thiếu (một lần).",
        ));
    }
    Ok(Event::CompletionRequested {
        missing,
        reason: reason.trim().to_string(),
    })
}

/// Receipt of a complete dossier: the appointment by the procedure's counting and limit.
fn receive(channel: Channel, application: &Application, ctx: &Context) -> Result<Event, Refusal> {
    check_components(&application.components, ctx.procedure)?;
    let (policy, steps) = ctx.workflow(&application.deciding_agency);
    let duration = ctx.duration(channel)?;
    let appointment = ctx
        .rules
        .appointment(ctx.now, duration, policy)
        .map_err(|e| Refusal::Deadline(e.vietnamese()))?;
    Ok(Event::Received {
        duration,
        policy,
        due: appointment.due.0,
        first_step_due: ctx.step_due(&steps[0])?,
    })
}

/// The clock starts again: the due dates move by the working time paused.
fn resume(
    d: &Dossier,
    pause: Pause,
    components: Vec<ReceivedComponent>,
    ctx: &Context,
) -> Result<Event, Refusal> {
    let since = Instant(d.paused_since.unwrap_or(ctx.now.0));
    let minutes = ctx
        .rules
        .working_minutes_between(since, ctx.now)
        .map_err(|e| Refusal::Deadline(e.to_string()))?
        .max(0);
    let shift = |at: Option<i64>| -> Result<i64, Refusal> {
        let at = Instant(at.unwrap_or(ctx.now.0));
        ctx.rules
            .add_working_minutes(at, minutes)
            .map(|i| i.0)
            .map_err(|e| Refusal::Deadline(e.to_string()))
    };
    Ok(Event::Resumed {
        pause,
        paused_minutes: minutes,
        due: shift(d.due)?,
        step_due: shift(d.step_due)?,
        components,
    })
}

fn check_application(a: &Application, procedure: &Procedure) -> Result<(), Refusal> {
    if a.procedure != procedure.code {
        return Err(invalid(
            "procedure",
            format!(
                "Hồ sơ ghi thủ tục “{}”, không phải {}.",
                a.procedure, procedure.code
            ),
        ));
    }
    if a.applicant.name.trim().is_empty() {
        return Err(invalid(
            "applicant.name",
            "Cần ghi họ tên người nộp hoặc tên tổ chức.",
        ));
    }
    if a.sets == 0 {
        return Err(invalid("sets", "Số bộ hồ sơ phải từ 1 trở lên."));
    }
    for c in &a.components {
        if !procedure.components.iter().any(|p| p.name == c.name) {
            return Err(invalid(
                "components",
                format!("Thủ tục không có thành phần “{}”.", c.name),
            ));
        }
    }
    Ok(())
}

/// Every component the procedure always requires (no "case" attached) is among `given`.
fn check_components(given: &[ReceivedComponent], procedure: &Procedure) -> Result<(), Refusal> {
    let missing: Vec<&str> = procedure
        .components
        .iter()
        .filter(|c| c.case.trim().is_empty())
        .filter(|c| {
            !given
                .iter()
                .any(|g| g.name == c.name && (g.originals + g.copies > 0 || !g.files.is_empty()))
        })
        .map(|c| c.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(
            "components",
            format!("Hồ sơ chưa đủ thành phần bắt buộc: {}.", missing.join("; ")),
        ))
    }
}
