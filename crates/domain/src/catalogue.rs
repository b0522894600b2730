//! The procedure catalogue (danh mục thủ tục hành chính): each procedure with every field of the
//! national database's record, and the province's internal workflow for it. The JSON form here is
//! the import and export format; `check` finds every problem, with where it is, before anything
//! is written.

use std::collections::BTreeSet;

use motcua_calendar::{Date, Duration, Policy, Unit};
use serde::{Deserialize, Serialize};

use crate::organisation::Role;

pub const FORMAT: &str = "motcua-catalogue/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub format: String,
    #[serde(default)]
    pub note: String,
    pub sectors: Vec<Sector>,
    pub procedures: Vec<Procedure>,
}

/// A sector (lĩnh vực), e.g. `DD` Đất đai.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Commune,
    /// Before 1 July 2025 only.
    District,
}

impl Level {
    /// The code it is stored and exchanged under (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Commune => "commune",
            Level::District => "district",
        }
    }

    pub fn from_code(code: &str) -> Option<Level> {
        [Level::Province, Level::Commune, Level::District]
            .into_iter()
            .find(|l| l.code() == code)
    }

    pub fn vietnamese(self) -> &'static str {
        match self {
            Level::Province => "Cấp tỉnh",
            Level::Commune => "Cấp xã",
            Level::District => "Cấp huyện (trước 01/7/2025)",
        }
    }
}

/// Dịch vụ công trực tuyến toàn trình (fully online) or một phần (partly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Online {
    Full,
    Partial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Online,
    Post,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The province's publication decision, e.g. "Quyết định số 1234/QĐ-UBND".
    pub number: String,
    pub date: String,
    /// The day the legal document behind this version takes effect (YYYY-MM-DD), when known: the
    /// decision is due some working days before it (`publication::Rules`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub law_effective: String,
}

/// A way to carry out the procedure: channel × time limit × fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub channel: Channel,
    /// The time limit in `unit`, as written ("3", "0.5"); empty for `same_day`.
    #[serde(default)]
    pub amount: String,
    pub unit: Unit,
    /// Fee and charges in đồng.
    pub fee: i64,
    #[serde(default)]
    pub fee_note: String,
    #[serde(default)]
    pub description: String,
}

/// A document to bring (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub name: String,
    /// The form template's name (e.g. "Mẫu số 04/ĐK"), empty if none.
    #[serde(default)]
    pub form: String,
    pub originals: u32,
    pub copies: u32,
    /// When the document is needed ("Trường hợp ủy quyền"), empty if always.
    #[serde(default)]
    pub case: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub number: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub issuer: String,
}

/// A step of the internal workflow (quy trình nội bộ), with its budget of working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowStep {
    pub name: String,
    /// A role code (`desk_officer`, `processing_officer`, `approver` …).
    pub role: String,
    /// An agency identifier, or `commune` for the commune's committee.
    pub agency: String,
    /// Working days, as written ("0.5"); the final return step is "0".
    pub days: String,
    /// What may be done at this step; empty means the usual actions of the step's role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<StepAction>,
}

/// Something an officer may do to a dossier at a workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// Receive the dossier (Mẫu 01), or ask for completion or refuse (Mẫu 02, 03).
    Receive,
    HandOver,
    SendBack,
    RequestSupplement,
    RequestPayment,
    /// Apologise and propose a new date (Mẫu 04).
    ProposeExtension,
    /// Send to a coordinating agency (liên thông).
    Consult,
    /// Sign off the result.
    Approve,
    MarkDone,
    ReturnResult,
}

pub const STEP_ACTIONS: [StepAction; 10] = [
    StepAction::Receive,
    StepAction::HandOver,
    StepAction::SendBack,
    StepAction::RequestSupplement,
    StepAction::RequestPayment,
    StepAction::ProposeExtension,
    StepAction::Consult,
    StepAction::Approve,
    StepAction::MarkDone,
    StepAction::ReturnResult,
];

