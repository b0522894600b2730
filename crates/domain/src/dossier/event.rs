//! What can happen to a dossier. Each event carries everything needed to fold it: dates are
//! computed when it is decided, never when it is replayed. Stored as JSON tagged by `kind`.

use motcua_calendar::{Duration, Finished, Policy};
use serde::{Deserialize, Serialize};

use super::Channel;

/// The person or organisation the dossier is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// `person` or `organisation`.
    #[serde(default = "person")]
    pub kind: String,
    pub name: String,
    /// Citizen identity number, or the organisation's tax or registration number.
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Who acts for an organisation, or for a person by authorisation.
    #[serde(default)]
    pub representative: String,
}

fn person() -> String {
    "person".to_string()
}

/// A document handed in: one of the procedure's components, with what was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedComponent {
    /// The component's name as in the procedure.
    pub name: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
    /// Scans or uploads, by SHA-256 in the file store.
    #[serde(default)]
    pub files: Vec<String>,
}

/// What was asked for, by whom, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub procedure: String,
    /// The procedure's version in force at submission: the dossier is judged under it.
    pub procedure_version: i64,
    pub applicant: Applicant,
    pub components: Vec<ReceivedComponent>,
    /// Number of sets handed in.
    #[serde(default = "one")]
    pub sets: u32,
    /// The agency whose desk receives it (identifier).
    pub desk_agency: String,
    /// The agency that decides it (identifier).
    pub deciding_agency: String,
    /// Where the applicant was served (a unit's code or a desk's name), if elsewhere.
    #[serde(default)]
    pub served_at: String,
    #[serde(default)]
    pub note: String,
}

fn one() -> u32 {
    1
}

impl Application {
    /// Every document handed in has a scan or an upload (and there is at least one).
    pub fn is_digitised(&self) -> bool {
        !self.components.is_empty() && self.components.iter().all(|c| !c.files.is_empty())
    }

    /// Adds documents handed in later (a supplement) to those of the same name, or as new ones.
    pub fn add_components(&mut self, more: &[ReceivedComponent]) {
        for c in more {
            match self.components.iter_mut().find(|have| have.name == c.name) {
                Some(have) => {
                    have.originals += c.originals;
                    have.copies += c.copies;
                    have.files.extend(c.files.iter().cloned());
                }
                None => self.components.push(c.clone()),
            }
        }
    }
}

/// How a result reached the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnChannel {
    Counter,
    Post,
    Online,
}

impl ReturnChannel {
    pub fn vietnamese(self) -> &'static str {
        match self {
            ReturnChannel::Counter => "Tại Bộ phận Một cửa",
            ReturnChannel::Post => "Qua bưu chính công ích",
            ReturnChannel::Online => "Trực tuyến (kết quả điện tử)",
        }
    }
}

/// Why the clock was paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pause {
    Supplement,
    Payment,
}

