//! Deadline alerts and the outbox (migration 0007).
//!
//! An alert is a fact, "this dossier was found due soon for this due date", kept once: raising it
//! again is a no-op, so any number of runs in any number of processes raise it once. The messages
//! an alert asks for are queued in the same transaction, so they exist exactly when the alert does.
//!
//! Senders claim messages by writing a lease. On PostgreSQL the claim skips rows another
//! transaction is claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, so claims are
//! serialised anyway. A sender that dies leaves its lease to expire, and the message is claimed
//! again: delivery is at least once, never silently lost.

use sqlx::Row;

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;

/// How long to wait after the n-th failed attempt (1-based) before the next one; after the last
/// entry, the message is given up: 6 attempts in all over about 8½ hours.
pub const RETRY_DELAYS_SECS: [i64; 5] = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600];

/// When to try again after `attempts` failed attempts, in microseconds from the failure; `None`
/// once the message is given up.
pub fn retry_delay(attempts: i64) -> Option<i64> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    RETRY_DELAYS_SECS.get(index).map(|s| s * 1_000_000)
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// `email`, `sms` or `zalo`.
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub dossier_code: Option<String>,
}

/// An alert to raise, with the messages to queue if it is new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub dossier_id: i64,
    /// `due_soon`, `overdue` or `result_ready`.
    pub kind: &'static str,
    /// The due date it is raised for (for `result_ready`, when the result was ready).
    pub due_at: i64,
    pub messages: Vec<NewMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRow {
    pub dossier_id: i64,
    pub kind: String,
    pub due_at: i64,
    pub raised_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub dossier_code: Option<String>,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// It will be tried again at this instant.
    RetryAt(i64),
    /// No more attempts: too many, or a failure that cannot get better.
    GaveUp,
    /// The lease had passed to another sender, or the message was sent meanwhile: nothing written.
    NotHeld,
}

/// What the alert job looks at: open dossiers due before `due_before`, and results ready since
/// `ready_since`, that have not had the alert yet.
#[derive(Debug, Clone)]
pub struct CandidateQuery<'a> {
    /// The stages of dossiers whose deadline is watched.
    pub open_stages: &'a [&'a str],
    pub due_before: i64,
    pub ready_since: i64,
}

/// A dossier the alert job may raise an alert for, with whom to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertCandidate {
    pub dossier_id: i64,
    pub code: String,
    pub stage: String,
    pub procedure_code: String,
    pub applicant_name: String,
    pub due_at: Option<i64>,
    pub paused_since: Option<i64>,
    pub finished_at: Option<i64>,
    /// The dossier as JSON (domain::dossier::Dossier).
    pub state: String,
    pub assignee: Option<String>,
    /// The assignee's e-mail, if the assignee is an active account with one.
    pub assignee_email: Option<String>,
    pub deciding_agency_name: String,
    pub deciding_agency_email: String,
    pub desk_agency_name: String,
    /// Whether a `due_soon` alert was already raised for the current due date.
    pub due_soon_raised: bool,
}

const MESSAGE_COLUMNS: &str = "id, channel, recipient, subject, body, dossier_code, created_at, attempts, next_attempt_at, lease_owner, lease_until, sent_at, last_error";

macro_rules! message_row {
    ($r:expr) => {
        OutboxMessage {
            id: $r.try_get("id")?,
            channel: $r.try_get("channel")?,
            recipient: $r.try_get("recipient")?,
            subject: $r.try_get("subject")?,
            body: $r.try_get("body")?,
            dossier_code: $r.try_get("dossier_code")?,
            created_at: $r.try_get("created_at")?,
            attempts: $r.try_get("attempts")?,
            next_attempt_at: $r.try_get("next_attempt_at")?,
            lease_owner: $r.try_get("lease_owner")?,
            lease_until: $r.try_get("lease_until")?,
            sent_at: $r.try_get("sent_at")?,
            last_error: $r.try_get("last_error")?,
        }
    };
}

