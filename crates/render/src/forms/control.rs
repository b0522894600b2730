//! The control sheet (Phiếu kiểm soát quá trình giải quyết hồ sơ): a row per hand-over from the
//! event log, each judged against the time the giving step had.

use motcua_calendar::{Finished, Granularity, Instant, deadline};

use super::common::{BODY, SMALL, clock_words, document, field, heading, short_time, title};
use super::{Form, HandOver, Sheet};
use crate::pdf::{Cell, PageSetup, Para, Table};

/// Early, on time or late, by the day, as every other judgement of time in motcua.
pub fn verdict(h: &HandOver) -> &'static str {
    match h
        .due
        .map(|due| deadline::classify_finished(Instant(h.at), Instant(due), Granularity::Day))
    {
        None => "",
        Some(Finished::Early) => "Trước hạn",
        Some(Finished::OnTime) => "Đúng hạn",
        Some(Finished::Late) => "Quá hạn",
    }
}

pub(crate) fn control_sheet(s: &Sheet) -> Result<Vec<u8>, String> {
    let Some(received_at) = s.received_at else {
        return Err(format!(
            "Hồ sơ {} chưa được tiếp nhận nên chưa có Phiếu kiểm soát quá trình giải quyết.",
            s.code
        ));
    };
    let set = s.set();
    let mut doc = document(
        Form::ControlSheet,
        set,
        &format!("Phiếu kiểm soát hồ sơ {}", s.code),
        PageSetup::a4_portrait(),
    );
    heading(&mut doc, &s.issuer, None, s.printed_at);
    title(&mut doc, Form::ControlSheet.title(set));
    doc.para(&Para::new(BODY).regular("Mã hồ sơ: ").bold(&s.code).center());
    doc.para(
        &Para::new(SMALL)
            .italic("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)")
            .center()
            .after(8.0),
    );
    doc.para(&field(
        "Cơ quan (bộ phận) giải quyết hồ sơ",
        &s.deciding_agency,
    ));
    doc.para(&field(
        "Cơ quan phối hợp giải quyết hồ sơ",
        &s.coordinating_agencies.join("; "),
    ));
    doc.para(&field("Kèm theo hồ sơ của", &s.applicant.name));
    doc.para(&field("Nội dung yêu cầu giải quyết", &s.procedure));
    doc.para(&field("Thời gian nhận hồ sơ", &clock_words(received_at)));
    doc.para(&field(
        "Thời gian hẹn trả kết quả",
        &s.due.map(clock_words).unwrap_or_default(),
    ));
    doc.space(4.0);
    let head = |t: &str| Cell::new(Para::new(SMALL).bold(t).center());
    let plain = |t: &str| Cell::new(Para::new(SMALL).regular(t));
    let centred = |t: &str| Cell::new(Para::new(SMALL).regular(t).center());
    let rows: Vec<Vec<Cell>> = s
        .hand_overs
        .iter()
        .enumerate()
        .map(|(i, h)| {
            vec![
                centred(&(i + 1).to_string()),
                plain(&h.agency),
                plain(&format!("{} — {}", h.from, short_time(h.at))),
                plain(&format!("{} — {}", h.to, short_time(h.at))),
                centred(verdict(h)),
                plain(&h.note),
            ]
        })
        .collect();
    doc.table(&Table {
        widths: vec![6.0, 20.0, 22.0, 22.0, 14.0, 16.0],
        header: vec![vec![
            head("TT"),
            head("TÊN CƠ QUAN"),
            head("GIAO (bộ phận, người giao, thời gian)"),
            head("NHẬN (bộ phận, người nhận, thời gian)"),
            head("KẾT QUẢ (Trước hạn/ đúng hạn/ quá hạn)"),
            head("GHI CHÚ"),
        ]],
        rows,
    });
    doc.space(4.0);
    doc.para(&Para::new(SMALL).italic(
        "Ghi chú: Hồ sơ chuyển qua hệ thống điện tử thì thời gian giao và nhận là thời điểm ghi trên \
         hệ thống; trường hợp chuyển qua dịch vụ bưu chính thì thời gian giao, nhận hồ sơ và việc ký \
         nhận thể hiện trong hóa đơn của cơ quan bưu chính.",
    ));
    Ok(doc.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::{Date, Instant};

    fn at(d: u32, h: u16) -> i64 {
        Instant::from_local(Date::from_ymd(2026, 12, d).unwrap(), h * 60).0
    }

    #[test]
    fn a_hand_over_is_early_on_time_or_late() {
        let h = |at, due| HandOver {
            agency: String::new(),
            from: String::new(),
            to: String::new(),
            at,
            due,
            note: String::new(),
        };
        assert_eq!(verdict(&h(at(1, 9), Some(at(2, 17)))), "Trước hạn");
        assert_eq!(verdict(&h(at(2, 9), Some(at(2, 17)))), "Đúng hạn");
        assert_eq!(verdict(&h(at(2, 17), Some(at(2, 16)))), "Đúng hạn");
        assert_eq!(verdict(&h(at(3, 8), Some(at(2, 17)))), "Quá hạn");
        assert_eq!(verdict(&h(at(3, 8), None)), "");
    }
}
