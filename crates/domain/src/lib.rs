//! The rules of the one-stop system, as pure functions of data: no I/O, no database, no clock.
//!
//! - [`organisation`]: administrative units, agencies and their electronic identifiers, roles.
//! - [`people`]: accounts, password policy, login names.

pub mod organisation;
pub mod people;
