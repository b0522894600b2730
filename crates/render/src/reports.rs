//! Biểu 06/VPCP/KSTT as a landscape PDF with the official heading and as a workbook: the same
//! lines (a level's total, then its sectors numbered, then the grand total) and the same three
//! header rows in both.

use motcua_calendar::Instant;
use motcua_domain::catalogue::Level;
use motcua_domain::report::{Bieu06, Counts};
pub use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::forms::Issuer;
use crate::pdf::{Align, Cell, Doc, PageSetup, Para, Table};

/// What the report is of, besides its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTitle {
    pub issuer: Issuer,
    /// The scope in words ("Toàn tỉnh", an agency's name).
    pub scope: String,
    /// The period in words ("Quý IV năm 2026 (từ 15/09/2026 đến 14/12/2026)").
    pub period: String,
    pub printed_at: i64,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// "I", "1", … or empty.
    pub number: String,
    pub label: String,
    pub counts: Counts,
    /// A level's or the grand total (printed bold).
    pub total: bool,
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Province => "CẤP TỈNH",
        Level::District => "CẤP HUYỆN (trước 01/7/2025)",
        Level::Commune => "CẤP XÃ",
    }
}

const ROMAN: [&str; 3] = ["I", "II", "III"];

/// The lines in the report's order; `sector_name` names a sector code.
pub fn lines(report: &Bieu06, sector_name: impl Fn(&str) -> String) -> Vec<Line> {
    let mut out = Vec::new();
    let mut levels: Vec<Level> = report.rows.keys().map(|(l, _)| l.level()).collect();
    levels.dedup();
    for (i, level) in levels.into_iter().enumerate() {
        out.push(Line {
            number: ROMAN.get(i).copied().unwrap_or("").to_string(),
            label: level_name(level).to_string(),
            counts: report.level_total(level),
            total: true,
        });
        for (n, ((_, sector), counts)) in report
            .rows
            .iter()
            .filter(|((l, _), _)| l.level() == level)
            .enumerate()
        {
            out.push(Line {
                number: (n + 1).to_string(),
                label: sector_name(sector),
                counts: *counts,
                total: false,
            });
        }
    }
    out.push(Line {
        number: String::new(),
        label: "TỔNG CỘNG".into(),
        counts: report.total(),
        total: true,
    });
    out
}

/// "1.250" as numbers are written in Vietnam.
fn number(n: u64) -> String {
    motcua_domain::text::thousands(n as i64)
}

const GROUPS: [(&str, usize); 3] = [
    ("Số hồ sơ nhận giải quyết", 4),
    ("Số hồ sơ đã giải quyết", 4),
    ("Số hồ sơ đang giải quyết", 3),
];

const COLUMNS: [&str; 11] = [
    "Tổng số",
    "Trực tuyến",
    "Trực tiếp, qua dịch vụ bưu chính",
    "Từ kỳ trước chuyển qua",
    "Tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
];

const TITLE: &str = "TỔNG HỢP TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

