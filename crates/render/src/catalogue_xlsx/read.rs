//! Reading the workbook: columns found by their header, every cell problem collected, each
//! field's place remembered for the domain's check.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use motcua_calendar::{Date, Policy};
use motcua_domain::catalogue::{
    Catalogue, Component, FORMAT, LegalBasis, LocalConfig, Method, Procedure, Publication, Sector,
    WorkflowStep,
};
use motcua_domain::text::fold;

use super::{
    CellProblem, Codes, HELP, Kind, LOCAL, NO, NOTE_LABEL, PROCEDURES, Parsed, Place, Places,
    Sheet, TABLES, YES, codes, from_code, letter,
};

type Book<'a> = Xlsx<Cursor<&'a [u8]>>;

/// The catalogue in a workbook, or every problem found in it.
pub fn read(bytes: &[u8]) -> Result<Parsed, Vec<CellProblem>> {
    let mut book: Book = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        vec![CellProblem {
            sheet: String::new(),
            row: None,
            column: None,
            message: format!("không đọc được tệp XLSX: {e}"),
        }]
    })?;
    let mut r = Reading::default();
    let [
        sectors,
        procedures,
        methods,
        components,
        steps,
        legal,
        workflow,
        local,
    ] = TABLES.map(|sheet| r.table(&mut book, sheet));
    let mut c = Catalogue {
        format: FORMAT.to_string(),
        note: note(&mut book),
        sectors: Vec::new(),
        procedures: Vec::new(),
    };
    if let Some(t) = &sectors {
        for at in t.rows() {
            r.places
                .record(format!("sectors[{}]", c.sectors.len()), &at);
            c.sectors.push(r.sector(&at));
        }
    }
    // Without the procedures, child rows cannot be told apart from mistakes: only the missing
    // sheet or columns are reported.
    if let Some(t) = &procedures {
        for at in t.rows() {
            let i = c.procedures.len();
            r.places.record_procedure(i, &at);
            c.procedures.push(r.procedure(&at));
        }
        let by_code = first_by_code(&c.procedures);
        let mut kids = Children {
            r: &mut r,
            c: &mut c,
            by_code: &by_code,
        };
        kids.read(&methods, "methods", Reading::method, |p| &mut p.methods);
        kids.read(&components, "components", Reading::component, |p| {
            &mut p.components
        });
        kids.read(&steps, "steps", Reading::step, |p| &mut p.steps);
        kids.read(&legal, "legal_basis", Reading::legal_basis, |p| {
            &mut p.legal_basis
        });
        kids.read(&local, "local", Reading::local, |p| &mut p.local);
        kids.workflows(&workflow);
    }
    if r.problems.is_empty() {
        Ok(Parsed {
            catalogue: c,
            places: r.places,
        })
    } else {
        r.problems.sort_by_key(order_of);
        Err(r.problems)
    }
}

/// Problems in workbook order: the file, then sheet by sheet, row by row, column by column.
fn order_of(p: &CellProblem) -> (usize, u32, usize, String) {
    let sheet = TABLES
        .iter()
        .position(|s| s.name == p.sheet)
        .map_or(0, |i| i + 1);
    let (len, letters) = p
        .column
        .as_ref()
        .map_or((0, String::new()), |(l, _)| (l.len(), l.clone()));
    (sheet, p.row.unwrap_or(0), len, letters)
}

fn first_by_code(procedures: &[Procedure]) -> HashMap<String, usize> {
    let mut by_code = HashMap::new();
    for (i, p) in procedures.iter().enumerate() {
        by_code.entry(p.code.clone()).or_insert(i);
    }
    by_code
}

/// The catalogue's note, from the instruction sheet if it is there.
fn note(book: &mut Book) -> String {
    let Ok(range) = book.worksheet_range(HELP) else {
        return String::new();
    };
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return String::new();
    };
    (start.0..=end.0)
        .find(
            |&r| matches!(range.get_value((r, 0)), Some(Data::String(s)) if s.trim() == NOTE_LABEL),
        )
        .and_then(|r| range.get_value((r, 1)))
        .and_then(|d| cell_text(d).ok())
        .unwrap_or_default()
}

/// A table sheet whose columns were all found, by their header in row 1.
struct Table {
    sheet: &'static Sheet,
    range: Range<Data>,
    /// Where each of the sheet's columns is, in the order of `sheet.columns`.
    at: Vec<u32>,
}

