//! Every form rendered for a sample dossier in both sets: the PDF passes `qpdf --check`, its text
//! (read back with `pdftotext`) holds the values with their diacritics, in NFC, and each page is
//! drawn to PNG with `pdftoppm` beside the PDF in `target/forms/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use motcua_calendar::{Date, Instant};
use motcua_domain::dossier::{Applicant, ReceivedComponent};
use motcua_render::forms::{
    DOSSIER_FORMS, Extension, Form, HandOver, Issuer, Register, RegisterRow, Sheet, Stop,
};

fn at(y: i32, m: u32, d: u32, h: u16, min: u16) -> i64 {
    Instant::from_local(Date::from_ymd(y, m, d).unwrap(), h * 60 + min).0
}

fn sheet(year: i32) -> Sheet {
    let received = at(year, 3, 2, 9, 30);
    Sheet {
        code: format!("H99.31-{:02}0302-0007", year % 100),
        issuer: Issuer {
            parent: "UBND tỉnh Hồng Châu".into(),
            agency: "UBND xã Minh Sơn".into(),
            place: "Minh Sơn".into(),
        },
        desk: "Bộ phận Một cửa UBND xã Minh Sơn".into(),
        deciding_agency: "UBND xã Minh Sơn".into(),
        coordinating_agencies: vec!["Công an xã Minh Sơn".into()],
        procedure: "Đăng ký khai sinh".into(),
        applicant: Applicant {
            kind: "person".into(),
            name: "Nguyễn Thị Hường".into(),
            id_number: "001199012345".into(),
            address: "Thôn Đồng Tâm, xã Minh Sơn, tỉnh Hồng Châu".into(),
            phone: "0912 345 678".into(),
            email: String::new(),
            representative: String::new(),
        },
        components: vec![
            ReceivedComponent {
                name: "Tờ khai đăng ký khai sinh theo mẫu".into(),
                originals: 1,
                copies: 0,
                files: vec!["ab".into()],
            },
            ReceivedComponent {
                name: "Giấy chứng sinh (do cơ sở y tế nơi trẻ sinh ra cấp)".into(),
                originals: 1,
                copies: 1,
                files: vec![],
            },
        ],
        sets: 1,
        legal_time: "01 ngày làm việc".into(),
        submitted_at: received - 600_000_000,
        received_at: Some(received),
        due: Some(at(year, 3, 3, 9, 30)),
        return_place: "Bộ phận Một cửa UBND xã Minh Sơn".into(),
        lookup_url: "http://127.0.0.1:8080/tra-cuu?ma=H99.31-260302-0007".into(),
        lookup_secret: Some("K7Q2M9X4P3TD".into()),
        officer: "Lê Văn Tiếp".into(),
        missing: vec![
            "Giấy chứng sinh bản chính".into(),
            "Bản sao giấy chứng nhận kết hôn của cha mẹ".into(),
        ],
        missing_reason: "Thiếu giấy tờ bắt buộc theo quy định".into(),
        refusal: Some("Thủ tục không thuộc thẩm quyền giải quyết của UBND xã".into()),
        extension: Some(Extension {
            at: at(year, 3, 2, 15, 0),
            reason: "Cần xác minh thông tin nơi sinh với cơ sở y tế".into(),
            previous_due: at(year, 3, 3, 9, 30),
            due: at(year, 3, 5, 9, 30),
        }),
        stop: Some(Stop {
            at: at(year, 3, 3, 8, 0),
            requested: Some((at(year, 3, 2, 16, 0), "Gia đình chuyển nơi cư trú".into())),
            reason: "Theo đề nghị của người nộp hồ sơ".into(),
            stage: "Bước 2: Công chức tư pháp - hộ tịch thẩm định".into(),
        }),
        hand_overs: vec![
            HandOver {
                agency: "Bộ phận Một cửa UBND xã Minh Sơn".into(),
                from: "Tiếp nhận (Lê Văn Tiếp)".into(),
                to: "Thẩm định (Trần Văn Bình)".into(),
                at: at(year, 3, 2, 10, 0),
                due: Some(at(year, 3, 2, 13, 30)),
                note: String::new(),
            },
            HandOver {
                agency: "UBND xã Minh Sơn".into(),
                from: "Thẩm định (Trần Văn Bình)".into(),
                to: "Phê duyệt (Phạm Minh Đức)".into(),
                at: at(year, 3, 3, 8, 0),
                due: Some(at(year, 3, 2, 16, 30)),
                note: "Xác minh nơi sinh".into(),
            },
        ],
        printed_at: at(year, 3, 2, 10, 0),
    }
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/forms");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a poppler or qpdf tool; they are part of the test setup (`.ci/run` installs them).
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for these tests (poppler-utils, qpdf): {e}")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// Writes the PDF, checks it with qpdf, draws its pages and returns its text.
fn check(name: &str, pdf: &[u8]) -> String {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let p = path.to_str().unwrap();
    run("qpdf", &["--check", p]);
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "60",
            p,
            &out_dir().join(name).to_string_lossy(),
        ],
    );
    run("pdftotext", &["-layout", p, "-"])
}

