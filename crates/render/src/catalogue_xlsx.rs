//! The procedure catalogue as an XLSX workbook that procedure controllers fill in: an instruction
//! sheet, then one sheet per table of the `motcua-catalogue/1` record, each child row naming its
//! procedure by code. `write` and `read` round-trip a catalogue exactly; `read` reports every
//! problem with its sheet, row and column, and `Places` turns the paths of `Catalogue::check`
//! into the cells a person has to fix.

mod read;
mod write;

use std::collections::HashMap;
use std::fmt;

use motcua_calendar::Unit;
use motcua_domain::catalogue::{Catalogue, Channel, Level, Online, STEP_ACTIONS};
use motcua_domain::organisation::ALL_ROLES;

pub use read::read;
pub use write::{template, write};

/// The instruction sheet: read only for the catalogue's note.
pub const HELP: &str = "Hướng dẫn";
/// The label, in column A of the instruction sheet, of the row holding the catalogue's note.
const NOTE_LABEL: &str = "Ghi chú của danh mục";

/// A catalogue read from a workbook, and where each of its fields came from.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub catalogue: Catalogue,
    pub places: Places,
}

/// One problem in a workbook. `row` is 1-based as Excel shows it; a problem with a whole sheet
/// (missing, or missing a column) has no row, and one with the whole file has no sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub sheet: String,
    pub row: Option<u32>,
    /// The column's letter ("E") and header ("Phí, lệ phí").
    pub column: Option<(String, String)>,
    pub message: String,
}

impl CellProblem {
    /// Where the problem is, e.g. "Cách thực hiện, dòng 7, cột E (Phí, lệ phí)".
    pub fn place(&self) -> String {
        match (&self.row, &self.column) {
            _ if self.sheet.is_empty() => "tệp".to_string(),
            (None, _) => format!("sheet “{}”", self.sheet),
            (Some(row), None) => format!("{}, dòng {row}", self.sheet),
            (Some(row), Some((letter, header))) => {
                format!("{}, dòng {row}, cột {letter} ({header})", self.sheet)
            }
        }
    }
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)
    }
}

/// Where each path of the parsed catalogue was read, for reporting `Catalogue::check` problems
/// in a person's terms.
#[derive(Debug, Clone, Default)]
pub struct Places(HashMap<String, Place>);

#[derive(Debug, Clone, Copy)]
struct Place {
    sheet: &'static str,
    row: u32,
    /// Column index (0-based) and header.
    column: Option<(u32, &'static str)>,
}

impl Places {
    /// The place of a check path (`procedures[3].methods[1].fee`), e.g. "Cách thực hiện, dòng 7,
    /// cột E (Phí, lệ phí)". An item of a list cell (`coordinating_agencies[1]`) is its cell.
    pub fn locate(&self, path: &str) -> Option<String> {
        let mut path = path;
        loop {
            if let Some(place) = self.0.get(path) {
                return Some(place.to_string());
            }
            path = path.strip_suffix(']')?.rsplit_once('[')?.0;
        }
    }