/// A row of a table (0-based, as the range counts).
#[derive(Clone, Copy)]
struct At<'t> {
    t: &'t Table,
    row: u32,
}

impl Table {
    /// The rows below the headers that hold anything in a known column.
    fn rows(&self) -> impl Iterator<Item = At<'_>> {
        let end = self.range.end().map_or(0, |(r, _)| r);
        (1..=end)
            .filter(|&row| {
                self.at
                    .iter()
                    .any(|&c| match self.range.get_value((row, c)) {
                        None | Some(Data::Empty) => false,
                        Some(Data::String(s)) => !s.trim().is_empty(),
                        Some(_) => true,
                    })
            })
            .map(|row| At { t: self, row })
    }
}

impl At<'_> {
    fn column(&self, key: &str) -> (u32, &'static super::Column) {
        let i = self.t.sheet.index(key);
        (self.t.at[i], &self.t.sheet.columns[i])
    }

    fn data(&self, key: &str) -> &Data {
        self.t
            .range
            .get_value((self.row, self.column(key).0))
            .unwrap_or(&Data::Empty)
    }

    fn place(&self, column: Option<&str>) -> Place {
        Place {
            sheet: self.t.sheet.name,
            row: self.row + 1,
            column: column.map(|key| {
                let (c, def) = self.column(key);
                (c, def.header)
            }),
        }
    }
}

/// A cell as the text a person typed: 3 not "3.0", a date as YYYY-MM-DD. An error value (#N/A)
/// is refused.
fn cell_text(data: &Data) -> Result<String, String> {
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { YES } else { NO }.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Error(e) => return Err(format!("ô có lỗi ({e})")),
    })
}

/// A number as a person would write it: "3", "0.5", never "3.0".
pub(super) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A date Excel turned into a serial number (days since 1899-12-30).
fn excel_date(serial: f64) -> String {
    let epoch = Date::from_ymd(1899, 12, 30).expect("a valid date");
    epoch.add_days(serial.floor() as i32).to_string()
}

/// A whole number; thousands may be grouped as people write them ("500.000", "1 200").
fn parse_integer(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse() {
        return Some(n);
    }
    let (sign, digits) = t.strip_prefix('-').map_or(("", t), |d| ("-", d));
    let groups: Vec<&str> = digits.split(['.', ',', ' ', '\u{a0}']).collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if grouped {
        format!("{sign}{}", groups.concat()).parse().ok()
    } else {
        None
    }
}

/// A list cell's items: by line when the cell has line breaks, else by ";".
fn split_list(text: &str) -> Vec<String> {
    let separator = if text.contains('\n') { '\n' } else { ';' };
    text.split(separator)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

fn code_list(list: Codes) -> String {
    codes(list)
        .into_iter()
        .map(|(code, _)| code)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Default)]
struct Reading {
    problems: Vec<CellProblem>,
    places: Places,
}

impl Places {
    /// A record's row, and each of its cells under its column's key.
    fn record(&mut self, path: String, at: &At) {
        for column in at.t.sheet.columns {
            self.insert(format!("{path}.{}", column.key), at.place(Some(column.key)));
        }
        self.insert(path, at.place(None));
    }

    /// A procedure's row and cells, and the paths of `check` that name what it lacks.
    fn record_procedure(&mut self, i: usize, at: &At) {
        let path = format!("procedures[{i}]");
        // Workflow budgets that do not add up are fixed there or explained in this cell.
        self.insert(
            format!("{path}.workflow"),
            at.place(Some("workflow_deviation")),
        );
        self.insert(format!("{path}.methods"), at.place(None));
        self.insert(format!("{path}.components"), at.place(None));
        self.record(path, at);
    }
}

impl Reading {
    fn table(&mut self, book: &mut Book, sheet: &'static Sheet) -> Option<Table> {
        let whole_sheet = |message: String| CellProblem {
            sheet: sheet.name.to_string(),
            row: None,
            column: None,
            message,
        };
        if !book.sheet_names().iter().any(|n| n == sheet.name) {
            self.problems.push(whole_sheet(
                "thiếu sheet này (tên sheet phải đúng như mẫu)".into(),
            ));
            return None;
        }
        let range = match book.worksheet_range(sheet.name) {
            Ok(range) => range,
            Err(e) => {
                self.problems
                    .push(whole_sheet(format!("không đọc được sheet: {e}")));
                return None;
            }
        };
        let width = range.end().map_or(0, |(_, c)| c + 1);
        let headers: Vec<String> = (0..width)
            .map(|c| {
                let data = range.get_value((0, c)).unwrap_or(&Data::Empty);
                fold(&cell_text(data).unwrap_or_default())
            })
            .collect();
        let mut at = Vec::new();
        for column in sheet.columns {
            match headers.iter().position(|h| *h == fold(column.header)) {
                Some(c) => at.push(c as u32),
                None => self
                    .problems
                    .push(whole_sheet(format!("thiếu cột “{}”", column.header))),
            }
        }
        (at.len() == sheet.columns.len()).then_some(Table { sheet, range, at })
    }

