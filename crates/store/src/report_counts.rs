//! Running sums for reports (migration 0010): what every dossier's marks
//! (`domain::report::Facts::marks`) add up to, per day and per reporting month, by deciding
//! agency, receiving desk, sector and level. They change in the same transaction as the events
//! that change a dossier's facts, so Biểu 06 for any period sums a few thousand counter rows
//! instead of reading every dossier: its cost grows with the number of groups and months, not of
//! dossiers. A reporting month is Decree 09/2019's: the 15th of one month to the 14th of the next.

use std::collections::BTreeMap;

use motcua_calendar::{Date, Finished};
use motcua_domain::catalogue::Level;
use motcua_domain::report::{Facts, Period, RowSums, Tally, overdue_if_due_before};
use sqlx::Row;

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::json_rows::{JsonRows, Kind, select_rows};
use crate::migrate::lock;
use crate::reports::ReportScope;

/// Marks kept per day, and summed per reporting month for periods made of whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Span {
    Day,
    Month,
}

impl Span {
    fn code(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Month => "month",
        }
    }
}

/// The reporting month a day falls in, numbered `year × 12 + month − 1`: from the 15th a day
/// belongs to the next month's report.
pub fn report_month(day: Date) -> i64 {
    let (y, m, d) = day.ymd();
    let (y, m) = match (d >= 15, m) {
        (false, _) => (y, m),
        (true, 12) => (y + 1, 1),
        (true, _) => (y, m + 1),
    };
    i64::from(y) * 12 + i64::from(m) - 1
}

/// The first day of reporting month `month`: the 15th of the calendar month before.
fn month_start(month: i64) -> Date {
    let before = month - 1;
    let (y, m) = (before.div_euclid(12), before.rem_euclid(12) + 1);
    Date::from_ymd(y as i32, m as u32, 15).expect("the 15th exists")
}

/// What a counter row is kept for besides its day or month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Group {
    pub deciding: i64,
    pub desk: i64,
    pub sector: String,
    pub level: String,
}

/// The columns of `dossiers` a dossier's counters follow from, in this order.
pub(crate) const FACT_COLUMNS: &str = "sector, level, channel, desk_agency_id, \
     deciding_agency_id, received_at, finished_at, outcome, due_at, counts_late, digitised";

/// A dossier's group and facts; `None` before it is received (it counts nowhere yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    group: Group,
    facts: Facts,
}

pub(crate) fn outcome_of(text: Option<&str>) -> Option<Finished> {
    match text? {
        "early" => Some(Finished::Early),
        "on_time" => Some(Finished::OnTime),
        "late" => Some(Finished::Late),
        _ => None,
    }
}

/// A dossier's group, whether it came online, and its dates, from a row selected with
/// [`FACT_COLUMNS`] starting at column `at`.
pub(crate) fn facts_of_row<R>(r: &R, at: usize) -> Result<(Group, bool, Dates), sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    let outcome: Option<String> = r.try_get(at + 7)?;
    Ok((
        Group {
            sector: r.try_get(at)?,
            level: r.try_get(at + 1)?,
            desk: r.try_get(at + 3)?,
            deciding: r.try_get(at + 4)?,
        },
        r.try_get::<String, _>(at + 2)? == "online",
        Dates {
            received_at: r.try_get(at + 5)?,
            finished_at: r.try_get(at + 6)?,
            outcome: outcome_of(outcome.as_deref()),
            due_at: r.try_get(at + 8)?,
            counts_late: r.try_get::<i64, _>(at + 9)? != 0,
            digitised: r.try_get::<i64, _>(at + 10)? != 0,
        },
    ))
}

impl Part {
    pub(crate) fn new(group: Group, online: bool, d: Dates) -> Option<Part> {
        Some(Part {
            facts: Facts {
                sector: group.sector.clone(),
                level: Level::from_code(&group.level).unwrap_or(Level::Province),
                online,
                received_at: d.received_at?,
                finished_at: d.finished_at,
                outcome: d.outcome,
                due: d.due_at,
                counts_late: d.counts_late,
                digitised: d.digitised,
            },
            group,
        })
    }
}

