//! What the desk hands across the counter: Mẫu 01 (receipt and appointment, in two copies),
//! Mẫu 02 (what to complete or supplement) and Mẫu 03 (refusal).

use super::common::{
    BLANK, BODY, SMALL, clock_words, document, field, form_label, heading, or_blank,
    or_short_blank, signatures, text, title,
};
use super::{Form, Sheet};
use crate::pdf::{Block, Cell, Column, Doc, MM, PageSetup, Para, Table};

/// The applicant's lines, as every counter form starts.
fn applicant_lines(s: &Sheet) -> Vec<Para> {
    let a = &s.applicant;
    let name = if a.representative.trim().is_empty() {
        a.name.clone()
    } else {
        format!("{} (người đại diện: {})", a.name, a.representative)
    };
    vec![
        field("Tiếp nhận hồ sơ của", &name),
        field("Số định danh cá nhân/mã số", &a.id_number),
        field("Địa chỉ", &a.address),
        Para::new(BODY)
            .regular("Số điện thoại: ")
            .span(style_of(&a.phone), or_short_blank(&a.phone))
            .regular("     Email: ")
            .span(style_of(&a.email), or_short_blank(&a.email))
            .after(2.0),
        field("Nội dung yêu cầu giải quyết", &s.procedure),
    ]
}

fn paras(doc: &mut Doc, paras: &[Para]) {
    for p in paras {
        doc.para(p);
    }
}

fn style_of(value: &str) -> crate::pdf::Style {
    if value.trim().is_empty() {
        crate::pdf::Style::Regular
    } else {
        crate::pdf::Style::Bold
    }
}

fn header_cell(text: &str) -> Cell {
    Cell::new(Para::new(SMALL).bold(text).center())
}

fn cell(text: &str) -> Cell {
    Cell::new(Para::new(SMALL).regular(text))
}

fn centred(text: &str) -> Cell {
    Cell::new(Para::new(SMALL).regular(text).center())
}

pub(crate) fn receipt(s: &Sheet) -> Result<Vec<u8>, String> {
    let Some(received_at) = s.received_at else {
        return Err(format!(
            "Hồ sơ {} chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            s.code
        ));
    };
    let set = s.set();
    let mut doc = document(
        Form::Receipt,
        set,
        &format!("Giấy tiếp nhận hồ sơ {}", s.code),
        PageSetup::a4_portrait(),
    );
    for (i, copy) in [
        format!("Liên 1: Lưu tại {}", set.desk_word()),
        "Liên 2: Giao người nộp hồ sơ".to_string(),
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            doc.new_copy();
            form_label(&mut doc, Form::Receipt, set);
        }
        heading(&mut doc, &s.issuer, None, received_at);
        title(&mut doc, Form::Receipt.title(set));
        doc.para(&Para::new(BODY).regular("Mã hồ sơ: ").bold(&s.code).center());
        doc.para(
            &Para::new(SMALL)
                .italic(&format!("({copy})"))
                .center()
                .after(8.0),
        );
        // The applicant's lines beside the QR code of the lookup page.
        let width = doc.width();
        let qr = 26.0 * MM;
        doc.columns(&[
            Column {
                x: 0.0,
                width: width - qr - 6.0,
                blocks: std::iter::once(field(set.desk_word(), &s.desk))
                    .chain(applicant_lines(s))
                    .map(Block::Para)
                    .collect(),
            },
            Column {
                x: width - qr,
                width: qr,
                blocks: vec![
                    Block::Qr(s.lookup_url.clone(), qr),
                    Block::Para(Para::new(9.0).italic("Quét để tra cứu").center()),
                ],
            },
        ]);
        doc.para(
            &Para::new(BODY)
                .regular("1. Thành phần hồ sơ nộp gồm:")
                .after(2.0),
        );
        let mut rows: Vec<Vec<Cell>> = s
            .components
            .iter()
            .enumerate()
            .map(|(n, c)| {
                vec![
                    centred(&(n + 1).to_string()),
                    cell(&c.name),
                    centred(&c.originals.to_string()),
                    centred(&c.copies.to_string()),
                    centred(&if c.files.is_empty() {
                        String::new()
                    } else {
                        c.files.len().to_string()
                    }),
                ]
            })
            .collect();
        if rows.is_empty() {
            rows.push(vec![
                centred("1"),
                cell(BLANK),
                centred(""),
                centred(""),
                centred(""),
            ]);
        }
        doc.table(&Table {
            widths: vec![8.0, 62.0, 11.0, 11.0, 11.0],
            header: vec![vec![
                header_cell("TT"),
                header_cell("Tên giấy tờ, tài liệu"),
                header_cell("Bản chính"),
                header_cell("Bản sao"),
                header_cell("Bản điện tử"),
            ]],
            rows,
        });
        doc.space(4.0);
        doc.para(
            &Para::new(BODY)
                .regular("2. Số lượng hồ sơ: ")
                .bold(&format!("{:02}", s.sets))
                .regular(" (bộ)")
                .after(2.0),
        );
        doc.para(&field(
            "3. Thời gian giải quyết hồ sơ theo quy định là",
            &s.legal_time,
        ));
        doc.para(&field("4. Thời gian nhận hồ sơ", &clock_words(received_at)));
        doc.para(&field(
            "5. Thời gian trả kết quả giải quyết hồ sơ",
            &s.due.map(clock_words).unwrap_or_default(),
        ));
        doc.para(&field("6. Đăng ký nhận kết quả tại", &s.return_place));
        doc.para(
            &Para::new(BODY)
                .regular("7. Tra cứu tình trạng hồ sơ tại ")
                .bold(&s.lookup_url)
                .regular(", mã tra cứu: ")
                .span(
                    style_of(s.lookup_secret.as_deref().unwrap_or_default()),
                    or_blank(s.lookup_secret.as_deref().unwrap_or_default()),
                )
                .after(4.0),
        );
        doc.para(
            &Para::new(BODY)
                .regular("Vào Sổ theo dõi hồ sơ, Quyển số: ………… Số thứ tự: …………")
                .after(4.0),
        );
        signatures(
            &mut doc,
            &[
                (
                    "NGƯỜI NỘP HỒ SƠ",
                    "(Ký và ghi rõ họ tên)",
                    &s.applicant.name,
                ),
                ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", &s.officer),
            ],
        );
        doc.space(6.0);
        doc.para(&Para::new(SMALL).bold("Ghi chú:"));
        doc.para(&Para::new(SMALL).regular(&format!(
            "- Giấy tiếp nhận và hẹn trả kết quả được lập thành 2 liên; một liên chuyển kèm theo Phiếu \
             kiểm soát quá trình giải quyết hồ sơ và được lưu tại {}; một liên giao cho cá nhân, tổ \
             chức nộp hồ sơ;",
            set.desk_word()
        )));
        doc.para(&Para::new(SMALL).regular(&format!(
            "- Cá nhân, tổ chức có thể đăng ký nhận kết quả tại {} hoặc tại nhà (trụ sở tổ chức) qua \
             dịch vụ bưu chính.",
            set.desk_word()
        )));
    }
    Ok(doc.finish())
}

