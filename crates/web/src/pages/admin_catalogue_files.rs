//! The catalogue as files, for procedure controllers: the catalogue in force as JSON or as a
//! workbook, an empty workbook to fill in, and an import of either, checked whole and written
//! in one transaction or not at all. Also the list of sectors, kept here or by import.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::catalogue::ImportProblem;
use motcua_domain::organisation::access::Action;
use motcua_render::catalogue_xlsx;
use motcua_store::StoreError;

use super::{Layout, render, require};
use crate::AppState;
use crate::auth::Staff;
use crate::catalogue::{ImportError, Imported};
use crate::due::now;
use crate::problem::Problem;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Template)]
#[template(path = "admin_catalogue_files.html")]
struct FilesPage {
    layout: Layout,
    imported: Option<Imported>,
    file_name: String,
    problems: Vec<ImportProblem>,
    error: Option<String>,
}

fn page(state: &AppState, staff: &Staff) -> FilesPage {
    FilesPage {
        layout: Layout::new(state, "Nhập, xuất danh mục thủ tục")
            .signed_in(staff)
            .active("catalogue"),
        imported: None,
        file_name: String::new(),
        problems: Vec::new(),
        error: None,
    }
}

pub(crate) async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    render(StatusCode::OK, page(&state, &staff))
}

/// The catalogue in force today as JSON (`motcua-catalogue/1`).
pub(crate) async fn export_json(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let today = now().local_date();
    match crate::catalogue::export(&state.db, &today.to_string()).await {
        Ok(c) => crate::download::attachment(
            &format!("danh-muc-thu-tuc-{today}.json"),
            "application/json",
            serde_json::to_vec_pretty(&c).expect("a catalogue serialises"),
        ),
        Err(e) => Problem::from(e).into_response(),
    }
}

/// The catalogue in force today as a workbook.
pub(crate) async fn export_xlsx(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let today = now().local_date();
    let catalogue = match crate::catalogue::export(&state.db, &today.to_string()).await {
        Ok(c) => c,
        Err(e) => return Problem::from(e).into_response(),
    };
    workbook(
        &format!("danh-muc-thu-tuc-{today}.xlsx"),
        catalogue_xlsx::write(&catalogue),
    )
}

/// An empty workbook with its instructions, to fill in.
pub(crate) async fn template(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    workbook("mau-nhap-thu-tuc.xlsx", catalogue_xlsx::template())
}

fn workbook<E: std::fmt::Display>(name: &str, bytes: Result<Vec<u8>, E>) -> Response {
    match bytes {
        Ok(bytes) => crate::download::attachment(name, XLSX, bytes),
        Err(e) => Problem::from(motcua_store::StoreError::Internal(format!(
            "the workbook could not be written: {e}"
        )))
        .into_response(),
    }
}

/// Imports an uploaded `.json` or `.xlsx` catalogue.
pub(crate) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    request: Request,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let mut answer = page(&state, &staff);
    let refuse = |mut answer: FilesPage, error: String| {
        answer.error = Some(error);
        render(StatusCode::UNPROCESSABLE_ENTITY, answer)
    };
    let Some((name, bytes)) = uploaded(&state, request).await else {
        return refuse(answer, "Chọn một tệp .json hoặc .xlsx để nhập.".into());
    };
    answer.file_name = name.clone();
    let today = now().local_date().to_string();
    let lower = name.to_lowercase();
    let audit = || Some(staff.audit_entry("catalogue_imported", "catalogue", &name, &name));
    let result = if lower.ends_with(".xlsx") {
        crate::catalogue::import_xlsx(&state.db, &bytes, &staff.user.login, &today, audit()).await
    } else if lower.ends_with(".json") {
        match std::str::from_utf8(&bytes) {
            Ok(text) => {
                crate::catalogue::import(&state.db, text, &staff.user.login, &today, audit()).await
            }
            Err(_) => Err(ImportError::Json("không phải văn bản UTF-8".into())),
        }
    } else {
        return refuse(answer, format!("Tệp “{name}” không phải .json hay .xlsx."));
    };
    match result {
        Ok(imported) => {
            state.catalogue.forget();
            answer.imported = Some(imported);
            render(StatusCode::OK, answer)
        }
        Err(ImportError::Problems(problems)) => {
            answer.problems = problems;
            refuse(
                answer,
                "Tệp có lỗi; chưa nhập thủ tục nào. Sửa các chỗ dưới đây rồi nhập lại.".into(),
            )
        }
        Err(ImportError::Json(e)) => {
            refuse(answer, format!("Tệp không phải danh mục thủ tục: {e}"))
        }
        Err(ImportError::Store(e)) => Problem::from(e).into_response(),
    }
}

