//! The working-day index: which days are worked, across a span of years, precomputed so that
//! "the n-th working day after d" is two array reads instead of a walk.

use crate::date::Date;
use crate::year::{YearData, by_rules};

/// Working days over a span of whole years. Built once (at start-up, or when an administrator
/// edits a year) and then only read.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    first_year: i32,
    first: Date,
    /// `rank[i]`: working days in `[first, first + i)`; one entry more than there are days.
    rank: Vec<u32>,
    /// `working[k]`: the k-th working day of the span.
    working: Vec<Date>,
    years: Vec<YearData>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is outside the calendar's years")]
pub struct OutOfRange(pub Date);

/// The years every calendar covers: dossiers from the 1990s may be imported, deadlines run
/// decades ahead.
pub const DEFAULT_YEARS: std::ops::RangeInclusive<i32> = 1990..=2150;

impl WorkCalendar {
    /// A calendar over `years`, each year from `official` when given there, else by the rules.
    pub fn build(years: std::ops::RangeInclusive<i32>, official: &[YearData]) -> WorkCalendar {
        let first_year = *years.start();
        let data: Vec<YearData> = years
            .map(|y| {
                official
                    .iter()
                    .find(|o| o.year == y)
                    .cloned()
                    .unwrap_or_else(|| by_rules(y))
            })
            .collect();
        let first = Date::from_ymd(first_year, 1, 1).expect("1 January exists");
        let end = Date::from_ymd(first_year + data.len() as i32, 1, 1).expect("1 January exists");
        let n = (end.days() - first.days()) as usize;
        let mut is_working = vec![false; n];
        for (i, slot) in is_working.iter_mut().enumerate() {
            *slot = !first.add_days(i as i32).weekday().is_weekend();
        }
        for year in &data {
            for day in &year.days_off {
                is_working[(day.date.days() - first.days()) as usize] = false;
            }
            for day in &year.working_days {
                is_working[(day.date.days() - first.days()) as usize] = true;
            }
        }
        let mut rank = Vec::with_capacity(n + 1);
        let mut working = Vec::with_capacity(n * 5 / 7 + 1);
        rank.push(0);
        for (i, w) in is_working.iter().enumerate() {
            if *w {
                working.push(first.add_days(i as i32));
            }
            rank.push(working.len() as u32);
        }
        WorkCalendar {
            first_year,
            first,
            rank,
            working,
            years: data,
        }
    }

    /// The span of years this calendar knows.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.first_year..=self.first_year + self.years.len() as i32 - 1
    }

    /// The data of one year, if covered.
    pub fn year(&self, year: i32) -> Option<&YearData> {
        let i = year.checked_sub(self.first_year)?;
        self.years.get(usize::try_from(i).ok()?)
    }

    fn index(&self, date: Date) -> Result<usize, OutOfRange> {
        let i = date.days() - self.first.days();
        if i < 0 || i as usize >= self.rank.len() - 1 {
            Err(OutOfRange(date))
        } else {
            Ok(i as usize)
        }
    }

    pub fn is_working(&self, date: Date) -> Result<bool, OutOfRange> {
        let i = self.index(date)?;
        Ok(self.rank[i + 1] > self.rank[i])
    }

    /// The position of `date` among working days: the number of working days before it.
    pub fn rank(&self, date: Date) -> Result<u32, OutOfRange> {
        Ok(self.rank[self.index(date)?])
    }

    /// The working day with the given rank.
    pub fn working_day(&self, rank: u32) -> Result<Date, OutOfRange> {
        self.working
            .get(rank as usize)
            .copied()
            .ok_or_else(|| OutOfRange(self.first.add_days(self.rank.len() as i32)))
    }

    /// The first working day on or after `date`.
    pub fn working_on_or_after(&self, date: Date) -> Result<Date, OutOfRange> {
        self.working_day(self.rank(date)?)
    }

    /// The first working day strictly after `date`.
    pub fn working_after(&self, date: Date) -> Result<Date, OutOfRange> {
        let i = self.index(date)?;
        self.working_day(self.rank[i + 1])
    }

    /// The last working day strictly before `date`.
    pub fn working_before(&self, date: Date) -> Result<Date, OutOfRange> {
        let r = self.rank(date)?;
        if r == 0 {
            return Err(OutOfRange(date.add_days(-1)));
        }
        self.working_day(r - 1)
    }

    /// Working days in `[from, to)`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, OutOfRange> {
        Ok(i64::from(self.rank(to)?) - i64::from(self.rank(from)?))
    }

    /// Whether every year touched by `[from, to]` has official data.
    pub fn all_official(&self, from: Date, to: Date) -> bool {
        (from.year()..=to.year()).all(|y| self.year(y).is_some_and(YearData::is_official))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Date {
        Date::from_ymd(y, m, dd).unwrap()
    }

    #[test]
    fn the_index_agrees_with_a_day_by_day_walk() {
        let cal = WorkCalendar::build(2020..=2030, &[]);
        let mut day = d(2020, 1, 1);
        let mut count = 0u32;
        while day < d(2031, 1, 1) {
            assert_eq!(cal.rank(day).unwrap(), count);
            let working = cal.is_working(day).unwrap();
            if working {
                assert_eq!(cal.working_day(count).unwrap(), day);
                count += 1;
            }
            day = day.add_days(1);
        }
        assert!(cal.is_working(d(2031, 1, 2)).is_err());
        assert!(cal.is_working(d(2019, 12, 31)).is_err());
    }

    #[test]
    fn neighbours() {
        let cal = WorkCalendar::build(2026..=2026, &[]);
        // Wed 29 Apr 2026 → next working day Mon 4 May (30/4, 1/5 holidays; 2–3 May weekend).
        assert_eq!(cal.working_after(d(2026, 4, 29)).unwrap(), d(2026, 5, 4));
        assert_eq!(
            cal.working_on_or_after(d(2026, 5, 2)).unwrap(),
            d(2026, 5, 4)
        );
        assert_eq!(cal.working_before(d(2026, 5, 4)).unwrap(), d(2026, 4, 29));
        assert_eq!(
            cal.working_days_between(d(2026, 4, 27), d(2026, 5, 4))
                .unwrap(),
            2
        );
    }
}
