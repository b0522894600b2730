//! Accounts, role grants, sessions, failed sign-ins, access tokens and the audit log.

use sqlx::Row;

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::migrate::now_micros;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    /// `staff` or `applicant`.
    pub kind: String,
    pub full_name: String,
    pub position: String,
    pub agency_id: Option<i64>,
    pub phone: String,
    pub email: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub kind: &'a str,
    pub full_name: &'a str,
    pub position: &'a str,
    pub agency_id: Option<i64>,
    pub phone: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    /// `None`: the whole province.
    pub agency_id: Option<i64>,
    pub with_children: bool,
}

/// A session found by its token, with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: UserRow,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// The user's grants in force, read with the session: every signed-in request needs them.
    pub grants: Vec<GrantRow>,
}

/// A personal access token as listed to its owner (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// Space-separated: `read`, `write`.
    pub scopes: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

type TokenTuple = (i64, i64, String, String, i64, i64, Option<i64>, Option<i64>);

fn token(
    (id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at): TokenTuple,
) -> TokenRow {
    TokenRow {
        id,
        user_id,
        name,
        scopes,
        created_at,
        expires_at,
        revoked_at,
        last_used_at,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry<'a> {
    pub actor_id: Option<i64>,
    pub actor_login: &'a str,
    pub ip: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// JSON.
    pub detail: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
}

type UserTuple = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
    i64,
    i64,
);

const USER_COLUMNS: &str = "u.id, u.login, u.kind, u.full_name, u.position, u.agency_id, u.phone, u.email, u.password_hash, u.must_change_password, u.active";

/// A user's grants in force joined to its row: a row per grant, one with empty grant columns
/// when there is none. Signing in by session or token reads them in the same query.
const GRANT_JOIN: &str = "LEFT JOIN role_grants g ON g.user_id = u.id AND g.revoked_at IS NULL";
const GRANT_COLUMNS: &str = "g.id AS grant_id, g.role AS grant_role, g.agency_id AS grant_agency_id, g.with_children AS grant_with_children";

/// The user and its grants from the rows of a query with `USER_COLUMNS` and `GRANT_COLUMNS`.
macro_rules! user_with_grants {
    ($rows:expr) => {{
        let rows = $rows;
        match rows.first() {
            None => None,
            Some(r) => {
                let owner = user((
                    r.try_get("id")?,
                    r.try_get("login")?,
                    r.try_get("kind")?,
                    r.try_get("full_name")?,
                    r.try_get("position")?,
                    r.try_get("agency_id")?,
                    r.try_get("phone")?,
                    r.try_get("email")?,
                    r.try_get("password_hash")?,
                    r.try_get("must_change_password")?,
                    r.try_get("active")?,
                ));
                let mut grants = Vec::new();
                for r in rows {
                    if let Some(id) = r.try_get::<Option<i64>, _>("grant_id")? {
                        grants.push(GrantRow {
                            id,
                            user_id: owner.id,
                            role: r.try_get("grant_role")?,
                            agency_id: r.try_get("grant_agency_id")?,
                            with_children: r.try_get::<i64, _>("grant_with_children")? != 0,
                        });
                    }
                }
                Some((r, owner, grants))
            }
        }
    }};
}

fn user(t: UserTuple) -> UserRow {
    UserRow {
        id: t.0,
        login: t.1,
        kind: t.2,
        full_name: t.3,
        position: t.4,
        agency_id: t.5,
        phone: t.6,
        email: t.7,
        password_hash: t.8,
        must_change_password: t.9 != 0,
        active: t.10 != 0,
    }
}

