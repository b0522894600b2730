//! Assembling the working-time calendar at start-up: the years shipped in the binary, then the
//! files of `calendar.dir`, then the years an administrator saved in the database, later ones
//! winning. A file that cannot be read stops motcua: a wrong calendar gives wrong dates.

use std::path::Path;

use motcua_calendar::year::parse_year_file;
use motcua_calendar::{YearData, official};
use motcua_web::TimeSetup;

use crate::Failure;
use crate::config::Config;

/// The official years of `dir` (`*.toml`), in name order.
fn read_dir_years(dir: &Path) -> Result<Vec<YearData>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::usage(format!(
            "cannot read the calendar folder {}: {e}; fix calendar.dir in the configuration",
            dir.display()
        ))
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::run(format!("cannot read {}: {e}", path.display())))?;
            parse_year_file(&path.display().to_string(), &text).map_err(|e| {
                Failure::run(format!(
                    "{e}; motcua will not compute dates from a calendar it cannot read, so fix or remove the file"
                ))
            })
        })
        .collect()
}

/// The years shipped in the binary and those of `calendar.dir`: everything but the database.
pub fn local_years(config: &Config) -> Result<Vec<YearData>, Failure> {
    let mut years = official::shipped()
        .map_err(|e| Failure::run(format!("a calendar shipped with motcua is malformed: {e}")))?;
    if let Some(dir) = &config.calendar_dir {
        years.extend(read_dir_years(dir)?);
    }
    Ok(years)
}

/// What the calendar is built from, besides the saved years.
pub fn setup(config: &Config, local_years: Vec<YearData>) -> TimeSetup {
    TimeSetup {
        local_years,
        hours: config.office_hours,
        agency_hours: config.agency_hours.clone(),
    }
}
