//! The catalogue workbook: a lossless round trip with the JSON form, every mistake reported at
//! its cell, and check paths mapped to cells.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use motcua_calendar::Policy;
use motcua_domain::catalogue::{Catalogue, Known, LocalConfig, StepAction, WorkflowStep};
use motcua_render::catalogue_xlsx::{self, CellProblem};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const DEMO: &str = include_str!("../../../data/demo/catalogue.json");
const SAMPLE: &str = include_str!("../../domain/tests/data/catalogue_sample.json");

fn catalogue(json: &str) -> Catalogue {
    serde_json::from_str(json).unwrap()
}

fn step(name: &str, role: &str, agency: &str, days: &str, actions: &[StepAction]) -> WorkflowStep {
    WorkflowStep {
        name: name.into(),
        role: role.into(),
        agency: agency.into(),
        days: days.into(),
        actions: actions.to_vec(),
    }
}

/// The demo catalogue, with the fields it does not use filled in somewhere.
fn demo_with_everything() -> Catalogue {
    let mut c = catalogue(DEMO);
    let p = &mut c.procedures[3];
    p.offered_by = vec!["commune".into(), "H99.01.50/Quầy số 3".into()];
    p.publication.law_effective = "2025-07-01".into();
    p.workflow[0].actions = vec![StepAction::Receive, StepAction::HandOver];
    p.workflow_deviation = "Theo Quyết định số 12/QĐ-UBND; bước 2 làm song song".into();
    p.local = vec![
        LocalConfig {
            agency: "H99.06".into(),
            counting: Some(Policy {
                count_receipt_day: true,
                cutoff_applies: false,
            }),
            workflow: vec![
                step("Tiếp nhận", "desk_officer", "H99.06", "0.5", &[]),
                step(
                    "Thẩm định",
                    "processing_officer",
                    "H99.06",
                    "1.25",
                    &[StepAction::Consult, StepAction::RequestSupplement],
                ),
                step("Trả kết quả", "desk_officer", "H99.06", "0", &[]),
            ],
            workflow_deviation: String::new(),
        },
        LocalConfig {
            agency: "H99.21".into(),
            counting: None,
            workflow: vec![step("Xử lý", "approver", "H99.21", "3", &[])],
            workflow_deviation: "Thời hạn riêng".into(),
        },
    ];
    // A one-item list holding ";" stays one item.
    c.procedures[4].keywords = vec!["khai sinh; khai tử".into()];
    c.procedures[5].applicants = vec![
        "Công dân Việt Nam".into(),
        "Người nước ngoài; cư trú".into(),
    ];
    c
}

#[test]
fn the_demo_catalogue_round_trips_exactly() {
    let c = demo_with_everything();
    assert_eq!(c.procedures.len(), 206);
    let bytes = catalogue_xlsx::write(&c).unwrap();
    let parsed = catalogue_xlsx::read(&bytes).unwrap_or_else(|p| panic!("{p:#?}"));
    // Procedure by procedure first, so that a difference shows where it is.
    for (back, original) in parsed.catalogue.procedures.iter().zip(&c.procedures) {
        assert_eq!(back, original);
    }
    assert_eq!(parsed.catalogue, c);
}

#[test]
fn codes_and_dates_are_text_and_numbers_are_numbers() {
    let mut c = catalogue(SAMPLE);
    c.procedures[0].code = "1.009642".into();
    for m in &mut c.procedures[0].methods {
        m.amount = "0.5".into();
    }
    c.procedures[0].workflow[0].days = "0,5".into();
    let book = Grid::open(&catalogue_xlsx::write(&c).unwrap());
    assert_eq!(book.get("Thủ tục", "A2"), &Data::String("1.009642".into()));
    assert_eq!(
        book.get("Thủ tục", "F2"),
        &Data::String("2025-07-20".into())
    );
    assert_eq!(
        book.get("Cách thực hiện", "A2"),
        &Data::String("1.009642".into())
    );
    assert_eq!(book.get("Cách thực hiện", "C2"), &Data::Float(0.5));
    assert_eq!(book.get("Cách thực hiện", "E4"), &Data::Float(2000.0));
    assert_eq!(book.get("Thành phần hồ sơ", "D2"), &Data::Float(1.0));
    assert_eq!(book.get("Quy trình nội bộ", "C3"), &Data::Float(2.0));
    // "0,5" is not a number as written: it stays text, so it reads back the same.
    assert_eq!(
        book.get("Quy trình nội bộ", "G2"),
        &Data::String("0,5".into())
    );
    assert_eq!(book.get("Quy trình nội bộ", "G3"), &Data::Float(2.0));
}

