//! The official calendars shipped with motcua, one file per year in `data/calendar/`.

use crate::year::{YearData, YearFileError, parse_year_file};

/// (file name, text) of every shipped year.
pub const FILES: &[(&str, &str)] = &[
    (
        "data/calendar/2025.toml",
        include_str!("../../../data/calendar/2025.toml"),
    ),
    (
        "data/calendar/2026.toml",
        include_str!("../../../data/calendar/2026.toml"),
    ),
];

/// Every shipped year, parsed.
pub fn shipped() -> Result<Vec<YearData>, YearFileError> {
    FILES
        .iter()
        .map(|(name, text)| parse_year_file(name, text))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_shipped_file_parses() {
        let years = super::shipped().unwrap();
        assert_eq!(years.len(), super::FILES.len());
    }
}
