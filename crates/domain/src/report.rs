//! Biểu 06/VPCP/KSTT: the results of handling dossiers over a period, a row per sector grouped by
//! level, thirteen columns (DOMAIN §7). Each dossier received by the end of the period and not
//! finished before its start is counted once: received in the period (online, or at the counter
//! and by post) or carried over; then resolved in the period (early, on time, late) or still in
//! progress at its end (within time, overdue). So the four invariants hold by construction, and
//! [`Counts::check`] asserts them. Reporting periods follow Decree 09/2019: a month runs from the
//! 15th of the month before to the 14th.

use std::collections::BTreeMap;

use motcua_calendar::{Date, Finished, Granularity, Instant, deadline};

use crate::catalogue::Level;

/// A reporting period: from the start of `from` to the end of `to`, Vietnam time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends before it starts")]
    Reversed,
    #[error("no such period")]
    Unknown,
}

impl PeriodError {
    pub fn vietnamese(&self) -> &'static str {
        match self {
            PeriodError::Reversed => "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
            PeriodError::Unknown => "Không có kỳ báo cáo này.",
        }
    }
}

fn day(year: i32, month: u32, d: u32) -> Result<Date, PeriodError> {
    Date::from_ymd(year, month, d).ok_or(PeriodError::Unknown)
}

/// The 15th of the month before `month` (December of the year before, for January).
fn opening(year: i32, month: u32) -> Result<Date, PeriodError> {
    if month == 1 {
        day(year - 1, 12, 15)
    } else {
        day(year, month - 1, 15)
    }
}

impl Period {
    /// Any window of days.
    pub fn window(from: Date, to: Date) -> Result<Period, PeriodError> {
        if to < from {
            Err(PeriodError::Reversed)
        } else {
            Ok(Period { from, to })
        }
    }

    /// Month `month` of `year`: the 15th of the month before to the 14th.
    pub fn month(year: i32, month: u32) -> Result<Period, PeriodError> {
        if !(1..=12).contains(&month) {
            return Err(PeriodError::Unknown);
        }
        Ok(Period {
            from: opening(year, month)?,
            to: day(year, month, 14)?,
        })
    }

    /// Quarter 1–4: the 15th of the month before its first month to the 14th of its last.
    pub fn quarter(year: i32, quarter: u32) -> Result<Period, PeriodError> {
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::Unknown);
        }
        Ok(Period {
            from: opening(year, quarter * 3 - 2)?,
            to: day(year, quarter * 3, 14)?,
        })
    }

    /// Half 1 (15 December to 14 June) or 2 (15 June to 14 December).
    pub fn half(year: i32, half: u32) -> Result<Period, PeriodError> {
        match half {
            1 => Ok(Period {
                from: day(year - 1, 12, 15)?,
                to: day(year, 6, 14)?,
            }),
            2 => Ok(Period {
                from: day(year, 6, 15)?,
                to: day(year, 12, 14)?,
            }),
            _ => Err(PeriodError::Unknown),
        }
    }

    /// The reporting year: 15 December of the year before to 14 December.
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        Ok(Period {
            from: day(year - 1, 12, 15)?,
            to: day(year, 12, 14)?,
        })
    }

    /// When what is still open is judged: the period's last instant, or `now` if sooner.
    pub fn judged(self, now: i64) -> i64 {
        (self.bounds().1 - 1).min(now)
    }

    /// The first instant of the period and the first after it (microseconds).
    pub fn bounds(self) -> (i64, i64) {
        (
            Instant::from_local(self.from, 0).0,
            Instant::from_local(self.to.add_days(1), 0).0,
        )
    }
}

/// What Biểu 06 needs of one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub sector: String,
    pub level: Level,
    pub online: bool,
    pub received_at: i64,
    /// Decided or stopped.
    pub finished_at: Option<i64>,
    /// Fixed when it was decided; a stopped dossier has none and is judged by its due date.
    pub outcome: Option<Finished>,
    pub due: Option<i64>,
    /// A second supplement request made it late whatever the dates.
    pub counts_late: bool,
    /// Received with every document scanned or uploaded.
    pub digitised: bool,
}