#[test]
fn every_form_in_both_sets_reads_back_its_values() {
    use unicode_normalization::is_nfc;
    for year in [2025, 2026] {
        let s = sheet(year);
        for form in DOSSIER_FORMS {
            let name = format!("{}-{year}", form.slug());
            let text = check(&name, &form.render(&s).unwrap());
            assert!(is_nfc(&text), "{name} is not NFC");
            assert!(text.contains(&s.code), "{name}: the code\n{text}");
            assert!(
                text.contains("Nguyễn Thị Hường"),
                "{name}: the applicant\n{text}"
            );
            assert!(
                text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                "{name}\n{text}"
            );
            let circular = if year == 2025 && form != Form::StopNotice {
                "01/2018"
            } else {
                "03/2025"
            };
            assert!(text.contains(circular), "{name}: {circular}\n{text}");
        }
    }
}

fn pdf_path(name: &str) -> String {
    out_dir()
        .join(format!("{name}.pdf"))
        .to_string_lossy()
        .into_owned()
}

/// The page count and the first page's size in points, from `pdfinfo`.
fn pdfinfo(name: &str) -> (usize, f32, f32) {
    let info = run("pdfinfo", &[&pdf_path(name)]);
    let value = |key: &str| -> &str {
        info.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("pdfinfo has no {key}\n{info}"))
            .trim()
    };
    let pages = value("Pages:").parse().unwrap();
    // "841.89 x 595.28 pts (A4)"
    let size: Vec<f32> = value("Page size:")
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (pages, size[0], size[1])
}

/// The text of one page, laid out.
fn page_text(name: &str, page: usize) -> String {
    let n = page.to_string();
    run(
        "pdftotext",
        &["-layout", "-f", &n, "-l", &n, &pdf_path(name), "-"],
    )
}

/// The text in the order it was drawn (cell by cell, column by column), so that what wraps
/// reads back whole once whitespace is dropped.
fn raw_text(name: &str) -> String {
    run("pdftotext", &["-raw", &pdf_path(name), "-"])
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whitespace runs as one space, so "Email:   ……" reads as "Email: ……".
fn one_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug)]
struct Word {
    page: usize,
    x_min: f32,
    y_min: f32,
    x_max: f32,
    y_max: f32,
    text: String,
}

/// Every word with its box (points from the top left), from `pdftotext -bbox`.
fn words(name: &str) -> Vec<Word> {
    let html = run("pdftotext", &["-bbox", &pdf_path(name), "-"]);
    let attr = |line: &str, key: &str| -> f32 {
        let start = line.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    let mut page = 0;
    let mut out = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if line.starts_with("<word ") {
            let text = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
            out.push(Word {
                page,
                x_min: attr(line, "xMin"),
                y_min: attr(line, "yMin"),
                x_max: attr(line, "xMax"),
                y_max: attr(line, "yMax"),
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            });
        }
    }
    out
}

