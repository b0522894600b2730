//! The HTTP face of motcua: the public portal, the staff application and the JSON API, from one
//! router. Pages are server-rendered (askama) and work without JavaScript; the API lives under
//! `/api/v1` and its OpenAPI document is generated from the same route table, so the two cannot
//! drift.

pub mod agency_tree;
mod api;
mod assets;
mod auth;
pub mod catalogue;
mod dashboard;
mod dossiers;
mod download;
mod due;
mod evaluations;
mod forms;
pub mod jobs;
mod layers;
mod metrics;
pub mod notifier;
pub(crate) mod pages;
mod problem;
mod reports;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use std::collections::BTreeMap;

use motcua_calendar::{OfficeHours, WorkingTime, YearData};
use motcua_store::Db;

pub use api::openapi_document;
pub use auth::password::{hash_blocking as hash_password, initial_password};
pub use metrics::{OPENED, OPENING_COMMITS};
pub use problem::{FieldError, Problem};

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Shown in the header of every page.
    pub site_name: String,
    /// A request taking longer is answered 503 and abandoned.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Mark cookies Secure (serve behind HTTPS).
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: Duration,
    /// The file store's folder (form templates, dossiers' scans and uploads).
    pub files_dir: std::path::PathBuf,
    /// Largest file a dossier's document may be (a scan of many pages).
    pub upload_limit: usize,
    /// How new dossiers' codes are written.
    pub code_format: motcua_domain::dossier::CodeFormat,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "Hệ thống một cửa điện tử".to_string(),
            request_timeout: Duration::from_secs(30),
            body_limit: 2 * 1024 * 1024,
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            files_dir: std::path::PathBuf::from("motcua-data/files"),
            upload_limit: 10 * 1024 * 1024,
            code_format: motcua_domain::dossier::CodeFormat::default(),
        }
    }
}

/// What every handler can reach. One shared allocation: the layers and extractors clone it
/// several times a request, and a clone is one reference count, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

pub struct Parts {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub time: TimeHandle,
    pub catalogue: catalogue::CatalogueHandle,
    pub pinned: catalogue::PinnedVersions,
    pub agency_tree: agency_tree::AgencyTree,
    pub files: motcua_store::FileStore,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig, time: TimeHandle) -> Self {
        AppState(Arc::new(Parts {
            db,
            files: motcua_store::FileStore::new(config.files_dir.clone()),
            config: Arc::new(config),
            time,
            catalogue: catalogue::CatalogueHandle::default(),
            pinned: catalogue::PinnedVersions::default(),
            agency_tree: agency_tree::AgencyTree::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What the working-time calendar is built from, besides the years saved in the database: the
/// years shipped and read from files, and the office hours.
#[derive(Debug, Clone)]
pub struct TimeSetup {
    pub local_years: Vec<YearData>,
    pub hours: OfficeHours,
    pub agency_hours: BTreeMap<String, OfficeHours>,
}

/// The working-time calendar in force. Handlers take a snapshot per request; a change of the
/// saved years (here or in another process) rebuilds it whole, so no request sees half an edit.
#[derive(Clone)]
pub struct TimeHandle {
    setup: Arc<TimeSetup>,
    current: Arc<RwLock<Built>>,
}

/// A calendar and the saved versions it was built from.
struct Built {
    versions: Vec<(i64, i64)>,
    time: Arc<WorkingTime>,
}

impl TimeHandle {
    /// The calendar from `setup` and the saved years (with their (year, version) pairs).
    pub fn new(setup: TimeSetup, saved: Vec<((i64, i64), YearData)>) -> TimeHandle {
        let versions = saved.iter().map(|(v, _)| *v).collect();
        let time = build(&setup, saved.into_iter().map(|(_, y)| y).collect());
        TimeHandle {
            setup: Arc::new(setup),
            current: Arc::new(RwLock::new(Built {
                versions,
                time: Arc::new(time),
            })),
        }
    }

    pub fn current(&self) -> Arc<WorkingTime> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .time
            .clone()
    }

    /// Rebuilds from the database's saved years if they changed; says whether it did.
    pub async fn reload(&self, db: &Db) -> Result<bool, String> {
        let saved = saved_years(db).await?;
        let versions: Vec<(i64, i64)> = saved.iter().map(|(v, _)| *v).collect();
        if self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .versions
            == versions
        {
            return Ok(false);
        }
        let time = build(&self.setup, saved.into_iter().map(|(_, y)| y).collect());
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Built {
            versions,
            time: Arc::new(time),
        };
        Ok(true)
    }
}

fn build(setup: &TimeSetup, saved: Vec<YearData>) -> WorkingTime {
    let years = setup.local_years.iter().cloned().chain(saved).collect();
    WorkingTime::new(years, setup.hours, setup.agency_hours.clone())
}

/// The calendar years administrators saved, in force, as ((year, version), data).
pub async fn saved_years(db: &Db) -> Result<Vec<((i64, i64), YearData)>, String> {
    if db.schema_version().await.map_err(|e| e.to_string())? < 2 {
        return Ok(Vec::new());
    }
    let saved = db
        .calendar_years_in_force()
        .await
        .map_err(|e| format!("cannot read the saved calendar years: {e}"))?;
    saved
        .iter()
        .map(|v| {
            serde_json::from_str::<YearData>(&v.data)
                .map(|y| ((v.year, v.version), y))
                .map_err(|e| {
                    format!(
                        "the saved calendar of {} (version {}) cannot be read: {e}",
                        v.year, v.version
                    )
                })
        })
        .collect()
}

/// The whole application: pages, API, health, metrics and static files, with its layers.
pub fn app(state: AppState) -> Router {
    metrics::handle(); // install the recorder before the first request is counted
    let (api_router, _) = api::router().split_for_parts();
    let config = state.config.clone();
    let router = Router::new()
        .merge(pages::router())
        .merge(api_router)
        .merge(assets::router())
        .merge(metrics::router())
        .fallback(pages::fallback)
        .with_state(state);
    layers::apply(router, &config)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let upkeep = tokio::spawn(metrics::upkeep());
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    upkeep.abort();
    served
}
