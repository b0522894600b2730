//! The layers every response passes through: tracing with a request id, per-route metrics,
//! a timeout, a body limit and the security headers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::WebConfig;
use crate::metrics::{DURATION, REQUESTS};

/// No inline scripts or styles anywhere, no framing, forms post only to us.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the layers. They wrap the router once, outside it, not each route:
/// `Router::layer` boxes every route again per layer, and a request then clones each route
/// service below the one it enters (55 boxed clones a request for ten layers). Only noting the
/// matched route happens per route, since the route is known only after routing.
pub(crate) fn apply(router: Router, config: &WebConfig) -> Router {
    let layered = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, Counter))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get(X_REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), id)
        }))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(middleware::map_response(security_headers))
        .layer(middleware::from_fn(record_metrics))
        .layer(middleware::from_fn(crate::auth::csrf::check))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            BodyLimits {
                body: config.body_limit,
                upload: config.upload_limit,
            },
            refuse_oversized,
        ))
        .layer(DefaultBodyLimit::max(config.body_limit))
        // The largest body any route takes (the desk's intake with its scans); each route's own
        // limit is checked from the headers first (`refuse_oversized`) and by its extractors.
        .layer(RequestBodyLimitLayer::new(largest_body(config)))
        .service(router.layer(middleware::map_request(note_route)));
    Router::new().fallback_service(layered)
}

/// The routes that take files, and how much each may take in one request.
#[derive(Clone, Copy)]
struct BodyLimits {
    body: usize,
    upload: usize,
}

impl BodyLimits {
    fn for_path(self, path: &str) -> usize {
        match path {
            // One file; a little over the limit still reaches the handler's problem document.
            "/api/v1/files" => self.upload + 1024 * 1024,
            // A dossier's scans, several files.
            "/can-bo/tiep-nhan" => 4 * self.upload,
            // An applicant's documents, online or as a supplement.
            p if p.starts_with("/thu-tuc/") && p.ends_with("/nop-truc-tuyen") => 4 * self.upload,
            p if p.starts_with("/ca-nhan/ho-so/") && p.ends_with("/bo-sung") => 4 * self.upload,
            _ => self.body,
        }
    }
}

fn largest_body(config: &WebConfig) -> usize {
    config.body_limit.max(4 * config.upload_limit)
}

/// A body announced larger than its route takes is refused from the headers, before it is sent.
async fn refuse_oversized(
    axum::extract::State(limits): axum::extract::State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let limit = limits.for_path(request.uri().path());
    if announced.is_some_and(|n| n > limit) {
        use axum::response::IntoResponse;
        return crate::problem::Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Dữ liệu gửi lên quá lớn",
        )
        .detail(format!(
            "Tối đa {} MB cho mỗi lần gửi.",
            limit.div_ceil(1024 * 1024)
        ))
        .into_response();
    }
    next.run(request).await
}

/// Request ids: a per-process random prefix and a counter, so ids from several motcua
/// processes behind one load balancer do not collide.
#[derive(Clone)]
struct Counter;

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let prefix = PREFIX.get_or_init(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            nanos ^ std::process::id().rotate_left(16)
        });
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{prefix:08x}-{n}"))
            .ok()
            .map(RequestId::new)
    }
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

/// Where the router writes the route a request matched, for `record_metrics` outside it.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<MatchedPath>>);

async fn note_route(request: Request) -> Request {
    if let (Some(slot), Some(route)) = (
        request.extensions().get::<RouteSlot>(),
        request.extensions().get::<MatchedPath>(),
    ) {
        let _ = slot.0.set(route.clone());
    }
    request
}

/// Counts and times each request under its route pattern (`/api/v1/dossiers/{code}`), never the
/// raw path, so the number of series stays bounded. A request answered before it reached a route
/// (a refusal by a layer, the not-found page) counts as "unmatched".
async fn record_metrics(mut request: Request, next: Next) -> Response {
    let slot = RouteSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().as_str().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    let route = slot
        .0
        .get()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(DURATION, "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}
