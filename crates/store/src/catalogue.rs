//! Sectors, procedure versions and form files (see migrations 0004 and 0005).
//!
//! A procedure is a series of versions. The one in force on a day is, among its published
//! versions that have begun by then, the one that began last (the higher version number on the
//! same day), unless that one was ended. A draft is a single row per procedure, edited in place
//! until it is published.

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

/// A version without its record: what lists and deadline tracking need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSummary {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sector: String,
    pub level: String,
    pub status: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub note: String,
    pub decided_on: Option<String>,
    pub law_effective: Option<String>,
    pub national_entered: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
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
    pub note: &'a str,
    pub decided_on: &'a str,
    /// Empty when not known.
    pub law_effective: &'a str,
}

/// A form's template file, as offered for download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFile {
    pub procedure_code: String,
    pub form: String,
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
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

const COLUMNS: &str = "v.id, v.code, v.version, v.name, v.sector, v.level, v.data, v.search_text, v.status, v.valid_from, v.valid_until, v.created_at";

const SUMMARY_COLUMNS: &str = "code, version, name, sector, level, status, valid_from, valid_until, note, decided_on, law_effective, national_entered, created_by, created_at, published_by, published_at";

type SummaryRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
    Option<i64>,
);

fn summary(r: SummaryRow) -> VersionSummary {
    VersionSummary {
        code: r.0,
        version: r.1,
        name: r.2,
        sector: r.3,
        level: r.4,
        status: r.5,
        valid_from: r.6,
        valid_until: r.7,
        note: r.8,
        decided_on: r.9,
        law_effective: r.10,
        national_entered: r.11,
        created_by: r.12,
        created_at: r.13,
        published_by: r.14,
        published_at: r.15,
    }
}

/// The published versions in force on `$1`: begun, not superseded by a later beginning, not
/// ended.
const IN_FORCE: &str = "v.status = 'published' AND v.valid_from <= $1
    AND (v.valid_until IS NULL OR v.valid_until > $1)
    AND NOT EXISTS (
        SELECT 1 FROM procedure_versions w
        WHERE w.code = v.code AND w.status = 'published' AND w.valid_from <= $1
          AND (w.valid_from > v.valid_from OR (w.valid_from = v.valid_from AND w.version > v.version)))";

