//! The catalogue for procedure controllers: the list with each procedure's state, the edit form
//! with a preview, the history with the differences between versions, publishing from a day,
//! ending, withdrawing, the publication deadlines, and the forms' template files.
//!
//! A procedure has at most one draft, edited in place. Publishing makes it a version from a day
//! not before today: dossiers already received keep the version they were received under.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_calendar::{Date, WorkCalendar};
use motcua_domain::catalogue::{Procedure, STEP_ACTIONS};
use motcua_domain::organisation::ALL_ROLES;
use motcua_domain::organisation::access::Action;
use motcua_domain::procedure_diff::{self, SectionDiff};
use motcua_domain::publication::{self, Standing};
use motcua_store::{NewProcedureVersion, StoreError, VersionSummary};
use serde::Deserialize;

use super::procedure_form::{Errors, ProcedureForm};
use super::procedures::{ProcedureView, view};
use super::{Choice, Layout, not_found_page, render, require};
use crate::AppState;
use crate::auth::{Staff, encode_component};
use crate::catalogue::Province;
use crate::due::now;
use crate::problem::Problem;

fn today() -> Date {
    now().local_date()
}

fn staff_url(code: &str) -> String {
    format!("/can-bo/thu-tuc/{}", encode_component(code))
}

// ---------------------------------------------------------------------------------------------
// Publication deadlines

pub(crate) struct DeadlineLine {
    pub code: String,
    pub href: String,
    pub name: String,
    pub version: i64,
    pub duty: &'static str,
    pub due: String,
    pub standing: String,
    pub tone: &'static str,
    /// The national-database entry can be recorded from the list.
    pub entry: bool,
}

/// Whether a published version still matters today: in force, or yet to begin.
fn current_or_scheduled(v: &VersionSummary, in_force: &BTreeMap<String, i64>, today: Date) -> bool {
    v.status == "published"
        && v.valid_until.is_none()
        && (in_force.get(&v.code) == Some(&v.version)
            || Date::parse(&v.valid_from).is_ok_and(|d| d > today))
}

/// The deadlines not yet met, soonest first: the decision before the law takes effect, and the
/// entry in the national database after the decision.
fn open_deadlines(
    versions: &[VersionSummary],
    in_force: &BTreeMap<String, i64>,
    cal: &WorkCalendar,
    today: Date,
) -> Vec<DeadlineLine> {
    let rules = publication::Rules::default();
    let mut out: Vec<(Date, DeadlineLine)> = Vec::new();
    let date = |d: &Option<String>| d.as_deref().and_then(|d| Date::parse(d).ok());
    for v in versions {
        let live = current_or_scheduled(v, in_force, today);
        let mut push = |duty: &'static str, due: Date, done: Option<Date>, entry: bool| {
            let Ok(standing) = rules.standing(cal, due, done, today) else {
                return;
            };
            if matches!(standing, Standing::Open { .. } | Standing::Missed(_)) {
                out.push((
                    due,
                    DeadlineLine {
                        code: v.code.clone(),
                        href: staff_url(&v.code),
                        name: v.name.clone(),
                        version: v.version,
                        duty,
                        due: due.vn(),
                        standing: standing.vietnamese(),
                        tone: standing.tone(),
                        entry,
                    },
                ));
            }
        };
        if let Some(effective) = date(&v.law_effective)
            && (v.status == "draft" || live)
            && let Ok(due) = rules.decision_due(cal, effective)
        {
            let decided = (v.status == "published")
                .then(|| date(&v.decided_on))
                .flatten();
            push("Ban hành quyết định công bố", due, decided, false);
        }
        if live
            && let Some(decided) = date(&v.decided_on)
            && let Ok(due) = rules.entry_due(cal, decided)
        {
            push(
                "Nhập Cơ sở dữ liệu quốc gia về TTHC",
                due,
                date(&v.national_entered),
                true,
            );
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.code.cmp(&b.1.code)));
    out.into_iter().map(|(_, line)| line).collect()
}

/// Every version summary, and the version of each procedure in force today.
async fn versions_and_in_force(
    state: &AppState,
) -> Result<(Vec<VersionSummary>, BTreeMap<String, i64>), StoreError> {
    let loaded = state
        .catalogue
        .current(&state.db, &today().to_string())
        .await?;
    let in_force = loaded
        .procedures
        .iter()
        .map(|(code, p)| (code.clone(), p.version))
        .collect();
    Ok((state.db.version_summaries().await?, in_force))
}

