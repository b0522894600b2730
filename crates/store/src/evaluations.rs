//! Applicants' evaluations of returned dossiers (migration 0009): one row per dossier, written
//! once and never changed.
//!
//! An evaluation is kept beside the dossier's event log, not in it: it changes nothing about the
//! dossier (its stage, dates and national status stay what the service made them), it is the
//! applicant's opinion of the service, and it can be given by someone who proves only that they
//! hold the lookup secret, who is no actor of the workflow. The table is append-only in the
//! database itself, as the log is.

use motcua_domain::dossier::Stage;
use motcua_domain::evaluation::{Evaluation, INDICATORS};
use sqlx::Row;

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;

/// An evaluation to keep.
#[derive(Debug, Clone)]
pub struct NewEvaluation<'a> {
    pub dossier_id: i64,
    pub evaluation: &'a Evaluation,
    /// `lookup`, `account` or `api`.
    pub channel: &'a str,
    /// The applicant's account, when they were signed in.
    pub applicant_login: Option<&'a str>,
    pub at: i64,
}

/// An evaluation as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationRow {
    pub dossier_id: i64,
    pub evaluation: Evaluation,
    pub channel: String,
    pub applicant_login: Option<String>,
    pub evaluated_at: i64,
}

/// Why an evaluation was not kept.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// The dossier was evaluated before: the first evaluation stands.
    #[error("the dossier was already evaluated")]
    AlreadyEvaluated,
    /// The dossier does not exist or its result has not been returned.
    #[error("the dossier is not returned")]
    NotReturned,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn columns() -> String {
    INDICATORS
        .iter()
        .map(|i| i.code())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Keeps an evaluation, if the dossier is returned and was not evaluated before. The stage is
    /// checked in the INSERT itself, so no evaluation of a dossier in any other stage is ever
    /// written, whatever the caller checked.
    pub async fn insert_evaluation(&mut self, e: &NewEvaluation<'_>) -> Result<(), EvaluateError> {
        let marks: Vec<String> = (6..6 + INDICATORS.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO dossier_evaluations (dossier_id, comment, channel, applicant_login,
               evaluated_at, {})
             SELECT $1, $2, $3, $4, $5, {} FROM dossiers WHERE id = $1 AND stage = '{}'",
            columns(),
            marks.join(", "),
            Stage::Returned.code(),
        );
        let result = on_tx!(self, |conn| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(e.dossier_id)
                .bind(&e.evaluation.comment)
                .bind(e.channel)
                .bind(e.applicant_login)
                .bind(e.at);
            for score in e.evaluation.scores {
                q = q.bind(i64::from(score));
            }
            q.execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
                .map_err(StoreError::from)
        });
        match result {
            Ok(0) => Err(EvaluateError::NotReturned),
            Ok(_) => Ok(()),
            Err(StoreError::Constraint { constraint, .. })
                if constraint == "dossier_evaluations_pkey" =>
            {
                Err(EvaluateError::AlreadyEvaluated)
            }
            Err(other) => Err(other.into()),
        }
    }
}

impl Db {
    /// The evaluation of a dossier, if it has one.
    pub async fn evaluation(&self, dossier_id: i64) -> Result<Option<EvaluationRow>, StoreError> {
        let sql = format!(
            "SELECT dossier_id, comment, channel, applicant_login, evaluated_at, {}
             FROM dossier_evaluations WHERE dossier_id = $1",
            columns()
        );
        Ok(on_read!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(dossier_id)
                .fetch_optional(pool)
                .await?
            {
                Some(r) => {
                    let mut scores = [0u8; 9];
                    for (slot, indicator) in scores.iter_mut().zip(INDICATORS) {
                        let value: i64 = r.try_get(indicator.code())?;
                        // The table's CHECK keeps every score within 0..=2.
                        *slot = u8::try_from(value).unwrap_or_default();
                    }
                    Some(EvaluationRow {
                        dossier_id: r.try_get("dossier_id")?,
                        evaluation: Evaluation {
                            scores,
                            comment: r.try_get("comment")?,
                        },
                        channel: r.try_get("channel")?,
                        applicant_login: r.try_get("applicant_login")?,
                        evaluated_at: r.try_get("evaluated_at")?,
                    })
                }
                None => None,
            }
        }))
    }
}
