//! Documents for people: the catalogue workbook (XLSX), PDF papers and the one-stop forms.

pub mod catalogue_xlsx;
pub mod charts;
pub mod dashboard;
pub mod forms;
pub mod pdf;
pub mod reports;
