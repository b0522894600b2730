//! Dossiers and their events (migration 0006). A dossier changes only by appending events; its
//! row, the projection, is rewritten in the same transaction, on condition that nobody changed
//! it since it was read (its version). Each event's hash covers the previous event's hash and the
//! event itself, so `verify_chains` finds any row altered behind the application's back. Each
//! dossier also has a lookup row (migration 0013): what the public lookup shows, kept with the
//! dossier row, and a timeline text to which each event adds its line, which the lookup reads in
//! place of the events.

use std::collections::HashMap;

use sqlx::Row;

use motcua_domain::dossier::event::{read_timeline, timeline_entry};

use crate::db::{Backend, Db, Inner, Tx, lent, on_read, on_tx};
use crate::direct::TryGet;
use crate::error::StoreError;
use crate::files::sha256_hex;
use crate::json_rows::{JsonRows, Kind, select_rows};
use crate::migrate::now_micros;
use crate::report_counts::{Changes, Dates, FACT_COLUMNS, Group, Part, facts_of_row, outcome_of};

/// The hash before a dossier's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a new dossier is, besides its projection.
#[derive(Debug, Clone)]
pub struct NewDossier<'a> {
    pub code: &'a str,
    pub lookup_hash: &'a str,
    pub created_by: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub procedure_code: &'a str,
    pub procedure_version: i64,
    pub sector: &'a str,
    pub level: &'a str,
    pub desk_agency_id: i64,
    pub deciding_agency_id: i64,
    pub channel: &'a str,
    pub applicant_login: Option<&'a str>,
}

