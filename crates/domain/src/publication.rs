//! Publication deadlines of the catalogue (Decree 63/2010 as amended by Decree 92/2017): the
//! province's decision publishing a procedure comes some working days before the legal document
//! behind it takes effect, and the procedure is entered in the national database within some
//! working days of the decision. The numbers are data (`Rules`), not code.

use motcua_calendar::{Date, OutOfRange, WorkCalendar};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Working days between the decision and the day the legal document takes effect.
    pub decision_before_effect: u32,
    /// Working days after the decision within which it is entered in the national database.
    pub entry_within: u32,
    /// How many working days ahead a coming deadline is flagged.
    pub warn_within: u32,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            decision_before_effect: 5,
            entry_within: 5,
            warn_within: 3,
        }
    }
}

/// Where a deadline stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Done on or before the deadline.
    Met,
    /// Done, but after the deadline, by so many working days.
    MetLate(i64),
    /// Not done; so many working days remain (0: today is the last day).
    Open { left: i64, warn: bool },
    /// Not done and the deadline has passed, by so many working days.
    Missed(i64),
}

impl Standing {
    pub fn vietnamese(self) -> String {
        match self {
            Standing::Met => "Đã thực hiện đúng hạn".into(),
            Standing::MetLate(n) => format!("Đã thực hiện, chậm {n} ngày làm việc"),
            Standing::Open { left: 0, .. } => "Hạn cuối là hôm nay".into(),
            Standing::Open { left, .. } => format!("Còn {left} ngày làm việc"),
            Standing::Missed(n) => format!("Quá hạn {n} ngày làm việc"),
        }
    }

    /// A class for the badge on screen: `ok`, `warn` or `late`.
    pub fn tone(self) -> &'static str {
        match self {
            Standing::Met | Standing::Open { warn: false, .. } => "ok",
            Standing::Open { warn: true, .. } => "warn",
            Standing::MetLate(_) | Standing::Missed(_) => "late",
        }
    }
}

impl Rules {
    /// The last day for the decision, when the legal document takes effect on `effective`.
    pub fn decision_due(&self, cal: &WorkCalendar, effective: Date) -> Result<Date, OutOfRange> {
        let rank = cal.rank(effective)?;
        cal.working_day(rank.saturating_sub(self.decision_before_effect))
    }

    /// The last day to enter a decision of `decided` in the national database.
    pub fn entry_due(&self, cal: &WorkCalendar, decided: Date) -> Result<Date, OutOfRange> {
        cal.working_day(cal.rank(decided)? + self.entry_within)
    }

    /// Where a deadline `due` stands on `today`, given when (if) it was done.
    pub fn standing(
        &self,
        cal: &WorkCalendar,
        due: Date,
        done: Option<Date>,
        today: Date,
    ) -> Result<Standing, OutOfRange> {
        Ok(match done {
            Some(d) if d <= due => Standing::Met,
            Some(d) => Standing::MetLate(cal.working_days_between(due, d)?),
            None if today <= due => {
                let left = cal.working_days_between(today, due)?;
                Standing::Open {
                    left,
                    warn: left < i64::from(self.warn_within),
                }
            }
            None => Standing::Missed(cal.working_days_between(due, today)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::official;

    fn cal() -> WorkCalendar {
        WorkCalendar::build(2024..=2027, &official::shipped().unwrap())
    }

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn deadlines_count_working_days_around_holidays() {
        let (rules, cal) = (Rules::default(), cal());
        // Effective Monday 4 May 2026: 30 April and 1 May are holidays, and Monday 27 April
        // makes up for Hùng Kings' Day on a Sunday, so the five working days before are 29, 28,
        // 24, 23 and 22 April.
        assert_eq!(
            rules.decision_due(&cal, d("2026-05-04")).unwrap(),
            d("2026-04-22")
        );
        // Effective on a Saturday: five working days before it.
        assert_eq!(
            rules.decision_due(&cal, d("2026-03-14")).unwrap(),
            d("2026-03-09")
        );
        // Decided Friday 13 February 2026, before Tết (16–20 February off): due 27 February.
        assert_eq!(
            rules.entry_due(&cal, d("2026-02-13")).unwrap(),
            d("2026-02-27")
        );
    }

    #[test]
    fn standing_on_a_day() {
        let (rules, cal) = (Rules::default(), cal());
        let due = d("2026-03-13");
        let at = |done: Option<&str>, today: &str| {
            rules.standing(&cal, due, done.map(d), d(today)).unwrap()
        };
        assert_eq!(at(Some("2026-03-13"), "2026-03-20"), Standing::Met);
        assert_eq!(at(Some("2026-03-17"), "2026-03-20"), Standing::MetLate(2));
        assert_eq!(
            at(None, "2026-03-02"),
            Standing::Open {
                left: 9,
                warn: false
            }
        );
        assert_eq!(
            at(None, "2026-03-11"),
            Standing::Open {
                left: 2,
                warn: true
            }
        );
        assert_eq!(at(None, "2026-03-13").vietnamese(), "Hạn cuối là hôm nay");
        assert_eq!(at(None, "2026-03-16"), Standing::Missed(1));
        assert_eq!(at(None, "2026-03-16").tone(), "late");
    }
}
