//! Opening dossiers in groups: dossiers received at the same moment are numbered and written in
//! one transaction, so they share its commit (one flush to disk instead of one each) and the
//! write lock is taken once for all of them.
//!
//! One task writes them: it takes every opening waiting, writes them and commits, then answers
//! each. Each caller is answered only after the commit that wrote its dossier, so an answered
//! dossier is on disk, and a caller that goes away (a closed connection) stops nobody. While
//! other receipts are on their way the task commits at most every [`PACE`], so that they share
//! a commit: a commit (its pages written to the log and flushed) costs far more than the rows it
//! writes, and without the pause each receipt under load would pay one of its own.
//!
//! If one of a group fails (a retry racing on an idempotency key, say), the group is rolled back
//! and each is written alone, so one failure never takes the others with it and a number is
//! never skipped.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use motcua_calendar::Date;
use motcua_domain::dossier::{CodeFormat, Dossier};
use tokio::sync::{mpsc, oneshot};

use crate::db::{Db, Tx};
use crate::dossiers::{DossierRow, EventBatch, NewDossier, Projection};
use crate::error::StoreError;

/// The most dossiers written in one transaction.
const MOST: usize = 64;

/// A dossier to open. It owns its parts so that it can wait to be written with others; its
/// code is given when written, from its desk agency's sequence for the day.
pub struct Opening {
    pub desk: String,
    pub day: Date,
    pub code_format: CodeFormat,
    pub lookup_hash: String,
    pub created_by: String,
    pub idempotency_key: Option<String>,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub sector: String,
    pub level: String,
    pub desk_agency_id: i64,
    pub deciding_agency_id: i64,
    pub channel: String,
    pub applicant_login: Option<String>,
    pub dossier: Dossier,
    /// The dossier as JSON, as the projection keeps it.
    pub state: String,
    pub events: EventBatch,
}

type Answer = Result<DossierRow, StoreError>;

/// The least time between two commits of openings while other receipts are on their way.
const PACE: Duration = Duration::from_millis(2);

type Queued = (Opening, oneshot::Sender<Answer>);

#[derive(Default)]
pub(crate) struct Openings {
    /// The writing task's inbox, made with the task; made again if the task is gone (the
    /// runtime it ran on has ended).
    inbox: Mutex<Option<mpsc::UnboundedSender<Queued>>>,
    /// Receipts announced and not yet answered.
    in_flight: AtomicUsize,
    /// Transactions that wrote openings, and the dossiers they wrote: how well commits are shared.
    commits: AtomicU64,
    opened: AtomicU64,
}

/// A receipt on its way, from the start of its request until it is answered: the writing task
/// paces its commits only while others are on their way too, so a lone receipt never waits.
pub struct Announced {
    db: Db,
}