#[derive(Template)]
#[template(path = "admin_deadlines.html")]
struct DeadlinesPage {
    layout: Layout,
    lines: Vec<DeadlineLine>,
    today: String,
    rules: publication::Rules,
}

pub(crate) async fn deadlines(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let (versions, in_force) = match versions_and_in_force(&state).await {
        Ok(x) => x,
        Err(e) => return Problem::from(e).into_response(),
    };
    let time = state.time.current();
    render(
        StatusCode::OK,
        DeadlinesPage {
            layout: Layout::new(&state, "Hạn công bố thủ tục")
                .signed_in(&staff)
                .active("catalogue"),
            lines: open_deadlines(&versions, &in_force, &time.calendar, today()),
            today: today().vn(),
            rules: publication::Rules::default(),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    q: Option<String>,
    #[serde(rename = "trang-thai")]
    state: Option<String>,
}

pub(crate) struct ListLine {
    code: String,
    href: String,
    name: String,
    sector: String,
    level: &'static str,
    in_force: Option<i64>,
    draft: Option<i64>,
    scheduled: Option<String>,
    ended: bool,
}

#[derive(Template)]
#[template(path = "admin_catalogue.html")]
struct ListPage {
    layout: Layout,
    q: String,
    states: Vec<Choice>,
    lines: Vec<ListLine>,
    total: usize,
    shown: usize,
    warn: usize,
    missed: usize,
}

/// The most lines a list page shows; a search narrows it.
const LIST_LIMIT: usize = 300;

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let (versions, in_force) = match versions_and_in_force(&state).await {
        Ok(x) => x,
        Err(e) => return Problem::from(e).into_response(),
    };
    let sectors: BTreeMap<String, String> = match state.db.sectors().await {
        Ok(s) => s.into_iter().collect(),
        Err(e) => return Problem::from(e).into_response(),
    };
    let day = today();
    let mut by_code: BTreeMap<&str, Vec<&VersionSummary>> = BTreeMap::new();
    for v in &versions {
        by_code.entry(v.code.as_str()).or_default().push(v);
    }
    let wanted = query.state.clone().unwrap_or_default();
    let needle = motcua_domain::text::fold(query.q.as_deref().unwrap_or("").trim());
    let mut lines: Vec<ListLine> = Vec::new();
    for (code, vs) in &by_code {
        let newest = vs.last().expect("a code has a version");
        let draft = vs.iter().find(|v| v.status == "draft").map(|v| v.version);
        let scheduled = vs
            .iter()
            .filter(|v| v.status == "published" && v.valid_until.is_none())
            .filter_map(|v| Date::parse(&v.valid_from).ok().filter(|d| *d > day))
            .min()
            .map(|d| d.vn());
        let current = in_force.get(*code).copied();
        let ended = current.is_none() && vs.iter().any(|v| v.status == "published");
        let keep = match wanted.as_str() {
            "nhap" => draft.is_some(),
            "sap-hieu-luc" => scheduled.is_some(),
            "het-hieu-luc" => ended,
            "hieu-luc" => current.is_some(),
            _ => true,
        };
        let name = current
            .and_then(|n| vs.iter().find(|v| v.version == n))
            .unwrap_or(newest)
            .name
            .clone();
        if !keep
            || (!needle.is_empty()
                && !motcua_domain::text::fold(&format!("{code} {name}")).contains(&needle))
        {
            continue;
        }
        lines.push(ListLine {
            code: code.to_string(),
            href: staff_url(code),
            sector: sectors.get(&newest.sector).cloned().unwrap_or_default(),
            level: match newest.level.as_str() {
                "commune" => "Cấp xã",
                "district" => "Cấp huyện",
                _ => "Cấp tỉnh",
            },
            name,
            in_force: current,
            draft,
            scheduled,
            ended,
        });
    }
    lines.sort_by(|a, b| a.name.cmp(&b.name));
    let total = lines.len();
    lines.truncate(LIST_LIMIT);
    let time = state.time.current();
    let open = open_deadlines(&versions, &in_force, &time.calendar, day);
    let states = [
        ("", "Tất cả"),
        ("hieu-luc", "Đang có hiệu lực"),
        ("nhap", "Có bản nháp"),
        ("sap-hieu-luc", "Sắp có hiệu lực"),
        ("het-hieu-luc", "Đã hết hiệu lực"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.into(),
        label: label.into(),
        selected: value == wanted,
    })
    .collect();
    render(
        StatusCode::OK,
        ListPage {
            layout: Layout::new(&state, "Danh mục thủ tục hành chính")
                .signed_in(&staff)
                .active("catalogue"),
            q: query.q.unwrap_or_default(),
            states,
            shown: lines.len(),
            lines,
            total,
            warn: open.iter().filter(|l| l.tone == "warn").count(),
            missed: open.iter().filter(|l| l.tone == "late").count(),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// A procedure: its versions, differences, actions and form files

pub(crate) struct VersionLine {
    version: i64,
    status: &'static str,
    tone: &'static str,
    from: String,
    until: String,
    note: String,
    by: String,
    at: String,
    national_entered: String,
    is_draft: bool,
    /// A draft, or published but not begun: it can be withdrawn.
    can_withdraw: bool,
    /// The version in force (or scheduled) that can be ended from a day.
    can_end: bool,
    can_record_entry: bool,
}

pub(crate) struct FormLine {
    form: String,
    file: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin_procedure.html")]
struct ShowPage {
    layout: Layout,
    code: String,
    name: String,
    href: String,
    public: bool,
    versions: Vec<VersionLine>,
    draft: Option<i64>,
    diff_title: String,
    diff: Vec<SectionDiff>,
    deadlines: Vec<DeadlineLine>,
    forms: Vec<FormLine>,
    message: Option<String>,
    errors: Vec<String>,
    publish_from: String,
    today: String,
    /// The draft names the same publication decision as the version in force.
    same_decision: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct ShowQuery {
    /// Compare this version with the one before it.
    #[serde(rename = "so-sanh")]
    compare: Option<i64>,
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

fn status_of(
    v: &VersionSummary,
    in_force: Option<i64>,
    today: Date,
) -> (&'static str, &'static str) {
    match v.status.as_str() {
        "draft" => ("Bản nháp", "warn"),
        "withdrawn" => ("Đã hủy", "muted"),
        _ if in_force == Some(v.version) => ("Đang có hiệu lực", "ok"),
        _ if Date::parse(&v.valid_from).is_ok_and(|d| d > today) && v.valid_until.is_none() => {
            ("Sắp có hiệu lực", "warn")
        }
        _ => ("Hết hiệu lực", "muted"),
    }
}

fn parse_record(code: &str, version: i64, data: &str) -> Result<Procedure, Problem> {
    serde_json::from_str(data).map_err(|e| {
        Problem::from(StoreError::Internal(format!(
            "procedure {code} version {version} cannot be read: {e}"
        )))
    })
}

async fn show_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    compare: Option<i64>,
) -> Result<Option<ShowPage>, Problem> {
    let day = today();
    let history = state.db.procedure_history(code).await?;
    if history.is_empty() {
        return Ok(None);
    }
    let records = state.db.procedure_versions(code).await?;
    let in_force = state
        .db
        .procedure_in_force(code, &day.to_string())
        .await?
        .map(|r| r.version);
    let draft = history
        .iter()
        .find(|v| v.status == "draft")
        .map(|v| v.version);
    let versions: Vec<VersionLine> = history
        .iter()
        .map(|v| {
            let (status, tone) = status_of(v, in_force, day);
            let begun = Date::parse(&v.valid_from).is_ok_and(|d| d <= day);
            VersionLine {
                version: v.version,
                status,
                tone,
                from: if v.status == "draft" {
                    String::new()
                } else {
                    Date::parse(&v.valid_from)
                        .map(|d| d.vn())
                        .unwrap_or_default()
                },
                until: v
                    .valid_until
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok())
                    .map(|d| d.vn())
                    .unwrap_or_default(),
                note: v.note.clone(),
                by: v
                    .published_by
                    .clone()
                    .unwrap_or_else(|| v.created_by.clone()),
                at: motcua_calendar::Instant(v.published_at.unwrap_or(v.created_at)).vn(),
                national_entered: v
                    .national_entered
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok())
                    .map(|d| d.vn())
                    .unwrap_or_default(),
                is_draft: v.status == "draft",
                can_withdraw: v.status == "draft" || (v.status == "published" && !begun),
                can_end: v.status == "published"
                    && v.valid_until.is_none()
                    && (in_force == Some(v.version) || !begun),
                can_record_entry: v.status == "published" && v.national_entered.is_none(),
            }
        })
        .collect();
    // What to compare: the version asked for, else the draft, else the newest, each with the
    // version before it that was not withdrawn.
    let target = compare.or(draft).unwrap_or(history[0].version);
    let previous = history
        .iter()
        .filter(|v| v.version < target && v.status != "withdrawn")
        .map(|v| v.version)
        .max();
    let record = |n: i64| records.iter().find(|r| r.version == n);
    let (diff_title, diff) = match (record(target), previous.and_then(record)) {
        (Some(new), Some(old)) => (
            format!("Phiên bản {} so với phiên bản {}", new.version, old.version),
            procedure_diff::diff(
                &parse_record(code, old.version, &old.data)?,
                &parse_record(code, new.version, &new.data)?,
            ),
        ),
        (Some(new), None) => (
            format!("Phiên bản {} là phiên bản đầu tiên", new.version),
            Vec::new(),
        ),
        _ => (String::new(), Vec::new()),
    };
    let newest = &records[0];
    let current = parse_record(code, newest.version, &newest.data)?;
    let files = state.db.form_files(code).await?;
    let mut forms: Vec<FormLine> = Vec::new();
    for c in &current.components {
        if c.form.is_empty() || forms.iter().any(|f| f.form == c.form) {
            continue;
        }
        forms.push(FormLine {
            form: c.form.clone(),
            file: files.iter().find(|f| f.form == c.form).map(|f| {
                (
                    f.file_name.clone(),
                    format!("/thu-tuc/{}/mau/{}", encode_component(code), f.sha256),
                )
            }),
        });
    }
    let in_force_record = in_force.and_then(record);
    let same_decision = match (draft.and_then(record), in_force_record) {
        (Some(d), Some(f)) => {
            let (d, f) = (
                parse_record(code, d.version, &d.data)?,
                parse_record(code, f.version, &f.data)?,
            );
            d.publication.number == f.publication.number && d.publication.date == f.publication.date
        }
        _ => false,
    };
    let time = state.time.current();
    let in_force_map: BTreeMap<String, i64> = in_force
        .map(|n| (code.to_string(), n))
        .into_iter()
        .collect();
    let publish_from = Date::parse(&current.publication.law_effective)
        .ok()
        .filter(|d| *d > day)
        .unwrap_or(day)
        .vn();
    Ok(Some(ShowPage {
        layout: Layout::new(state, &newest.name)
            .signed_in(staff)
            .active("catalogue"),
        code: code.to_string(),
        name: newest.name.clone(),
        href: staff_url(code),
        public: in_force.is_some(),
        versions,
        draft,
        diff_title,
        diff,
        deadlines: open_deadlines(&history, &in_force_map, &time.calendar, day),
        forms,
        message: None,
        errors: Vec::new(),
        publish_from,
        today: day.vn(),
        same_decision,
    }))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    match show_page(&state, &staff, &code, query.compare).await {
        Ok(Some(mut page)) => {
            page.message = query.saved.map(|what| match what.as_str() {
                "nhap" => "Đã lưu bản nháp.".to_string(),
                "cong-bo" => "Đã công bố.".to_string(),
                "ngung" => "Đã đặt ngày hết hiệu lực.".to_string(),
                "huy" => "Đã hủy phiên bản.".to_string(),
                "csdl" => "Đã ghi nhận ngày nhập Cơ sở dữ liệu quốc gia.".to_string(),
                "mau" => "Đã tải lên tệp mẫu.".to_string(),
                _ => "Đã lưu.".to_string(),
            });
            render(StatusCode::OK, page)
        }
        Ok(None) => not_found_page(&state, &staff_url(&code)),
        Err(p) => p.into_response(),
    }
}

/// The procedure's page again with `errors`, answering 422.
async fn refuse(state: &AppState, staff: &Staff, code: &str, errors: Vec<String>) -> Response {
    match show_page(state, staff, code, None).await {
        Ok(Some(mut page)) => {
            page.errors = errors;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Ok(None) => not_found_page(state, &staff_url(code)),
        Err(p) => p.into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct VersionForm {
    #[serde(default)]
    version: String,
    /// A day, dd/mm/yyyy.
    #[serde(default)]
    ngay: String,
    #[serde(default)]
    ly_do: String,
}

/// The day typed, not before today.
fn day_from_today(text: &str, what: &str) -> Result<Date, String> {
    let day = Date::parse_vn(text.trim())
        .map_err(|_| format!("{what}: “{}” không phải ngày (dd/mm/yyyy).", text.trim()))?;
    if day < today() {
        return Err(format!(
            "{what} không thể trước hôm nay ({}): hồ sơ đã nhận giữ phiên bản đã áp dụng khi nhận.",
            today().vn()
        ));
    }
    Ok(day)
}

/// Publishes the draft from a day.
pub(crate) async fn publish(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<VersionForm>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let Ok(version) = form.version.parse::<i64>() else {
        return refuse(
            &state,
            &staff,
            &code,
            vec!["Không rõ phiên bản cần công bố.".into()],
        )
        .await;
    };
    let from = match day_from_today(&form.ngay, "Ngày có hiệu lực") {
        Ok(d) => d,
        Err(e) => return refuse(&state, &staff, &code, vec![e]).await,
    };
    // The draft is checked again: agencies may have changed since it was saved.
    let records = match state.db.procedure_versions(&code).await {
        Ok(r) => r,
        Err(e) => return Problem::from(e).into_response(),
    };
    let Some(row) = records
        .iter()
        .find(|r| r.version == version && r.status == "draft")
    else {
        return refuse(
            &state,
            &staff,
            &code,
            vec!["Phiên bản này không còn là bản nháp.".into()],
        )
        .await;
    };
    let p = match parse_record(&code, version, &row.data) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let province = match Province::on(&state.db, &from.to_string()).await {
        Ok(p) => p,
        Err(e) => return Problem::from(e).into_response(),
    };
    let problems = province.check(&p);
    if !problems.is_empty() {
        let errors = problems
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        return refuse(&state, &staff, &code, errors).await;
    }
    let detail =
        serde_json::json!({ "version": version, "valid_from": from.to_string() }).to_string();
    let result = async {
        let mut tx = state.db.begin().await?;
        tx.publish_draft(&code, version, &from.to_string(), &staff.user.login)
            .await?;
        tx.audit(&staff.audit_entry("procedure_published", "procedure", &code, &detail))
            .await?;
        tx.commit().await
    }
    .await;
    done(&state, &staff, &code, result, "cong-bo").await
}

/// Ends the version in force (or a scheduled one) from a day.
pub(crate) async fn end(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<VersionForm>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let Ok(version) = form.version.parse::<i64>() else {
        return refuse(&state, &staff, &code, vec!["Không rõ phiên bản.".into()]).await;
    };
    let until = match day_from_today(&form.ngay, "Ngày hết hiệu lực") {
        Ok(d) => d,
        Err(e) => return refuse(&state, &staff, &code, vec![e]).await,
    };
    if form.ly_do.trim().is_empty() {
        return refuse(
            &state,
            &staff,
            &code,
            vec!["Cần ghi lý do (ví dụ: số quyết định bãi bỏ).".into()],
        )
        .await;
    }
    let detail = serde_json::json!({
        "version": version, "valid_until": until.to_string(), "reason": form.ly_do.trim()
    })
    .to_string();
    let result = async {
        let mut tx = state.db.begin().await?;
        tx.end_version(&code, version, &until.to_string()).await?;
        tx.audit(&staff.audit_entry("procedure_ended", "procedure", &code, &detail))
            .await?;
        tx.commit().await
    }
    .await;
    done(&state, &staff, &code, result, "ngung").await
}

/// Withdraws a draft, or a version that has not begun.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<VersionForm>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let Ok(version) = form.version.parse::<i64>() else {
        return refuse(&state, &staff, &code, vec!["Không rõ phiên bản.".into()]).await;
    };
    let detail = serde_json::json!({ "version": version }).to_string();
    let result = async {
        let mut tx = state.db.begin().await?;
        tx.withdraw_version(&code, version, &today().to_string())
            .await?;
        tx.audit(&staff.audit_entry("procedure_withdrawn", "procedure", &code, &detail))
            .await?;
        tx.commit().await
    }
    .await;
    done(&state, &staff, &code, result, "huy").await
}

/// Records the day a version was entered in the national procedure database.
pub(crate) async fn national_entry(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<VersionForm>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let Ok(version) = form.version.parse::<i64>() else {
        return refuse(&state, &staff, &code, vec!["Không rõ phiên bản.".into()]).await;
    };
    let on = match Date::parse_vn(form.ngay.trim()) {
        Ok(d) if d <= today() => d,
        Ok(_) => {
            return refuse(
                &state,
                &staff,
                &code,
                vec!["Ngày nhập không thể sau hôm nay.".into()],
            )
            .await;
        }
        Err(_) => {
            return refuse(
                &state,
                &staff,
                &code,
                vec![format!(
                    "“{}” không phải ngày (dd/mm/yyyy).",
                    form.ngay.trim()
                )],
            )
            .await;
        }
    };
    let detail = serde_json::json!({ "version": version, "on": on.to_string() }).to_string();
    let result = async {
        let mut tx = state.db.begin().await?;
        tx.record_national_entry(&code, version, &on.to_string())
            .await?;
        tx.audit(&staff.audit_entry("procedure_national_entry", "procedure", &code, &detail))
            .await?;
        tx.commit().await
    }
    .await;
    done(&state, &staff, &code, result, "csdl").await
}

/// After an action: back to the procedure's page, or its refusal.
async fn done(
    state: &AppState,
    staff: &Staff,
    code: &str,
    result: Result<(), StoreError>,
    what: &str,
) -> Response {
    match result {
        Ok(()) => {
            state.catalogue.forget();
            Redirect::to(&format!("{}?da-luu={what}", staff_url(code))).into_response()
        }
        Err(StoreError::NotFound) => {
            refuse(
                state,
                staff,
                code,
                vec!["Phiên bản này không ở trạng thái cho phép thao tác đó (có thể người khác vừa thay đổi). Xem lại danh sách phiên bản.".into()],
            )
            .await
        }
        Err(e) => Problem::from(e).into_response(),
    }
}

/// Uploads a form's template file (multipart: `form`, `file`).
pub(crate) async fn upload_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    // Read only once the role is known to be allowed.
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return refuse(
            &state,
            &staff,
            &code,
            vec!["Chọn một tệp mẫu để tải lên.".into()],
        )
        .await;
    };
    let (mut form, mut file) = (String::new(), None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("form") => form = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or_default().to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes)),
                        Err(_) => {
                            return refuse(
                                &state,
                                &staff,
                                &code,
                                vec!["Tệp tải lên không đọc được hoặc quá lớn.".into()],
                            )
                            .await;
                        }
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                return refuse(
                    &state,
                    &staff,
                    &code,
                    vec!["Tệp tải lên không đọc được hoặc quá lớn.".into()],
                )
                .await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return refuse(
            &state,
            &staff,
            &code,
            vec!["Chọn một tệp mẫu để tải lên.".into()],
        )
        .await;
    };
    let Some(media_type) = crate::download::form_media_type(&name) else {
        return refuse(
            &state,
            &staff,
            &code,
            vec![format!(
                "Tệp “{name}” không được nhận: chỉ nhận PDF, DOC, DOCX, ODT, XLS, XLSX, RTF."
            )],
        )
        .await;
    };
    let offered = match show_page(&state, &staff, &code, None).await {
        Ok(Some(page)) => page.forms.iter().any(|f| f.form == form),
        Ok(None) => return not_found_page(&state, &staff_url(&code)),
        Err(p) => return p.into_response(),
    };
    if !offered {
        return refuse(
            &state,
            &staff,
            &code,
            vec![format!("Thủ tục không có mẫu “{form}”.")],
        )
        .await;
    }
    // The bytes are written before the rows: a failed write leaves at most an unreferenced file.
    let sha256 = match state.files.put(&bytes) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(%e, "the file store refused a form file");
            return Problem::from(StoreError::Internal(e.to_string())).into_response();
        }
    };
    let detail = serde_json::json!({ "form": form, "file": name, "sha256": sha256 }).to_string();
    let result = async {
        let mut tx = state.db.begin().await?;
        tx.add_file(&sha256, bytes.len() as i64, media_type).await?;
        tx.add_form_file(&code, &form, &sha256, &name, &staff.user.login)
            .await?;
        tx.audit(&staff.audit_entry("form_file_uploaded", "procedure", &code, &detail))
            .await?;
        tx.commit().await
    }
    .await;
    done(&state, &staff, &code, result, "mau").await
}

