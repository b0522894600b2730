//! The one-stop forms as PDF, in the set in force when the dossier was received: Circular
//! 01/2018/TT-VPCP (Mẫu 01–06) before 1 July 2025, Circular 03/2025/TT-VPCP (Mẫu 01–07) after.
//!
//! - [`counter`]: what the desk hands across the counter (Mẫu 01 receipt, 02 completion request,
//!   03 refusal).
//! - [`letters`]: the agency's letters (Mẫu 04 apology and new date, Mẫu 05 stop notice).
//! - [`control`]: the control sheet (Mẫu 06; 05 of 2018), one row per hand-over.
//! - [`register`]: a desk's register over a date range (Mẫu 07; 06 of 2018), as PDF and XLSX.
//!
//! The web layer gathers a [`Sheet`] from the dossier and its events; nothing here reads a store.

mod common;
pub mod control;
pub mod counter;
pub mod letters;
pub mod register;

use motcua_calendar::Date;
use motcua_domain::dossier::{Applicant, ReceivedComponent};

pub use register::{Register, RegisterRow};

/// The set of forms a dossier prints with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormSet {
    /// Circular 01/2018/TT-VPCP.
    Y2018,
    /// Circular 03/2025/TT-VPCP.
    Y2025,
}

impl FormSet {
    /// The set for a dossier received (or, before receipt, submitted) on `date`: the 2025 set
    /// from 1 July 2025, when Decree 118/2025 took effect.
    pub fn on(date: Date) -> FormSet {
        if date < Date::from_ymd(2025, 7, 1).expect("a date") {
            FormSet::Y2018
        } else {
            FormSet::Y2025
        }
    }

    pub fn circular(self) -> &'static str {
        match self {
            FormSet::Y2018 => "Thông tư số 01/2018/TT-VPCP",
            FormSet::Y2025 => "Thông tư số 03/2025/TT-VPCP",
        }
    }

    /// What the desk is called in the set's forms.
    pub fn desk_word(self) -> &'static str {
        match self {
            FormSet::Y2018 => "Bộ phận tiếp nhận và trả kết quả",
            FormSet::Y2025 => "Bộ phận Một cửa",
        }
    }
}

/// The forms, whatever their number in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Receipt,
    CompletionRequest,
    Refusal,
    Apology,
    StopNotice,
    ControlSheet,
    Register,
}

pub const DOSSIER_FORMS: [Form; 6] = [
    Form::Receipt,
    Form::CompletionRequest,
    Form::Refusal,
    Form::Apology,
    Form::StopNotice,
    Form::ControlSheet,
];

impl Form {
    /// The name in addresses (`/forms/receipt`).
    pub fn slug(self) -> &'static str {
        match self {
            Form::Receipt => "receipt",
            Form::CompletionRequest => "completion-request",
            Form::Refusal => "refusal",
            Form::Apology => "apology",
            Form::StopNotice => "stop-notice",
            Form::ControlSheet => "control-sheet",
            Form::Register => "register",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Form> {
        DOSSIER_FORMS
            .into_iter()
            .chain([Form::Register])
            .find(|f| f.slug() == slug)
    }

    /// Its number in `set`; the 2018 set has no stop notice, which prints with the 2025 one.
    pub fn number(self, set: FormSet) -> (u8, FormSet) {
        match (set, self) {
            (FormSet::Y2018, Form::Receipt) => (1, set),
            (FormSet::Y2018, Form::CompletionRequest) => (2, set),
            (FormSet::Y2018, Form::Refusal) => (3, set),
            (FormSet::Y2018, Form::Apology) => (4, set),
            (FormSet::Y2018, Form::ControlSheet) => (5, set),
            (FormSet::Y2018, Form::Register) => (6, set),
            (_, Form::Receipt) => (1, FormSet::Y2025),
            (_, Form::CompletionRequest) => (2, FormSet::Y2025),
            (_, Form::Refusal) => (3, FormSet::Y2025),
            (_, Form::Apology) => (4, FormSet::Y2025),
            (_, Form::StopNotice) => (5, FormSet::Y2025),
            (_, Form::ControlSheet) => (6, FormSet::Y2025),
            (_, Form::Register) => (7, FormSet::Y2025),
        }
    }

    pub fn title(self, set: FormSet) -> &'static str {
        match (self, set) {
            (Form::Receipt, _) => "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            (Form::CompletionRequest, _) => "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            (Form::Refusal, _) => "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            (Form::Apology, FormSet::Y2018) => "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            (Form::Apology, FormSet::Y2025) => {
                "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
            }
            (Form::StopNotice, _) => "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            (Form::ControlSheet, _) => "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            (Form::Register, _) => "SỔ THEO DÕI HỒ SƠ",
        }
    }