impl Db {
    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.login = $1");
        let row: Option<UserTuple> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(login)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(user))
    }

    pub async fn user(&self, id: i64) -> Result<UserRow, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row: UserTuple = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_one(pool)
                .await?
        });
        Ok(user(row))
    }

    /// Staff accounts, optionally only those of the given agencies (the caller's scope).
    pub async fn staff(&self, agencies: Option<&[i64]>) -> Result<Vec<UserRow>, StoreError> {
        let filter = match agencies {
            None => String::new(),
            Some([]) => " AND 1 = 0".to_string(),
            Some(ids) => format!(
                " AND u.agency_id IN ({})",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            ),
        };
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.kind = 'staff'{filter} ORDER BY u.full_name"
        );
        let rows: Vec<UserTuple> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(user).collect())
    }

    pub async fn grants_of(&self, user_id: i64) -> Result<Vec<GrantRow>, StoreError> {
        let rows: Vec<(i64, i64, String, Option<i64>, i64)> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, role, agency_id, with_children FROM role_grants
                 WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, user_id, role, agency_id, with_children)| GrantRow {
                id,
                user_id,
                role,
                agency_id,
                with_children: with_children != 0,
            })
            .collect())
    }

    /// The session with this token hash, if it is neither revoked nor expired at `now`.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.created_at, s.last_seen_at, s.expires_at, {GRANT_COLUMNS}
             FROM sessions s JOIN users u ON u.id = s.user_id {GRANT_JOIN}
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active = 1
             ORDER BY g.id"
        );
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .bind(now)
                .fetch_all(pool)
                .await?;
            match user_with_grants!(&rows) {
                None => None,
                Some((r, user, grants)) => Some(SessionRow {
                    user,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                    expires_at: r.try_get("expires_at")?,
                    grants,
                }),
            }
        }))
    }

    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<TokenRow>, StoreError> {
        let rows: Vec<TokenTuple> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at
                 FROM access_tokens WHERE user_id = $1 ORDER BY id DESC",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(token).collect())
    }

    /// The token with this hash and its (active) owner, if it is neither revoked nor expired.
    pub async fn token_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(TokenRow, UserRow, Vec<GrantRow>)>, StoreError> {
        // One query for the token, its owner and the owner's grants: every API request asks this.
        let sql = format!(
            "SELECT t.id AS token_id, t.name AS token_name, t.scopes, t.created_at AS token_created_at,
               t.expires_at, t.revoked_at, t.last_used_at, {USER_COLUMNS}, {GRANT_COLUMNS}
             FROM access_tokens t JOIN users u ON u.id = t.user_id {GRANT_JOIN}
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.active = 1
             ORDER BY g.id"
        );
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .bind(now)
                .fetch_all(pool)
                .await?;
            match user_with_grants!(&rows) {
                None => None,
                Some((r, owner, grants)) => {
                    let t = token((
                        r.try_get("token_id")?,
                        owner.id,
                        r.try_get("token_name")?,
                        r.try_get("scopes")?,
                        r.try_get("token_created_at")?,
                        r.try_get("expires_at")?,
                        r.try_get("revoked_at")?,
                        r.try_get("last_used_at")?,
                    ));
                    Some((t, owner, grants))
                }
            }
        }))
    }

    /// Failed sign-ins since `since` for a login and for an address.
    pub async fn recent_failures(
        &self,
        login: &str,
        ip: &str,
        since: i64,
    ) -> Result<(i64, i64), StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT (SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at >= $3),
                        (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at >= $3)",
            )
            .bind(login)
            .bind(ip)
            .bind(since)
            .fetch_one(pool)
            .await?
        }))
    }

    /// The audit log, newest first, optionally filtered.
    pub async fn audit(
        &self,
        action: Option<&str>,
        actor_login: Option<&str>,
        from: Option<i64>,
        until: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        type Row = (
            i64,
            i64,
            Option<i64>,
            String,
            String,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, at, actor_id, actor_login, ip, action, object_type, object_id, detail FROM audit_log
                 WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR actor_login = $2)
                   AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4)
                 ORDER BY id DESC LIMIT $5",
            )
            .bind(action)
            .bind(actor_login)
            .bind(from)
            .bind(until)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| AuditRow {
                id: r.0,
                at: r.1,
                actor_id: r.2,
                actor_login: r.3,
                ip: r.4,
                action: r.5,
                object_type: r.6,
                object_id: r.7,
                detail: r.8,
            })
            .collect())
    }
}

