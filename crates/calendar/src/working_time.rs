//! Everything deadlines of a province are computed with: the working-day calendar, the default
//! office hours, and the agencies that keep other hours.

use std::collections::BTreeMap;

use crate::calendar::{DEFAULT_YEARS, WorkCalendar};
use crate::deadline::Rules;
use crate::office::OfficeHours;
use crate::year::YearData;

#[derive(Debug, Clone)]
pub struct WorkingTime {
    pub calendar: WorkCalendar,
    pub hours: OfficeHours,
    /// Office hours by agency identifier, where they differ from `hours`.
    pub agency_hours: BTreeMap<String, OfficeHours>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no agency '{0}' has office hours configured")]
pub struct UnknownAgency(pub String);

impl WorkingTime {
    /// A calendar over [`DEFAULT_YEARS`] from the given official years (later entries for the
    /// same year win: shipped files, then local files, then the administrator's edits).
    pub fn new(
        official: Vec<YearData>,
        hours: OfficeHours,
        agency_hours: BTreeMap<String, OfficeHours>,
    ) -> WorkingTime {
        let mut by_year: BTreeMap<i32, YearData> = BTreeMap::new();
        for year in official {
            by_year.insert(year.year, year);
        }
        let years: Vec<YearData> = by_year.into_values().collect();
        WorkingTime {
            calendar: WorkCalendar::build(DEFAULT_YEARS, &years),
            hours,
            agency_hours,
        }
    }

    /// The rules for an agency (its own office hours, or the default), or the default rules.
    pub fn rules(&self, agency: Option<&str>) -> Result<Rules<'_>, UnknownAgency> {
        let hours = match agency {
            None => self.hours,
            Some(id) => *self
                .agency_hours
                .get(id)
                .ok_or_else(|| UnknownAgency(id.to_string()))?,
        };
        Ok(Rules::new(&self.calendar, hours))
    }
}
