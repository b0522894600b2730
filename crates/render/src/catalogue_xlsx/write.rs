//! Writing the workbook: the instruction sheet, then each table with bold frozen headers, text
//! columns formatted as text (so a code typed later stays "1.009642"), and drop-down lists for
//! the columns that take a code.

use std::fmt;

use motcua_domain::catalogue::{
    Catalogue, Component, FORMAT, LegalBasis, LocalConfig, Method, Procedure, Sector, WorkflowStep,
};
use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatAlign, FormatBorder, IgnoreError, Workbook, Worksheet,
    XlsxError,
};

use super::{
    COMPONENTS, Codes, Column, HELP, Kind, LEGAL_BASIS, LOCAL, METHODS, NO, NOTE_LABEL, PROCEDURES,
    SECTORS, STEPS, Sheet, TABLES, WORKFLOW, YES, code_of, codes,
};

/// The workbook could not be made (a text longer than a cell holds, 32,767 characters).
#[derive(Debug)]
pub struct WriteError(String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "không tạo được tệp XLSX: {}", self.0)
    }
}

impl std::error::Error for WriteError {}

impl From<XlsxError> for WriteError {
    fn from(e: XlsxError) -> Self {
        WriteError(e.to_string())
    }
}

/// One cell's value.
enum Cell {
    Text(String),
    Number(f64),
}

/// The last row a drop-down list covers: the whole sheet, so rows a person adds have it too.
const LAST_ROW: u32 = 1_048_575;

/// The catalogue as a workbook.
pub fn write(c: &Catalogue) -> Result<Vec<u8>, WriteError> {
    let styles = Styles::new();
    let mut book = Workbook::new();
    help(book.add_worksheet(), &c.note, &styles)?;
    let tables: [(&Sheet, Vec<Vec<Cell>>); 8] = [
        (&SECTORS, rows(&SECTORS, &c.sectors, sector)),
        (&PROCEDURES, rows(&PROCEDURES, &c.procedures, procedure)),
        (&METHODS, child_rows(&METHODS, c, |p| &p.methods, method)),
        (
            &COMPONENTS,
            child_rows(&COMPONENTS, c, |p| &p.components, component),
        ),
        (
            &STEPS,
            child_rows(&STEPS, c, |p| &p.steps, |s, key| step(s, key)),
        ),
        (
            &LEGAL_BASIS,
            child_rows(&LEGAL_BASIS, c, |p| &p.legal_basis, legal_basis),
        ),
        (&WORKFLOW, workflow_rows(c)),
        (&LOCAL, child_rows(&LOCAL, c, |p| &p.local, local)),
    ];
    for (sheet, rows) in tables {
        table(book.add_worksheet(), sheet, &rows, &styles)?;
    }
    Ok(book.save_to_buffer()?)
}

/// An empty workbook: headers and instructions, for a catalogue started from nothing.
pub fn template() -> Result<Vec<u8>, WriteError> {
    write(&Catalogue {
        format: FORMAT.to_string(),
        note: String::new(),
        sectors: Vec::new(),
        procedures: Vec::new(),
    })
}

struct Styles {
    title: Format,
    header: Format,
    bold: Format,
    text: Format,
    number: Format,
}

impl Styles {
    fn new() -> Styles {
        let top = Format::new().set_align(FormatAlign::Top);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            bold: top.clone().set_bold().set_text_wrap(),
            // "@": Excel keeps what is typed in the cell as text, not a number or a date.
            text: top.clone().set_text_wrap().set_num_format("@"),
            number: top,
        }
    }
}

