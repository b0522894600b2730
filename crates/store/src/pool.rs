//! The connection pool. sqlx's own pool checks every connection it gets back with a ping: a
//! round trip to the connection's thread (SQLite) or to the server (PostgreSQL) after every
//! query, as dear as a short query itself, on the busiest requests of all. This one takes a
//! connection back as it is when its use ended normally, and checks it (a rollback of anything
//! left open, then a ping) only when its holder stopped halfway: an error or a request gone.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{ConnectOptions, Connection, Executor};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::StoreError;

/// Up to `max` connections opened with `options`, each lent to one holder at a time.
pub(crate) struct Pool<C: Connection + 'static> {
    shared: Arc<Shared<C>>,
}

impl<C: Connection + 'static> Clone for Pool<C> {
    fn clone(&self) -> Self {
        Pool {
            shared: self.shared.clone(),
        }
    }
}

struct Shared<C: Connection + 'static> {
    options: C::Options,
    idle: Mutex<Vec<C>>,
    /// A permit per connection that may be lent; closed when the pool is.
    permits: Arc<Semaphore>,
    max: u32,
    open: AtomicU32,
    acquire_timeout: Duration,
    /// Rolls back whatever was left open and pings: the connection if it lives.
    check: fn(C) -> Checked<C>,
}

type Checked<C> = Pin<Box<dyn Future<Output = Option<C>> + Send>>;

/// A connection lent by the pool. [`Conn::finish`] gives it back as it is; dropped otherwise,
/// it is checked first.
pub struct Conn<C: Connection + 'static> {
    conn: Option<C>,
    permit: Option<OwnedSemaphorePermit>,
    shared: Arc<Shared<C>>,
    finished: bool,
}

impl<C> Pool<C>
where
    C: Connection + 'static,
    for<'c> &'c mut C: Executor<'c, Database = C::Database>,
{
    pub(crate) fn new(options: C::Options, max: u32, acquire_timeout: Duration) -> Self {
        Pool {
            shared: Arc::new(Shared {
                options,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max as usize)),
                max,
                open: AtomicU32::new(0),
                acquire_timeout,
                check: |mut conn| {
                    Box::pin(async move {
                        // Refused when no transaction is open; the ping tells whether it lives.
                        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut conn).await;
                        conn.ping().await.ok().map(|()| conn)
                    })
                },
            }),
        }
    }

    /// An idle connection, or a new one while fewer than `max` are open; waits for one to come
    /// back otherwise, at most the acquire timeout.
    pub(crate) async fn acquire(&self) -> Result<Conn<C>, StoreError> {
        let shared = &self.shared;
        let wait = shared.acquire_timeout;
        let permit = tokio::time::timeout(wait, shared.permits.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Unavailable("no free connection".into()))?
            .map_err(|_| StoreError::Unavailable("the pool is closed".into()))?;
        let idle = shared.lock_idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = tokio::time::timeout(wait, shared.options.connect())
                    .await
                    .map_err(|_| StoreError::Unavailable("no answer in time".into()))??;
                shared.open.fetch_add(1, Ordering::Relaxed);
                conn
            }
        };
        Ok(Conn {
            conn: Some(conn),
            permit: Some(permit),
            shared: shared.clone(),
            finished: false,
        })
    }

    /// A connection with a transaction begun by `statement` (`BEGIN`, `BEGIN IMMEDIATE`).
    pub(crate) async fn begin(&self, statement: &'static str) -> Result<Conn<C>, StoreError> {
        let mut conn = self.acquire().await?;
        sqlx::raw_sql(statement).execute(&mut *conn).await?;
        Ok(conn)
    }

    /// Opens a first connection, which stays in the pool: whether the database answers.
    pub(crate) async fn open_first(&self) -> Result<(), StoreError> {
        self.acquire().await?.finish();
        Ok(())
    }

    /// Closes the idle connections and refuses to lend any more; those lent are closed as they
    /// come back.
    pub(crate) async fn close(&self) {
        self.shared.permits.close();
        let idle = std::mem::take(&mut *self.shared.lock_idle());
        for conn in idle {
            self.shared.open.fetch_sub(1, Ordering::Relaxed);
            let _ = conn.close().await;
        }
    }
}

impl<C: Connection + 'static> Pool<C> {
    pub(crate) fn size(&self) -> u32 {
        self.shared.open.load(Ordering::Relaxed)
    }

    pub(crate) fn idle(&self) -> u32 {
        self.shared.lock_idle().len() as u32
    }

    pub(crate) fn max(&self) -> u32 {
        self.shared.max
    }
}

impl<C: Connection + 'static> Shared<C> {
    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<C>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn give_back(&self, conn: C) {
        if self.permits.is_closed() {
            self.forget(conn);
        } else {
            self.lock_idle().push(conn);
        }
    }

    fn forget(&self, conn: C) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        drop(conn);
    }
}

impl<C: Connection + 'static> Conn<C> {
    /// Its holder is done with it and left nothing open: back to the pool as it is.
    pub(crate) fn finish(mut self) {
        self.finished = true;
    }
}

impl<C: Connection + 'static> Deref for Conn<C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn
            .as_ref()
            .expect("a lent connection is present until dropped")
    }
}

impl<C: Connection + 'static> DerefMut for Conn<C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn
            .as_mut()
            .expect("a lent connection is present until dropped")
    }
}

impl<C: Connection + 'static> Drop for Conn<C> {
    fn drop(&mut self) {
        let (Some(conn), Some(permit)) = (self.conn.take(), self.permit.take()) else {
            return;
        };
        if self.finished {
            self.shared.give_back(conn);
            return;
        }
        // Stopped halfway: a transaction may be open or a statement unfinished. Checked by a task
        // of its own, which keeps the permit, so nobody gets the connection before it is done.
        let shared = self.shared.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            shared.forget(conn);
            return;
        };
        runtime.spawn(async move {
            match (shared.check)(conn).await {
                Some(conn) => shared.give_back(conn),
                None => {
                    shared.open.fetch_sub(1, Ordering::Relaxed);
                }
            }
            drop(permit);
        });
    }
}
