//! The leaders' dashboard and the public transparency page: the on-time rate by agency, sector
//! and level, the last twelve reporting months, the channels dossiers came by, and what is
//! overdue now. The same figures make the page's SVG charts, a workbook whose sheets each hold a
//! table and a native Excel chart of it, and a landscape PDF of the tables.

use motcua_calendar::Instant;
pub use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartType, Format, FormatBorder, Workbook, Worksheet,
};

use crate::charts::{self, Bar, Part, Series, percent};
use crate::pdf::{Align, Cell, Doc, PageSetup, Para, Table};
use crate::reports::ReportTitle;

/// The share early or on time that Decision 766 scores in full.
pub const TARGET: f64 = 90.0;

/// How one agency, sector or level did over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub label: String,
    pub received: u64,
    pub resolved: u64,
    /// Early or on time.
    pub on_time: u64,
    pub late: u64,
}

impl Rate {
    /// Per cent resolved early or on time; `None` when nothing was resolved.
    pub fn ratio(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.on_time as f64 * 100.0 / self.resolved as f64)
    }
}

/// One reporting month (the 15th to the 14th).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// "01/2026".
    pub label: String,
    pub online: u64,
    pub counter_post: u64,
    pub resolved: u64,
    pub on_time: u64,
}

impl Month {
    pub fn on_time_ratio(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.on_time as f64 * 100.0 / self.resolved as f64)
    }

    pub fn online_ratio(&self) -> Option<f64> {
        let all = self.online + self.counter_post;
        (all > 0).then(|| self.online as f64 * 100.0 / all as f64)
    }
}

/// What one agency holds open now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub label: String,
    pub open: u64,
    pub overdue: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub title: ReportTitle,
    pub total: Rate,
    pub online: u64,
    pub counter_post: u64,
    pub by_agency: Vec<Rate>,
    pub by_sector: Vec<Rate>,
    pub by_level: Vec<Rate>,
    pub months: Vec<Month>,
    pub overdue_now: Vec<Overdue>,
    /// When "now" was, for the overdue figures.
    pub now: i64,
}

fn count(n: u64) -> String {
    motcua_domain::text::thousands(n as i64)
}

fn rate_bars(rates: &[Rate]) -> Vec<Bar> {
    rates
        .iter()
        .map(|r| Bar {
            label: r.label.clone(),
            value: r.ratio().unwrap_or(0.0),
            note: match r.ratio() {
                Some(v) => format!("{} · {} hồ sơ", percent(v), count(r.resolved)),
                None => "chưa giải quyết hồ sơ nào".into(),
            },
        })
        .collect()
}

/// The page's charts, in the order shown.
pub struct Charts {
    pub by_agency: String,
    pub by_sector: String,
    pub by_level: String,
    pub months: String,
    pub received: String,
    pub channels: String,
    pub overdue: String,
}