/// The facts of a dossier that change as it moves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dates {
    pub received_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub outcome: Option<Finished>,
    pub due_at: Option<i64>,
    pub counts_late: bool,
    pub digitised: bool,
}

/// Changes to counter rows, summed before they are written.
#[derive(Debug, Default)]
pub(crate) struct Changes(BTreeMap<(Span, i64, Group), Tally>);

impl Changes {
    /// Adds a dossier's marks (`sign` 1), or takes them away (−1).
    pub(crate) fn add(&mut self, part: &Part, sign: i64) {
        for (day, mark) in part.facts.marks() {
            for (span, bucket) in [
                (Span::Day, i64::from(day.days())),
                (Span::Month, report_month(day)),
            ] {
                self.0
                    .entry((span, bucket, part.group.clone()))
                    .or_default()
                    .mark(mark, sign);
            }
        }
    }

    /// The change from one state of a dossier to the next.
    pub(crate) fn between(old: Option<&Part>, new: Option<&Part>) -> Changes {
        let mut changes = Changes::default();
        if old != new {
            if let Some(old) = old {
                changes.add(old, -1);
            }
            if let Some(new) = new {
                changes.add(new, 1);
            }
        }
        changes
    }
}

impl Tx {
    /// Adds the changes to the counters.
    pub(crate) async fn apply_counts(&mut self, changes: Changes) -> Result<(), StoreError> {
        let mut rows = JsonRows::new();
        for ((span, bucket, g), t) in changes.0.iter().filter(|(_, t)| !t.is_zero()) {
            rows.row()
                .text(span.code())
                .int(*bucket)
                .int(g.deciding)
                .int(g.desk)
                .text(&g.sector)
                .text(&g.level);
            for v in t.values() {
                rows.int(v);
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        let mut kinds = vec![
            Kind::Text,
            Kind::Int,
            Kind::Int,
            Kind::Int,
            Kind::Text,
            Kind::Text,
        ];
        kinds.extend([Kind::Int; 8]);
        // `WHERE true` tells SQLite that `ON CONFLICT` is the upsert's, not a join's.
        let sql = format!(
            "INSERT INTO report_counts (span, bucket, deciding_agency_id, desk_agency_id,
               sector, level, received_online, received_other, received_digitised, early,
               on_time, late, overdue_from, overdue_until) {} WHERE true
             ON CONFLICT (span, bucket, deciding_agency_id, desk_agency_id, sector, level)
             DO UPDATE SET
               received_online = report_counts.received_online + excluded.received_online,
               received_other = report_counts.received_other + excluded.received_other,
               received_digitised = report_counts.received_digitised + excluded.received_digitised,
               early = report_counts.early + excluded.early,
               on_time = report_counts.on_time + excluded.on_time,
               late = report_counts.late + excluded.late,
               overdue_from = report_counts.overdue_from + excluded.overdue_from,
               overdue_until = report_counts.overdue_until + excluded.overdue_until",
            select_rows(self.backend(), &kinds)
        );
        self.execute_rows(&sql, rows).await
    }
}

/// The counters of one group summed up to a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumRow {
    pub deciding_agency_id: i64,
    pub sector: String,
    pub level: String,
    pub tally: Tally,
}

/// What is open now in one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRow {
    pub deciding_agency_id: i64,
    pub sector: String,
    pub level: String,
    pub open: i64,
    pub overdue: i64,
}

/// PostgreSQL sums BIGINTs as NUMERIC: cast back.
const SUMS: &str = "CAST(SUM(received_online) AS BIGINT), CAST(SUM(received_other) AS BIGINT), \
     CAST(SUM(received_digitised) AS BIGINT), \
     CAST(SUM(early) AS BIGINT), CAST(SUM(on_time) AS BIGINT), CAST(SUM(late) AS BIGINT), \
     CAST(SUM(overdue_from) AS BIGINT), CAST(SUM(overdue_until) AS BIGINT)";