#[test]
fn cells_read_as_a_person_typed_them() {
    let c = catalogue(SAMPLE);
    let mut book = Grid::open(&catalogue_xlsx::write(&c).unwrap());
    // Numbers where text is expected, a real date, a blank row, steps listed out of order.
    book.set("Cách thực hiện", "C2", Data::Float(3.0));
    book.set("Cách thực hiện", "E2", Data::String("0".into()));
    book.set("Cách thực hiện", "E4", Data::String("2.000".into()));
    book.set("Thủ tục", "F3", Data::DateTimeIso("2025-07-20".into()));
    book.insert_blank_row("Thành phần hồ sơ", 3);
    book.set("Quy trình nội bộ", "C2", Data::Float(9.0));
    book.set("Thủ tục", "R2", Data::Bool(true));
    book.set("Thủ tục", "R3", Data::Bool(false));
    let parsed = catalogue_xlsx::read(&book.bytes()).unwrap_or_else(|p| panic!("{p:#?}"));
    let mut expected = c.clone();
    let first = expected.procedures[0].workflow.remove(0);
    expected.procedures[0].workflow.push(first);
    assert_eq!(parsed.catalogue, expected);
    assert_eq!(
        parsed
            .places
            .locate("procedures[0].workflow[3].name")
            .as_deref(),
        Some("Quy trình nội bộ, dòng 2, cột D (Tên bước)")
    );
    assert_eq!(
        parsed
            .places
            .locate("procedures[2].components[1]")
            .as_deref(),
        Some("Thành phần hồ sơ, dòng 6"),
        "the blank row is skipped, not counted"
    );
}

fn problem(sheet: &str, row: u32, letter: &str, header: &str) -> (String, u32, String, String) {
    (sheet.into(), row, letter.into(), header.into())
}

fn places(problems: &[CellProblem]) -> Vec<(String, u32, String, String)> {
    problems
        .iter()
        .map(|p| {
            let (letter, header) = p.column.clone().unwrap_or_default();
            (p.sheet.clone(), p.row.unwrap_or(0), letter, header)
        })
        .collect()
}

#[test]
fn every_mistake_is_reported_at_its_cell() {
    let mut book = Grid::open(&catalogue_xlsx::write(&catalogue(SAMPLE)).unwrap());
    book.set("Thủ tục", "D3", Data::String("tinh".into()));
    book.set("Thủ tục", "R4", Data::String("có lẽ".into()));
    book.set("Cách thực hiện", "B3", Data::String("fax".into()));
    book.set("Cách thực hiện", "D2", Data::String("ngay".into()));
    book.set("Cách thực hiện", "E2", Data::String("năm nghìn".into()));
    book.set("Thành phần hồ sơ", "D4", Data::Float(-1.0));
    book.set("Thành phần hồ sơ", "E5", Data::Float(1.5));
    book.set("Trình tự", "A5", Data::String("9.999999".into()));
    book.set(
        "Quy trình nội bộ",
        "H6",
        Data::String("approve; fly".into()),
    );
    book.set("Quy trình nội bộ", "B10", Data::String("H99.06".into()));
    book.set("Căn cứ pháp lý", "A3", Data::Empty);
    let problems = catalogue_xlsx::read(&book.bytes()).unwrap_err();
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        places(&problems),
        [
            problem("Thủ tục", 3, "D", "Cấp thực hiện"),
            problem("Thủ tục", 4, "R", "Đủ điều kiện trực tuyến toàn trình"),
            problem("Cách thực hiện", 2, "D", "Đơn vị thời hạn"),
            problem("Cách thực hiện", 2, "E", "Phí, lệ phí"),
            problem("Cách thực hiện", 3, "B", "Hình thức nộp"),
            problem("Thành phần hồ sơ", 4, "D", "Số bản chính"),
            problem("Thành phần hồ sơ", 5, "E", "Số bản sao"),
            problem("Trình tự", 5, "A", "Mã thủ tục"),
            problem("Căn cứ pháp lý", 3, "A", "Mã thủ tục"),
            problem("Quy trình nội bộ", 6, "H", "Thao tác được phép"),
            problem("Quy trình nội bộ", 10, "B", "Cơ quan có cấu hình riêng"),
        ],
        "{messages:#?}"
    );
    for expected in [
        "Thủ tục, dòng 3, cột D (Cấp thực hiện): “tinh” không phải mã hợp lệ; dùng một trong: province, commune, district",
        "Cách thực hiện, dòng 2, cột E (Phí, lệ phí): “năm nghìn” không phải số nguyên",
        "Thành phần hồ sơ, dòng 4, cột D (Số bản chính): số bản không được âm (-1)",
        "Thành phần hồ sơ, dòng 5, cột E (Số bản sao): “1.5” không phải số nguyên",
        "Trình tự, dòng 5, cột A (Mã thủ tục): không có thủ tục mã “9.999999” ở sheet Thủ tục",
        "Căn cứ pháp lý, dòng 3, cột A (Mã thủ tục): cần ghi mã thủ tục",
        "Quy trình nội bộ, dòng 10, cột B (Cơ quan có cấu hình riêng): cơ quan “H99.06” chưa có dòng cho thủ tục này ở sheet Cấu hình riêng",
    ] {
        assert!(
            messages.iter().any(|m| m == expected),
            "{expected} missing from {messages:#?}"
        );
    }
    assert!(
        messages.iter().any(|m| m.contains("“fly”")),
        "{messages:#?}"
    );
}