impl Drop for Announced {
    fn drop(&mut self) {
        self.db.openings.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Announced {
    /// Opens the dossier, written with whatever others are being opened at the same moment.
    /// Answers once it is committed.
    pub async fn open(self, opening: Opening) -> Answer {
        let (answer, answered) = oneshot::channel();
        self.db.queue_opening((opening, answer));
        answered
            .await
            .unwrap_or_else(|_| Err(StoreError::Internal("the opening was not written".into())))
    }
}

impl Tx {
    /// Numbers dossiers and writes them with their first events, in order: a statement for
    /// each agency's day among them, then the three of [`Tx::insert_dossiers`].
    pub async fn open_dossiers(
        &mut self,
        openings: &[&Opening],
    ) -> Result<Vec<DossierRow>, StoreError> {
        // How many each agency's day needs, then the first of its numbers.
        let mut firsts: BTreeMap<(&str, Date), (i64, i64)> = BTreeMap::new();
        for o in openings {
            firsts.entry((o.desk.as_str(), o.day)).or_default().1 += 1;
        }
        for ((desk, day), (first, count)) in &mut firsts {
            *first = self
                .take_dossier_numbers(desk, &day.to_string(), *count)
                .await?;
        }
        let mut codes = Vec::with_capacity(openings.len());
        for o in openings {
            let (next, _) = firsts
                .get_mut(&(o.desk.as_str(), o.day))
                .expect("counted above");
            codes.push(o.code_format.code(&o.desk, o.day, *next));
            *next += 1;
        }
        let parts: Vec<_> = openings
            .iter()
            .zip(&codes)
            .map(|(o, code)| {
                (
                    NewDossier {
                        code,
                        lookup_hash: &o.lookup_hash,
                        created_by: &o.created_by,
                        idempotency_key: o.idempotency_key.as_deref(),
                        procedure_code: &o.procedure_code,
                        procedure_version: o.procedure_version,
                        sector: &o.sector,
                        level: &o.level,
                        desk_agency_id: o.desk_agency_id,
                        deciding_agency_id: o.deciding_agency_id,
                        channel: &o.channel,
                        applicant_login: o.applicant_login.as_deref(),
                    },
                    Projection::of(&o.dossier, &o.state),
                    o.events.events(),
                )
            })
            .collect();
        let new: Vec<_> = parts.iter().map(|(d, p, e)| (d, p, e.as_slice())).collect();
        self.insert_dossiers(&new).await
    }
}

impl Db {
    /// Announces a receipt that is being prepared: the only way to open a dossier.
    pub fn announce_opening(&self) -> Announced {
        self.openings.in_flight.fetch_add(1, Ordering::Relaxed);
        Announced { db: self.clone() }
    }

    fn queue_opening(&self, queued: Queued) {
        let mut inbox = self
            .openings
            .inbox
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let queued = match inbox.as_ref() {
            Some(inbox) => match inbox.send(queued) {
                Ok(()) => return,
                Err(mpsc::error::SendError(queued)) => queued,
            },
            None => queued,
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        sender.send(queued).expect("the receiver is here");
        tokio::spawn(self.clone().write_openings(receiver));
        *inbox = Some(sender);
    }

    /// The writing task: a group of whatever is waiting (up to [`MOST`]), paced while more
    /// receipts are on their way.
    async fn write_openings(self, mut inbox: mpsc::UnboundedReceiver<Queued>) {
        let mut last_commit: Option<tokio::time::Instant> = None;
        while let Some(first) = inbox.recv().await {
            let mut group = vec![first];
            take_waiting(&mut inbox, &mut group);
            if let Some(last) = last_commit
                && self.openings.in_flight.load(Ordering::Relaxed) > group.len()
            {
                tokio::time::sleep_until(last + PACE).await;
                take_waiting(&mut inbox, &mut group);
            }
            self.write_group(group).await;
            last_commit = Some(tokio::time::Instant::now());
        }
    }

    /// The commits that opened dossiers since the start, and the dossiers they opened.
    pub fn opening_commits(&self) -> (u64, u64) {
        (
            self.openings.commits.load(Ordering::Relaxed),
            self.openings.opened.load(Ordering::Relaxed),
        )
    }

    fn count_commit(&self, dossiers: usize) {
        self.openings.commits.fetch_add(1, Ordering::Relaxed);
        self.openings
            .opened
            .fetch_add(dossiers as u64, Ordering::Relaxed);
    }

    async fn write_group(&self, group: Vec<Queued>) {
        // Together first; if any fails, each alone, so each gets its own answer.
        if group.len() > 1 {
            match self.write_together(&group).await {
                Ok(rows) => {
                    for ((_, answer), row) in group.into_iter().zip(rows) {
                        let _ = answer.send(Ok(row));
                    }
                    return;
                }
                Err(e) => {
                    tracing::debug!(
                        "{} dossiers could not be written together ({e}); writing each alone",
                        group.len()
                    )
                }
            }
        }
        for (opening, answer) in group {
            let _ = answer.send(self.write_alone(&opening).await);
        }
    }

    async fn write_together(&self, group: &[Queued]) -> Result<Vec<DossierRow>, StoreError> {
        let openings: Vec<&Opening> = group.iter().map(|(o, _)| o).collect();
        let mut tx = self.begin().await?;
        let rows = tx.open_dossiers(&openings).await?;
        tx.commit().await?;
        self.count_commit(rows.len());
        Ok(rows)
    }

    async fn write_alone(&self, opening: &Opening) -> Answer {
        let mut tx = self.begin().await?;
        let row = tx.open_dossiers(&[opening]).await?.remove(0);
        tx.commit().await?;
        self.count_commit(1);
        Ok(row)
    }
}

/// Moves openings waiting in the inbox into the group, up to [`MOST`].
fn take_waiting(inbox: &mut mpsc::UnboundedReceiver<Queued>, group: &mut Vec<Queued>) {
    while group.len() < MOST {
        match inbox.try_recv() {
            Ok(queued) => group.push(queued),
            Err(_) => return,
        }
    }
}