impl StepAction {
    pub fn code(self) -> &'static str {
        match self {
            StepAction::Receive => "receive",
            StepAction::HandOver => "hand_over",
            StepAction::SendBack => "send_back",
            StepAction::RequestSupplement => "request_supplement",
            StepAction::RequestPayment => "request_payment",
            StepAction::ProposeExtension => "propose_extension",
            StepAction::Consult => "consult",
            StepAction::Approve => "approve",
            StepAction::MarkDone => "mark_done",
            StepAction::ReturnResult => "return_result",
        }
    }

    pub fn from_code(code: &str) -> Option<StepAction> {
        STEP_ACTIONS.into_iter().find(|a| a.code() == code)
    }

    pub fn vietnamese(self) -> &'static str {
        match self {
            StepAction::Receive => "Tiếp nhận",
            StepAction::HandOver => "Chuyển bước tiếp",
            StepAction::SendBack => "Trả lại bước trước",
            StepAction::RequestSupplement => "Yêu cầu bổ sung",
            StepAction::RequestPayment => "Yêu cầu nghĩa vụ tài chính",
            StepAction::ProposeExtension => "Xin lỗi, gia hạn",
            StepAction::Consult => "Lấy ý kiến liên thông",
            StepAction::Approve => "Phê duyệt",
            StepAction::MarkDone => "Hoàn thành",
            StepAction::ReturnResult => "Trả kết quả",
        }
    }
}

impl WorkflowStep {
    /// The actions allowed at the step: those written, or the usual ones of its role.
    pub fn allowed_actions(&self) -> Vec<StepAction> {
        use StepAction::*;
        if !self.actions.is_empty() {
            return self.actions.clone();
        }
        match Role::from_code(&self.role) {
            Some(Role::DeskOfficer) => vec![Receive, RequestSupplement, HandOver, ReturnResult],
            Some(Role::Approver) => vec![Approve, SendBack, ProposeExtension, HandOver],
            _ => vec![
                HandOver,
                SendBack,
                RequestSupplement,
                RequestPayment,
                ProposeExtension,
                Consult,
                MarkDone,
            ],
        }
    }
}

/// An agency's own counting policy and workflow for a procedure, where it differs from the
/// province's (a commune whose committee works differently, a department's own steps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalConfig {
    /// The agency identifier.
    pub agency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counting: Option<Policy>,
    pub workflow: Vec<WorkflowStep>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub workflow_deviation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// The national code (`1.009642` style; opaque).
    pub code: String,
    pub name: String,
    pub sector: String,
    pub level: Level,
    pub publication: Publication,
    #[serde(default)]
    pub applicants: Vec<String>,
    /// An agency identifier, or `commune` (every commune's committee).
    pub implementing_agency: String,
    pub competent_agency: String,
    #[serde(default)]
    pub coordinating_agencies: Vec<String>,
    #[serde(default)]
    pub receiving: String,
    pub methods: Vec<Method>,
    pub components: Vec<Component>,
    #[serde(default)]
    pub steps: Vec<String>,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub legal_basis: Vec<LegalBasis>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub online: Online,
    #[serde(default)]
    pub full_online_eligible: bool,
    pub counting: Policy,
    #[serde(default)]
    pub workflow: Vec<WorkflowStep>,
    /// Why the workflow's budgets do not add up to the legal time, when they do not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub workflow_deviation: String,
    /// Where it is received: agency identifiers (`commune` for every commune), or
    /// "identifier/desk name" for one desk of an agency. Empty: the implementing agency's desks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_by: Vec<String>,
    /// Agencies that count or process it differently from the province's workflow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local: Vec<LocalConfig>,
}

/// What the province knows, for checking references: agencies by identifier, and desks by
/// agency identifier and name.
pub struct Known<'a> {
    pub agency: &'a dyn Fn(&str) -> bool,
    pub desk: &'a dyn Fn(&str, &str) -> bool,
}

/// One problem in an import, with where it is ("procedures[12].methods[0].amount").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub path: String,
    pub message: String,
}

fn hundredths(text: &str) -> Option<u32> {
    Duration::parse(Unit::WorkingDays, text)
        .map(|d| d.centi)
        .ok()
        .or_else(|| {
            (text.trim().trim_end_matches(['0', '.', ',']).is_empty() && !text.trim().is_empty())
                .then_some(0)
        })
}