impl Dashboard {
    pub fn charts(&self) -> Charts {
        let target = Some((TARGET, "Mục tiêu 90%"));
        let month_labels: Vec<String> = self.months.iter().map(|m| m.label.clone()).collect();
        let most_received = self
            .months
            .iter()
            .map(|m| m.online + m.counter_post)
            .max()
            .unwrap_or(0)
            .max(1);
        Charts {
            by_agency: charts::bars(
                "by-agency",
                "Tỷ lệ giải quyết trước hạn, đúng hạn theo cơ quan",
                &rate_bars(&self.by_agency),
                100.0,
                target,
            ),
            by_sector: charts::bars(
                "by-sector",
                "Tỷ lệ giải quyết trước hạn, đúng hạn theo lĩnh vực",
                &rate_bars(&self.by_sector),
                100.0,
                target,
            ),
            by_level: charts::bars(
                "by-level",
                "Tỷ lệ giải quyết trước hạn, đúng hạn theo cấp",
                &rate_bars(&self.by_level),
                100.0,
                target,
            ),
            months: charts::lines(
                "months",
                "Diễn biến 12 tháng: tỷ lệ đúng hạn và tỷ lệ trực tuyến",
                &month_labels,
                &[
                    Series {
                        name: "Giải quyết trước hạn, đúng hạn (%)".into(),
                        values: self.months.iter().map(Month::on_time_ratio).collect(),
                    },
                    Series {
                        name: "Tiếp nhận trực tuyến (%)".into(),
                        values: self.months.iter().map(Month::online_ratio).collect(),
                    },
                ],
                100.0,
                percent,
            ),
            received: charts::lines(
                "received",
                "Số hồ sơ tiếp nhận theo tháng",
                &month_labels,
                &[
                    Series {
                        name: "Trực tuyến".into(),
                        values: self.months.iter().map(|m| Some(m.online as f64)).collect(),
                    },
                    Series {
                        name: "Trực tiếp, bưu chính".into(),
                        values: self
                            .months
                            .iter()
                            .map(|m| Some(m.counter_post as f64))
                            .collect(),
                    },
                ],
                most_received as f64 * 1.1,
                |v| count(v.round() as u64),
            ),
            channels: charts::shares(
                "channels",
                "Hồ sơ tiếp nhận trong kỳ theo kênh",
                &[
                    Part {
                        label: "Trực tuyến".into(),
                        value: self.online,
                    },
                    Part {
                        label: "Trực tiếp, bưu chính".into(),
                        value: self.counter_post,
                    },
                ],
            ),
            overdue: {
                let most = self
                    .overdue_now
                    .iter()
                    .map(|o| o.overdue)
                    .max()
                    .unwrap_or(0)
                    .max(1);
                charts::bars(
                    "overdue",
                    "Hồ sơ đang quá hạn theo cơ quan",
                    &self
                        .overdue_now
                        .iter()
                        .map(|o| Bar {
                            label: o.label.clone(),
                            value: o.overdue as f64,
                            note: format!(
                                "{} quá hạn / {} đang giải quyết",
                                count(o.overdue),
                                count(o.open)
                            ),
                        })
                        .collect::<Vec<_>>(),
                    most as f64,
                    None,
                )
            },
        }
    }
}

const RATE_HEADERS: [&str; 6] = [
    "",
    "Tiếp nhận",
    "Đã giải quyết",
    "Trước hạn, đúng hạn",
    "Quá hạn",
    "Tỷ lệ đúng hạn (%)",
];
const MONTH_HEADERS: [&str; 6] = [
    "Tháng",
    "Trực tuyến",
    "Trực tiếp, bưu chính",
    "Đã giải quyết",
    "Tỷ lệ đúng hạn (%)",
    "Tỷ lệ trực tuyến (%)",
];
const OVERDUE_HEADERS: [&str; 3] = ["Cơ quan", "Đang giải quyết", "Quá hạn"];

/// The sections of the dashboard as tables: a heading, the column names (the first names the
/// row label), and the rows.
fn tables(d: &Dashboard) -> Vec<(String, Vec<String>, Vec<Vec<Value>>)> {
    let rates = |first: &str, rates: &[Rate]| {
        let mut head: Vec<String> = RATE_HEADERS.iter().map(|h| h.to_string()).collect();
        head[0] = first.to_string();
        let rows = rates
            .iter()
            .chain(std::iter::once(&d.total))
            .map(|r| {
                vec![
                    Value::Text(r.label.clone()),
                    Value::Count(r.received),
                    Value::Count(r.resolved),
                    Value::Count(r.on_time),
                    Value::Count(r.late),
                    Value::Percent(r.ratio()),
                ]
            })
            .collect();
        (head, rows)
    };
    let (h1, r1) = rates("Cơ quan", &d.by_agency);
    let (h2, r2) = rates("Lĩnh vực", &d.by_sector);
    let (h3, r3) = rates("Cấp", &d.by_level);
    let months = d
        .months
        .iter()
        .map(|m| {
            vec![
                Value::Text(m.label.clone()),
                Value::Count(m.online),
                Value::Count(m.counter_post),
                Value::Count(m.resolved),
                Value::Percent(m.on_time_ratio()),
                Value::Percent(m.online_ratio()),
            ]
        })
        .collect();
    let overdue = d
        .overdue_now
        .iter()
        .map(|o| {
            vec![
                Value::Text(o.label.clone()),
                Value::Count(o.open),
                Value::Count(o.overdue),
            ]
        })
        .collect();
    let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("Theo cơ quan".into(), h1, r1),
        ("Theo lĩnh vực".into(), h2, r2),
        ("Theo cấp".into(), h3, r3),
        ("Theo tháng".into(), names(&MONTH_HEADERS), months),
        (
            format!("Đang quá hạn lúc {}", Instant(d.now).vn()),
            names(&OVERDUE_HEADERS),
            overdue,
        ),
    ]
}

/// A cell of the tables.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Count(u64),
    /// `None`: nothing to divide.
    Percent(Option<f64>),
}

