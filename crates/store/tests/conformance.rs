//! The store's behaviour, asserted identically on SQLite and PostgreSQL.
//!
//! Each test body is a function of a fresh [`Db`]; the `conformance!` macro instantiates it once
//! per backend. PostgreSQL variants need `MOTCUA_TEST_DATABASE_URL` and run with `--ignored`
//! (see the README); each gets a schema of its own in that database.

use motcua_store::copy::TABLES;
use motcua_store::migrate::latest_version;
use motcua_store::testing::TestDb;
use motcua_store::{Backend, ConstraintKind, CopyError, Db, StoreError, copy_database};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let fresh = super::TestDb::sqlite().await;
                    super::$name(fresh.db.clone(), super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "PostgreSQL: set MOTCUA_TEST_DATABASE_URL and run with --ignored"]
                async fn $name() {
                    let fresh = super::TestDb::postgres().await;
                    super::$name(fresh.db.clone(), super::Backend::Postgres).await;
                }
            )*
        }
    };
}

conformance!(
    migrations_apply_once,
    the_copy_table_list_matches_the_schema,
    unique_violations_name_the_constraint,
    an_uncommitted_transaction_leaves_nothing,
    committed_writes_are_read_back,
    concurrent_writers_all_land,
    a_closed_pool_is_unavailable,
    a_newer_schema_is_refused,
    a_missing_row_is_not_found,
    copy_to_this_backend_and_back,
    copy_refuses_a_target_with_data,
    copy_refuses_an_unmigrated_source,
    calendar_year_versions_accumulate,
    concurrent_calendar_saves_lose_nothing,
);

async fn migrations_apply_once(db: Db, _backend: Backend) {
    assert_eq!(db.schema_version().await.unwrap(), 0);
    let first = db.migrate().await.unwrap();
    assert_eq!(first.version, latest_version());
    assert_eq!(first.applied.len() as i64, latest_version());
    let second = db.migrate().await.unwrap();
    assert!(second.applied.is_empty(), "{second:?}");
    assert_eq!(second.version, latest_version());
}

async fn the_copy_table_list_matches_the_schema(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let live = db.schema_columns().await.unwrap();
    let mut declared: Vec<(String, String)> = TABLES
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|(c, _)| (t.name.to_string(), c.to_string()))
        })
        .collect();
    for c in ["version", "name", "checksum", "applied_at"] {
        declared.push(("schema_migrations".into(), c.into()));
    }
    declared.sort();
    assert_eq!(
        live, declared,
        "copy::TABLES is out of step with the migrations"
    );
}

async fn unique_violations_name_the_constraint(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.meta_insert("k", "1").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let err = tx.meta_insert("k", "2").await.unwrap_err();
    match err {
        StoreError::Constraint { constraint, kind } => {
            assert_eq!(constraint, "app_meta_pkey");
            assert_eq!(kind, ConstraintKind::Unique);
        }
        other => panic!("expected a constraint error, got {other:?}"),
    }
    drop(tx);
    assert_eq!(db.meta_get("k").await.unwrap().as_deref(), Some("1"));
}

async fn an_uncommitted_transaction_leaves_nothing(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    {
        let mut tx = db.begin().await.unwrap();
        tx.meta_set("half", "written").await.unwrap();
        // dropped without commit: rolled back
    }
    assert_eq!(db.meta_get("half").await.unwrap(), None);
}

async fn committed_writes_are_read_back(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.meta_set("tỉnh", "Hồ sơ một cửa — đúng hạn")
        .await
        .unwrap();
    tx.meta_set("tỉnh", "Tiếp nhận hồ sơ").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        db.meta_get("tỉnh").await.unwrap().as_deref(),
        Some("Tiếp nhận hồ sơ")
    );
}

async fn concurrent_writers_all_land(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.meta_insert(&format!("w{i}"), "x").await.unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = db.count_rows(&TABLES[0]).await.unwrap();
    assert_eq!(n, 40);
}

async fn a_closed_pool_is_unavailable(db: Db, _backend: Backend) {
    db.ping().await.unwrap();
    db.close().await;
    match db.ping().await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("expected unavailable, got {other:?}"),
    }
}