pub fn bieu06_pdf(title: &ReportTitle, lines: &[Line]) -> Vec<u8> {
    let mut doc = Doc::new(PageSetup::a4_landscape(), "Biểu 06/VPCP/KSTT");
    doc.para(
        &Para::new(10.0)
            .italic("Biểu số 06/VPCP/KSTT")
            .align(Align::Right)
            .after(2.0),
    );
    crate::forms::heading_for(&mut doc, &title.issuer, title.printed_at);
    doc.para(&Para::new(14.0).bold(TITLE).center());
    doc.para(&Para::new(13.0).bold(&title.scope).center());
    doc.para(&Para::new(13.0).italic(&title.period).center().after(8.0));
    let head = |t: &str| Cell::new(Para::new(10.0).bold(t).center());
    let mut groups = vec![head("STT"), head("Lĩnh vực, cấp giải quyết")];
    groups.extend(GROUPS.iter().map(|(g, n)| head(g).span(*n)));
    let mut columns = vec![head(""), head("")];
    columns.extend(COLUMNS.iter().map(|c| head(c)));
    let numbers: Vec<Cell> = (1..=13).map(|n| head(&format!("({n})"))).collect();
    let rows = lines
        .iter()
        .map(|l| {
            let text = |t: &str, align: Align| {
                let p = Para::new(10.0);
                Cell::new(if l.total { p.bold(t) } else { p.regular(t) }.align(align))
            };
            let mut row = vec![text(&l.number, Align::Center), text(&l.label, Align::Left)];
            row.extend(
                l.counts
                    .values()
                    .iter()
                    .map(|v| text(&number(*v), Align::Right)),
            );
            row
        })
        .collect();
    let mut widths = vec![4.0, 22.0];
    widths.extend([6.5; 11]);
    doc.table(&Table {
        widths,
        header: vec![groups, columns, numbers],
        rows,
    });
    doc.para(
        &Para::new(10.0)
            .italic(
                "(3) = (4) + (5) + (6); (3) = (7) + (11); (7) = (8) + (9) + (10); (11) = (12) + (13). \
                 Một hồ sơ liên thông được tính một lần.",
            )
            .before(4.0),
    );
    doc.finish()
}

/// The header cells of the report workbooks: bold, wrapped, centred, framed.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
}

pub fn bieu06_xlsx(title: &ReportTitle, lines: &[Line]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Bieu 06")?;
    let bold = Format::new().set_bold();
    let header = header_format();
    let text = Format::new().set_border(FormatBorder::Thin);
    let text_bold = text.clone().set_bold();
    let count = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let count_bold = count.clone().set_bold();
    ws.write_string_with_format(0, 0, TITLE, &bold)?;
    ws.write_string(1, 0, &title.scope)?;
    ws.write_string(2, 0, &title.period)?;
    ws.write_string(3, 0, format!("Lập lúc {}", Instant(title.printed_at).vn()))?;
    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 40)?;
    for c in 2..13u16 {
        ws.set_column_width(c, 12)?;
    }
    ws.merge_range(5, 0, 6, 0, "STT", &header)?;
    ws.merge_range(5, 1, 6, 1, "Lĩnh vực, cấp giải quyết", &header)?;
    let mut col = 2u16;
    for (g, n) in GROUPS {
        ws.merge_range(5, col, 5, col + n as u16 - 1, g, &header)?;
        col += n as u16;
    }
    for (i, c) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(6, 2 + i as u16, *c, &header)?;
    }
    for n in 0..13u16 {
        ws.write_string_with_format(7, n, format!("({})", n + 1), &header)?;
    }
    ws.set_row_height(6, 45)?;
    for (i, l) in lines.iter().enumerate() {
        let r = 8 + i as u32;
        let (t, c) = if l.total {
            (&text_bold, &count_bold)
        } else {
            (&text, &count)
        };
        ws.write_string_with_format(r, 0, &l.number, t)?;
        ws.write_string_with_format(r, 1, &l.label, t)?;
        for (j, v) in l.counts.values().iter().enumerate() {
            ws.write_number_with_format(r, 2 + j as u16, *v as f64, c)?;
        }
    }
    ws.set_freeze_panes(8, 2)?;
    book.save_to_buffer()
}

/// A late dossier: where its time was lost and by how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateLine {
    pub code: String,
    pub procedure: String,
    pub agency: String,
    /// The workflow step that overran its time (or the one it is stuck at), and the officer.
    pub step: String,
    pub officer: String,
    pub due: i64,
    /// Decided at; none while it is still open.
    pub finished: Option<i64>,
    pub working_days_late: i64,
    /// An apology with a new date (Mẫu 04) was sent.
    pub apology: bool,
}

/// The late dossiers of one sector and agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateGroup {
    pub sector: String,
    pub agency: String,
    pub lines: Vec<LateLine>,
}

