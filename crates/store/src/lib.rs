//! Persistence for motcua on SQLite and PostgreSQL.
//!
//! One [`Db`] type wraps either backend. Every query is written once, in SQL that both backends
//! accept (`$1` placeholders, `BIGINT`/`TEXT` columns), and run through the `on_read!`/`on_tx!`
//! macros, which expand the same body once per backend. Nothing outside this crate writes SQL.

mod bulk;
mod calendar_years;
mod catalogue;
mod constraints;
pub mod copy;
mod db;
mod direct;
mod dossiers;
mod error;
mod evaluations;
mod files;
mod json_rows;
mod measure;
mod meta;
pub mod migrate;
mod openings;
mod organisation;
mod outbox;
mod people;
mod pool;
mod provider_tokens;
mod report_counts;
mod reports;
#[cfg(feature = "testing")]
pub mod testing;

pub use bulk::History;
pub use calendar_years::CalendarYearVersion;
pub use catalogue::{FormFile, NewProcedureVersion, ProcedureRow, VersionSummary};
pub use copy::{CopyError, TableCopy, copy_database};
pub use db::redact;
pub use db::{Backend, Db, DbOptions, PoolStat, Tx};
pub use dossiers::{
    ChainBreak, DossierFilter, DossierRow, EventBatch, EventRow, GENESIS, NewDossier, NewEvent,
    Projection, PublicStatusRow, event_hash,
};
pub use error::{ConnectError, ConstraintKind, StoreError};
pub use evaluations::{EvaluateError, EvaluationRow, NewEvaluation};
pub use files::{FileError, FileStore, sha256_hex};
pub use openings::{Announced, Opening};
pub use organisation::{AgencyRow, DeskRow, NewAgency, NewUnit, UnitRow};
pub use outbox::{
    AlertCandidate, AlertRow, CandidateQuery, Failed, NewAlert, NewMessage, OutboxMessage,
    RETRY_DELAYS_SECS, retry_delay,
};
pub use people::{AuditEntry, AuditRow, GrantRow, NewUser, SessionRow, TokenRow, UserRow};
pub use provider_tokens::ProviderToken;
pub use report_counts::{OpenRow, SumRow, report_month};
pub use reports::ReportScope;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
