//! One name for each constraint on both backends.
//!
//! PostgreSQL reports the constraint's name; SQLite reports the columns ("UNIQUE constraint
//! failed: app_meta.key") or, for a named CHECK, the name. Callers match on the PostgreSQL name,
//! so the SQLite column lists are translated here. Every unique key in the migrations has a row.

use crate::error::ConstraintKind;

/// (SQLite column list as reported, PostgreSQL constraint name)
const UNIQUE_KEYS: &[(&str, &str)] = &[
    ("app_meta.key", "app_meta_pkey"),
    ("schema_migrations.version", "schema_migrations_pkey"),
    (
        "calendar_year_versions.year, calendar_year_versions.version",
        "calendar_year_versions_pkey",
    ),
    ("units.code, units.valid_from", "units_code_from"),
    (
        "unit_links.from_unit_id, unit_links.to_unit_id",
        "unit_links_pkey",
    ),
    (
        "agency_identifiers.agency_id, agency_identifiers.valid_from",
        "agency_identifiers_pkey",
    ),
    (
        "agency_identifiers.identifier, agency_identifiers.valid_from",
        "agency_identifiers_identifier",
    ),
    ("users.login", "users_login"),
    ("sessions.token_hash", "sessions_pkey"),
    ("access_tokens.token_hash", "access_tokens_hash"),
    ("sectors.code", "sectors_pkey"),
    (
        "procedure_versions.code, procedure_versions.version",
        "procedure_versions_code_version",
    ),
    ("procedure_versions.code", "procedure_versions_one_draft"),
    ("files.sha256", "files_pkey"),
    ("dossiers.code", "dossiers_code"),
    (
        "dossiers.created_by, dossiers.idempotency_key",
        "dossiers_idempotency",
    ),
    (
        "dossier_alerts.dossier_id, dossier_alerts.kind, dossier_alerts.due_at",
        "dossier_alerts_pkey",
    ),
    ("dossier_evaluations.dossier_id", "dossier_evaluations_pkey"),
];

pub(crate) fn name(kind: ConstraintKind, reported: Option<&str>, message: &str) -> String {
    if let Some(name) = reported {
        return name.to_string();
    }
    // SQLite: "<KIND> constraint failed: <detail>"
    let detail = message
        .split_once("constraint failed: ")
        .map(|(_, d)| d.trim())
        .unwrap_or("");
    match kind {
        ConstraintKind::Unique => UNIQUE_KEYS
            .iter()
            .find(|(columns, _)| *columns == detail)
            .map(|(_, name)| (*name).to_string())
            .unwrap_or_else(|| detail.to_string()),
        ConstraintKind::Check => detail.to_string(),
        ConstraintKind::NotNull => detail.to_string(),
        // SQLite does not say which foreign key failed.
        ConstraintKind::ForeignKey => "foreign_key".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_unique_columns_map_to_the_postgres_name() {
        let got = name(
            ConstraintKind::Unique,
            None,
            "UNIQUE constraint failed: app_meta.key",
        );
        assert_eq!(got, "app_meta_pkey");
    }

    #[test]
    fn a_reported_name_wins() {
        assert_eq!(
            name(ConstraintKind::Check, Some("amount_positive"), "whatever"),
            "amount_positive"
        );
    }

    #[test]
    fn an_unknown_unique_key_keeps_the_column_list() {
        let got = name(
            ConstraintKind::Unique,
            None,
            "UNIQUE constraint failed: x.a, x.b",
        );
        assert_eq!(got, "x.a, x.b");
    }
}