impl Procedure {
    /// The counter method's time limit, the procedure's legal time.
    pub fn legal_time(&self) -> Option<Duration> {
        let method = self
            .methods
            .iter()
            .find(|m| m.channel == Channel::Counter)
            .or(self.methods.first())?;
        if method.unit == Unit::SameDay {
            return Some(Duration::same_day());
        }
        Duration::parse(method.unit, &method.amount).ok()
    }

    /// The counting policy and workflow an agency uses: its own where it has one, else the
    /// province's.
    pub fn workflow_for(&self, agency: &str) -> (Policy, &[WorkflowStep]) {
        match self.local.iter().find(|l| l.agency == agency) {
            Some(l) => (l.counting.unwrap_or(self.counting), &l.workflow),
            None => (self.counting, &self.workflow),
        }
    }

    /// The text search looks in: name, code, sector, keywords and agencies, folded.
    pub fn search_text(&self, sector_name: &str, agency_names: &[&str]) -> String {
        let mut parts = vec![self.name.as_str(), self.code.as_str(), sector_name];
        parts.extend(self.keywords.iter().map(String::as_str));
        parts.extend(agency_names);
        crate::text::fold(&parts.join(" "))
    }
}

impl Catalogue {
    /// Every problem of the catalogue, each with its place.
    pub fn check(&self, known: &Known) -> Vec<ImportProblem> {
        let mut problems = Problems::default();
        if self.format != FORMAT {
            problems.add("format".into(), format!("phải là “{FORMAT}”"));
        }
        let mut sectors = BTreeSet::new();
        for (i, s) in self.sectors.iter().enumerate() {
            if s.code.trim().is_empty() || s.name.trim().is_empty() {
                problems.add(
                    format!("sectors[{i}]"),
                    "mã và tên lĩnh vực không được trống".into(),
                );
            }
            if !sectors.insert(s.code.as_str()) {
                problems.add(
                    format!("sectors[{i}].code"),
                    format!("mã lĩnh vực “{}” trùng", s.code),
                );
            }
        }
        let (mut codes, mut names) = (BTreeSet::new(), BTreeSet::new());
        for (i, p) in self.procedures.iter().enumerate() {
            let at = format!("procedures[{i}]");
            if !p.code.trim().is_empty() && !codes.insert(p.code.as_str()) {
                problems.add(
                    format!("{at}.code"),
                    format!("mã thủ tục “{}” trùng", p.code),
                );
            }
            if !p.name.trim().is_empty() && !names.insert(p.name.as_str()) {
                problems.add(
                    format!("{at}.name"),
                    format!("tên thủ tục “{}” trùng", p.name),
                );
            }
            if !sectors.contains(p.sector.as_str()) {
                problems.add(
                    format!("{at}.sector"),
                    format!("không có lĩnh vực “{}”", p.sector),
                );
            }
            p.check_into(&at, known, &mut problems);
        }
        problems.0
    }
}

#[derive(Default)]
struct Problems(Vec<ImportProblem>);

impl Problems {
    fn add(&mut self, path: String, message: String) {
        self.0.push(ImportProblem { path, message });
    }
}

fn agency_ok(known: &Known, id: &str) -> bool {
    id == "commune" || (known.agency)(id)
}

impl Procedure {
    /// The problems of one procedure on its own (not its sector, nor duplicates among others),
    /// with paths relative to it ("methods[0].amount").
    pub fn check(&self, known: &Known) -> Vec<ImportProblem> {
        let mut problems = Problems::default();
        self.check_into("", known, &mut problems);
        for p in &mut problems.0 {
            p.path = p.path.trim_start_matches('.').to_string();
        }
        problems.0
    }

