//! Every form rendered for a sample dossier in both sets: the PDF passes `qpdf --check`, its text
//! (read back with `pdftotext`) holds the values with their diacritics, in NFC, and each page is
//! drawn to PNG with `pdftoppm` beside the PDF in `target/forms/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use motcua_calendar::{Date, Instant};
use motcua_domain::dossier::{Applicant, ReceivedComponent};
use motcua_render::forms::{DOSSIER_FORMS, Extension, Form, HandOver, Issuer, Sheet, Stop};

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