pub(crate) fn completion_request(s: &Sheet) -> Result<Vec<u8>, String> {
    if s.missing.is_empty() {
        return Err(format!(
            "Hồ sơ {} chưa có yêu cầu bổ sung, hoàn thiện nào nên không có Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
            s.code
        ));
    }
    let set = s.set();
    let mut doc = document(
        Form::CompletionRequest,
        set,
        &format!("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {}", s.code),
        PageSetup::a4_portrait(),
    );
    heading(&mut doc, &s.issuer, Some("Số: ……/HDHS"), s.printed_at);
    title(&mut doc, Form::CompletionRequest.title(set));
    doc.para(
        &Para::new(BODY)
            .regular("Mã hồ sơ: ")
            .bold(&s.code)
            .center()
            .after(8.0),
    );
    paras(&mut doc, &applicant_lines(s));
    doc.para(
        &Para::new(BODY)
            .regular("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:")
            .after(2.0),
    );
    doc.table(&Table {
        widths: vec![8.0, 92.0],
        header: vec![vec![
            header_cell("TT"),
            header_cell("Nội dung cần bổ sung, hoàn thiện"),
        ]],
        rows: s
            .missing
            .iter()
            .enumerate()
            .map(|(n, m)| vec![centred(&(n + 1).to_string()), cell(m)])
            .collect(),
    });
    doc.space(4.0);
    doc.para(&field("Lý do", &s.missing_reason));
    doc.para(&text(&format!(
        "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với {} tại {} để được \
         hướng dẫn./.",
        or_blank(&s.officer),
        s.desk
    )));
    signatures(
        &mut doc,
        &[("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", &s.officer)],
    );
    Ok(doc.finish())
}

pub(crate) fn refusal(s: &Sheet) -> Result<Vec<u8>, String> {
    let Some(reasons) = &s.refusal else {
        return Err(format!(
            "Hồ sơ {} không bị từ chối tiếp nhận nên không có Phiếu từ chối.",
            s.code
        ));
    };
    let set = s.set();
    let mut doc = document(
        Form::Refusal,
        set,
        &format!("Phiếu từ chối tiếp nhận hồ sơ {}", s.code),
        PageSetup::a4_portrait(),
    );
    heading(&mut doc, &s.issuer, None, s.printed_at);
    title(&mut doc, Form::Refusal.title(set));
    doc.para(
        &Para::new(BODY)
            .regular("Mã hồ sơ: ")
            .bold(&s.code)
            .center()
            .after(8.0),
    );
    doc.para(&field(set.desk_word(), &s.desk));
    paras(&mut doc, &applicant_lines(s));
    doc.para(&text(&format!(
        "Sau khi nghiên cứu, đối chiếu với các quy định hiện hành, {} thông báo không tiếp nhận, \
         giải quyết hồ sơ này với lý do cụ thể như sau:",
        s.desk
    )));
    for line in reasons.lines().filter(|l| !l.trim().is_empty()) {
        doc.para(
            &Para::new(BODY)
                .bold(line.trim())
                .indent(10.0 * MM)
                .after(2.0),
        );
    }
    doc.para(&text("Xin thông báo cho Ông/Bà được biết và thực hiện./."));
    signatures(
        &mut doc,
        &[("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", &s.officer)],
    );
    Ok(doc.finish())
}