/// Columns (3) to (13) of a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// (3) received in all: (4) + (5) + (6).
    pub received: u64,
    /// (4) received online in the period.
    pub online: u64,
    /// (5) received at the counter or by post in the period.
    pub counter_post: u64,
    /// (6) carried over from the period before.
    pub carried: u64,
    /// (7) resolved in the period: (8) + (9) + (10).
    pub resolved: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    /// (11) still in progress at the end: (12) + (13).
    pub in_progress: u64,
    pub within_time: u64,
    pub overdue: u64,
    /// Not a column of Biểu 06: of (4) + (5), how many came with every document digitised.
    pub digitised: u64,
}

/// Which invariant of Biểu 06 a row breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Biểu 06 invariant broken: {0}")]
pub struct Broken(pub &'static str);

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.received += o.received;
        self.online += o.online;
        self.counter_post += o.counter_post;
        self.carried += o.carried;
        self.resolved += o.resolved;
        self.early += o.early;
        self.on_time += o.on_time;
        self.late += o.late;
        self.in_progress += o.in_progress;
        self.within_time += o.within_time;
        self.overdue += o.overdue;
        self.digitised += o.digitised;
    }

    /// Columns (3) to (13), in order.
    pub fn values(&self) -> [u64; 11] {
        [
            self.received,
            self.online,
            self.counter_post,
            self.carried,
            self.resolved,
            self.early,
            self.on_time,
            self.late,
            self.in_progress,
            self.within_time,
            self.overdue,
        ]
    }

    /// The four invariants of DOMAIN §7.
    pub fn check(&self) -> Result<(), Broken> {
        if self.received != self.online + self.counter_post + self.carried {
            return Err(Broken("(3) = (4) + (5) + (6)"));
        }
        if self.received != self.resolved + self.in_progress {
            return Err(Broken("(3) = (7) + (11)"));
        }
        if self.resolved != self.early + self.on_time + self.late {
            return Err(Broken("(7) = (8) + (9) + (10)"));
        }
        if self.in_progress != self.within_time + self.overdue {
            return Err(Broken("(11) = (12) + (13)"));
        }
        Ok(())
    }

    /// Share resolved early or on time, in per cent (100 when nothing was resolved).
    pub fn on_time_rate(&self) -> f64 {
        if self.resolved == 0 {
            100.0
        } else {
            (self.early + self.on_time) as f64 * 100.0 / self.resolved as f64
        }
    }

    /// Counts one dossier into the row, if the period concerns it: received by its end and not
    /// finished before its start. One still open is judged within time or overdue at `judged`:
    /// the period's last instant, or now for a period not over yet.
    pub fn count(&mut self, f: &Facts, (start, end): (i64, i64), judged: i64) {
        if f.received_at >= end || f.finished_at.is_some_and(|t| t < start) {
            return;
        }
        self.received += 1;
        if f.received_at < start {
            self.carried += 1;
        } else {
            if f.online {
                self.online += 1;
            } else {
                self.counter_post += 1;
            }
            if f.digitised {
                self.digitised += 1;
            }
        }
        match f.resolved() {
            Some((finished, outcome)) if finished < end => {
                self.resolved += 1;
                match outcome {
                    Finished::Early => self.early += 1,
                    Finished::OnTime => self.on_time += 1,
                    Finished::Late => self.late += 1,
                }
            }
            _ => {
                self.in_progress += 1;
                if f.overdue_at(judged) {
                    self.overdue += 1;
                } else {
                    self.within_time += 1;
                }
            }
        }
    }

    /// A row from running sums: `before` the period's first day, `through` its last, and how
    /// many of the dossiers open now were received by its end and are overdue at the judged
    /// instant. Dossiers finished since are in the sums' overdue spans.
    pub fn from_sums(before: &Tally, through: &Tally, open_overdue: u64) -> Counts {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let online = n(through.received_online - before.received_online);
        let counter_post = n(through.received_other - before.received_other);
        let carried = n(before.received() - before.resolved());
        let (early, on_time, late) = (
            n(through.early - before.early),
            n(through.on_time - before.on_time),
            n(through.late - before.late),
        );
        let received = online + counter_post + carried;
        let resolved = early + on_time + late;
        let in_progress = received.saturating_sub(resolved);
        let overdue = n(through.overdue_from - through.overdue_until) + open_overdue;
        Counts {
            received,
            online,
            counter_post,
            carried,
            resolved,
            early,
            on_time,
            late,
            in_progress,
            // Counters that disagree show here as a broken invariant, not as a wrapped number.
            within_time: in_progress.saturating_sub(overdue),
            overdue,
            digitised: n(through.received_digitised - before.received_digitised),
        }
    }
}

