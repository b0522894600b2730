//! Every agency's parent, which each staff request's reach is computed from: read again at most
//! once per `FRESH`, so a request does not fetch the whole tree (a hundred rows in a province).
//! A re-parented or new agency shows in reaches within that time, in every process.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use motcua_store::{Db, StoreError};

pub const FRESH: Duration = Duration::from_secs(1);

pub type Parents = BTreeMap<i64, Option<i64>>;

/// The tree as last read, and when.
type Read = Option<(Instant, Arc<Parents>)>;

#[derive(Clone, Default)]
pub struct AgencyTree(Arc<RwLock<Read>>);

impl AgencyTree {
    pub async fn parents(&self, db: &Db) -> Result<Arc<Parents>, StoreError> {
        if let Some((read, parents)) = self.0.read().unwrap_or_else(|e| e.into_inner()).as_ref()
            && read.elapsed() < FRESH
        {
            return Ok(parents.clone());
        }
        let parents: Arc<Parents> = Arc::new(db.agency_parents().await?.into_iter().collect());
        *self.0.write().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), parents.clone()));
        Ok(parents)
    }

    /// Forgets the tree, so the next request reads it: after a change made in this process.
    pub fn forget(&self) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
