//! The leaders' dashboard (`/can-bo/bao-cao/tong-quan`, within the reader's reach) and the public
//! transparency page (`/cong-khai`, the whole province, no sign-in): the same figures and
//! charts, the same period form as Biểu 06, and the same exports (XLSX with native charts, PDF).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use motcua_domain::organisation::access::{Action, Reach};
use motcua_domain::report::Period;
use motcua_render::charts::percent;
use motcua_render::dashboard::{Charts, Dashboard};

use super::reports::{ReportForm, ReportQuery, form, reason, status};
use super::{Layout, render, require};
use crate::AppState;
use crate::auth::{Denied, Staff};
use crate::dashboard::dashboard;
use crate::problem::Problem;
use crate::reports::{self, Request};

/// The dashboard as shown.
pub(crate) struct Shown {
    title: String,
    received: String,
    resolved: String,
    on_time_rate: String,
    online_rate: String,
    overdue_now: String,
    charts: Charts,
}

fn shown(d: &Dashboard) -> Shown {
    let count = |n: u64| motcua_domain::text::thousands(n as i64);
    let all = d.online + d.counter_post;
    Shown {
        title: format!("{} — {}", d.title.scope, d.title.period),
        received: count(d.total.received),
        resolved: count(d.total.resolved),
        on_time_rate: d.total.ratio().map(percent).unwrap_or_else(|| "—".into()),
        online_rate: if all == 0 {
            "—".into()
        } else {
            percent(d.online as f64 * 100.0 / all as f64)
        },
        overdue_now: count(d.overdue_now.iter().map(|o| o.overdue).sum()),
        charts: d.charts(),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// Where the form sends the reader: this page.
    action: &'static str,
    public: bool,
    form: ReportForm,
    shown: Option<Shown>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    layout: Layout,
    reach: &Reach,
    own_agency: Option<i64>,
    q: &ReportQuery,
    public: bool,
) -> Response {
    let (form, asked) = form(state, reach, q).await;
    let result: Result<(Period, Dashboard), Problem> = match asked {
        Ok((period, period_name)) => {
            let request = Request {
                reach,
                own_agency,
                period,
                period_name,
                within: q.within(),
            };
            dashboard(state, &request).await.map(|d| (period, d))
        }
        Err(p) => Err(p),
    };
    if let (Ok((period, d)), Some(format @ ("xlsx" | "pdf"))) = (&result, q.format()) {
        let name = format!("tong-quan-{}-{}", period.from, period.to);
        return reports::file(
            &name,
            format,
            || motcua_render::dashboard::dashboard_xlsx(d),
            || motcua_render::dashboard::dashboard_pdf(d),
        )
        .unwrap_or_else(IntoResponse::into_response);
    }
    let error = result.as_ref().err().map(reason);
    let page = DashboardPage {
        layout,
        action: if public {
            "/cong-khai"
        } else {
            "/can-bo/bao-cao/tong-quan"
        },
        public,
        form,
        shown: result.as_ref().ok().map(|(_, d)| shown(d)),
        error,
    };
    render(status(&page.error), page)
}

pub(crate) async fn staff(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Response {
    let reach = require!(state, staff, Action::ReadReports);
    let layout = Layout::new(&state, "Tổng quan kết quả giải quyết TTHC")
        .signed_in(&staff)
        .active("reports");
    page(&state, layout, &reach, staff.user.agency_id, &q, false).await
}

pub(crate) async fn public(
    State(state): State<AppState>,
    staff: Result<Staff, Denied>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let layout = Layout::new(&state, "Công khai kết quả giải quyết TTHC")
        .maybe_signed_in(staff.as_ref().ok())
        .active("transparency");
    page(&state, layout, &Reach::All, None, &q, true).await
}