/// What one dossier changes in the running sums on one day (see [`Facts::marks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    ReceivedOnline,
    ReceivedOther,
    /// Received with every document digitised (besides its channel's mark).
    ReceivedDigitised,
    Early,
    OnTime,
    Late,
    /// The first day it was overdue (it had been finished since).
    OverdueFrom,
    /// The day it finished, having been overdue.
    OverdueUntil,
}

/// Sums of marks over days: for one group of dossiers, what the report counters hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub received_online: i64,
    pub received_other: i64,
    pub received_digitised: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    pub overdue_from: i64,
    pub overdue_until: i64,
}

impl Tally {
    pub fn mark(&mut self, mark: Mark, n: i64) {
        *match mark {
            Mark::ReceivedOnline => &mut self.received_online,
            Mark::ReceivedOther => &mut self.received_other,
            Mark::ReceivedDigitised => &mut self.received_digitised,
            Mark::Early => &mut self.early,
            Mark::OnTime => &mut self.on_time,
            Mark::Late => &mut self.late,
            Mark::OverdueFrom => &mut self.overdue_from,
            Mark::OverdueUntil => &mut self.overdue_until,
        } += n;
    }

    /// The sums in a fixed order, as the counters store them.
    pub fn values(&self) -> [i64; 8] {
        [
            self.received_online,
            self.received_other,
            self.received_digitised,
            self.early,
            self.on_time,
            self.late,
            self.overdue_from,
            self.overdue_until,
        ]
    }

    pub fn from_values(v: [i64; 8]) -> Tally {
        Tally {
            received_online: v[0],
            received_other: v[1],
            received_digitised: v[2],
            early: v[3],
            on_time: v[4],
            late: v[5],
            overdue_from: v[6],
            overdue_until: v[7],
        }
    }

    pub fn add(&mut self, o: &Tally) {
        let (a, b) = (self.values(), o.values());
        *self = Tally::from_values(std::array::from_fn(|i| a[i] + b[i]));
    }

    pub fn received(&self) -> i64 {
        self.received_online + self.received_other
    }

    pub fn resolved(&self) -> i64 {
        self.early + self.on_time + self.late
    }

    pub fn is_zero(&self) -> bool {
        self.values() == [0; 8]
    }
}

impl Facts {
    /// When it finished and how it is classed: as decided, or for a stopped dossier by its due
    /// date (late after a second supplement request; on time without a due date).
    pub fn resolved(&self) -> Option<(i64, Finished)> {
        let finished = self.finished_at?;
        let outcome = self.outcome.unwrap_or_else(|| match self.due {
            Some(due) if !self.counts_late => {
                deadline::classify_finished(Instant(finished), Instant(due), Granularity::Day)
            }
            Some(_) => Finished::Late,
            None => Finished::OnTime,
        });
        Some((finished, outcome))
    }

    /// The first day it counts as overdue while open: the day after its due date, or the day it
    /// was received once a second supplement request made it late.
    fn overdue_from(&self) -> Option<Date> {
        let due = self.due?;
        Some(if self.counts_late {
            Instant(self.received_at).local_date()
        } else {
            Instant(due).local_date().add_days(1)
        })
    }

    /// Overdue at `judged`, if open then.
    pub fn overdue_at(&self, judged: i64) -> bool {
        self.overdue_from()
            .is_some_and(|from| Instant(judged).local_date() >= from)
    }