fn table(
    ws: &mut Worksheet,
    sheet: &Sheet,
    rows: &[Vec<Cell>],
    styles: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    for (c, column) in sheet.columns.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, column.width)?;
        let style = match column.kind {
            Kind::Integer | Kind::Decimal => &styles.number,
            _ => &styles.text,
        };
        ws.set_column_format(c, style)?;
        ws.write_string_with_format(0, c, column.header, &styles.header)?;
        if let Some(list) = drop_down(column.kind) {
            ws.add_data_validation(1, c, LAST_ROW, c, &list)?;
        }
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        let widths = sheet.columns.iter().map(|c| c.width);
        let lines = row.iter().zip(widths).map(|(cell, width)| match cell {
            Cell::Text(text) => lines(text, width),
            Cell::Number(_) => 1,
        });
        set_lines(ws, r, lines.max().unwrap_or(1))?;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(text) if text.is_empty() => {}
                Cell::Text(text) => {
                    ws.write_string_with_format(r, c, text, &styles.text)?;
                }
                Cell::Number(n) => {
                    ws.write_number_with_format(r, c, *n, &styles.number)?;
                }
            }
        }
    }
    let last_column = sheet.columns.len() as u16 - 1;
    ws.set_freeze_panes(1, 1)?;
    ws.set_row_height(0, 45)?;
    // Printed, the headers repeat on every page; A4 (paper size 9) across.
    ws.set_repeat_rows(0, 0)?;
    ws.set_paper_size(9).set_landscape();
    ws.autofilter(0, 0, rows.len().max(1) as u32, last_column)?;
    // Codes such as 1.009642 are text on purpose; no green triangles on them.
    ws.ignore_error_range(0, 0, LAST_ROW, last_column, IgnoreError::NumberStoredAsText)?;
    Ok(())
}

/// About how many lines a wrapped text takes in a column `width` characters wide. Viewers do
/// not all fit row heights to wrapped text on opening, so the writer sets them.
fn lines(text: &str, width: f64) -> usize {
    // Text is narrower than the "0"s a column's width counts.
    let per_line = (width * 1.2).max(1.0) as usize;
    text.split('\n')
        .map(|line| line.chars().count().div_ceil(per_line).max(1))
        .sum()
}

fn set_lines(ws: &mut Worksheet, row: u32, lines: usize) -> Result<(), XlsxError> {
    if lines > 1 {
        // 15 points a line; Excel's highest row is 409 points.
        ws.set_row_height(row, (15 * lines).min(409) as f64)?;
    }
    Ok(())
}

/// A drop-down list of the codes a column takes.
fn drop_down(kind: Kind) -> Option<DataValidation> {
    let choices: Vec<String> = match kind {
        Kind::Choice(list) => codes(list).into_iter().map(|(code, _)| code).collect(),
        Kind::Flag => vec![YES.into(), NO.into()],
        _ => return None,
    };
    DataValidation::new()
        .allow_list_strings(&choices)
        .ok()?
        .set_error_title("Mã không hợp lệ")
        .ok()?
        .set_error_message("Chọn một mã trong danh sách (xem sheet Hướng dẫn).")
        .ok()
}

/// Rows of a top-level table, a cell per column by its key.
fn rows<T>(sheet: &Sheet, items: &[T], cell: impl Fn(&T, &str) -> Cell) -> Vec<Vec<Cell>> {
    items
        .iter()
        .map(|item| sheet.columns.iter().map(|c| cell(item, c.key)).collect())
        .collect()
}

/// Rows of a child table: each names its procedure by code in the first column.
fn child_rows<T>(
    sheet: &Sheet,
    c: &Catalogue,
    items: impl Fn(&Procedure) -> &Vec<T>,
    cell: impl Fn(&T, &str) -> Cell,
) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    for p in &c.procedures {
        for item in items(p) {
            out.push(
                sheet
                    .columns
                    .iter()
                    .map(|col| match col.key {
                        "procedure" => text(&p.code),
                        key => cell(item, key),
                    })
                    .collect(),
            );
        }
    }
    out
}

/// The province's workflow of each procedure, then each agency's own.
fn workflow_rows(c: &Catalogue) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    for p in &c.procedures {
        let workflows = std::iter::once(("", &p.workflow))
            .chain(p.local.iter().map(|l| (l.agency.as_str(), &l.workflow)));
        for (agency, steps) in workflows {
            for (order, step) in steps.iter().enumerate() {
                out.push(
                    WORKFLOW
                        .columns
                        .iter()
                        .map(|col| match col.key {
                            "procedure" => text(&p.code),
                            "local" => text(agency),
                            "order" => Cell::Number(order as f64 + 1.0),
                            key => workflow_step(step, key),
                        })
                        .collect(),
                );
            }
        }
    }
    out
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn flag(value: bool) -> Cell {
    text(if value { YES } else { NO })
}

/// A list in one cell, an item a line. A single item holding ";" gets a final line break, so
/// that reading splits it by lines only and keeps it whole.
fn list<S: AsRef<str>>(items: &[S]) -> Cell {
    let joined = items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join("\n");
    if items.len() == 1 && joined.contains(';') {
        Cell::Text(joined + "\n")
    } else {
        Cell::Text(joined)
    }
}

