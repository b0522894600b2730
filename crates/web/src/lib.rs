//! The HTTP face of motcua: the public portal, the staff application and the JSON API, from one
//! router. Pages are server-rendered (askama) and work without JavaScript; the API lives under
//! `/api/v1` and its OpenAPI document is generated from the same route table, so the two cannot
//! drift.

mod api;
mod assets;
mod auth;
mod due;
mod layers;
mod metrics;
pub(crate) mod pages;
mod problem;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use motcua_calendar::WorkingTime;
use motcua_store::Db;

pub use api::openapi_document;
pub use auth::password::{hash_blocking as hash_password, initial_password};
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
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub time: TimeHandle,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig, time: WorkingTime) -> Self {
        AppState {
            db,
            config: Arc::new(config),
            time: TimeHandle(Arc::new(RwLock::new(Arc::new(time)))),
        }
    }
}

/// The working-time calendar in force. Handlers take a snapshot per request; an administrator's
/// edit replaces it whole, so no request ever sees half of an edit.
#[derive(Clone)]
pub struct TimeHandle(Arc<RwLock<Arc<WorkingTime>>>);

impl TimeHandle {
    pub fn current(&self) -> Arc<WorkingTime> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn replace(&self, time: WorkingTime) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(time);
    }
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
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
