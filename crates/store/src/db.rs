use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};

use crate::direct::DirectReaders;
use crate::error::{ConnectError, StoreError};
use crate::openings::Openings;
use crate::pool::{Conn, Pool};

/// Runs `$body` with `$pool` bound to a connection that serves reads, once per backend. The
/// connection goes back to its pool unchecked only when `$body` ends normally (not by `?`).
macro_rules! on_read {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.inner {
            $crate::db::Inner::Sqlite { read, .. } => $crate::db::lent!(read, |$pool| $body),
            $crate::db::Inner::Postgres(pg) => $crate::db::lent!(pg, |$pool| $body),
        }
    };
}

/// `$body` with `$conn` bound to a connection lent by `$pool`, finished after it.
macro_rules! lent {
    ($pool:expr, |$conn:ident| $body:expr) => {{
        let mut lent = $pool.acquire().await?;
        let out = {
            let $conn = &mut *lent;
            $body
        };
        lent.finish();
        out
    }};
}

/// Runs `$body` with `$conn` bound to the transaction's connection, once per backend.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

pub(crate) use {lent, on_read, on_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pool settings. The defaults suit one process on a two-core machine.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Connections to PostgreSQL, or SQLite readers (SQLite has a single writer connection).
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
    /// How long SQLite waits for a lock held by another process before giving up.
    pub busy_timeout: Duration,
    /// PostgreSQL only: the schema to work in (tests use one schema each).
    pub pg_schema: Option<String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
            pg_schema: None,
        }
    }
}

/// A handle to the database. Cheap to clone; all clones share the pools.
#[derive(Clone)]
pub struct Db {
    pub(crate) inner: Inner,
    url: String,
    pub(crate) openings: Arc<Openings>,
}

#[derive(Clone)]
pub(crate) enum Inner {
    /// SQLite allows one writer at a time; a single write connection queues writers in the pool
    /// instead of letting them spin on SQLITE_BUSY. Readers run in parallel under WAL.
    Sqlite {
        read: Pool<SqliteConnection>,
        write: Pool<SqliteConnection>,
        direct: Arc<DirectReaders>,
    },
    Postgres(Pool<PgConnection>),
}

/// A write transaction. On SQLite it begins IMMEDIATE, so it holds the write lock from its
/// first statement and never fails to upgrade a read lock halfway. Dropped without a commit,
/// its connection is rolled back before anyone else gets it.
pub enum Tx {
    Sqlite(Conn<SqliteConnection>),
    Postgres(Conn<PgConnection>),
}