/// An amount written as text in the record ("0.5"): a number in the cell when it reads back as
/// the same text, otherwise the text itself.
fn decimal(s: &str) -> Cell {
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() && super::read::number_text(n) == s => Cell::Number(n),
        _ => text(s),
    }
}

fn sector(s: &Sector, key: &str) -> Cell {
    match key {
        "code" => text(&s.code),
        "name" => text(&s.name),
        _ => unreachable!("sector column {key}"),
    }
}

fn procedure(p: &Procedure, key: &str) -> Cell {
    match key {
        "code" => text(&p.code),
        "name" => text(&p.name),
        "sector" => text(&p.sector),
        "level" => text(&code_of(p.level)),
        "publication.number" => text(&p.publication.number),
        "publication.date" => text(&p.publication.date),
        "publication.law_effective" => text(&p.publication.law_effective),
        "applicants" => list(&p.applicants),
        "implementing_agency" => text(&p.implementing_agency),
        "competent_agency" => text(&p.competent_agency),
        "coordinating_agencies" => list(&p.coordinating_agencies),
        "offered_by" => list(&p.offered_by),
        "receiving" => text(&p.receiving),
        "result" => text(&p.result),
        "conditions" => text(&p.conditions),
        "keywords" => list(&p.keywords),
        "online" => text(&code_of(p.online)),
        "full_online_eligible" => flag(p.full_online_eligible),
        "counting.count_receipt_day" => flag(p.counting.count_receipt_day),
        "counting.cutoff_applies" => flag(p.counting.cutoff_applies),
        "workflow_deviation" => text(&p.workflow_deviation),
        _ => unreachable!("procedure column {key}"),
    }
}

fn method(m: &Method, key: &str) -> Cell {
    match key {
        "channel" => text(&code_of(m.channel)),
        "amount" => decimal(&m.amount),
        "unit" => text(&code_of(m.unit)),
        "fee" => Cell::Number(m.fee as f64),
        "fee_note" => text(&m.fee_note),
        "description" => text(&m.description),
        _ => unreachable!("method column {key}"),
    }
}

fn component(c: &Component, key: &str) -> Cell {
    match key {
        "name" => text(&c.name),
        "form" => text(&c.form),
        "originals" => Cell::Number(c.originals.into()),
        "copies" => Cell::Number(c.copies.into()),
        "case" => text(&c.case),
        _ => unreachable!("component column {key}"),
    }
}

fn step(s: &str, key: &str) -> Cell {
    match key {
        "text" => text(s),
        _ => unreachable!("step column {key}"),
    }
}

fn legal_basis(l: &LegalBasis, key: &str) -> Cell {
    match key {
        "number" => text(&l.number),
        "summary" => text(&l.summary),
        "date" => text(&l.date),
        "issuer" => text(&l.issuer),
        _ => unreachable!("legal basis column {key}"),
    }
}

fn workflow_step(s: &WorkflowStep, key: &str) -> Cell {
    match key {
        "name" => text(&s.name),
        "role" => text(&s.role),
        "agency" => text(&s.agency),
        "days" => decimal(&s.days),
        "actions" => list(&s.actions.iter().map(|&a| code_of(a)).collect::<Vec<_>>()),
        _ => unreachable!("workflow column {key}"),
    }
}

fn local(l: &LocalConfig, key: &str) -> Cell {
    match (key, l.counting) {
        ("agency", _) => text(&l.agency),
        ("counting.count_receipt_day", Some(c)) => flag(c.count_receipt_day),
        ("counting.cutoff_applies", Some(c)) => flag(c.cutoff_applies),
        ("counting.count_receipt_day" | "counting.cutoff_applies", None) => text(""),
        ("workflow_deviation", _) => text(&l.workflow_deviation),
        _ => unreachable!("local configuration column {key}"),
    }
}

