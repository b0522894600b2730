//! Commands that open the database, do one thing and exit.

use motcua_store::{Db, DbOptions, copy_database, migrate::latest_version};

use crate::Failure;
use crate::cli::{GlobalArgs, MigrateDbArgs};
use crate::serve::{db_options, load_config, open_database};

pub async fn migrate(global: &GlobalArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let (db, report) = open_database(&config).await?;
    if report.applied.is_empty() {
        println!("schema version {}: up to date", report.version);
    } else {
        println!(
            "schema version {}: applied migrations {:?}",
            report.version, report.applied
        );
    }
    db.close().await;
    Ok(())
}

/// Recomputes every dossier's hash chain and checks its public timeline.
pub async fn verify(global: &GlobalArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let (db, _) = open_database(&config).await?;
    let (breaks, checked) = db
        .verify_chains()
        .await
        .map_err(|e| Failure::run(format!("cannot read the dossiers: {e}")))?;
    if breaks.is_empty() {
        println!(
            "{checked} sự kiện hồ sơ: chuỗi mã băm toàn vẹn, dòng tra cứu khớp với hồ sơ và sự kiện"
        );
        return Ok(());
    }
    for b in &breaks {
        println!("{} sự kiện {}: {}", b.code, b.seq, b.problem);
    }
    Err(Failure::run(format!(
        "{} chỗ hỏng trong {checked} sự kiện hồ sơ: dữ liệu đã bị sửa ngoài hệ thống",
        breaks.len()
    )))
}

pub async fn migrate_db(global: &GlobalArgs, args: &MigrateDbArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let options = db_options(&config);
    let source = connect(&args.from, &options, "--from").await?;
    let target = connect(&args.to, &options, "--to").await?;
    println!(
        "copying {} → {} (schema version {})",
        source.url(),
        target.url(),
        latest_version()
    );
    let report = copy_database(&source, &target)
        .await
        .map_err(|e| Failure::run(format!("copy failed, the target is unchanged: {e}")))?;
    let mut total = 0;
    for table in &report {
        println!("{:<32} {:>12} rows  verified", table.table, table.rows);
        total += table.rows;
    }
    println!(
        "copy verified: {} tables, {total} rows (counts and content digests match)",
        report.len()
    );
    Ok(())
}

async fn connect(url: &str, options: &DbOptions, flag: &str) -> Result<Db, Failure> {
    Db::connect(url, options)
        .await
        .map_err(|e| Failure::run(format!("{flag}: {e}")))
}

pub async fn demo(global: &GlobalArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let (db, _) = open_database(&config).await?;
    let loaded = crate::demo::load_and_announce_with(&db, &config).await;
    db.close().await;
    loaded.map_err(|e| Failure::run(e.to_string()))
}

pub async fn create_user(
    global: &GlobalArgs,
    args: &crate::cli::CreateUserArgs,
) -> Result<(), Failure> {
    let login = motcua_domain::people::normalise_login(&args.login)
        .map_err(|e| Failure::usage(format!("--login: {e}")))?;
    if args.full_name.trim().is_empty() {
        return Err(Failure::usage("--full-name: give the person's full name"));
    }
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let (db, _) = open_database(&config).await?;
    let result = create_user_in(&db, &login, args).await;
    db.close().await;
    let password = result?;
    println!("Đã tạo tài khoản {login}.");
    println!("Mật khẩu ban đầu: {password}");
    println!("Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên.");
    Ok(())
}

async fn create_user_in(
    db: &Db,
    login: &str,
    args: &crate::cli::CreateUserArgs,
) -> Result<String, Failure> {
    let today = motcua_calendar::Instant(motcua_store::migrate::now_micros())
        .local_date()
        .to_string();
    let agency_id = match &args.agency {
        None => None,
        Some(id) => Some(
            db.agency_by_identifier(id, &today)
                .await
                .map_err(|_| {
                    Failure::usage(format!("--agency: no agency has the identifier {id} today"))
                })?
                .id,
        ),
    };
    let password = motcua_web::initial_password();
    let hash = motcua_web::hash_password(&password);
    let run = async {
        let mut tx = db.begin().await?;
        let id = tx
            .insert_user(&motcua_store::NewUser {
                login,
                kind: "staff",
                full_name: args.full_name.trim(),
                position: if args.admin {
                    "Quản trị hệ thống"
                } else {
                    ""
                },
                agency_id,
                phone: "",
                email: "",
                password_hash: &hash,
                must_change_password: true,
            })
            .await?;
        if args.admin {
            tx.grant(
                id,
                motcua_domain::organisation::Role::ProvinceAdmin.code(),
                None,
                true,
                None,
            )
            .await?;
        }
        tx.audit(&motcua_store::AuditEntry {
            actor_id: None,
            actor_login: "motcua user create",
            ip: "",
            action: "user_created",
            object_type: "user",
            object_id: &id.to_string(),
            detail: &format!("{{\"admin\":{}}}", args.admin),
        })
        .await?;
        tx.commit().await
    };
    match run.await {
        Ok(()) => Ok(password),
        Err(motcua_store::StoreError::Constraint { constraint, .. })
            if constraint == "users_login" =>
        {
            Err(Failure::usage(format!(
                "--login: an account named {login} exists already"
            )))
        }
        Err(e) => Err(Failure::run(e.to_string())),
    }
}

