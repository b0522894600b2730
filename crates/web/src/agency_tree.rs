//! Every agency's parent, which each staff request's reach is computed from, and the agencies in
//! force today by identifier, which every receipt names: each read again at most once per
//! `FRESH`, so a request does not fetch the whole tree (a hundred rows in a province) or look its
//! agencies up one by one. A re-parented, renamed or new agency shows within that time, in every
//! process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use motcua_store::{Db, StoreError};

pub const FRESH: Duration = Duration::from_secs(1);

pub type Parents = BTreeMap<i64, Option<i64>>;

/// The agencies in force on `day`: id by identifier, and identifier by id.
#[derive(Debug, Default)]
pub struct InForce {
    day: String,
    ids: HashMap<String, i64>,
    identifiers: HashMap<i64, String>,
}

impl InForce {
    pub fn id(&self, identifier: &str) -> Option<i64> {
        self.ids.get(identifier).copied()
    }

    pub fn identifier(&self, id: i64) -> Option<&str> {
        self.identifiers.get(&id).map(String::as_str)
    }
}

/// What was last read, and when.
type Read<T> = Arc<RwLock<Option<(Instant, Arc<T>)>>>;

#[derive(Clone, Default)]
pub struct AgencyTree {
    parents: Read<Parents>,
    in_force: Read<InForce>,
}

/// The value kept in `slot` if it is fresh and `usable`.
fn fresh<T>(slot: &Read<T>, usable: impl Fn(&T) -> bool) -> Option<Arc<T>> {
    match slot.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        Some((read, value)) if read.elapsed() < FRESH && usable(value) => Some(value.clone()),
        _ => None,
    }
}

fn keep<T>(slot: &Read<T>, value: T) -> Arc<T> {
    let value = Arc::new(value);
    *slot.write().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), value.clone()));
    value
}

impl AgencyTree {
    pub async fn parents(&self, db: &Db) -> Result<Arc<Parents>, StoreError> {
        if let Some(parents) = fresh(&self.parents, |_| true) {
            return Ok(parents);
        }
        let parents = db.agency_parents().await?.into_iter().collect();
        Ok(keep(&self.parents, parents))
    }

    /// The agencies in force on `day` (an ISO date).
    pub async fn in_force(&self, db: &Db, day: &str) -> Result<Arc<InForce>, StoreError> {
        if let Some(in_force) = fresh(&self.in_force, |v| v.day == day) {
            return Ok(in_force);
        }
        let mut in_force = InForce {
            day: day.to_string(),
            ..Default::default()
        };
        for a in db.agencies_as_of(day).await? {
            if !a.identifier.is_empty() {
                in_force.ids.insert(a.identifier.clone(), a.id);
            }
            in_force.identifiers.insert(a.id, a.identifier);
        }
        Ok(keep(&self.in_force, in_force))
    }

    /// Forgets what was read, so the next request reads it: after a change made in this process.
    pub fn forget(&self) {
        *self.parents.write().unwrap_or_else(|e| e.into_inner()) = None;
        *self.in_force.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
