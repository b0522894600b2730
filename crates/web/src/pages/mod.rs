//! Server-rendered pages. Each page is an askama template that extends `base.html`; pages work
//! without JavaScript, and htmx only shortens round trips where it is loaded.

mod account;
mod admin_audit;
mod admin_calendar;
mod admin_catalogue;
mod admin_catalogue_files;
mod admin_organisation;
mod admin_staff;
mod admin_units;
mod applicant;
mod calendar;
mod dashboard;
mod desk_register;
mod dossiers;
mod home;
mod intake;
mod lookup;
mod multipart;
mod online;
mod organisation;
mod oversight;
mod procedure_form;
mod procedures;
mod reports;
mod tokens;

pub(crate) use tokens::revoke_own as revoke_own_token;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::problem::Problem;

/// The reach of `$action` for `$staff`, or return the denial (a 403 page or a sign-in).
macro_rules! require {
    ($state:expr, $staff:expr, $action:expr) => {
        match $staff.reach(&$state, $action, false).await {
            Ok(reach) => reach,
            Err(denied) => return axum::response::IntoResponse::into_response(denied),
        }
    };
}
pub(crate) use require;

/// An option of a `<select>`.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// What the shared layout needs from every page.
pub(crate) struct Layout {
    pub site_name: String,
    pub title: String,
    pub asset_version: &'static str,
    /// Which navigation entry is the current page.
    pub active: &'static str,
    /// The signed-in person's name, for the header.
    pub user_name: Option<String>,
    /// Whether that person is staff (the staff navigation) or an applicant.
    pub staff: bool,
    /// Which administration links the navigation shows (the pages check again themselves).
    pub can_manage_staff: bool,
    pub can_read_audit: bool,
    pub can_manage_organisation: bool,
    pub can_manage_calendar: bool,
    pub can_manage_catalogue: bool,
    pub can_read_dossiers: bool,
    pub can_receive_dossiers: bool,
    pub can_oversee_dossiers: bool,
    pub can_read_reports: bool,
}

impl Layout {
    pub fn new(state: &AppState, title: &str) -> Layout {
        Layout {
            site_name: state.config.site_name.clone(),
            title: title.to_string(),
            asset_version: crate::assets::version(),
            active: "",
            user_name: None,
            staff: false,
            can_manage_staff: false,
            can_read_audit: false,
            can_manage_organisation: false,
            can_manage_calendar: false,
            can_manage_catalogue: false,
            can_read_dossiers: false,
            can_receive_dossiers: false,
            can_oversee_dossiers: false,
            can_read_reports: false,
        }
    }

    /// The header of a public page shows who is signed in, when someone is.
    pub fn maybe_signed_in(self, staff: Option<&crate::auth::Staff>) -> Layout {
        match staff {
            Some(staff) => self.signed_in(staff),
            None => self,
        }
    }

    pub fn signed_in(mut self, staff: &crate::auth::Staff) -> Layout {
        use motcua_domain::organisation::access::Action;
        let roles = staff.roles();
        let may = |action: Action| roles.iter().any(|r| action.roles().contains(r));
        self.user_name = Some(staff.user.full_name.clone());
        self.staff = true;
        self.can_manage_staff = may(Action::ManageStaff);
        self.can_read_audit = may(Action::ReadAudit);
        self.can_manage_organisation = may(Action::ManageOrganisation);
        self.can_manage_calendar = may(Action::ManageCalendar);
        self.can_manage_catalogue = may(Action::ManageCatalogue);
        self.can_read_dossiers = may(Action::ReadDossiers);
        self.can_receive_dossiers = may(Action::ReceiveDossiers);
        self.can_oversee_dossiers = may(Action::OverseeDossiers);
        self.can_read_reports = may(Action::ReadReports);
        self
    }