fn tally_at<R>(r: &R, at: usize) -> Result<Tally, sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let mut v = [0i64; 8];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = r.try_get::<Option<i64>, _>(at + i)?.unwrap_or(0);
    }
    Ok(Tally::from_values(v))
}

impl Db {
    /// The counters of every group in `scope`, summed over the days before `day`: whole
    /// reporting months from their rows, the days of `day`'s own month before it from theirs.
    pub async fn report_sums_before(
        &self,
        day: Date,
        scope: &ReportScope,
    ) -> Result<Vec<SumRow>, StoreError> {
        let month = report_month(day);
        let mut sql = format!(
            "SELECT deciding_agency_id, sector, level, {SUMS} FROM report_counts
             WHERE ((span = 'month' AND bucket < $1)
                 OR (span = 'day' AND bucket >= $2 AND bucket < $3))"
        );
        if !scope.narrow(&mut sql) {
            return Ok(Vec::new());
        }
        sql.push_str(" GROUP BY deciding_agency_id, sector, level");
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(month)
                .bind(i64::from(month_start(month).days()))
                .bind(i64::from(day.days()))
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(SumRow {
                    deciding_agency_id: r.try_get(0)?,
                    sector: r.try_get(1)?,
                    level: r.try_get(2)?,
                    tally: tally_at(&r, 3)?,
                });
            }
            out
        }))
    }

    /// The counters of each reporting month from `first` to `last` (see [`report_month`]) in
    /// `scope`, summed over its groups.
    pub async fn report_months(
        &self,
        first: i64,
        last: i64,
        scope: &ReportScope,
    ) -> Result<Vec<(i64, Tally)>, StoreError> {
        let mut sql = format!(
            "SELECT bucket, {SUMS} FROM report_counts
             WHERE span = 'month' AND bucket >= $1 AND bucket <= $2"
        );
        if !scope.narrow(&mut sql) {
            return Ok(Vec::new());
        }
        sql.push_str(" GROUP BY bucket ORDER BY bucket");
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(first)
                .bind(last)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((r.try_get(0)?, tally_at(&r, 1)?));
            }
            out
        }))
    }

    /// The dossiers open now, received before `received_before`, per group: how many, and how
    /// many of them are overdue (a second supplement request, or due before `due_before`).
    pub async fn open_by_group(
        &self,
        received_before: i64,
        due_before: i64,
        scope: &ReportScope,
    ) -> Result<Vec<OpenRow>, StoreError> {
        let mut sql = String::from(
            "SELECT deciding_agency_id, sector, level, COUNT(*),
                    CAST(SUM(CASE WHEN due_at IS NOT NULL AND (counts_late = 1 OR due_at < $2)
                        THEN 1 ELSE 0 END) AS BIGINT)
             FROM dossiers
             WHERE finished_at IS NULL AND received_at IS NOT NULL AND received_at < $1",
        );
        if !scope.narrow(&mut sql) {
            return Ok(Vec::new());
        }
        sql.push_str(" GROUP BY deciding_agency_id, sector, level");
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(received_before)
                .bind(due_before)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(OpenRow {
                    deciding_agency_id: r.try_get(0)?,
                    sector: r.try_get(1)?,
                    level: r.try_get(2)?,
                    open: r.try_get(3)?,
                    overdue: r.try_get::<Option<i64>, _>(4)?.unwrap_or(0),
                });
            }
            out
        }))
    }

    /// The running sums of each group (deciding agency, sector, level) in `scope` for
    /// `period` as it stands at `now`: the counters before its first day and through its last,
    /// and how many dossiers open now were received by its end and are overdue when it is
    /// judged (`domain::report::Counts::from_sums`).
    pub async fn row_sums(
        &self,
        period: Period,
        now: i64,
        scope: &ReportScope,
    ) -> Result<BTreeMap<(i64, String, String), RowSums>, StoreError> {
        let mut out: BTreeMap<(i64, String, String), RowSums> = BTreeMap::new();
        for row in self.report_sums_before(period.from, scope).await? {
            out.entry((row.deciding_agency_id, row.sector, row.level))
                .or_default()
                .before = row.tally;
        }
        for row in self
            .report_sums_before(period.to.add_days(1), scope)
            .await?
        {
            out.entry((row.deciding_agency_id, row.sector, row.level))
                .or_default()
                .through = row.tally;
        }
        let (_, end) = period.bounds();
        let due_before = overdue_if_due_before(period.judged(now));
        for row in self.open_by_group(end, due_before, scope).await? {
            out.entry((row.deciding_agency_id, row.sector, row.level))
                .or_default()
                .open_overdue = row.overdue as u64;
        }
        Ok(out)
    }

    /// Builds the counters again from the dossiers, replacing what they held, to prove that
    /// keeping them event by event gives the same. Nothing else may write meanwhile.
    pub async fn rebuild_report_counts(&self) -> Result<(), StoreError> {
        self.build_report_counts(true).await
    }

    /// Builds the counters if they never were: dossiers received and no counter row (a
    /// received dossier always leaves one). Under the migrations' lock, so of several processes
    /// starting at once only one builds them.
    pub(crate) async fn ensure_report_counts(&self) -> Result<(), StoreError> {
        self.build_report_counts(false).await
    }

    async fn build_report_counts(&self, again: bool) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        lock(&mut tx).await?;
        let sql = format!("SELECT {FACT_COLUMNS} FROM dossiers WHERE received_at IS NOT NULL");
        let mut changes = Changes::default();
        let build = on_tx!(&mut tx, |conn| {
            use futures_util::TryStreamExt;
            let missing: bool = sqlx::query_scalar(
                "SELECT NOT EXISTS (SELECT 1 FROM report_counts)
                    AND EXISTS (SELECT 1 FROM dossiers WHERE received_at IS NOT NULL)",
            )
            .fetch_one(&mut *conn)
            .await?;
            if missing || again {
                sqlx::query("DELETE FROM report_counts")
                    .execute(&mut *conn)
                    .await?;
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
                while let Some(r) = rows.try_next().await? {
                    let (group, online, dates) = facts_of_row(&r, 0)?;
                    if let Some(part) = Part::new(group, online, dates) {
                        changes.add(&part, 1);
                    }
                }
            }
            missing || again
        });
        if !build {
            return Ok(());
        }
        tx.apply_counts(changes).await?;
        tx.commit().await
    }
}

