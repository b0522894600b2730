//! The audit log for auditors and administrators: filter it, read it, export it as CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_calendar::{Date, Instant};
use motcua_domain::organisation::access::Action;
use motcua_store::AuditRow;
use serde::Deserialize;

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::Staff;
use crate::problem::Problem;

/// The actions the log records, with their names on screen.
const ACTIONS: &[(&str, &str)] = &[
    ("sign_in", "Đăng nhập"),
    ("sign_in_failed", "Đăng nhập sai"),
    ("sign_in_locked", "Đăng nhập khi đang bị khóa"),
    ("sign_out", "Đăng xuất"),
    ("sign_out_everywhere", "Đăng xuất mọi thiết bị"),
    ("password_changed", "Đổi mật khẩu"),
    ("password_reset", "Đặt lại mật khẩu"),
    ("user_created", "Tạo tài khoản"),
    ("user_locked", "Khóa tài khoản"),
    ("user_unlocked", "Mở khóa tài khoản"),
    ("role_granted", "Cấp vai trò"),
    ("role_revoked", "Thu hồi vai trò"),
    ("unit_merged", "Sắp xếp đơn vị hành chính"),
    ("demo_loaded", "Nạp dữ liệu mẫu"),
    ("procedure_draft_saved", "Lưu bản nháp thủ tục"),
    ("procedure_published", "Công bố thủ tục"),
    ("procedure_ended", "Đặt ngày hết hiệu lực thủ tục"),
    ("procedure_withdrawn", "Hủy phiên bản thủ tục"),
    ("procedure_national_entry", "Ghi nhận nhập CSDL quốc gia"),
    ("form_file_uploaded", "Tải lên tệp mẫu đơn"),
    ("catalogue_imported", "Nhập danh mục thủ tục"),
    ("sector_saved", "Lưu lĩnh vực"),
];

fn action_name(code: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, n)| n)
}

#[derive(Deserialize, Default)]
pub(crate) struct Filter {
    #[serde(rename = "hanh-dong")]
    action: Option<String>,
    #[serde(rename = "nguoi")]
    login: Option<String>,
    #[serde(rename = "tu")]
    from: Option<String>,
    #[serde(rename = "den")]
    until: Option<String>,
}

pub(crate) struct Line {
    at: String,
    actor: String,
    ip: String,
    action: String,
    object: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    actions: Vec<Choice>,
    login: String,
    from: String,
    until: String,
    error: Option<String>,
    lines: Vec<Line>,
    csv_query: String,
}

fn show_time(micros: i64) -> String {
    let (date, minute, rest) = Instant(micros).to_local();
    format!(
        "{} {}:{:02}",
        date.vn(),
        motcua_calendar::date::format_minute(minute),
        rest / 1_000_000
    )
}

/// A filter read and checked: what the store's query takes.
struct AuditQuery {
    action: Option<String>,
    login: Option<String>,
    from: Option<i64>,
    until: Option<i64>,
}

/// The filter's query as the store takes it, or the message for a bad date.
fn query(f: &Filter) -> Result<AuditQuery, String> {
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let day = |s: &Option<String>, field: &str| -> Result<Option<Date>, String> {
        match nonempty(s) {
            None => Ok(None),
            Some(t) => Date::parse_vn(&t)
                .map(Some)
                .map_err(|_| format!("{field} “{t}” không hợp lệ: nhập theo dạng ngày/tháng/năm.")),
        }
    };
    let from = day(&f.from, "Từ ngày")?.map(|d| Instant::from_local(d, 0).0);
    let until = day(&f.until, "Đến ngày")?.map(|d| Instant::from_local(d.add_days(1), 0).0);
    Ok(AuditQuery {
        action: nonempty(&f.action),
        login: nonempty(&f.login).map(|l| l.to_lowercase()),
        from,
        until,
    })
}

async fn rows(
    state: &AppState,
    f: &Filter,
    limit: i64,
) -> Result<Result<Vec<AuditRow>, String>, Problem> {
    let q = match query(f) {
        Ok(q) => q,
        Err(message) => return Ok(Err(message)),
    };
    state
        .db
        .audit(
            q.action.as_deref(),
            q.login.as_deref(),
            q.from,
            q.until,
            limit,
        )
        .await
        .map(Ok)
        .map_err(Problem::from)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(f): Query<Filter>,
) -> Response {
    require!(state, staff, Action::ReadAudit);
    let found = match rows(&state, &f, 500).await {
        Ok(found) => found,
        Err(p) => return p.into_response(),
    };
    let selected = f.action.clone().unwrap_or_default();
    let (lines, error) = match found {
        Ok(rows) => (rows, None),
        Err(message) => (Vec::new(), Some(message)),
    };
    let csv_query = [
        ("hanh-dong", &f.action),
        ("nguoi", &f.login),
        ("tu", &f.from),
        ("den", &f.until),
    ]
    .iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("{k}={}", crate::auth::encode_component(v)))
    })
    .collect::<Vec<_>>()
    .join("&");
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        AuditPage {
            layout: Layout::new(&state, "Nhật ký hệ thống")
                .signed_in(&staff)
                .active("audit"),
            actions: std::iter::once(Choice {
                value: String::new(),
                label: "Tất cả".into(),
                selected: selected.is_empty(),
            })
            .chain(ACTIONS.iter().map(|(c, n)| Choice {
                value: (*c).into(),
                label: (*n).into(),
                selected: *c == selected,
            }))
            .collect(),
            login: f.login.clone().unwrap_or_default(),
            from: f.from.clone().unwrap_or_default(),
            until: f.until.clone().unwrap_or_default(),
            error,
            lines: lines
                .into_iter()
                .map(|r| Line {
                    at: show_time(r.at),
                    actor: r.actor_login,
                    ip: r.ip,
                    action: action_name(&r.action).to_string(),
                    object: format!("{} {}", r.object_type, r.object_id),
                    detail: r.detail,
                })
                .collect(),
            csv_query,
        },
    )
}

/// One CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub(crate) async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(f): Query<Filter>,
) -> Response {
    require!(state, staff, Action::ReadAudit);
    let rows = match rows(&state, &f, 1_000_000).await {
        Ok(Ok(rows)) => rows,
        Ok(Err(message)) => return Problem::invalid("tu", message).into_response(),
        Err(p) => return p.into_response(),
    };
    // A byte-order mark so that Excel reads the file as UTF-8.
    let mut out = String::from(
        "\u{feff}Thời điểm (giờ Việt Nam),Người thực hiện,Địa chỉ IP,Hành động,Mã hành động,Đối tượng,Mã đối tượng,Chi tiết\r\n",
    );
    for r in &rows {
        let line = [
            show_time(r.at),
            r.actor_login.clone(),
            r.ip.clone(),
            action_name(&r.action).to_string(),
            r.action.clone(),
            r.object_type.clone(),
            r.object_id.clone(),
            r.detail.clone(),
        ]
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    let name = format!("nhat-ky-{}.csv", crate::due::now().local_date());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(super::csv_field("a"), "a");
        assert_eq!(
            super::csv_field("{\"x\":1,\"y\":2}"),
            "\"{\"\"x\"\":1,\"\"y\"\":2}\""
        );
    }
}
