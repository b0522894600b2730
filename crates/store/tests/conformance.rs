//! The store's behaviour, asserted identically on SQLite and PostgreSQL.
//!
//! Each test body is a function of a fresh [`Db`]; the `conformance!` macro instantiates it once
//! per backend. PostgreSQL variants need `MOTCUA_TEST_DATABASE_URL` and run with `--ignored`
//! (see the README); each gets a schema of its own in that database.

use motcua_domain::dossier::event::{Line, read_timeline};
use motcua_store::copy::TABLES;
use motcua_store::migrate::latest_version;
use motcua_store::testing::TestDb;
use motcua_store::{
    AuditEntry, Backend, ConstraintKind, CopyError, Db, NewAgency, NewUnit, NewUser, StoreError,
    copy_database,
};

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
    connections_left_halfway_are_set_right_before_reuse,
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
    the_audit_log_refuses_update_and_delete,
    units_and_agencies_as_of_a_date,
    sessions_expire_and_are_revoked,
    sessions_and_tokens_carry_the_grants_in_force,
    failed_sign_ins_are_counted_by_login_and_address,
    copy_carries_the_organisation_and_its_sequences,
    procedure_versions_accumulate_and_the_published_one_is_in_force,
    a_draft_is_published_ended_and_withdrawn_by_date,
    the_newest_form_file_is_offered,
    dossier_events_chain_and_a_stale_version_conflicts,
    lookups_made_by_the_migrations_read_as_written,
    fifty_parallel_receipts_get_fifty_consecutive_numbers,
    an_altered_chain_is_found,
    dossier_lists_filter_and_page_by_due_date,
    alerts_are_raised_once_per_due_date,
    two_claimers_get_disjoint_messages,
    an_expired_lease_is_claimed_again,
    failures_back_off_then_give_up,
    unsendable_channels_keep_their_messages,
    histories_in_bulk_chain_and_numbering_continues,
    evaluations_are_kept_once_and_only_for_returned_dossiers,
);

async fn migrations_apply_once(db: Db, backend: Backend) {
    assert_eq!(db.schema_version().await.unwrap(), 0);
    let first = db.migrate().await.unwrap();
    assert_eq!(first.version, latest_version());
    assert_eq!(first.applied.len() as i64, latest_version());
    // SQLite's log is emptied into the file: reads after a migration do not look through it.
    if backend == Backend::Sqlite {
        let path = db.url().strip_prefix("sqlite://").unwrap().to_string();
        let log = std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len());
        assert_eq!(log, 0, "{path}-wal");
    }
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

/// The pool takes a connection back unchecked only when its holder finished; one left with a
/// transaction open, a failed statement or a request gone is rolled back and pinged first.
async fn connections_left_halfway_are_set_right_before_reuse(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    for round in 0..20 {
        let key = format!("again-{round}");
        let mut tx = db.begin().await.unwrap();
        tx.meta_insert(&key, "left open").await.unwrap();
        if round % 2 == 0 {
            // A failed statement inside the transaction, then dropped.
            assert!(tx.meta_insert(&key, "twice").await.is_err());
        }
        drop(tx);
        // The next writer gets the connection only once the rollback is done.
        let mut tx = db.begin().await.unwrap();
        tx.meta_insert(&key, "committed").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            db.meta_get(&key).await.unwrap().as_deref(),
            Some("committed")
        );
    }
    // Reads given up halfway, as when a client goes away.
    for _ in 0..50 {
        let _ = tokio::time::timeout(std::time::Duration::from_micros(5), db.meta_get("x")).await;
    }
    assert_eq!(db.meta_get("x").await.unwrap(), None);
    for stat in db.pool_stats() {
        assert!(stat.size <= stat.max, "{stat:?}");
    }
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

fn entry<'a>(action: &'a str, object_id: &'a str) -> AuditEntry<'a> {
    AuditEntry {
        actor_id: None,
        actor_login: "admin",
        ip: "127.0.0.1",
        action,
        object_type: "user",
        object_id,
        detail: "{}",
    }
}

async fn the_audit_log_refuses_update_and_delete(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.audit(&entry("sign_in", "1")).await.unwrap();
    tx.audit(&entry("sign_in_failed", "2")).await.unwrap();
    tx.commit().await.unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
        "UPDATE calendar_year_versions SET reason = 'x'",
        "DELETE FROM calendar_year_versions",
    ] {
        let err = db.execute_unchecked(sql).await;
        // An empty calendar table has no row to refuse; the audit log has two.
        if sql.contains("audit_log") {
            let err = err.unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }
    let mut tx = db.begin().await.unwrap();
    tx.save_calendar_year(2026, "{}", "x", "admin")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let err = db
        .execute_unchecked("DELETE FROM calendar_year_versions")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert_eq!(db.audit(None, None, None, None, 10).await.unwrap().len(), 2);
    let failed = db
        .audit(Some("sign_in_failed"), None, None, None, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].object_id, "2");
}