pub async fn catalogue(
    global: &GlobalArgs,
    command: &crate::cli::CatalogueCommand,
) -> Result<(), Failure> {
    use crate::cli::CatalogueCommand;
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let today = motcua_calendar::Instant(motcua_store::migrate::now_micros())
        .local_date()
        .to_string();
    match command {
        CatalogueCommand::Import { file } => {
            let source = CatalogueFile::read(file)?;
            let (db, _) = open_database(&config).await?;
            let result = source.import(&db, &today).await;
            db.close().await;
            match result {
                Ok(done) => {
                    println!(
                        "Đã nhập {} lĩnh vực, {} thủ tục (phiên bản mới, đã công bố).",
                        done.sectors, done.procedures
                    );
                    Ok(())
                }
                Err(motcua_web::catalogue::ImportError::Problems(problems)) => {
                    // From a workbook, each path is already its sheet, row and column.
                    for p in &problems {
                        eprintln!("{}: {}", p.path, p.message);
                    }
                    Err(Failure::run(format!(
                        "{}: {} problems, listed above; nothing was imported",
                        file.display(),
                        problems.len()
                    )))
                }
                Err(e) => Err(Failure::run(format!(
                    "{}: {e}; nothing was imported",
                    file.display()
                ))),
            }
        }
        CatalogueCommand::Export { file, date } => {
            let date = match date {
                Some(d) => motcua_calendar::Date::parse(d)
                    .map_err(|e| Failure::usage(format!("--date: {e}")))?
                    .to_string(),
                None => today,
            };
            let (db, _) = open_database(&config).await?;
            let catalogue = motcua_web::catalogue::export(&db, &date).await;
            db.close().await;
            let catalogue = catalogue.map_err(|e| Failure::run(e.to_string()))?;
            match file {
                Some(path) if is_xlsx(path) => write_file(path, &catalogue_xlsx(&catalogue)?),
                Some(path) => {
                    let json =
                        serde_json::to_string_pretty(&catalogue).expect("a catalogue serialises");
                    write_file(path, (json + "\n").as_bytes())
                }
                None => {
                    let json =
                        serde_json::to_string_pretty(&catalogue).expect("a catalogue serialises");
                    println!("{json}");
                    Ok(())
                }
            }
        }
        CatalogueCommand::Template { file } => {
            if !is_xlsx(file) {
                return Err(Failure::usage(format!(
                    "{}: the template is an XLSX workbook; give a file name ending in .xlsx",
                    file.display()
                )));
            }
            let bytes = motcua_render::catalogue_xlsx::template()
                .map_err(|e| Failure::run(e.to_string()))?;
            write_file(file, &bytes)?;
            println!(
                "Đã tạo mẫu danh mục {}: điền theo sheet “{}”, rồi nhập bằng motcua catalogue import.",
                file.display(),
                motcua_render::catalogue_xlsx::HELP
            );
            Ok(())
        }
    }
}

/// A catalogue file to import, by its extension: an XLSX workbook or JSON.
enum CatalogueFile {
    Json(String),
    Xlsx(Vec<u8>),
}

impl CatalogueFile {
    /// Read before the database is opened, so an unreadable file changes nothing.
    fn read(path: &std::path::Path) -> Result<CatalogueFile, Failure> {
        let cannot =
            |e: std::io::Error| Failure::usage(format!("cannot read {}: {e}", path.display()));
        Ok(if is_xlsx(path) {
            CatalogueFile::Xlsx(std::fs::read(path).map_err(cannot)?)
        } else {
            CatalogueFile::Json(std::fs::read_to_string(path).map_err(cannot)?)
        })
    }

    async fn import(
        &self,
        db: &Db,
        today: &str,
    ) -> Result<motcua_web::catalogue::Imported, motcua_web::catalogue::ImportError> {
        const ACTOR: &str = "motcua catalogue import";
        match self {
            CatalogueFile::Json(text) => {
                motcua_web::catalogue::import(db, text, ACTOR, today, None).await
            }
            CatalogueFile::Xlsx(bytes) => {
                motcua_web::catalogue::import_xlsx(db, bytes, ACTOR, today, None).await
            }
        }
    }
}

fn is_xlsx(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

fn catalogue_xlsx(catalogue: &motcua_domain::catalogue::Catalogue) -> Result<Vec<u8>, Failure> {
    motcua_render::catalogue_xlsx::write(catalogue).map_err(|e| Failure::run(e.to_string()))
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::run(format!("cannot write {}: {e}", path.display())))
}
