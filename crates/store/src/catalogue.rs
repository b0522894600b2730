//! Sectors and procedure versions (see migration 0004).

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::migrate::now_micros;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRow {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sector: String,
    pub level: String,
    /// The record as JSON (the catalogue format).
    pub data: String,
    pub search_text: String,
    pub status: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    /// When the version was recorded (microseconds since the epoch).
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProcedureVersion<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub sector: &'a str,
    pub level: &'a str,
    pub data: &'a str,
    pub search_text: &'a str,
    pub status: &'a str,
    pub valid_from: &'a str,
    pub created_by: &'a str,
}

type Row = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
);

fn row(r: Row) -> ProcedureRow {
    ProcedureRow {
        id: r.0,
        code: r.1,
        version: r.2,
        name: r.3,
        sector: r.4,
        level: r.5,
        data: r.6,
        search_text: r.7,
        status: r.8,
        valid_from: r.9,
        valid_until: r.10,
        created_at: r.11,
    }
}

const COLUMNS: &str = "id, code, version, name, sector, level, data, search_text, status, valid_from, valid_until, created_at";

impl Db {
    /// Changes whenever a procedure version is added: (rows, highest id).
    pub async fn catalogue_stamp(&self) -> Result<(i64, i64), StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM procedure_versions",
            )
            .fetch_one(pool)
            .await?
        }))
    }

    pub async fn sectors(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (String, String)>("SELECT code, name FROM sectors ORDER BY name")
                .fetch_all(pool)
                .await?
        }))
    }

    /// The published version of every procedure in force on `date`.
    pub async fn procedures_in_force(&self, date: &str) -> Result<Vec<ProcedureRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM procedure_versions
             WHERE status = 'published' AND valid_from <= $1 AND (valid_until IS NULL OR valid_until > $1)
             ORDER BY name"
        );
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(row).collect())
    }

    /// Every version of a procedure, newest first.
    pub async fn procedure_versions(&self, code: &str) -> Result<Vec<ProcedureRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM procedure_versions WHERE code = $1 ORDER BY version DESC"
        );
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(row).collect())
    }
}

impl Tx {
    pub async fn upsert_sector(&mut self, code: &str, name: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO sectors (code, name) VALUES ($1, $2)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            )
            .bind(code)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Adds the next version of a procedure; returns its version number.
    pub async fn add_procedure_version(
        &mut self,
        p: &NewProcedureVersion<'_>,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, |conn| {
            let current: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM procedure_versions WHERE code = $1")
                    .bind(p.code)
                    .fetch_one(&mut *conn)
                    .await?;
            let version = current.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO procedure_versions
                   (code, version, name, sector, level, data, search_text, status, valid_from, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(p.code)
            .bind(version)
            .bind(p.name)
            .bind(p.sector)
            .bind(p.level)
            .bind(p.data)
            .bind(p.search_text)
            .bind(p.status)
            .bind(p.valid_from)
            .bind(p.created_by)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
            version
        }))
    }
}
