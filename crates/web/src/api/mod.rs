//! The JSON API. Every route is registered through [`router`], which also collects its OpenAPI
//! description; `/api/v1/openapi.json` serves the document built from that same table.

mod calendar;
mod dossiers;
mod evaluations;
mod files;
mod forms;
mod reports;
pub(crate) use forms::day;
mod health;
mod me;

pub(crate) use calendar::{YearAnswer, year_answer};
pub(crate) use dossiers::{PublicStatus, public_status};
pub(crate) use files::accepted as accepted_upload;

use std::sync::OnceLock;

use axum::Json;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "API của hệ thống một cửa điện tử motcua. Lỗi được trả về dạng problem+json (RFC 9457).",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem)),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// Declares the `bearer` security scheme: a personal access token (`mc_…`).
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Mã truy cập cá nhân (mc_…), tạo tại /can-bo/ma-truy-cap",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API's routes with their OpenAPI descriptions.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(calendar::due))
        .routes(routes!(calendar::year))
        .routes(routes!(me::me))
        .routes(routes!(me::revoke_token))
        .routes(routes!(dossiers::open, dossiers::list))
        .routes(routes!(dossiers::get))
        .routes(routes!(forms::dossier_form))
        .routes(routes!(forms::register))
        .routes(routes!(reports::bieu06))
        .routes(routes!(reports::late))
        .routes(routes!(dossiers::events))
        .routes(routes!(dossiers::lookup))
        .routes(routes!(evaluations::evaluate))
        .routes(routes!(dossiers::receive))
        .routes(routes!(dossiers::request_completion))
        .routes(routes!(dossiers::provide_completion))
        .routes(routes!(dossiers::refuse))
        .routes(routes!(dossiers::hand_over))
        .routes(routes!(dossiers::send_back))
        .routes(routes!(dossiers::request_supplement))
        .routes(routes!(dossiers::provide_supplement))
        .routes(routes!(dossiers::request_payment))
        .routes(routes!(dossiers::confirm_payment))
        .routes(routes!(dossiers::propose_extension))
        .routes(routes!(dossiers::consult))
        .routes(routes!(dossiers::answer_consult))
        .routes(routes!(dossiers::request_withdrawal))
        .routes(routes!(dossiers::stop))
        .routes(routes!(dossiers::complete))
        .routes(routes!(dossiers::return_result))
        .routes(routes!(files::download))
        // The upload checks the configured upload limit itself; the outer layer caps it too.
        .routes(routes!(files::upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/api/v1/openapi.json", get(openapi_json))
}

/// The OpenAPI document of this build, generated once from [`router`].
pub fn openapi_document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = router().into_openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        doc
    })
}

async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(openapi_document())
}
