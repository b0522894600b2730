//! Copying a whole database to another backend (`motcua migrate-db`), and proving the copy.
//!
//! The target is migrated to the same schema version as the source, must be empty, and receives
//! every row in a single transaction, so a failed copy leaves it empty. Afterwards the target is
//! read back: each table must have the same row count and the same content digest (an
//! order-independent hash of every value) as the source had.
//!
//! [`TABLES`] lists every table with its columns, in an order that satisfies foreign keys. A
//! conformance test compares it with the live schema on both backends, so a migration that adds
//! a table or column without adding it here fails the tests.

use futures_util::TryStreamExt;

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::migrate::latest_version;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Text,
    Blob,
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    /// Whether `id` is generated (SQLite rowid, PostgreSQL identity): after a copy into
    /// PostgreSQL its sequence must continue past the copied ids.
    pub identity: bool,
}

use ColumnType::*;

/// Every table that holds data, parents before children. `schema_migrations` is not copied: the
/// target gets its own by migrating.
pub const TABLES: &[Table] = &[
    Table {
        name: "app_meta",
        columns: &[("key", Text), ("value", Text), ("updated_at", Int)],
        identity: false,
    },
    Table {
        name: "calendar_year_versions",
        columns: &[
            ("year", Int),
            ("version", Int),
            ("data", Text),
            ("reason", Text),
            ("created_by", Text),
            ("created_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "units",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("kind", Text),
            ("parent_id", Int),
            ("valid_from", Text),
            ("valid_until", Text),
            ("created_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "unit_links",
        columns: &[
            ("from_unit_id", Int),
            ("to_unit_id", Int),
            ("kind", Text),
            ("effective", Text),
        ],
        identity: false,
    },
    Table {
        name: "agencies",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("kind", Text),
            ("unit_id", Int),
            ("parent_id", Int),
            ("address", Text),
            ("phone", Text),
            ("email", Text),
            ("valid_from", Text),
            ("valid_until", Text),
            ("created_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "agency_identifiers",
        columns: &[
            ("agency_id", Int),
            ("identifier", Text),
            ("valid_from", Text),
            ("valid_until", Text),
        ],
        identity: false,
    },
    Table {
        name: "desks",
        columns: &[
            ("id", Int),
            ("agency_id", Int),
            ("name", Text),
            ("address", Text),
            ("active", Int),
        ],
        identity: true,
    },
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("login", Text),
            ("kind", Text),
            ("full_name", Text),
            ("position", Text),
            ("agency_id", Int),
            ("phone", Text),
            ("email", Text),
            ("password_hash", Text),
            ("must_change_password", Int),
            ("active", Int),
            ("created_at", Int),
            ("password_changed_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "role_grants",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("role", Text),
            ("agency_id", Int),
            ("with_children", Int),
            ("granted_by", Int),
            ("granted_at", Int),
            ("revoked_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Text),
            ("user_id", Int),
            ("created_at", Int),
            ("last_seen_at", Int),
            ("expires_at", Int),
            ("ip", Text),
            ("user_agent", Text),
            ("revoked_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "login_failures",
        columns: &[("id", Int), ("login", Text), ("ip", Text), ("at", Int)],
        identity: true,
    },
    Table {
        name: "access_tokens",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("name", Text),
            ("token_hash", Text),
            ("scopes", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("revoked_at", Int),
            ("last_used_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "sectors",
        columns: &[("code", Text), ("name", Text)],
        identity: false,
    },
    Table {
        name: "procedure_versions",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("version", Int),
            ("name", Text),
            ("sector", Text),
            ("level", Text),
            ("data", Text),
            ("search_text", Text),
            ("status", Text),
            ("valid_from", Text),
            ("valid_until", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("note", Text),
            ("decided_on", Text),
            ("law_effective", Text),
            ("national_entered", Text),
            ("updated_at", Int),
            ("published_by", Text),
            ("published_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "files",
        columns: &[
            ("sha256", Text),
            ("size", Int),
            ("media_type", Text),
            ("created_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "form_files",
        columns: &[
            ("id", Int),
            ("procedure_code", Text),
            ("form", Text),
            ("sha256", Text),
            ("file_name", Text),
            ("uploaded_by", Text),
            ("uploaded_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "dossiers",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("lookup_hash", Text),
            ("created_by", Text),
            ("idempotency_key", Text),
            ("procedure_code", Text),
            ("procedure_version", Int),
            ("sector", Text),
            ("level", Text),
            ("desk_agency_id", Int),
            ("deciding_agency_id", Int),
            ("channel", Text),
            ("stage", Text),
            ("step", Int),
            ("assignee", Text),
            ("applicant_name", Text),
            ("applicant_id_number", Text),
            ("applicant_login", Text),
            ("submitted_at", Int),
            ("received_at", Int),
            ("due_at", Int),
            ("step_due_at", Int),
            ("paused_since", Int),
            ("finished_at", Int),
            ("outcome", Text),
            ("version", Int),
            ("state", Text),
            ("last_hash", Text),
            ("updated_at", Int),
            ("counts_late", Int),
            ("digitised", Int),
        ],
        identity: true,
    },
    Table {
        name: "dossier_events",
        columns: &[
            ("dossier_id", Int),
            ("seq", Int),
            ("kind", Text),
            ("payload", Text),
            ("at", Int),
            ("actor", Text),
            ("actor_role", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
        identity: false,
    },
    Table {
        name: "dossier_lookups",
        columns: &[
            ("code", Text),
            ("lookup_hash", Text),
            ("procedure_code", Text),
            ("stage", Text),
            ("applicant_name", Text),
            ("received_at", Int),
            ("due_at", Int),
            ("lines", Text),
        ],
        identity: false,
    },
    Table {
        name: "dossier_alerts",
        columns: &[
            ("dossier_id", Int),
            ("kind", Text),
            ("due_at", Int),
            ("raised_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "dossier_evaluations",
        columns: &[
            ("dossier_id", Int),
            ("total_time", Int),
            ("agency_time", Int),
            ("contacts", Int),
            ("agencies_contacted", Int),
            ("one_stop", Int),
            ("publicly_posted", Int),
            ("staff_attitude", Int),
            ("feedback_handling", Int),
            ("online_service", Int),
            ("comment", Text),
            ("channel", Text),
            ("applicant_login", Text),
            ("evaluated_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", Int),
            ("channel", Text),
            ("recipient", Text),
            ("subject", Text),
            ("body", Text),
            ("dossier_code", Text),
            ("created_at", Int),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("lease_owner", Text),
            ("lease_until", Int),
            ("sent_at", Int),
            ("last_error", Text),
        ],
        identity: true,
    },
    Table {
        name: "report_counts",
        columns: &[
            ("span", Text),
            ("bucket", Int),
            ("deciding_agency_id", Int),
            ("desk_agency_id", Int),
            ("sector", Text),
            ("level", Text),
            ("received_online", Int),
            ("received_other", Int),
            ("received_digitised", Int),
            ("early", Int),
            ("on_time", Int),
            ("late", Int),
            ("overdue_from", Int),
            ("overdue_until", Int),
        ],
        identity: false,
    },
    Table {
        name: "dossier_sequences",
        columns: &[("agency", Text), ("day", Text), ("last", Int)],
        identity: false,
    },
    Table {
        name: "provider_tokens",
        columns: &[
            ("provider", Text),
            ("access_token", Text),
            ("refresh_token", Text),
            ("expires_at", Int),
            ("configured", Text),
            ("updated_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("at", Int),
            ("actor_id", Int),
            ("actor_login", Text),
            ("ip", Text),
            ("action", Text),
            ("object_type", Text),
            ("object_id", Text),
            ("detail", Text),
        ],
        identity: true,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub rows: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the source database is at schema version {found}, this motcua expects {expected}; run `motcua migrate` on it first"
    )]
    SourceVersion { found: i64, expected: i64 },
    #[error("the target database is not empty: table {table} has {rows} rows")]
    TargetNotEmpty { table: &'static str, rows: i64 },
    #[error("verification failed for table {table}: {detail}")]
    Mismatch { table: &'static str, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

/// Rows per INSERT statement: well under both backends' limits on bound parameters.
const BATCH_VALUES: usize = 4000;

/// Copies everything from `source` into `target` and verifies the copy.
pub async fn copy_database(source: &Db, target: &Db) -> Result<Vec<TableCopy>, CopyError> {
    let found = source.schema_version().await?;
    if found != latest_version() {
        return Err(CopyError::SourceVersion {
            found,
            expected: latest_version(),
        });
    }
    target.migrate().await?;
    for table in TABLES {
        let rows = target.count_rows(table).await?;
        if rows > 0 {
            return Err(CopyError::TargetNotEmpty {
                table: table.name,
                rows,
            });
        }
    }

    let mut tx = target.begin().await?;
    let mut expected = Vec::new();
    for table in TABLES {
        let digest = copy_table(source, &mut tx, table).await?;
        expected.push((table, digest));
    }
    if let Tx::Postgres(pg) = &mut tx {
        for table in TABLES.iter().filter(|t| t.identity) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                table.name
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **pg)
                .await
                .map_err(StoreError::from)?;
        }
    }
    tx.commit().await?;

    let mut report = Vec::new();
    for (table, (rows, digest)) in expected {
        let (got_rows, got_digest) = target.digest(table).await?;
        if got_rows != rows {
            return Err(CopyError::Mismatch {
                table: table.name,
                detail: format!("{rows} rows in the source, {got_rows} in the target"),
            });
        }
        if got_digest != digest {
            return Err(CopyError::Mismatch {
                table: table.name,
                detail: "the same number of rows but different content".into(),
            });
        }
        report.push(TableCopy {
            table: table.name,
            rows,
        });
    }
    Ok(report)
}

/// Rows in id order where there is one, so a row's parent (same table) is copied before it.
fn select_sql(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let order = if table.identity { " ORDER BY id" } else { "" };
    format!("SELECT {} FROM {}{order}", columns.join(", "), table.name)
}

macro_rules! decode_row {
    ($row:expr, $table:expr) => {{
        use sqlx::Row;
        let mut values = Vec::with_capacity($table.columns.len());
        for (i, (_, ty)) in $table.columns.iter().enumerate() {
            values.push(match ty {
                ColumnType::Int => Value::Int($row.try_get(i)?),
                ColumnType::Text => Value::Text($row.try_get(i)?),
                ColumnType::Blob => Value::Blob($row.try_get(i)?),
            });
        }
        values
    }};
}

/// Streams one table from the source into the open target transaction; returns the row count
/// and digest of what was read.
async fn copy_table(source: &Db, tx: &mut Tx, table: &Table) -> Result<(i64, u64), StoreError> {
    let sql = select_sql(table);
    let per_batch = (BATCH_VALUES / table.columns.len()).max(1);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
    let mut rows = 0i64;
    let mut digest = 0u64;
    on_read!(source, |pool| {
        let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).fetch(pool);
        while let Some(row) = stream.try_next().await? {
            let values = decode_row!(row, table);
            digest = digest.wrapping_add(row_hash(&values));
            rows += 1;
            batch.push(values);
            if batch.len() == per_batch {
                insert_batch(tx, table, &batch).await?;
                batch.clear();
            }
        }
    });
    if !batch.is_empty() {
        insert_batch(tx, table, &batch).await?;
    }
    Ok((rows, digest))
}

async fn insert_batch(tx: &mut Tx, table: &Table, batch: &[Vec<Value>]) -> Result<(), StoreError> {
    let width = table.columns.len();
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name,
        columns.join(", ")
    );
    for r in 0..batch.len() {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * width + c + 1));
        }
        sql.push(')');
    }
    on_tx!(tx, |conn| {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for value in batch.iter().flatten() {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
                Value::Blob(v) => query.bind(v.clone()),
            };
        }
        query.execute(&mut *conn).await?;
    });
    Ok(())
}

/// FNV-1a over a row's values with type tags and lengths, so ("ab","c") and ("a","bc") differ.
fn row_hash(values: &[Value]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for value in values {
        match value {
            Value::Int(None) | Value::Text(None) | Value::Blob(None) => eat(&[0]),
            Value::Int(Some(v)) => {
                eat(&[1]);
                eat(&v.to_le_bytes());
            }
            Value::Text(Some(v)) => {
                eat(&[2]);
                eat(&(v.len() as u64).to_le_bytes());
                eat(v.as_bytes());
            }
            Value::Blob(Some(v)) => {
                eat(&[3]);
                eat(&(v.len() as u64).to_le_bytes());
                eat(v);
            }
        }
    }
    hash
}

impl Db {
    pub async fn count_rows(&self, table: &Table) -> Result<i64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await?
        }))
    }

    async fn digest(&self, table: &Table) -> Result<(i64, u64), StoreError> {
        let sql = select_sql(table);
        let mut rows = 0i64;
        let mut digest = 0u64;
        on_read!(self, |pool| {
            let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).fetch(pool);
            while let Some(row) = stream.try_next().await? {
                let values = decode_row!(row, table);
                digest = digest.wrapping_add(row_hash(&values));
                rows += 1;
            }
        });
        Ok((rows, digest))
    }

    /// Every (table, column) of the live schema, sorted; for checking [`TABLES`].
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>, StoreError> {
        let sql = match self.backend() {
            crate::Backend::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            }
            crate::Backend::Postgres => {
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
                 WHERE table_schema = current_schema()"
            }
        };
        let mut columns: Vec<(String, String)> =
            on_read!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await?);
        columns.sort();
        Ok(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_hash_separates_values() {
        let a = [
            Value::Text(Some("ab".into())),
            Value::Text(Some("c".into())),
        ];
        let b = [
            Value::Text(Some("a".into())),
            Value::Text(Some("bc".into())),
        ];
        assert_ne!(row_hash(&a), row_hash(&b));
        assert_ne!(
            row_hash(&[Value::Int(None)]),
            row_hash(&[Value::Int(Some(0))])
        );
    }
}
