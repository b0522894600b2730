use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{Layout, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Result<crate::auth::Staff, crate::auth::Denied>,
) -> Response {
    render(
        StatusCode::OK,
        Home {
            layout: Layout::new(&state, "Trang chủ")
                .maybe_signed_in(staff.ok().as_ref())
                .active("home"),
        },
    )
}