impl Value {
    fn shown(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Count(n) => count(*n),
            Value::Percent(Some(p)) => charts::decimal(*p),
            Value::Percent(None) => "—".into(),
        }
    }
}

const TITLE: &str = "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

pub fn dashboard_pdf(d: &Dashboard) -> Vec<u8> {
    let mut doc = Doc::new(PageSetup::a4_landscape(), TITLE);
    crate::forms::heading_for(&mut doc, &d.title.issuer, d.title.printed_at);
    doc.para(&Para::new(14.0).bold(TITLE).center());
    doc.para(&Para::new(13.0).bold(&d.title.scope).center());
    doc.para(&Para::new(13.0).italic(&d.title.period).center().after(8.0));
    for (heading, head, rows) in tables(d) {
        doc.para(&Para::new(12.0).bold(&heading).before(6.0).after(3.0));
        let cell = |t: &str, bold: bool, align: Align| {
            let p = Para::new(10.0);
            Cell::new(if bold { p.bold(t) } else { p.regular(t) }.align(align))
        };
        let mut widths = vec![36.0];
        widths.extend(std::iter::repeat_n(
            64.0 / (head.len() - 1) as f32,
            head.len() - 1,
        ));
        let rows: Vec<Vec<Cell>> = if rows.is_empty() {
            vec![vec![
                cell("Không có số liệu.", false, Align::Center).span(head.len()),
            ]]
        } else {
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|v| match v {
                            Value::Text(_) => cell(&v.shown(), false, Align::Left),
                            _ => cell(&v.shown(), false, Align::Right),
                        })
                        .collect()
                })
                .collect()
        };
        doc.table(&Table {
            widths,
            header: vec![head.iter().map(|h| cell(h, true, Align::Center)).collect()],
            rows,
        });
    }
    doc.para(
        &Para::new(10.0)
            .italic(
                "Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết. Tháng tính từ ngày 15 \
                 tháng trước đến ngày 14 (Nghị định 09/2019/NĐ-CP).",
            )
            .before(4.0),
    );
    doc.finish()
}

/// A sheet per table, each with its native chart: bars of the rates (or of what is overdue),
/// lines of the months.
pub fn dashboard_xlsx(d: &Dashboard) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let header = crate::reports::header_format();
    let text = Format::new().set_border(FormatBorder::Thin);
    let whole = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let ratio = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0");
    let sheet_names = [
        "Theo co quan",
        "Theo linh vuc",
        "Theo cap",
        "Theo thang",
        "Dang qua han",
    ];
    for (i, (heading, head, rows)) in tables(d).into_iter().enumerate() {
        let name = sheet_names[i];
        let ws: &mut Worksheet = book.add_worksheet();
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, TITLE, &bold)?;
        ws.write_string(1, 0, format!("{} — {}", d.title.scope, d.title.period))?;
        ws.write_string_with_format(2, 0, &heading, &bold)?;
        ws.set_column_width(0, 40)?;
        for (c, h) in head.iter().enumerate() {
            if c > 0 {
                ws.set_column_width(c as u16, 14)?;
            }
            ws.write_string_with_format(4, c as u16, h, &header)?;
        }
        ws.set_row_height(4, 32)?;
        for (r, row) in rows.iter().enumerate() {
            let r = 5 + r as u32;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Value::Text(t) => ws.write_string_with_format(r, c, t, &text)?,
                    Value::Count(n) => ws.write_number_with_format(r, c, *n as f64, &whole)?,
                    Value::Percent(Some(p)) => {
                        ws.write_number_with_format(r, c, (p * 10.0).round() / 10.0, &ratio)?
                    }
                    Value::Percent(None) => ws.write_string_with_format(r, c, "—", &text)?,
                };
            }
        }
        ws.set_freeze_panes(5, 1)?;
        if rows.is_empty() {
            continue;
        }
        let (first, last) = (5u32, 4 + rows.len() as u32);
        let chart = match i {
            // The rates: bars, without the total line.
            0..=2 => bar_chart(
                name,
                &heading,
                first,
                last.saturating_sub(1).max(first),
                5,
                true,
            ),
            3 => {
                let mut chart = Chart::new(ChartType::Line);
                chart.title().set_name(&heading);
                for (col, series) in [(4u16, "Tỷ lệ đúng hạn (%)"), (5, "Tỷ lệ trực tuyến (%)")]
                {
                    chart
                        .add_series()
                        .set_name(series)
                        .set_categories((name, first, 0, last, 0))
                        .set_values((name, first, col, last, col))
                        .set_data_label(ChartDataLabel::new().show_value());
                }
                chart.y_axis().set_min(0).set_max(100);
                chart
            }
            _ => bar_chart(name, &heading, first, last, 2, false),
        };
        let height = 120 + 28 * rows.len() as u32;
        let mut chart = chart;
        chart.set_width(720).set_height(height.clamp(300, 900));
        ws.insert_chart(4, head.len() as u16 + 1, &chart)?;
    }
    book.save_to_buffer()
}

