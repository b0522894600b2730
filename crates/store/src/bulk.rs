//! Many dossiers at once, each with its whole history: the demo province's year of dossiers, and
//! the benchmarks' million. A statement for hundreds of rows in the caller's transaction
//! (`json_rows.rs`) instead of a statement per row; every event hashed exactly as
//! `insert_dossiers` and `append_events` hash it, so `verify_chains` accepts the result; and each agency's numbering for a day left at the highest
//! number used, so receipts made afterwards continue it.

use std::collections::{BTreeMap, HashMap};

use crate::db::{Db, Tx, on_tx};
use crate::dossiers::{
    GENESIS, NewDossier, NewEvent, Projection, dossier_insert, event_hash, push_dossier,
    push_events,
};
use crate::error::StoreError;
use crate::json_rows::{JsonRows, Kind, select_rows};
use crate::migrate::now_micros;
use crate::report_counts::Changes;

/// A dossier with its events from the first, and the number its code was made with.
#[derive(Debug, Clone)]
pub struct History<'a> {
    pub dossier: NewDossier<'a>,
    /// The receiving agency's identifier and the day (YYYY-MM-DD) of the code's number.
    pub desk: &'a str,
    pub day: &'a str,
    pub number: i64,
    /// The state after the last event; its `version` is the number of events.
    pub projection: Projection<'a>,
    pub events: Vec<NewEvent<'a>>,
}

/// Dossiers per statement: their JSON (the state most of it) is held in memory whole.
const DOSSIER_ROWS: usize = 500;

impl Tx {
    /// Writes whole dossiers with their events. Each history's events are chained from the
    /// genesis hash; its projection must name as many versions as it has events.
    pub async fn insert_histories(&mut self, histories: &[History<'_>]) -> Result<(), StoreError> {
        let now = now_micros();
        // Every chain first: a malformed history fails before anything is written.
        let mut chains = Vec::with_capacity(histories.len());
        for h in histories {
            if h.events.is_empty() || h.projection.version != h.events.len() as i64 {
                return Err(StoreError::Internal(format!(
                    "dossier {}: version {} with {} events",
                    h.dossier.code,
                    h.projection.version,
                    h.events.len()
                )));
            }
            let mut hashes = Vec::with_capacity(h.events.len());
            let mut prev = GENESIS.to_string();
            for (i, e) in h.events.iter().enumerate() {
                let hash = event_hash(&prev, h.dossier.code, i as i64 + 1, e);
                hashes.push(hash.clone());
                prev = hash;
            }
            chains.push(hashes);
        }

        let mut ids: HashMap<&str, i64> = HashMap::with_capacity(histories.len());
        let sql = format!("{} RETURNING id, code", dossier_insert(self.backend()));
        for (chunk, chunk_chains) in histories
            .chunks(DOSSIER_ROWS)
            .zip(chains.chunks(DOSSIER_ROWS))
        {
            let mut dossiers = JsonRows::new();
            for (h, hashes) in chunk.iter().zip(chunk_chains) {
                let last = hashes.last().expect("at least one event");
                push_dossier(&mut dossiers, &h.dossier, &h.projection, last, now);
            }
            let mut rows: Vec<(i64, String)> = Vec::with_capacity(chunk.len());
            for batch in dossiers.batches() {
                on_tx!(self, |conn| {
                    rows.extend(
                        sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql.as_str()))
                            .bind(batch)
                            .fetch_all(&mut *conn)
                            .await?,
                    );
                });
            }
            // RETURNING promises no order: ids are matched by code.
            let by_code: HashMap<String, i64> = rows.into_iter().map(|(id, c)| (c, id)).collect();
            for h in chunk {
                let id = by_code.get(h.dossier.code).ok_or_else(|| {
                    StoreError::Internal(format!("dossier {} was not inserted", h.dossier.code))
                })?;
                ids.insert(h.dossier.code, *id);
            }
            let mut events = JsonRows::new();
            for (h, hashes) in chunk.iter().zip(chunk_chains) {
                push_events(
                    &mut events,
                    ids[h.dossier.code],
                    1,
                    GENESIS,
                    &h.events,
                    hashes,
                );
            }
            self.insert_events(events).await?;
        }

        let mut changes = Changes::default();
        for h in histories {
            if let Some(part) = h.dossier.part(&h.projection) {
                changes.add(&part, 1);
            }
        }
        self.apply_counts(changes).await?;

        // Receipts after these continue each agency's day from its highest number.
        let mut highest: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for h in histories {
            let n = highest.entry((h.desk, h.day)).or_default();
            *n = (*n).max(h.number);
        }
        let mut rows = JsonRows::new();
        for ((agency, day), last) in highest {
            rows.row().text(agency).text(day).int(last);
        }
        let sql = format!(
            "INSERT INTO dossier_sequences (agency, day, last) {} WHERE true
             ON CONFLICT (agency, day) DO UPDATE SET last = CASE
               WHEN excluded.last > dossier_sequences.last THEN excluded.last
               ELSE dossier_sequences.last END",
            select_rows(self.backend(), &[Kind::Text, Kind::Text, Kind::Int])
        );
        self.execute_rows(&sql, rows).await?;
        Ok(())
    }
}

impl Db {
    /// Refreshes the query planner's statistics of the dossier tables, after a bulk load.
    /// PostgreSQL otherwise plans with guesses until autovacuum comes round, and its guess of
    /// thousands of events per dossier makes it compile each event query (JIT): 30 ms a lookup.
    pub async fn analyze_dossiers(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::raw_sql("ANALYZE dossiers; ANALYZE dossier_events")
                .execute(&mut *conn)
                .await?;
        });
        tx.commit().await
    }
}
