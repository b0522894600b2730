//! `motcua serve`: configuration, the data folder, the database, the listener, and a graceful
//! stop on SIGTERM or Ctrl-C.
//!
//! Start-up checks everything that can be wrong before creating anything, and removes what it
//! created if a later step fails, so a failed start leaves the machine as it was.

use std::path::{Path, PathBuf};

use motcua_store::migrate::MigrationReport;
use motcua_store::{Backend, Db, DbOptions};
use motcua_web::{AppState, WebConfig};
use tokio::net::TcpListener;

use crate::Failure;
use crate::cli::{GlobalArgs, ServeArgs};
use crate::config::{Config, parse_file};

/// Defaults, then the configuration file, then environment variables and flags.
pub fn load_config(global: &GlobalArgs) -> Result<Config, Failure> {
    let mut config = Config::default();
    let (path, required) = match &global.config {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from("motcua.toml"), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let file = parse_file(&path, &text).map_err(Failure::usage)?;
            config
                .apply_file(file)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => {}
        Err(err) => {
            return Err(Failure::usage(format!(
                "cannot read the configuration file {}: {err}; check --config or MOTCUA_CONFIG",
                path.display()
            )));
        }
    }
    if let Some(dir) = &global.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &global.database_url {
        config.database_url = Some(url.clone());
    }
    Ok(config)
}

pub fn init_logging(config: &Config) {
    let filter = std::env::var("MOTCUA_LOG").unwrap_or_else(|_| config.log.clone());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn db_options(config: &Config) -> DbOptions {
    DbOptions {
        max_connections: config.max_connections,
        acquire_timeout: config.acquire_timeout,
        ..DbOptions::default()
    }
}

/// What start-up created, to remove again if a later step fails.
struct Created {
    dir: Option<PathBuf>,
    sqlite_file: Option<PathBuf>,
}

impl Created {
    fn undo(&self) {
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Creates the data folder if needed and proves it writable; returns whether it was created.
fn prepare_data_dir(dir: &Path) -> Result<Option<PathBuf>, Failure> {
    let existed = dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::run(format!(
            "cannot create the data folder {}: {e}; choose another with --data-dir or MOTCUA_DATA_DIR",
            dir.display()
        ))
    })?;
    let probe = dir.join(".motcua-write-test");
    let writable = std::fs::write(&probe, b"ok").and_then(|()| std::fs::remove_file(&probe));
    if let Err(e) = writable {
        if !existed {
            let _ = std::fs::remove_dir_all(dir);
        }
        return Err(Failure::run(format!(
            "the data folder {} is not writable: {e}; choose another with --data-dir or MOTCUA_DATA_DIR",
            dir.display()
        )));
    }
    Ok((!existed).then(|| dir.to_path_buf()))
}

/// Opens the configured database and brings its schema up to date, undoing what it created if
/// that fails.
pub async fn open_database(config: &Config) -> Result<(Db, MigrationReport), Failure> {
    let url = config.database_url();
    let sqlite_file = url
        .strip_prefix("sqlite://")
        .map(PathBuf::from)
        .filter(|p| !p.exists());
    let dir = if config.database_url.is_none() {
        prepare_data_dir(&config.data_dir)?
    } else {
        None
    };
    let created = Created { dir, sqlite_file };
    let db = match Db::connect(&url, &db_options(config)).await {
        Ok(db) => db,
        Err(err) => {
            created.undo();
            let hint = match err {
                motcua_store::ConnectError::Malformed { .. } => "",
                _ => {
                    "; check that the database server runs, or set --database-url / MOTCUA_DATABASE_URL"
                }
            };
            let code = if hint.is_empty() { 2 } else { 1 };
            return Err(Failure {
                message: format!("{err}{hint}"),
                code,
            });
        }
    };
    match db.migrate().await {
        Ok(report) => Ok((db, report)),
        Err(err) => {
            db.close().await;
            created.undo();
            Err(Failure::run(format!(
                "cannot bring the database at {} up to date: {err}",
                db.url()
            )))
        }
    }
}

pub async fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<(), Failure> {
    let mut config = load_config(global)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    // A malformed URL is a usage error: say so before binding or creating anything.
    if let Some(url) = &config.database_url {
        Db::check_url(url).map_err(|e| Failure::usage(e.to_string()))?;
    }
    // A malformed calendar file stops the start before anything is bound or created.
    let local_years = crate::working_time::local_years(&config)?;
    let listener = TcpListener::bind(config.listen).await.map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AddrInUse {
            "the address is already in use (is another motcua running?)".to_string()
        } else {
            e.to_string()
        };
        Failure::run(format!(
            "cannot listen on {}: {why}; choose another with --listen or MOTCUA_LISTEN",
            config.listen
        ))
    })?;
    init_logging(&config);
    let (db, _) = open_database(&config).await?;
    let saved_years = match crate::working_time::db_years(&db).await {
        Ok(years) => years,
        Err(failure) => {
            db.close().await;
            return Err(failure);
        }
    };
    let time = crate::working_time::build(&config, local_years, saved_years);
    // When the data folder also holds files, the file store opens here.
    if db.backend() == Backend::Sqlite {
        tracing::info!(database = %db.url(), "SQLite database ready");
    }
    let address = listener
        .local_addr()
        .map_err(|e| Failure::run(e.to_string()))?;
    let state = AppState::new(
        db.clone(),
        WebConfig {
            site_name: config.site_name.clone(),
            request_timeout: config.request_timeout,
            body_limit: config.body_limit,
        },
        time,
    );
    // The address goes to stdout so scripts and tests can find a server started on port 0.
    println!("motcua serves http://{address} ({})", db.url());
    tracing::info!(%address, backend = db.backend().name(), "serving");
    motcua_web::serve(listener, motcua_web::app(state), shutdown_signal())
        .await
        .map_err(|e| Failure::run(format!("the server stopped: {e}")))?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing requests in flight");
}