const A4_WIDTH: f32 = 595.28;
const LEFT: f32 = 30.0 * motcua_render::pdf::MM;
const RIGHT: f32 = 15.0 * motcua_render::pdf::MM;

#[test]
fn a_very_long_name_and_address_wrap_inside_the_margins() {
    let mut s = sheet(2026);
    // 400 characters of words, then one 120-character word with no space to break at.
    let mut name = String::new();
    while name.chars().count() < 400 {
        name.push_str("Nguyễn Thị Hường Ngọc Diệp ");
    }
    let long_word: String = "Trường".repeat(20);
    assert_eq!(long_word.chars().count(), 120);
    name.push_str(&long_word);
    s.applicant.name = name.clone();
    let mut address = String::new();
    while address.chars().count() < 400 {
        address.push_str("Số 12 ngõ 34 đường Lê Lợi, phường Bến Thành, ");
    }
    address.push_str(&"Đồngtâm".repeat(17)); // 119 characters, no space
    s.applicant.address = address.clone();

    for form in [
        Form::Receipt,
        Form::CompletionRequest,
        Form::Refusal,
        Form::ControlSheet,
    ] {
        let file = format!("long-name-{}", form.slug());
        let text = check(&file, &form.render(&s).unwrap());
        let all = words(&file);
        assert!(!all.is_empty(), "{file}: no words");
        for w in &all {
            assert!(
                w.x_min >= LEFT - 1.0 && w.x_max <= A4_WIDTH - RIGHT + 1.0,
                "{file}: {w:?} crosses a margin ({LEFT:.2} … {:.2})",
                A4_WIDTH - RIGHT
            );
        }
        // The whole name reads back, wherever it wrapped or was broken.
        let raw = squeeze(&raw_text(&file));
        assert!(raw.contains(&squeeze(&name)), "{file}: the name\n{text}");
        if form != Form::ControlSheet {
            assert!(
                raw.contains(&squeeze(&address)),
                "{file}: the address\n{text}"
            );
        }
    }

    // On the receipt the applicant's lines wrap short of the QR code beside them.
    let file = "long-name-receipt";
    let all = words(file);
    let qr = 26.0 * motcua_render::pdf::MM;
    let qr_left = A4_WIDTH - RIGHT - qr;
    let captions: Vec<&Word> = all.iter().filter(|w| w.text == "Quét").collect();
    assert_eq!(captions.len(), 2, "one QR caption per copy");
    for caption in captions {
        let (top, bottom) = (caption.y_min - qr - 2.0, caption.y_min);
        for w in all.iter().filter(|w| w.page == caption.page) {
            if w.y_max > top && w.y_min < bottom {
                assert!(w.x_max <= qr_left + 1.0, "{w:?} runs under the QR code");
            }
        }
    }
}

fn numbered_components(n: usize) -> Vec<ReceivedComponent> {
    (1..=n)
        .map(|i| ReceivedComponent {
            name: if i % 3 == 0 {
                format!(
                    "Giấy tờ kèm theo thứ {i:02}: bản sao có chứng thực từ bản chính hoặc bản sao \
                     điện tử có giá trị pháp lý tương đương do cơ quan có thẩm quyền cấp"
                )
            } else {
                format!("Giấy tờ kèm theo thứ {i:02}")
            },
            originals: 1,
            copies: (i % 2) as u32,
            files: vec![],
        })
        .collect()
}