/// The current state as stored: the columns lists filter and sort on, and the whole as JSON.
#[derive(Debug, Clone)]
pub struct Projection<'a> {
    pub stage: &'a str,
    pub step: i64,
    pub assignee: Option<&'a str>,
    pub applicant_name: &'a str,
    pub applicant_id_number: &'a str,
    pub submitted_at: i64,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub step_due_at: Option<i64>,
    pub paused_since: Option<i64>,
    pub finished_at: Option<i64>,
    pub outcome: Option<&'a str>,
    /// A second supplement request made it late whatever its dates.
    pub counts_late: bool,
    /// Received with every document scanned or uploaded.
    pub digitised: bool,
    pub version: i64,
    pub state: &'a str,
}

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    pub at: i64,
    pub actor: &'a str,
    pub actor_role: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRow {
    pub id: i64,
    pub code: String,
    pub lookup_hash: String,
    pub created_by: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub sector: String,
    pub level: String,
    pub desk_agency_id: i64,
    pub deciding_agency_id: i64,
    pub channel: String,
    pub stage: String,
    pub step: i64,
    pub assignee: Option<String>,
    pub applicant_name: String,
    pub applicant_login: Option<String>,
    pub submitted_at: i64,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
    pub version: i64,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub at: i64,
    pub actor: String,
    pub actor_role: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A dossier as the public lookup shows it (`Db::public_status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStatusRow {
    pub code: String,
    pub lookup_hash: String,
    pub procedure_code: String,
    pub stage: String,
    pub applicant_name: String,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    /// The timeline text: a line per event (`domain::dossier::event::read_timeline`).
    pub timeline: String,
}

/// Which dossiers a list shows. `agencies` is the reader's reach (`None`: the whole province).
#[derive(Debug, Clone, Default)]
pub struct DossierFilter {
    pub agencies: Option<Vec<i64>>,
    pub stages: Vec<String>,
    pub sector: Option<String>,
    /// Open dossiers due before this instant.
    pub due_before: Option<i64>,
    pub assignee: Option<String>,
    pub applicant_login: Option<String>,
    pub applicant_id_number: Option<String>,
    /// Keyset: the list continues after this (due_at, id); dossiers without a due date sort last.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

impl<'a> Projection<'a> {
    /// The columns of a domain dossier; `state` is the dossier as JSON.
    pub fn of(d: &'a motcua_domain::dossier::Dossier, state: &'a str) -> Projection<'a> {
        Projection {
            stage: d.stage.code(),
            step: d.step as i64,
            assignee: d.assignee.as_deref(),
            applicant_name: &d.application.applicant.name,
            applicant_id_number: &d.application.applicant.id_number,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due,
            step_due_at: d.step_due,
            paused_since: d.paused_since,
            finished_at: d.finished_at,
            outcome: d.outcome.map(|o| match o {
                motcua_calendar::Finished::Early => "early",
                motcua_calendar::Finished::OnTime => "on_time",
                motcua_calendar::Finished::Late => "late",
            }),
            counts_late: d.counts_late,
            digitised: d.digitised,
            version: d.version,
            state,
        }
    }
}

impl Projection<'_> {
    /// What the report counters follow of it.
    pub(crate) fn dates(&self) -> Dates {
        Dates {
            received_at: self.received_at,
            finished_at: self.finished_at,
            outcome: outcome_of(self.outcome),
            due_at: self.due_at,
            counts_late: self.counts_late,
            digitised: self.digitised,
        }
    }
}

impl NewDossier<'_> {
    /// Its part in the report counters in the state `p`.
    pub(crate) fn part(&self, p: &Projection<'_>) -> Option<Part> {
        Part::new(
            Group {
                deciding: self.deciding_agency_id,
                desk: self.desk_agency_id,
                sector: self.sector.to_string(),
                level: self.level.to_string(),
            },
            self.channel == "online",
            p.dates(),
        )
    }
}

/// Domain events ready to append: each serialised once, with when and by whom.
pub struct EventBatch {
    payloads: Vec<(&'static str, String)>,
    at: i64,
    actor: String,
    actor_role: String,
}

impl EventBatch {
    pub fn new(
        events: &[motcua_domain::dossier::Event],
        at: i64,
        actor: &str,
        actor_role: &str,
    ) -> EventBatch {
        EventBatch {
            payloads: events
                .iter()
                .map(|e| {
                    (
                        e.kind(),
                        serde_json::to_string(e).expect("an event serialises"),
                    )
                })
                .collect(),
            at,
            actor: actor.to_string(),
            actor_role: actor_role.to_string(),
        }
    }

    pub fn events(&self) -> Vec<NewEvent<'_>> {
        self.payloads
            .iter()
            .map(|(kind, payload)| NewEvent {
                kind,
                payload,
                at: self.at,
                actor: &self.actor,
                actor_role: &self.actor_role,
            })
            .collect()
    }
}

/// A break found in a dossier's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub code: String,
    pub seq: i64,
    pub problem: String,
}

/// The hash of an event: SHA-256 over the previous hash and the event's fields, one per line.
pub fn event_hash(prev: &str, code: &str, seq: i64, e: &NewEvent<'_>) -> String {
    let text = format!(
        "{prev}\n{code}\n{seq}\n{}\n{}\n{}\n{}\n{}",
        e.kind, e.at, e.actor, e.actor_role, e.payload
    );
    sha256_hex(text.as_bytes())
}

/// Microseconds in a day, and Vietnam's offset from UTC.
const DAY: i64 = 86_400_000_000;
const VN_OFFSET: i64 = 25_200_000_000;

const DOSSIER_COLUMNS: &str = "id, code, lookup_hash, created_by, procedure_code, procedure_version, sector, level, desk_agency_id, deciding_agency_id, channel, stage, step, assignee, applicant_name, applicant_login, submitted_at, received_at, due_at, finished_at, outcome, version, state";

/// A sort key for keyset pagination: dossiers without a due date come last.
const NO_DUE: i64 = i64::MAX;

macro_rules! dossier_row {
    ($r:expr) => {
        DossierRow {
            id: $r.try_get("id")?,
            code: $r.try_get("code")?,
            lookup_hash: $r.try_get("lookup_hash")?,
            created_by: $r.try_get("created_by")?,
            procedure_code: $r.try_get("procedure_code")?,
            procedure_version: $r.try_get("procedure_version")?,
            sector: $r.try_get("sector")?,
            level: $r.try_get("level")?,
            desk_agency_id: $r.try_get("desk_agency_id")?,
            deciding_agency_id: $r.try_get("deciding_agency_id")?,
            channel: $r.try_get("channel")?,
            stage: $r.try_get("stage")?,
            step: $r.try_get("step")?,
            assignee: $r.try_get("assignee")?,
            applicant_name: $r.try_get("applicant_name")?,
            applicant_login: $r.try_get("applicant_login")?,
            submitted_at: $r.try_get("submitted_at")?,
            received_at: $r.try_get("received_at")?,
            due_at: $r.try_get("due_at")?,
            finished_at: $r.try_get("finished_at")?,
            outcome: $r.try_get("outcome")?,
            version: $r.try_get("version")?,
            state: $r.try_get("state")?,
        }
    };
}

impl Db {
    pub async fn dossier_by_code(&self, code: &str) -> Result<Option<DossierRow>, StoreError> {
        let sql = format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE code = $1");
        Ok(on_read!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some(dossier_row!(r)),
                None => None,
            }
        }))
    }

    /// A page of dossiers, soonest due first, filtered in the query.
    pub async fn dossiers(&self, f: &DossierFilter) -> Result<Vec<DossierRow>, StoreError> {
        // The ids are chosen and sorted first, then only the page's rows are read whole: sorting
        // whole rows (their state is the largest column) made an agency's queue cost grow with
        // every open dossier it holds.
        let mut rest = String::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let mut texts: Vec<String> = Vec::new();
        if !f.stages.is_empty() {
            let marks: Vec<String> = f.stages.iter().map(|_| next()).collect();
            rest.push_str(&format!(" AND stage IN ({})", marks.join(", ")));
            texts.extend(f.stages.iter().cloned());
        }
        for (column, value) in [
            ("sector", &f.sector),
            ("assignee", &f.assignee),
            ("applicant_login", &f.applicant_login),
            ("applicant_id_number", &f.applicant_id_number),
        ] {
            if let Some(v) = value {
                rest.push_str(&format!(" AND {column} = {}", next()));
                texts.push(v.clone());
            }
        }
        let mut ints: Vec<i64> = Vec::new();
        if let Some(before) = f.due_before {
            rest.push_str(&format!(" AND due_at IS NOT NULL AND due_at < {}", next()));
            ints.push(before);
        }
        let due_key = format!("COALESCE(due_at, {NO_DUE})");
        if let Some((due, id)) = f.after {
            let (a, b, c) = (next(), next(), next());
            rest.push_str(&format!(
                " AND ({due_key} > {a} OR ({due_key} = {b} AND id > {c}))"
            ));
            ints.extend([due, due, id]);
        }
        let limit = f.limit.clamp(1, 500);
        let page = format!("ORDER BY {due_key}, id LIMIT {limit}");
        let ids = match &f.agencies {
            None => format!("SELECT id FROM dossiers WHERE 1 = 1{rest} {page}"),
            Some(agencies) if agencies.is_empty() => return Ok(Vec::new()),
            Some(agencies) => {
                // Ids are integers from the reach, never text from a request.
                let list: Vec<String> = agencies.iter().map(|id| id.to_string()).collect();
                let list = list.join(", ");
                if f.assignee.is_some() || f.applicant_id_number.is_some() {
                    // An officer's own dossiers, or an applicant's: few, found by their index.
                    // The unary `+` keeps SQLite off the agencies' indexes, which its statistics
                    // prefer while most dossiers have no assignee, and which read every open row.
                    format!(
                        "SELECT id FROM dossiers WHERE (+deciding_agency_id IN ({list}) \
                         OR +desk_agency_id IN ({list})){rest} {page}"
                    )
                } else {
                    // An agency's queue: each side's first page read from its own index alone
                    // (agency, stage, due date), then the two merged. With the agencies OR-ed in
                    // one query, SQLite read every open row of the table to sort them.
                    let side = |column: &str| {
                        format!(
                            "SELECT * FROM (SELECT id, {due_key} AS due_key FROM dossiers \
                             WHERE {column} IN ({list}){rest} {page}) AS {column}_side"
                        )
                    };
                    format!(
                        "SELECT id FROM ({} UNION {}) AS sides ORDER BY due_key, id LIMIT {limit}",
                        side("deciding_agency_id"),
                        side("desk_agency_id")
                    )
                }
            }
        };
        let sql = format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id IN ({ids}) ORDER BY {due_key}, id"
        );
        Ok(on_read!(self, |pool| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for t in &texts {
                q = q.bind(t);
            }
            for i in &ints {
                q = q.bind(i);
            }
            let rows = q.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(dossier_row!(r));
            }
            out
        }))
    }

    /// The dossiers a desk's agency received from `from` up to `to` (instants), in the order they
    /// were received: its register (sổ theo dõi hồ sơ). At most `limit`.
    pub async fn received_at_desk(
        &self,
        desk_agency_id: i64,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<DossierRow>, StoreError> {
        let sql = format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers
             WHERE desk_agency_id = $1 AND submitted_at < $3 AND received_at >= $2 AND received_at < $3
             ORDER BY received_at, id LIMIT $4"
        );
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(desk_agency_id)
                .bind(from)
                .bind(to)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(dossier_row!(r));
            }
            out
        }))
    }

    /// The newest dossier of an applicant by identity number, among `agencies` (`None`: all):
    /// a returning applicant's details, found at the desk.
    pub async fn latest_dossier_of_applicant(
        &self,
        id_number: &str,
        agencies: Option<&[i64]>,
    ) -> Result<Option<DossierRow>, StoreError> {
        let mut sql =
            format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE applicant_id_number = $1");
        if let Some(ids) = agencies {
            if ids.is_empty() {
                return Ok(None);
            }
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            sql.push_str(&format!(
                " AND (desk_agency_id IN ({0}) OR deciding_agency_id IN ({0}))",
                list.join(", ")
            ));
        }
        sql.push_str(" ORDER BY submitted_at DESC, id DESC LIMIT 1");
        Ok(on_read!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id_number)
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some(dossier_row!(r)),
                None => None,
            }
        }))
    }

    /// Of `hashes`, those not in the file store's records.
    pub async fn missing_files(&self, hashes: &[String]) -> Result<Vec<String>, StoreError> {
        let mut missing = Vec::new();
        for h in hashes {
            let found: Option<String> = on_read!(self, |pool| {
                sqlx::query_scalar("SELECT sha256 FROM files WHERE sha256 = $1")
                    .bind(h)
                    .fetch_optional(pool)
                    .await?
            });
            if found.is_none() {
                missing.push(h.clone());
            }
        }
        Ok(missing)
    }

    /// A kept file's media type and size.
    pub async fn file_info(&self, sha256: &str) -> Result<Option<(String, i64)>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (String, i64)>(
                "SELECT media_type, size FROM files WHERE sha256 = $1",
            )
            .bind(sha256)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The dossier a creator already made with this idempotency key, if any: read outside any
    /// write transaction, so a retry check never waits for or holds the write lock (a retry
    /// racing the first request is caught by the unique index when it inserts).
    pub async fn dossier_by_idempotency_key(
        &self,
        created_by: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar::<_, String>(
                "SELECT code FROM dossiers WHERE created_by = $1 AND idempotency_key = $2",
            )
            .bind(created_by)
            .bind(key)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// What the public status lookup shows of a dossier: its lookup row, found by its code. The
    /// lookup is the busiest request of all; that row is kept so it reads one row through one
    /// index.
    pub async fn public_status(&self, code: &str) -> Result<Option<PublicStatusRow>, StoreError> {
        const SQL: &str = "SELECT code, lookup_hash, procedure_code, stage, applicant_name,
             received_at, due_at, lines FROM dossier_lookups WHERE code = $1";
        macro_rules! status {
            ($r:expr) => {
                PublicStatusRow {
                    code: $r.try_get(0)?,
                    lookup_hash: $r.try_get(1)?,
                    procedure_code: $r.try_get(2)?,
                    stage: $r.try_get(3)?,
                    applicant_name: $r.try_get(4)?,
                    received_at: $r.try_get(5)?,
                    due_at: $r.try_get(6)?,
                    timeline: $r.try_get(7)?,
                }
            };
        }
        Ok(match &self.inner {
            Inner::Sqlite { direct, .. } => direct.read(|conn| {
                let mut statement = conn.prepare_cached(SQL)?;
                let mut rows = statement.query([code])?;
                Ok(match rows.next()? {
                    Some(r) => Some(status!(r)),
                    None => None,
                })
            })?,
            Inner::Postgres(pg) => lent!(pg, |conn| {
                match sqlx::query(SQL).bind(code).fetch_optional(conn).await? {
                    Some(r) => Some(status!(r)),
                    None => None,
                }
            }),
        })
    }

    /// The events of many dossiers, by dossier, each in order: a query per thousand dossiers.
    pub async fn events_of_dossiers(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<EventRow>>, StoreError> {
        type Tuple = (
            i64,
            i64,
            String,
            String,
            i64,
            String,
            String,
            String,
            String,
        );
        let mut out: std::collections::HashMap<i64, Vec<EventRow>> =
            std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(1_000) {
            // Ids are numbers from the database, never text from a request.
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!(
                "SELECT dossier_id, seq, kind, payload, at, actor, actor_role, prev_hash, hash
                 FROM dossier_events WHERE dossier_id IN ({}) ORDER BY dossier_id, seq",
                list.join(", ")
            );
            let rows: Vec<Tuple> = on_read!(self, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_all(pool)
                    .await?
            });
            for r in rows {
                out.entry(r.0).or_default().push(EventRow {
                    seq: r.1,
                    kind: r.2,
                    payload: r.3,
                    at: r.4,
                    actor: r.5,
                    actor_role: r.6,
                    prev_hash: r.7,
                    hash: r.8,
                });
            }
        }
        Ok(out)
    }

    pub async fn dossier_events(&self, dossier_id: i64) -> Result<Vec<EventRow>, StoreError> {
        type Tuple = (i64, String, String, i64, String, String, String, String);
        let rows: Vec<Tuple> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, kind, payload, at, actor, actor_role, prev_hash, hash
                 FROM dossier_events WHERE dossier_id = $1 ORDER BY seq",
            )
            .bind(dossier_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| EventRow {
                seq: r.0,
                kind: r.1,
                payload: r.2,
                at: r.3,
                actor: r.4,
                actor_role: r.5,
                prev_hash: r.6,
                hash: r.7,
            })
            .collect())
    }

    /// Every dossier's chain recomputed: each event's previous hash is the hash before it, each
    /// hash matches the event's content, the numbers run 1, 2, 3 …, the dossier row ends where
    /// its events end, its lookup row shows what its row holds, and its timeline a line of each
    /// event (checked where the chain holds: an altered event is reported as such). Read a
    /// thousand dossiers at a time, so a province's millions of events are never held at once.
    /// Returns the breaks (none when all is well) and how many events were checked.
    pub async fn verify_chains(&self) -> Result<(Vec<ChainBreak>, u64), StoreError> {
        const DOSSIERS: i64 = 1_000;
        let mut breaks = Vec::new();
        let mut checked = 0u64;
        let mut after = 0i64;
        loop {
            let dossiers: Vec<(i64, String, i64, String, Option<String>, String)> =
                on_read!(self, |pool| {
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT d.id, d.code, d.version, d.last_hash, l.lines, {LOOKUP_DIFFERS}
                         FROM dossiers d LEFT JOIN dossier_lookups l ON l.code = d.code
                         WHERE d.id > $1 ORDER BY d.id LIMIT $2"
                    )))
                    .bind(after)
                    .bind(DOSSIERS)
                    .fetch_all(pool)
                    .await?
                });
            let Some(last) = dossiers.last().map(|d| d.0) else {
                break;
            };
            let ids: Vec<i64> = dossiers.iter().map(|d| d.0).collect();
            let events = self.events_of_dossiers(&ids).await?;
            for (id, code, version, last_hash, timeline, differs) in dossiers {
                let events = events.get(&id).map_or(&[][..], Vec::as_slice);
                checked += events.len() as u64;
                let found = breaks.len();
                verify_chain(&code, version, &last_hash, events, &mut breaks);
                let problem = match timeline.as_deref() {
                    None => Some("hồ sơ không có dòng tra cứu".to_string()),
                    Some(_) if !differs.is_empty() => Some(lookup_differs(&differs)),
                    Some(timeline) => timeline_problem(timeline, events),
                };
                if breaks.len() == found
                    && let Some(problem) = problem
                {
                    breaks.push(ChainBreak {
                        code,
                        seq: version,
                        problem,
                    });
                }
            }
            after = last;
        }
        Ok((breaks, checked))
    }
}

/// The breaks in one dossier's chain, its events in order.
fn verify_chain(
    code: &str,
    version: i64,
    last_hash: &str,
    events: &[EventRow],
    breaks: &mut Vec<ChainBreak>,
) {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    for e in events {
        let event = NewEvent {
            kind: &e.kind,
            payload: &e.payload,
            at: e.at,
            actor: &e.actor,
            actor_role: &e.actor_role,
        };
        let problem = if e.seq != expected_seq {
            Some(format!("sự kiện số {} đứng ở vị trí {expected_seq}", e.seq))
        } else if e.prev_hash != prev {
            Some("mã băm của sự kiện trước không khớp".to_string())
        } else if event_hash(&prev, code, e.seq, &event) != e.hash {
            Some("nội dung sự kiện đã bị sửa".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            breaks.push(ChainBreak {
                code: code.to_string(),
                seq: e.seq,
                problem,
            });
        }
        prev = e.hash.clone();
        expected_seq = e.seq + 1;
    }
    // The dossier row must end where its events end.
    if version != expected_seq - 1 || last_hash != prev {
        breaks.push(ChainBreak {
            code: code.to_string(),
            seq: expected_seq - 1,
            problem: "hồ sơ không khớp với sự kiện cuối cùng".into(),
        });
    }
}

/// The lookup row's columns that differ from its dossier's, each as ` column`: empty when they
/// agree.
const LOOKUP_DIFFERS: &str =
    "CASE WHEN l.lookup_hash = d.lookup_hash THEN '' ELSE ' lookup_hash' END
    || CASE WHEN l.procedure_code = d.procedure_code THEN '' ELSE ' procedure_code' END
    || CASE WHEN l.stage = d.stage THEN '' ELSE ' stage' END
    || CASE WHEN l.applicant_name = d.applicant_name THEN '' ELSE ' applicant_name' END
    || CASE WHEN coalesce(l.received_at, -1) = coalesce(d.received_at, -1) THEN ''
            ELSE ' received_at' END
    || CASE WHEN coalesce(l.due_at, -1) = coalesce(d.due_at, -1) THEN '' ELSE ' due_at' END";

/// The problem of a lookup row that shows other values than its dossier's, named as the lookup
/// page names them.
fn lookup_differs(columns: &str) -> String {
    let names: Vec<&str> = columns
        .split_whitespace()
        .map(|column| match column {
            "lookup_hash" => "mã tra cứu",
            "procedure_code" => "thủ tục",
            "stage" => "trạng thái",
            "applicant_name" => "người nộp",
            "received_at" => "ngày tiếp nhận",
            "due_at" => "ngày hẹn trả",
            other => other,
        })
        .collect();
    format!("dòng tra cứu khác hồ sơ ở: {}", names.join(", "))
}

/// What is wrong with a dossier's timeline, if anything: it must read as the entries its events
/// write (`timeline_entry`).
fn timeline_problem(timeline: &str, events: &[EventRow]) -> Option<String> {
    let written: Option<String> = events
        .iter()
        .map(|e| timeline_entry(e.at, &e.payload).ok())
        .collect();
    match (read_timeline(timeline), written.map(|w| read_timeline(&w))) {
        (Ok(lines), Some(Ok(expected))) if lines == expected => None,
        _ => Some("dòng thời gian tra cứu không khớp với các sự kiện".into()),
    }
}

impl Tx {
    /// The next number of a dossier code for an agency on a day (1, 2, 3 … with no gap: the
    /// counter moves in the caller's transaction, so a rolled-back receipt gives its number back).
    pub async fn next_dossier_number(
        &mut self,
        agency: &str,
        day: &str,
    ) -> Result<i64, StoreError> {
        self.take_dossier_numbers(agency, day, 1).await
    }

    /// The first of `count` numbers taken together, as [`Tx::next_dossier_number`] takes one.
    pub(crate) async fn take_dossier_numbers(
        &mut self,
        agency: &str,
        day: &str,
        count: i64,
    ) -> Result<i64, StoreError> {
        let last = on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO dossier_sequences (agency, day, last) VALUES ($1, $2, $3)
                 ON CONFLICT (agency, day) DO UPDATE SET last = dossier_sequences.last + excluded.last
                 RETURNING last",
            )
            .bind(agency)
            .bind(day)
            .bind(count)
            .fetch_one(&mut *conn)
            .await?
        });
        Ok(last - count + 1)
    }

    /// The dossier a creator already made with this idempotency key, if any.
    pub async fn dossier_by_idempotency_key(
        &mut self,
        created_by: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar::<_, String>(
                "SELECT code FROM dossiers WHERE created_by = $1 AND idempotency_key = $2",
            )
            .bind(created_by)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Creates a dossier with its first events. Returns its id.
    pub async fn insert_dossier(
        &mut self,
        d: &NewDossier<'_>,
        p: &Projection<'_>,
        events: &[NewEvent<'_>],
    ) -> Result<i64, StoreError> {
        let mut rows = self.insert_dossiers(&[(d, p, events)]).await?;
        Ok(rows.remove(0).id)
    }

    /// Creates dossiers with their first events and gives them back as stored, in order: three
    /// statements (dossiers, events, report counters) however many they are.
    pub(crate) async fn insert_dossiers(
        &mut self,
        new: &[(&NewDossier<'_>, &Projection<'_>, &[NewEvent<'_>])],
    ) -> Result<Vec<DossierRow>, StoreError> {
        let now = now_micros();
        let chains: Vec<_> = new
            .iter()
            .map(|(d, _, events)| chain(GENESIS, d.code, 1, events))
            .collect();
        let mut dossiers = JsonRows::new();
        for ((d, p, _), (_, last)) in new.iter().zip(&chains) {
            push_dossier(&mut dossiers, d, p, last, now);
        }
        let sql = format!(
            "{} RETURNING {DOSSIER_COLUMNS}",
            dossier_insert(self.backend())
        );
        let mut stored: Vec<DossierRow> = Vec::with_capacity(new.len());
        for batch in dossiers.batches() {
            on_tx!(self, |conn| {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(batch)
                    .fetch_all(&mut *conn)
                    .await?;
                for r in &rows {
                    stored.push(dossier_row!(r));
                }
            });
        }
        // RETURNING promises no order: rows are matched by code.
        let mut by_code: HashMap<String, DossierRow> =
            stored.into_iter().map(|r| (r.code.clone(), r)).collect();
        let mut out = Vec::with_capacity(new.len());
        let mut events = JsonRows::new();
        let mut lookups = JsonRows::new();
        let mut changes = Changes::default();
        for ((d, p, new_events), (hashes, _)) in new.iter().zip(&chains) {
            let row = by_code.remove(d.code).ok_or_else(|| {
                StoreError::Internal(format!("dossier {} was not inserted", d.code))
            })?;
            push_events(&mut events, row.id, 1, GENESIS, new_events, hashes);
            push_lookup(&mut lookups, d, p, new_events)?;
            if let Some(part) = d.part(p) {
                changes.add(&part, 1);
            }
            out.push(row);
        }
        self.insert_events(events).await?;
        self.insert_lookups(lookups).await?;
        self.apply_counts(changes).await?;
        Ok(out)
    }

    /// Appends events to a dossier read at `expected_version`, and rewrites its projection.
    /// `Conflict` when someone else changed it since.
    pub async fn append_events(
        &mut self,
        dossier_id: i64,
        expected_version: i64,
        p: &Projection<'_>,
        events: &[NewEvent<'_>],
    ) -> Result<(), StoreError> {
        let sql =
            format!("SELECT code, last_hash, version, {FACT_COLUMNS} FROM dossiers WHERE id = $1");
        let found = on_tx!(self, |conn| {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(dossier_id)
                .fetch_optional(&mut *conn)
                .await?
            {
                Some(r) => Some((
                    r.try_get::<String, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    r.try_get::<i64, _>(2)?,
                    facts_of_row(&r, 3)?,
                )),
                None => None,
            }
        });
        let (code, prev, version, (group, online, dates)) = found.ok_or(StoreError::NotFound)?;
        if version != expected_version {
            return Err(StoreError::Conflict(format!(
                "dossier {code} is at version {version}, not {expected_version}"
            )));
        }
        let first_seq = version + 1;
        let (hashes, last) = chain(&prev, &code, first_seq, events);
        let changed = on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE dossiers SET stage = $3, step = $4, assignee = $5, applicant_name = $6,
                   applicant_id_number = $7, received_at = $8, due_at = $9, step_due_at = $10,
                   paused_since = $11, finished_at = $12, outcome = $13, version = $14, state = $15,
                   last_hash = $16, updated_at = $17, counts_late = $18, digitised = $19
                 WHERE id = $1 AND version = $2",
            )
            .bind(dossier_id)
            .bind(expected_version)
            .bind(p.stage)
            .bind(p.step)
            .bind(p.assignee)
            .bind(p.applicant_name)
            .bind(p.applicant_id_number)
            .bind(p.received_at)
            .bind(p.due_at)
            .bind(p.step_due_at)
            .bind(p.paused_since)
            .bind(p.finished_at)
            .bind(p.outcome)
            .bind(p.version)
            .bind(p.state)
            .bind(&last)
            .bind(now_micros())
            .bind(i64::from(p.counts_late))
            .bind(i64::from(p.digitised))
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "dossier {code} changed while this was decided"
            )));
        }
        let old = Part::new(group.clone(), online, dates);
        let new = Part::new(group, online, p.dates());
        self.apply_counts(Changes::between(old.as_ref(), new.as_ref()))
            .await?;
        let mut rows = JsonRows::new();
        push_events(&mut rows, dossier_id, first_seq, &prev, events, &hashes);
        self.insert_events(rows).await?;
        let entries = timeline_text(events)?;
        let extended = on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE dossier_lookups SET lines = lines || $2, stage = $3, applicant_name = $4,
                   received_at = $5, due_at = $6
                 WHERE code = $1",
            )
            .bind(code.as_str())
            .bind(entries.as_str())
            .bind(p.stage)
            .bind(p.applicant_name)
            .bind(p.received_at)
            .bind(p.due_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if extended != 1 {
            return Err(StoreError::Internal(format!(
                "dossier {code} has no lookup row"
            )));
        }
        Ok(())
    }

    /// Writes lookup rows made by [`push_lookup`], in one statement.
    pub(crate) async fn insert_lookups(&mut self, rows: JsonRows) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        use Kind::{Int, Text};
        let sql =
            format!(
            "INSERT INTO dossier_lookups (code, lookup_hash, procedure_code, stage, applicant_name,
               received_at, due_at, lines) {}",
            select_rows(self.backend(), &[Text, Text, Text, Text, Text, Int, Int, Text])
        );
        self.execute_rows(&sql, rows).await
    }

    /// Writes event rows made by [`push_events`], in one statement.
    pub(crate) async fn insert_events(&mut self, rows: JsonRows) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO dossier_events (dossier_id, seq, kind, payload, at, actor, actor_role,
               prev_hash, hash) {}",
            select_rows(self.backend(), &EVENT_KINDS)
        );
        self.execute_rows(&sql, rows).await
    }
}

/// The `INSERT INTO dossiers … SELECT` of rows made by [`push_dossier`], without `RETURNING`.
pub(crate) fn dossier_insert(backend: Backend) -> String {
    use Kind::{Int, Text};
    format!(
        "INSERT INTO dossiers (code, lookup_hash, created_by, idempotency_key, procedure_code,
           procedure_version, sector, level, desk_agency_id, deciding_agency_id, channel,
           stage, step, assignee, applicant_name, applicant_id_number, applicant_login,
           submitted_at, received_at, due_at, step_due_at, paused_since, finished_at, outcome,
           version, state, last_hash, updated_at, counts_late, digitised) {}",
        select_rows(
            backend,
            &[
                Text, Text, Text, Text, Text, Int, Text, Text, Int, Int, Text, Text, Int, Text,
                Text, Text, Text, Int, Int, Int, Int, Int, Int, Text, Int, Text, Text, Int, Int,
                Int,
            ]
        )
    )
}

/// A dossier's row for [`dossier_insert`], with the hash of its last event.
pub(crate) fn push_dossier(
    rows: &mut JsonRows,
    d: &NewDossier<'_>,
    p: &Projection<'_>,
    last_hash: &str,
    now: i64,
) {
    rows.row()
        .text(d.code)
        .text(d.lookup_hash)
        .text(d.created_by)
        .opt_text(d.idempotency_key)
        .text(d.procedure_code)
        .int(d.procedure_version)
        .text(d.sector)
        .text(d.level)
        .int(d.desk_agency_id)
        .int(d.deciding_agency_id)
        .text(d.channel)
        .text(p.stage)
        .int(p.step)
        .opt_text(p.assignee)
        .text(p.applicant_name)
        .text(p.applicant_id_number)
        .opt_text(d.applicant_login)
        .int(p.submitted_at)
        .opt_int(p.received_at)
        .opt_int(p.due_at)
        .opt_int(p.step_due_at)
        .opt_int(p.paused_since)
        .opt_int(p.finished_at)
        .opt_text(p.outcome)
        .int(p.version)
        .text(p.state)
        .text(last_hash)
        .int(now)
        .int(i64::from(p.counts_late))
        .int(i64::from(p.digitised));
}

/// A new dossier's lookup row: what the public lookup shows of it, and the timeline of its
/// first events.
pub(crate) fn push_lookup(
    rows: &mut JsonRows,
    d: &NewDossier<'_>,
    p: &Projection<'_>,
    events: &[NewEvent<'_>],
) -> Result<(), StoreError> {
    rows.row()
        .text(d.code)
        .text(d.lookup_hash)
        .text(d.procedure_code)
        .text(p.stage)
        .text(p.applicant_name)
        .opt_int(p.received_at)
        .opt_int(p.due_at)
        .text(&timeline_text(events)?);
    Ok(())
}

const EVENT_KINDS: [Kind; 9] = [
    Kind::Int,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
];

/// A dossier's events from `first_seq` for [`Tx::insert_events`], chained from `first_prev`
/// with their `hashes`.
pub(crate) fn push_events(
    rows: &mut JsonRows,
    dossier_id: i64,
    first_seq: i64,
    first_prev: &str,
    events: &[NewEvent<'_>],
    hashes: &[String],
) {
    for (i, (e, hash)) in events.iter().zip(hashes).enumerate() {
        let prev = if i == 0 {
            first_prev
        } else {
            hashes[i - 1].as_str()
        };
        rows.row()
            .int(dossier_id)
            .int(first_seq + i as i64)
            .text(e.kind)
            .text(e.payload)
            .int(e.at)
            .text(e.actor)
            .text(e.actor_role)
            .text(prev)
            .text(hash);
    }
}

/// The entries `events` add to their dossier's timeline text.
pub(crate) fn timeline_text(events: &[NewEvent<'_>]) -> Result<String, StoreError> {
    let mut text = String::new();
    for e in events {
        let entry = timeline_entry(e.at, e.payload).map_err(|err| {
            StoreError::Internal(format!(
                "a “{}” event is not a timeline line: {err}",
                e.kind
            ))
        })?;
        text.push_str(&entry);
    }
    Ok(text)
}

/// The hashes of `events` following `prev`, and the last one.
fn chain(prev: &str, code: &str, first_seq: i64, events: &[NewEvent<'_>]) -> (Vec<String>, String) {
    let mut hashes = Vec::with_capacity(events.len());
    let mut last = prev.to_string();
    for (i, e) in events.iter().enumerate() {
        last = event_hash(&last, code, first_seq + i as i64, e);
        hashes.push(last.clone());
    }
    (hashes, last)
}

impl Db {
    /// The dossiers late in the period: decided late within it, or still open at `judged` (its
    /// end, or now for a period not over) past their due day (or made late by a second
    /// supplement request), in `scope`; at most `limit`, the earliest due first.
    pub async fn late_dossiers(
        &self,
        start: i64,
        end: i64,
        judged: i64,
        scope: &crate::ReportScope,
        limit: i64,
    ) -> Result<Vec<DossierRow>, StoreError> {
        // Overdue means due on a day before the one judged on; a stopped dossier (no outcome) is
        // late when stopped on a day after its due day, as Biểu 06 judges it. Days are Vietnam's
        // (one offset, no summer time).
        let last_day = (judged + VN_OFFSET) / DAY * DAY - VN_OFFSET;
        // The ids are sorted first and only the listed rows read whole: sorting whole rows kept
        // thousands of dossiers' states in SQLite's sorter at once.
        let mut ids = format!(
            "SELECT id FROM dossiers
             WHERE received_at IS NOT NULL AND received_at < $1
               AND ((finished_at >= $2 AND finished_at < $1
                     AND (outcome = 'late'
                       OR (outcome IS NULL AND (counts_late = 1
                         OR (due_at + {VN_OFFSET}) / {DAY} < (finished_at + {VN_OFFSET}) / {DAY}))))
                 OR (finished_at IS NULL AND stage <> 'stopped'
                     AND (due_at < $3 OR counts_late = 1))
                 OR (finished_at >= $1 AND stage <> 'stopped'
                     AND (due_at < $3 OR counts_late = 1)))"
        );
        if !scope.narrow(&mut ids) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers
             WHERE id IN ({ids} ORDER BY due_at, id LIMIT {})
             ORDER BY due_at, id",
            limit.max(1)
        );
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(end)
                .bind(start)
                .bind(last_day)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(dossier_row!(r));
            }
            out
        }))
    }
}