    fn problem(&mut self, at: &At, key: &str, message: String) {
        let (c, column) = at.column(key);
        self.problems.push(CellProblem {
            sheet: at.t.sheet.name.to_string(),
            row: Some(at.row + 1),
            column: Some((letter(c), column.header.to_string())),
            message,
        });
    }

    /// A cell's text: free text and lists as typed (a list's final line break matters), codes,
    /// dates and numbers trimmed.
    fn text(&mut self, at: &At, key: &str) -> String {
        let as_typed = matches!(
            at.column(key).1.kind,
            Kind::Text | Kind::List | Kind::Choices(_)
        );
        match cell_text(at.data(key)) {
            Ok(text) if as_typed => text,
            Ok(text) => text.trim().to_string(),
            Err(message) => {
                self.problem(at, key, message);
                String::new()
            }
        }
    }

    fn list(&mut self, at: &At, key: &str) -> Vec<String> {
        split_list(&self.text(at, key))
    }

    fn integer(&mut self, at: &At, key: &str) -> Option<i64> {
        let text = self.text(at, key);
        let n = parse_integer(&text);
        if n.is_none() {
            let message = if text.is_empty() {
                "cần ghi một số nguyên".to_string()
            } else {
                format!("“{text}” không phải số nguyên")
            };
            self.problem(at, key, message);
        }
        n
    }

    /// A number of copies: whole and not negative.
    fn count(&mut self, at: &At, key: &str) -> u32 {
        let Some(n) = self.integer(at, key) else {
            return 0;
        };
        match u32::try_from(n) {
            Ok(n) => n,
            Err(_) => {
                self.problem(at, key, format!("số bản không được âm ({n})"));
                0
            }
        }
    }

    /// A workflow step's place in its workflow: 1, 2, 3 …
    fn step_order(&mut self, at: &At) -> i64 {
        match self.integer(at, "order") {
            Some(n) if n >= 1 => n,
            Some(n) => {
                let message = format!("thứ tự bước phải từ 1 trở lên, không phải {n}");
                self.problem(at, "order", message);
                i64::MAX
            }
            None => i64::MAX,
        }
    }

    fn choice<T: serde::de::DeserializeOwned>(&mut self, at: &At, key: &str) -> Option<T> {
        let Kind::Choice(list) = at.column(key).1.kind else {
            unreachable!("{key} is not a choice")
        };
        let text = self.text(at, key);
        let value = from_code(&text);
        if value.is_none() {
            let message = if text.is_empty() {
                format!("cần ghi một mã: {}", code_list(list))
            } else {
                format!(
                    "“{text}” không phải mã hợp lệ; dùng một trong: {}",
                    code_list(list)
                )
            };
            self.problem(at, key, message);
        }
        value
    }

    fn choices<T: serde::de::DeserializeOwned>(&mut self, at: &At, key: &str) -> Vec<T> {
        let Kind::Choices(list) = at.column(key).1.kind else {
            unreachable!("{key} is not a list of choices")
        };
        let mut values = Vec::new();
        for item in self.list(at, key) {
            match from_code(&item) {
                Some(value) => values.push(value),
                None => self.problem(
                    at,
                    key,
                    format!("“{item}” không phải mã hợp lệ; dùng: {}", code_list(list)),
                ),
            }
        }
        values
    }

    /// có / không; empty is `None`, for the caller's default.
    fn flag(&mut self, at: &At, key: &str) -> Option<bool> {
        let text = self.text(at, key);
        match fold(&text).as_str() {
            "" => None,
            "co" | "x" | "true" | "1" | "yes" | "dung" => Some(true),
            "khong" | "false" | "0" | "no" | "sai" => Some(false),
            _ => {
                self.problem(at, key, format!("“{text}”: ghi “{YES}” hoặc “{NO}”"));
                None
            }
        }
    }