#[test]
fn forty_components_break_over_pages_with_the_header_on_each() {
    let mut s = sheet(2026);
    s.components = numbered_components(40);
    let file = "receipt-40-components";
    let text = check(file, &Form::Receipt.render(&s).unwrap());
    // Every row, in both copies.
    for i in 1..=40 {
        let row = format!("Giấy tờ kèm theo thứ {i:02}");
        assert_eq!(text.matches(&row).count(), 2, "{row}\n{text}");
    }
    let (pages, _, _) = pdfinfo(file);
    let mut with_rows = 0;
    for page in 1..=pages {
        let t = page_text(file, page);
        let Some(first_row) = t.find("Giấy tờ kèm theo thứ") else {
            continue;
        };
        with_rows += 1;
        let header = t.find("Tên giấy tờ, tài liệu");
        assert!(
            header.is_some_and(|h| h < first_row),
            "page {page} of {pages}: rows without the header above them\n{t}"
        );
    }
    // Two copies, each table on more than one page.
    assert!(with_rows >= 4, "{with_rows} pages with rows of {pages}");
    // The second copy starts on a page of its own.
    let copy2 = (1..=pages)
        .find(|&p| page_text(file, p).contains("Liên 2"))
        .unwrap();
    assert!(copy2 > 2, "the second copy starts on page {copy2}");
    assert!(!page_text(file, copy2 - 1).contains("Liên 2"));
}

#[test]
fn missing_optional_fields_print_as_blanks() {
    let mut s = sheet(2026);
    s.applicant.email = String::new();
    s.applicant.phone = String::new();
    s.applicant.address = "   ".into();
    s.applicant.id_number = String::new();
    s.lookup_secret = None;
    s.officer = String::new();
    s.due = None;
    s.components.clear();
    s.coordinating_agencies.clear();
    s.hand_overs.clear();
    s.issuer.parent = String::new();
    s.issuer.place = String::new();
    s.missing_reason = String::new();
    if let Some(stop) = &mut s.stop {
        stop.requested = None;
        stop.reason = String::new();
        stop.stage = String::new();
    }
    if let Some(e) = &mut s.extension {
        e.reason = String::new();
    }
    for form in DOSSIER_FORMS {
        let file = format!("blanks-{}", form.slug());
        let text = check(&file, &form.render(&s).unwrap());
        let flat = one_space(&text);
        for bad in [
            "None", "Some(", "[]", "()", "( )", "{}", "\"\"", ": ;", ": .",
        ] {
            assert!(!flat.contains(bad), "{file}: {bad:?}\n{text}");
        }
        assert!(flat.contains("……"), "{file}: no blank\n{text}");
        assert!(flat.contains(&s.code), "{file}\n{text}");
    }
    // In drawing order: beside the QR code the layout text interleaves its caption.
    check("blanks-receipt", &Form::Receipt.render(&s).unwrap());
    let receipt = one_space(&raw_text("blanks-receipt"));
    for blank in [
        "Số định danh cá nhân/mã số: ……",
        "Địa chỉ: ……",
        "Số điện thoại: ……",
        "Email: ……",
        "mã tra cứu: ……",
        "5. Thời gian trả kết quả giải quyết hồ sơ: ……",
    ] {
        assert!(receipt.contains(blank), "{blank}\n{receipt}");
    }
    check(
        "blanks-control-sheet",
        &Form::ControlSheet.render(&s).unwrap(),
    );
    let control = one_space(&raw_text("blanks-control-sheet"));
    for blank in [
        "Cơ quan phối hợp giải quyết hồ sơ: ……",
        "Thời gian hẹn trả kết quả: ……",
    ] {
        assert!(control.contains(blank), "{blank}\n{control}");
    }
}