/// The instruction sheet: general rules, each sheet and column, and the code lists.
fn help(ws: &mut Worksheet, note: &str, styles: &Styles) -> Result<(), XlsxError> {
    ws.set_name(HELP)?.set_active(true);
    ws.set_paper_size(9).set_print_fit_to_pages(1, 0);
    ws.set_column_width(0, HELP_WIDTHS[0])?;
    ws.set_column_width(1, HELP_WIDTHS[1])?;
    let mut lines = HelpLines { ws, row: 0, styles };
    lines.title(&format!(
        "Danh mục thủ tục hành chính: mẫu nhập liệu ({FORMAT})"
    ))?;
    lines.pair(NOTE_LABEL, note, false)?;
    lines.blank();
    lines.title("Cách điền")?;
    for (label, about) in RULES {
        lines.pair(label, about, true)?;
    }
    for sheet in TABLES {
        lines.blank();
        lines.title(&format!("Sheet “{}”", sheet.name))?;
        lines.pair("", sheet.about, false)?;
        for column in sheet.columns {
            lines.pair(column.header, &column_help(column), true)?;
        }
    }
    for list in [
        Codes::Level,
        Codes::Channel,
        Codes::Unit,
        Codes::Online,
        Codes::Role,
        Codes::Action,
    ] {
        lines.blank();
        lines.title(list.title())?;
        for (code, meaning) in codes(list) {
            lines.pair(&code, meaning, true)?;
        }
    }
    Ok(())
}

const HELP_WIDTHS: [f64; 2] = [36.0, 100.0];

const RULES: [(&str, &str); 7] = [
    (
        "Tiêu đề cột",
        "Dòng 1 của mỗi sheet là tiêu đề cột: không đổi tên, không xóa cột. Có thể đổi thứ tự cột, thêm cột ghi chú riêng (không được đọc).",
    ),
    (
        "Mã thủ tục",
        "Mỗi dòng ở các sheet Cách thực hiện, Thành phần hồ sơ, Trình tự, Căn cứ pháp lý, Quy trình nội bộ, Cấu hình riêng ghi ở cột Mã thủ tục mã của một thủ tục ở sheet Thủ tục.",
    ),
    ("Ngày", "Ghi dạng văn bản YYYY-MM-DD, ví dụ 2025-07-18."),
    (
        "Ô danh sách",
        "Đối tượng thực hiện, Cơ quan phối hợp, Nơi tiếp nhận, Từ khóa tìm kiếm, Thao tác được phép: mỗi mục một dòng trong ô (Alt+Enter) hoặc ngăn cách bằng dấu “;”. Khi ô có xuống dòng, dấu “;” trong một mục được giữ nguyên.",
    ),
    (
        "có / không",
        "Các cột có/không ghi “có” hoặc “không”; để trống là giá trị mặc định ghi ở cột.",
    ),
    (
        "Mã",
        "Các cột ghi mã (cấp thực hiện, hình thức nộp, đơn vị thời hạn, dịch vụ công trực tuyến, vai trò, thao tác) dùng đúng các mã ở cuối sheet này.",
    ),
    (
        "Khi nhập",
        "Dòng trống được bỏ qua. Mọi lỗi được liệt kê theo sheet, dòng, cột; không có gì được ghi khi còn lỗi.",
    ),
];

fn column_help(column: &Column) -> String {
    let codes = match column.kind {
        Kind::Choice(list) | Kind::Choices(list) => codes(list)
            .into_iter()
            .map(|(code, _)| code)
            .collect::<Vec<_>>()
            .join(", "),
        _ => return column.about.to_string(),
    };
    format!("{}: {codes}.", column.about.trim_end_matches('.'))
}

struct HelpLines<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    styles: &'a Styles,
}

impl HelpLines<'_> {
    fn title(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(self.row, 0, text, &self.styles.title)?;
        self.row += 1;
        Ok(())
    }

    fn pair(&mut self, label: &str, text: &str, bold_label: bool) -> Result<(), XlsxError> {
        let label_style = if bold_label {
            &self.styles.bold
        } else {
            &self.styles.text
        };
        if !label.is_empty() {
            self.ws
                .write_string_with_format(self.row, 0, label, label_style)?;
        }
        if !text.is_empty() {
            self.ws
                .write_string_with_format(self.row, 1, text, &self.styles.text)?;
        }
        let lines = lines(label, HELP_WIDTHS[0]).max(lines(text, HELP_WIDTHS[1]));
        set_lines(self.ws, self.row, lines)?;
        self.row += 1;
        Ok(())
    }

    fn blank(&mut self) {
        self.row += 1;
    }
}
