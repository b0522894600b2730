//! Many rows in one statement whose text never changes. The rows travel as one JSON array of
//! arrays, bound as a single parameter, and the statement reads them back with `json_each` on
//! SQLite or `jsonb_array_elements` on PostgreSQL. A multi-row `VALUES` list would change its
//! text with the number of rows (prepared anew for each size) and bind a parameter per value;
//! a statement a row would cost a round trip a row while the write lock is held.
//!
//! The rows are cut into batches of about [`BATCH_BYTES`], a statement each. sqlx 0.9.0 leaves
//! Nagle's algorithm on for PostgreSQL over TCP (upstream issue 4335): a message longer than a
//! segment has its tail held until the server acknowledges the rest, which it delays by 40 ms.
//! A batch that fits in one segment of a local connection is sent at once.

use std::fmt::Write;

use crate::db::{Backend, Tx, on_tx};
use crate::error::StoreError;

/// About how much JSON one statement carries (a loopback segment holds 64 KiB).
const BATCH_BYTES: usize = 8 * 1024;

/// The kind of a column as the statement reads it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
}

/// JSON arrays of rows, each row an array of values in the order of the statement's columns.
#[derive(Debug)]
pub(crate) struct JsonRows {
    /// Batches already full.
    full: Vec<String>,
    json: String,
    rows: usize,
    first_value: bool,
}

impl JsonRows {
    pub(crate) fn new() -> JsonRows {
        JsonRows {
            full: Vec::new(),
            json: String::from("["),
            rows: 0,
            first_value: true,
        }
    }

    /// Starts a row; the values pushed after it belong to it.
    pub(crate) fn row(&mut self) -> &mut Self {
        if self.rows > 0 {
            if self.json.len() >= BATCH_BYTES {
                self.json.push_str("]]");
                self.full
                    .push(std::mem::replace(&mut self.json, String::from("[")));
                self.rows = 0;
            } else {
                self.json.push_str("],");
            }
        }
        self.json.push('[');
        self.rows += 1;
        self.first_value = true;
        self
    }

    pub(crate) fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        self.json.reserve(value.len() + 2);
        self.json.push('"');
        for c in value.chars() {
            match c {
                '"' => self.json.push_str("\\\""),
                '\\' => self.json.push_str("\\\\"),
                '\n' => self.json.push_str("\\n"),
                '\r' => self.json.push_str("\\r"),
                '\t' => self.json.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(self.json, "\\u{:04x}", u32::from(c));
                }
                c => self.json.push(c),
            }
        }
        self.json.push('"');
        self
    }

    pub(crate) fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        let _ = write!(self.json, "{value}");
        self
    }

    pub(crate) fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub(crate) fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    fn null(&mut self) -> &mut Self {
        self.separate();
        self.json.push_str("null");
        self
    }

    fn separate(&mut self) {
        if !self.first_value {
            self.json.push(',');
        }
        self.first_value = false;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.full.is_empty() && self.rows == 0
    }

    /// The batches of rows, each bound in its turn as a statement's only parameter `$1`.
    pub(crate) fn batches(mut self) -> Vec<String> {
        if self.rows > 0 {
            self.json.push_str("]]");
            self.full.push(self.json);
        }
        self.full
    }
}

impl Tx {
    /// Runs `sql`, a statement on the rows of `$1`, once for each batch of `rows`.
    pub(crate) async fn execute_rows(
        &mut self,
        sql: &str,
        rows: JsonRows,
    ) -> Result<(), StoreError> {
        for batch in rows.batches() {
            on_tx!(self, |conn| {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(batch)
                    .execute(&mut *conn)
                    .await?;
            });
        }
        Ok(())
    }
}

/// `SELECT value->>0, CAST(value->>1 AS BIGINT), … FROM <the rows of $1>`: the rows of a
/// [`JsonRows`] as a query both backends accept, for `INSERT … SELECT`.
pub(crate) fn select_rows(backend: Backend, kinds: &[Kind]) -> String {
    let values: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| match kind {
            Kind::Text => format!("value->>{i}"),
            Kind::Int => format!("CAST(value->>{i} AS BIGINT)"),
        })
        .collect();
    let from = match backend {
        Backend::Sqlite => "json_each($1)",
        Backend::Postgres => "jsonb_array_elements(CAST($1 AS JSONB))",
    };
    format!("SELECT {} FROM {from}", values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_json_arrays_with_nulls_and_escapes() {
        let mut rows = JsonRows::new();
        assert!(rows.is_empty());
        rows.row().text("a\"b\n\u{1}\\").int(-3).opt_text(None);
        rows.row().opt_int(Some(i64::MAX)).opt_int(None).text("đ");
        let json = rows.batches().concat();
        assert_eq!(
            json,
            "[[\"a\\\"b\\n\\u0001\\\\\",-3,null],[9223372036854775807,null,\"đ\"]]"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed[0][0], "a\"b\n\u{1}\\");
        assert!(JsonRows::new().batches().is_empty());
    }

    #[test]
    fn long_rows_are_cut_into_batches_of_whole_rows() {
        let mut rows = JsonRows::new();
        let long = "x".repeat(1_000);
        for i in 0..100 {
            rows.row().int(i).text(&long);
        }
        let batches = rows.batches();
        assert!(batches.len() > 1);
        let mut seen = Vec::new();
        for b in &batches {
            assert!(b.len() < BATCH_BYTES + 2_000, "{}", b.len());
            let parsed: Vec<(i64, String)> = serde_json::from_str(b).unwrap();
            seen.extend(parsed.into_iter().map(|(i, _)| i));
        }
        assert_eq!(seen, (0..100).collect::<Vec<i64>>());
    }

    #[test]
    fn the_select_names_each_column_by_position() {
        assert_eq!(
            select_rows(Backend::Sqlite, &[Kind::Text, Kind::Int]),
            "SELECT value->>0, CAST(value->>1 AS BIGINT) FROM json_each($1)"
        );
        assert!(
            select_rows(Backend::Postgres, &[Kind::Text])
                .ends_with("FROM jsonb_array_elements(CAST($1 AS JSONB))")
        );
    }
}
