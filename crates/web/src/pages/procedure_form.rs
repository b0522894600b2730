//! The procedure edit form: every field of the record as text, so what a controller typed is
//! shown back unchanged next to its message. Field names are the record's paths
//! (`methods[0].amount`, `local[1].workflow[0].days`), the same paths `Procedure::check` reports,
//! so one map places the conversion's messages and the domain's next to their fields.

use std::collections::BTreeMap;

use motcua_calendar::{Date, Policy, Unit};
use motcua_domain::catalogue::{
    Channel, Component, LegalBasis, Level, LocalConfig, Method, Online, Procedure, Publication,
    StepAction, WorkflowStep,
};

/// Messages by field path.
pub(crate) type Errors = BTreeMap<String, String>;

/// Blank rows offered after the filled ones, so a row can be added without JavaScript.
const BLANK_METHODS: usize = 1;
const BLANK_COMPONENTS: usize = 3;
const BLANK_BASES: usize = 2;
const BLANK_STEPS: usize = 2;

#[derive(Debug, Clone, Default)]
pub(crate) struct MethodRow {
    pub channel: String,
    pub amount: String,
    pub unit: String,
    pub fee: String,
    pub fee_note: String,
    pub description: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ComponentRow {
    pub name: String,
    pub form: String,
    pub originals: String,
    pub copies: String,
    pub case: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct BasisRow {
    pub number: String,
    pub summary: String,
    pub date: String,
    pub issuer: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct StepRow {
    /// The field names' beginning (`workflow[2]`), set by `ProcedureForm::number_steps`.
    pub prefix: String,
    /// Messages for the step's fields, by field name.
    pub errors: BTreeMap<&'static str, String>,
    pub name: String,
    pub role: String,
    pub agency: String,
    pub days: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct LocalBlock {
    pub agency: String,
    pub own_counting: bool,
    pub count_receipt_day: bool,
    pub cutoff_applies: bool,
    pub deviation: String,
    pub steps: Vec<StepRow>,
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProcedureForm {
    pub code: String,
    pub name: String,
    pub sector: String,
    pub level: String,
    pub publication_number: String,
    pub publication_date: String,
    pub law_effective: String,
    pub applicants: String,
    pub implementing_agency: String,
    pub competent_agency: String,
    pub coordinating_agencies: String,
    pub receiving: String,
    pub offered_by: String,
    pub steps: String,
    pub result: String,
    pub conditions: String,
    pub keywords: String,
    pub online: String,
    pub full_online_eligible: bool,
    pub count_receipt_day: bool,
    pub cutoff_applies: bool,
    pub workflow_deviation: String,
    pub methods: Vec<MethodRow>,
    pub components: Vec<ComponentRow>,
    pub legal_basis: Vec<BasisRow>,
    pub workflow: Vec<StepRow>,
    pub local: Vec<LocalBlock>,
    /// What changed and why, kept with the version.
    pub note: String,
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// `YYYY-MM-DD` as `dd/mm/yyyy`; anything else as it is.
fn date_vn(iso: &str) -> String {
    Date::parse(iso)
        .map(|d| d.vn())
        .unwrap_or_else(|_| iso.to_string())
}

fn step_row(s: &WorkflowStep) -> StepRow {
    StepRow {
        prefix: String::new(),
        errors: BTreeMap::new(),
        name: s.name.clone(),
        role: s.role.clone(),
        agency: s.agency.clone(),
        days: s.days.clone(),
        actions: s.actions.iter().map(|a| a.code().to_string()).collect(),
    }
}

fn with_blanks<T: Default>(mut rows: Vec<T>, blanks: usize) -> Vec<T> {
    rows.extend((0..blanks).map(|_| T::default()));
    rows
}

impl ProcedureForm {
    /// A new procedure: the usual counting and one blank of everything.
    pub fn blank() -> ProcedureForm {
        ProcedureForm {
            level: "province".into(),
            online: "partial".into(),
            cutoff_applies: true,
            ..ProcedureForm::default()
        }
        .with_blank_rows()
    }

    pub fn from_procedure(p: &Procedure) -> ProcedureForm {
        ProcedureForm {
            code: p.code.clone(),
            name: p.name.clone(),
            sector: p.sector.clone(),
            level: serde_code(&p.level),
            publication_number: p.publication.number.clone(),
            publication_date: date_vn(&p.publication.date),
            law_effective: date_vn(&p.publication.law_effective),
            applicants: lines(&p.applicants),
            implementing_agency: p.implementing_agency.clone(),
            competent_agency: p.competent_agency.clone(),
            coordinating_agencies: lines(&p.coordinating_agencies),
            receiving: p.receiving.clone(),
            offered_by: lines(&p.offered_by),
            steps: lines(&p.steps),
            result: p.result.clone(),
            conditions: p.conditions.clone(),
            keywords: lines(&p.keywords),
            online: serde_code(&p.online),
            full_online_eligible: p.full_online_eligible,
            count_receipt_day: p.counting.count_receipt_day,
            cutoff_applies: p.counting.cutoff_applies,
            workflow_deviation: p.workflow_deviation.clone(),
            methods: p
                .methods
                .iter()
                .map(|m| MethodRow {
                    channel: serde_code(&m.channel),
                    amount: m.amount.clone(),
                    unit: m.unit.code().into(),
                    fee: m.fee.to_string(),
                    fee_note: m.fee_note.clone(),
                    description: m.description.clone(),
                })
                .collect(),
            components: p
                .components
                .iter()
                .map(|c| ComponentRow {
                    name: c.name.clone(),
                    form: c.form.clone(),
                    originals: c.originals.to_string(),
                    copies: c.copies.to_string(),
                    case: c.case.clone(),
                })
                .collect(),
            legal_basis: p
                .legal_basis
                .iter()
                .map(|b| BasisRow {
                    number: b.number.clone(),
                    summary: b.summary.clone(),
                    date: date_vn(&b.date),
                    issuer: b.issuer.clone(),
                })
                .collect(),
            workflow: p.workflow.iter().map(step_row).collect(),
            local: p
                .local
                .iter()
                .map(|l| LocalBlock {
                    agency: l.agency.clone(),
                    own_counting: l.counting.is_some(),
                    count_receipt_day: l.counting.unwrap_or(p.counting).count_receipt_day,
                    cutoff_applies: l.counting.unwrap_or(p.counting).cutoff_applies,
                    deviation: l.workflow_deviation.clone(),
                    steps: l.workflow.iter().map(step_row).collect(),
                })
                .collect(),
            note: String::new(),
        }
        .with_blank_rows()
    }

    /// Names each workflow step's fields by its place, and gives it its messages.
    pub fn number_steps(&mut self, errors: &Errors) {
        let name = |prefix: String, s: &mut StepRow| {
            for field in ["name", "role", "agency", "days"] {
                if let Some(m) = errors.get(&format!("{prefix}.{field}")) {
                    s.errors.insert(field, m.clone());
                }
            }
            s.prefix = prefix;
        };
        for (i, s) in self.workflow.iter_mut().enumerate() {
            name(format!("workflow[{i}]"), s);
        }
        for (i, l) in self.local.iter_mut().enumerate() {
            for (j, s) in l.steps.iter_mut().enumerate() {
                name(format!("local[{i}].workflow[{j}]"), s);
            }
        }
    }

    /// Adds the blank rows a person fills in to add an item.
    pub fn with_blank_rows(mut self) -> ProcedureForm {
        self.methods = with_blanks(self.methods, BLANK_METHODS);
        self.components = with_blanks(self.components, BLANK_COMPONENTS);
        self.legal_basis = with_blanks(self.legal_basis, BLANK_BASES);
        self.workflow = with_blanks(self.workflow, BLANK_STEPS);
        for block in &mut self.local {
            block.steps = with_blanks(std::mem::take(&mut block.steps), BLANK_STEPS);
        }
        self.local.push(LocalBlock {
            cutoff_applies: true,
            steps: with_blanks(Vec::new(), 3),
            ..LocalBlock::default()
        });
        self
    }

    /// The fields of a posted form. Rows are read by their index; a row whose "remove" box is
    /// ticked is dropped. Unknown fields are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> ProcedureForm {
        let mut f = ProcedureForm::default();
        let mut removed = Vec::new();
        for (key, value) in pairs {
            let v = value.trim_end_matches(['\r', '\n']).to_string();
            let Some(path) = Path::parse(key) else {
                continue;
            };
            if path.field == "remove" {
                removed.push(key.trim_end_matches(".remove").to_string());
                continue;
            }
            match (path.list, path.index, path.sub) {
                (None, _, _) => f.set_scalar(&path.field, v),
                (Some("methods"), Some(i), None) => {
                    set_method(at(&mut f.methods, i), &path.field, v)
                }
                (Some("components"), Some(i), None) => {
                    set_component(at(&mut f.components, i), &path.field, v)
                }
                (Some("legal_basis"), Some(i), None) => {
                    set_basis(at(&mut f.legal_basis, i), &path.field, v)
                }
                (Some("workflow"), Some(i), None) => {
                    set_step(at(&mut f.workflow, i), &path.field, v)
                }
                (Some("local"), Some(i), None) => set_local(at(&mut f.local, i), &path.field, v),
                (Some("local"), Some(i), Some(j)) => {
                    set_step(at(&mut at(&mut f.local, i).steps, j), &path.field, v)
                }
                _ => {}
            }
        }
        f.drop_rows(&removed);
        f
    }

    fn set_scalar(&mut self, field: &str, v: String) {
        let checked = v == "on" || v == "true" || v == "1";
        match field {
            "code" => self.code = v.trim().to_string(),
            "name" => self.name = v,
            "sector" => self.sector = v,
            "level" => self.level = v,
            "publication.number" => self.publication_number = v,
            "publication.date" => self.publication_date = v,
            "publication.law_effective" => self.law_effective = v,
            "applicants" => self.applicants = v,
            "implementing_agency" => self.implementing_agency = v.trim().to_string(),
            "competent_agency" => self.competent_agency = v.trim().to_string(),
            "coordinating_agencies" => self.coordinating_agencies = v,
            "receiving" => self.receiving = v,
            "offered_by" => self.offered_by = v,
            "steps" => self.steps = v,
            "result" => self.result = v,
            "conditions" => self.conditions = v,
            "keywords" => self.keywords = v,
            "online" => self.online = v,
            "full_online_eligible" => self.full_online_eligible = checked,
            "counting.count_receipt_day" => self.count_receipt_day = checked,
            "counting.cutoff_applies" => self.cutoff_applies = checked,
            "workflow_deviation" => self.workflow_deviation = v,
            "note" => self.note = v,
            _ => {}
        }
    }

    /// Drops ticked rows and rows left wholly blank.
    fn drop_rows(&mut self, removed: &[String]) {
        let keep = |prefix: String| !removed.contains(&prefix);
        let mut i = 0;
        self.methods.retain(|m| {
            i += 1;
            keep(format!("methods[{}]", i - 1))
                && !(m.amount.trim().is_empty()
                    && m.fee.trim().is_empty()
                    && m.description.trim().is_empty()
                    && m.fee_note.trim().is_empty())
        });
        i = 0;
        self.components.retain(|c| {
            i += 1;
            keep(format!("components[{}]", i - 1))
                && !(c.name.trim().is_empty() && c.form.trim().is_empty())
        });
        i = 0;
        self.legal_basis.retain(|b| {
            i += 1;
            keep(format!("legal_basis[{}]", i - 1))
                && !(b.number.trim().is_empty() && b.summary.trim().is_empty())
        });
        i = 0;
        self.workflow.retain(|s| {
            i += 1;
            keep(format!("workflow[{}]", i - 1)) && !step_blank(s)
        });
        i = 0;
        self.local.retain(|l| {
            i += 1;
            keep(format!("local[{}]", i - 1)) && !l.agency.trim().is_empty()
        });
        for l in &mut self.local {
            l.steps.retain(|s| !step_blank(s));
        }
    }

    /// The record the form describes, or every problem of conversion by field. The domain's
    /// own checks come after (`Procedure::check`).
    pub fn to_procedure(&self) -> (Procedure, Errors) {
        let mut errors = Errors::new();
        let mut date = |path: &str, text: &str, required: bool| -> String {
            let text = text.trim();
            if text.is_empty() {
                if required {
                    errors.insert(path.into(), "Cần nhập ngày (dd/mm/yyyy).".into());
                }
                return String::new();
            }
            match Date::parse_vn(text).or_else(|_| Date::parse(text)) {
                Ok(d) => d.to_string(),
                Err(_) => {
                    errors.insert(
                        path.into(),
                        format!("“{text}” không phải ngày (dd/mm/yyyy)."),
                    );
                    text.to_string()
                }
            }
        };
        let publication = Publication {
            number: self.publication_number.trim().to_string(),
            date: date("publication.date", &self.publication_date, true),
            law_effective: date("publication.law_effective", &self.law_effective, false),
        };
        let legal_basis: Vec<LegalBasis> = self
            .legal_basis
            .iter()
            .enumerate()
            .map(|(i, b)| LegalBasis {
                number: b.number.trim().to_string(),
                summary: b.summary.trim().to_string(),
                date: date(&format!("legal_basis[{i}].date"), &b.date, false),
                issuer: b.issuer.trim().to_string(),
            })
            .collect();
        let level = match self.level.as_str() {
            "commune" => Level::Commune,
            "district" => Level::District,
            _ => Level::Province,
        };
        let online = if self.online == "full" {
            Online::Full
        } else {
            Online::Partial
        };
        let methods = self
            .methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let unit = Unit::ALL
                    .into_iter()
                    .find(|u| u.code() == m.unit)
                    .unwrap_or(Unit::WorkingDays);
                let fee = match money(&m.fee) {
                    Some(fee) => fee,
                    None => {
                        errors.insert(
                            format!("methods[{i}].fee"),
                            format!("“{}” không phải số tiền (đồng).", m.fee.trim()),
                        );
                        0
                    }
                };
                Method {
                    channel: match m.channel.as_str() {
                        "online" => Channel::Online,
                        "post" => Channel::Post,
                        _ => Channel::Counter,
                    },
                    amount: if unit == Unit::SameDay {
                        String::new()
                    } else {
                        m.amount.trim().to_string()
                    },
                    unit,
                    fee,
                    fee_note: m.fee_note.trim().to_string(),
                    description: m.description.trim().to_string(),
                }
            })
            .collect();
        let mut count = |path: String, text: &str| -> u32 {
            let text = text.trim();
            if text.is_empty() {
                return 0;
            }
            text.parse().unwrap_or_else(|_| {
                errors.insert(path, format!("“{text}” không phải số bản (0, 1, 2 …)."));
                0
            })
        };
        let components = self
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| Component {
                name: c.name.trim().to_string(),
                form: c.form.trim().to_string(),
                originals: count(format!("components[{i}].originals"), &c.originals),
                copies: count(format!("components[{i}].copies"), &c.copies),
                case: c.case.trim().to_string(),
            })
            .collect();
        let counting = Policy {
            count_receipt_day: self.count_receipt_day,
            cutoff_applies: self.cutoff_applies,
        };
        let local = self
            .local
            .iter()
            .map(|l| LocalConfig {
                agency: l.agency.trim().to_string(),
                counting: l.own_counting.then_some(Policy {
                    count_receipt_day: l.count_receipt_day,
                    cutoff_applies: l.cutoff_applies,
                }),
                workflow: l.steps.iter().map(to_step).collect(),
                workflow_deviation: l.deviation.trim().to_string(),
            })
            .collect();
        let procedure = Procedure {
            code: self.code.trim().to_string(),
            name: self.name.trim().to_string(),
            sector: self.sector.trim().to_string(),
            level,
            publication,
            applicants: split_lines(&self.applicants),
            implementing_agency: self.implementing_agency.clone(),
            competent_agency: self.competent_agency.clone(),
            coordinating_agencies: split_lines(&self.coordinating_agencies),
            receiving: self.receiving.trim().to_string(),
            methods,
            components,
            steps: split_lines(&self.steps),
            result: self.result.trim().to_string(),
            conditions: self.conditions.trim().to_string(),
            legal_basis,
            keywords: split_lines(&self.keywords),
            online,
            full_online_eligible: self.full_online_eligible,
            counting,
            workflow: self.workflow.iter().map(to_step).collect(),
            workflow_deviation: self.workflow_deviation.trim().to_string(),
            offered_by: split_lines(&self.offered_by),
            local,
        };
        (procedure, errors)
    }
}

fn step_blank(s: &StepRow) -> bool {
    s.name.trim().is_empty() && s.days.trim().is_empty()
}

fn to_step(s: &StepRow) -> WorkflowStep {
    let mut actions: Vec<StepAction> = s
        .actions
        .iter()
        .filter_map(|a| StepAction::from_code(a))
        .collect();
    actions.sort();
    actions.dedup();
    WorkflowStep {
        name: s.name.trim().to_string(),
        role: s.role.clone(),
        agency: s.agency.trim().to_string(),
        days: s.days.trim().replace(',', "."),
        actions,
    }
}

/// A fee as typed: "8000", "8.000", "8 000 đồng".
fn money(text: &str) -> Option<i64> {
    let digits: String = text
        .trim()
        .trim_end_matches("đồng")
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.trim().is_empty() {
        return Some(0);
    }
    digits.trim().parse().ok()
}

/// The code serde writes for a unit-like enum (`province`, `full`, `counter`).
fn serde_code<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn at<T: Default>(rows: &mut Vec<T>, i: usize) -> &mut T {
    // A crafted index cannot make the server allocate without bound.
    let i = i.min(200);
    while rows.len() <= i {
        rows.push(T::default());
    }
    &mut rows[i]
}

fn set_method(m: &mut MethodRow, field: &str, v: String) {
    match field {
        "channel" => m.channel = v,
        "amount" => m.amount = v,
        "unit" => m.unit = v,
        "fee" => m.fee = v,
        "fee_note" => m.fee_note = v,
        "description" => m.description = v,
        _ => {}
    }
}

fn set_component(c: &mut ComponentRow, field: &str, v: String) {
    match field {
        "name" => c.name = v,
        "form" => c.form = v,
        "originals" => c.originals = v,
        "copies" => c.copies = v,
        "case" => c.case = v,
        _ => {}
    }
}

fn set_basis(b: &mut BasisRow, field: &str, v: String) {
    match field {
        "number" => b.number = v,
        "summary" => b.summary = v,
        "date" => b.date = v,
        "issuer" => b.issuer = v,
        _ => {}
    }
}

fn set_step(s: &mut StepRow, field: &str, v: String) {
    match field {
        "name" => s.name = v,
        "role" => s.role = v,
        "agency" => s.agency = v,
        "days" => s.days = v,
        "actions" => s.actions.push(v),
        _ => {}
    }
}

fn set_local(l: &mut LocalBlock, field: &str, v: String) {
    let checked = v == "on" || v == "true" || v == "1";
    match field {
        "agency" => l.agency = v.trim().to_string(),
        "own_counting" => l.own_counting = checked,
        "counting.count_receipt_day" => l.count_receipt_day = checked,
        "counting.cutoff_applies" => l.cutoff_applies = checked,
        "workflow_deviation" => l.deviation = v,
        _ => {}
    }
}

/// A field name split: `local[1].workflow[0].days` is list `local`, index 1, sub-index 0,
/// field `days`; `publication.date` is the field `publication.date` with no list.
struct Path<'a> {
    list: Option<&'a str>,
    index: Option<usize>,
    sub: Option<usize>,
    field: String,
}

impl<'a> Path<'a> {
    fn parse(key: &'a str) -> Option<Path<'a>> {
        let Some(open) = key.find('[') else {
            return Some(Path {
                list: None,
                index: None,
                sub: None,
                field: key.to_string(),
            });
        };
        let list = &key[..open];
        let close = open + key[open..].find(']')?;
        let index = key[open + 1..close].parse().ok()?;
        let rest = key[close + 1..].strip_prefix('.').unwrap_or("");
        // One nested list: local[i].workflow[j].field
        if let Some(inner) = rest.strip_prefix("workflow[") {
            let close = inner.find(']')?;
            let sub = inner[..close].parse().ok()?;
            let field = inner[close + 1..].strip_prefix('.').unwrap_or("");
            return Some(Path {
                list: Some(list),
                index: Some(index),
                sub: Some(sub),
                field: field.to_string(),
            });
        }
        Some(Path {
            list: Some(list),
            index: Some(index),
            sub: None,
            field: rest.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::catalogue::Catalogue;

    fn demo() -> Catalogue {
        serde_json::from_str(include_str!("../../../../data/demo/catalogue.json")).unwrap()
    }

    /// The pairs a browser would post for a form showing `f`.
    fn pairs(f: &ProcedureForm) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut put = |k: String, v: &str| out.push((k, v.to_string()));
        for (k, v) in [
            ("code", &f.code),
            ("name", &f.name),
            ("sector", &f.sector),
            ("level", &f.level),
            ("publication.number", &f.publication_number),
            ("publication.date", &f.publication_date),
            ("publication.law_effective", &f.law_effective),
            ("applicants", &f.applicants),
            ("implementing_agency", &f.implementing_agency),
            ("competent_agency", &f.competent_agency),
            ("coordinating_agencies", &f.coordinating_agencies),
            ("receiving", &f.receiving),
            ("offered_by", &f.offered_by),
            ("steps", &f.steps),
            ("result", &f.result),
            ("conditions", &f.conditions),
            ("keywords", &f.keywords),
            ("online", &f.online),
            ("workflow_deviation", &f.workflow_deviation),
        ] {
            put(k.into(), v);
        }
        for (k, on) in [
            ("full_online_eligible", f.full_online_eligible),
            ("counting.count_receipt_day", f.count_receipt_day),
            ("counting.cutoff_applies", f.cutoff_applies),
        ] {
            if on {
                put(k.into(), "on");
            }
        }
        for (i, m) in f.methods.iter().enumerate() {
            for (k, v) in [
                ("channel", &m.channel),
                ("amount", &m.amount),
                ("unit", &m.unit),
                ("fee", &m.fee),
                ("fee_note", &m.fee_note),
                ("description", &m.description),
            ] {
                put(format!("methods[{i}].{k}"), v);
            }
        }
        for (i, c) in f.components.iter().enumerate() {
            for (k, v) in [
                ("name", &c.name),
                ("form", &c.form),
                ("originals", &c.originals),
                ("copies", &c.copies),
                ("case", &c.case),
            ] {
                put(format!("components[{i}].{k}"), v);
            }
        }
        for (i, b) in f.legal_basis.iter().enumerate() {
            for (k, v) in [
                ("number", &b.number),
                ("summary", &b.summary),
                ("date", &b.date),
                ("issuer", &b.issuer),
            ] {
                put(format!("legal_basis[{i}].{k}"), v);
            }
        }
        let step = |prefix: String, s: &StepRow, put: &mut dyn FnMut(String, &str)| {
            for (k, v) in [
                ("name", &s.name),
                ("role", &s.role),
                ("agency", &s.agency),
                ("days", &s.days),
            ] {
                put(format!("{prefix}.{k}"), v);
            }
            for a in &s.actions {
                put(format!("{prefix}.actions"), a);
            }
        };
        for (i, s) in f.workflow.iter().enumerate() {
            step(format!("workflow[{i}]"), s, &mut put);
        }
        for (i, l) in f.local.iter().enumerate() {
            put(format!("local[{i}].agency"), &l.agency);
            put(format!("local[{i}].workflow_deviation"), &l.deviation);
            if l.own_counting {
                put(format!("local[{i}].own_counting"), "on");
            }
            if l.count_receipt_day {
                put(format!("local[{i}].counting.count_receipt_day"), "on");
            }
            if l.cutoff_applies {
                put(format!("local[{i}].counting.cutoff_applies"), "on");
            }
            for (j, s) in l.steps.iter().enumerate() {
                step(format!("local[{i}].workflow[{j}]"), s, &mut put);
            }
        }
        out
    }

    #[test]
    fn every_demo_procedure_survives_the_form() {
        for p in demo().procedures {
            let form = ProcedureForm::from_procedure(&p);
            let back = ProcedureForm::from_pairs(&pairs(&form));
            let (q, errors) = back.to_procedure();
            assert!(errors.is_empty(), "{}: {errors:?}", p.code);
            assert_eq!(q, p, "{}", p.code);
        }
    }

    #[test]
    fn local_configs_and_actions_survive_the_form() {
        let mut p = demo().procedures[0].clone();
        p.workflow[0].actions = vec![StepAction::Receive, StepAction::HandOver];
        p.offered_by = vec!["H99.01/Quầy 1".into(), "commune".into()];
        p.publication.law_effective = "2026-03-16".into();
        let mut local_steps = p.workflow.clone();
        local_steps[1].days = "1.5".into();
        p.local = vec![LocalConfig {
            agency: "H99.06".into(),
            counting: Some(Policy {
                count_receipt_day: true,
                cutoff_applies: false,
            }),
            workflow: local_steps,
            workflow_deviation: "Thêm bước thẩm định thực địa".into(),
        }];
        let back = ProcedureForm::from_pairs(&pairs(&ProcedureForm::from_procedure(&p)));
        assert_eq!(back.to_procedure(), (p, Errors::new()));
    }

    #[test]
    fn what_was_typed_is_kept_with_its_message() {
        let p = demo().procedures[0].clone();
        let mut form = ProcedureForm::from_procedure(&p);
        form.methods[0].fee = "năm trăm".into();
        form.components[1].copies = "-1".into();
        form.publication_date = "31/02/2026".into();
        let back = ProcedureForm::from_pairs(&pairs(&form));
        let (_, errors) = back.to_procedure();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["components[1].copies", "methods[0].fee", "publication.date"]
        );
        assert_eq!(back.methods[0].fee, "năm trăm");
        assert_eq!(back.publication_date, "31/02/2026");
    }

    #[test]
    fn ticked_and_blank_rows_are_dropped() {
        let p = demo().procedures[0].clone();
        let form = ProcedureForm::from_procedure(&p);
        let mut posted = pairs(&form);
        posted.push(("components[0].remove".into(), "on".into()));
        let (q, errors) = ProcedureForm::from_pairs(&posted).to_procedure();
        assert!(errors.is_empty());
        assert_eq!(q.components, p.components[1..]);
        assert_eq!(q.methods, p.methods);
    }

    #[test]
    fn fees_are_read_as_typed() {
        assert_eq!(money("8.000"), Some(8000));
        assert_eq!(money("1 250 000 đồng"), Some(1_250_000));
        assert_eq!(money(""), Some(0));
        assert_eq!(money("-5"), Some(-5));
        assert_eq!(money("abc"), None);
    }
}