    fn insert(&mut self, path: String, place: Place) {
        self.0.entry(path).or_insert(place);
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, dòng {}", self.sheet, self.row)?;
        if let Some((column, header)) = self.column {
            write!(f, ", cột {} ({header})", letter(column))?;
        }
        Ok(())
    }
}

/// A column's letters as Excel shows them: 0 → A, 25 → Z, 26 → AA.
fn letter(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A table sheet: its columns, found again on reading by their header.
struct Sheet {
    name: &'static str,
    about: &'static str,
    columns: &'static [Column],
}

struct Column {
    /// The field's path inside its record (`publication.date`), as `Catalogue::check` names it.
    key: &'static str,
    header: &'static str,
    width: f64,
    kind: Kind,
    about: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Free text, kept exactly as typed.
    Text,
    /// A code or identifier: text, trimmed.
    Id,
    /// YYYY-MM-DD, as text.
    Date,
    /// A decimal amount kept as written ("0.5"): written as a number when that reads back the
    /// same, so a person sees a number.
    Decimal,
    Integer,
    /// Items separated by line breaks or ";".
    List,
    /// có / không.
    Flag,
    /// One code of a fixed list.
    Choice(Codes),
    /// Several codes of a fixed list, as a list.
    Choices(Codes),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Codes {
    Level,
    Channel,
    Unit,
    Online,
    Role,
    Action,
}

/// Every code of a list, with its meaning.
fn codes(codes: Codes) -> Vec<(String, &'static str)> {
    fn pairs<T: serde::Serialize + Copy>(
        items: &[T],
        label: impl Fn(T) -> &'static str,
    ) -> Vec<(String, &'static str)> {
        items.iter().map(|&i| (code_of(i), label(i))).collect()
    }
    match codes {
        Codes::Level => pairs(
            &[Level::Province, Level::Commune, Level::District],
            Level::vietnamese,
        ),
        Codes::Channel => pairs(
            &[Channel::Counter, Channel::Online, Channel::Post],
            |c| match c {
                Channel::Counter => "Nộp trực tiếp",
                Channel::Online => "Nộp trực tuyến",
                Channel::Post => "Qua dịch vụ bưu chính công ích",
            },
        ),
        Codes::Unit => pairs(&Unit::ALL, Unit::vietnamese),
        Codes::Online => pairs(&[Online::Full, Online::Partial], |o| match o {
            Online::Full => "Dịch vụ công trực tuyến toàn trình",
            Online::Partial => "Dịch vụ công trực tuyến một phần",
        }),
        Codes::Role => pairs(&ALL_ROLES, |r| r.vietnamese()),
        Codes::Action => pairs(&STEP_ACTIONS, |a| a.vietnamese()),
    }
}

impl Codes {
    fn title(self) -> &'static str {
        match self {
            Codes::Level => "Mã cấp thực hiện",
            Codes::Channel => "Mã hình thức nộp",
            Codes::Unit => "Mã đơn vị thời hạn",
            Codes::Online => "Mã dịch vụ công trực tuyến",
            Codes::Role => "Mã vai trò",
            Codes::Action => "Mã thao tác",
        }
    }
}

/// The code a value has in the JSON form (`province`, `working_days` …): the same codes in
/// both forms, with no second table to keep in step.
fn code_of<T: serde::Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        other => unreachable!("a code serialises as a string, not {other:?}"),
    }
}

fn from_code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.trim().to_lowercase())).ok()
}

const YES: &str = "có";
const NO: &str = "không";

/// The column of child sheets naming the procedure.
const PROCEDURE: Column = Column {
    key: "procedure",
    header: "Mã thủ tục",
    width: 16.0,
    kind: Kind::Id,
    about: "Mã của thủ tục ở sheet Thủ tục.",
};

const AGENCY_ID: &str =
    "Mã định danh cơ quan (ví dụ H99.06.01), hoặc commune cho Ủy ban nhân dân cấp xã.";

const SECTORS: Sheet = Sheet {
    name: "Lĩnh vực",
    about: "Các lĩnh vực: mã và tên. Cột Mã lĩnh vực của sheet Thủ tục dùng mã ở đây.",
    columns: &[
        Column {
            key: "code",
            header: "Mã lĩnh vực",
            width: 14.0,
            kind: Kind::Id,
            about: "Mã ngắn, không trùng, ví dụ DD.",
        },
        Column {
            key: "name",
            header: "Tên lĩnh vực",
            width: 40.0,
            kind: Kind::Text,
            about: "Ví dụ: Đất đai.",
        },
    ],
};

