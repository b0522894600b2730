//! Opening dossiers in groups: dossiers received at the same moment are numbered and written in
//! one transaction, so they share its commit (one flush to disk instead of one each) and the
//! write lock is taken once for all of them.
//!
//! Whoever holds the writer's turn takes every opening waiting, its own and others', writes them
//! and commits, then answers each. Each caller is answered only after the commit that wrote its
//! dossier, so an answered dossier is on disk. If one of a group fails (a retry racing on an
//! idempotency key, say), the group is rolled back and each is written alone, so one failure never
//! takes the others with it and a number is never skipped.

use std::sync::{Arc, Mutex};

use motcua_calendar::Date;
use motcua_domain::dossier::{CodeFormat, Dossier};
use tokio::sync::oneshot;

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

/// The openings waiting for the writer's turn, and the turn itself.
#[derive(Default)]
pub(crate) struct Openings {
    waiting: Mutex<Vec<(Opening, oneshot::Sender<Answer>)>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl Tx {
    /// Numbers a dossier and writes it with its first events.
    pub async fn open_dossier(&mut self, o: &Opening) -> Answer {
        let seq = self
            .next_dossier_number(&o.desk, &o.day.to_string())
            .await?;
        let code = o.code_format.code(&o.desk, o.day, seq);
        self.insert_dossier_row(
            &NewDossier {
                code: &code,
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
            &Projection::of(&o.dossier, &o.state),
            &o.events.events(),
        )
        .await
    }
}

impl Db {
    /// Opens a dossier, written with whatever others are being opened at the same moment.
    /// Answers once it is committed.
    pub async fn open_dossier(&self, opening: Opening) -> Answer {
        let (answer, answered) = oneshot::channel();
        self.openings
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((opening, answer));
        let turn = self.openings.turn.clone().lock_owned().await;
        let group = std::mem::take(
            &mut *self
                .openings
                .waiting
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        if !group.is_empty() {
            // The group is written by a task of its own, which keeps the turn until every
            // answer is given: a caller that goes away (a closed connection) stops nobody.
            let db = self.clone();
            tokio::spawn(async move {
                for chunk in chunks(group) {
                    db.write_group(chunk).await;
                }
                drop(turn);
            });
        } else {
            drop(turn);
        }
        answered
            .await
            .unwrap_or_else(|_| Err(StoreError::Internal("the opening was not written".into())))
    }

    async fn write_group(&self, group: Vec<(Opening, oneshot::Sender<Answer>)>) {
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

    async fn write_together(
        &self,
        group: &[(Opening, oneshot::Sender<Answer>)],
    ) -> Result<Vec<DossierRow>, StoreError> {
        let mut tx = self.begin().await?;
        let mut rows = Vec::with_capacity(group.len());
        for (opening, _) in group {
            rows.push(tx.open_dossier(opening).await?);
        }
        tx.commit().await?;
        Ok(rows)
    }

    async fn write_alone(&self, opening: &Opening) -> Answer {
        let mut tx = self.begin().await?;
        let row = tx.open_dossier(opening).await?;
        tx.commit().await?;
        Ok(row)
    }
}

/// A group in transactions of at most `MOST`.
fn chunks<T>(mut group: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    while group.len() > MOST {
        let rest = group.split_off(MOST);
        out.push(std::mem::replace(&mut group, rest));
    }
    out.push(group);
    out
}