    /// What this dossier adds to the running sums, by day. The sums up to a day then give
    /// Biểu 06 for any period ([`Counts::from_sums`]) without reading the dossiers: received
    /// on its day, resolved on the day it finished, and, finished after being overdue, the
    /// span it was overdue.
    pub fn marks(&self) -> Vec<(Date, Mark)> {
        let received = Instant(self.received_at).local_date();
        let mut out = vec![(
            received,
            if self.online {
                Mark::ReceivedOnline
            } else {
                Mark::ReceivedOther
            },
        )];
        if self.digitised {
            out.push((received, Mark::ReceivedDigitised));
        }
        if let Some((finished, outcome)) = self.resolved() {
            let finished = Instant(finished).local_date();
            out.push((
                finished,
                match outcome {
                    Finished::Early => Mark::Early,
                    Finished::OnTime => Mark::OnTime,
                    Finished::Late => Mark::Late,
                },
            ));
            if let Some(from) = self.overdue_from().filter(|from| *from < finished) {
                out.push((from, Mark::OverdueFrom));
                out.push((finished, Mark::OverdueUntil));
            }
        }
        out
    }
}

/// A dossier open at `judged` and due before the returned instant is overdue then (a due date
/// counts to the end of its day).
pub fn overdue_if_due_before(judged: i64) -> i64 {
    Instant::from_local(Instant(judged).local_date(), 0).0
}

/// The running sums of one row of the report, for [`Bieu06::from_sums`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowSums {
    pub before: Tally,
    pub through: Tally,
    pub open_overdue: u64,
}

impl RowSums {
    pub fn add(&mut self, o: &RowSums) {
        self.before.add(&o.before);
        self.through.add(&o.through);
        self.open_overdue += o.open_overdue;
    }
}

/// The report: rows by level, then by sector; totals per level and in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bieu06 {
    pub period: Period,
    pub rows: BTreeMap<(LevelOrder, String), Counts>,
}

/// Levels in the report's order: province first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LevelOrder(pub u8);

impl LevelOrder {
    pub fn of(level: Level) -> LevelOrder {
        LevelOrder(match level {
            Level::Province => 0,
            Level::District => 1,
            Level::Commune => 2,
        })
    }

    pub fn level(self) -> Level {
        match self.0 {
            0 => Level::Province,
            1 => Level::District,
            _ => Level::Commune,
        }
    }
}

impl Bieu06 {
    /// The report over `facts` (any order; one per dossier), as it stands at `now` (a period not
    /// over yet counts what is open as of now).
    pub fn tally<'a>(
        period: Period,
        facts: impl IntoIterator<Item = &'a Facts>,
        now: i64,
    ) -> Bieu06 {
        let bounds = period.bounds();
        let judged = period.judged(now);
        let mut rows: BTreeMap<(LevelOrder, String), Counts> = BTreeMap::new();
        for f in facts {
            let mut one = Counts::default();
            one.count(f, bounds, judged);
            if one.received > 0 {
                rows.entry((LevelOrder::of(f.level), f.sector.clone()))
                    .or_default()
                    .add(&one);
            }
        }
        Bieu06 { period, rows }
    }

    /// The report from running sums per level and sector (see [`Facts::marks`]); equal to
    /// [`Bieu06::tally`] over the same dossiers.
    pub fn from_sums(
        period: Period,
        sums: impl IntoIterator<Item = ((Level, String), RowSums)>,
    ) -> Bieu06 {
        let mut rows: BTreeMap<(LevelOrder, String), Counts> = BTreeMap::new();
        for ((level, sector), s) in sums {
            let c = Counts::from_sums(&s.before, &s.through, s.open_overdue);
            if c.received > 0 {
                rows.entry((LevelOrder::of(level), sector))
                    .or_default()
                    .add(&c);
            }
        }
        Bieu06 { period, rows }
    }

    /// The totals of one level.
    pub fn level_total(&self, level: Level) -> Counts {
        let mut total = Counts::default();
        for ((l, _), c) in &self.rows {
            if l.level() == level {
                total.add(c);
            }
        }
        total
    }

    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for c in self.rows.values() {
            total.add(c);
        }
        total
    }

    /// Every row and total keeps the invariants.
    pub fn check(&self) -> Result<(), Broken> {
        for c in self.rows.values() {
            c.check()?;
        }
        self.total().check()
    }
}

/// One indicator of Decision 766 that the dossiers' figures give, with its formula in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: &'static str,
    pub formula: &'static str,
    /// Per cent.
    pub ratio: f64,
    /// Points scored and the most, where the decision gives them.
    pub points: Option<(f64, f64)>,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Points of a thresholded indicator (DOMAIN §7): all of `max` once the ratio reaches its
