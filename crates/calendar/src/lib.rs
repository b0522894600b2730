//! The working-time calendar of motcua: Vietnam's lunar calendar, public holidays, office hours
//! and deadline arithmetic. Pure functions of data: no I/O, no clock, no database.
//!
//! - [`date`]: civil dates as day numbers; instants and Vietnam time (UTC+7).
//! - [`lunar`]: the Vietnamese lunisolar calendar (Hồ Ngọc Đức's algorithm, UTC+7).
//! - [`year`]: a year's days off and make-up days, official or by the Labour Code's rules.
//! - [`calendar`]: the precomputed index of working days over many years.
//! - [`office`]: office hours and the daily cut-off.
//! - [`deadline`]: appointment dates, elapsed working time, pauses, early / on time / late.
//! - [`official`]: the official yearly calendars shipped with motcua.
//! - [`working_time`]: a calendar with the office hours of each agency, ready to compute with.

pub mod calendar;
pub mod date;
pub mod deadline;
pub mod lunar;
pub mod office;
pub mod official;
pub mod working_time;
pub mod year;

pub use calendar::{OutOfRange, WorkCalendar};
pub use date::{Date, Instant, Weekday};
pub use deadline::{
    Appointment, DeadlineError, Duration, Finished, Granularity, Moved, Open, Policy, Rules, Unit,
};
pub use office::OfficeHours;
pub use working_time::{UnknownAgency, WorkingTime};
pub use year::{DayKind, SpecialDay, YearData, YearFileError};
