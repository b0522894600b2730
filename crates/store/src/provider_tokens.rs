//! The tokens a provider renews itself (migration 0014): read, and replaced only by the process
//! that renewed the pair it read, so two processes renewing at once never overwrite a newer pair
//! with an older one.

use crate::db::{Db, on_read};
use crate::error::StoreError;
use crate::migrate::now_micros;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderToken {
    pub access_token: String,
    pub refresh_token: String,
    /// Microseconds since the epoch.
    pub expires_at: i64,
    /// SHA-256 (hex) of the configured refresh token the pair descends from.
    pub configured: String,
}

impl Db {
    pub async fn provider_token(
        &self,
        provider: &str,
    ) -> Result<Option<ProviderToken>, StoreError> {
        let row: Option<(String, String, i64, String)> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT access_token, refresh_token, expires_at, configured
                 FROM provider_tokens WHERE provider = $1",
            )
            .bind(provider)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(
            |(access_token, refresh_token, expires_at, configured)| ProviderToken {
                access_token,
                refresh_token,
                expires_at,
                configured,
            },
        ))
    }

    /// Keeps `new` in place of `read` (`None`: there was no pair). `false` when the stored pair
    /// is no longer `read`: another process renewed it meanwhile, and its pair stays.
    pub async fn replace_provider_token(
        &self,
        provider: &str,
        read: Option<&ProviderToken>,
        new: &ProviderToken,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = crate::db::on_tx!(&mut tx, |conn| {
            let query = match read {
                Some(old) => sqlx::query(
                    "UPDATE provider_tokens SET access_token = $2, refresh_token = $3,
                       expires_at = $4, configured = $5, updated_at = $6
                     WHERE provider = $1 AND refresh_token = $7",
                )
                .bind(provider)
                .bind(&new.access_token)
                .bind(&new.refresh_token)
                .bind(new.expires_at)
                .bind(&new.configured)
                .bind(now_micros())
                .bind(&old.refresh_token),
                None => sqlx::query(
                    "INSERT INTO provider_tokens (provider, access_token, refresh_token,
                       expires_at, configured, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider) DO NOTHING",
                )
                .bind(provider)
                .bind(&new.access_token)
                .bind(&new.refresh_token)
                .bind(new.expires_at)
                .bind(&new.configured)
                .bind(now_micros()),
            };
            query.execute(&mut *conn).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(changed == 1)
    }
}
