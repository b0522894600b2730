//! The province-sized catalogue and the queries both search benchmarks use (the index alone in
//! `motcua-domain`, the whole server in `motcua bench`), so their figures compare.

use motcua_domain::catalogue::Catalogue;

pub const PROCEDURES: usize = 2000;

/// What people type: with and without diacritics, a typo, a code, a prefix, operators and junk,
/// and the empty query (which lists everything).
pub const QUERIES: [&str; 12] = [
    "đăng ký khai sinh",
    "dang ky khai sinh",
    "cap giay phep xay dung",
    "giấy chứng nhận quyền sử dụng đất",
    "chung thuc ban sao",
    "doanh nghiep tu nhann",
    "MS.DD.001",
    "ho kinh doanh",
    "\"ket hon\" OR *",
    "dat",
    "",
    "giay phep lao dong cho nguoi nuoc ngoai",
];

/// The demo catalogue grown to `PROCEDURES`: its 206 procedures repeated with a place in the
/// name and a suffix on the code, every name and code still unique.
pub fn province_sized() -> Catalogue {
    let mut catalogue: Catalogue =
        serde_json::from_str(include_str!("../../../../data/demo/catalogue.json"))
            .expect("the demo catalogue");
    let places = [
        "Minh Sơn",
        "Sơn Hà",
        "Đông Giang",
        "Bình An",
        "Hòn Ngọc",
        "Tân Lập",
        "Phú Xuân",
        "An Thịnh",
        "Yên Lạc",
        "Vĩnh Hòa",
    ];
    let demo = std::mem::take(&mut catalogue.procedures);
    'fill: for (round, place) in places.iter().enumerate() {
        for p in &demo {
            if catalogue.procedures.len() == PROCEDURES {
                break 'fill;
            }
            let mut p = p.clone();
            if round > 0 {
                p.name = format!("{} tại {place}", p.name);
                p.code = format!("{}.{round}", p.code);
            }
            catalogue.procedures.push(p);
        }
    }
    assert_eq!(catalogue.procedures.len(), PROCEDURES);
    catalogue
}