/// Instants are microseconds since the epoch (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The dossier exists: submitted online, or brought to the counter or by post.
    Opened {
        application: Box<Application>,
        channel: Channel,
    },
    /// Before receipt: everything missing, listed in one go (Mẫu 02).
    CompletionRequested {
        missing: Vec<String>,
        reason: String,
    },
    /// The applicant completed it; it waits for the desk again.
    CompletionProvided {
        components: Vec<ReceivedComponent>,
    },
    /// Not accepted, with the reasons (Mẫu 03).
    Refused {
        reasons: String,
    },
    /// Received complete (Mẫu 01): the clock starts.
    Received {
        duration: Duration,
        policy: Policy,
        due: i64,
        first_step_due: i64,
    },
    HandedOver {
        from_step: usize,
        to_step: usize,
        #[serde(default)]
        to_user: Option<String>,
        step_due: i64,
        #[serde(default)]
        note: String,
    },
    SentBack {
        from_step: usize,
        to_step: usize,
        #[serde(default)]
        to_user: Option<String>,
        step_due: i64,
        reason: String,
    },
    /// The applicant must supplement it; the clock pauses until they do.
    SupplementRequested {
        reason: String,
        items: Vec<String>,
        /// The last day for the applicant (YYYY-MM-DD).
        applicant_due: String,
        /// A second request: the dossier counts as late (with the reason why it was needed).
        counts_late: bool,
        #[serde(default)]
        second_reason: String,
    },
    PaymentRequested {
        amount: i64,
        reason: String,
    },
    /// The supplement or payment came; the due dates move by the working time paused.
    Resumed {
        pause: Pause,
        paused_minutes: i64,
        due: i64,
        step_due: i64,
        #[serde(default)]
        components: Vec<ReceivedComponent>,
    },
    /// Apology and a new date (Mẫu 04), at most once, at least a working day before the due.
    ExtensionProposed {
        reason: String,
        previous_due: i64,
        due: i64,
    },
    /// Asked a coordinating agency (liên thông).
    Consulted {
        agency: String,
        request: String,
    },
    ConsultAnswered {
        agency: String,
        answer: String,
    },
    WithdrawalRequested {
        reason: String,
    },
    /// Stopped before a decision (Mẫu 05).
    Stopped {
        reason: String,
    },
    /// Decided; early, on time or late is fixed now.
    Completed {
        result: String,
        outcome: Finished,
    },
    Returned {
        channel: ReturnChannel,
    },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Opened { .. } => "opened",
            Event::CompletionRequested { .. } => "completion_requested",
            Event::CompletionProvided { .. } => "completion_provided",
            Event::Refused { .. } => "refused",
            Event::Received { .. } => "received",
            Event::HandedOver { .. } => "handed_over",
            Event::SentBack { .. } => "sent_back",
            Event::SupplementRequested { .. } => "supplement_requested",
            Event::PaymentRequested { .. } => "payment_requested",
            Event::Resumed { .. } => "resumed",
            Event::ExtensionProposed { .. } => "extension_proposed",
            Event::Consulted { .. } => "consulted",
            Event::ConsultAnswered { .. } => "consult_answered",
            Event::WithdrawalRequested { .. } => "withdrawal_requested",
            Event::Stopped { .. } => "stopped",
            Event::Completed { .. } => "completed",
            Event::Returned { .. } => "returned",
        }
    }

    /// What happened, in plain Vietnamese, for the timeline; steps by number.
    pub fn vietnamese(&self) -> String {
        self.describe(&[])
    }

    /// What happened, in plain Vietnamese, naming the steps it moves between from `steps` (the
    /// dossier's workflow), by number where a step is not there.
    pub fn describe(&self, steps: &[crate::catalogue::WorkflowStep]) -> String {
        let step = |i: usize| match steps.get(i) {
            Some(s) => format!("bước {} ({})", i + 1, s.name),
            None => format!("bước {}", i + 1),
        };
        match self {
            Event::Opened { channel, .. } => {
                format!("Nộp hồ sơ ({})", channel.vietnamese().to_lowercase())
            }
            Event::CompletionRequested { missing, .. } => {
                format!("Yêu cầu bổ sung, hoàn thiện hồ sơ: {}", missing.join("; "))
            }
            Event::CompletionProvided { .. } => "Người nộp đã hoàn thiện hồ sơ".into(),
            Event::Refused { reasons } => format!("Từ chối tiếp nhận: {reasons}"),
            Event::Received { .. } => "Tiếp nhận hồ sơ, hẹn ngày trả kết quả".into(),
            Event::HandedOver { to_step, .. } => format!("Chuyển xử lý {}", step(*to_step)),
            Event::SentBack {
                to_step, reason, ..
            } => {
                format!("Trả lại {}: {reason}", step(*to_step))
            }
            Event::SupplementRequested { items, .. } => {
                format!("Yêu cầu bổ sung hồ sơ: {}", items.join("; "))
            }
            Event::PaymentRequested { amount, .. } => format!(
                "Yêu cầu thực hiện nghĩa vụ tài chính: {} đồng",
                crate::text::thousands(*amount)
            ),
            Event::Resumed {
                pause: Pause::Supplement,
                ..
            } => "Đã nhận hồ sơ bổ sung, tiếp tục xử lý".into(),
            Event::Resumed {
                pause: Pause::Payment,
                ..
            } => "Đã thực hiện nghĩa vụ tài chính, tiếp tục xử lý".into(),
            Event::ExtensionProposed { reason, .. } => {
                format!("Xin lỗi và hẹn lại ngày trả kết quả: {reason}")
            }
            Event::Consulted { agency, .. } => format!("Lấy ý kiến cơ quan phối hợp {agency}"),
            Event::ConsultAnswered { agency, .. } => format!("Cơ quan {agency} đã trả lời"),
            Event::WithdrawalRequested { reason } => {
                format!("Người nộp đề nghị rút hồ sơ: {reason}")
            }
            Event::Stopped { reason } => format!("Dừng giải quyết hồ sơ: {reason}"),
            Event::Completed { .. } => "Đã có kết quả giải quyết".into(),
            Event::Returned { channel } => {
                format!("Đã trả kết quả ({})", channel.vietnamese().to_lowercase())
            }
        }
    }
}
