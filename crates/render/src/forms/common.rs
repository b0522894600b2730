//! What every form shares: the national heading, the title, labelled lines with blanks to fill by
//! hand where a value is missing, signature blocks, and dates written as official papers write
//! them.

use motcua_calendar::{Date, Instant};

use super::{Form, FormSet, Issuer};
use crate::pdf::{Align, Block, Column, Doc, MM, PageSetup, Para};

pub(crate) const BODY: f32 = 13.0;
pub(crate) const SMALL: f32 = 12.0;
/// A blank to fill by hand.
pub(crate) const BLANK: &str = "………………………";
/// A blank for a value that shares its line with another.
pub(crate) const SHORT_BLANK: &str = "…………………";

/// A value, or a blank where there is none.
pub(crate) fn or_blank(value: &str) -> &str {
    if value.trim().is_empty() {
        BLANK
    } else {
        value
    }
}

/// A value, or a short blank where there is none.
pub(crate) fn or_short_blank(value: &str) -> &str {
    if value.trim().is_empty() {
        SHORT_BLANK
    } else {
        value
    }
}

/// Day numbers under 10 and the months January and February take a leading zero (Decree
/// 30/2020, Annex I).
pub(crate) fn date_words(date: Date) -> String {
    let (y, m, d) = date.ymd();
    let month = if m <= 2 {
        format!("{m:02}")
    } else {
        m.to_string()
    };
    format!("ngày {d:02} tháng {month} năm {y}")
}

/// "09 giờ 30 phút, ngày 01 tháng 12 năm 2026".
pub(crate) fn clock_words(micros: i64) -> String {
    let (date, minute, _) = Instant(micros).to_local();
    format!(
        "{:02} giờ {:02} phút, {}",
        minute / 60,
        minute % 60,
        date_words(date)
    )
}

/// "09:30 01/12/2026".
pub(crate) fn short_time(micros: i64) -> String {
    let (date, minute, _) = Instant(micros).to_local();
    format!("{:02}:{:02} {}", minute / 60, minute % 60, date.vn())
}

/// A new document with the set's form number in the top right corner.
pub(crate) fn document(form: Form, set: FormSet, title: &str, setup: PageSetup) -> Doc {
    let mut doc = Doc::new(setup, title);
    form_label(&mut doc, form, set);
    doc
}

/// "Mẫu số 01 – Thông tư …" in the top right corner, as each copy of a form starts.
pub(crate) fn form_label(doc: &mut Doc, form: Form, set: FormSet) {
    let (number, set) = form.number(set);
    doc.para(
        &Para::new(10.0)
            .italic(&format!("Mẫu số {number:02} – {}", set.circular()))
            .align(Align::Right)
            .after(2.0),
    );
}

/// The heading: the issuer on the left (with the paper's number when it has one), the national
/// motto on the right with the place and date below.
pub(crate) fn heading(doc: &mut Doc, issuer: &Issuer, number: Option<&str>, dated: i64) {
    let width = doc.width();
    let left_w = width * 0.42;
    let mut left = Vec::new();
    if !issuer.parent.trim().is_empty() {
        left.push(Block::Para(
            Para::new(SMALL)
                .regular(&issuer.parent.to_uppercase())
                .center(),
        ));
    }
    left.push(Block::Para(
        Para::new(SMALL)
            .bold(&issuer.agency.to_uppercase())
            .center(),
    ));
    left.push(Block::Rule(18.0 * MM));
    if let Some(n) = number {
        left.push(Block::Para(Para::new(BODY).regular(n).center().before(2.0)));
    }
    let place = if issuer.place.trim().is_empty() {
        "……"
    } else {
        issuer.place.as_str()
    };
    let right = vec![
        Block::Para(
            Para::new(SMALL)
                .bold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
                .center(),
        ),
        Block::Para(Para::new(BODY).bold("Độc lập - Tự do - Hạnh phúc").center()),
        Block::Rule(58.0 * MM),
        Block::Para(
            Para::new(BODY)
                .italic(&format!(
                    "{place}, {}",
                    date_words(Instant(dated).local_date())
                ))
                .center()
                .before(4.0),
        ),
    ];
    doc.columns(&[
        Column {
            x: 0.0,
            width: left_w,
            blocks: left,
        },
        Column {
            x: left_w,
            width: width - left_w,
            blocks: right,
        },
    ]);
    doc.space(8.0);
}

pub(crate) fn title(doc: &mut Doc, text: &str) {
    doc.para(&Para::new(14.0).bold(text).center().after(2.0));
}

/// "Label: value" with the value in bold, or a blank to fill.
pub(crate) fn field(label: &str, value: &str) -> Para {
    let para = Para::new(BODY).regular(&format!("{label}: "));
    if value.trim().is_empty() {
        para.regular(BLANK)
    } else {
        para.bold(value)
    }
    .after(2.0)
}

/// Plain running text, both edges straight.
pub(crate) fn text(body: &str) -> Para {
    Para::new(BODY)
        .regular(body)
        .align(Align::Justify)
        .indent(10.0 * MM)
        .after(3.0)
}

/// Signature blocks side by side: a capital caption, the instruction in italics, room to sign,
/// and the name when it is known.
pub(crate) fn signatures(doc: &mut Doc, blocks: &[(&str, &str, &str)]) {
    let width = doc.width();
    let n = blocks.len().max(1) as f32;
    let w = width / n;
    // A lone signature stands on the right, as on official papers.
    let offset = if blocks.len() == 1 { width / 2.0 } else { 0.0 };
    let w = if blocks.len() == 1 { width / 2.0 } else { w };
    let columns: Vec<Column> = blocks
        .iter()
        .enumerate()
        .map(|(i, (caption, how, name))| Column {
            x: offset + w * i as f32,
            width: w,
            blocks: vec![
                Block::Para(Para::new(BODY).bold(caption).center()),
                Block::Para(Para::new(BODY).italic(how).center()),
                Block::Space(44.0),
                Block::Para(Para::new(BODY).bold(name).center()),
            ],
        })
        .collect();
    doc.space(8.0);
    doc.columns(&columns);
}

/// "Nơi nhận:" with its lines, on the left.
pub(crate) fn recipients(lines: &[&str]) -> Vec<Block> {
    let mut blocks = vec![Block::Para(Para::new(SMALL).bold("Nơi nhận:"))];
    for l in lines {
        blocks.push(Block::Para(Para::new(11.0).regular(l)));
    }
    blocks
}
