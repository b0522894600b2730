//! How fast the one-stop forms render on one thread: Mẫu 01 (the receipt, two copies), the
//! control sheet and a 500-row register. Each runs for `BENCH_SECONDS` (5 by default) and prints
//! forms per second, mean and p99 milliseconds per form, and the size of the PDF.
//!
//! `cargo bench -p motcua-render --bench forms`

use std::hint::black_box;
use std::time::{Duration, Instant as Clock};

use motcua_calendar::{Date, Instant};
use motcua_domain::dossier::{Applicant, ReceivedComponent};
use motcua_render::forms::{Form, HandOver, Issuer, Register, RegisterRow, Sheet};

fn at(d: u32, h: u16, min: u16) -> i64 {
    Instant::from_local(Date::from_ymd(2026, 3, d).unwrap(), h * 60 + min).0
}

fn sheet() -> Sheet {
    let component = |name: &str, originals, copies| ReceivedComponent {
        name: name.into(),
        originals,
        copies,
        files: vec!["f".into()],
    };
    let hand_over = |from: &str, to: &str, h| HandOver {
        agency: "UBND xã Minh Sơn".into(),
        from: from.into(),
        to: to.into(),
        at: at(2, h, 0),
        due: Some(at(2, 16, 30)),
        note: String::new(),
    };
    Sheet {
        code: "H99.31-260302-0007".into(),
        issuer: Issuer {
            parent: "UBND tỉnh Hồng Châu".into(),
            agency: "UBND xã Minh Sơn".into(),
            place: "Minh Sơn".into(),
        },
        desk: "Bộ phận Một cửa UBND xã Minh Sơn".into(),
        deciding_agency: "UBND xã Minh Sơn".into(),
        coordinating_agencies: vec!["Công an xã Minh Sơn".into()],
        procedure: "Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế".into(),
        applicant: Applicant {
            kind: "person".into(),
            name: "Nguyễn Thị Hường".into(),
            id_number: "001199012345".into(),
            address: "Thôn Đồng Tâm, xã Minh Sơn, tỉnh Hồng Châu".into(),
            phone: "0912 345 678".into(),
            email: "huong.nguyen@example.vn".into(),
            representative: String::new(),
        },
        components: vec![
            component(
                "Tờ khai đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT",
                1,
                0,
            ),
            component("Giấy chứng sinh (do cơ sở y tế nơi trẻ sinh ra cấp)", 1, 0),
            component("Giấy chứng nhận kết hôn của cha mẹ", 0, 1),
            component(
                "Văn bản ủy quyền (nếu người đi đăng ký là người được ủy quyền)",
                1,
                0,
            ),
        ],
        sets: 1,
        legal_time: "05 ngày làm việc".into(),
        submitted_at: at(2, 9, 20),
        received_at: Some(at(2, 9, 30)),
        due: Some(at(9, 9, 30)),
        return_place: "Bộ phận Một cửa UBND xã Minh Sơn".into(),
        lookup_url: "https://dichvucong.minhson.gov.vn/tra-cuu?ma=H99.31-260302-0007".into(),
        lookup_secret: Some("K7Q2M9X4P3TD".into()),
        officer: "Lê Văn Tiếp".into(),
        missing: vec![],
        missing_reason: String::new(),
        refusal: None,
        extension: None,
        stop: None,
        hand_overs: vec![
            hand_over("Tiếp nhận (Lê Văn Tiếp)", "Thẩm định (Trần Văn Bình)", 10),
            hand_over("Thẩm định (Trần Văn Bình)", "Phê duyệt (Phạm Minh Đức)", 14),
            hand_over("Phê duyệt (Phạm Minh Đức)", "Trả kết quả (Lê Văn Tiếp)", 16),
        ],
        printed_at: at(2, 10, 0),
    }
}

fn register(rows: usize) -> Register {
    let s = sheet();
    Register {
        issuer: s.issuer.clone(),
        desk: s.desk.clone(),
        from: Date::from_ymd(2026, 3, 1).unwrap(),
        to: Date::from_ymd(2026, 3, 31).unwrap(),
        rows: (0..rows)
            .map(|i| RegisterRow {
                code: format!("H99.31-2603{:02}-{:04}", i % 28 + 1, i + 1),
                procedure: s.procedure.clone(),
                sets: 1,
                applicant: s.applicant.name.clone(),
                contact: format!("{}, {}", s.applicant.address, s.applicant.phone),
                lead_agency: s.deciding_agency.clone(),
                received: s.received_at,
                due: s.due,
                sent: Some(at(2, 10, 0)),
                result_back: Some(at(5, 15, 0)),
                returned: (i % 3 == 0).then(|| at(6, 9, 0)),
                note: String::new(),
            })
            .collect(),
        printed_at: at(31, 16, 0),
    }
}

fn seconds() -> Duration {
    let s = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(5.0);
    Duration::from_secs_f64(s)
}

/// Runs `f` for `budget` (at least three times), then prints the rate and the timings. Words
/// on the command line (`cargo bench --bench forms -- receipt`) pick the benchmarks to run.
fn bench(name: &str, budget: Duration, mut f: impl FnMut() -> Vec<u8>) {
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !picked.is_empty() && !picked.iter().any(|p| name.contains(p.as_str())) {
        return;
    }
    let size = f().len(); // warm: fonts loaded, caches filled
    let mut times: Vec<Duration> = Vec::new();
    let cpu = on_cpu();
    let start = Clock::now();
    while start.elapsed() < budget || times.len() < 3 {
        let t = Clock::now();
        black_box(f());
        times.push(t.elapsed());
    }
    let total: Duration = times.iter().sum();
    let cpu = on_cpu().zip(cpu).map(|(end, start)| end - start);
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = times[((times.len() as f64 * 0.99).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "{name:<20} {:>7.1} forms/s   mean {:>7.3} ms   p99 {:>7.3} ms   {:>7} bytes   {:>5} runs   {}",
        times.len() as f64 / total.as_secs_f64(),
        ms(total) / times.len() as f64,
        ms(p99),
        size,
        times.len(),
        cpu.map_or(String::new(), |c| format!(
            "({:.1} per CPU-second)",
            times.len() as f64 / c.as_secs_f64()
        )),
    );
}

/// The time this thread has spent on a CPU (Linux), so that a busy machine shows in the gap
/// between forms per second of wall time and per CPU-second.
fn on_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn main() {
    let budget = seconds();
    let s = sheet();
    let reg = register(500);
    println!("one thread, {:.1} s each", budget.as_secs_f64());
    bench("receipt (Mẫu 01)", budget, || {
        Form::Receipt.render(black_box(&s)).unwrap()
    });
    bench("control sheet", budget, || {
        Form::ControlSheet.render(black_box(&s)).unwrap()
    });
    bench("register, 500 rows", budget, || black_box(&reg).pdf());
}
