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
        self.line().describe(steps)
    }

    /// The fields a line of a timeline names.
    pub fn line(&self) -> Line {
        let mut line = Line {
            kind: self.kind().to_string(),
            ..Line::default()
        };
        match self {
            Event::Opened { channel, .. } => line.channel = Some(*channel),
            Event::Returned { channel } => line.channel = Some(channel.as_channel()),
            Event::CompletionRequested { missing, .. } => line.missing.clone_from(missing),
            Event::SupplementRequested { items, .. } => line.items.clone_from(items),
            Event::Refused { reasons } => line.reasons.clone_from(reasons),
            Event::HandedOver { to_step, .. } => line.to_step = *to_step,
            Event::SentBack {
                to_step, reason, ..
            } => {
                line.to_step = *to_step;
                line.reason.clone_from(reason);
            }
            Event::ExtensionProposed { reason, .. }
            | Event::WithdrawalRequested { reason }
            | Event::Stopped { reason } => line.reason.clone_from(reason),
            Event::PaymentRequested { amount, .. } => line.amount = *amount,
            Event::Resumed { pause, .. } => line.pause = Some(*pause),
            Event::Consulted { agency, .. } | Event::ConsultAnswered { agency, .. } => {
                line.agency.clone_from(agency);
            }
            Event::CompletionProvided { .. } | Event::Received { .. } | Event::Completed { .. } => {
            }
        }
        line
    }
}

impl ReturnChannel {
    /// The intake channel of the same name: both are stored as `channel`.
    fn as_channel(self) -> Channel {
        match self {
            ReturnChannel::Counter => Channel::Counter,
            ReturnChannel::Post => Channel::Post,
            ReturnChannel::Online => Channel::Online,
        }
    }

    fn from_channel(channel: Channel) -> ReturnChannel {
        match channel {
            Channel::Counter => ReturnChannel::Counter,
            Channel::Post => ReturnChannel::Post,
            Channel::Online => ReturnChannel::Online,
        }
    }
}

/// An event as a line of a timeline: its kind and the fields its description names. Read from a
/// stored event, it skips the rest, so the public status lookup (the busiest request) does not
/// parse whole events: an opened one carries the whole application, and parsing whole events
/// was a tenth of a lookup's time at two million dossiers.
///
/// Stored, each dossier's lines make its timeline text (`timeline_entry`, `read_timeline`): the
/// lookup reads that one text instead of events spread over the whole log. Fields at their
/// default are left out of the JSON, as reading puts them back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Line {
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<Channel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    reasons: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
    #[serde(skip_serializing_if = "is_zero")]
    to_step: usize,
    #[serde(skip_serializing_if = "is_zero")]
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pause: Option<Pause>,
    #[serde(skip_serializing_if = "String::is_empty")]
    agency: String,
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

/// A stored event's entry in its dossier's timeline text: the instant, a tab, the line as JSON,
/// a newline. JSON never holds a raw tab or newline, so entries split without ambiguity.
pub fn timeline_entry(at: i64, stored_event: &str) -> serde_json::Result<String> {
    let line: Line = serde_json::from_str(stored_event)?;
    Ok(format!("{at}\t{}\n", serde_json::to_string(&line)?))
}

/// The entries of a timeline text, in order.
pub fn read_timeline(text: &str) -> Result<Vec<(i64, Line)>, String> {
    text.lines()
        .map(|entry| {
            let (at, line) = entry
                .split_once('\t')
                .ok_or_else(|| format!("timeline entry without an instant: {entry}"))?;
            let at = at
                .parse()
                .map_err(|_| format!("timeline entry with instant “{at}”"))?;
            let line = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
            Ok((at, line))
        })
        .collect()
}

impl Line {
    /// What a request for documents asked for, with the stage it put the dossier in.
    pub fn requested(&self) -> Option<(super::Stage, &[String])> {
        match self.kind.as_str() {
            "supplement_requested" => Some((super::Stage::SupplementRequested, &self.items)),
            "completion_requested" => Some((super::Stage::CompletionRequested, &self.missing)),
            _ => None,
        }
    }

    /// What happened, in plain Vietnamese (see `Event::describe`).
    pub fn describe(&self, steps: &[crate::catalogue::WorkflowStep]) -> String {
        let step = |i: usize| match steps.get(i) {
            Some(s) => format!("bước {} ({})", i + 1, s.name),
            None => format!("bước {}", i + 1),
        };
        let channel = self.channel.unwrap_or(Channel::Counter);
        let (to_step, reason) = (self.to_step, &self.reason);
        match self.kind.as_str() {
            "opened" => format!("Nộp hồ sơ ({})", channel.vietnamese().to_lowercase()),
            "completion_requested" => format!(
                "Yêu cầu bổ sung, hoàn thiện hồ sơ: {}",
                self.missing.join("; ")
            ),
            "completion_provided" => "Người nộp đã hoàn thiện hồ sơ".into(),
            "refused" => format!("Từ chối tiếp nhận: {}", self.reasons),
            "received" => "Tiếp nhận hồ sơ, hẹn ngày trả kết quả".into(),
            "handed_over" => format!("Chuyển xử lý {}", step(to_step)),
            "sent_back" => format!("Trả lại {}: {reason}", step(to_step)),
            "supplement_requested" => {
                format!("Yêu cầu bổ sung hồ sơ: {}", self.items.join("; "))
            }
            "payment_requested" => format!(
                "Yêu cầu thực hiện nghĩa vụ tài chính: {} đồng",
                crate::text::thousands(self.amount)
            ),
            "resumed" if self.pause == Some(Pause::Payment) => {
                "Đã thực hiện nghĩa vụ tài chính, tiếp tục xử lý".into()
            }
            "resumed" => "Đã nhận hồ sơ bổ sung, tiếp tục xử lý".into(),
            "extension_proposed" => format!("Xin lỗi và hẹn lại ngày trả kết quả: {reason}"),
            "consulted" => format!("Lấy ý kiến cơ quan phối hợp {}", self.agency),
            "consult_answered" => format!("Cơ quan {} đã trả lời", self.agency),
            "withdrawal_requested" => format!("Người nộp đề nghị rút hồ sơ: {reason}"),
            "stopped" => format!("Dừng giải quyết hồ sơ: {reason}"),
            "completed" => "Đã có kết quả giải quyết".into(),
            "returned" => format!(
                "Đã trả kết quả ({})",
                ReturnChannel::from_channel(channel)
                    .vietnamese()
                    .to_lowercase()
            ),
            other => format!("Sự kiện “{other}”"),
        }
    }
}