const PROCEDURES: Sheet = Sheet {
    name: "Thủ tục",
    about: "Mỗi dòng một thủ tục hành chính, với các trường của Cơ sở dữ liệu quốc gia về thủ tục hành chính.",
    columns: &[
        Column {
            key: "code",
            header: "Mã thủ tục",
            width: 16.0,
            kind: Kind::Id,
            about: "Mã trên Cơ sở dữ liệu quốc gia (ví dụ 1.009642), không trùng. Các sheet khác gọi thủ tục bằng mã này.",
        },
        Column {
            key: "name",
            header: "Tên thủ tục",
            width: 50.0,
            kind: Kind::Text,
            about: "Không trùng với thủ tục khác.",
        },
        Column {
            key: "sector",
            header: "Mã lĩnh vực",
            width: 12.0,
            kind: Kind::Id,
            about: "Mã ở sheet Lĩnh vực.",
        },
        Column {
            key: "level",
            header: "Cấp thực hiện",
            width: 14.0,
            kind: Kind::Choice(Codes::Level),
            about: "Mã cấp thực hiện.",
        },
        Column {
            key: "publication.number",
            header: "Quyết định công bố",
            width: 28.0,
            kind: Kind::Text,
            about: "Ví dụ: Quyết định số 1234/QĐ-UBND.",
        },
        Column {
            key: "publication.date",
            header: "Ngày công bố",
            width: 14.0,
            kind: Kind::Date,
            about: "Ngày của quyết định công bố (YYYY-MM-DD); phiên bản nhập vào có hiệu lực từ ngày này.",
        },
        Column {
            key: "publication.law_effective",
            header: "Ngày văn bản pháp luật có hiệu lực",
            width: 16.0,
            kind: Kind::Date,
            about: "Ngày văn bản quy phạm pháp luật làm căn cứ có hiệu lực (YYYY-MM-DD); để trống nếu không biết.",
        },
        Column {
            key: "applicants",
            header: "Đối tượng thực hiện",
            width: 30.0,
            kind: Kind::List,
            about: "Danh sách.",
        },
        Column {
            key: "implementing_agency",
            header: "Cơ quan thực hiện",
            width: 16.0,
            kind: Kind::Id,
            about: AGENCY_ID,
        },
        Column {
            key: "competent_agency",
            header: "Cơ quan có thẩm quyền",
            width: 16.0,
            kind: Kind::Id,
            about: AGENCY_ID,
        },
        Column {
            key: "coordinating_agencies",
            header: "Cơ quan phối hợp",
            width: 18.0,
            kind: Kind::List,
            about: "Danh sách mã định danh cơ quan.",
        },
        Column {
            key: "offered_by",
            header: "Nơi tiếp nhận",
            width: 22.0,
            kind: Kind::List,
            about: "Danh sách: mã định danh cơ quan (commune cho mọi xã), hoặc “mã định danh/tên quầy” cho một quầy. Để trống: các quầy của cơ quan thực hiện.",
        },
        Column {
            key: "receiving",
            header: "Địa chỉ tiếp nhận hồ sơ",
            width: 30.0,
            kind: Kind::Text,
            about: "Như công bố.",
        },
        Column {
            key: "result",
            header: "Kết quả thực hiện",
            width: 30.0,
            kind: Kind::Text,
            about: "Như công bố.",
        },
        Column {
            key: "conditions",
            header: "Yêu cầu, điều kiện",
            width: 30.0,
            kind: Kind::Text,
            about: "Như công bố; để trống nếu không có.",
        },
        Column {
            key: "keywords",
            header: "Từ khóa tìm kiếm",
            width: 24.0,
            kind: Kind::List,
            about: "Danh sách từ người dân hay dùng để tìm thủ tục.",
        },
        Column {
            key: "online",
            header: "Dịch vụ công trực tuyến",
            width: 14.0,
            kind: Kind::Choice(Codes::Online),
            about: "Mã dịch vụ công trực tuyến.",
        },
        Column {
            key: "full_online_eligible",
            header: "Đủ điều kiện trực tuyến toàn trình",
            width: 14.0,
            kind: Kind::Flag,
            about: "có hoặc không (mặc định: không).",
        },
        Column {
            key: "counting.count_receipt_day",
            header: "Tính cả ngày tiếp nhận",
            width: 12.0,
            kind: Kind::Flag,
            about: "có: ngày tiếp nhận là ngày thứ nhất của thời hạn; không (mặc định): tính từ ngày làm việc tiếp theo.",
        },
        Column {
            key: "counting.cutoff_applies",
            header: "Áp dụng giờ chốt nhận hồ sơ",
            width: 12.0,
            kind: Kind::Flag,
            about: "có (mặc định): hồ sơ nhận sau giờ chốt trong ngày tính như nhận vào ngày làm việc tiếp theo.",
        },
        Column {
            key: "workflow_deviation",
            header: "Lý do quy trình khác thời hạn",
            width: 30.0,
            kind: Kind::Text,
            about: "Khi tổng số ngày các bước ở sheet Quy trình nội bộ khác thời hạn giải quyết, ghi lý do ở đây.",
        },
    ],
};

const METHODS: Sheet = Sheet {
    name: "Cách thực hiện",
    about: "Mỗi dòng một cách thực hiện (hình thức nộp, thời hạn, phí) của một thủ tục; mỗi thủ tục cần ít nhất một dòng. Thời hạn giải quyết của thủ tục là thời hạn của cách nộp trực tiếp.",
    columns: &[
        PROCEDURE,
        Column {
            key: "channel",
            header: "Hình thức nộp",
            width: 14.0,
            kind: Kind::Choice(Codes::Channel),
            about: "Mã hình thức nộp.",
        },
        Column {
            key: "amount",
            header: "Thời hạn giải quyết",
            width: 12.0,
            kind: Kind::Decimal,
            about: "Số, theo đơn vị ở cột Đơn vị thời hạn (ví dụ 3 hoặc 0.5); để trống khi đơn vị là same_day.",
        },
        Column {
            key: "unit",
            header: "Đơn vị thời hạn",
            width: 16.0,
            kind: Kind::Choice(Codes::Unit),
            about: "Mã đơn vị thời hạn.",
        },
        Column {
            key: "fee",
            header: "Phí, lệ phí",
            width: 14.0,
            kind: Kind::Integer,
            about: "Số tiền bằng đồng, số nguyên; 0 nếu không thu.",
        },
        Column {
            key: "fee_note",
            header: "Mô tả phí, lệ phí",
            width: 36.0,
            kind: Kind::Text,
            about: "Như công bố.",
        },
        Column {
            key: "description",
            header: "Mô tả",
            width: 40.0,
            kind: Kind::Text,
            about: "Nộp ở đâu, nhận kết quả thế nào.",
        },
    ],
};

