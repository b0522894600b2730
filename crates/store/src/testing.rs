//! Fresh databases for tests, on either backend (feature `testing`).
//!
//! SQLite: a file in a temporary folder. PostgreSQL: a new schema in the database named by
//! `MOTCUA_TEST_DATABASE_URL`, so tests run in parallel without seeing each other; CI drops the
//! whole database afterwards.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::{Backend, Db, DbOptions};

pub const PG_URL_VAR: &str = "MOTCUA_TEST_DATABASE_URL";

/// A test database and whatever keeps it alive (its temporary folder).
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub options: DbOptions,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("motcua.db").display());
        let options = DbOptions::default();
        let db = Db::connect(&url, &options).await.expect("SQLite opens");
        TestDb {
            db,
            url,
            options,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let url = std::env::var(PG_URL_VAR).unwrap_or_else(|_| {
            panic!("set {PG_URL_VAR}=postgres://… to run the PostgreSQL tests")
        });
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "t{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Db::connect(&url, &DbOptions::default())
            .await
            .expect("PostgreSQL answers");
        admin
            .execute_unchecked(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("schema created");
        admin.close().await;
        let options = DbOptions {
            pg_schema: Some(schema),
            max_connections: 4,
            ..DbOptions::default()
        };
        let db = Db::connect(&url, &options).await.expect("PostgreSQL opens");
        TestDb {
            db,
            url,
            options,
            _dir: None,
        }
    }
}

/// A unit, committed, for a test's organisation.
pub async fn unit(
    db: &Db,
    code: &str,
    name: &str,
    kind: &str,
    parent: Option<i64>,
    from: &str,
    until: Option<&str>,
) -> i64 {
    let mut tx = db.begin().await.expect("a transaction");
    let id = tx
        .insert_unit(&crate::NewUnit {
            code,
            name,
            kind,
            parent_id: parent,
            valid_from: from,
            valid_until: until,
        })
        .await
        .expect("the unit is inserted");
    tx.commit().await.expect("committed");
    id
}

/// An agency in force from `from`, committed, for a test's organisation.
pub async fn agency(
    db: &Db,
    name: &str,
    kind: &str,
    unit: i64,
    parent: Option<i64>,
    identifier: &str,
    from: &str,
) -> i64 {
    let mut tx = db.begin().await.expect("a transaction");
    let id = tx
        .insert_agency(&crate::NewAgency {
            name,
            kind,
            unit_id: unit,
            parent_id: parent,
            identifier,
            address: "",
            phone: "",
            email: "",
            valid_from: from,
            valid_until: None,
        })
        .await
        .expect("the agency is inserted");
    tx.commit().await.expect("committed");
    id
}