    fn sector(&mut self, at: &At) -> Sector {
        Sector {
            code: self.text(at, "code"),
            name: self.text(at, "name"),
        }
    }

    fn procedure(&mut self, at: &At) -> Procedure {
        let defaults = Policy::default();
        Procedure {
            code: self.text(at, "code"),
            name: self.text(at, "name"),
            sector: self.text(at, "sector"),
            level: self
                .choice(at, "level")
                .unwrap_or(motcua_domain::catalogue::Level::Province),
            publication: Publication {
                number: self.text(at, "publication.number"),
                date: self.text(at, "publication.date"),
                law_effective: self.text(at, "publication.law_effective"),
            },
            applicants: self.list(at, "applicants"),
            implementing_agency: self.text(at, "implementing_agency"),
            competent_agency: self.text(at, "competent_agency"),
            coordinating_agencies: self.list(at, "coordinating_agencies"),
            receiving: self.text(at, "receiving"),
            methods: Vec::new(),
            components: Vec::new(),
            steps: Vec::new(),
            result: self.text(at, "result"),
            conditions: self.text(at, "conditions"),
            legal_basis: Vec::new(),
            keywords: self.list(at, "keywords"),
            online: self
                .choice(at, "online")
                .unwrap_or(motcua_domain::catalogue::Online::Partial),
            full_online_eligible: self.flag(at, "full_online_eligible").unwrap_or(false),
            counting: Policy {
                count_receipt_day: self
                    .flag(at, "counting.count_receipt_day")
                    .unwrap_or(defaults.count_receipt_day),
                cutoff_applies: self
                    .flag(at, "counting.cutoff_applies")
                    .unwrap_or(defaults.cutoff_applies),
            },
            workflow: Vec::new(),
            workflow_deviation: self.text(at, "workflow_deviation"),
            offered_by: self.list(at, "offered_by"),
            local: Vec::new(),
        }
    }

    fn method(&mut self, at: &At) -> Method {
        Method {
            channel: self
                .choice(at, "channel")
                .unwrap_or(motcua_domain::catalogue::Channel::Counter),
            amount: self.text(at, "amount"),
            unit: self
                .choice(at, "unit")
                .unwrap_or(motcua_calendar::Unit::WorkingDays),
            fee: self.integer(at, "fee").unwrap_or(0),
            fee_note: self.text(at, "fee_note"),
            description: self.text(at, "description"),
        }
    }

    fn component(&mut self, at: &At) -> Component {
        Component {
            name: self.text(at, "name"),
            form: self.text(at, "form"),
            originals: self.count(at, "originals"),
            copies: self.count(at, "copies"),
            case: self.text(at, "case"),
        }
    }

    fn step(&mut self, at: &At) -> String {
        self.text(at, "text")
    }

    fn legal_basis(&mut self, at: &At) -> LegalBasis {
        LegalBasis {
            number: self.text(at, "number"),
            summary: self.text(at, "summary"),
            date: self.text(at, "date"),
            issuer: self.text(at, "issuer"),
        }
    }

    fn workflow_step(&mut self, at: &At) -> WorkflowStep {
        WorkflowStep {
            name: self.text(at, "name"),
            role: self.text(at, "role"),
            agency: self.text(at, "agency"),
            days: self.text(at, "days"),
            actions: self.choices(at, "actions"),
        }
    }

    /// An agency's own configuration; its steps come from the workflow sheet.
    fn local(&mut self, at: &At) -> LocalConfig {
        let keys = ["counting.count_receipt_day", "counting.cutoff_applies"];
        let counting = match keys.map(|key| self.flag(at, key)) {
            [Some(count_receipt_day), Some(cutoff_applies)] => Some(Policy {
                count_receipt_day,
                cutoff_applies,
            }),
            [None, None] => None,
            pair => {
                // Only an empty cell beside a filled one; a wrong value was reported already.
                for (key, value) in keys.into_iter().zip(pair) {
                    if value.is_none() && self.text(at, key).is_empty() {
                        self.problem(
                            at,
                            key,
                            "ghi cả hai cột tính thời gian, hoặc để trống cả hai".into(),
                        );
                    }
                }
                None
            }
        };
        LocalConfig {
            agency: self.text(at, "agency"),
            counting,
            workflow: Vec::new(),
            workflow_deviation: self.text(at, "workflow_deviation"),
        }
    }