#[cfg(feature = "testing")]
impl Db {
    /// The facts of every dossier received, with its deciding agency: what tests tally directly
    /// (`domain::report::Bieu06::tally`) to check the counters against.
    pub async fn report_facts(&self) -> Result<Vec<(i64, Facts)>, StoreError> {
        let sql = format!("SELECT {FACT_COLUMNS} FROM dossiers WHERE received_at IS NOT NULL");
        Ok(on_read!(self, |pool| {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await?
            {
                let (group, online, dates) = facts_of_row(&r, 0)?;
                if let Some(part) = Part::new(group, online, dates) {
                    out.push((part.group.deciding, part.facts));
                }
            }
            out
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_from_the_fifteenth_belongs_to_the_next_reporting_month() {
        let d = |y, m, day| Date::from_ymd(y, m, day).unwrap();
        assert_eq!(report_month(d(2026, 3, 14)), 2026 * 12 + 2);
        assert_eq!(report_month(d(2026, 3, 15)), 2026 * 12 + 3);
        assert_eq!(report_month(d(2025, 12, 15)), 2026 * 12);
        assert_eq!(month_start(2026 * 12), d(2025, 12, 15));
        assert_eq!(month_start(2026 * 12 + 3), d(2026, 3, 15));
        for n in 0..800 {
            let day = d(2025, 1, 1).add_days(n);
            let m = report_month(day);
            assert!(month_start(m) <= day && day < month_start(m + 1), "{day}");
        }
    }
}
