//! RFC 9457 problem documents: the one shape every API error takes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An API error (`application/problem+json`). `type` is a stable identifier to match on;
/// `title` and `detail` are for people, in Vietnamese; `errors` names each bad field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "urn:motcua:problem:not-found")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid input: where it is and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name or JSON path, e.g. `received` or `components[2].copies`.
    pub field: String,
    pub reason: String,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str) -> Problem {
        Problem {
            kind: format!("urn:motcua:problem:{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>, reason: impl Into<String>) -> Problem {
        self.errors.push(FieldError {
            field: field.into(),
            reason: reason.into(),
        });
        self
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Không tìm thấy").detail(detail)
    }

    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Dữ liệu không hợp lệ",
        )
        .field(field, reason)
    }

    pub fn unavailable() -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Hệ thống tạm thời không phục vụ được",
        )
        .detail("Cơ sở dữ liệu không phản hồi. Vui lòng thử lại sau ít phút.")
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<StoreError> for Problem {
    fn from(err: StoreError) -> Problem {
        match err {
            StoreError::NotFound => Problem::not_found("Không có bản ghi được yêu cầu."),
            StoreError::Conflict(_) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Dữ liệu đã thay đổi")
                    .detail("Bản ghi vừa được người khác thay đổi. Hãy tải lại và thử lần nữa.")
            }
            StoreError::Constraint { constraint, .. } => Problem::new(
                StatusCode::CONFLICT,
                "constraint",
                "Dữ liệu trùng hoặc không khớp",
            )
            .detail(format!("Ràng buộc dữ liệu bị vi phạm: {constraint}.")),
            StoreError::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                Problem::unavailable()
            }
            StoreError::Internal(reason) => {
                // The details stay in the log; the client learns only that it failed.
                tracing::error!(%reason, "database error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Lỗi hệ thống",
                )
                .detail("Đã ghi nhận lỗi. Vui lòng thử lại hoặc báo quản trị viên.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_store::ConstraintKind;

    #[test]
    fn store_errors_become_precise_problems_without_internals() {
        let p = Problem::from(StoreError::Constraint {
            constraint: "calendar_year_versions_pkey".into(),
            kind: ConstraintKind::Unique,
        });
        assert_eq!(
            (p.status, p.kind.as_str()),
            (409, "urn:motcua:problem:constraint")
        );
        assert!(p.detail.unwrap().contains("calendar_year_versions_pkey"));

        let p = Problem::from(StoreError::Internal("syntax error at or near SELEC".into()));
        assert_eq!(p.status, 500);
        assert!(!serde_json::to_string(&p).unwrap().contains("SELEC"));

        assert_eq!(Problem::from(StoreError::NotFound).status, 404);
        assert_eq!(Problem::from(StoreError::Conflict("x".into())).status, 409);
        assert_eq!(
            Problem::from(StoreError::Unavailable("down".into())).status,
            503
        );
    }
}
