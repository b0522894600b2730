//! Units, agencies, identifiers and desks, each queryable "as of" a civil date.

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::StoreError;
use crate::migrate::now_micros;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub parent_id: Option<i64>,
    pub valid_from: &'a str,
    pub valid_until: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    /// The identifier in force on the date asked about (empty if none was).
    pub identifier: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    pub identifier: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub valid_from: &'a str,
    pub valid_until: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskRow {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub address: String,
}

type UnitTuple = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
);
type AgencyTuple = (
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn unit((id, code, name, kind, parent_id, valid_from, valid_until): UnitTuple) -> UnitRow {
    UnitRow {
        id,
        code,
        name,
        kind,
        parent_id,
        valid_from,
        valid_until,
    }
}

fn agency(t: AgencyTuple) -> AgencyRow {
    AgencyRow {
        id: t.0,
        name: t.1,
        kind: t.2,
        unit_id: t.3,
        parent_id: t.4,
        identifier: t.5.unwrap_or_default(),
        address: t.6,
        phone: t.7,
        email: t.8,
        valid_from: t.9,
        valid_until: t.10,
    }
}

/// Rows in force on `$1` (a 'YYYY-MM-DD' date).
const IN_FORCE: &str = "valid_from <= $1 AND (valid_until IS NULL OR valid_until > $1)";

const AGENCY_COLUMNS: &str = "a.id, a.name, a.kind, a.unit_id, a.parent_id,
    (SELECT i.identifier FROM agency_identifiers i
     WHERE i.agency_id = a.id AND i.valid_from <= $1 AND (i.valid_until IS NULL OR i.valid_until > $1)),
    a.address, a.phone, a.email, a.valid_from, a.valid_until";

impl Db {
    /// Whether any administrative unit has been entered (the demo loads only where none has).
    pub async fn has_organisation(&self) -> Result<bool, StoreError> {
        let n: i64 = on_read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM units")
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// The units in force on `date`, ordered by level of their kind's parent chain then name.
    pub async fn units_as_of(&self, date: &str) -> Result<Vec<UnitRow>, StoreError> {
        let sql = format!(
            "SELECT id, code, name, kind, parent_id, valid_from, valid_until FROM units
             WHERE {IN_FORCE} ORDER BY parent_id IS NOT NULL, parent_id, name"
        );
        let rows: Vec<UnitTuple> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(unit).collect())
    }

    pub async fn unit(&self, id: i64) -> Result<UnitRow, StoreError> {
        let row: UnitTuple = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, code, name, kind, parent_id, valid_from, valid_until FROM units WHERE id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?
        });
        Ok(unit(row))
    }

    /// The agencies in force on `date`, with the identifier each had then.
    pub async fn agencies_as_of(&self, date: &str) -> Result<Vec<AgencyRow>, StoreError> {
        let sql = format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies a
             WHERE a.valid_from <= $1 AND (a.valid_until IS NULL OR a.valid_until > $1)
             ORDER BY a.parent_id IS NOT NULL, a.name"
        );
        let rows: Vec<AgencyTuple> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(agency).collect())
    }

    /// One agency, if it was in force on `date`, with its identifier then.
    pub async fn agency_as_of(&self, id: i64, date: &str) -> Result<Option<AgencyRow>, StoreError> {
        let sql = format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies a
             WHERE a.id = $2 AND a.valid_from <= $1 AND (a.valid_until IS NULL OR a.valid_until > $1)"
        );
        let row: Option<AgencyTuple> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(agency))
    }

    /// The agency that held `identifier` on `date`.
    pub async fn agency_by_identifier(
        &self,
        identifier: &str,
        date: &str,
    ) -> Result<AgencyRow, StoreError> {
        let sql = format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies a
             JOIN agency_identifiers k ON k.agency_id = a.id
             WHERE k.identifier = $2 AND k.valid_from <= $1 AND (k.valid_until IS NULL OR k.valid_until > $1)"
        );
        let row: AgencyTuple = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date)
                .bind(identifier)
                .fetch_one(pool)
                .await?
        });
        Ok(agency(row))
    }

    /// Every unit's parent, whatever its validity: the tree that cycles are looked for in.
    pub async fn unit_parents(&self) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (i64, Option<i64>)>("SELECT id, parent_id FROM units")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Every period a unit code has been in force, as (valid_from, valid_until).
    pub async fn code_periods(
        &self,
        code: &str,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (String, Option<String>)>(
                "SELECT valid_from, valid_until FROM units WHERE code = $1",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every desk, open or closed, with whether it is open.
    pub async fn desks(&self) -> Result<Vec<(DeskRow, bool)>, StoreError> {
        let rows: Vec<(i64, i64, String, String, i64)> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, agency_id, name, address, active FROM desks ORDER BY agency_id, name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, agency_id, name, address, active)| {
                (
                    DeskRow {
                        id,
                        agency_id,
                        name,
                        address,
                    },
                    active != 0,
                )
            })
            .collect())
    }

    /// Every agency's parent, whatever its validity: the tree that role scopes are read in.
    pub async fn agency_parents(&self) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as::<_, (i64, Option<i64>)>("SELECT id, parent_id FROM agencies")
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn desks_of(&self, agency_id: i64) -> Result<Vec<DeskRow>, StoreError> {
        let rows: Vec<(i64, i64, String, String)> = on_read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, agency_id, name, address FROM desks WHERE agency_id = $1 AND active = 1 ORDER BY name",
            )
            .bind(agency_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, agency_id, name, address)| DeskRow {
                id,
                agency_id,
                name,
                address,
            })
            .collect())
    }
}

