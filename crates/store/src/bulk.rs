//! Many dossiers at once, each with its whole history: the demo province's year of dossiers, and
//! the benchmarks' million. Multi-row INSERTs in the caller's transaction instead of a statement
//! per row; every event hashed exactly as `insert_dossier` and `append_events` hash it, so
//! `verify_chains` accepts the result; each dossier's lookup row and timeline as the events would
//! have written them; and each agency's numbering for a day left at the highest number used, so
//! receipts made afterwards continue it.

use std::collections::{BTreeMap, HashMap};

use crate::db::{Backend, Db, Tx, on_tx};
use crate::dossiers::{GENESIS, NewDossier, NewEvent, Projection, event_hash, push_lookup};
use crate::error::StoreError;
use crate::json_rows::JsonRows;
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

/// Rows per statement, within SQLite's 32,766 bound parameters (PostgreSQL allows 65,535).
const DOSSIER_ROWS: usize = 500;
const EVENT_ROWS: usize = 3_000;
const SEQUENCE_ROWS: usize = 2_000;

const DOSSIER_INSERT: &str = "INSERT INTO dossiers (code, lookup_hash, created_by, idempotency_key,
   procedure_code, procedure_version, sector, level, desk_agency_id, deciding_agency_id, channel,
   stage, step, assignee, applicant_name, applicant_id_number, applicant_login, submitted_at,
   received_at, due_at, step_due_at, paused_since, finished_at, outcome, version, state,
   last_hash, updated_at, counts_late, digitised) VALUES ";
const DOSSIER_COLUMNS: usize = 30;

const EVENT_INSERT: &str = "INSERT INTO dossier_events (dossier_id, seq, kind, payload, at, actor,
   actor_role, prev_hash, hash) VALUES ";
const EVENT_COLUMNS: usize = 9;

/// `($1, $2, …), (…)`: `rows` groups of `columns` numbered placeholders. On SQLite they are
/// plain `?`, bound in order: it keeps the names of `$1` or `?1` parameters in a list that
/// sqlx searches for each one it binds, so thousands of them would take quadratic time.
pub(crate) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 7);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(r * columns + c + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

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
        for (chunk, chunk_chains) in histories
            .chunks(DOSSIER_ROWS)
            .zip(chains.chunks(DOSSIER_ROWS))
        {
            let sql = format!(
                "{DOSSIER_INSERT}{} RETURNING id, code",
                placeholders(self.backend(), chunk.len(), DOSSIER_COLUMNS)
            );
            let rows: Vec<(i64, String)> = on_tx!(self, |conn| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).persistent(false);
                for (h, hashes) in chunk.iter().zip(chunk_chains) {
                    let (d, p) = (&h.dossier, &h.projection);
                    q = q
                        .bind(d.code)
                        .bind(d.lookup_hash)
                        .bind(d.created_by)
                        .bind(d.idempotency_key)
                        .bind(d.procedure_code)
                        .bind(d.procedure_version)
                        .bind(d.sector)
                        .bind(d.level)
                        .bind(d.desk_agency_id)
                        .bind(d.deciding_agency_id)
                        .bind(d.channel)
                        .bind(p.stage)
                        .bind(p.step)
                        .bind(p.assignee)
                        .bind(p.applicant_name)
                        .bind(p.applicant_id_number)
                        .bind(d.applicant_login)
                        .bind(p.submitted_at)
                        .bind(p.received_at)
                        .bind(p.due_at)
                        .bind(p.step_due_at)
                        .bind(p.paused_since)
                        .bind(p.finished_at)
                        .bind(p.outcome)
                        .bind(p.version)
                        .bind(p.state)
                        .bind(hashes.last().expect("at least one event"))
                        .bind(now)
                        .bind(i64::from(p.counts_late))
                        .bind(i64::from(p.digitised));
                }
                q.fetch_all(&mut *conn).await?
            });
            // RETURNING promises no order: ids are matched by code.
            let by_code: HashMap<String, i64> = rows.into_iter().map(|(id, c)| (c, id)).collect();
            for h in chunk {
                let id = by_code.get(h.dossier.code).ok_or_else(|| {
                    StoreError::Internal(format!("dossier {} was not inserted", h.dossier.code))
                })?;
                ids.insert(h.dossier.code, *id);
            }
        }

        // (dossier id, seq, event, previous hash, hash), in order.
        let mut rows = Vec::new();
        for (h, hashes) in histories.iter().zip(&chains) {
            let id = ids[h.dossier.code];
            for (i, (e, hash)) in h.events.iter().zip(hashes).enumerate() {
                let prev = if i == 0 {
                    GENESIS
                } else {
                    hashes[i - 1].as_str()
                };
                rows.push((id, i as i64 + 1, e, prev, hash.as_str()));
            }
        }
        for chunk in rows.chunks(EVENT_ROWS) {
            let sql = format!(
                "{EVENT_INSERT}{}",
                placeholders(self.backend(), chunk.len(), EVENT_COLUMNS)
            );
            on_tx!(self, |conn| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
                for (id, seq, e, prev, hash) in chunk {
                    q = q
                        .bind(*id)
                        .bind(*seq)
                        .bind(e.kind)
                        .bind(e.payload)
                        .bind(e.at)
                        .bind(e.actor)
                        .bind(e.actor_role)
                        .bind(*prev)
                        .bind(*hash);
                }
                q.execute(&mut *conn).await?;
            });
        }

        let mut lookups = JsonRows::new();
        for h in histories {
            push_lookup(&mut lookups, &h.dossier, &h.projection, &h.events)?;
        }
        self.insert_lookups(lookups).await?;

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
        let highest: Vec<_> = highest.into_iter().collect();
        for chunk in highest.chunks(SEQUENCE_ROWS) {
            let sql = format!(
                "INSERT INTO dossier_sequences (agency, day, last) VALUES {}
                 ON CONFLICT (agency, day) DO UPDATE SET last = CASE
                   WHEN excluded.last > dossier_sequences.last THEN excluded.last
                   ELSE dossier_sequences.last END",
                placeholders(self.backend(), chunk.len(), 3)
            );
            on_tx!(self, |conn| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
                for ((agency, day), last) in chunk {
                    q = q.bind(*agency).bind(*day).bind(*last);
                }
                q.execute(&mut *conn).await?;
            });
        }
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
            sqlx::raw_sql("ANALYZE dossiers; ANALYZE dossier_events; ANALYZE dossier_lookups")
                .execute(&mut *conn)
                .await?;
        });
        tx.commit().await
    }
}