// ---------------------------------------------------------------------------------------------
// Editing

#[derive(Template)]
#[template(path = "admin_procedure_edit.html")]
struct EditPage {
    layout: Layout,
    new: bool,
    action: String,
    f: ProcedureForm,
    errors: Errors,
    sectors: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    units: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    based_on: String,
    preview: Option<ProcedureView>,
}

impl EditPage {
    /// The message for a field path, or nothing.
    fn e(&self, path: &str) -> &str {
        self.errors.get(path).map_or("", String::as_str)
    }

    /// The message for a field of a row (`methods`, 0, `fee`), or of the row itself (field "").
    fn er(&self, list: &str, i: &usize, field: &str) -> &str {
        let path = if field.is_empty() {
            format!("{list}[{i}]")
        } else {
            format!("{list}[{i}].{field}")
        };
        self.errors.get(&path).map_or("", String::as_str)
    }

    fn checked_action(step: &super::procedure_form::StepRow, code: &str) -> bool {
        step.actions.iter().any(|a| a == code)
    }
}

const UNITS: [(&str, &str); 5] = [
    ("working_days", "ngày làm việc"),
    ("working_hours", "giờ làm việc"),
    ("calendar_days", "ngày"),
    ("months", "tháng"),
    ("same_day", "trong ngày"),
];

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    code: Option<&str>,
    f: ProcedureForm,
    errors: Errors,
    based_on: String,
    preview: Option<ProcedureView>,
) -> Result<EditPage, StoreError> {
    let sectors = state.db.sectors().await?;
    let mut agencies: Vec<(String, String)> =
        crate::catalogue::agencies_on(&state.db, &today().to_string())
            .await?
            .into_iter()
            .filter(|(id, _)| !id.is_empty())
            .collect();
    agencies.insert(
        0,
        ("commune".into(), "Ủy ban nhân dân cấp xã (mọi xã)".into()),
    );
    let mut f = f;
    f.number_steps(&errors);
    let title = match code {
        Some(_) => format!("Sửa thủ tục {}", f.code),
        None => "Thêm thủ tục".to_string(),
    };
    Ok(EditPage {
        layout: Layout::new(state, &title)
            .signed_in(staff)
            .active("catalogue"),
        new: code.is_none(),
        action: match code {
            Some(c) => format!("{}/sua", staff_url(c)),
            None => "/can-bo/thu-tuc/moi".into(),
        },
        f,
        errors,
        sectors,
        agencies,
        roles: ALL_ROLES
            .iter()
            .map(|r| (r.code().into(), r.vietnamese().into()))
            .collect(),
        units: UNITS
            .iter()
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect(),
        actions: STEP_ACTIONS
            .iter()
            .map(|a| (a.code().into(), a.vietnamese().into()))
            .collect(),
        based_on,
        preview,
    })
}

