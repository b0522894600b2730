//! What the benchmark reads and arranges around the application's own queries: whether a
//! database is empty, how large it is, how many dossiers an agency holds open, and a catalogue
//! in force over the past years it generates.

use motcua_calendar::Date;
use sqlx::Row;

use crate::db::{Backend, Db, on_read, on_tx};
use crate::error::StoreError;

impl Db {
    /// Tables in the database, the store's own or any other: zero for an empty one.
    pub async fn table_count(&self) -> Result<i64, StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            }
        };
        Ok(on_read!(self, |pool| {
            sqlx::query(sql)
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>(0)?
        }))
    }

    /// The database's size in bytes on PostgreSQL; `None` on SQLite, whose files the caller
    /// measures.
    pub async fn postgres_size(&self) -> Result<Option<i64>, StoreError> {
        if self.backend() == Backend::Sqlite {
            return Ok(None);
        }
        Ok(Some(on_read!(self, |pool| {
            sqlx::query("SELECT CAST(pg_database_size(current_database()) AS BIGINT)")
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>(0)?
        })))
    }

    /// Open dossiers decided by the agency identified `identifier` or one below it in the
    /// identifier scheme (`H99.06` and `H99.06.01`).
    pub async fn open_dossiers_decided_under(&self, identifier: &str) -> Result<i64, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query(
                "SELECT COUNT(*) FROM dossiers
                 WHERE finished_at IS NULL AND deciding_agency_id IN (
                   SELECT agency_id FROM agency_identifiers
                   WHERE identifier = $1 OR identifier LIKE $2)",
            )
            .bind(identifier)
            .bind(format!("{identifier}.%"))
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>(0)?
        }))
    }

    /// Puts every procedure's first version in force from `day` where it began later, so that
    /// dossiers generated over past years find a catalogue on each of their days. Only for a
    /// generated province: a real catalogue's dates are the law's.
    pub async fn backdate_first_versions(&self, day: Date) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE procedure_versions SET valid_from = $1
                 WHERE valid_from > $1 AND NOT EXISTS (
                   SELECT 1 FROM procedure_versions o
                   WHERE o.code = procedure_versions.code AND o.version < procedure_versions.version)",
            )
            .bind(day.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(changed)
    }
}
