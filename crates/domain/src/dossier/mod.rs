//! Dossiers (hồ sơ): what happened to one is a list of events, and its current state is those
//! events folded (`Dossier::evolve`). A person's request is a `Command`; `decide` checks it
//! against the state, the person's roles and the workflow step, and answers the events to
//! append, with every date computed (so replaying never needs the calendar again).
//!
//! - [`event`]: the events and what they carry.
//! - [`decide`]: commands, the checks, and the events they become.
//! - [`status`]: the national status and channel codes.
//! - [`steps`]: each step's end with the time the step had (the control sheet).

pub mod code;
pub mod decide;
pub mod event;
pub mod status;
pub mod steps;

use motcua_calendar::Finished;
use serde::{Deserialize, Serialize};

pub use code::CodeFormat;
pub use decide::{Actor, Command, Context, Refusal, decide};
pub use event::{Applicant, Application, Event, ReceivedComponent, ReturnChannel};
pub use status::Channel;
pub use steps::{StepEnd, step_ends};

/// Where a dossier is in its life. Each maps to a national status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Submitted online, not yet received by the desk.
    Submitted,
    /// Before receipt, the applicant was asked to complete the dossier (Mẫu 02).
    CompletionRequested,
    /// Not accepted (Mẫu 03). Final.
    Refused,
    /// Received complete (Mẫu 01); at the desk, not yet handed over.
    Received,
    Processing,
    /// Waiting for the applicant's supplement; the clock is paused.
    SupplementRequested,
    /// Waiting for a payment (fees, taxes); the clock is paused.
    PaymentRequested,
    /// The applicant asked to withdraw it.
    WithdrawalRequested,
    /// Stopped on the applicant's request (Mẫu 05). Final.
    Stopped,
    /// Decided: the result is ready at the desk.
    Done,
    /// The result was handed to the applicant. Final.
    Returned,
}

pub const ALL_STAGES: [Stage; 11] = [
    Stage::Submitted,
    Stage::CompletionRequested,
    Stage::Refused,
    Stage::Received,
    Stage::Processing,
    Stage::SupplementRequested,
    Stage::PaymentRequested,
    Stage::WithdrawalRequested,
    Stage::Stopped,
    Stage::Done,
    Stage::Returned,
];

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Submitted => "submitted",
            Stage::CompletionRequested => "completion_requested",
            Stage::Refused => "refused",
            Stage::Received => "received",
            Stage::Processing => "processing",
            Stage::SupplementRequested => "supplement_requested",
            Stage::PaymentRequested => "payment_requested",
            Stage::WithdrawalRequested => "withdrawal_requested",
            Stage::Stopped => "stopped",
            Stage::Done => "done",
            Stage::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Stage> {
        ALL_STAGES.into_iter().find(|s| s.code() == code)
    }

    /// The stage's name for staff, finer than the national status.
    pub fn vietnamese(self) -> &'static str {
        match self {
            Stage::Submitted => "Chờ tiếp nhận",
            Stage::CompletionRequested => "Chờ hoàn thiện hồ sơ",
            Stage::Refused => "Từ chối tiếp nhận",
            Stage::Received => "Đã tiếp nhận",
            Stage::Processing => "Đang xử lý",
            Stage::SupplementRequested => "Chờ bổ sung",
            Stage::PaymentRequested => "Chờ thực hiện nghĩa vụ tài chính",
            Stage::WithdrawalRequested => "Đề nghị rút hồ sơ",
            Stage::Stopped => "Dừng xử lý",
            Stage::Done => "Có kết quả, chờ trả",
            Stage::Returned => "Đã trả kết quả",
        }
    }

    /// Nothing more can happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Refused | Stage::Stopped | Stage::Returned)
    }

    /// The clock runs against the agency: received and not yet decided, not paused.
    pub fn counts_time(self) -> bool {
        matches!(
            self,
            Stage::Received | Stage::Processing | Stage::WithdrawalRequested
        )
    }

    /// No decision has been issued yet (so it may still be stopped).
    pub fn before_decision(self) -> bool {
        !matches!(
            self,
            Stage::Done | Stage::Returned | Stage::Refused | Stage::Stopped
        )
    }
}