    fn check_into(&self, at: &str, known: &Known, problems: &mut Problems) {
        let at = |field: &str| format!("{at}.{field}");
        if self.code.trim().is_empty() {
            problems.add(at("code"), "mã thủ tục không được trống".into());
        }
        if self.name.trim().is_empty() {
            problems.add(at("name"), "tên thủ tục không được trống".into());
        }
        if Date::parse(&self.publication.date).is_err() {
            problems.add(
                at("publication.date"),
                format!("“{}” không phải ngày (YYYY-MM-DD)", self.publication.date),
            );
        }
        if !self.publication.law_effective.is_empty()
            && Date::parse(&self.publication.law_effective).is_err()
        {
            problems.add(
                at("publication.law_effective"),
                format!(
                    "“{}” không phải ngày (YYYY-MM-DD)",
                    self.publication.law_effective
                ),
            );
        }
        for (field, id) in [
            ("implementing_agency", &self.implementing_agency),
            ("competent_agency", &self.competent_agency),
        ] {
            if !agency_ok(known, id) {
                problems.add(at(field), format!("không có cơ quan mã “{id}”"));
            }
        }
        for (j, id) in self.coordinating_agencies.iter().enumerate() {
            if !agency_ok(known, id) {
                problems.add(
                    at(&format!("coordinating_agencies[{j}]")),
                    format!("không có cơ quan mã “{id}”"),
                );
            }
        }
        for (j, place) in self.offered_by.iter().enumerate() {
            let (agency, desk) = match place.split_once('/') {
                Some((a, d)) => (a.trim(), Some(d.trim())),
                None => (place.trim(), None),
            };
            let message = match desk {
                _ if !agency_ok(known, agency) => format!("không có cơ quan mã “{agency}”"),
                Some(desk) if agency == "commune" || !(known.desk)(agency, desk) => {
                    format!("cơ quan “{agency}” không có quầy “{desk}”")
                }
                _ => continue,
            };
            problems.add(at(&format!("offered_by[{j}]")), message);
        }
        if self.methods.is_empty() {
            problems.add(at("methods"), "cần ít nhất một cách thực hiện".into());
        }
        for (j, m) in self.methods.iter().enumerate() {
            if m.unit != Unit::SameDay
                && let Err(e) = Duration::parse(m.unit, &m.amount)
            {
                problems.add(at(&format!("methods[{j}].amount")), e.vietnamese());
            }
            if m.fee < 0 {
                problems.add(
                    at(&format!("methods[{j}].fee")),
                    format!("phí, lệ phí không thể âm ({})", m.fee),
                );
            }
        }
        if self.components.is_empty() {
            problems.add(at("components"), "cần ít nhất một thành phần hồ sơ".into());
        }
        for (j, c) in self.components.iter().enumerate() {
            if c.name.trim().is_empty() {
                problems.add(
                    at(&format!("components[{j}].name")),
                    "tên giấy tờ không được trống".into(),
                );
            }
            if c.originals + c.copies == 0 {
                problems.add(
                    at(&format!("components[{j}]")),
                    "số bản chính và bản sao đều bằng 0".into(),
                );
            }
        }
        let legal = self.legal_time();
        check_workflow(
            &at("workflow"),
            &self.workflow,
            &self.workflow_deviation,
            legal,
            known,
            problems,
        );
        let mut local_agencies = BTreeSet::new();
        for (j, l) in self.local.iter().enumerate() {
            let here = at(&format!("local[{j}]"));
            if !(known.agency)(&l.agency) {
                problems.add(
                    format!("{here}.agency"),
                    format!("không có cơ quan mã “{}”", l.agency),
                );
            } else if !local_agencies.insert(l.agency.as_str()) {
                problems.add(
                    format!("{here}.agency"),
                    format!("cơ quan “{}” có hai cấu hình riêng", l.agency),
                );
            }
            if l.workflow.is_empty() {
                problems.add(
                    format!("{here}.workflow"),
                    "cấu hình riêng cần quy trình nội bộ".into(),
                );
            }
            check_workflow(
                &format!("{here}.workflow"),
                &l.workflow,
                &l.workflow_deviation,
                legal,
                known,
                problems,
            );
        }
    }
}

