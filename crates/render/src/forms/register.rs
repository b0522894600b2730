//! A desk's register (Sổ theo dõi hồ sơ) over a date range: a line per dossier received, with the
//! dates it was received, due, sent to the deciding agency, back with a result, and returned. As
//! a landscape PDF to print and sign, and as a workbook.

use motcua_calendar::Date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use unicode_normalization::UnicodeNormalization;

use super::common::{SMALL, date_words, document, heading, short_time};
use super::{Form, FormSet, Issuer};
use crate::pdf::{Cell, PageSetup, Para, Table};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub code: String,
    pub procedure: String,
    pub sets: u32,
    pub applicant: String,
    /// Address and phone.
    pub contact: String,
    pub lead_agency: String,
    pub received: Option<i64>,
    pub due: Option<i64>,
    /// Handed on from the desk to the deciding agency.
    pub sent: Option<i64>,
    /// The result came back (decided).
    pub result_back: Option<i64>,
    pub returned: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub issuer: Issuer,
    pub desk: String,
    pub from: Date,
    pub to: Date,
    pub rows: Vec<RegisterRow>,
    pub printed_at: i64,
}

const HEADERS: [&str; 13] = [
    "TT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả",
    "Ghi chú",
];

fn when(t: Option<i64>) -> String {
    t.map(short_time).unwrap_or_default()
}

impl Register {
    /// The set in force at the end of the range.
    pub fn set(&self) -> FormSet {
        FormSet::on(self.to)
    }

    fn period(&self) -> String {
        format!("Từ {} đến {}", date_words(self.from), date_words(self.to))
    }

    fn cells(&self) -> Vec<[String; 13]> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                [
                    (i + 1).to_string(),
                    r.code.clone(),
                    r.procedure.clone(),
                    r.sets.to_string(),
                    r.applicant.clone(),
                    r.contact.clone(),
                    r.lead_agency.clone(),
                    when(r.received),
                    when(r.due),
                    when(r.sent),
                    when(r.result_back),
                    when(r.returned),
                    r.note.clone(),
                ]
            })
            .collect()
    }

    pub fn pdf(&self) -> Vec<u8> {
        let set = self.set();
        let mut doc = document(
            Form::Register,
            set,
            &format!("Sổ theo dõi hồ sơ, {}", self.desk),
            PageSetup::a4_landscape(),
        );
        heading(&mut doc, &self.issuer, None, self.printed_at);
        doc.para(&Para::new(14.0).bold(Form::Register.title(set)).center());
        doc.para(&Para::new(13.0).bold(&self.desk).center());
        doc.para(&Para::new(13.0).italic(&self.period()).center().after(8.0));
        let head = |t: &str| Cell::new(Para::new(10.0).bold(t).center());
        let header: Vec<Cell> = HEADERS.iter().map(|h| head(h)).collect();
        let numbers: Vec<Cell> = (1..=13).map(|n| head(&format!("({n})"))).collect();
        let rows: Vec<Vec<Cell>> = self
            .cells()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let p = Para::new(9.5).regular(t);
                        Cell::new(if matches!(i, 0 | 3) { p.center() } else { p })
                    })
                    .collect()
            })
            .collect();
        let empty = rows.is_empty();
        doc.table(&Table {
            widths: vec![
                3.5, 14.5, 12.0, 5.0, 10.0, 9.5, 9.0, 7.5, 7.5, 7.5, 7.5, 7.5, 5.0,
            ],
            header: vec![header, numbers],
            rows,
        });
        if empty {
            doc.para(
                &Para::new(SMALL)
                    .italic("Không có hồ sơ nào được tiếp nhận trong khoảng thời gian này.")
                    .before(6.0),
            );
        }
        doc.finish()
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("So theo doi ho so")?;
        let title = Format::new().set_bold().set_font_size(14);
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin);
        let text = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_num_format("@");
        let number = Format::new()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        ws.write_string_with_format(0, 0, Form::Register.title(self.set()), &title)?;
        ws.write_string(1, 0, self.desk.nfc().collect::<String>())?;
        ws.write_string(2, 0, self.period())?;
        let widths = [
            5.0, 20.0, 40.0, 9.0, 24.0, 30.0, 24.0, 17.0, 17.0, 17.0, 17.0, 17.0, 20.0,
        ];
        for (c, (h, w)) in HEADERS.iter().zip(widths).enumerate() {
            ws.set_column_width(c as u16, w)?;
            ws.write_string_with_format(4, c as u16, *h, &header)?;
        }
        ws.set_freeze_panes(5, 2)?;
        for (i, row) in self.cells().iter().enumerate() {
            let r = 5 + i as u32;
            ws.write_number_with_format(r, 0, (i + 1) as f64, &number)?;
            for (c, value) in row.iter().enumerate().skip(1) {
                if c == 3 {
                    ws.write_number_with_format(r, 3, f64::from(self.rows[i].sets), &number)?;
                } else {
                    let value: String = value.nfc().collect();
                    ws.write_string_with_format(r, c as u16, &value, &text)?;
                }
            }
        }
        book.save_to_buffer()
    }
}