impl Db {
    /// Changes whenever a procedure version is added or changes (every change sets
    /// `updated_at`) or a form file is added: (rows, the latest change).
    pub async fn catalogue_stamp(&self) -> Result<(i64, i64), StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), CAST(COALESCE(MAX(t), 0) AS BIGINT) FROM (
                   SELECT COALESCE(updated_at, created_at) AS t FROM procedure_versions
                   UNION ALL SELECT uploaded_at FROM form_files) changes",
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

    /// The version of every procedure in force on `date`.
    pub async fn procedures_in_force(&self, date: &str) -> Result<Vec<ProcedureRow>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM procedure_versions v WHERE {IN_FORCE} ORDER BY v.name");
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(row).collect())
    }

    /// The version of one procedure in force on `date`, if any.
    pub async fn procedure_in_force(
        &self,
        code: &str,
        date: &str,
    ) -> Result<Option<ProcedureRow>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM procedure_versions v WHERE v.code = $2 AND {IN_FORCE}");
        let found: Option<Row> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.map(row))
    }

    /// Every version of a procedure, newest first.
    pub async fn procedure_versions(&self, code: &str) -> Result<Vec<ProcedureRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM procedure_versions v WHERE v.code = $1 ORDER BY v.version DESC"
        );
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(row).collect())
    }

    /// Every version of every procedure without the records, by code then version.
    pub async fn version_summaries(&self) -> Result<Vec<VersionSummary>, StoreError> {
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM procedure_versions ORDER BY code, version");
        let rows: Vec<SummaryRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(summary).collect())
    }

    /// The versions of one procedure without their records, newest first.
    pub async fn procedure_history(&self, code: &str) -> Result<Vec<VersionSummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM procedure_versions WHERE code = $1 ORDER BY version DESC"
        );
        let rows: Vec<SummaryRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(summary).collect())
    }

    /// The newest template file of each form of a procedure.
    pub async fn form_files(&self, code: &str) -> Result<Vec<FormFile>, StoreError> {
        self.newest_form_files(Some(code)).await
    }

    /// The newest template file of each form of every procedure, by procedure and form.
    pub async fn all_form_files(&self) -> Result<Vec<FormFile>, StoreError> {
        self.newest_form_files(None).await
    }

    async fn newest_form_files(&self, code: Option<&str>) -> Result<Vec<FormFile>, StoreError> {
        type FileRow = (String, String, String, String, String, i64, String, i64);
        let rows: Vec<FileRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT f.procedure_code, f.form, f.sha256, f.file_name, x.media_type, x.size, f.uploaded_by, f.uploaded_at
                 FROM form_files f JOIN files x ON x.sha256 = f.sha256
                 WHERE ($1 IS NULL OR f.procedure_code = $1) AND NOT EXISTS (
                   SELECT 1 FROM form_files g
                   WHERE g.procedure_code = f.procedure_code AND g.form = f.form AND g.id > f.id)
                 ORDER BY f.procedure_code, f.form",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| FormFile {
                procedure_code: r.0,
                form: r.1,
                sha256: r.2,
                file_name: r.3,
                media_type: r.4,
                size: r.5,
                uploaded_by: r.6,
                uploaded_at: r.7,
            })
            .collect())
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

    /// Adds the next version of a procedure; returns its version number. A second draft of one
    /// procedure is refused (`procedure_versions_one_draft`): drafts are edited with
    /// `update_draft`.
    pub async fn add_procedure_version(
        &mut self,
        p: &NewProcedureVersion<'_>,
    ) -> Result<i64, StoreError> {
        let now = now_micros();
        let published_at = (p.status == "published").then_some(now);
        let published_by = (p.status == "published").then_some(p.created_by);
        let law_effective = (!p.law_effective.is_empty()).then_some(p.law_effective);
        Ok(on_tx!(self, |conn| {
            let current: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM procedure_versions WHERE code = $1")
                    .bind(p.code)
                    .fetch_one(&mut *conn)
                    .await?;
            let version = current.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO procedure_versions
                   (code, version, name, sector, level, data, search_text, status, valid_from, created_by, created_at,
                    note, decided_on, law_effective, published_by, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
            .bind(now)
            .bind(p.note)
            .bind(p.decided_on)
            .bind(law_effective)
            .bind(published_by)
            .bind(published_at)
            .execute(&mut *conn)
            .await?;
            version
        }))
    }

    /// Replaces the record of a procedure's draft. `NotFound` when it has no draft.
    pub async fn update_draft(&mut self, p: &NewProcedureVersion<'_>) -> Result<i64, StoreError> {
        let law_effective = (!p.law_effective.is_empty()).then_some(p.law_effective);
        let version: Option<i64> = on_tx!(self, |conn| {
            sqlx::query_scalar(
                "UPDATE procedure_versions
                 SET name = $2, sector = $3, level = $4, data = $5, search_text = $6, valid_from = $7,
                     note = $8, decided_on = $9, law_effective = $10, updated_at = $11
                 WHERE code = $1 AND status = 'draft' RETURNING version",
            )
            .bind(p.code)
            .bind(p.name)
            .bind(p.sector)
            .bind(p.level)
            .bind(p.data)
            .bind(p.search_text)
            .bind(p.valid_from)
            .bind(p.note)
            .bind(p.decided_on)
            .bind(law_effective)
            .bind(now_micros())
            .fetch_optional(&mut *conn)
            .await?
        });
        version.ok_or(StoreError::NotFound)
    }

    /// Publishes a procedure's draft from `valid_from`. `NotFound` when `version` is not its
    /// draft.
    pub async fn publish_draft(
        &mut self,
        code: &str,
        version: i64,
        valid_from: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let changed = on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE procedure_versions
                 SET status = 'published', valid_from = $3, published_by = $4, published_at = $5, updated_at = $5
                 WHERE code = $1 AND version = $2 AND status = 'draft'",
            )
            .bind(code)
            .bind(version)
            .bind(valid_from)
            .bind(by)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends a published version from `until` (it is no longer in force that day). `NotFound`
    /// when the version is not published or already ended.
    pub async fn end_version(
        &mut self,
        code: &str,
        version: i64,
        until: &str,
    ) -> Result<(), StoreError> {
        let changed = on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE procedure_versions SET valid_until = $3, updated_at = $4
                 WHERE code = $1 AND version = $2 AND status = 'published' AND valid_until IS NULL",
            )
            .bind(code)
            .bind(version)
            .bind(until)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Withdraws a draft, or a published version that has not begun on `today`. `NotFound`
    /// otherwise: what has been in force stays in the record.
    pub async fn withdraw_version(
        &mut self,
        code: &str,
        version: i64,
        today: &str,
    ) -> Result<(), StoreError> {
        let changed = on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE procedure_versions SET status = 'withdrawn', updated_at = $4
                 WHERE code = $1 AND version = $2
                   AND (status = 'draft' OR (status = 'published' AND valid_from > $3))",
            )
            .bind(code)
            .bind(version)
            .bind(today)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records the day a published version was entered in the national procedure database.
    pub async fn record_national_entry(
        &mut self,
        code: &str,
        version: i64,
        on: &str,
    ) -> Result<(), StoreError> {
        let changed = on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE procedure_versions SET national_entered = $3, updated_at = $4
                 WHERE code = $1 AND version = $2 AND status = 'published'",
            )
            .bind(code)
            .bind(version)
            .bind(on)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records every published version not yet entered in the national database as entered on
    /// its decision's day (for sample data that stands for a province at work).
    pub async fn mark_entered_when_decided(&mut self) -> Result<u64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE procedure_versions SET national_entered = decided_on
                 WHERE status = 'published' AND national_entered IS NULL AND decided_on IS NOT NULL",
            )
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }))
    }

    /// Records a file kept in the file store (once per content).
    pub async fn add_file(
        &mut self,
        sha256: &str,
        size: i64,
        media_type: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO files (sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(sha256)
            .bind(size)
            .bind(media_type)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Offers `sha256` as the template file of a procedure's form from now on.
    pub async fn add_form_file(
        &mut self,
        code: &str,
        form: &str,
        sha256: &str,
        file_name: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO form_files (procedure_code, form, sha256, file_name, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(code)
            .bind(form)
            .bind(sha256)
            .bind(file_name)
            .bind(by)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