#[test]
fn a_missing_sheet_and_a_missing_column_are_reported() {
    let mut book = Grid::open(&catalogue_xlsx::write(&catalogue(SAMPLE)).unwrap());
    book.remove_sheet("Trình tự");
    book.remove_column("Cách thực hiện", "E");
    book.set("Cách thực hiện", "A1", Data::String("Mã TTHC".into()));
    // A wrong cell elsewhere is still reported alongside.
    book.set("Thủ tục", "Q2", Data::String("mot phan".into()));
    let problems = catalogue_xlsx::read(&book.bytes()).unwrap_err();
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "Thủ tục, dòng 2, cột Q (Dịch vụ công trực tuyến): “mot phan” không phải mã hợp lệ; dùng một trong: full, partial",
            "sheet “Cách thực hiện”: thiếu cột “Mã thủ tục”",
            "sheet “Cách thực hiện”: thiếu cột “Phí, lệ phí”",
            "sheet “Trình tự”: thiếu sheet này (tên sheet phải đúng như mẫu)",
        ]
    );
    assert_eq!(
        catalogue_xlsx::read(b"not a workbook").unwrap_err()[0]
            .to_string()
            .split(':')
            .next(),
        Some("tệp")
    );
}

#[test]
fn check_paths_are_located_at_their_cells() {
    let mut c = catalogue(SAMPLE);
    c.sectors[1].code = "HT".into();
    c.procedures[1].sector = "ZZ".into();
    c.procedures[1].workflow[1].role = "boss".into();
    c.procedures[1].coordinating_agencies = vec!["H99.06".into(), "X1".into()];
    c.procedures[2].methods[0].fee = -5;
    c.procedures[2].local = vec![LocalConfig {
        agency: "H99.06".into(),
        counting: None,
        workflow: vec![step("Chứng thực", "desk_officer", "commune", "ba", &[])],
        workflow_deviation: String::new(),
    }];
    let parsed = catalogue_xlsx::read(&catalogue_xlsx::write(&c).unwrap()).unwrap();
    let problems = parsed.catalogue.check(&Known {
        agency: &|id| id.starts_with("H99"),
        desk: &|_, _| true,
    });
    let located: Vec<(String, Option<String>)> = problems
        .iter()
        .map(|p| (p.path.clone(), parsed.places.locate(&p.path)))
        .collect();
    for (path, place) in [
        ("sectors[1].code", "Lĩnh vực, dòng 3, cột A (Mã lĩnh vực)"),
        (
            "procedures[1].sector",
            "Thủ tục, dòng 3, cột C (Mã lĩnh vực)",
        ),
        (
            "procedures[1].workflow[1].role",
            "Quy trình nội bộ, dòng 7, cột E (Vai trò)",
        ),
        (
            "procedures[1].coordinating_agencies[1]",
            "Thủ tục, dòng 3, cột K (Cơ quan phối hợp)",
        ),
        (
            "procedures[2].methods[0].fee",
            "Cách thực hiện, dòng 4, cột E (Phí, lệ phí)",
        ),
        (
            "procedures[2].local[0].workflow[0].days",
            "Quy trình nội bộ, dòng 11, cột G (Số ngày làm việc)",
        ),
    ] {
        assert!(
            located.contains(&(path.to_string(), Some(place.to_string()))),
            "{path} → {place} missing from {located:#?}"
        );
    }
    let places = &parsed.places;
    assert_eq!(
        places.locate("procedures[0].name").as_deref(),
        Some("Thủ tục, dòng 2, cột B (Tên thủ tục)")
    );
    assert_eq!(
        places.locate("procedures[2].components[1]").as_deref(),
        Some("Thành phần hồ sơ, dòng 5")
    );
    assert_eq!(
        places.locate("procedures[0].workflow").as_deref(),
        Some("Thủ tục, dòng 2, cột U (Lý do quy trình khác thời hạn)")
    );
    assert_eq!(
        places.locate("procedures[2].local[0].agency").as_deref(),
        Some("Cấu hình riêng, dòng 2, cột B (Cơ quan)")
    );
    assert_eq!(places.locate("procedures[9].name"), None);
}

