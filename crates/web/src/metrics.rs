//! Prometheus metrics at `/metrics`: request counts and latency by route (recorded in
//! `layers.rs`), the database pools' figures and how many receipts share a commit, read at
//! scrape time.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

pub(crate) const REQUESTS: &str = "http_requests_total";
pub(crate) const DURATION: &str = "http_request_duration_seconds";
/// Commits that opened dossiers, and the dossiers they opened: receipts share commits.
pub const OPENING_COMMITS: &str = "dossier_opening_commits_total";
pub const OPENED: &str = "dossiers_opened_total";

/// The process-wide recorder; installed on first use (several servers in one test process
/// share it).
pub(crate) fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(DURATION.to_string()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            )
            .expect("bucket list is not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program); then ours still
        // renders, it just sees no macro calls.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Folds the request timings recorded since the last fold into their histograms, every five
/// seconds. The recorder keeps each timing until then; without a scrape of `/metrics` to fold
/// them, a busy server would keep every request's timing for as long as it runs.
pub(crate) async fn upkeep() {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        handle().run_upkeep();
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(render))
}

async fn render(State(state): State<AppState>) -> impl IntoResponse {
    for stat in state.db.pool_stats() {
        metrics::gauge!("db_pool_connections", "pool" => stat.pool).set(f64::from(stat.size));
        metrics::gauge!("db_pool_idle_connections", "pool" => stat.pool).set(f64::from(stat.idle));
        metrics::gauge!("db_pool_max_connections", "pool" => stat.pool).set(f64::from(stat.max));
    }
    let (commits, opened) = state.db.opening_commits();
    metrics::counter!(OPENING_COMMITS).absolute(commits);
    metrics::counter!(OPENED).absolute(opened);
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}