async fn a_newer_schema_is_refused(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    db.execute_unchecked(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', 0)",
    )
    .await
    .unwrap();
    let err = db.migrate().await.unwrap_err().to_string();
    assert!(err.contains("newer than this motcua"), "{err}");
}

async fn a_missing_row_is_not_found(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    assert_eq!(db.meta_get("absent").await.unwrap(), None);
}

async fn seed(db: &Db, rows: usize) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for i in 0..rows {
        tx.meta_insert(&format!("khóa-{i:05}"), &format!("giá trị {i} — Đắk Lắk ẩ"))
            .await
            .unwrap();
    }
    tx.meta_insert("empty", "").await.unwrap();
    tx.commit().await.unwrap();
}

async fn copy_to_this_backend_and_back(db: Db, backend: Backend) {
    // SQLite source → the backend under test → a second database of the same backend.
    let source = TestDb::sqlite().await;
    seed(&source.db, 2500).await;
    let report = copy_database(&source.db, &db).await.unwrap();
    assert_eq!(report[0].table, "app_meta");
    assert_eq!(report[0].rows, 2501);
    assert_eq!(
        db.meta_get("khóa-01234").await.unwrap().as_deref(),
        Some("giá trị 1234 — Đắk Lắk ẩ")
    );
    assert_eq!(db.meta_get("empty").await.unwrap().as_deref(), Some(""));

    let again = TestDb::new(backend).await;
    let report = copy_database(&db, &again.db).await.unwrap();
    assert_eq!(report[0].rows, 2501);
}

async fn copy_refuses_a_target_with_data(db: Db, _backend: Backend) {
    let source = TestDb::sqlite().await;
    seed(&source.db, 3).await;
    seed(&db, 1).await;
    let err = copy_database(&source.db, &db).await.unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::TargetNotEmpty {
                table: "app_meta",
                rows: 2
            }
        ),
        "{err}"
    );
    // Nothing was added to the target.
    assert_eq!(db.count_rows(&TABLES[0]).await.unwrap(), 2);
}

async fn copy_refuses_an_unmigrated_source(db: Db, _backend: Backend) {
    let source = TestDb::sqlite().await;
    let err = copy_database(&source.db, &db).await.unwrap_err();
    assert!(
        matches!(err, CopyError::SourceVersion { found: 0, .. }),
        "{err}"
    );
    assert_eq!(
        db.schema_version().await.unwrap(),
        0,
        "the target was touched"
    );
}

async fn calendar_year_versions_accumulate(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    for (data, reason) in [
        ("{\"v\":1}", "Nhập lịch chính thức"),
        ("{\"v\":2}", "Bổ sung ngày 24/11"),
    ] {
        let mut tx = db.begin().await.unwrap();
        tx.save_calendar_year(2026, data, reason, "admin")
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    tx.save_calendar_year(2027, "{\"v\":1}", "Dự kiến", "admin")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let in_force = db.calendar_years_in_force().await.unwrap();
    assert_eq!(in_force.len(), 2);
    assert_eq!((in_force[0].year, in_force[0].version), (2026, 2));
    assert_eq!(in_force[0].reason, "Bổ sung ngày 24/11");
    assert_eq!((in_force[1].year, in_force[1].version), (2027, 1));
    let history = db.calendar_year_history(2026).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
}

async fn concurrent_calendar_saves_lose_nothing(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            // A conflicting writer retries, as the web layer does.
            loop {
                let mut tx = db.begin().await.unwrap();
                match tx
                    .save_calendar_year(2026, &format!("{{\"n\":{i}}}"), "x", "admin")
                    .await
                {
                    Ok(_) => match tx.commit().await {
                        Ok(()) => break,
                        Err(StoreError::Conflict(_)) => continue,
                        Err(e) => panic!("{e}"),
                    },
                    Err(StoreError::Constraint { .. } | StoreError::Conflict(_)) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let history = db.calendar_year_history(2026).await.unwrap();
    assert_eq!(history.len(), 10);
    assert_eq!(history[0].version, 10);
}