impl Tx {
    pub async fn commit(mut self) -> Result<(), StoreError> {
        on_tx!(&mut self, |conn| {
            sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        });
        match self {
            Tx::Sqlite(conn) => conn.finish(),
            Tx::Postgres(conn) => conn.finish(),
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStat {
    pub pool: &'static str,
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Where a database URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

pub(crate) fn parse_url(url: &str) -> Result<Target, ConnectError> {
    let malformed = |reason: &str| ConnectError::Malformed {
        url: redact(url),
        reason: reason.to_string(),
    };
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() {
            return Err(malformed("it names no file"));
        }
        if path.contains('?') {
            return Err(malformed("SQLite URLs take no options"));
        }
        if path == ":memory:" {
            return Err(malformed(
                "an in-memory database would lose everything on exit",
            ));
        }
        Ok(Target::Sqlite(PathBuf::from(path)))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        PgConnectOptions::from_str(url).map_err(|e| malformed(&e.to_string()))?;
        Ok(Target::Postgres(url.to_string()))
    } else {
        Err(malformed("it must start with sqlite:// or postgres://"))
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _password)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

impl Db {
    /// Opens the database, creating a SQLite file if needed, and checks that it answers.
    /// Migrations are applied separately by [`Db::migrate`].
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, ConnectError> {
        let shown = redact(url);
        let unreachable = |e: StoreError| ConnectError::Unreachable {
            url: shown.clone(),
            reason: describe_connect_error(&e),
        };
        let inner = match parse_url(url)? {
            Target::Sqlite(path) => {
                // The writer first: it creates the file the readers open.
                let write = sqlite_pool(&path, options, false);
                write.open_first().await.map_err(&unreachable)?;
                let read = sqlite_pool(&path, options, true);
                read.open_first().await.map_err(&unreachable)?;
                let direct = DirectReaders::new(
                    &path,
                    options.busy_timeout,
                    options.max_connections as usize,
                );
                Inner::Sqlite {
                    read,
                    write,
                    direct: Arc::new(direct),
                }
            }
            Target::Postgres(url) => {
                let mut connect = PgConnectOptions::from_str(&url)
                    .map_err(|e| unreachable(e.into()))?
                    .application_name("motcua");
                if let Some(schema) = &options.pg_schema {
                    connect = connect.options([("search_path", schema.as_str())]);
                }
                let pool = Pool::new(connect, options.max_connections, options.acquire_timeout);
                pool.open_first().await.map_err(&unreachable)?;
                Inner::Postgres(pool)
            }
        };
        Ok(Db {
            inner,
            url: shown,
            openings: Arc::default(),
        })
    }

    /// Checks a URL's form without connecting.
    pub fn check_url(url: &str) -> Result<Backend, ConnectError> {
        Ok(match parse_url(url)? {
            Target::Sqlite(_) => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL this handle was opened with, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Begins a write transaction (IMMEDIATE on SQLite).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.inner {
            Inner::Sqlite { write, .. } => Tx::Sqlite(write.begin("BEGIN IMMEDIATE").await?),
            Inner::Postgres(pg) => Tx::Postgres(pg.begin("BEGIN").await?),
        })
    }

    /// Answers whether the database serves queries now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_read!(self, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)")
                .fetch_one(pool)
                .await?
        });
        Ok(())
    }

    pub fn pool_stats(&self) -> Vec<PoolStat> {
        fn stat<C: sqlx::Connection + 'static>(name: &'static str, pool: &Pool<C>) -> PoolStat {
            PoolStat {
                pool: name,
                size: pool.size(),
                idle: pool.idle(),
                max: pool.max(),
            }
        }
        match &self.inner {
            Inner::Sqlite { read, write, .. } => vec![stat("read", read), stat("write", write)],
            Inner::Postgres(pg) => vec![stat("main", pg)],
        }
    }

    /// Runs SQL as given, outside the store's own queries: for tests that must reach behind the
    /// store (tampering with data to prove it is noticed) and for maintenance.
    pub async fn execute_unchecked(&self, sql: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
        });
        tx.commit().await
    }

    /// On SQLite, moves what the write-ahead log holds into the database file and empties the
    /// log. After a migration that rewrote much (migration 12 left 915 MB in the log of a
    /// province's database) every read looks through the log until it is emptied: lookups ran
    /// at 11,000-13,000/s instead of 18,500-21,000/s.
    pub(crate) async fn empty_sqlite_log(&self) -> Result<(), StoreError> {
        if let Inner::Sqlite { write, .. } = &self.inner {
            lent!(write, |conn| {
                sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(conn)
                    .await?;
            });
        }
        Ok(())
    }

    /// Closes every connection; later queries fail as unavailable.
    pub async fn close(&self) {
        match &self.inner {
            Inner::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Inner::Postgres(pg) => pg.close().await,
        }
    }
}

/// How much of a SQLite file is read through a memory mapping (address space, not memory): all
/// of it, up to the 1 TiB SQLite is built to allow (`.cargo/config.toml`). Pages past the
/// mapping are read a system call each, which at two million dossiers was a fifth of a lookup.
pub(crate) const MMAP_SIZE: u64 = 1 << 40;

fn sqlite_pool(path: &Path, options: &DbOptions, read_only: bool) -> Pool<SqliteConnection> {
    let connect = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(!read_only)
        .read_only(read_only)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is on disk before it is acknowledged, even across a power loss.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(options.busy_timeout)
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        // Pages are read from a mapping of the file instead of a system call each: a connection
        // drops its page cache whenever another has committed, so under steady writes every
        // read would otherwise fetch its pages again one `pread` at a time.
        .pragma("mmap_size", MMAP_SIZE.to_string());
    let max = if read_only {
        options.max_connections
    } else {
        1
    };
    Pool::new(connect, max, options.acquire_timeout)
}

fn describe_connect_error(e: &StoreError) -> String {
    match e {
        StoreError::Unavailable(reason) | StoreError::Internal(reason) => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            parse_url("sqlite://motcua-data/motcua.db").unwrap(),
            Target::Sqlite("motcua-data/motcua.db".into())
        );
        assert_eq!(
            parse_url("sqlite:///var/lib/motcua.db").unwrap(),
            Target::Sqlite("/var/lib/motcua.db".into())
        );
        assert_eq!(
            parse_url("sqlite:x.db").unwrap(),
            Target::Sqlite("x.db".into())
        );
    }

    #[test]
    fn malformed_urls_say_why() {
        for (url, reason) in [
            ("mysql://localhost/x", "must start with"),
            ("sqlite://", "names no file"),
            ("sqlite://:memory:", "in-memory"),
            ("sqlite://a.db?mode=ro", "take no options"),
            ("postgres://u@h:notaport/db", "not valid"),
        ] {
            let err = parse_url(url).unwrap_err().to_string();
            assert!(err.contains(reason), "{url}: {err}");
        }
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://motcua:s3cret@db:5432/motcua"),
            "postgres://motcua:***@db:5432/motcua"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }
}
