//! Properties of the deadline engine over random receipts, limits and policies.

use std::sync::OnceLock;

use motcua_calendar::{
    Date, Duration, Instant, OfficeHours, Policy, Rules, Unit, WorkCalendar, official,
};
use proptest::prelude::*;

fn calendar() -> &'static WorkCalendar {
    static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| WorkCalendar::build(2020..=2040, &official::shipped().unwrap()))
}

fn rules() -> Rules<'static> {
    Rules::new(calendar(), OfficeHours::default())
}

/// Any minute from 2024 to 2028, Vietnam time, including nights, weekends and holidays.
fn instant() -> impl Strategy<Value = Instant> {
    let start = Date::from_ymd(2024, 1, 1).unwrap();
    (0..5 * 365i32, 0..24 * 60u16)
        .prop_map(move |(day, minute)| Instant::from_local(start.add_days(day), minute))
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (1..=8000u32).prop_map(|c| Duration::new(Unit::WorkingDays, c).unwrap()),
        (1..=20000u32).prop_map(|c| Duration::new(Unit::WorkingHours, c).unwrap()),
        (1..=365u32).prop_map(|n| Duration::new(Unit::CalendarDays, n * 100).unwrap()),
        (1..=24u32).prop_map(|n| Duration::new(Unit::Months, n * 100).unwrap()),
        Just(Duration::same_day()),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (any::<bool>(), any::<bool>()).prop_map(|(count_receipt_day, cutoff_applies)| Policy {
        count_receipt_day,
        cutoff_applies,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn a_due_date_is_a_working_day_after_the_receipt(received in instant(), limit in duration(), policy in policy()) {
        let due = rules().appointment(received, limit, policy).unwrap().due;
        prop_assert!(calendar().is_working(due.local_date()).unwrap(), "{} → {}", received.vn(), due.vn());
        prop_assert!(due > received, "{} → {}", received.vn(), due.vn());
    }

    #[test]
    fn adding_a_then_b_is_adding_a_plus_b(at in instant(), a in 0..20_000i64, b in 0..20_000i64) {
        let r = rules();
        let stepwise = r.add_working_minutes(r.add_working_minutes(at, a).unwrap(), b).unwrap();
        let at_once = r.add_working_minutes(at, a + b).unwrap();
        prop_assert_eq!(stepwise, at_once);
    }

    #[test]
    fn working_days_add_up(received in instant(), a in 1..=40u32, b in 1..=40u32, policy in policy()) {
        let r = rules();
        let first = r.appointment(received, Duration::working_days(a), policy).unwrap().due;
        let then = r.add_working_minutes(first, i64::from(b) * 450).unwrap();
        let together = r.appointment(received, Duration::working_days(a + b), policy).unwrap().due;
        prop_assert_eq!(then, together);
    }

    #[test]
    fn a_zero_pause_changes_nothing(received in instant(), limit in duration(), at in instant()) {
        let r = rules();
        let due = r.appointment(received, limit, Policy::default()).unwrap().due;
        prop_assert_eq!(r.extend_by_pauses(due, &[(at, at)]).unwrap(), due);
        prop_assert_eq!(r.extend_by_pauses(due, &[]).unwrap(), due);
    }

    #[test]
    fn a_pause_never_shortens_the_time(received in instant(), limit in duration(), from in instant(), minutes in 0..50_000i64) {
        let r = rules();
        let due = r.appointment(received, limit, Policy::default()).unwrap().due;
        let until = Instant(from.0 + minutes * 60_000_000);
        let moved = r.extend_by_pauses(due, &[(from, until)]).unwrap();
        prop_assert!(moved >= due);
        // The due moves by exactly the paused working time.
        let paused = r.working_minutes_between(from, until).unwrap();
        prop_assert_eq!(r.working_minutes_between(due, moved).unwrap(), paused);
    }

    #[test]
    fn later_receipts_are_never_due_earlier(a in instant(), b in instant(), limit in duration(), policy in policy()) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let r = rules();
        let d1 = r.appointment(early, limit, policy).unwrap().due;
        let d2 = r.appointment(late, limit, policy).unwrap().due;
        prop_assert!(d1 <= d2, "{} → {}, {} → {}", early.vn(), d1.vn(), late.vn(), d2.vn());
    }

    #[test]
    fn elapsed_time_is_antisymmetric_and_additive(a in instant(), b in instant(), c in instant()) {
        let r = rules();
        let ab = r.working_minutes_between(a, b).unwrap();
        prop_assert_eq!(ab, -r.working_minutes_between(b, a).unwrap());
        let bc = r.working_minutes_between(b, c).unwrap();
        prop_assert_eq!(ab + bc, r.working_minutes_between(a, c).unwrap());
    }
}