/// A workflow's steps, and that their budgets add up to the legal time (or say why not).
fn check_workflow(
    at: &str,
    steps: &[WorkflowStep],
    deviation: &str,
    legal: Option<Duration>,
    known: &Known,
    problems: &mut Problems,
) {
    let mut total: u32 = 0;
    for (j, step) in steps.iter().enumerate() {
        if step.name.trim().is_empty() {
            problems.add(
                format!("{at}[{j}].name"),
                "tên bước không được trống".into(),
            );
        }
        if Role::from_code(&step.role).is_none() {
            problems.add(
                format!("{at}[{j}].role"),
                format!("không có vai trò “{}”", step.role),
            );
        }
        if !agency_ok(known, &step.agency) {
            problems.add(
                format!("{at}[{j}].agency"),
                format!("không có cơ quan mã “{}”", step.agency),
            );
        }
        match hundredths(&step.days) {
            Some(d) => total += d,
            None => problems.add(
                format!("{at}[{j}].days"),
                format!("“{}” không phải số ngày", step.days),
            ),
        }
    }
    if let Some(legal) = legal
        && legal.unit == Unit::WorkingDays
        && !steps.is_empty()
        && total != legal.centi
        && deviation.trim().is_empty()
    {
        problems.add(
            at.to_string(),
            format!(
                "tổng thời gian các bước ({}) khác thời hạn giải quyết ({}); sửa, hoặc ghi lý do ở workflow_deviation",
                total as f64 / 100.0,
                legal.vietnamese()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_levels_code_is_how_it_serialises() {
        for level in [Level::Province, Level::Commune, Level::District] {
            assert_eq!(
                serde_json::to_value(level).unwrap(),
                serde_json::Value::from(level.code())
            );
        }
    }

    fn known<'a>(agency: &'a dyn Fn(&str) -> bool) -> Known<'a> {
        Known {
            agency,
            desk: &|_, desk| desk == "Quầy 1",
        }
    }

    fn sample() -> Catalogue {
        serde_json::from_str(include_str!("../tests/data/catalogue_sample.json")).unwrap()
    }

    #[test]
    fn a_good_catalogue_has_no_problems() {
        let c = sample();
        assert_eq!(c.check(&known(&|id| id.starts_with("H99"))), vec![]);
        assert_eq!(
            c.procedures[0].legal_time(),
            Some(Duration::working_days(3))
        );
    }

    #[test]
    fn every_problem_is_found_with_its_place() {
        let mut c = sample();
        c.format = "other".into();
        let p = &mut c.procedures[0];
        p.sector = "ZZ".into();
        p.methods[0].fee = -5;
        p.methods[0].amount = "ba".into();
        p.components[0].originals = 0;
        p.workflow[0].role = "boss".into();
        p.workflow[1].agency = "X1".into();
        let dup = c.procedures[0].clone();
        c.procedures.push(dup);
        let paths: Vec<String> = c
            .check(&known(&|id| id.starts_with("H99")))
            .into_iter()
            .map(|p| p.path)
            .collect();
        for expected in [
            "format",
            "procedures[0].sector",
            "procedures[0].methods[0].amount",
            "procedures[0].methods[0].fee",
            "procedures[0].components[0]",
            "procedures[0].workflow[0].role",
            "procedures[0].workflow[1].agency",
            "procedures[3].code",
            "procedures[3].name",
        ] {
            assert!(
                paths.contains(&expected.to_string()),
                "{expected} missing from {paths:?}"
            );
        }
    }

    #[test]
    fn budgets_must_add_up_or_say_why() {
        let mut c = sample();
        c.procedures[0].workflow[1].days = "1".into();
        let problems = c.check(&known(&|_| true));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("khác thời hạn giải quyết"));
        c.procedures[0].workflow_deviation = "Bước thẩm định do Sở quyết định riêng".into();
        assert!(c.check(&known(&|_| true)).is_empty());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = include_str!("../tests/data/catalogue_sample.json")
            .replace("\"fee_note\"", "\"fees_note\"");
        let err = serde_json::from_str::<Catalogue>(&text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `fees_note`"), "{err}");
    }

    #[test]
    fn search_text_is_folded() {
        let c = sample();
        let text = c.procedures[0].search_text("Hộ tịch", &["Ủy ban nhân dân cấp xã"]);
        assert!(text.contains("dang ky khai sinh"), "{text}");
        assert!(text.contains("ho tich"));
    }
}