/// The current state of a dossier: its events folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub stage: Stage,
    pub channel: Channel,
    pub application: Application,
    /// Events applied so far: the version a command must name.
    pub version: i64,
    /// The workflow step it is at (0: the desk's receipt).
    pub step: usize,
    /// The officer it was handed to, if a named one.
    pub assignee: Option<String>,
    /// Instants as microseconds since the epoch.
    pub submitted_at: i64,
    pub received_at: Option<i64>,
    pub due: Option<i64>,
    /// The due date before an extension (Mẫu 04), if there was one.
    pub original_due: Option<i64>,
    /// When the current step's budget runs out.
    pub step_due: Option<i64>,
    /// When the clock was paused (supplement or payment), while it is.
    pub paused_since: Option<i64>,
    pub supplements: u32,
    pub extended: bool,
    /// A second supplement request makes it count as late whatever the dates.
    pub counts_late: bool,
    /// Every document it was received with was scanned or uploaded (Decision 766's digitised
    /// dossiers), judged once at receipt.
    #[serde(default)]
    pub digitised: bool,
    pub finished_at: Option<i64>,
    pub outcome: Option<Finished>,
}

impl Dossier {
    /// A dossier from the event that opens it.
    pub fn open(event: &Event, at: i64) -> Option<Dossier> {
        let Event::Opened {
            application,
            channel,
        } = event
        else {
            return None;
        };
        Some(Dossier {
            stage: Stage::Submitted,
            channel: *channel,
            application: (**application).clone(),
            version: 1,
            step: 0,
            assignee: None,
            submitted_at: at,
            received_at: None,
            due: None,
            original_due: None,
            step_due: None,
            paused_since: None,
            supplements: 0,
            extended: false,
            counts_late: false,
            digitised: false,
            finished_at: None,
            outcome: None,
        })
    }

    /// The state after `event`, which happened at `at`. Events were checked by `decide` when they
    /// were made; folding them trusts them.
    pub fn evolve(&mut self, event: &Event, at: i64) {
        self.version += 1;
        match event {
            Event::Opened { .. } => {}
            Event::CompletionRequested { .. } => self.stage = Stage::CompletionRequested,
            Event::CompletionProvided { components } => {
                self.application.components = components.clone();
                self.stage = Stage::Submitted;
            }
            Event::Refused { .. } => self.stage = Stage::Refused,
            Event::Received {
                due,
                first_step_due,
                ..
            } => {
                self.stage = Stage::Received;
                self.received_at = Some(at);
                self.digitised = self.application.is_digitised();
                self.due = Some(*due);
                self.step = 0;
                self.step_due = Some(*first_step_due);
            }
            Event::HandedOver {
                to_step,
                to_user,
                step_due,
                ..
            }
            | Event::SentBack {
                to_step,
                to_user,
                step_due,
                ..
            } => {
                self.stage = Stage::Processing;
                self.step = *to_step;
                self.assignee = to_user.clone();
                self.step_due = Some(*step_due);
            }
            Event::SupplementRequested { counts_late, .. } => {
                self.stage = Stage::SupplementRequested;
                self.paused_since = Some(at);
                self.supplements += 1;
                self.counts_late |= *counts_late;
            }
            Event::PaymentRequested { .. } => {
                self.stage = Stage::PaymentRequested;
                self.paused_since = Some(at);
            }
            Event::Resumed {
                due,
                step_due,
                components,
                ..
            } => {
                self.application.add_components(components);
                self.stage = Stage::Processing;
                self.paused_since = None;
                self.due = Some(*due);
                self.step_due = Some(*step_due);
            }
            Event::ExtensionProposed { due, .. } => {
                self.original_due = self.due;
                self.due = Some(*due);
                self.extended = true;
            }
            Event::Consulted { .. } | Event::ConsultAnswered { .. } => {}
            Event::WithdrawalRequested { .. } => self.stage = Stage::WithdrawalRequested,
            Event::Stopped { .. } => {
                self.stage = Stage::Stopped;
                self.finished_at = Some(at);
                self.paused_since = None;
            }
            Event::Completed { outcome, .. } => {
                self.stage = Stage::Done;
                self.finished_at = Some(at);
                self.outcome = Some(*outcome);
            }
            Event::Returned { .. } => self.stage = Stage::Returned,
        }
    }

    /// Folds a whole history; `None` if it does not begin with `Opened`.
    pub fn replay<'a>(events: impl IntoIterator<Item = (&'a Event, i64)>) -> Option<Dossier> {
        let mut events = events.into_iter();
        let (first, at) = events.next()?;
        let mut dossier = Dossier::open(first, at)?;
        for (event, at) in events {
            dossier.evolve(event, at);
        }
        Some(dossier)
    }
}