impl Tx {
    pub async fn insert_unit(&mut self, u: &NewUnit<'_>) -> Result<i64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO units (code, name, kind, parent_id, valid_from, valid_until, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(u.code)
            .bind(u.name)
            .bind(u.kind)
            .bind(u.parent_id)
            .bind(u.valid_from)
            .bind(u.valid_until)
            .bind(now_micros())
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    /// Ends a unit's validity on `until` (it no longer exists from that day).
    pub async fn end_unit(&mut self, id: i64, until: &str) -> Result<(), StoreError> {
        let changed = on_tx!(self, |conn| {
            sqlx::query("UPDATE units SET valid_until = $2 WHERE id = $1 AND valid_until IS NULL")
                .bind(id)
                .bind(until)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict(format!("unit {id} has already ended")));
        }
        Ok(())
    }

    pub async fn link_units(
        &mut self,
        from: i64,
        to: i64,
        kind: &str,
        effective: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO unit_links (from_unit_id, to_unit_id, kind, effective) VALUES ($1, $2, $3, $4)",
            )
            .bind(from)
            .bind(to)
            .bind(kind)
            .bind(effective)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn insert_agency(&mut self, a: &NewAgency<'_>) -> Result<i64, StoreError> {
        let id = on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO agencies (name, kind, unit_id, parent_id, address, phone, email, valid_from, valid_until, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(a.name)
            .bind(a.kind)
            .bind(a.unit_id)
            .bind(a.parent_id)
            .bind(a.address)
            .bind(a.phone)
            .bind(a.email)
            .bind(a.valid_from)
            .bind(a.valid_until)
            .bind(now_micros())
            .fetch_one(&mut *conn)
            .await?
        });
        self.add_identifier(id, a.identifier, a.valid_from, a.valid_until)
            .await?;
        Ok(id)
    }

    /// Gives an agency an identifier for a period (identifiers are reissued after mergers).
    pub async fn add_identifier(
        &mut self,
        agency_id: i64,
        identifier: &str,
        valid_from: &str,
        valid_until: Option<&str>,
    ) -> Result<(), StoreError> {
        // The same identifier may not be in force twice at once.
        let clash: i64 = on_tx!(self, |conn| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM agency_identifiers WHERE identifier = $1
                 AND ($3 IS NULL OR valid_from < $3) AND (valid_until IS NULL OR valid_until > $2)",
            )
            .bind(identifier)
            .bind(valid_from)
            .bind(valid_until)
            .fetch_one(&mut *conn)
            .await?
        });
        if clash > 0 {
            return Err(StoreError::Constraint {
                constraint: "agency_identifiers_in_force".into(),
                kind: crate::ConstraintKind::Unique,
            });
        }
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO agency_identifiers (agency_id, identifier, valid_from, valid_until) VALUES ($1, $2, $3, $4)",
            )
            .bind(agency_id)
            .bind(identifier)
            .bind(valid_from)
            .bind(valid_until)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Ends an agency (and its identifier) on `until`.
    pub async fn end_agency(&mut self, id: i64, until: &str) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE agencies SET valid_until = $2 WHERE id = $1 AND valid_until IS NULL",
            )
            .bind(id)
            .bind(until)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE agency_identifiers SET valid_until = $2 WHERE agency_id = $1 AND valid_until IS NULL")
                .bind(id)
                .bind(until)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn set_unit_parent(
        &mut self,
        id: i64,
        parent: Option<i64>,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE units SET parent_id = $2 WHERE id = $1")
                .bind(id)
                .bind(parent)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn set_agency_parent(
        &mut self,
        id: i64,
        parent: Option<i64>,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE agencies SET parent_id = $2 WHERE id = $1")
                .bind(id)
                .bind(parent)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Gives an agency a new identifier from `from`: the one in force ends that day, and stays
    /// in the history for everything before.
    pub async fn reissue_identifier(
        &mut self,
        agency_id: i64,
        identifier: &str,
        from: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE agency_identifiers SET valid_until = $2
                 WHERE agency_id = $1 AND valid_from < $2 AND (valid_until IS NULL OR valid_until > $2)",
            )
            .bind(agency_id)
            .bind(from)
            .execute(&mut *conn)
            .await?;
        });
        self.add_identifier(agency_id, identifier, from, None).await
    }

    pub async fn set_desk_active(&mut self, id: i64, active: bool) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE desks SET active = $2 WHERE id = $1")
                .bind(id)
                .bind(i64::from(active))
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Moves the staff of `from` agencies, and the roles granted on them, to `to` (a merger).
    /// Returns how many people moved.
    pub async fn move_staff(&mut self, from: &[i64], to: i64) -> Result<u64, StoreError> {
        if from.is_empty() {
            return Ok(0);
        }
        let list = from
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let users = format!("UPDATE users SET agency_id = $1 WHERE agency_id IN ({list})");
        let grants = format!(
            "UPDATE role_grants SET agency_id = $1 WHERE agency_id IN ({list}) AND revoked_at IS NULL"
        );
        Ok(on_tx!(self, |conn| {
            let moved = sqlx::query(sqlx::AssertSqlSafe(users))
                .bind(to)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            sqlx::query(sqlx::AssertSqlSafe(grants))
                .bind(to)
                .execute(&mut *conn)
                .await?;
            moved
        }))
    }

    pub async fn insert_desk(
        &mut self,
        agency_id: i64,
        name: &str,
        address: &str,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, |conn| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO desks (agency_id, name, address, active) VALUES ($1, $2, $3, 1) RETURNING id",
            )
            .bind(agency_id)
            .bind(name)
            .bind(address)
            .fetch_one(&mut *conn)
            .await?
        }))
    }
}
