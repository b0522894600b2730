//! Documents for people: the catalogue workbook (XLSX) now; PDF forms, reports and charts later.

pub mod catalogue_xlsx;
