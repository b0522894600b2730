//! The agency's letters to the applicant: Mẫu 04 (apology with the new date; in 2025 also the
//! request to extend) and Mẫu 05 (the stop notice, 2025 set only).

use motcua_calendar::Instant;

use super::common::{
    BODY, clock_words, date_words, document, field, heading, or_blank, recipients, text, title,
};
use super::{Form, FormSet, Sheet};
use crate::pdf::{Block, Column, Doc, PageSetup, Para};

/// "Kính gửi: …" centred under the title.
fn addressee(doc: &mut Doc, name: &str) {
    doc.para(
        &Para::new(BODY)
            .regular("Kính gửi: ")
            .bold(or_blank(name))
            .center()
            .before(4.0)
            .after(8.0),
    );
}

/// Recipients on the left, the head of the agency signing on the right.
fn close(doc: &mut Doc, desk_word: &str) {
    let width = doc.width();
    let desk = format!("- {desk_word} (để theo dõi);");
    doc.space(8.0);
    doc.columns(&[
        Column {
            x: 0.0,
            width: width * 0.45,
            blocks: recipients(&["- Như trên;", &desk, "- Lưu: VT."]),
        },
        Column {
            x: width * 0.45,
            width: width * 0.55,
            blocks: vec![
                Block::Para(Para::new(BODY).bold("THỦ TRƯỞNG CƠ QUAN").center()),
                Block::Para(
                    Para::new(BODY)
                        .italic("(Ký, ghi rõ họ tên và đóng dấu)")
                        .center(),
                ),
            ],
        },
    ]);
}

pub(crate) fn apology(s: &Sheet) -> Result<Vec<u8>, String> {
    let Some(e) = &s.extension else {
        return Err(format!(
            "Hồ sơ {} chưa có đề nghị gia hạn, xin lỗi nào (không bị dự kiến trễ hạn) nên không có văn bản xin lỗi.",
            s.code
        ));
    };
    let set = s.set();
    let mut doc = document(
        Form::Apology,
        set,
        &format!("Văn bản xin lỗi, hồ sơ {}", s.code),
        PageSetup::a4_portrait(),
    );
    heading(&mut doc, &s.issuer, Some("Số: ……/……"), e.at);
    title(&mut doc, Form::Apology.title(set));
    addressee(&mut doc, &s.applicant.name);
    let agency = or_blank(&s.deciding_agency);
    let received = s
        .received_at
        .map(|t| date_words(Instant(t).local_date()))
        .unwrap_or_else(|| "ngày …… tháng …… năm ……".into());
    doc.para(&text(&format!(
        "Ngày {}, {agency} tiếp nhận giải quyết hồ sơ của Ông/Bà {}, mã hồ sơ {}, nội dung yêu cầu \
         giải quyết: {}.",
        received.trim_start_matches("ngày "),
        s.applicant.name,
        s.code,
        s.procedure
    )));
    doc.para(&field(
        "Thời gian hẹn trả kết quả giải quyết hồ sơ",
        &clock_words(e.previous_due),
    ));
    doc.para(&text(&format!(
        "Tuy nhiên đến nay, {agency} dự kiến không trả kết quả giải quyết hồ sơ của Ông/Bà đúng thời \
         hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
    )));
    doc.para(&field("Lý do", &e.reason));
    let promise = match set {
        FormSet::Y2018 => format!(
            "{agency} xin lỗi Ông/Bà vì sự chậm trễ này và hẹn lại thời gian trả kết quả giải quyết \
             hồ sơ vào {}.",
            clock_words(e.due)
        ),
        FormSet::Y2025 => format!(
            "{agency} trân trọng xin lỗi Ông/Bà vì sự chậm trễ này và đề nghị Ông/Bà đồng ý gia hạn \
             thời gian giải quyết hồ sơ đến {}.",
            clock_words(e.due)
        ),
    };
    doc.para(&text(&promise));
    doc.para(&text("Xin trân trọng cảm ơn./."));
    close(&mut doc, set.desk_word());
    Ok(doc.finish())
}

pub(crate) fn stop_notice(s: &Sheet) -> Result<Vec<u8>, String> {
    let Some(stop) = &s.stop else {
        return Err(format!(
            "Hồ sơ {} không bị dừng giải quyết nên không có Thông báo dừng giải quyết hồ sơ.",
            s.code
        ));
    };
    // The 2018 set had no stop notice: it prints with the 2025 one.
    let set = FormSet::Y2025;
    let mut doc = document(
        Form::StopNotice,
        set,
        &format!("Thông báo dừng giải quyết hồ sơ {}", s.code),
        PageSetup::a4_portrait(),
    );
    heading(&mut doc, &s.issuer, Some("Số: ……/TB-……"), stop.at);
    title(&mut doc, Form::StopNotice.title(set));
    addressee(&mut doc, &s.applicant.name);
    match &stop.requested {
        Some((at, reason)) => doc.para(&text(&format!(
            "Ngày {}, {} nhận được đề nghị dừng giải quyết hồ sơ mã số {} ({}) của Ông/Bà, với lý \
             do: {}.",
            date_words(Instant(*at).local_date()).trim_start_matches("ngày "),
            s.desk,
            s.code,
            s.procedure,
            or_blank(reason)
        ))),
        None => doc.para(&text(&format!(
            "{} nhận được đề nghị dừng giải quyết hồ sơ mã số {} ({}) của Ông/Bà.",
            s.desk, s.code, s.procedure
        ))),
    }
    doc.para(&field("Hồ sơ đã được giải quyết đến", &stop.stage));
    doc.para(&text(&format!(
        "Do hồ sơ chưa có kết quả giải quyết, {} dừng giải quyết hồ sơ kể từ {}. Lý do: {}.",
        or_blank(&s.deciding_agency),
        clock_words(stop.at),
        or_blank(&stop.reason)
    )));
    doc.para(&text(&format!(
        "Ông/Bà nhận lại hồ sơ đã nộp tại {}./.",
        s.desk
    )));
    close(&mut doc, set.desk_word());
    Ok(doc.finish())
}