const LATE_HEADERS: [&str; 9] = [
    "STT",
    "Mã hồ sơ",
    "Thủ tục hành chính",
    "Bước, người để trễ",
    "Hẹn trả",
    "Đã giải quyết",
    "Số ngày làm việc trễ",
    "Xin lỗi, hẹn lại",
    "Cơ quan",
];

fn late_cells(n: usize, l: &LateLine) -> [String; 9] {
    [
        n.to_string(),
        l.code.clone(),
        l.procedure.clone(),
        if l.officer.is_empty() {
            l.step.clone()
        } else {
            format!("{} — {}", l.step, l.officer)
        },
        Instant(l.due).vn(),
        l.finished
            .map(|t| Instant(t).vn())
            .unwrap_or_else(|| "Chưa".into()),
        l.working_days_late.to_string(),
        if l.apology { "Có" } else { "Không" }.into(),
        l.agency.clone(),
    ]
}

pub fn late_pdf(title: &ReportTitle, groups: &[LateGroup]) -> Vec<u8> {
    let mut doc = Doc::new(PageSetup::a4_landscape(), "Hồ sơ trễ hạn");
    crate::forms::heading_for(&mut doc, &title.issuer, title.printed_at);
    doc.para(&Para::new(14.0).bold("DANH SÁCH HỒ SƠ TRỄ HẠN").center());
    doc.para(&Para::new(13.0).bold(&title.scope).center());
    doc.para(&Para::new(13.0).italic(&title.period).center().after(8.0));
    let head = |t: &str| Cell::new(Para::new(10.0).bold(t).center());
    let mut rows = Vec::new();
    let mut n = 0;
    for g in groups {
        rows.push(vec![
            Cell::new(Para::new(10.0).bold(&format!(
                "{} — {} ({} hồ sơ)",
                g.sector,
                g.agency,
                g.lines.len()
            )))
            .span(9),
        ]);
        for l in &g.lines {
            n += 1;
            rows.push(
                late_cells(n, l)
                    .iter()
                    .map(|t| Cell::new(Para::new(10.0).regular(t)))
                    .collect(),
            );
        }
    }
    if rows.is_empty() {
        rows.push(vec![
            Cell::new(
                Para::new(10.0)
                    .italic("Không có hồ sơ trễ hạn trong kỳ.")
                    .center(),
            )
            .span(9),
        ]);
    }
    doc.table(&Table {
        widths: vec![4.0, 14.0, 20.0, 16.0, 9.0, 9.0, 7.0, 6.0, 15.0],
        header: vec![LATE_HEADERS.iter().map(|h| head(h)).collect()],
        rows,
    });
    doc.finish()
}

pub fn late_xlsx(title: &ReportTitle, groups: &[LateGroup]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Ho so tre han")?;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    ws.write_string_with_format(0, 0, "DANH SÁCH HỒ SƠ TRỄ HẠN", &bold)?;
    ws.write_string(1, 0, &title.scope)?;
    ws.write_string(2, 0, &title.period)?;
    let widths = [6.0, 22.0, 40.0, 36.0, 17.0, 17.0, 10.0, 10.0, 30.0];
    for (c, (h, w)) in LATE_HEADERS.iter().zip(widths).enumerate() {
        ws.set_column_width(c as u16, w)?;
        ws.write_string_with_format(4, c as u16, *h, &header)?;
    }
    let mut r = 5u32;
    let mut n = 0;
    for g in groups {
        ws.write_string_with_format(r, 0, format!("{} — {}", g.sector, g.agency), &bold)?;
        r += 1;
        for l in &g.lines {
            n += 1;
            for (c, v) in late_cells(n, l).iter().enumerate() {
                if c == 0 || c == 6 {
                    ws.write_number(r, c as u16, v.parse::<f64>().unwrap_or(0.0))?;
                } else {
                    ws.write_string(r, c as u16, v)?;
                }
            }
            r += 1;
        }
    }
    ws.set_freeze_panes(5, 2)?;
    book.save_to_buffer()
}
