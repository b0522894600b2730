//! Schema migrations, one SQL file per backend per version, embedded in the binary.
//!
//! Each migration runs in its own write transaction together with its row in
//! `schema_migrations`, so a failed migration leaves the schema as it was. A checksum of the
//! applied text is kept: a migration edited after it ran, or a database from a newer motcua, is
//! refused rather than guessed at.

use crate::db::{Backend, Db, Tx, on_read, on_tx};
use crate::error::StoreError;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration, in order. Versions are consecutive from 1.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_calendar_years"),
    migration!(3, "0003_organisation"),
    migration!(4, "0004_catalogue"),
    migration!(5, "0005_catalogue_publishing"),
    migration!(6, "0006_dossiers"),
    migration!(7, "0007_alerts_outbox"),
    migration!(8, "0008_outbox_by_channel"),
    migration!(9, "0009_dossier_evaluations"),
    migration!(10, "0010_report_counts"),
    migration!(11, "0011_queue_indexes"),
    migration!(12, "0012_dossier_timelines"),
    migration!(13, "0013_dossier_lookups"),
    migration!(14, "0014_provider_tokens"),
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied: Vec<i64>,
    pub version: i64,
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

impl Db {
    /// Applies every migration the database lacks. Safe to run from several processes at once.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let mut applied = Vec::new();
        for migration in MIGRATIONS {
            let mut tx = self.begin().await?;
            lock(&mut tx).await?;
            let existing = applied_checksum(&mut tx, migration.version).await?;
            let sql = migration.sql(tx.backend());
            let checksum = checksum(sql);
            match existing {
                Some(found) if found == checksum => continue,
                Some(_) => {
                    return Err(StoreError::Conflict(format!(
                        "migration {} ({}) differs from the one applied to this database",
                        migration.version, migration.name
                    )));
                }
                None => {}
            }
            on_tx!(&mut tx, |conn| {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(migration.version)
                .bind(migration.name)
                .bind(&checksum)
                .bind(now_micros())
                .execute(&mut *conn)
                .await?;
            });
            tx.commit().await?;
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "migration applied"
            );
            applied.push(migration.version);
        }
        if !applied.is_empty() {
            self.empty_sqlite_log().await?;
        }
        let version = self.schema_version().await?;
        if version >= 10 {
            self.ensure_report_counts().await?;
        }
        if version > latest_version() {
            return Err(StoreError::Conflict(format!(
                "the database is at schema version {version}, newer than this motcua knows ({}); \
                 run a newer motcua",
                latest_version()
            )));
        }
        Ok(MigrationReport { applied, version })
    }

    /// The highest migration applied, 0 for an empty database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let exists = self.table_exists("schema_migrations").await?;
        if !exists {
            return Ok(0);
        }
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM schema_migrations")
                .fetch_one(pool)
                .await?
        })
        .unwrap_or(0))
    }

    pub(crate) async fn table_exists(&self, table: &str) -> Result<bool, StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = $1"
            }
        };
        let n: i64 = on_read!(self, |pool| {
            sqlx::query_scalar(sql).bind(table).fetch_one(pool).await?
        });
        Ok(n > 0)
    }
}

/// Serialises migrations across processes: SQLite's IMMEDIATE transaction already holds the
/// write lock; PostgreSQL takes a transaction-scoped advisory lock.
pub(crate) async fn lock(tx: &mut Tx) -> Result<(), StoreError> {
    if let Tx::Postgres(tx) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(7306683100)")
            .execute(&mut **tx)
            .await?;
    }
    on_tx!(tx, |conn| {
        sqlx::raw_sql(CREATE_TABLE).execute(&mut *conn).await?;
    });
    Ok(())
}

async fn applied_checksum(tx: &mut Tx, version: i64) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, String>("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?
    }))
}

/// FNV-1a over the migration text: enough to notice an edit, not a security measure.
fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

pub fn now_micros() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
    }

    #[test]
    fn every_migration_exists_for_both_backends() {
        for m in MIGRATIONS {
            assert!(!m.sqlite.trim().is_empty(), "{} sqlite", m.name);
            assert!(!m.postgres.trim().is_empty(), "{} postgres", m.name);
        }
    }
}