#[test]
fn forms_the_story_does_not_allow_are_refused_in_vietnamese() {
    let refused = |form: Form, s: &Sheet| -> String {
        let message = form
            .render(s)
            .expect_err(&format!("{} should be refused", form.slug()));
        assert!(
            message.contains(&s.code),
            "{}: no code in {message}",
            form.slug()
        );
        for debug in ["None", "Some(", "Err(", "{"] {
            assert!(!message.contains(debug), "{}: {message}", form.slug());
        }
        message
    };
    let base = sheet(2026);

    let mut s = base.clone();
    s.extension = None;
    assert!(refused(Form::Apology, &s).contains("không"));
    let mut s = base.clone();
    s.refusal = None;
    assert!(refused(Form::Refusal, &s).contains("không"));
    let mut s = base.clone();
    s.missing.clear();
    assert!(refused(Form::CompletionRequest, &s).contains("không"));
    let mut s = base.clone();
    s.stop = None;
    assert!(refused(Form::StopNotice, &s).contains("không"));
    // Not received yet: "chưa" (not yet) is the Vietnamese negative here.
    let mut s = base.clone();
    s.received_at = None;
    for form in [Form::Receipt, Form::ControlSheet] {
        let message = refused(form, &s);
        assert!(
            message.contains("chưa") || message.contains("không"),
            "{message}"
        );
        assert!(message.contains("tiếp nhận"), "{message}");
    }
    // The register is per desk and date range, never per dossier.
    let message = Form::Register.render(&base).unwrap_err();
    assert!(message.contains("không"), "{message}");
}

fn register(rows: usize) -> Register {
    let s = sheet(2026);
    Register {
        issuer: s.issuer.clone(),
        desk: s.desk.clone(),
        from: Date::from_ymd(2026, 3, 1).unwrap(),
        to: Date::from_ymd(2026, 3, 31).unwrap(),
        rows: (0..rows)
            .map(|i| RegisterRow {
                code: format!("H99.31-2603{:02}-{:04}", i % 28 + 1, i + 1),
                procedure: s.procedure.clone(),
                sets: 1 + (i % 2) as u32,
                applicant: format!("Trần Văn Hùng {i}"),
                contact: format!("{}, {}", s.applicant.address, s.applicant.phone),
                lead_agency: s.deciding_agency.clone(),
                received: s.received_at,
                due: s.due,
                sent: Some(at(2026, 3, 2, 10, 0)),
                result_back: (i % 2 == 0).then(|| at(2026, 3, 3, 8, 0)),
                returned: None,
                note: if i % 5 == 0 {
                    "Trễ hạn".into()
                } else {
                    String::new()
                },
            })
            .collect(),
        printed_at: at(2026, 3, 31, 16, 0),
    }
}

#[test]
fn the_register_prints_landscape_with_its_rows() {
    let r = register(5);
    let file = "register-5";
    let text = check(file, &r.pdf());
    let (pages, w, h) = pdfinfo(file);
    assert_eq!(pages, 1);
    assert!(
        (w - 841.89).abs() < 0.5 && (h - 595.28).abs() < 0.5,
        "{w} x {h}"
    );
    assert!(text.contains("SỔ THEO DÕI HỒ SƠ"), "{text}");
    assert!(text.contains("Mẫu số 07"), "{text}");
    let raw = squeeze(&raw_text(file));
    for row in &r.rows {
        assert!(raw.contains(&row.code), "{}\n{text}", row.code);
        assert!(raw.contains(&squeeze(&row.applicant)), "{}", row.applicant);
    }
    // Nothing crosses the landscape margins (20 mm left, 15 mm right).
    let mm = motcua_render::pdf::MM;
    for word in words(file) {
        assert!(
            word.x_min >= 20.0 * mm - 1.0 && word.x_max <= 841.89 - 15.0 * mm + 1.0,
            "{word:?}"
        );
    }
}

