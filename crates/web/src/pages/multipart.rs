//! Multipart forms with files (the desk's intake, the online submission): read whole, their text
//! fields and their files by row (`file-<row>`), so a page checks everything before writing.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Multipart, Request};

use crate::AppState;

/// A multipart form: its text fields (a name may repeat) and its files by row.
pub(crate) struct Posted {
    pub text: Vec<(String, String)>,
    pub files: BTreeMap<usize, Vec<Upload>>,
}

pub(crate) struct Upload {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Posted {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.text
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

pub(crate) async fn read_posted(state: &AppState, request: Request) -> Result<Posted, String> {
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| "Biểu mẫu gửi lên không đọc được.".to_string())?;
    let mut posted = Posted {
        text: Vec::new(),
        files: BTreeMap::new(),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err("Tệp gửi lên quá lớn hoặc bị ngắt giữa chừng.".into()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if let Some(row) = name
            .strip_prefix("file-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let content_type = field.content_type().unwrap_or_default().to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| "Tệp gửi lên quá lớn hoặc bị ngắt giữa chừng.".to_string())?;
            if !bytes.is_empty() {
                posted.files.entry(row).or_default().push(Upload {
                    name: file_name,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            let value = field.text().await.unwrap_or_default();
            posted.text.push((name, value));
        }
    }
    Ok(posted)
}