/// The uploaded file (field `file`): its name and bytes.
async fn uploaded(state: &AppState, request: Request) -> Option<(String, Vec<u8>)> {
    let mut multipart = Multipart::from_request(request, state).await.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.ok()?;
            return (!name.is_empty() && !bytes.is_empty()).then(|| (name, bytes.to_vec()));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Sectors

pub(crate) struct SectorLine {
    code: String,
    name: String,
    procedures: usize,
}

#[derive(Template)]
#[template(path = "admin_sectors.html")]
struct SectorsPage {
    layout: Layout,
    sectors: Vec<SectorLine>,
    code: String,
    name: String,
    errors: BTreeMap<&'static str, String>,
    saved: Option<String>,
}

async fn sectors_page(state: &AppState, staff: &Staff) -> Result<SectorsPage, StoreError> {
    let loaded = state
        .catalogue
        .current(&state.db, &now().local_date().to_string())
        .await?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in loaded.procedures.values() {
        *counts.entry(p.procedure.sector.as_str()).or_default() += 1;
    }
    let sectors = state
        .db
        .sectors()
        .await?
        .into_iter()
        .map(|(code, name)| SectorLine {
            procedures: counts.get(code.as_str()).copied().unwrap_or(0),
            code,
            name,
        })
        .collect();
    Ok(SectorsPage {
        layout: Layout::new(state, "Lĩnh vực thủ tục")
            .signed_in(staff)
            .active("catalogue"),
        sectors,
        code: String::new(),
        name: String::new(),
        errors: BTreeMap::new(),
        saved: None,
    })
}

pub(crate) async fn sectors(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    match sectors_page(&state, &staff).await {
        Ok(page) => render(StatusCode::OK, page),
        Err(e) => Problem::from(e).into_response(),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct SectorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// Adds a sector, or renames one (its code stays: procedures name it by code).
pub(crate) async fn save_sector(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SectorForm>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let code = form.code.trim().to_uppercase();
    let name = form.name.trim().to_string();
    let mut errors = BTreeMap::new();
    if code.is_empty() || code.len() > 20 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        errors.insert(
            "code",
            "Mã lĩnh vực gồm chữ cái không dấu và chữ số, tối đa 20 ký tự (ví dụ: DD, HT).".into(),
        );
    }
    if name.is_empty() {
        errors.insert("name", "Cần nhập tên lĩnh vực.".into());
    }
    let result: Result<Response, StoreError> = async {
        if !errors.is_empty() {
            let mut page = sectors_page(&state, &staff).await?;
            (page.code, page.name, page.errors) = (form.code, form.name, errors);
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
        let detail = serde_json::json!({ "name": name }).to_string();
        let mut tx = state.db.begin().await?;
        tx.upsert_sector(&code, &name).await?;
        tx.audit(&staff.audit_entry("sector_saved", "sector", &code, &detail))
            .await?;
        tx.commit().await?;
        state.catalogue.forget();
        let mut page = sectors_page(&state, &staff).await?;
        page.saved = Some(format!("Đã lưu lĩnh vực {code} – {name}."));
        Ok(render(StatusCode::OK, page))
    }
    .await;
    result.unwrap_or_else(|e| Problem::from(e).into_response())
}
