use std::fmt;

/// What can go wrong when opening a database. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "the database URL '{url}' is not valid: {reason}; use sqlite://PATH or postgres://USER@HOST:PORT/DB"
    )]
    Malformed { url: String, reason: String },
    #[error("cannot open the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("cannot prepare the database at {url}: {source}")]
    Setup { url: String, source: StoreError },
}

/// The few errors the rest of motcua needs to tell apart. Everything else is `Internal`, and
/// its details stay in the server log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The row changed since it was read, or a concurrent writer won.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A uniqueness, foreign-key, not-null or check constraint refused the write. `constraint` is
    /// the same name on both backends (see `constraints.rs`).
    #[error("constraint {constraint} violated ({kind})")]
    Constraint {
        constraint: String,
        kind: ConstraintKind,
    },
    /// The database cannot be reached or the pool is closed or exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Internal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Unique,
    ForeignKey,
    NotNull,
    Check,
}

impl fmt::Display for ConstraintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConstraintKind::Unique => "unique",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::NotNull => "not null",
            ConstraintKind::Check => "check",
        })
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut => StoreError::Unavailable("no free connection".into()),
            sqlx::Error::PoolClosed => StoreError::Unavailable("the pool is closed".into()),
            sqlx::Error::Io(e) => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Tls(e) => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) => {
                let kind = match db.kind() {
                    ErrorKind::UniqueViolation => Some(ConstraintKind::Unique),
                    ErrorKind::ForeignKeyViolation => Some(ConstraintKind::ForeignKey),
                    ErrorKind::NotNullViolation => Some(ConstraintKind::NotNull),
                    ErrorKind::CheckViolation => Some(ConstraintKind::Check),
                    _ => None,
                };
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                match kind {
                    Some(kind) => StoreError::Constraint {
                        constraint: crate::constraints::name(kind, db.constraint(), db.message()),
                        kind,
                    },
                    // PostgreSQL serialization failure or deadlock; SQLite busy or locked.
                    None if matches!(code.as_str(), "40001" | "40P01" | "5" | "6" | "517") => {
                        StoreError::Conflict(db.message().to_string())
                    }
                    // PostgreSQL: admin shutdown, cannot connect now.
                    None if code.starts_with("57P") || code.starts_with("08") => {
                        StoreError::Unavailable(db.message().to_string())
                    }
                    None => StoreError::Internal(format!("{} (code {code})", db.message())),
                }
            }
            other => StoreError::Internal(other.to_string()),
        }
    }
}