const COMPONENTS: Sheet = Sheet {
    name: "Thành phần hồ sơ",
    about: "Mỗi dòng một giấy tờ phải nộp, theo thứ tự dòng; mỗi thủ tục cần ít nhất một dòng.",
    columns: &[
        PROCEDURE,
        Column {
            key: "name",
            header: "Tên giấy tờ",
            width: 50.0,
            kind: Kind::Text,
            about: "Không để trống.",
        },
        Column {
            key: "form",
            header: "Mẫu đơn, tờ khai",
            width: 18.0,
            kind: Kind::Text,
            about: "Tên mẫu (ví dụ Mẫu số 04/ĐK); để trống nếu không có mẫu.",
        },
        Column {
            key: "originals",
            header: "Số bản chính",
            width: 10.0,
            kind: Kind::Integer,
            about: "Số nguyên không âm.",
        },
        Column {
            key: "copies",
            header: "Số bản sao",
            width: 10.0,
            kind: Kind::Integer,
            about: "Số nguyên không âm; số bản chính và bản sao không được cùng bằng 0.",
        },
        Column {
            key: "case",
            header: "Trường hợp",
            width: 30.0,
            kind: Kind::Text,
            about: "Khi nào cần giấy tờ này (ví dụ: Trường hợp ủy quyền); để trống nếu luôn cần.",
        },
    ],
};

const STEPS: Sheet = Sheet {
    name: "Trình tự",
    about: "Trình tự thực hiện như công bố: mỗi dòng một bước, theo thứ tự dòng.",
    columns: &[
        PROCEDURE,
        Column {
            key: "text",
            header: "Nội dung bước",
            width: 100.0,
            kind: Kind::Text,
            about: "Ví dụ: Bước 1: Tổ chức, cá nhân nộp hồ sơ …",
        },
    ],
};

const LEGAL_BASIS: Sheet = Sheet {
    name: "Căn cứ pháp lý",
    about: "Mỗi dòng một văn bản làm căn cứ pháp lý của thủ tục.",
    columns: &[
        PROCEDURE,
        Column {
            key: "number",
            header: "Số, ký hiệu văn bản",
            width: 36.0,
            kind: Kind::Text,
            about: "Ví dụ: Nghị định số 101/2024/NĐ-CP.",
        },
        Column {
            key: "summary",
            header: "Trích yếu",
            width: 50.0,
            kind: Kind::Text,
            about: "Trích yếu nội dung.",
        },
        Column {
            key: "date",
            header: "Ngày ban hành",
            width: 14.0,
            kind: Kind::Date,
            about: "YYYY-MM-DD.",
        },
        Column {
            key: "issuer",
            header: "Cơ quan ban hành",
            width: 20.0,
            kind: Kind::Text,
            about: "Ví dụ: Chính phủ.",
        },
    ],
};