    pub fn active(mut self, entry: &'static str) -> Layout {
        self.active = entry;
        self
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/thu-tuc", get(procedures::search))
        .route("/thu-tuc/{code}", get(procedures::show))
        .route("/thu-tuc/{code}/mau/{sha256}", get(procedures::form_file))
        .route("/tra-cuu", get(lookup::show))
        .route("/tra-cuu/danh-gia", post(lookup::evaluate))
        .merge(online::router())
        .route(
            "/can-bo/tiep-nhan",
            // Scans are larger than other forms: the limit is the intake's own (`layers`).
            get(intake::form)
                .post(intake::submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/can-bo/ho-so", get(dossiers::queue))
        .route("/can-bo/theo-doi", get(oversight::show))
        .route("/can-bo/ho-so/{code}", get(dossiers::show))
        .route("/can-bo/ho-so/{code}/thao-tac", post(dossiers::act))
        .route("/can-bo/ho-so/{code}/mau/{form}", get(dossiers::form))
        .route("/can-bo/so-theo-doi", get(desk_register::show))
        .route("/can-bo/bao-cao", get(reports::show))
        .route("/can-bo/bao-cao/tre-han", get(reports::late))
        .route("/can-bo/bao-cao/tong-quan", get(dashboard::staff))
        .route("/cong-khai", get(dashboard::public))
        .route("/can-bo/thu-tuc", get(admin_catalogue::list))
        .route(
            "/can-bo/thu-tuc/moi",
            get(admin_catalogue::new_form).post(admin_catalogue::save_new),
        )
        .route(
            "/can-bo/thu-tuc/han-cong-bo",
            get(admin_catalogue::deadlines),
        )
        .route(
            "/can-bo/thu-tuc/nhap-xuat",
            get(admin_catalogue_files::show).post(admin_catalogue_files::import),
        )
        .route(
            "/can-bo/thu-tuc/linh-vuc",
            get(admin_catalogue_files::sectors).post(admin_catalogue_files::save_sector),
        )
        .route(
            "/can-bo/thu-tuc/danh-muc.json",
            get(admin_catalogue_files::export_json),
        )
        .route(
            "/can-bo/thu-tuc/danh-muc.xlsx",
            get(admin_catalogue_files::export_xlsx),
        )
        .route(
            "/can-bo/thu-tuc/mau-nhap.xlsx",
            get(admin_catalogue_files::template),
        )
        .route("/can-bo/thu-tuc/{code}", get(admin_catalogue::show))
        .route(
            "/can-bo/thu-tuc/{code}/sua",
            get(admin_catalogue::edit_form).post(admin_catalogue::save_existing),
        )
        .route(
            "/can-bo/thu-tuc/{code}/cong-bo",
            post(admin_catalogue::publish),
        )
        .route("/can-bo/thu-tuc/{code}/ngung", post(admin_catalogue::end))
        .route(
            "/can-bo/thu-tuc/{code}/huy",
            post(admin_catalogue::withdraw),
        )
        .route(
            "/can-bo/thu-tuc/{code}/csdl-quoc-gia",
            post(admin_catalogue::national_entry),
        )
        .route(
            "/can-bo/thu-tuc/{code}/mau-don",
            post(admin_catalogue::upload_form),
        )
        .route("/lich-nghi-le", get(calendar::holidays_this_year))
        .route("/lich-nghi-le/{year}", get(calendar::holidays))
        .route(
            "/dang-nhap",
            get(account::sign_in_form).post(account::sign_in),
        )
        .route("/dang-xuat", post(account::sign_out))
        .route("/dang-ky", get(applicant::form).post(applicant::register))
        .route("/ca-nhan", get(applicant::personal))
        .route(
            "/ca-nhan/ho-so/{code}/danh-gia",
            get(applicant::evaluation_form).post(applicant::evaluate),
        )
        .route(
            "/doi-mat-khau",
            get(account::change_password_form).post(account::change_password),
        )
        .route("/can-bo", get(account::staff_home))
        .route(
            "/can-bo/dang-xuat-tat-ca",
            post(account::sign_out_everywhere),
        )
        .route("/can-bo/tinh-ngay-hen-tra", get(calendar::calculator))
        .route("/can-bo/to-chuc", get(organisation::show))
        .route(
            "/can-bo/ma-truy-cap",
            get(tokens::list).post(tokens::create),
        )
        .route("/can-bo/ma-truy-cap/{id}/thu-hoi", post(tokens::revoke))
        .route(
            "/can-bo/quan-tri/can-bo",
            get(admin_staff::list).post(admin_staff::create),
        )
        .route(
            "/can-bo/quan-tri/can-bo/{id}/dat-lai-mat-khau",
            post(admin_staff::reset_password),
        )
        .route(
            "/can-bo/quan-tri/can-bo/{id}/vai-tro",
            post(admin_staff::grant),
        )
        .route("/can-bo/quan-tri/can-bo/{id}/khoa", post(admin_staff::lock))
        .route(
            "/can-bo/quan-tri/can-bo/{id}/mo-khoa",
            post(admin_staff::unlock),
        )
        .route(
            "/can-bo/quan-tri/vai-tro/{id}/thu-hoi",
            post(admin_staff::revoke),
        )
        .route(
            "/can-bo/quan-tri/sap-nhap",
            get(admin_units::form).post(admin_units::submit),
        )
        .route(
            "/can-bo/quan-tri/lich/{year}",
            get(admin_calendar::show).post(admin_calendar::save),
        )
        .route(
            "/can-bo/quan-tri/don-vi-co-quan",
            get(admin_organisation::show),
        )
        .route(
            "/can-bo/quan-tri/don-vi",
            post(admin_organisation::create_unit),
        )
        .route(
            "/can-bo/quan-tri/don-vi/cap-tren",
            post(admin_organisation::move_unit),
        )
        .route(
            "/can-bo/quan-tri/co-quan",
            post(admin_organisation::create_agency),
        )
        .route(
            "/can-bo/quan-tri/co-quan/ma-dinh-danh",
            post(admin_organisation::reissue_identifier),
        )
        .route(
            "/can-bo/quan-tri/co-quan/cap-tren",
            post(admin_organisation::move_agency),
        )
        .route(
            "/can-bo/quan-tri/quay",
            post(admin_organisation::create_desk),
        )
        .route(
            "/can-bo/quan-tri/quay/{id}/dong",
            post(admin_organisation::close_desk),
        )
        .route(
            "/can-bo/quan-tri/quay/{id}/mo",
            post(admin_organisation::open_desk),
        )
        .route("/can-bo/quan-tri/nhat-ky", get(admin_audit::list))
        .route("/can-bo/quan-tri/nhat-ky.csv", get(admin_audit::export))
}

/// Renders a page, or a plain error page if the template fails.
pub(crate) fn render(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(%err, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Lỗi hệ thống</title><p>Lỗi hệ thống. Vui lòng thử lại.</p></html>"),
            )
                .into_response()
        }
    }
}

/// Whether a request asks for a fragment: htmx sent it (`HX-Request`), and it is not htmx
/// restoring a page from history, which wants the whole page.
pub(crate) fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// Marks an answer that depends on `HX-Request` (a fragment or the whole page at one URL), so
/// no cache hands one for the other.
pub(crate) fn vary_on_htmx(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("HX-Request"));
    response
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    layout: Layout,
    path: String,
}

/// Unknown paths: a problem document under `/api/`, a Vietnamese page elsewhere.
pub(crate) async fn fallback(State(state): State<AppState>, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return Problem::not_found(format!("Không có API tại {}.", uri.path())).into_response();
    }
    not_found_page(&state, uri.path())
}

/// The Vietnamese "page not found", for `path`.
pub(crate) fn not_found_page(state: &AppState, path: &str) -> Response {
    render(
        StatusCode::NOT_FOUND,
        NotFound {
            layout: Layout::new(state, "Không tìm thấy trang"),
            path: path.to_string(),
        },
    )
}
