//! Short reads on SQLite made on the caller's thread.
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is a message to
//! that thread and a wake-up back, which costs the busiest reads (a status lookup, a signed-in
//! request's session) more than SQLite itself does. The reads here are point lookups by a unique
//! key that SQLite answers in microseconds from the memory-mapped file, so they are made
//! directly, through read-only connections of their own, and the handler never gives up its
//! thread. Anything longer, and every write, goes through the pools.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::db::MMAP_SIZE;
use crate::error::StoreError;

/// Read-only connections kept for direct reads. One is taken per read and given back after;
/// when all are taken (more readers than threads can only happen briefly), another is opened.
pub(crate) struct DirectReaders {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
}

impl DirectReaders {
    pub(crate) fn new(path: &Path, busy_timeout: Duration, keep: usize) -> DirectReaders {
        DirectReaders {
            path: path.to_path_buf(),
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            keep,
        }
    }

    /// Runs `read` on an idle connection. A connection is given back only when `read`
    /// succeeded: after an error it may hold an unfinished statement, so it is closed instead.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let taken = self.lock().pop();
        let conn = match taken {
            Some(conn) => conn,
            None => self.open()?,
        };
        let out = read(&conn)?;
        let mut idle = self.lock();
        if idle.len() < self.keep {
            idle.push(conn);
        }
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.pragma_update(None, "mmap_size", MMAP_SIZE as i64)?;
        Ok(conn)
    }
}

/// Lets the row macros shared with sqlx (`r.try_get("column")?`) read a rusqlite row.
pub(crate) trait TryGet {
    fn try_get<T: rusqlite::types::FromSql, I: rusqlite::RowIndex>(
        &self,
        index: I,
    ) -> rusqlite::Result<T>;
}

impl TryGet for rusqlite::Row<'_> {
    fn try_get<T: rusqlite::types::FromSql, I: rusqlite::RowIndex>(
        &self,
        index: I,
    ) -> rusqlite::Result<T> {
        self.get(index)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match err {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(e, message) => {
                let text = message.unwrap_or_else(|| e.to_string());
                match e.code {
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                        StoreError::Conflict(text)
                    }
                    ErrorCode::CannotOpen | ErrorCode::NotADatabase => {
                        StoreError::Unavailable(text)
                    }
                    _ => StoreError::Internal(format!("{text} (code {})", e.extended_code)),
                }
            }
            other => StoreError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole mapping asked for is granted: SQLite silently caps `mmap_size` at the most it
    /// was built for (2 GB unless `SQLITE_MAX_MMAP_SIZE` says otherwise).
    #[test]
    fn a_database_larger_than_two_gigabytes_is_mapped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        Connection::open(&path).unwrap();
        let readers = DirectReaders::new(&path, Duration::from_secs(1), 1);
        let granted = readers
            .read(|c| Ok(c.pragma_query_value(None, "mmap_size", |r| r.get::<_, i64>(0))?))
            .unwrap();
        assert_eq!(granted, MMAP_SIZE as i64);
        assert!(granted > 1 << 31);
    }
}