#[test]
fn a_long_register_repeats_its_header_on_every_page() {
    let r = register(60);
    let file = "register-60";
    check(file, &r.pdf());
    let (pages, _, _) = pdfinfo(file);
    assert!(pages >= 2, "60 rows on {pages} page(s)");
    let mut seen = Vec::new();
    for page in 1..=pages {
        let t = page_text(file, page);
        let Some(first) = t.find("Trần Văn Hùng") else {
            continue;
        };
        let header = t.find("Mã hồ sơ");
        let numbers = t.find("(13)");
        assert!(
            header.is_some_and(|h| h < first) && numbers.is_some_and(|n| n < first),
            "page {page} of {pages}: rows without the header\n{t}"
        );
        seen.push(page);
        if page > 1 {
            assert!(t.contains(&page.to_string()), "page {page} unnumbered");
        }
    }
    assert_eq!(seen.len(), pages, "pages without rows: {seen:?} of {pages}");
    let raw = squeeze(&raw_text(file));
    for row in &r.rows {
        assert_eq!(raw.matches(&row.code).count(), 1, "{}", row.code);
    }
}

#[test]
fn the_register_workbook_reads_back() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let r = register(60);
    let bytes = r.xlsx().unwrap();
    std::fs::write(out_dir().join("register-60.xlsx"), &bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 1);
    let range = book.worksheet_range(&sheets[0]).unwrap();
    let cell = |row: u32, col: u32| -> String {
        match range.get_value((row, col)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => f.to_string(),
            Some(Data::Int(i)) => i.to_string(),
            other => format!("{other:?}"),
        }
    };
    assert_eq!(cell(0, 0), "SỔ THEO DÕI HỒ SƠ");
    assert_eq!(cell(1, 0), r.desk);
    assert!(cell(2, 0).contains("năm 2026"), "{}", cell(2, 0));
    let headers: Vec<String> = (0..13).map(|c| cell(4, c)).collect();
    for h in [
        "TT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Hẹn trả kết quả",
        "Ghi chú",
    ] {
        assert!(headers.iter().any(|x| x == h), "{h} in {headers:?}");
    }
    for (i, row) in r.rows.iter().enumerate() {
        let line = 5 + i as u32;
        assert_eq!(cell(line, 0), (i + 1).to_string());
        assert_eq!(cell(line, 1), row.code);
        assert_eq!(cell(line, 3), row.sets.to_string());
        assert_eq!(cell(line, 4), row.applicant);
    }
    assert_eq!(range.height(), 5 + r.rows.len());
}

#[test]
fn decomposed_input_prints_composed() {
    use unicode_normalization::{UnicodeNormalization, is_nfc};
    let nfc = "Nguyễn Thị Hường";
    let nfd: String = nfc.nfd().collect();
    assert_ne!(nfd, nfc, "the fixture is really decomposed");
    let mut s = sheet(2026);
    s.applicant.name = nfd.clone();
    s.applicant.address = s.applicant.address.nfd().collect();
    s.procedure = s.procedure.nfd().collect();
    s.issuer.agency = s.issuer.agency.nfd().collect();
    s.officer = s.officer.nfd().collect();
    for form in DOSSIER_FORMS {
        let file = format!("nfd-{}", form.slug());
        let text = check(&file, &form.render(&s).unwrap());
        assert!(is_nfc(&text), "{file} is not NFC");
        assert!(text.contains(nfc), "{file}: {nfc}\n{text}");
        assert!(text.contains("UBND XÃ MINH SƠN"), "{file}\n{text}");
        assert!(text.contains("Đăng ký khai sinh"), "{file}\n{text}");
    }
    let mut r = register(3);
    r.rows[1].applicant = nfd;
    check("nfd-register", &r.pdf());
    let raw = raw_text("nfd-register");
    assert!(
        is_nfc(&raw) && squeeze(&raw).contains(&squeeze(nfc)),
        "{raw}"
    );
}

#[test]
fn the_2026_receipt_reads_as_before() {
    let text = check(
        "snapshot-receipt-2026",
        &Form::Receipt.render(&sheet(2026)).unwrap(),
    );
    // Trailing spaces depend on the layout tool, not on the form.
    let text: String = text
        .lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect();
    insta::assert_snapshot!("receipt_2026", text);
}