pub(crate) async fn new_form(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    match edit_page(
        &state,
        &staff,
        None,
        ProcedureForm::blank(),
        Errors::new(),
        String::new(),
        None,
    )
    .await
    {
        Ok(page) => render(StatusCode::OK, page),
        Err(e) => Problem::from(e).into_response(),
    }
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    let records = match state.db.procedure_versions(&code).await {
        Ok(r) => r,
        Err(e) => return Problem::from(e).into_response(),
    };
    // Edit the draft if there is one, else start from the newest published version (a scheduled
    // one carries the latest content), else the newest of all.
    let base = records
        .iter()
        .find(|r| r.status == "draft")
        .or_else(|| records.iter().find(|r| r.status == "published"))
        .or(records.first());
    let Some(base) = base else {
        return not_found_page(&state, &staff_url(&code));
    };
    let p = match parse_record(&code, base.version, &base.data) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let based_on = if base.status == "draft" {
        format!("Đang sửa bản nháp (phiên bản {}).", base.version)
    } else {
        format!(
            "Bắt đầu từ phiên bản {}; lưu sẽ tạo bản nháp phiên bản mới, chưa ảnh hưởng đến phiên bản đang áp dụng.",
            base.version
        )
    };
    match edit_page(
        &state,
        &staff,
        Some(&code),
        ProcedureForm::from_procedure(&p),
        Errors::new(),
        based_on,
        None,
    )
    .await
    {
        Ok(page) => render(StatusCode::OK, page),
        Err(e) => Problem::from(e).into_response(),
    }
}

