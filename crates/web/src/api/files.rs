//! `/api/v1/files`: the scans and uploads of a dossier's documents. A file is kept once under
//! its SHA-256 and named by it in the dossier's components; it is checked by its first bytes, not
//! only by what the client says it is, and is only ever handed back as a download.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::organisation::access::Action;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Denied, Person};
use crate::dossiers;
use crate::problem::Problem;

/// The kinds of file a dossier's document may be, each with how its content begins.
const KINDS: [(&str, &[u8], &str); 6] = [
    ("application/pdf", b"%PDF-", "PDF"),
    ("image/jpeg", b"\xFF\xD8\xFF", "JPEG"),
    ("image/png", b"\x89PNG\r\n\x1a\n", "PNG"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        "DOCX",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        "XLSX",
    ),
    ("application/msword", b"\xD0\xCF\x11\xE0", "DOC"),
];

/// The media type of an upload if it is one we keep and its content agrees.
pub(crate) fn accepted(declared: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let declared = declared.split(';').next().unwrap_or_default().trim();
    let names: Vec<&str> = KINDS.iter().map(|k| k.2).collect();
    let Some((kind, magic, name)) = KINDS.iter().find(|k| k.0 == declared) else {
        return Err(format!(
            "Không nhận tệp loại “{declared}”: chỉ nhận {}.",
            names.join(", ")
        ));
    };
    if !bytes.starts_with(magic) {
        return Err(format!(
            "Nội dung tệp không phải {name} như đã khai (Content-Type)."
        ));
    }
    Ok(kind)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Stored {
    /// Name the file by this in a component's `files`.
    sha256: String,
    size: usize,
    media_type: &'static str,
}

/// Keeps a file for a dossier's document: the body is the file, `Content-Type` its kind (PDF,
/// JPEG, PNG, DOCX, XLSX, DOC), at most the upload limit (10 MB by default).
#[utoipa::path(
    post,
    path = "/api/v1/files",
    tag = "dossiers",
    security(("bearer" = [])),
    request_body(content = Vec<u8>, description = "The file", content_type = "application/pdf"),
    responses(
        (status = 201, description = "Kept (or already kept: the same content is one file)", body = Stored),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, of a kind not accepted, or not what it claims to be", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn upload(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(denied) = who {
        return denied.into_response();
    }
    let too_large = match &body {
        Ok(b) => b.len() > state.config.upload_limit,
        Err(e) => e.status() == StatusCode::PAYLOAD_TOO_LARGE,
    };
    let bytes = match body {
        _ if too_large => {
            return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Tệp quá lớn")
                .detail(format!(
                    "Tệp lớn hơn giới hạn {} MB. Hãy quét ở độ phân giải thấp hơn hoặc tách tệp.",
                    state.config.upload_limit / (1024 * 1024)
                ))
                .into_response();
        }
        Ok(b) => b,
        Err(e) => return Problem::invalid("body", e.body_text()).into_response(),
    };
    if bytes.is_empty() {
        return Problem::invalid("body", "Tệp rỗng.").into_response();
    }
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media_type = match accepted(declared, &bytes) {
        Ok(t) => t,
        Err(message) => return Problem::invalid("Content-Type", message).into_response(),
    };
    // The bytes first: a failure after leaves only a file nothing names.
    let sha256 = match state.files.put(&bytes) {
        Ok(s) => s,
        Err(e) => {
            return Problem::from(motcua_store::StoreError::Internal(e.to_string()))
                .into_response();
        }
    };
    let recorded = async {
        let mut tx = state.db.begin().await?;
        tx.add_file(&sha256, bytes.len() as i64, media_type).await?;
        tx.commit().await
    }
    .await;
    match recorded {
        Ok(()) => (
            StatusCode::CREATED,
            Json(Stored {
                sha256,
                size: bytes.len(),
                media_type,
            }),
        )
            .into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}

/// A file of a dossier's documents, as a download, for whoever may read the dossier.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/files/{sha256}",
    tag = "dossiers",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The dossier code"),
        ("sha256" = String, Path, description = "The file, as named in a component"),
    ),
    responses(
        (status = 200, description = "The file, as an attachment"),
        (status = 404, description = "No such file of a dossier within your reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn download(
    State(state): State<AppState>,
    who: Result<Person, Denied>,
    Path((code, sha256)): Path<(String, String)>,
) -> Response {
    let who = match who {
        Ok(p) => p,
        Err(denied) => return denied.into_response(),
    };
    let result = async {
        let loaded = dossiers::load(&state, &code).await?;
        dossiers::may(&state, &who, &loaded.row, Action::ReadDossiers).await?;
        let named = loaded
            .dossier
            .application
            .components
            .iter()
            .any(|c| c.files.contains(&sha256));
        let info = state.db.file_info(&sha256).await?;
        let (Some((media_type, _)), true) = (info, named) else {
            return Err(Problem::not_found("Hồ sơ không có tệp này."));
        };
        let bytes = state
            .files
            .get(&sha256)
            .map_err(|e| Problem::from(motcua_store::StoreError::Internal(e.to_string())))?;
        let extension = KINDS
            .iter()
            .find(|k| k.0 == media_type)
            .map_or("bin".to_string(), |k| k.2.to_lowercase());
        Ok(crate::download::attachment(
            &format!("{code}-{}.{extension}", &sha256[..8]),
            &media_type,
            bytes,
        ))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::accepted;

    #[test]
    fn a_file_is_what_its_first_bytes_say() {
        assert_eq!(
            accepted("application/pdf", b"%PDF-1.7 ..."),
            Ok("application/pdf")
        );
        assert_eq!(
            accepted("image/png; x=1", b"\x89PNG\r\n\x1a\n..."),
            Ok("image/png")
        );
        assert!(accepted("application/pdf", b"<html><script>").is_err());
        assert!(
            accepted("text/html", b"<html>")
                .unwrap_err()
                .contains("chỉ nhận")
        );
        assert!(accepted("", b"%PDF-").is_err());
    }
}