/// `$first, $first+1, …` for a list of `n` values.
fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Db {
    /// Raises each alert that was not raised before, with its messages, in one transaction.
    /// Returns the indexes (into `alerts`) of those that were new.
    pub async fn raise_alerts(
        &self,
        alerts: &[NewAlert],
        now: i64,
    ) -> Result<Vec<usize>, StoreError> {
        // Always in key order: two PostgreSQL processes raising overlapping alerts then wait for
        // each other's rows in the same order, and never deadlock.
        let mut order: Vec<usize> = (0..alerts.len()).collect();
        order.sort_by_key(|&i| (alerts[i].dossier_id, alerts[i].kind, alerts[i].due_at));
        let mut tx = self.begin().await?;
        let mut new = Vec::new();
        for i in order {
            let alert = &alerts[i];
            if tx
                .raise_alert(alert.dossier_id, alert.kind, alert.due_at, now)
                .await?
            {
                for m in &alert.messages {
                    tx.enqueue(m, now).await?;
                }
                new.push(i);
            }
        }
        tx.commit().await?;
        new.sort_unstable();
        Ok(new)
    }

    /// The dossiers the alert job should look at (see [`CandidateQuery`]), by id.
    pub async fn alert_candidates(
        &self,
        q: &CandidateQuery<'_>,
    ) -> Result<Vec<AlertCandidate>, StoreError> {
        if q.open_stages.is_empty() {
            return Ok(Vec::new());
        }
        let stages = marks(3, q.open_stages.len());
        // An overdue alert for the current due date is the last one an open dossier gets, so
        // those are left out; a due-soon one is reported, so the caller can skip it without a
        // write until the dossier becomes overdue.
        let sql = format!(
            "SELECT d.id, d.code, d.stage, d.procedure_code, d.applicant_name, d.due_at,
                    d.paused_since, d.finished_at, d.state, d.assignee,
                    u.email AS assignee_email,
                    da.name AS deciding_name, da.email AS deciding_email,
                    ka.name AS desk_name,
                    (SELECT COUNT(*) FROM dossier_alerts a
                      WHERE a.dossier_id = d.id AND a.kind = 'due_soon' AND a.due_at = d.due_at)
                      AS due_soon_raised
             FROM dossiers d
             JOIN agencies da ON da.id = d.deciding_agency_id
             JOIN agencies ka ON ka.id = d.desk_agency_id
             LEFT JOIN users u ON u.login = d.assignee AND u.active = 1 AND u.email <> ''
             WHERE (d.stage IN ({stages}) AND d.due_at IS NOT NULL AND d.due_at < $1
                    AND NOT EXISTS (SELECT 1 FROM dossier_alerts a
                      WHERE a.dossier_id = d.id AND a.kind = 'overdue' AND a.due_at = d.due_at))
                OR (d.stage = 'done' AND d.finished_at IS NOT NULL AND d.finished_at >= $2
                    AND NOT EXISTS (SELECT 1 FROM dossier_alerts a
                      WHERE a.dossier_id = d.id AND a.kind = 'result_ready'
                        AND a.due_at = d.finished_at))
             ORDER BY d.id"
        );
        Ok(on_read!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(q.due_before)
                .bind(q.ready_since);
            for s in q.open_stages {
                query = query.bind(*s);
            }
            let rows = query.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(AlertCandidate {
                    dossier_id: r.try_get("id")?,
                    code: r.try_get("code")?,
                    stage: r.try_get("stage")?,
                    procedure_code: r.try_get("procedure_code")?,
                    applicant_name: r.try_get("applicant_name")?,
                    due_at: r.try_get("due_at")?,
                    paused_since: r.try_get("paused_since")?,
                    finished_at: r.try_get("finished_at")?,
                    state: r.try_get("state")?,
                    assignee: r.try_get("assignee")?,
                    assignee_email: r.try_get("assignee_email")?,
                    deciding_agency_name: r.try_get("deciding_name")?,
                    deciding_agency_email: r.try_get("deciding_email")?,
                    desk_agency_name: r.try_get("desk_name")?,
                    due_soon_raised: r.try_get::<i64, _>("due_soon_raised")? > 0,
                });
            }
            out
        }))
    }

    /// The alerts raised for a dossier, oldest first.
    pub async fn alerts_of(&self, dossier_id: i64) -> Result<Vec<AlertRow>, StoreError> {
        let rows: Vec<(i64, String, i64, i64)> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT dossier_id, kind, due_at, raised_at FROM dossier_alerts
                 WHERE dossier_id = $1 ORDER BY raised_at, kind, due_at",
            )
            .bind(dossier_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(dossier_id, kind, due_at, raised_at)| AlertRow {
                dossier_id,
                kind,
                due_at,
                raised_at,
            })
            .collect())
    }

    /// The outbox, oldest first: every message, or those about one dossier.
    pub async fn outbox_messages(
        &self,
        dossier_code: Option<&str>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox
             WHERE $1 IS NULL OR dossier_code = $2 ORDER BY id"
        );
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(dossier_code)
                .bind(dossier_code)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(message_row!(r));
            }
            out
        }))
    }

    /// Claims up to `limit` messages of `channels` that are due at `now` and not leased, for
    /// `owner` until `lease_until`. Two claimers never get the same message while a lease holds.
    pub async fn claim_messages(
        &self,
        owner: &str,
        channels: &[&str],
        limit: i64,
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        if channels.is_empty() || limit < 1 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        // The one place the two backends' texts differ: SQLite has no row locks (its single
        // writer already serialises claims) and does not parse `FOR UPDATE`.
        let lock = match &tx {
            Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Tx::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE outbox SET lease_owner = $1, lease_until = $2
             WHERE id IN (
               SELECT id FROM outbox
               WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $3
                 AND (lease_until IS NULL OR lease_until <= $4)
                 AND channel IN ({})
               ORDER BY next_attempt_at, id
               LIMIT {}{lock})
             RETURNING {MESSAGE_COLUMNS}",
            marks(5, channels.len()),
            limit.min(1000),
        );
        let mut claimed = on_tx!(&mut tx, |conn| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(owner)
                .bind(lease_until)
                .bind(now)
                .bind(now);
            for c in channels {
                query = query.bind(*c);
            }
            let rows = query.fetch_all(&mut *conn).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(message_row!(r));
            }
            out
        });
        tx.commit().await?;
        claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
        Ok(claimed)
    }

    /// Records that a message was sent. Returns false if it was already marked sent.
    pub async fn mark_sent(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, next_attempt_at = NULL,
                   lease_owner = NULL, lease_until = NULL, last_error = NULL
                 WHERE id = $1 AND sent_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(changed > 0)
    }

    /// Records a failed attempt by `owner`, who must still hold the lease: the error, and when to
    /// try again ([`retry_delay`]), or that it is given up (`permanent`, or too many attempts),
    /// and then queues `instead` in its place, in the same transaction.
    pub async fn mark_failed(
        &self,
        id: i64,
        owner: &str,
        now: i64,
        error: &str,
        permanent: bool,
        instead: Option<&NewMessage>,
    ) -> Result<Failed, StoreError> {
        let mut tx = self.begin().await?;
        let attempts: Option<i64> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "SELECT attempts FROM outbox
                 WHERE id = $1 AND lease_owner = $2 AND sent_at IS NULL",
            )
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut *conn)
            .await?
        });
        let Some(attempts) = attempts.map(|a| a + 1) else {
            return Ok(Failed::NotHeld);
        };
        let next = if permanent {
            None
        } else {
            retry_delay(attempts).map(|d| now + d)
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4,
                   lease_owner = NULL, lease_until = NULL
                 WHERE id = $1",
            )
            .bind(id)
            .bind(attempts)
            .bind(next)
            .bind(error)
            .execute(&mut *conn)
            .await?;
        });
        if next.is_none()
            && let Some(instead) = instead
        {
            tx.enqueue(instead, now).await?;
        }
        tx.commit().await?;
        Ok(next.map_or(Failed::GaveUp, Failed::RetryAt))
    }

    /// Notes on the waiting messages of a channel nobody can send yet why they wait, without
    /// counting an attempt: they stay queued until the channel is configured. Only messages due
    /// from `since` are looked at (a message never tried is due from when it was queued), so a
    /// caller that notes every minute reads the new ones, not the whole backlog. Returns how many
    /// got the note (those that had another error keep it).
    pub async fn note_unsendable(
        &self,
        channel: &str,
        reason: &str,
        since: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE outbox SET last_error = $2
                 WHERE channel = $1 AND next_attempt_at IS NOT NULL AND next_attempt_at >= $3
                   AND last_error IS NULL",
            )
            .bind(channel)
            .bind(reason)
            .bind(since)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(changed)
    }
}

impl Tx {
    /// Raises an alert unless it was raised before; says whether it is new.
    pub async fn raise_alert(
        &mut self,
        dossier_id: i64,
        kind: &str,
        due_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let inserted = on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO dossier_alerts (dossier_id, kind, due_at, raised_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (dossier_id, kind, due_at) DO NOTHING",
            )
            .bind(dossier_id)
            .bind(kind)
            .bind(due_at)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(inserted > 0)
    }

    /// Queues a message, due at once. Returns its id.
    pub async fn enqueue(&mut self, m: &NewMessage, now: i64) -> Result<i64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO outbox (channel, recipient, subject, body, dossier_code, created_at,
                   attempts, next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
                 RETURNING id",
            )
            .bind(m.channel)
            .bind(&m.recipient)
            .bind(&m.subject)
            .bind(&m.body)
            .bind(&m.dossier_code)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_give_up_after_six_attempts() {
        let minutes: Vec<Option<i64>> = (1..=7)
            .map(|n| retry_delay(n).map(|us| us / 60_000_000))
            .collect();
        assert_eq!(
            minutes,
            [Some(1), Some(5), Some(30), Some(120), Some(360), None, None]
        );
        assert_eq!(retry_delay(0), None);
    }
}