pub(crate) async fn save_new(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    save(&state, &staff, None, &pairs).await
}

pub(crate) async fn save_existing(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    require!(state, staff, Action::ManageCatalogue);
    save(&state, &staff, Some(&code), &pairs).await
}

/// Checks a posted form; previews it, or saves it as the procedure's draft.
async fn save(
    state: &AppState,
    staff: &Staff,
    code: Option<&str>,
    pairs: &[(String, String)],
) -> Response {
    let preview_only = pairs
        .iter()
        .any(|(k, v)| k == "thao_tac" && v == "xem-truoc");
    let mut form = ProcedureForm::from_pairs(pairs);
    if let Some(code) = code {
        // The code of an existing procedure is not changed by its form.
        form.code = code.to_string();
    }
    let (p, mut errors) = form.to_procedure();
    let day = today().to_string();
    let result: Result<Response, StoreError> = async {
        let province = Province::on(&state.db, &day).await?;
        for problem in province.check(&p) {
            errors.entry(problem.path).or_insert(problem.message);
        }
        let sectors: BTreeMap<String, String> = state.db.sectors().await?.into_iter().collect();
        if !sectors.contains_key(&p.sector) {
            errors.insert("sector".into(), "Chọn lĩnh vực.".into());
        }
        let versions = state.db.version_summaries().await?;
        if code.is_none() && versions.iter().any(|v| v.code == p.code) {
            errors.insert("code".into(), format!("Đã có thủ tục mã “{}”.", p.code));
        }
        if let Some(other) = versions
            .iter()
            .find(|v| v.code != p.code && v.status != "withdrawn" && v.name.trim() == p.name)
        {
            errors.insert(
                "name".into(),
                format!("Thủ tục {} đã có tên này.", other.code),
            );
        }
        let sector_name = sectors.get(&p.sector).cloned().unwrap_or_default();
        if preview_only || !errors.is_empty() {
            let preview = errors.is_empty().then(|| {
                view(
                    state,
                    &p,
                    sector_name.clone(),
                    &province.agencies,
                    0,
                    today().vn(),
                    &[],
                )
            });
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let note = if errors.is_empty() {
                "Xem trước: trang công khai sẽ hiển thị như dưới đây sau khi công bố.".to_string()
            } else {
                String::new()
            };
            let page = edit_page(
                state,
                staff,
                code,
                form.with_blank_rows(),
                errors,
                note,
                preview,
            )
            .await?;
            return Ok(render(status, page));
        }
        let encoded = province.encode(&p, &sector_name);
        let has_draft = versions
            .iter()
            .any(|v| v.code == p.code && v.status == "draft");
        let row = NewProcedureVersion {
            code: &p.code,
            name: &p.name,
            sector: &p.sector,
            level: &encoded.level,
            data: &encoded.data,
            search_text: &encoded.search_text,
            status: "draft",
            valid_from: if p.publication.law_effective.is_empty() {
                &day
            } else {
                &p.publication.law_effective
            },
            created_by: &staff.user.login,
            note: form.note.trim(),
            decided_on: &p.publication.date,
            law_effective: &p.publication.law_effective,
        };
        let mut tx = state.db.begin().await?;
        let version = if has_draft {
            tx.update_draft(&row).await?
        } else {
            tx.add_procedure_version(&row).await?
        };
        let detail =
            serde_json::json!({ "version": version, "note": form.note.trim() }).to_string();
        tx.audit(&staff.audit_entry("procedure_draft_saved", "procedure", &p.code, &detail))
            .await?;
        tx.commit().await?;
        Ok(Redirect::to(&format!("{}?da-luu=nhap", staff_url(&p.code))).into_response())
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => Problem::from(e).into_response(),
    }
}
