//! Calendar years saved by administrators, as versions (see migration 0002).

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::migrate::now_micros;

/// One saved version of a year: `data` is the year as JSON (the calendar crate's `YearData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYearVersion {
    pub year: i64,
    pub version: i64,
    pub data: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: i64,
}

type Row = (i64, i64, String, String, String, i64);

fn from_row((year, version, data, reason, created_by, created_at): Row) -> CalendarYearVersion {
    CalendarYearVersion {
        year,
        version,
        data,
        reason,
        created_by,
        created_at,
    }
}

impl Db {
    /// The version in force of every saved year, by year.
    pub async fn calendar_years_in_force(&self) -> Result<Vec<CalendarYearVersion>, StoreError> {
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT v.year, v.version, v.data, v.reason, v.created_by, v.created_at
                 FROM calendar_year_versions v
                 WHERE v.version = (SELECT MAX(w.version) FROM calendar_year_versions w WHERE w.year = v.year)
                 ORDER BY v.year",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Every version of one year, newest first.
    pub async fn calendar_year_history(
        &self,
        year: i64,
    ) -> Result<Vec<CalendarYearVersion>, StoreError> {
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT year, version, data, reason, created_by, created_at
                 FROM calendar_year_versions WHERE year = $1 ORDER BY version DESC",
            )
            .bind(year)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(from_row).collect())
    }
}

impl Tx {
    /// Saves a new version of `year`; returns its version number. Two administrators saving at
    /// once get consecutive versions, or one of them a conflict, never a lost edit.
    pub async fn save_calendar_year(
        &mut self,
        year: i64,
        data: &str,
        reason: &str,
        created_by: &str,
    ) -> Result<i64, StoreError> {
        let version = on_tx!(self, |conn| {
            let current: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(version) FROM calendar_year_versions WHERE year = $1",
            )
            .bind(year)
            .fetch_one(&mut *conn)
            .await?;
            let version = current.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO calendar_year_versions (year, version, data, reason, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(year)
            .bind(version)
            .bind(data)
            .bind(reason)
            .bind(created_by)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
            version
        });
        Ok(version)
    }
}
