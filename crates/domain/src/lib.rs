//! The rules of the one-stop system, as pure functions of data: no I/O, no database, no clock.
//!
//! - [`catalogue`]: procedures, their methods, components and internal workflows; import checks.
//! - [`evaluation`]: the applicant's evaluation of a returned dossier, nine indicators.
//! - [`organisation`]: administrative units, agencies and their electronic identifiers, roles.
//! - [`people`]: accounts, password policy, login names.
//! - [`search`]: finding procedures by folded words, with facets.
//! - [`text`]: Vietnamese text folded for search.

pub mod catalogue;
pub mod dossier;
pub mod evaluation;
pub mod organisation;
pub mod people;
pub mod procedure_diff;
pub mod publication;
pub mod report;
pub mod search;
pub mod text;