/// target, else in proportion.
fn thresholded(ratio: f64, target: f64, max: f64) -> f64 {
    if ratio >= target {
        max
    } else {
        ratio * max / target
    }
}

/// The Decision 766 indicators Biểu 06's figures give (DOMAIN §7): progress (20 points, the
/// share resolved early or on time), the online share of what was received, digitised dossiers
/// (4 points, target 80%), and the part of satisfaction that lateness decides (100% − late %;
/// the complaints share is not recorded yet, so the figure is an upper bound and scores no
/// points).
pub fn indicators(total: &Counts) -> Vec<Indicator> {
    let on_time = percent(total.early + total.on_time, total.resolved);
    let online = percent(total.online, total.online + total.counter_post);
    let digitised = percent(total.digitised, total.online + total.counter_post);
    let late = percent(total.late, total.resolved);
    vec![
        Indicator {
            name: "Tiến độ giải quyết",
            formula: "((8) + (9)) / (7) × 20 điểm",
            ratio: on_time,
            points: Some((on_time * 20.0 / 100.0, 20.0)),
        },
        Indicator {
            name: "Tỷ lệ hồ sơ trực tuyến",
            formula: "(4) / ((4) + (5))",
            ratio: online,
            points: None,
        },
        Indicator {
            name: "Số hóa hồ sơ",
            formula: "hồ sơ tiếp nhận có mọi giấy tờ được quét hoặc tải lên / ((4) + (5)); mục tiêu 80%, tối đa 4 điểm",
            ratio: digitised,
            points: Some((thresholded(digitised, 80.0, 4.0), 4.0)),
        },
        Indicator {
            name: "Mức độ hài lòng (phần do trễ hạn), chưa trừ tỷ lệ phản ánh",
            formula: "100% − (10) / (7); mục tiêu 90%, tối đa 6 điểm khi có số liệu phản ánh",
            ratio: 100.0 - late,
            points: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32, h: u16) -> i64 {
        Instant::from_local(Date::from_ymd(y, m, d).unwrap(), h * 60).0
    }

    #[test]
    fn official_periods_run_from_the_fifteenth_to_the_fourteenth() {
        let p = |from: (i32, u32, u32), to: (i32, u32, u32)| Period {
            from: Date::from_ymd(from.0, from.1, from.2).unwrap(),
            to: Date::from_ymd(to.0, to.1, to.2).unwrap(),
        };
        assert_eq!(
            Period::month(2026, 1).unwrap(),
            p((2025, 12, 15), (2026, 1, 14))
        );
        assert_eq!(
            Period::month(2026, 3).unwrap(),
            p((2026, 2, 15), (2026, 3, 14))
        );
        assert_eq!(
            Period::quarter(2026, 1).unwrap(),
            p((2025, 12, 15), (2026, 3, 14))
        );
        assert_eq!(
            Period::quarter(2026, 4).unwrap(),
            p((2026, 9, 15), (2026, 12, 14))
        );
        assert_eq!(
            Period::half(2026, 1).unwrap(),
            p((2025, 12, 15), (2026, 6, 14))
        );
        assert_eq!(
            Period::half(2026, 2).unwrap(),
            p((2026, 6, 15), (2026, 12, 14))
        );
        assert_eq!(
            Period::year(2026).unwrap(),
            p((2025, 12, 15), (2026, 12, 14))
        );
        assert_eq!(Period::quarter(2026, 5), Err(PeriodError::Unknown));
        assert_eq!(Period::month(2026, 0), Err(PeriodError::Unknown));
        let d = |m, day| Date::from_ymd(2026, m, day).unwrap();
        assert_eq!(Period::window(d(3, 2), d(3, 1)), Err(PeriodError::Reversed));
    }

    fn facts(received_at: i64, finished_at: Option<i64>, due: i64) -> Facts {
        Facts {
            sector: "HT".into(),
            level: Level::Commune,
            online: false,
            received_at,
            finished_at,
            outcome: None,
            due: Some(due),
            counts_late: false,
            digitised: false,
        }
    }

    #[test]
    fn each_dossier_lands_in_its_columns() {
        let period = Period::month(2026, 3).unwrap(); // 15 Feb – 14 Mar
        let mut online_early = facts(
            at(2026, 2, 20, 9),
            Some(at(2026, 2, 21, 9)),
            at(2026, 2, 25, 17),
        );
        online_early.online = true;
        online_early.outcome = Some(Finished::Early);
        let carried_late = Facts {
            outcome: Some(Finished::Late),
            ..facts(
                at(2026, 2, 10, 9),
                Some(at(2026, 3, 2, 9)),
                at(2026, 2, 27, 17),
            )
        };
        let finished_before = facts(
            at(2026, 2, 1, 9),
            Some(at(2026, 2, 3, 9)),
            at(2026, 2, 5, 17),
        );
        let after = facts(at(2026, 3, 15, 9), None, at(2026, 3, 20, 17));
        let open_overdue = facts(at(2026, 3, 1, 9), None, at(2026, 3, 10, 17));
        let due_last_day = facts(at(2026, 3, 10, 9), None, at(2026, 3, 14, 17));
        let finished_after = facts(
            at(2026, 3, 10, 9),
            Some(at(2026, 3, 16, 9)),
            at(2026, 3, 20, 17),
        );
        let all = [
            online_early,
            carried_late,
            finished_before,
            after,
            open_overdue,
            due_last_day,
            finished_after,
        ];
        let r = Bieu06::tally(period, &all, i64::MAX);
        r.check().unwrap();
        assert_eq!(
            r.total(),
            Counts {
                received: 5,
                online: 1,
                counter_post: 3,
                carried: 1,
                resolved: 2,
                early: 1,
                on_time: 0,
                late: 1,
                in_progress: 3,
                within_time: 2,
                overdue: 1,
                digitised: 0,
            }
        );
    }

    #[test]
    fn a_stopped_dossier_is_judged_by_its_due_date_and_a_second_supplement_is_late() {
        let period = Period::month(2026, 3).unwrap();
        let stopped = facts(
            at(2026, 3, 2, 9),
            Some(at(2026, 3, 4, 9)),
            at(2026, 3, 4, 17),
        );
        let second = Facts {
            counts_late: true,
            ..facts(at(2026, 3, 2, 9), None, at(2026, 3, 30, 17))
        };
        let r = Bieu06::tally(period, &[stopped, second], i64::MAX);
        let t = r.total();
        assert_eq!((t.on_time, t.overdue), (1, 1));
    }

    #[test]
    fn indicators_follow_their_formulas() {
        let total = Counts {
            received: 10,
            online: 3,
            counter_post: 6,
            carried: 1,
            resolved: 8,
            early: 4,
            on_time: 2,
            late: 2,
            in_progress: 2,
            within_time: 2,
            overdue: 0,
            digitised: 6,
        };
        let i = indicators(&total);
        assert_eq!(i[0].ratio, 75.0);
        assert_eq!(i[0].points, Some((15.0, 20.0)));
        assert!((i[1].ratio - 100.0 / 3.0).abs() < 1e-9);
        // 6 of 9 digitised: 66.7% of the 80% target scores 3.33 of 4 points; 8 of 9 scores all.
        assert!((i[2].ratio - 200.0 / 3.0).abs() < 1e-9);
        assert!((i[2].points.unwrap().0 - 10.0 / 3.0).abs() < 1e-9);
        let more = Counts {
            digitised: 8,
            ..total
        };
        assert_eq!(indicators(&more)[2].points, Some((4.0, 4.0)));
        assert_eq!(i[3].ratio, 75.0);
    }

    #[test]
    fn a_period_not_over_judges_what_is_open_as_of_now() {
        let period = Period::month(2026, 3).unwrap(); // to 14 Mar
        let open = facts(at(2026, 3, 2, 9), None, at(2026, 3, 10, 17));
        let now = at(2026, 3, 5, 10);
        let t = Bieu06::tally(period, std::slice::from_ref(&open), now).total();
        assert_eq!((t.within_time, t.overdue), (1, 0));
        let t = Bieu06::tally(period, &[open], i64::MAX).total();
        assert_eq!((t.within_time, t.overdue), (0, 1));
    }

    #[test]
    fn an_open_dossier_is_overdue_from_the_day_after_its_due_date() {
        let open = facts(at(2026, 3, 2, 9), None, at(2026, 3, 10, 17));
        assert!(!open.overdue_at(at(2026, 3, 10, 23)));
        assert!(open.overdue_at(at(2026, 3, 11, 0)));
        let second_supplement = Facts {
            counts_late: true,
            ..open
        };
        assert!(second_supplement.overdue_at(at(2026, 3, 2, 9)));
    }

    fn any_facts() -> impl Strategy<Value = Facts> {
        let base = at(2026, 1, 1, 0);
        let day = 86_400_000_000i64;
        (
            0..4u8,
            any::<bool>(),
            0..120i64,
            proptest::option::of(0..60i64),
            0..40i64,
            proptest::option::of(0..3u8),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(move |(sector, online, r, f, d, o, late, digitised)| Facts {
                sector: format!("S{sector}"),
                level: if sector % 2 == 0 {
                    Level::Province
                } else {
                    Level::Commune
                },
                online,
                received_at: base + r * day / 2,
                finished_at: f.map(|f| base + r * day / 2 + f * day / 3),
                outcome: o.map(|o| [Finished::Early, Finished::OnTime, Finished::Late][o as usize]),
                due: Some(base + r * day / 2 + d * day / 3),
                counts_late: late,
                digitised,
            })
    }

    /// The dossiers as they stood at `now`: not yet received ones left out, later ends undone.
    fn as_of(all: &[Facts], now: i64) -> Vec<Facts> {
        all.iter()
            .filter(|f| f.received_at <= now)
            .map(|f| {
                let mut f = f.clone();
                if f.finished_at.is_some_and(|t| t > now) {
                    f.finished_at = None;
                    f.outcome = None;
                }
                f
            })
            .collect()
    }

    /// What the counters and the open dossiers give for `period`, summed from each dossier's marks.
    fn sums(all: &[Facts], period: Period, now: i64) -> Vec<((Level, String), RowSums)> {
        let mut rows: BTreeMap<(LevelOrder, String), RowSums> = BTreeMap::new();
        let (_, end) = period.bounds();
        let judged = period.judged(now);
        for f in all {
            let row = rows
                .entry((LevelOrder::of(f.level), f.sector.clone()))
                .or_default();
            for (day, mark) in f.marks() {
                if day < period.from {
                    row.before.mark(mark, 1);
                }
                if day <= period.to {
                    row.through.mark(mark, 1);
                }
            }
            if f.finished_at.is_none() && f.received_at < end && f.overdue_at(judged) {
                row.open_overdue += 1;
            }
        }
        rows.into_iter()
            .map(|((l, s), r)| ((l.level(), s), r))
            .collect()
    }

    proptest! {
        #[test]
        fn the_invariants_hold_and_periods_chain(all in proptest::collection::vec(any_facts(), 0..200)) {
            let jan = Bieu06::tally(Period::window(
                Date::from_ymd(2026, 1, 1).unwrap(), Date::from_ymd(2026, 1, 31).unwrap()).unwrap(), &all, i64::MAX);
            let feb = Bieu06::tally(Period::window(
                Date::from_ymd(2026, 2, 1).unwrap(), Date::from_ymd(2026, 2, 28).unwrap()).unwrap(), &all, i64::MAX);
            prop_assert!(jan.check().is_ok());
            prop_assert!(feb.check().is_ok());
            // What is in progress at the end of one period is carried into the next.
            prop_assert_eq!(jan.total().in_progress, feb.total().carried);
        }

        #[test]
        fn running_sums_give_the_same_report_as_the_dossiers(
            all in proptest::collection::vec(any_facts(), 0..200),
            now_day in 0..90i64,
            from in 0..70i64,
            len in 0..40i64,
        ) {
            let day = |n: i64| Date::from_ymd(2026, 1, 1).unwrap().add_days(n as i32);
            let now = at(2026, 1, 1, 0) + now_day * 86_400_000_000 + 36_000_000_000;
            let period = Period::window(day(from), day(from + len)).unwrap();
            let facts = as_of(&all, now);
            let scanned = Bieu06::tally(period, &facts, now);
            let summed = Bieu06::from_sums(period, sums(&facts, period, now));
            prop_assert!(summed.check().is_ok());
            prop_assert_eq!(summed, scanned);
        }
    }
}
