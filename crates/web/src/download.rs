//! Files handed to the browser to save, never to display: a page, script or image uploaded as a
//! "form" cannot run or render in the site's origin.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `bytes` as a download named `name` (RFC 6266: an ASCII fallback and the UTF-8 name).
pub(crate) fn attachment(name: &str, media_type: &str, bytes: Vec<u8>) -> Response {
    // Letter by letter, so the dot before the extension stays: "Tờ khai.pdf" → "to_khai.pdf".
    let fallback: String = name
        .chars()
        .map(|c| {
            let folded = motcua_domain::text::fold(&c.to_string());
            match folded.chars().next() {
                Some(f) if folded.len() == 1 && f.is_ascii_alphanumeric() => f,
                _ if matches!(c, '.' | '-' | '_') => c,
                _ => '_',
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        crate::auth::encode_component(name)
    );
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The media type of an uploaded form template, by its name; anything else is refused.
pub(crate) fn form_media_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "rtf" => "application/rtf",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_document_types_are_accepted() {
        assert_eq!(form_media_type("To khai.PDF"), Some("application/pdf"));
        assert_eq!(
            form_media_type("mau.docx").map(|t| t.len() > 10),
            Some(true)
        );
        for bad in ["trang.html", "a.svg", "x.js", "khong-duoi"] {
            assert_eq!(form_media_type(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_download_is_an_attachment_with_its_vietnamese_name() {
        let r = attachment("Tờ khai.pdf", "application/pdf", b"%PDF".to_vec());
        let d = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(d.starts_with("attachment; filename=\"to_khai.pdf\""), "{d}");
        assert!(d.contains("UTF-8''T%E1%BB%9D%20khai.pdf"), "{d}");
    }
}