impl Tx {
    pub async fn insert_user(&mut self, u: &NewUser<'_>) -> Result<i64, StoreError> {
        let now = now_micros();
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO users (login, kind, full_name, position, agency_id, phone, email, password_hash,
                                    must_change_password, active, created_at, password_changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
            )
            .bind(u.login)
            .bind(u.kind)
            .bind(u.full_name)
            .bind(u.position)
            .bind(u.agency_id)
            .bind(u.phone)
            .bind(u.email)
            .bind(u.password_hash)
            .bind(i64::from(u.must_change_password))
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    pub async fn set_password(
        &mut self,
        user_id: i64,
        hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4 WHERE id = $1",
            )
            .bind(user_id)
            .bind(hash)
            .bind(i64::from(must_change))
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn grant(
        &mut self,
        user_id: i64,
        role: &str,
        agency_id: Option<i64>,
        with_children: bool,
        granted_by: Option<i64>,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO role_grants (user_id, role, agency_id, with_children, granted_by, granted_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(user_id)
            .bind(role)
            .bind(agency_id)
            .bind(i64::from(with_children))
            .bind(granted_by)
            .bind(now_micros())
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    /// Ends a grant; returns the grant as it was (for the audit), or not found.
    pub async fn revoke_grant(&mut self, grant_id: i64) -> Result<GrantRow, StoreError> {
        let row: Option<(i64, i64, String, Option<i64>, i64)> = on_tx!(self, |conn| {
            sqlx::query_as(
                "SELECT id, user_id, role, agency_id, with_children FROM role_grants WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(grant_id)
            .fetch_optional(&mut *conn)
            .await?
        });
        let (id, user_id, role, agency_id, with_children) = row.ok_or(StoreError::NotFound)?;
        on_tx!(self, |conn| {
            sqlx::query("UPDATE role_grants SET revoked_at = $2 WHERE id = $1")
                .bind(grant_id)
                .bind(now_micros())
                .execute(&mut *conn)
                .await?;
        });
        Ok(GrantRow {
            id,
            user_id,
            role,
            agency_id,
            with_children: with_children != 0,
        })
    }

    pub async fn set_active(&mut self, user_id: i64, active: bool) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE users SET active = $2 WHERE id = $1")
                .bind(user_id)
                .bind(i64::from(active))
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn create_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
        ip: &str,
        user_agent: &str,
    ) -> Result<(), StoreError> {
        let now = now_micros();
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
                 VALUES ($1, $2, $3, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .bind(ip)
            .bind(user_agent)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn touch_session(&mut self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn revoke_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Signs a user out everywhere; returns how many sessions ended.
    pub async fn revoke_sessions_of(&mut self, user_id: i64) -> Result<u64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(now_micros())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }))
    }

    pub async fn insert_token(
        &mut self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        scopes: &str,
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO access_tokens (user_id, name, token_hash, scopes, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(scopes)
            .bind(now_micros())
            .bind(expires_at)
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    /// Revokes one of `user_id`'s tokens; not found if it is not theirs or already revoked.
    pub async fn revoke_token(&mut self, id: i64, user_id: i64) -> Result<(), StoreError> {
        let n = on_tx!(self, |conn| {
            sqlx::query("UPDATE access_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
                .bind(id)
                .bind(user_id)
                .bind(now_micros())
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    pub async fn touch_token(&mut self, id: i64, now: i64) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE access_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn record_failure(&mut self, login: &str, ip: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("INSERT INTO login_failures (login, ip, at) VALUES ($1, $2, $3)")
                .bind(login)
                .bind(ip)
                .bind(now_micros())
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Forgets a login's failures after it signs in (the audit log keeps them).
    pub async fn clear_failures(&mut self, login: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("DELETE FROM login_failures WHERE login = $1")
                .bind(login)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn audit(&mut self, e: &AuditEntry<'_>) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO audit_log (at, actor_id, actor_login, ip, action, object_type, object_id, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(now_micros())
            .bind(e.actor_id)
            .bind(e.actor_login)
            .bind(e.ip)
            .bind(e.action)
            .bind(e.object_type)
            .bind(e.object_id)
            .bind(e.detail)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
