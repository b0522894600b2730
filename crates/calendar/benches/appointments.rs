//! Appointment dates per second on one core: `cargo bench -p motcua-calendar`.
//!
//! Receipts spread over three years (nights, weekends and Tết included), limits of 1–20 working
//! days, then working hours and calendar days. Prints one line per unit; BENCHMARKS.md keeps them.

use std::hint::black_box;
use std::time::Instant as Clock;

use motcua_calendar::{
    Date, Duration, Instant, OfficeHours, Policy, Rules, Unit, WorkCalendar, official,
};

fn main() {
    let calendar = WorkCalendar::build(
        1990..=2150,
        &official::shipped().expect("shipped calendars parse"),
    );
    let rules = Rules::new(&calendar, OfficeHours::default());
    let start = Date::from_ymd(2025, 1, 1).unwrap();
    // A fixed pseudo-random sequence (LCG), so every run times the same work.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let receipts: Vec<Instant> = (0..1_000_000)
        .map(|_| {
            Instant::from_local(
                start.add_days((next() % (3 * 365)) as i32),
                (next() % 1440) as u16,
            )
        })
        .collect();
    let limits: Vec<u32> = (0..1_000_000).map(|_| (next() % 20 + 1) as u32).collect();

    println!(
        "calendar index: {} years, built once",
        calendar.years().count()
    );
    for (name, unit, scale) in [
        ("working days", Unit::WorkingDays, 100),
        ("working hours", Unit::WorkingHours, 100),
        ("calendar days", Unit::CalendarDays, 100),
    ] {
        let durations: Vec<Duration> = limits
            .iter()
            .map(|n| Duration::new(unit, n * scale).unwrap())
            .collect();
        let rounds = 10;
        let clock = Clock::now();
        let mut checksum = 0i64;
        for _ in 0..rounds {
            for (received, limit) in receipts.iter().zip(&durations) {
                let a =
                    rules.appointment(black_box(*received), black_box(*limit), Policy::default());
                checksum = checksum.wrapping_add(a.map(|a| a.due.0).unwrap_or(0));
            }
        }
        let elapsed = clock.elapsed().as_secs_f64();
        let n = (rounds * receipts.len()) as f64;
        println!(
            "appointment dates, {name:<13}: {:>6.2} million/s on one core ({n:.0} in {elapsed:.2} s, {:.0} ns each) [{checksum:x}]",
            n / elapsed / 1e6,
            elapsed / n * 1e9
        );
    }
}
