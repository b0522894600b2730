//! `motcua serve`: configuration, the data folder, the database, the listener, and a graceful
//! stop on SIGTERM or Ctrl-C.
//!
//! Start-up checks everything that can be wrong before creating anything, and removes what it
//! created if a later step fails, so a failed start leaves the machine as it was.

use std::path::{Path, PathBuf};

use motcua_store::migrate::MigrationReport;
use motcua_store::{Db, DbOptions};
use motcua_web::jobs::{JobConfig, JobHandle};
use motcua_web::notifier::{Notifiers, SmsGateway, SmtpNotifier, ZaloZns};
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
    // So does a malformed SMTP URL or sender, or SMS or Zalo settings.
    let job = job_setup(&config)?;
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
    let time = match prepare(&config, &db, local_years).await {
        Ok(time) => time,
        Err(failure) => {
            db.close().await;
            return Err(failure);
        }
    };
    // Another motcua process (or this one) may save a calendar year: notice it within 30 s.
    tokio::spawn({
        let (time, db) = (time.clone(), db.clone());
        async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                tick.tick().await;
                match time.reload(&db).await {
                    Ok(true) => tracing::info!("calendar reloaded: saved years changed"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(%e, "calendar reload failed"),
                }
            }
        }
    });
    let address = listener
        .local_addr()
        .map_err(|e| Failure::run(e.to_string()))?;
    let state = AppState::new(db.clone(), web_config(&config), time.clone());
    let shutdown = shutdown_signal();
    // The address goes to stdout so scripts and tests can find a server started on port 0.
    println!("motcua serves http://{address} ({})", db.url());
    tracing::info!(%address, backend = db.backend().name(), "serving");
    let job: Option<JobHandle> =
        job.map(|(notifiers, jobs)| motcua_web::jobs::spawn(db.clone(), time, notifiers, jobs));
    let served = motcua_web::serve(listener, motcua_web::app(state), shutdown).await;
    // The job finishes the message in hand before the database closes; one still unsent after
    // the grace period keeps its lease and is sent again once that expires.
    if let Some(job) = job {
        job.stop(std::time::Duration::from_secs(10)).await;
    }
    served.map_err(|e| Failure::run(format!("the server stopped: {e}")))?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The calendar in force (files, then saved years) and, in an empty database, the demo.
async fn prepare(
    config: &Config,
    db: &Db,
    local_years: Vec<motcua_calendar::YearData>,
) -> Result<motcua_web::TimeHandle, Failure> {
    let saved_years = motcua_web::saved_years(db).await.map_err(Failure::run)?;
    let time =
        motcua_web::TimeHandle::new(crate::working_time::setup(config, local_years), saved_years);
    if config.demo
        && !db
            .has_organisation()
            .await
            .map_err(|e| Failure::run(e.to_string()))?
    {
        crate::demo::load_and_announce(db)
            .await
            .map_err(|e| Failure::run(format!("cannot load the demo province: {e}")))?;
    }
    Ok(time)
}

/// The notification job's settings and senders, if it runs in this process.
fn job_setup(config: &Config) -> Result<Option<(Notifiers, JobConfig)>, Failure> {
    let n = &config.notifications;
    if !n.enabled {
        return Ok(None);
    }
    let email = match (&n.smtp_url, &n.from) {
        (Some(url), Some(from)) => Some(SmtpNotifier::new(url, from).map_err(Failure::usage)?),
        _ => None,
    };
    let sms = match &n.sms {
        Some(settings) => Some(SmsGateway::new(settings.clone()).map_err(Failure::usage)?),
        None => None,
    };
    let zalo = match &n.zalo {
        Some(settings) => Some(ZaloZns::new(settings.clone()).map_err(Failure::usage)?),
        None => None,
    };
    let jobs = JobConfig {
        interval: n.interval,
        due_soon_working_days: n.due_soon_working_days,
        site_name: config.site_name.clone(),
        phones_on_zalo: zalo.is_some(),
    };
    Ok(Some((Notifiers::new(email, sms, zalo), jobs)))
}

fn web_config(config: &Config) -> WebConfig {
    WebConfig {
        site_name: config.site_name.clone(),
        request_timeout: config.request_timeout,
        body_limit: config.body_limit,
        secure_cookies: config.secure_cookies,
        session_idle: config.session_idle,
        session_absolute: config.session_absolute,
        files_dir: config.data_dir.join("files"),
        code_format: motcua_domain::dossier::CodeFormat::parse(&config.code_format)
            .expect("checked when the configuration was read"),
        ..WebConfig::default()
    }
}

/// Waits for SIGTERM or Ctrl-C. The listeners are registered here, before the server says it is
/// serving, so a signal sent right after start stops it gracefully instead of killing it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut term, mut int) = signals;
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(term.take()) => {},
                () = wait(int.take()) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stopping: finishing requests in flight");
    }
}