    /// The form for `sheet` as PDF, or why the dossier's story does not allow it (in Vietnamese).
    pub fn render(self, sheet: &Sheet) -> Result<Vec<u8>, String> {
        match self {
            Form::Receipt => counter::receipt(sheet),
            Form::CompletionRequest => counter::completion_request(sheet),
            Form::Refusal => counter::refusal(sheet),
            Form::Apology => letters::apology(sheet),
            Form::StopNotice => letters::stop_notice(sheet),
            Form::ControlSheet => control::control_sheet(sheet),
            Form::Register => Err(
                "Sổ theo dõi hồ sơ in theo Bộ phận Một cửa và khoảng ngày, không theo một hồ sơ."
                    .into(),
            ),
        }
    }
}

/// Who issues the forms: the two lines of the heading's left side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issuer {
    /// The governing body ("UBND TỈNH …"), may be empty.
    pub parent: String,
    /// The agency ("UBND XÃ MINH SƠN").
    pub agency: String,
    /// Where the papers are dated ("Minh Sơn" in "Minh Sơn, ngày …").
    pub place: String,
}

/// One hand-over of the dossier, for the control sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOver {
    /// The agency the giving step belongs to.
    pub agency: String,
    /// Who gave it: step and officer.
    pub from: String,
    /// Who received it: step, officer or the applicant.
    pub to: String,
    pub at: i64,
    /// When the giving step's time ran out, if it had a limit.
    pub due: Option<i64>,
    pub note: String,
}

/// The agency's apology and new date (Mẫu 04).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub at: i64,
    pub reason: String,
    pub previous_due: i64,
    pub due: i64,
}

/// The stop on the applicant's request (Mẫu 05).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub at: i64,
    /// When and why the applicant asked, if they asked through the system.
    pub requested: Option<(i64, String)>,
    pub reason: String,
    /// Where the dossier was when it stopped.
    pub stage: String,
}

/// Everything a dossier's forms print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub code: String,
    pub issuer: Issuer,
    /// The desk's name ("Bộ phận Một cửa UBND xã Minh Sơn").
    pub desk: String,
    pub deciding_agency: String,
    pub coordinating_agencies: Vec<String>,
    pub procedure: String,
    pub applicant: Applicant,
    pub components: Vec<ReceivedComponent>,
    pub sets: u32,
    /// The time limit in law, as written ("05 ngày làm việc").
    pub legal_time: String,
    pub submitted_at: i64,
    pub received_at: Option<i64>,
    pub due: Option<i64>,
    /// Where the result is collected.
    pub return_place: String,
    /// The lookup page, for the QR code.
    pub lookup_url: String,
    /// Printed only when it is known (at receipt; it is kept hashed).
    pub lookup_secret: Option<String>,
    /// The officer who received it, or who asked for completion or refused.
    pub officer: String,
    /// What to complete or supplement (Mẫu 02), with the reason.
    pub missing: Vec<String>,
    pub missing_reason: String,
    pub refusal: Option<String>,
    pub extension: Option<Extension>,
    pub stop: Option<Stop>,
    pub hand_overs: Vec<HandOver>,
    /// When the form is printed: its date line.
    pub printed_at: i64,
}

impl Sheet {
    /// The set the dossier prints with.
    pub fn set(&self) -> FormSet {
        FormSet::on(
            motcua_calendar::Instant(self.received_at.unwrap_or(self.submitted_at)).local_date(),
        )
    }
}

/// The national heading of official papers, for reports printed with the forms' look.
pub(crate) fn heading_for(doc: &mut crate::pdf::Doc, issuer: &Issuer, dated: i64) {
    common::heading(doc, issuer, None, dated);
}
