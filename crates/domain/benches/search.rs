//! Catalogue search over a province-sized catalogue: `cargo bench -p motcua-domain`.
//!
//! 2,000 procedures (the 206 of the demo, repeated with varied names, codes and keywords), then
//! a mix of queries people type: with and without diacritics, a typo, a code, a prefix, junk, and
//! the empty query. Prints p50, p99 and the worst per query, on one thread.

use std::hint::black_box;
use std::time::Instant;

use motcua_domain::catalogue::Catalogue;
use motcua_domain::search::{Entry, Index, Query};

fn main() {
    let demo: Catalogue = serde_json::from_str(include_str!("../../../data/demo/catalogue.json"))
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
    let mut entries = Vec::new();
    'fill: for (round, place) in places.iter().enumerate() {
        for p in &demo.procedures {
            if entries.len() == 2000 {
                break 'fill;
            }
            let name = if round == 0 {
                p.name.clone()
            } else {
                format!("{} tại {place}", p.name)
            };
            let code = format!("{}.{round}", p.code);
            let text = format!("{name} {code} {} {}", p.sector, p.keywords.join(" "));
            entries.push(Entry::new(
                &code,
                &name,
                &p.sector,
                p.level,
                p.online,
                vec![p.implementing_agency.clone()],
                &text,
            ));
        }
    }
    let index = Index::new(entries);
    let queries = [
        "đăng ký khai sinh",
        "dang ky khai sinh",
        "cap giay phep xay dung",
        "giấy chứng nhận quyền sử dụng đất",
        "chung thuc ban sao",
        "doanh nghiep tu nhann",
        "MS.DD.001.0",
        "ho kinh doanh",
        "\"ket hon\" OR *",
        "dat",
        "",
        "giay phep lao dong cho nguoi nuoc ngoai",
    ];
    let rounds = 200;
    let mut times = Vec::with_capacity(rounds * queries.len());
    let mut found = 0usize;
    for _ in 0..rounds {
        for q in &queries {
            let start = Instant::now();
            let hits = index.search(&Query {
                text: black_box(q),
                ..Query::default()
            });
            found += hits.entries.len();
            times.push(start.elapsed());
        }
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "catalogue search, {} procedures, {} queries: p50 {:.3} ms, p99 {:.3} ms, worst {:.3} ms ({} hits in all)",
        index.len(),
        times.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
        found
    );
}
