//! What reports read of dossiers: for Biểu 06, the facts of every dossier a period concerns
//! (received by its end, not finished before its start), within a scope of agencies.

use sqlx::Row;

use crate::db::{Db, on_read};
use crate::error::StoreError;

/// The dossiers a report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportScope {
    /// Dossiers whose deciding or receiving agency is one of these (`None`: all).
    pub agencies: Option<Vec<i64>>,
    /// Only those this agency decides.
    pub deciding_agency: Option<i64>,
    /// Only those this agency's desk received.
    pub desk_agency: Option<i64>,
}

impl ReportScope {
    /// Adds the scope's conditions to a query on `dossiers`; false when it can hold nothing (a
    /// reach of no agency). Ids come from the reader's reach and the chosen agency, never from
    /// text.
    pub(crate) fn narrow(&self, sql: &mut String) -> bool {
        if let Some(ids) = &self.agencies {
            if ids.is_empty() {
                return false;
            }
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            sql.push_str(&format!(
                " AND (deciding_agency_id IN ({0}) OR desk_agency_id IN ({0}))",
                list.join(", ")
            ));
        }
        if let Some(id) = self.deciding_agency {
            sql.push_str(&format!(" AND deciding_agency_id = {id}"));
        }
        if let Some(id) = self.desk_agency {
            sql.push_str(&format!(" AND desk_agency_id = {id}"));
        }
        true
    }
}

/// One dossier as a report sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub sector: String,
    pub level: String,
    pub channel: String,
    pub received_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
    pub due_at: Option<i64>,
    pub counts_late: bool,
}

impl Db {
    /// Dossiers received before `end` and not finished before `start` (instants), in `scope`.
    pub async fn report_rows(
        &self,
        start: i64,
        end: i64,
        scope: &ReportScope,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let mut sql = String::from(
            "SELECT sector, level, channel, received_at, finished_at, outcome, due_at,
                    CASE WHEN state LIKE '%\"counts_late\":true%' THEN 1 ELSE 0 END
             FROM dossiers
             WHERE received_at IS NOT NULL AND received_at < $1
               AND (finished_at IS NULL OR finished_at >= $2)",
        );
        if !scope.narrow(&mut sql) {
            return Ok(Vec::new());
        }
        Ok(on_read!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(end)
                .bind(start)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let late: i32 = r.try_get(7)?;
                out.push(ReportRow {
                    sector: r.try_get(0)?,
                    level: r.try_get(1)?,
                    channel: r.try_get(2)?,
                    received_at: r.try_get(3)?,
                    finished_at: r.try_get(4)?,
                    outcome: r.try_get(5)?,
                    due_at: r.try_get(6)?,
                    counts_late: late != 0,
                });
            }
            out
        }))
    }
}