const WORKFLOW: Sheet = Sheet {
    name: "Quy trình nội bộ",
    about: "Các bước xử lý nội bộ, mỗi bước một dòng với số ngày làm việc của bước; tổng số ngày các bước bằng thời hạn giải quyết, hoặc ghi lý do ở cột Lý do quy trình khác thời hạn.",
    columns: &[
        PROCEDURE,
        Column {
            key: "local",
            header: "Cơ quan có cấu hình riêng",
            width: 18.0,
            kind: Kind::Id,
            about: "Để trống cho quy trình chung của tỉnh; ghi mã định danh cơ quan cho quy trình riêng của cơ quan đó (cần một dòng của cơ quan ở sheet Cấu hình riêng).",
        },
        Column {
            key: "order",
            header: "Thứ tự bước",
            width: 8.0,
            kind: Kind::Integer,
            about: "1, 2, 3 …: các bước của một quy trình được xếp theo số này.",
        },
        Column {
            key: "name",
            header: "Tên bước",
            width: 40.0,
            kind: Kind::Text,
            about: "Ví dụ: Thẩm định hồ sơ.",
        },
        Column {
            key: "role",
            header: "Vai trò",
            width: 18.0,
            kind: Kind::Choice(Codes::Role),
            about: "Mã vai trò của người làm bước này.",
        },
        Column {
            key: "agency",
            header: "Cơ quan thực hiện bước",
            width: 16.0,
            kind: Kind::Id,
            about: AGENCY_ID,
        },
        Column {
            key: "days",
            header: "Số ngày làm việc",
            width: 10.0,
            kind: Kind::Decimal,
            about: "Ví dụ 2 hoặc 0.5; bước trả kết quả ghi 0.",
        },
        Column {
            key: "actions",
            header: "Thao tác được phép",
            width: 24.0,
            kind: Kind::Choices(Codes::Action),
            about: "Danh sách mã thao tác; để trống: các thao tác thường dùng của vai trò.",
        },
    ],
};

const LOCAL: Sheet = Sheet {
    name: "Cấu hình riêng",
    about: "Cơ quan tính thời hạn hoặc xử lý một thủ tục khác quy trình chung của tỉnh: mỗi dòng một cơ quan cho một thủ tục; các bước của cơ quan ghi ở sheet Quy trình nội bộ, cột Cơ quan có cấu hình riêng.",
    columns: &[
        PROCEDURE,
        Column {
            key: "agency",
            header: "Cơ quan",
            width: 18.0,
            kind: Kind::Id,
            about: "Mã định danh cơ quan.",
        },
        Column {
            key: "counting.count_receipt_day",
            header: "Tính cả ngày tiếp nhận",
            width: 12.0,
            kind: Kind::Flag,
            about: "có hoặc không; để trống cả hai cột tính thời gian nếu cơ quan tính như thủ tục.",
        },
        Column {
            key: "counting.cutoff_applies",
            header: "Áp dụng giờ chốt nhận hồ sơ",
            width: 12.0,
            kind: Kind::Flag,
            about: "có hoặc không; để trống cả hai cột tính thời gian nếu cơ quan tính như thủ tục.",
        },
        Column {
            key: "workflow_deviation",
            header: "Lý do quy trình khác thời hạn",
            width: 30.0,
            kind: Kind::Text,
            about: "Khi tổng số ngày các bước của cơ quan khác thời hạn giải quyết, ghi lý do.",
        },
    ],
};

/// The table sheets, in workbook order.
const TABLES: [&Sheet; 8] = [
    &SECTORS,
    &PROCEDURES,
    &METHODS,
    &COMPONENTS,
    &STEPS,
    &LEGAL_BASIS,
    &WORKFLOW,
    &LOCAL,
];

impl Sheet {
    fn index(&self, key: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| unreachable!("sheet {} has no column {key}", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_count_like_excel() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(4), "E");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }

    #[test]
    fn every_listed_code_reads_back() {
        for (code, _) in codes(Codes::Level) {
            assert!(from_code::<Level>(&code).is_some(), "{code}");
        }
        for (code, _) in codes(Codes::Unit) {
            assert!(from_code::<Unit>(&code).is_some(), "{code}");
        }
        for (code, _) in codes(Codes::Action) {
            assert!(
                from_code::<motcua_domain::catalogue::StepAction>(&code).is_some(),
                "{code}"
            );
        }
        assert_eq!(from_code::<Channel>(" Post "), Some(Channel::Post));
        assert_eq!(from_code::<Online>("toàn trình"), None);
    }

    #[test]
    fn headers_are_unique_within_a_sheet() {
        for sheet in TABLES {
            let mut headers: Vec<_> = sheet.columns.iter().map(|c| c.header).collect();
            headers.sort();
            headers.dedup();
            assert_eq!(headers.len(), sheet.columns.len(), "{}", sheet.name);
        }
    }

    #[test]
    fn a_list_item_is_its_list_cell() {
        let mut places = Places::default();
        places.insert(
            "procedures[0].coordinating_agencies".into(),
            Place {
                sheet: "Thủ tục",
                row: 2,
                column: Some((10, "Cơ quan phối hợp")),
            },
        );
        assert_eq!(
            places
                .locate("procedures[0].coordinating_agencies[1]")
                .as_deref(),
            Some("Thủ tục, dòng 2, cột K (Cơ quan phối hợp)")
        );
        assert_eq!(places.locate("procedures[1].name"), None);
        assert_eq!(places.locate("format"), None);
    }
}
