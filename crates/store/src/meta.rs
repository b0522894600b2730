//! `app_meta`: small facts about this installation, by key.

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::migrate::now_micros;

impl Db {
    pub async fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar::<_, String>("SELECT value FROM app_meta WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
        }))
    }
}

impl Tx {
    /// Sets `key`, replacing any value it had.
    pub async fn meta_set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO app_meta (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(value)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Inserts `key`; fails with a unique-constraint error if it exists.
    pub async fn meta_insert(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("INSERT INTO app_meta (key, value, updated_at) VALUES ($1, $2, $3)")
                .bind(key)
                .bind(value)
                .bind(now_micros())
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }
}
