//! Catalogue search over a province-sized catalogue: `cargo bench -p motcua-domain`.
//!
//! 2,000 procedures (the 206 of the demo, repeated with varied names and codes), then the mix of
//! queries in `common/province.rs`. Prints p50, p99 and the worst per query, on one thread.

use std::hint::black_box;
use std::time::Instant;

use motcua_domain::search::{Entry, Index, Query};

#[path = "common/province.rs"]
mod province;
use province::{QUERIES, province_sized};

fn main() {
    let catalogue = province_sized();
    let sector_names: std::collections::BTreeMap<&str, &str> = catalogue
        .sectors
        .iter()
        .map(|s| (s.code.as_str(), s.name.as_str()))
        .collect();
    let entries = catalogue
        .procedures
        .iter()
        .map(|p| {
            let text = p.search_text(sector_names[p.sector.as_str()], &[]);
            Entry::new(
                &p.code,
                &p.name,
                &p.sector,
                p.level,
                p.online,
                vec![p.implementing_agency.clone()],
                &text,
            )
        })
        .collect();
    let index = Index::new(entries);
    let queries = QUERIES;
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