#[test]
fn the_template_is_empty_and_reads_back() {
    let bytes = catalogue_xlsx::template().unwrap();
    let book = Grid::open(&bytes);
    assert_eq!(book.sheets[0].0, "Hướng dẫn");
    assert_eq!(
        book.sheets.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        [
            "Hướng dẫn",
            "Lĩnh vực",
            "Thủ tục",
            "Cách thực hiện",
            "Thành phần hồ sơ",
            "Trình tự",
            "Căn cứ pháp lý",
            "Quy trình nội bộ",
            "Cấu hình riêng",
        ]
    );
    let help: Vec<String> = book.sheets[0]
        .1
        .iter()
        .flatten()
        .filter_map(|d| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for needle in [
        "YYYY-MM-DD",
        "working_days",
        "request_supplement",
        "desk_officer",
        "district",
        "“;”",
    ] {
        assert!(
            help.iter().any(|s| s.contains(needle)),
            "{needle} missing from the instructions"
        );
    }
    let parsed = catalogue_xlsx::read(&bytes).unwrap();
    assert!(parsed.catalogue.procedures.is_empty() && parsed.catalogue.sectors.is_empty());
}

/// A workbook as plain grids of values, edited and written again: how a person's changes are
/// simulated.
struct Grid {
    sheets: Vec<(String, Vec<Vec<Data>>)>,
}

impl Grid {
    fn open(bytes: &[u8]) -> Grid {
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheets = book
            .sheet_names()
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).unwrap();
                let (rows, columns) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
                let grid = (0..rows)
                    .map(|r| {
                        (0..columns)
                            .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                            .collect()
                    })
                    .collect();
                (name, grid)
            })
            .collect();
        Grid { sheets }
    }

    fn sheet(&mut self, name: &str) -> &mut Vec<Vec<Data>> {
        &mut self.sheets.iter_mut().find(|s| s.0 == name).unwrap().1
    }

    fn get(&self, sheet: &str, cell: &str) -> &Data {
        let (r, c) = position(cell);
        &self.sheets.iter().find(|s| s.0 == sheet).unwrap().1[r][c]
    }

    fn set(&mut self, sheet: &str, cell: &str, value: Data) {
        let (r, c) = position(cell);
        let grid = self.sheet(sheet);
        if grid.len() <= r {
            grid.resize(r + 1, Vec::new());
        }
        if grid[r].len() <= c {
            grid[r].resize(c + 1, Data::Empty);
        }
        grid[r][c] = value;
    }

    /// Inserts an empty row before the 1-based `row`.
    fn insert_blank_row(&mut self, sheet: &str, row: usize) {
        self.sheet(sheet).insert(row - 1, Vec::new());
    }

    fn remove_sheet(&mut self, name: &str) {
        self.sheets.retain(|s| s.0 != name);
    }

    fn remove_column(&mut self, sheet: &str, letter: &str) {
        let (_, c) = position(&format!("{letter}1"));
        for row in self.sheet(sheet) {
            if row.len() > c {
                row.remove(c);
            }
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (name, grid) in &self.sheets {
            let ws = book.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in grid.iter().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match value {
                        Data::String(s) => ws.write_string(r, c, s).map(|_| ()),
                        Data::Float(n) => ws.write_number(r, c, *n).map(|_| ()),
                        Data::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                        Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                        Data::DateTimeIso(iso) => {
                            let d = ExcelDateTime::parse_from_str(iso).unwrap();
                            ws.write_datetime_with_format(r, c, d, &date).map(|_| ())
                        }
                        Data::Empty => Ok(()),
                        other => panic!("{other:?} is not written by this test"),
                    }
                    .unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    }
}

/// "E3" as (row, column), both 0-based.
fn position(cell: &str) -> (usize, usize) {
    let split = cell.find(|c: char| c.is_ascii_digit()).unwrap();
    let (letters, digits) = cell.split_at(split);
    let column = letters
        .bytes()
        .fold(0, |n, b| n * 26 + usize::from(b - b'A' + 1));
    (digits.parse::<usize>().unwrap() - 1, column - 1)
}