async fn units_and_agencies_as_of_a_date(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let province = tx
        .insert_unit(&NewUnit {
            code: "99",
            name: "Tỉnh Mẫu",
            kind: "province",
            parent_id: None,
            valid_from: "2000-01-01",
            valid_until: None,
        })
        .await
        .unwrap();
    let district = tx
        .insert_unit(&NewUnit {
            code: "991",
            name: "Huyện Cũ",
            kind: "district",
            parent_id: Some(province),
            valid_from: "2000-01-01",
            valid_until: Some("2025-07-01"),
        })
        .await
        .unwrap();
    let commune = tx
        .insert_unit(&NewUnit {
            code: "99101",
            name: "Xã Mới",
            kind: "commune",
            parent_id: Some(province),
            valid_from: "2025-07-01",
            valid_until: None,
        })
        .await
        .unwrap();
    tx.link_units(district, commune, "merge", "2025-07-01")
        .await
        .unwrap();
    let old = tx
        .insert_agency(&NewAgency {
            name: "UBND Huyện Cũ",
            kind: "district_committee",
            unit_id: district,
            parent_id: None,
            identifier: "H99.10",
            address: "",
            phone: "",
            email: "",
            valid_from: "2000-01-01",
            valid_until: Some("2025-07-01"),
        })
        .await
        .unwrap();
    let new = tx
        .insert_agency(&NewAgency {
            name: "UBND Xã Mới",
            kind: "commune_committee",
            unit_id: commune,
            parent_id: None,
            identifier: "H99.10",
            address: "",
            phone: "",
            email: "",
            valid_from: "2025-07-01",
            valid_until: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let before: Vec<String> = db
        .units_as_of("2025-06-30")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(before, ["Tỉnh Mẫu", "Huyện Cũ"]);
    let after: Vec<String> = db
        .units_as_of("2025-07-01")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(after, ["Tỉnh Mẫu", "Xã Mới"]);
    // The identifier H99.10 was reissued: it names a different agency before and after.
    assert_eq!(
        db.agency_by_identifier("H99.10", "2025-06-30")
            .await
            .unwrap()
            .id,
        old
    );
    assert_eq!(
        db.agency_by_identifier("H99.10", "2025-07-01")
            .await
            .unwrap()
            .id,
        new
    );
    let agencies = db.agencies_as_of("2025-07-01").await.unwrap();
    assert_eq!(agencies.len(), 1);
    assert_eq!(agencies[0].identifier, "H99.10");

    // An identifier cannot be in force for two agencies at once.
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .add_identifier(old, "H99.10", "2025-08-01", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Constraint { ref constraint, .. } if constraint == "agency_identifiers_in_force"),
        "{err}"
    );
    drop(tx);
    // A period that ends before it starts is refused by the database.
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .insert_unit(&NewUnit {
            code: "992",
            name: "Sai",
            kind: "commune",
            parent_id: Some(province),
            valid_from: "2025-07-01",
            valid_until: Some("2025-01-01"),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Constraint {
                kind: ConstraintKind::Check,
                ..
            }
        ),
        "{err}"
    );
}

/// Signing in reads the user's grants with the session or the token: those in force, in the
/// order given, none for a user without one, and a revoked one no more.
async fn sessions_and_tokens_carry_the_grants_in_force(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let user = tx
        .insert_user(&NewUser {
            login: "chuyenvien",
            kind: "staff",
            full_name: "Chuyên Viên",
            position: "",
            agency_id: None,
            phone: "",
            email: "",
            password_hash: "x",
            must_change_password: false,
        })
        .await
        .unwrap();
    tx.create_session("s", user, 1_000_000, "1.2.3.4", "test")
        .await
        .unwrap();
    tx.insert_token(user, "tích hợp", "t", "read write", 1_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let roles = |grants: &[motcua_store::GrantRow]| {
        grants
            .iter()
            .map(|g| (g.role.clone(), g.agency_id, g.with_children))
            .collect::<Vec<_>>()
    };
    let session = db.session("s", 5).await.unwrap().unwrap();
    assert_eq!(session.user.login, "chuyenvien");
    assert!(session.grants.is_empty());
    let (_, owner, grants) = db.token_user("t", 5).await.unwrap().unwrap();
    assert_eq!(owner.id, user);
    assert!(grants.is_empty());

    let mut tx = db.begin().await.unwrap();
    let first = tx
        .grant(user, "processing_officer", None, true, None)
        .await
        .unwrap();
    tx.grant(user, "desk_officer", None, false, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let both = vec![
        ("processing_officer".to_string(), None, true),
        ("desk_officer".to_string(), None, false),
    ];
    assert_eq!(
        roles(&db.session("s", 5).await.unwrap().unwrap().grants),
        both
    );
    let (_, _, grants) = db.token_user("t", 5).await.unwrap().unwrap();
    assert_eq!(roles(&grants), both);
    assert!(grants.iter().all(|g| g.user_id == user));

    let mut tx = db.begin().await.unwrap();
    tx.revoke_grant(first).await.unwrap();
    tx.commit().await.unwrap();
    let left = vec![("desk_officer".to_string(), None, false)];
    assert_eq!(
        roles(&db.session("s", 5).await.unwrap().unwrap().grants),
        left
    );
    let (_, _, grants) = db.token_user("t", 5).await.unwrap().unwrap();
    assert_eq!(roles(&grants), left);
    assert_eq!(grants, db.grants_of(user).await.unwrap());
}

async fn sessions_expire_and_are_revoked(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let new_user = |full_name| NewUser {
        login: "canbo",
        kind: "staff",
        full_name,
        position: "",
        agency_id: None,
        phone: "",
        email: "",
        password_hash: "x",
        must_change_password: true,
    };
    let mut tx = db.begin().await.unwrap();
    let user = tx.insert_user(&new_user("Cán Bộ")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let err = tx.insert_user(&new_user("Người Khác")).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Constraint { ref constraint, .. } if constraint == "users_login"),
        "{err}"
    );
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    tx.create_session("s1", user, 1_000, "1.2.3.4", "test")
        .await
        .unwrap();
    tx.create_session("s2", user, 1_000_000, "1.2.3.4", "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(db.session("s1", 999).await.unwrap().is_some());
    assert!(db.session("s1", 1_000).await.unwrap().is_none(), "expired");
    let found = db.session("s2", 5).await.unwrap().unwrap();
    assert_eq!(found.user.login, "canbo");
    assert!(found.user.must_change_password);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.revoke_sessions_of(user).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert!(db.session("s2", 5).await.unwrap().is_none(), "revoked");
}

async fn failed_sign_ins_are_counted_by_login_and_address(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for (login, ip) in [("a", "1.1.1.1"), ("a", "2.2.2.2"), ("b", "1.1.1.1")] {
        tx.record_failure(login, ip).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(db.recent_failures("a", "1.1.1.1", 0).await.unwrap(), (2, 2));
    assert_eq!(
        db.recent_failures("a", "9.9.9.9", i64::MAX).await.unwrap(),
        (0, 0)
    );
    let mut tx = db.begin().await.unwrap();
    tx.clear_failures("a").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.recent_failures("a", "1.1.1.1", 0).await.unwrap(), (0, 1));
}

async fn copy_carries_the_organisation_and_its_sequences(db: Db, backend: Backend) {
    let source = TestDb::sqlite().await;
    source.db.migrate().await.unwrap();
    let mut tx = source.db.begin().await.unwrap();
    let province = tx
        .insert_unit(&NewUnit {
            code: "99",
            name: "Tỉnh Mẫu",
            kind: "province",
            parent_id: None,
            valid_from: "2000-01-01",
            valid_until: None,
        })
        .await
        .unwrap();
    tx.insert_unit(&NewUnit {
        code: "99101",
        name: "Xã A",
        kind: "commune",
        parent_id: Some(province),
        valid_from: "2000-01-01",
        valid_until: None,
    })
    .await
    .unwrap();
    tx.audit(&entry("unit_created", "1")).await.unwrap();
    tx.commit().await.unwrap();
    copy_database(&source.db, &db).await.unwrap();
    // New rows in the copy get fresh ids, not the copied ones.
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .insert_unit(&NewUnit {
            code: "99102",
            name: "Xã B",
            kind: "commune",
            parent_id: Some(province),
            valid_from: "2000-01-01",
            valid_until: None,
        })
        .await
        .unwrap();
    tx.audit(&entry("unit_created", "3")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(id, 3, "{backend:?}");
    assert_eq!(db.units_as_of("2026-01-01").await.unwrap().len(), 3);
}

async fn procedure_versions_accumulate_and_the_published_one_is_in_force(
    db: Db,
    _backend: Backend,
) {
    use motcua_store::NewProcedureVersion;
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.upsert_sector("HT", "Hộ tịch").await.unwrap();
    let version = |status: &'static str, name: &'static str| NewProcedureVersion {
        code: "MS.HT.001",
        name,
        sector: "HT",
        level: "commune",
        data: "{}",
        search_text: "dang ky khai sinh",
        status,
        valid_from: "2025-07-01",
        created_by: "kiemsoat",
        note: "",
        decided_on: "2025-06-20",
        law_effective: "",
    };
    assert_eq!(
        tx.add_procedure_version(&version("published", "Đăng ký khai sinh"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        tx.add_procedure_version(&version("draft", "Đăng ký khai sinh (sửa)"))
            .await
            .unwrap(),
        2
    );
    tx.commit().await.unwrap();
    let in_force = db.procedures_in_force("2026-01-01").await.unwrap();
    assert_eq!(in_force.len(), 1);
    assert_eq!(
        (in_force[0].version, in_force[0].name.as_str()),
        (1, "Đăng ký khai sinh")
    );
    assert!(
        db.procedures_in_force("2025-06-30")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.procedure_versions("MS.HT.001").await.unwrap().len(), 2);
    // A status outside the three is refused by the database.
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .add_procedure_version(&version("lost", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Constraint {
                kind: ConstraintKind::Check,
                ..
            }
        ),
        "{err}"
    );
}

async fn a_draft_is_published_ended_and_withdrawn_by_date(db: Db, _backend: Backend) {
    use motcua_store::NewProcedureVersion;
    db.migrate().await.unwrap();
    let version =
        |status: &'static str, name: &'static str, from: &'static str| NewProcedureVersion {
            code: "MS.HT.001",
            name,
            sector: "HT",
            level: "commune",
            data: "{}",
            search_text: "dang ky khai sinh",
            status,
            valid_from: from,
            created_by: "kiemsoat",
            note: "sửa phí",
            decided_on: "2026-03-02",
            law_effective: "2026-03-16",
        };
    let in_force = async |day: &str| {
        db.procedure_in_force("MS.HT.001", day)
            .await
            .unwrap()
            .map(|r| (r.version, r.name))
    };
    let mut tx = db.begin().await.unwrap();
    tx.upsert_sector("HT", "Hộ tịch").await.unwrap();
    tx.add_procedure_version(&version("published", "v1", "2025-07-01"))
        .await
        .unwrap();
    tx.add_procedure_version(&version("draft", "v2 nháp", "2026-03-16"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = db.catalogue_stamp().await.unwrap();

    // One draft per procedure: a second is refused, the first is edited in place.
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .add_procedure_version(&version("draft", "another", "2026-03-16"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Constraint { constraint, .. } if constraint == "procedure_versions_one_draft"),
        "{err}"
    );
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        tx.update_draft(&version("draft", "v2", "2026-03-16"))
            .await
            .unwrap(),
        2
    );
    tx.publish_draft("MS.HT.001", 2, "2026-03-16", "kiemsoat")
        .await
        .unwrap();
    // Published: it is no longer a draft.
    assert!(matches!(
        tx.publish_draft("MS.HT.001", 2, "2026-03-16", "kiemsoat")
            .await,
        Err(StoreError::NotFound)
    ));
    tx.commit().await.unwrap();
    assert_ne!(db.catalogue_stamp().await.unwrap(), before);
    assert_eq!(in_force("2026-03-15").await, Some((1, "v1".into())));
    assert_eq!(in_force("2026-03-16").await, Some((2, "v2".into())));
    assert_eq!(
        db.procedures_in_force("2026-04-01").await.unwrap().len(),
        1,
        "one version of a procedure on a day"
    );

    // A scheduled version can be withdrawn before it begins, not after.
    let mut tx = db.begin().await.unwrap();
    assert!(matches!(
        tx.withdraw_version("MS.HT.001", 2, "2026-03-16").await,
        Err(StoreError::NotFound)
    ));
    tx.withdraw_version("MS.HT.001", 2, "2026-03-10")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(in_force("2026-04-01").await, Some((1, "v1".into())));

    // Ending the version in force leaves nothing in force from that day.
    let mut tx = db.begin().await.unwrap();
    tx.end_version("MS.HT.001", 1, "2026-05-01").await.unwrap();
    assert!(matches!(
        tx.end_version("MS.HT.001", 1, "2026-06-01").await,
        Err(StoreError::NotFound)
    ));
    tx.record_national_entry("MS.HT.001", 1, "2025-07-03")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(in_force("2026-04-30").await, Some((1, "v1".into())));
    assert_eq!(in_force("2026-05-01").await, None);
    let history = db.procedure_history("MS.HT.001").await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.status.as_str()))
            .collect::<Vec<_>>(),
        [(2, "withdrawn"), (1, "published")]
    );
    assert_eq!(history[1].national_entered.as_deref(), Some("2025-07-03"));
    assert_eq!(history[1].valid_until.as_deref(), Some("2026-05-01"));
    assert_eq!(history[0].law_effective.as_deref(), Some("2026-03-16"));
    assert_eq!(history[0].note, "sửa phí");
    assert_eq!(db.version_summaries().await.unwrap().len(), 2);
}

async fn the_newest_form_file_is_offered(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.add_file("aa", 10, "application/pdf").await.unwrap();
    tx.add_file("aa", 10, "application/pdf").await.unwrap();
    tx.add_file("bb", 20, "application/msword").await.unwrap();
    tx.add_form_file("MS.HT.001", "Mẫu 1", "aa", "to-khai.pdf", "kiemsoat")
        .await
        .unwrap();
    tx.add_form_file("MS.HT.001", "Mẫu 1", "bb", "to-khai.doc", "kiemsoat")
        .await
        .unwrap();
    tx.add_form_file("MS.HT.001", "Mẫu 2", "aa", "mau-2.pdf", "kiemsoat")
        .await
        .unwrap();
    // A file that is not in the store cannot be offered.
    assert!(
        tx.add_form_file("MS.HT.001", "Mẫu 3", "cc", "x.pdf", "kiemsoat")
            .await
            .is_err()
    );
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    tx.add_file("aa", 10, "application/pdf").await.unwrap();
    tx.add_file("bb", 20, "application/msword").await.unwrap();
    tx.add_form_file("MS.HT.001", "Mẫu 1", "aa", "to-khai.pdf", "kiemsoat")
        .await
        .unwrap();
    tx.add_form_file("MS.HT.001", "Mẫu 1", "bb", "to-khai.doc", "kiemsoat")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let files = db.form_files("MS.HT.001").await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (
            files[0].file_name.as_str(),
            files[0].size,
            files[0].media_type.as_str()
        ),
        ("to-khai.doc", 20, "application/msword")
    );
}

/// Stored events of every shape a line reads, with the fields it leaves out (an application,
/// components, dates), a field at its default and text that JSON escapes.
const STORED_EVENTS: [&str; 11] = [
    r#"{"kind":"opened","application":{"applicant":{"name":"Nguyễn Văn An","id_number":"001"},"components":[{"name":"Tờ khai","copies":1}]},"channel":"online"}"#,
    r#"{"kind":"completion_requested","missing":["Bản sao CCCD","Tờ khai"],"reason":"Thiếu giấy tờ"}"#,
    r#"{"kind":"completion_provided","components":[{"name":"Bản sao CCCD","original":false}]}"#,
    r#"{"kind":"received","duration":{"working_days":5},"policy":{"cutoff":"15:30"},"due":5000,"first_step_due":3000}"#,
    r#"{"kind":"sent_back","from_step":1,"to_step":0,"to_user":null,"step_due":4000,"reason":"Thiếu chữ ký"}"#,
    r#"{"kind":"supplement_requested","reason":"Bổ sung\tngay","items":["Sơ đồ \"thửa\" đất","Ảnh\nchụp"],"applicant_due":"2026-03-10","counts_late":false,"second_reason":""}"#,
    r#"{"kind":"payment_requested","amount":150000,"reason":"Lệ phí"}"#,
    r#"{"kind":"resumed","pause":"payment","paused_minutes":60,"due":6000,"step_due":4500,"components":[]}"#,
    r#"{"kind":"consulted","agency":"H99.01","request":"Xin ý kiến"}"#,
    r#"{"kind":"refused","reasons":"Không thuộc thẩm quyền"}"#,
    r#"{"kind":"returned","channel":"post"}"#,
];

/// Dossiers stored before timelines and lookup rows existed get theirs from their events and
/// rows when the database is migrated (SQL on each backend); they must read exactly as what the
/// store writes.
async fn lookups_made_by_the_migrations_read_as_written(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let agency = dossier_agency(&db).await;
    let events: Vec<motcua_store::NewEvent<'_>> = STORED_EVENTS
        .iter()
        .enumerate()
        .map(|(i, payload)| motcua_store::NewEvent {
            kind: "stored",
            payload,
            at: 1_000 + i as i64,
            actor: "motcua.tinh",
            actor_role: "desk_officer",
        })
        .collect();
    let codes = ["H99.10-260301-0001", "H99.10-260301-0002"];
    let mut tx = db.begin().await.unwrap();
    tx.insert_dossier(
        &new_dossier(codes[0], agency),
        &projection("received", 11, Some(5_000)),
        &events,
    )
    .await
    .unwrap();
    tx.insert_dossier(
        &new_dossier(codes[1], agency),
        &projection("received", 1, None),
        &events[..1],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut written = Vec::new();
    let mut statuses = Vec::new();
    for code in codes {
        let status = db.public_status(code).await.unwrap().unwrap();
        written.push(read_timeline(&status.timeline).unwrap());
        statuses.push(status);
    }
    let expected: Vec<(i64, Line)> = events
        .iter()
        .map(|e| (e.at, serde_json::from_str(e.payload).unwrap()))
        .collect();
    assert_eq!(written[0], expected);
    assert_eq!(
        written[0][5].1.describe(&[]),
        "Yêu cầu bổ sung hồ sơ: Sơ đồ \"thửa\" đất; Ảnh\nchụp"
    );

    // The database as it was before migration 12, then migrated.
    db.execute_unchecked("DROP TABLE dossier_lookups")
        .await
        .unwrap();
    db.execute_unchecked("DELETE FROM schema_migrations WHERE version IN (12, 13)")
        .await
        .unwrap();
    assert_eq!(db.migrate().await.unwrap().applied, [12, 13]);
    for ((code, written), before) in codes.iter().zip(&written).zip(&statuses) {
        let status = db.public_status(code).await.unwrap().unwrap();
        assert_eq!(&read_timeline(&status.timeline).unwrap(), written, "{code}");
        // The same row but for the timeline's text, which may spell a default out.
        let columns = |s: &motcua_store::PublicStatusRow| motcua_store::PublicStatusRow {
            timeline: String::new(),
            ..s.clone()
        };
        assert_eq!(columns(&status), columns(before), "{code}");
    }
    assert_eq!(db.verify_chains().await.unwrap(), (vec![], 12));
}

/// An agency for dossiers to belong to.
async fn dossier_agency(db: &Db) -> i64 {
    let unit =
        motcua_store::testing::unit(db, "99", "Tỉnh", "province", None, "2025-07-01", None).await;
    motcua_store::testing::agency(
        db,
        "Sở Tư pháp",
        "department",
        unit,
        None,
        "H99.10",
        "2025-07-01",
    )
    .await
}

fn projection(
    stage: &'static str,
    version: i64,
    due: Option<i64>,
) -> motcua_store::Projection<'static> {
    motcua_store::Projection {
        stage,
        step: 0,
        assignee: None,
        applicant_name: "Nguyễn Văn An",
        applicant_id_number: "001099000001",
        submitted_at: 1_000,
        received_at: Some(1_000),
        due_at: due,
        step_due_at: None,
        paused_since: None,
        finished_at: None,
        outcome: None,
        counts_late: false,
        digitised: false,
        version,
        state: "{}",
    }
}

fn new_dossier(code: &str, agency: i64) -> motcua_store::NewDossier<'_> {
    motcua_store::NewDossier {
        code,
        lookup_hash: "h",
        created_by: "motcua.tinh",
        idempotency_key: None,
        procedure_code: "MS.HT.001",
        procedure_version: 1,
        sector: "HT",
        level: "province",
        desk_agency_id: agency,
        deciding_agency_id: agency,
        channel: "counter",
        applicant_login: None,
    }
}

fn event(kind: &'static str, at: i64) -> motcua_store::NewEvent<'static> {
    motcua_store::NewEvent {
        kind,
        payload: "{\"kind\":\"x\"}",
        at,
        actor: "motcua.tinh",
        actor_role: "desk_officer",
    }
}

async fn dossier_events_chain_and_a_stale_version_conflicts(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let agency = dossier_agency(&db).await;
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .insert_dossier(
            &new_dossier("H99.10-260301-0001", agency),
            &projection("received", 2, Some(5_000)),
            &[event("opened", 1_000), event("received", 1_000)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.append_events(
        id,
        2,
        &projection("processing", 3, Some(5_000)),
        &[event("handed_over", 2_000)],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // A second writer that read version 2 is refused, and writes nothing.
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .append_events(
            id,
            2,
            &projection("done", 3, Some(5_000)),
            &[event("completed", 3_000)],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    drop(tx);
    let events = db.dossier_events(id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(events[0].prev_hash, motcua_store::GENESIS);
    assert_eq!(events[1].prev_hash, events[0].hash);
    assert_eq!(events[2].prev_hash, events[1].hash);
    let row = db
        .dossier_by_code("H99.10-260301-0001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.stage.as_str(), row.version), ("processing", 3));
    // The lookup's one query gives the row's columns and a line of each event, in order.
    let status = db
        .public_status("H99.10-260301-0001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            status.stage.as_str(),
            status.lookup_hash.as_str(),
            status.procedure_code.as_str(),
            status.applicant_name.as_str(),
            status.received_at,
            status.due_at
        ),
        (
            row.stage.as_str(),
            row.lookup_hash.as_str(),
            row.procedure_code.as_str(),
            row.applicant_name.as_str(),
            row.received_at,
            row.due_at
        )
    );
    assert_eq!(status.due_at, Some(5_000));
    let expected: Vec<(i64, Line)> = events
        .iter()
        .map(|e| (e.at, serde_json::from_str(&e.payload).unwrap()))
        .collect();
    assert_eq!(read_timeline(&status.timeline).unwrap(), expected);
    assert_eq!(status.timeline.lines().count(), 3);
    assert_eq!(db.public_status("H99.10-260301-0009").await.unwrap(), None);
    let (breaks, checked) = db.verify_chains().await.unwrap();
    assert_eq!((breaks, checked), (vec![], 3));
    // Events are never changed or removed, whoever asks.
    // Nor is a lookup row's timeline, which only grows, nor its code, secret or procedure.
    for sql in [
        "UPDATE dossier_events SET kind = 'x'",
        "DELETE FROM dossier_events",
        "UPDATE dossier_lookups SET lines = 'x'",
        "UPDATE dossier_lookups SET lines = substr(lines, 2) || 'x'",
        "UPDATE dossier_lookups SET code = 'x'",
        "UPDATE dossier_lookups SET lookup_hash = 'x'",
        "UPDATE dossier_lookups SET procedure_code = 'x'",
        "DELETE FROM dossier_lookups",
    ] {
        let err = db.execute_unchecked(sql).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // A transaction dropped half-way leaves no dossier and no event.
    let mut tx = db.begin().await.unwrap();
    tx.insert_dossier(
        &new_dossier("H99.10-260301-0002", agency),
        &projection("received", 1, None),
        &[event("opened", 1_000)],
    )
    .await
    .unwrap();
    drop(tx);
    assert!(
        db.dossier_by_code("H99.10-260301-0002")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.verify_chains().await.unwrap().1, 3);
}

async fn fifty_parallel_receipts_get_fifty_consecutive_numbers(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let n = tx
                .next_dossier_number("H99.10", "2026-03-02")
                .await
                .unwrap();
            // Every fifth one fails after taking its number: the number is given back.
            if i % 5 == 4 {
                drop(tx);
                return None;
            }
            tx.commit().await.unwrap();
            Some(n)
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.extend(t.await.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=40).collect::<Vec<i64>>());
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        tx.next_dossier_number("H99.10", "2026-03-02")
            .await
            .unwrap(),
        41
    );
    assert_eq!(
        tx.next_dossier_number("H99.10", "2026-03-03")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        tx.next_dossier_number("H99.11", "2026-03-02")
            .await
            .unwrap(),
        1
    );
}

async fn an_altered_chain_is_found(db: Db, backend: Backend) {
    db.migrate().await.unwrap();
    let agency = dossier_agency(&db).await;
    for code in ["H99.10-260301-0001", "H99.10-260301-0002"] {
        let mut tx = db.begin().await.unwrap();
        tx.insert_dossier(
            &new_dossier(code, agency),
            &projection("received", 2, None),
            &[event("opened", 1_000), event("received", 1_000)],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    assert!(db.verify_chains().await.unwrap().0.is_empty());
    // Someone with the database's own rights edits an event behind the application's back.
    let (off, on) = match backend {
        Backend::Sqlite => (
            "DROP TRIGGER dossier_events_no_update",
            "CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events BEGIN SELECT RAISE(ABORT, 'x'); END",
        ),
        Backend::Postgres => (
            "ALTER TABLE dossier_events DISABLE TRIGGER dossier_events_append_only",
            "ALTER TABLE dossier_events ENABLE TRIGGER dossier_events_append_only",
        ),
    };
    db.execute_unchecked(off).await.unwrap();
    db.execute_unchecked(
        "UPDATE dossier_events SET payload = '{\"kind\":\"y\"}'
         WHERE seq = 2 AND dossier_id = (SELECT id FROM dossiers WHERE code = 'H99.10-260301-0002')",
    )
    .await
    .unwrap();
    db.execute_unchecked(on).await.unwrap();
    let (breaks, checked) = db.verify_chains().await.unwrap();
    assert_eq!(checked, 4);
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(
        (breaks[0].code.as_str(), breaks[0].seq),
        ("H99.10-260301-0002", 2)
    );
    assert!(
        breaks[0].problem.contains("đã bị sửa"),
        "{}",
        breaks[0].problem
    );
    // A line added to a timeline behind the application's back (the database lets a timeline
    // grow) is found too: the public lookup would show it.
    db.execute_unchecked(
        "UPDATE dossier_lookups SET lines = lines || 'x' WHERE code = 'H99.10-260301-0001'",
    )
    .await
    .unwrap();
    let (breaks, _) = db.verify_chains().await.unwrap();
    let found: Vec<_> = breaks
        .iter()
        .map(|b| (b.code.as_str(), b.seq, b.problem.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "H99.10-260301-0001",
                2,
                "dòng thời gian tra cứu không khớp với các sự kiện"
            ),
            ("H99.10-260301-0002", 2, "nội dung sự kiện đã bị sửa"),
        ]
    );
    // A lookup row that shows another stage or due date than its dossier's is found too.
    db.execute_unchecked(
        "UPDATE dossier_lookups SET stage = 'done', due_at = 1 WHERE code = 'H99.10-260301-0001'",
    )
    .await
    .unwrap();
    let (breaks, _) = db.verify_chains().await.unwrap();
    assert_eq!(
        (breaks[0].code.as_str(), breaks[0].problem.as_str()),
        (
            "H99.10-260301-0001",
            "dòng tra cứu khác hồ sơ ở: trạng thái, ngày hẹn trả"
        )
    );
}

async fn dossier_lists_filter_and_page_by_due_date(db: Db, _backend: Backend) {
    use motcua_store::DossierFilter;
    db.migrate().await.unwrap();
    let agency = dossier_agency(&db).await;
    let other = {
        let unit = motcua_store::testing::unit(
            &db,
            "98",
            "Tỉnh khác",
            "province",
            None,
            "2025-07-01",
            None,
        )
        .await;
        motcua_store::testing::agency(
            &db,
            "Sở Xây dựng",
            "department",
            unit,
            None,
            "H99.11",
            "2025-07-01",
        )
        .await
    };
    let dues = [Some(300), Some(100), None, Some(200), Some(100)];
    for (i, due) in dues.iter().enumerate() {
        let code = format!("H99.10-260301-{:04}", i + 1);
        open_dossier(
            &db,
            &new_dossier(&code, if i == 3 { other } else { agency }),
            &projection(if i == 1 { "done" } else { "processing" }, 1, *due),
        )
        .await;
    }
    let all = db
        .dossiers(&DossierFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(code_ends(all), ["0002", "0005", "0004", "0001", "0003"]);
    // Keyset pages of two.
    assert_eq!(
        pages_of_two(&db, DossierFilter::default()).await,
        [vec!["0002", "0005"], vec!["0004", "0001"], vec!["0003"]]
    );
    // The reader's reach, the stage and a due window.
    let mine = db
        .dossiers(&DossierFilter {
            agencies: Some(vec![agency]),
            stages: vec!["processing".into()],
            due_before: Some(250),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(code_ends(mine), ["0005"]);
    // An agency's queue holds what it decides and what its desk received for others, each once,
    // in due order across both sides, page after page.
    for (i, (desk, deciding, due)) in [
        (agency, other, Some(150)),
        (other, agency, Some(50)),
        (other, agency, None),
    ]
    .into_iter()
    .enumerate()
    {
        let code = format!("H99.10-260301-{:04}", i + 6);
        open_dossier(
            &db,
            &motcua_store::NewDossier {
                deciding_agency_id: deciding,
                ..new_dossier(&code, desk)
            },
            &projection("processing", 1, due),
        )
        .await;
    }
    let queue = DossierFilter {
        agencies: Some(vec![agency]),
        stages: vec!["processing".into()],
        ..Default::default()
    };
    assert_eq!(
        pages_of_two(&db, queue).await,
        [
            vec!["0007", "0005"],
            vec!["0006", "0001"],
            vec!["0003", "0008"]
        ]
    );
    // An officer's own, within the reach only.
    open_dossier(
        &db,
        &new_dossier("H99.10-260301-0009", agency),
        &motcua_store::Projection {
            assignee: Some("chuyenvien"),
            ..projection("processing", 1, Some(75))
        },
    )
    .await;
    let own = |reach: i64| {
        let db = db.clone();
        async move {
            db.dossiers(&DossierFilter {
                agencies: Some(vec![reach]),
                stages: vec!["processing".into()],
                assignee: Some("chuyenvien".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(code_ends(own(agency).await), ["0009"]);
    assert!(own(other).await.is_empty());
    let nothing = db
        .dossiers(&DossierFilter {
            agencies: Some(vec![]),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(nothing.is_empty());
}

/// A dossier written with its first event, as `dossier` and `projection` say.
async fn open_dossier(
    db: &Db,
    dossier: &motcua_store::NewDossier<'_>,
    projection: &motcua_store::Projection<'_>,
) {
    let mut tx = db.begin().await.unwrap();
    tx.insert_dossier(dossier, projection, &[event("opened", 1_000)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The ends of the codes `filter` lists (`0001` for `H99.10-260301-0001`).
fn code_ends(rows: Vec<motcua_store::DossierRow>) -> Vec<String> {
    rows.into_iter().map(|r| r.code[14..].to_string()).collect()
}

/// Every keyset page of two that `filter` lists, by the ends of their codes.
async fn pages_of_two(db: &Db, filter: motcua_store::DossierFilter) -> Vec<Vec<String>> {
    let mut after = None;
    let mut pages = Vec::new();
    loop {
        let page = db
            .dossiers(&motcua_store::DossierFilter {
                limit: 2,
                after,
                ..filter.clone()
            })
            .await
            .unwrap();
        if page.is_empty() {
            return pages;
        }
        let last = page.last().unwrap();
        after = Some((last.due_at.unwrap_or(i64::MAX), last.id));
        pages.push(code_ends(page));
    }
}

/// Histories of dossiers received at `agency` on 2026-03-01 (numbered as their codes end), of
/// 1, 2 or 3 events.
fn histories(codes: &[String], agency: i64) -> Vec<motcua_store::History<'_>> {
    const KINDS: [&str; 3] = ["opened", "received", "handed_over"];
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let n = i % 3 + 1;
            motcua_store::History {
                dossier: new_dossier(code, agency),
                desk: "H99.10",
                day: "2026-03-01",
                number: code[code.len() - 4..].parse().unwrap(),
                projection: projection(KINDS[n - 1], n as i64, Some(5_000 + i as i64)),
                events: (0..n).map(|k| event(KINDS[k], 1_000 + k as i64)).collect(),
            }
        })
        .collect()
}

async fn histories_in_bulk_chain_and_numbering_continues(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let agency = dossier_agency(&db).await;
    // More than one statement's worth of dossiers (500) and of events (3,000); number 7 comes
    // later, as an import may bring an older dossier.
    let codes: Vec<String> = (1..=1_600)
        .filter(|n| *n != 7)
        .map(|n| format!("H99.10-260301-{n:04}"))
        .collect();
    let bulk = histories(&codes, agency);
    let mut tx = db.begin().await.unwrap();
    tx.insert_histories(&bulk).await.unwrap();
    tx.commit().await.unwrap();
    db.analyze_dossiers().await.unwrap();

    let events: i64 = bulk.iter().map(|h| h.events.len() as i64).sum();
    let (breaks, checked) = db.verify_chains().await.unwrap();
    assert_eq!((breaks, checked as i64), (vec![], events));
    // The same hashes as a dossier appended event by event.
    let row = db.dossier_by_code(&codes[2]).await.unwrap().unwrap();
    let stored = db.dossier_events(row.id).await.unwrap();
    let mut prev = motcua_store::GENESIS.to_string();
    for (e, new) in stored.iter().zip(&bulk[2].events) {
        assert_eq!(e.prev_hash, prev);
        assert_eq!(
            e.hash,
            motcua_store::event_hash(&prev, &codes[2], e.seq, new)
        );
        prev = e.hash.clone();
    }
    assert_eq!((row.version, row.stage.as_str()), (3, "handed_over"));
    // A bulk dossier goes on like any other.
    let mut tx = db.begin().await.unwrap();
    tx.append_events(
        row.id,
        3,
        &projection("done", 4, Some(5_000)),
        &[event("completed", 9_000)],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        db.verify_chains().await.unwrap(),
        (vec![], events as u64 + 1)
    );
    // Its timeline holds the bulk's lines and then the new one.
    let status = db.public_status(&codes[2]).await.unwrap().unwrap();
    let ats: Vec<i64> = read_timeline(&status.timeline)
        .unwrap()
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    assert_eq!(ats, [1_000, 1_001, 1_002, 9_000]);

    // The day's numbering continues after the highest number used, and is never lowered.
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        tx.next_dossier_number("H99.10", "2026-03-01")
            .await
            .unwrap(),
        1_601
    );
    tx.commit().await.unwrap();
    let late = vec!["H99.10-260301-0007".to_string()];
    let mut tx = db.begin().await.unwrap();
    tx.insert_histories(&histories(&late, agency))
        .await
        .unwrap();
    assert_eq!(
        tx.next_dossier_number("H99.10", "2026-03-01")
            .await
            .unwrap(),
        1_602
    );
    assert_eq!(
        tx.next_dossier_number("H99.10", "2026-03-02")
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();

    // A projection that does not end where its events end is refused, and nothing is written.
    let odd = vec!["H99.10-260301-5000".to_string()];
    let mut wrong = histories(&odd, agency);
    wrong[0].projection.version = 7;
    let mut tx = db.begin().await.unwrap();
    assert!(tx.insert_histories(&wrong).await.is_err());
    drop(tx);
    assert!(db.dossier_by_code(&odd[0]).await.unwrap().is_none());
    // A code used before is refused by its constraint, as for a single receipt.
    let mut tx = db.begin().await.unwrap();
    let err = tx
        .insert_histories(&histories(&codes[..1], agency))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Constraint { constraint, .. } if constraint == "dossiers_code"),
        "{err:?}"
    );
}

/// A dossier in `stage`, due at `due`, for alerts to belong to.
async fn alerted_dossier(db: &Db, code: &str, stage: &'static str, due: Option<i64>) -> i64 {
    let agency = dossier_agency(db).await;
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .insert_dossier(
            &new_dossier(code, agency),
            &projection(stage, 1, due),
            &[event("opened", 1_000)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn message(to: &str, code: &str) -> motcua_store::NewMessage {
    motcua_store::NewMessage {
        channel: "email",
        recipient: to.to_string(),
        subject: format!("Hồ sơ {code} sắp đến hạn"),
        body: "Hạn giải quyết: 11/03/2026 17:00.".to_string(),
        dossier_code: Some(code.to_string()),
    }
}

async fn queue(db: &Db, n: usize, now: i64) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        tx.enqueue(
            &message(&format!("cb{i}@example.vn"), "H99.10-260301-0001"),
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn alerts_are_raised_once_per_due_date(db: Db, _backend: Backend) {
    use motcua_store::NewAlert;
    db.migrate().await.unwrap();
    let code = "H99.10-260301-0001";
    let id = alerted_dossier(&db, code, "processing", Some(5_000)).await;
    let alert = |kind: &'static str, due_at: i64| NewAlert {
        dossier_id: id,
        kind,
        due_at,
        messages: vec![
            message("cb@example.vn", code),
            message("ld@example.vn", code),
        ],
    };
    let first = db
        .raise_alerts(&[alert("due_soon", 5_000), alert("overdue", 5_000)], 100)
        .await
        .unwrap();
    assert_eq!(first, [0, 1]);
    // Raised again, by a later run or another process: nothing new, nothing queued twice.
    let again = db
        .raise_alerts(&[alert("overdue", 5_000), alert("due_soon", 5_000)], 200)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(db.outbox_messages(Some(code)).await.unwrap().len(), 4);
    // The due date moved (an extension): the same kind is raised for the new date.
    let moved = db
        .raise_alerts(&[alert("overdue", 5_000), alert("due_soon", 9_000)], 300)
        .await
        .unwrap();
    assert_eq!(moved, [1]);
    let kinds: Vec<(String, i64, i64)> = db
        .alerts_of(id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.kind, a.due_at, a.raised_at))
        .collect();
    assert_eq!(
        kinds,
        [
            ("due_soon".to_string(), 5_000, 100),
            ("overdue".to_string(), 5_000, 100),
            ("due_soon".to_string(), 9_000, 300),
        ]
    );
    let queued = db.outbox_messages(Some(code)).await.unwrap();
    assert_eq!(queued.len(), 6);
    assert!(
        queued
            .iter()
            .all(|m| m.next_attempt_at == Some(m.created_at) && m.attempts == 0)
    );
    assert_eq!(queued[0].subject, format!("Hồ sơ {code} sắp đến hạn"));
    // Concurrent raisers of the same alerts: each alert lands once.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let db = db.clone();
        let alerts = vec![alert("overdue", 12_000), alert("due_soon", 12_000)];
        tasks.push(tokio::spawn(async move {
            db.raise_alerts(&alerts, 400).await.unwrap().len()
        }));
    }
    let mut raised = 0;
    for t in tasks {
        raised += t.await.unwrap();
    }
    assert_eq!(raised, 2);
    assert_eq!(db.outbox_messages(Some(code)).await.unwrap().len(), 10);
    // Only the three kinds exist.
    let mut tx = db.begin().await.unwrap();
    let err = tx.raise_alert(id, "late", 1, 1).await.unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::Constraint {
                kind: ConstraintKind::Check,
                ..
            }
        ),
        "{err:?}"
    );
}

async fn two_claimers_get_disjoint_messages(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    queue(&db, 40, 1_000).await;
    let mut tasks = Vec::new();
    for owner in ["a", "b", "c"] {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            // Claim in small batches, as senders do, racing the others.
            loop {
                let batch = db
                    .claim_messages(owner, &["email"], 4, 2_000, 60_000_000)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                assert!(
                    batch
                        .iter()
                        .all(|m| m.lease_owner.as_deref() == Some(owner))
                );
                mine.extend(batch.into_iter().map(|m| m.id));
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let claimed = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), claimed, "a message was claimed twice");
    assert_eq!(claimed, 40);
    // Other channels, and messages not yet due, are not claimed.
    let mut tx = db.begin().await.unwrap();
    let mut sms = message("0912345678", "H99.10-260301-0002");
    sms.channel = "sms";
    tx.enqueue(&sms, 1_000).await.unwrap();
    tx.enqueue(&message("later@example.vn", "x"), 5_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let none = db
        .claim_messages("d", &["email", "zalo"], 10, 2_000, 60_000_000)
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
}

async fn an_expired_lease_is_claimed_again(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    queue(&db, 2, 1_000).await;
    let a = db
        .claim_messages("a", &["email"], 10, 1_000, 10_000)
        .await
        .unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].lease_until, Some(10_000));
    // The lease holds until it expires.
    let b = db
        .claim_messages("b", &["email"], 10, 9_999, 20_000)
        .await
        .unwrap();
    assert!(b.is_empty());
    // Its sender died; after the lease, another takes the messages over.
    let b = db
        .claim_messages("b", &["email"], 10, 10_000, 20_000)
        .await
        .unwrap();
    assert_eq!(
        b.iter().map(|m| m.id).collect::<Vec<_>>(),
        [a[0].id, a[1].id]
    );
    assert!(b.iter().all(|m| m.lease_owner.as_deref() == Some("b")));
    // The first sender's late failure report changes nothing: it no longer holds the lease.
    assert_eq!(
        db.mark_failed(a[0].id, "a", 10_500, "timeout", false, None)
            .await
            .unwrap(),
        motcua_store::Failed::NotHeld
    );
    // Sent once is sent: never claimed again, and a second report says so.
    assert!(db.mark_sent(b[0].id, 11_000).await.unwrap());
    assert!(!db.mark_sent(b[0].id, 11_001).await.unwrap());
    let rest = db
        .claim_messages("c", &["email"], 10, 30_000, 40_000)
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|m| m.id).collect::<Vec<_>>(), [b[1].id]);
    let sent = &db.outbox_messages(None).await.unwrap()[0];
    assert_eq!(
        (
            sent.sent_at,
            sent.next_attempt_at,
            sent.attempts,
            sent.lease_owner.as_deref()
        ),
        (Some(11_000), None, 1, None)
    );
}

async fn failures_back_off_then_give_up(db: Db, _backend: Backend) {
    use motcua_store::Failed;
    db.migrate().await.unwrap();
    queue(&db, 2, 0).await;
    let minute = 60_000_000;
    // The second message fails for good at once: a refused address is not retried.
    let both = db
        .claim_messages("a", &["email"], 2, 0, minute)
        .await
        .unwrap();
    assert_eq!(
        db.mark_failed(both[1].id, "a", 0, "550 không có hộp thư này", true, None)
            .await
            .unwrap(),
        Failed::GaveUp
    );
    let mut now = 0;
    let mut holder = both[0].clone();
    let mut delays = Vec::new();
    // The first message has a replacement, queued only once it is given up.
    let instead = motcua_store::NewMessage {
        channel: "sms",
        recipient: "0912345678".into(),
        subject: String::new(),
        body: "Thay thế".into(),
        dossier_code: Some("H99.10-260301-0001".into()),
    };
    loop {
        let error = format!("451 thử lại sau (lần {})", holder.attempts + 1);
        match db
            .mark_failed(holder.id, "a", now, &error, false, Some(&instead))
            .await
            .unwrap()
        {
            Failed::RetryAt(at) => {
                delays.push((at - now) / minute);
                // Not claimed a moment before its time, claimed at it.
                let early = db
                    .claim_messages("a", &["email"], 10, at - 1, at + minute)
                    .await
                    .unwrap();
                assert!(early.is_empty(), "{early:?}");
                let due = db
                    .claim_messages("a", &["email"], 10, at, at + minute)
                    .await
                    .unwrap();
                assert_eq!(due.len(), 1);
                holder = due[0].clone();
                now = at;
            }
            Failed::GaveUp => break,
            Failed::NotHeld => panic!("the lease was held"),
        }
    }
    assert_eq!(delays, [1, 5, 30, 120, 360]);
    let all = db.outbox_messages(None).await.unwrap();
    assert_eq!(all.len(), 3, "one replacement, queued at the last failure");
    assert_eq!(
        (
            all[2].channel.as_str(),
            all[2].body.as_str(),
            all[2].created_at,
            all[2].attempts
        ),
        ("sms", "Thay thế", now, 0)
    );
    assert_eq!(
        (all[0].attempts, all[0].next_attempt_at, all[0].sent_at),
        (6, None, None)
    );
    assert_eq!(
        all[0].last_error.as_deref(),
        Some("451 thử lại sau (lần 6)")
    );
    assert_eq!((all[1].attempts, all[1].next_attempt_at), (1, None));
    assert_eq!(
        all[1].last_error.as_deref(),
        Some("550 không có hộp thư này")
    );
    // Given up is final: nothing is claimed, however late.
    assert!(
        db.claim_messages("a", &["email"], 10, i64::MAX / 2, i64::MAX / 2 + 1)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn unsendable_channels_keep_their_messages(db: Db, _backend: Backend) {
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for to in ["0912345678", "0987654321"] {
        let mut sms = message(to, "H99.10-260301-0001");
        sms.channel = "sms";
        tx.enqueue(&sms, 1_000).await.unwrap();
    }
    tx.commit().await.unwrap();
    let why = "Chưa cấu hình kênh SMS: tin nhắn chờ đến khi có cấu hình.";
    assert_eq!(db.note_unsendable("sms", why, i64::MIN).await.unwrap(), 2);
    assert_eq!(db.note_unsendable("sms", why, i64::MIN).await.unwrap(), 0);
    for m in db.outbox_messages(None).await.unwrap() {
        assert_eq!(m.last_error.as_deref(), Some(why));
        assert_eq!((m.attempts, m.next_attempt_at), (0, Some(1_000)));
    }
    // Later notes read only what was queued since.
    let mut tx = db.begin().await.unwrap();
    for (to, at) in [("0911111111", 1_500), ("0922222222", 5_000)] {
        let mut sms = message(to, "H99.10-260301-0002");
        sms.channel = "sms";
        tx.enqueue(&sms, at).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(db.note_unsendable("sms", why, 2_000).await.unwrap(), 1);
    let noted: Vec<Option<String>> = db
        .outbox_messages(Some("H99.10-260301-0002"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.last_error)
        .collect();
    assert_eq!(noted, [None, Some(why.to_string())]);
    // Once the channel can be sent, the messages are there to claim.
    let claimed = db
        .claim_messages("a", &["sms"], 10, 2_000, 3_000)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
}

async fn evaluations_are_kept_once_and_only_for_returned_dossiers(db: Db, _backend: Backend) {
    use motcua_domain::evaluation::Evaluation;
    use motcua_store::{EvaluateError, NewEvaluation};
    db.migrate().await.unwrap();
    let agency = dossier_agency(&db).await;
    let mut tx = db.begin().await.unwrap();
    let open = tx
        .insert_dossier(
            &new_dossier("H99.10-260301-0001", agency),
            &projection("processing", 1, Some(5_000)),
            &[event("opened", 1_000)],
        )
        .await
        .unwrap();
    let returned = tx
        .insert_dossier(
            &new_dossier("H99.10-260301-0002", agency),
            &projection("returned", 1, Some(5_000)),
            &[event("opened", 1_000)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let first = Evaluation {
        scores: [2, 2, 1, 2, 2, 0, 2, 1, 2],
        comment: "Cán bộ hướng dẫn tận tình.".into(),
    };
    let keep = |dossier_id: i64, evaluation: &Evaluation, channel: &str| {
        let db = db.clone();
        let evaluation = evaluation.clone();
        let channel = channel.to_string();
        async move {
            let mut tx = db.begin().await.unwrap();
            let result = tx
                .insert_evaluation(&NewEvaluation {
                    dossier_id,
                    evaluation: &evaluation,
                    channel: &channel,
                    applicant_login: Some("0912345678"),
                    at: 9_000,
                })
                .await;
            if result.is_ok() {
                tx.commit().await.unwrap();
            }
            result
        }
    };
    // Not returned yet, or no such dossier: nothing is kept.
    for id in [open, 999_999] {
        let err = keep(id, &first, "lookup").await.unwrap_err();
        assert!(matches!(err, EvaluateError::NotReturned), "{err:?}");
        assert_eq!(db.evaluation(id).await.unwrap(), None);
    }
    keep(returned, &first, "account").await.unwrap();
    let kept = db.evaluation(returned).await.unwrap().unwrap();
    assert_eq!(kept.evaluation, first);
    assert_eq!(kept.evaluation.total(), 14);
    assert_eq!(
        (
            kept.channel.as_str(),
            kept.applicant_login.as_deref(),
            kept.evaluated_at
        ),
        ("account", Some("0912345678"), 9_000)
    );
    // A second evaluation, by any channel, is refused and the first stands.
    let second = Evaluation {
        scores: [0; 9],
        comment: String::new(),
    };
    let err = keep(returned, &second, "lookup").await.unwrap_err();
    assert!(matches!(err, EvaluateError::AlreadyEvaluated), "{err:?}");
    assert_eq!(
        db.evaluation(returned).await.unwrap().unwrap().evaluation,
        first
    );
    // The database itself refuses a score out of range and any change or removal.
    let mut tx = db.begin().await.unwrap();
    tx.insert_dossier(
        &new_dossier("H99.10-260301-0003", agency),
        &projection("returned", 1, None),
        &[event("opened", 1_000)],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let third = db
        .dossier_by_code("H99.10-260301-0003")
        .await
        .unwrap()
        .unwrap()
        .id;
    let too_high = Evaluation {
        scores: [2, 2, 2, 3, 2, 2, 2, 2, 2],
        comment: String::new(),
    };
    match keep(third, &too_high, "api").await.unwrap_err() {
        EvaluateError::Store(StoreError::Constraint { constraint, kind }) => {
            assert_eq!(
                (constraint.as_str(), kind),
                ("dossier_evaluations_scores", ConstraintKind::Check)
            );
        }
        other => panic!("expected the scores' check, got {other:?}"),
    }
    assert_eq!(db.evaluation(third).await.unwrap(), None);
    for sql in [
        "UPDATE dossier_evaluations SET staff_attitude = 0",
        "DELETE FROM dossier_evaluations",
    ] {
        let err = db.execute_unchecked(sql).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // A transaction dropped before its commit keeps nothing.
    let mut tx = db.begin().await.unwrap();
    tx.insert_evaluation(&NewEvaluation {
        dossier_id: third,
        evaluation: &first,
        channel: "api",
        applicant_login: None,
        at: 9_500,
    })
    .await
    .unwrap();
    drop(tx);
    assert_eq!(db.evaluation(third).await.unwrap(), None);
}