/// A bar chart of column `col` of rows `first..=last`, labelled by column 0, values beside the
/// bars; per cent from 0 to 100 where `percent`.
fn bar_chart(sheet: &str, heading: &str, first: u32, last: u32, col: u16, percent: bool) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name(heading);
    chart
        .add_series()
        .set_name(if percent {
            "Tỷ lệ đúng hạn (%)"
        } else {
            "Quá hạn"
        })
        .set_categories((sheet, first, 0, last, 0))
        .set_values((sheet, first, col, last, col))
        .set_data_label(ChartDataLabel::new().show_value());
    if percent {
        chart.x_axis().set_min(0).set_max(100);
    }
    // The first row at the top, as in the table.
    chart.y_axis().set_reverse();
    chart.legend().set_hidden();
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Issuer;

    pub(crate) fn sample() -> Dashboard {
        let rate = |label: &str, resolved: u64, on_time: u64| Rate {
            label: label.into(),
            received: resolved + 3,
            resolved,
            on_time,
            late: resolved - on_time,
        };
        Dashboard {
            title: ReportTitle {
                issuer: Issuer {
                    parent: "ỦY BAN NHÂN DÂN TỈNH MINH SƠN".into(),
                    agency: "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH".into(),
                    place: "Minh Sơn".into(),
                },
                scope: "Toàn tỉnh".into(),
                period: "Năm 2026 (từ 15/12/2025 đến 14/12/2026)".into(),
                printed_at: 1_790_000_000_000_000,
            },
            total: rate("Tổng cộng", 300, 280),
            online: 120,
            counter_post: 190,
            by_agency: vec![
                rate("Sở Nông nghiệp và Môi trường", 200, 182),
                rate("UBND xã Minh Sơn", 100, 98),
            ],
            by_sector: vec![rate("Đất đai", 150, 130), rate("Hộ tịch", 150, 150)],
            by_level: vec![rate("Cấp tỉnh", 200, 182), rate("Cấp xã", 100, 98)],
            months: (1..=12)
                .map(|m| Month {
                    label: format!("{m:02}/2026"),
                    online: 10 + m,
                    counter_post: 15,
                    resolved: 25,
                    on_time: 20 + m % 5,
                })
                .collect(),
            overdue_now: vec![Overdue {
                label: "Sở Nông nghiệp và Môi trường".into(),
                open: 40,
                overdue: 6,
            }],
            now: 1_790_000_000_000_000,
        }
    }

    #[test]
    fn the_charts_carry_every_figure_as_text() {
        let c = sample().charts();
        assert!(c.by_agency.contains("91% · 200 hồ sơ"), "{}", c.by_agency);
        assert!(c.by_agency.contains("Mục tiêu 90%"));
        assert!(c.by_level.contains("98% · 100 hồ sơ"));
        assert!(c.channels.contains("Trực tuyến: 120"));
        assert!(c.overdue.contains("6 quá hạn / 40 đang giải quyết"));
        assert!(c.months.contains("12/2026"));
    }

    #[test]
    fn the_workbook_opens() {
        // Its charts and cells are checked end to end (LibreOffice reads it) in the HTTP tests.
        let bytes = dashboard_xlsx(&sample()).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }

    #[test]
    fn the_pdf_holds_every_table() {
        let pdf = dashboard_pdf(&sample());
        assert!(pdf.starts_with(b"%PDF"));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/forms");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("dashboard.pdf"), &pdf).unwrap();
        let text = std::process::Command::new("pdftotext")
            .args(["-layout"])
            .arg(dir.join("dashboard.pdf"))
            .arg("-")
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&text.stdout);
        for wanted in [
            "Theo cơ quan",
            "Theo lĩnh vực",
            "Theo tháng",
            "Sở Nông nghiệp và Môi trường",
            "91",
        ] {
            assert!(text.contains(wanted), "{wanted}: {text}");
        }
    }
}