#[test]
fn rendering_is_deterministic() {
    let s = sheet(2026);
    for form in DOSSIER_FORMS {
        assert_eq!(form.render(&s), form.render(&s), "{}", form.slug());
    }
    assert_eq!(register(7).pdf(), register(7).pdf());
}

/// A dossier code and a date are looked for and read as one word: they are never broken inside.
#[test]
fn register_codes_and_dates_are_never_broken() {
    let r = register(3);
    let file = "register-unbroken";
    let text = check(file, &r.pdf());
    for row in &r.rows {
        assert!(text.contains(&row.code), "{}\n{text}", row.code);
    }
    assert!(text.contains("02/03/2026"), "{text}");
}

/// The receipt's QR code, drawn and read back module by module, is the lookup page's.
#[test]
fn the_receipt_qr_code_is_the_lookup_url() {
    let s = sheet(2026);
    let file = "qr-receipt";
    check(file, &Form::Receipt.render(&s).unwrap());
    let caption = words(file)
        .into_iter()
        .find(|w| w.text == "Quét" && w.page == 1)
        .unwrap();
    // 4 pixels a point; the code sits in the right column above its caption.
    let scale = 4.0;
    let qr_left = A4_WIDTH - RIGHT - 26.0 * motcua_render::pdf::MM;
    let (x0, y0) = ((qr_left - 2.0) * scale, (caption.y_min - 80.0) * scale);
    let (w, h) = (80.0 * scale, 80.0 * scale);
    let out = out_dir().join("qr-crop");
    run(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            "288",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-x",
            &(x0 as u32).to_string(),
            "-y",
            &(y0 as u32).to_string(),
            "-W",
            &(w as u32).to_string(),
            "-H",
            &(h as u32).to_string(),
            &pdf_path(file),
            &out.to_string_lossy(),
        ],
    );
    let pgm = std::fs::read(out.with_extension("pgm")).unwrap();
    // "P5\n<w> <h>\n255\n" then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
        at += 1;
    }
    let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &pgm[at..];
    let dark = |x: usize, y: usize| pixels[y * width + x] < 128;
    // The finder patterns mark three corners: the dark pixels' box is the code.
    let (mut left, mut top, mut right, mut bottom) = (width, height, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if dark(x, y) {
                left = left.min(x);
                top = top.min(y);
                right = right.max(x + 1);
                bottom = bottom.max(y + 1);
            }
        }
    }
    let code =
        qrcode::QrCode::with_error_correction_level(&s.lookup_url, qrcode::EcLevel::M).unwrap();
    let n = code.width();
    let colors = code.to_colors();
    let module = (right - left) as f32 / n as f32;
    assert!(
        ((bottom - top) as f32 / n as f32 - module).abs() < 0.1,
        "not square: {left} {top} {right} {bottom}"
    );
    for row in 0..n {
        for col in 0..n {
            let x = left + ((col as f32 + 0.5) * module) as usize;
            let y = top + ((row as f32 + 0.5) * module) as usize;
            assert_eq!(
                dark(x, y),
                colors[row * n + col] == qrcode::Color::Dark,
                "module ({col}, {row}) of {n}"
            );
        }
    }
}

/// Letters outside the common set (a Polish name, Cyrillic, Greek) embed a subset of their own
/// and read back; a letter the face lacks (Chinese) prints as "?" rather than vanishing (and
/// copies as itself where the "?" glyph was first met as that letter).
#[test]
fn uncommon_letters_get_a_subset_of_their_own() {
    let mut s = sheet(2026);
    s.applicant.name = "Łukasz Wójcik Иван Σοφία 王".into();
    let text = check("uncommon-letters", &Form::Receipt.render(&s).unwrap());
    assert!(
        text.contains("Łukasz Wójcik Иван Σοφία ?") || text.contains("Łukasz Wójcik Иван Σοφία 王"),
        "{text}"
    );
    // The other faces still print the common letters.
    assert!(text.contains("Nội dung yêu cầu giải quyết"), "{text}");
}