    /// The procedure a child row names, reported when there is none.
    fn procedure_of(&mut self, at: &At, by_code: &HashMap<String, usize>) -> Option<usize> {
        let code = self.text(at, "procedure");
        let found = by_code.get(&code).copied();
        if found.is_none() {
            let message = if code.is_empty() {
                "cần ghi mã thủ tục".to_string()
            } else {
                format!("không có thủ tục mã “{code}” ở sheet {}", PROCEDURES.name)
            };
            self.problem(at, "procedure", message);
        }
        found
    }
}

/// Reading the child sheets into the procedures they name.
struct Children<'a> {
    r: &'a mut Reading,
    c: &'a mut Catalogue,
    by_code: &'a HashMap<String, usize>,
}

impl Children<'_> {
    fn read<T>(
        &mut self,
        table: &Option<Table>,
        field: &str,
        read: fn(&mut Reading, &At) -> T,
        items: fn(&mut Procedure) -> &mut Vec<T>,
    ) {
        let Some(t) = table else { return };
        for at in t.rows() {
            // The row's own cells are read even when its procedure is unknown, so that all
            // of its problems show at once.
            let item = read(self.r, &at);
            let Some(i) = self.r.procedure_of(&at, self.by_code) else {
                continue;
            };
            let list = items(&mut self.c.procedures[i]);
            let path = format!("procedures[{i}].{field}[{}]", list.len());
            list.push(item);
            if field == "local" {
                self.r
                    .places
                    .insert(format!("{path}.workflow"), at.place(None));
            }
            self.r.places.record(path, &at);
        }
    }

    /// Workflow steps, each into its procedure's workflow or an agency's own, in step order.
    fn workflows(&mut self, table: &Option<Table>) {
        let Some(t) = table else { return };
        let locals: HashMap<(usize, &str), usize> = self
            .c
            .procedures
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                p.local
                    .iter()
                    .enumerate()
                    .rev() // the first of two rows for one agency wins
                    .map(move |(j, l)| ((i, l.agency.as_str()), j))
            })
            .collect();
        let mut steps = Vec::new();
        for at in t.rows() {
            let step = self.r.workflow_step(&at);
            let order = self.r.step_order(&at);
            let agency = self.r.text(&at, "local");
            let Some(i) = self.r.procedure_of(&at, self.by_code) else {
                continue;
            };
            let local = match locals.get(&(i, agency.as_str())) {
                _ if agency.is_empty() => None,
                Some(&j) => Some(j),
                None => {
                    let message = format!(
                        "cơ quan “{agency}” chưa có dòng cho thủ tục này ở sheet {}",
                        LOCAL.name
                    );
                    self.r.problem(&at, "local", message);
                    continue;
                }
            };
            steps.push((i, local, order, at, step));
        }
        drop(locals);
        steps.sort_by_key(|&(i, local, order, _, _)| (i, local, order));
        for (i, local, _, at, step) in steps {
            let p = &mut self.c.procedures[i];
            let (list, path) = match local {
                None => (&mut p.workflow, format!("procedures[{i}].workflow")),
                Some(j) => (
                    &mut p.local[j].workflow,
                    format!("procedures[{i}].local[{j}].workflow"),
                ),
            };
            let path = format!("{path}[{}]", list.len());
            list.push(step);
            self.r.places.record(path, &at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(0.5), "0.5");
        assert_eq!(number_text(1.25), "1.25");
        assert_eq!(number_text(500000.0), "500000");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(cell_text(&Data::Int(7)).unwrap(), "7");
    }

    #[test]
    fn integers_may_be_grouped_by_thousands() {
        assert_eq!(parse_integer("500.000"), Some(500_000));
        assert_eq!(parse_integer("1 200"), Some(1_200));
        assert_eq!(parse_integer("-5000"), Some(-5_000));
        assert_eq!(parse_integer("3.5"), None);
        assert_eq!(parse_integer("ba"), None);
        assert_eq!(parse_integer(""), None);
    }

    #[test]
    fn lists_split_by_lines_or_semicolons() {
        assert_eq!(split_list("a; b ;c"), ["a", "b", "c"]);
        assert_eq!(split_list("a; b\nc\n"), ["a; b", "c"]);
        assert_eq!(split_list("a; b\n"), ["a; b"]);
        assert!(split_list("  ").is_empty());
    }

    #[test]
    fn excel_dates_become_iso() {
        assert_eq!(excel_date(45856.0), "2025-07-18");
        assert_eq!(excel_date(45856.75), "2025-07-18");
    }
}
