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

    /// The text search looks in: name, code, sector, keywords and agencies, folded.
    pub fn search_text(&self, sector_name: &str, agency_names: &[&str]) -> String {
        let mut parts = vec![self.name.as_str(), self.code.as_str(), sector_name];
        parts.extend(self.keywords.iter().map(String::as_str));
        parts.extend(agency_names);
        crate::text::fold(&parts.join(" "))
    }
}

impl Catalogue {
    /// Every problem of the catalogue. `known_agency` answers whether an identifier names an
    /// agency of the province.
    pub fn check(&self, known_agency: &dyn Fn(&str) -> bool) -> Vec<ImportProblem> {
        let mut problems = Vec::new();
        let mut problem =
            |path: String, message: String| problems.push(ImportProblem { path, message });
        if self.format != FORMAT {
            problem("format".into(), format!("phải là “{FORMAT}”"));
        }
        let mut sectors = BTreeSet::new();
        for (i, s) in self.sectors.iter().enumerate() {
            if s.code.trim().is_empty() || s.name.trim().is_empty() {
                problem(
                    format!("sectors[{i}]"),
                    "mã và tên lĩnh vực không được trống".into(),
                );
            }
            if !sectors.insert(s.code.as_str()) {
                problem(
                    format!("sectors[{i}].code"),
                    format!("mã lĩnh vực “{}” trùng", s.code),
                );
            }
        }
        let (mut codes, mut names) = (BTreeSet::new(), BTreeSet::new());
        let agency_ok = |id: &str| id == "commune" || known_agency(id);
        for (i, p) in self.procedures.iter().enumerate() {
            let at = |field: &str| format!("procedures[{i}].{field}");
            if p.code.trim().is_empty() {
                problem(at("code"), "mã thủ tục không được trống".into());
            } else if !codes.insert(p.code.as_str()) {
                problem(at("code"), format!("mã thủ tục “{}” trùng", p.code));
            }
            if p.name.trim().is_empty() {
                problem(at("name"), "tên thủ tục không được trống".into());
            } else if !names.insert(p.name.as_str()) {
                problem(at("name"), format!("tên thủ tục “{}” trùng", p.name));
            }
            if !sectors.contains(p.sector.as_str()) {
                problem(at("sector"), format!("không có lĩnh vực “{}”", p.sector));
            }
            if Date::parse(&p.publication.date).is_err() {
                problem(
                    at("publication.date"),
                    format!("“{}” không phải ngày (YYYY-MM-DD)", p.publication.date),
                );
            }
            for (field, id) in [
                ("implementing_agency", &p.implementing_agency),
                ("competent_agency", &p.competent_agency),
            ] {
                if !agency_ok(id) {
                    problem(at(field), format!("không có cơ quan mã “{id}”"));
                }
            }
            for (j, id) in p.coordinating_agencies.iter().enumerate() {
                if !agency_ok(id) {
                    problem(
                        at(&format!("coordinating_agencies[{j}]")),
                        format!("không có cơ quan mã “{id}”"),
                    );
                }
            }
            if p.methods.is_empty() {
                problem(at("methods"), "cần ít nhất một cách thực hiện".into());
            }
            for (j, m) in p.methods.iter().enumerate() {
                if m.unit != Unit::SameDay
                    && let Err(e) = Duration::parse(m.unit, &m.amount)
                {
                    problem(at(&format!("methods[{j}].amount")), e.vietnamese());
                }
                if m.fee < 0 {
                    problem(
                        at(&format!("methods[{j}].fee")),
                        format!("phí, lệ phí không thể âm ({})", m.fee),
                    );
                }
            }
            if p.components.is_empty() {
                problem(at("components"), "cần ít nhất một thành phần hồ sơ".into());
            }
            for (j, c) in p.components.iter().enumerate() {
                if c.name.trim().is_empty() {
                    problem(
                        at(&format!("components[{j}].name")),
                        "tên giấy tờ không được trống".into(),
                    );
                }
                if c.originals + c.copies == 0 {
                    problem(
                        at(&format!("components[{j}]")),
                        "số bản chính và bản sao đều bằng 0".into(),
                    );
                }
            }
            let mut total: u32 = 0;
            for (j, step) in p.workflow.iter().enumerate() {
                if Role::from_code(&step.role).is_none() {
                    problem(
                        at(&format!("workflow[{j}].role")),
                        format!("không có vai trò “{}”", step.role),
                    );
                }
                if !agency_ok(&step.agency) {
                    problem(
                        at(&format!("workflow[{j}].agency")),
                        format!("không có cơ quan mã “{}”", step.agency),
                    );
                }
                match hundredths(&step.days) {
                    Some(d) => total += d,
                    None => problem(
                        at(&format!("workflow[{j}].days")),
                        format!("“{}” không phải số ngày", step.days),
                    ),
                }
            }
            if let Some(legal) = p.legal_time()
                && legal.unit == Unit::WorkingDays
                && !p.workflow.is_empty()
                && total != legal.centi
                && p.workflow_deviation.trim().is_empty()
            {
                problem(
                    at("workflow"),
                    format!(
                        "tổng thời gian các bước ({}) khác thời hạn giải quyết ({}); sửa, hoặc ghi lý do ở workflow_deviation",
                        total as f64 / 100.0,
                        legal.vietnamese()
                    ),
                );
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalogue {
        serde_json::from_str(include_str!("../tests/data/catalogue_sample.json")).unwrap()
    }

    #[test]
    fn a_good_catalogue_has_no_problems() {
        let c = sample();
        assert_eq!(c.check(&|id| id.starts_with("H99")), vec![]);
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
            .check(&|id| id.starts_with("H99"))
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
        let problems = c.check(&|_| true);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("khác thời hạn giải quyết"));
        c.procedures[0].workflow_deviation = "Bước thẩm định do Sở quyết định riêng".into();
        assert!(c.check(&|_| true).is_empty());
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
