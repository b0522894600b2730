//! Keeping the organisation current (province administrators): new units and agencies, a unit or
//! agency moved under another, an identifier reissued from a date, one-stop desks opened and
//! closed. Periods never overlap for one code, the trees never loop, and every change is audited.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_calendar::Date;
use motcua_domain::organisation::access::{Action, would_cycle};
use motcua_domain::organisation::{
    ALL_AGENCY_KINDS, ALL_UNIT_KINDS, AgencyIdentifier, AgencyKind, UnitKind, Validity,
};
use motcua_store::{NewAgency, NewUnit, StoreError};

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::Staff;
use crate::due::now;
use crate::problem::Problem;

pub(crate) struct DeskLine {
    id: i64,
    agency: String,
    name: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "admin_organisation.html")]
struct OrganisationAdmin {
    layout: Layout,
    units: Vec<Choice>,
    agencies: Vec<Choice>,
    unit_kinds: Vec<Choice>,
    agency_kinds: Vec<Choice>,
    desks: Vec<DeskLine>,
    notice: Option<String>,
    errors: Vec<String>,
    typed: HashMap<String, String>,
}

impl OrganisationAdmin {
    /// What was typed in a field, to show it again after an error.
    fn v(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }
}

type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

async fn page(state: &AppState, staff: &Staff) -> Result<OrganisationAdmin, StoreError> {
    let today = now().local_date().to_string();
    let mut units: Vec<Choice> = state
        .db
        .units_as_of(&today)
        .await?
        .into_iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{} – {}", u.code, u.name),
            selected: false,
        })
        .collect();
    units.sort_by(|a, b| a.label.cmp(&b.label));
    let agency_rows = state.db.agencies_as_of(&today).await?;
    let mut agencies: Vec<Choice> = agency_rows
        .iter()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!("{} – {}", a.identifier, a.name),
            selected: false,
        })
        .collect();
    agencies.sort_by(|a, b| a.label.cmp(&b.label));
    let names: BTreeMap<i64, String> = agency_rows
        .iter()
        .map(|a| (a.id, format!("{} ({})", a.name, a.identifier)))
        .collect();
    let desks = state
        .db
        .desks()
        .await?
        .into_iter()
        .filter_map(|(d, open)| {
            Some(DeskLine {
                id: d.id,
                agency: names.get(&d.agency_id)?.clone(),
                name: d.name,
                open,
            })
        })
        .collect();
    Ok(OrganisationAdmin {
        layout: Layout::new(state, "Đơn vị, cơ quan, bộ phận một cửa")
            .signed_in(staff)
            .active("organisation"),
        units,
        agencies,
        unit_kinds: ALL_UNIT_KINDS
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.vietnamese().into(),
                selected: false,
            })
            .collect(),
        agency_kinds: ALL_AGENCY_KINDS
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.vietnamese().into(),
                selected: false,
            })
            .collect(),
        desks,
        notice: None,
        errors: Vec::new(),
        typed: HashMap::new(),
    })
}

/// What a form led to: a notice for the page, the errors to show with what was typed, or a
/// database failure.
type Outcome = Result<Result<&'static str, Vec<String>>, StoreError>;

/// Re-shows the page with the errors and what was typed, or goes back to it with a notice.
async fn answer(state: &AppState, staff: &Staff, fields: &Fields, outcome: Outcome) -> Response {
    match outcome {
        Ok(Ok(notice)) => {
            Redirect::to(&format!("/can-bo/quan-tri/don-vi-co-quan?xong={notice}")).into_response()
        }
        Ok(Err(errors)) => match page(state, staff).await {
            Ok(mut p) => {
                p.errors = errors;
                p.typed = fields.iter().cloned().collect();
                render(StatusCode::UNPROCESSABLE_ENTITY, p)
            }
            Err(e) => Problem::from(e).into_response(),
        },
        Err(e) => Problem::from(e).into_response(),
    }
}

fn id(text: &str) -> Option<i64> {
    text.parse().ok()
}

pub(crate) async fn create_unit(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Fields>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let outcome = create_unit_checked(&state, &staff, &fields).await;
    answer(&state, &staff, &fields, outcome).await
}

async fn create_unit_checked(state: &AppState, staff: &Staff, fields: &Fields) -> Outcome {
    let (code, name) = (field(fields, "unit_code"), field(fields, "unit_name"));
    let mut errors = Vec::new();
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push("Mã đơn vị gồm các chữ số.".to_string());
    }
    if name.is_empty() {
        errors.push("Nhập tên đơn vị.".into());
    }
    let kind = UnitKind::from_code(field(fields, "unit_kind"));
    let from = Date::parse_vn(field(fields, "unit_from")).ok();
    if from.is_none() {
        errors.push("Ngày bắt đầu hiệu lực không hợp lệ: nhập theo dạng ngày/tháng/năm.".into());
    }
    let parent = id(field(fields, "unit_parent"));
    let (Some(kind), Some(from)) = (kind, from) else {
        if kind.is_none() {
            errors.push("Chọn loại đơn vị.".into());
        }
        return Ok(Err(errors));
    };
    match parent {
        None if kind.level() > 1 => errors.push("Chọn đơn vị cấp trên.".into()),
        Some(p) => {
            let parent = state.db.unit(p).await?;
            let in_force = Validity {
                from: Date::parse(&parent.valid_from).unwrap_or(from),
                until: parent
                    .valid_until
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok()),
            };
            if !in_force.contains(from) {
                errors.push(format!(
                    "{} không còn hiệu lực vào ngày {}.",
                    parent.name,
                    from.vn()
                ));
            }
            if UnitKind::from_code(&parent.kind).is_none_or(|k| k.level() >= kind.level()) {
                errors.push(format!(
                    "{} không thể trực thuộc {}.",
                    kind.vietnamese(),
                    parent.name
                ));
            }
        }
        None => {}
    }
    let new = Validity { from, until: None };
    for (f, u) in state.db.code_periods(code).await? {
        let period = Validity {
            from: Date::parse(&f).unwrap_or(from),
            until: u.as_deref().and_then(|d| Date::parse(d).ok()),
        };
        if period.overlaps(&new) {
            errors.push(format!(
                "Mã {code} đang được một đơn vị khác dùng trong thời gian này (từ {}).",
                period.from.vn()
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let iso = from.to_string();
    let mut tx = state.db.begin().await?;
    let unit = tx
        .insert_unit(&NewUnit {
            code,
            name,
            kind: kind.code(),
            parent_id: parent,
            valid_from: &iso,
            valid_until: None,
        })
        .await?;
    tx.audit(&staff.audit_entry(
        "unit_created",
        "unit",
        &unit.to_string(),
        &format!("{{\"code\":\"{code}\"}}"),
    ))
    .await?;
    tx.commit().await?;
    Ok(Ok("don-vi"))
}

pub(crate) async fn move_unit(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Fields>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let run = async {
        let (Some(unit), Some(parent)) = (
            id(field(&fields, "move_unit")),
            id(field(&fields, "move_unit_parent")),
        ) else {
            return Ok(Err(vec!["Chọn đơn vị và đơn vị cấp trên mới.".to_string()]));
        };
        let parents: BTreeMap<i64, Option<i64>> =
            state.db.unit_parents().await?.into_iter().collect();
        if would_cycle(unit, parent, &parents) {
            return Ok(Err(vec!["Không thể: đơn vị cấp trên mới lại đang trực thuộc chính đơn vị này (cây đơn vị sẽ thành vòng lặp).".to_string()]));
        }
        let (child, new_parent) = (state.db.unit(unit).await?, state.db.unit(parent).await?);
        let levels = (
            UnitKind::from_code(&child.kind),
            UnitKind::from_code(&new_parent.kind),
        );
        if let (Some(c), Some(p)) = levels
            && p.level() >= c.level()
        {
            return Ok(Err(vec![format!(
                "{} không thể trực thuộc {}.",
                child.name, new_parent.name
            )]));
        }
        let mut tx = state.db.begin().await?;
        tx.set_unit_parent(unit, Some(parent)).await?;
        tx.audit(&staff.audit_entry(
            "unit_parent_changed",
            "unit",
            &unit.to_string(),
            &format!("{{\"parent\":{parent}}}"),
        ))
        .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(Ok("cap-tren"))
    };
    answer(&state, &staff, &fields, run.await).await
}

pub(crate) async fn create_agency(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Fields>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let mut errors = Vec::new();
    let name = field(&fields, "agency_name");
    if name.is_empty() {
        errors.push("Nhập tên cơ quan.".to_string());
    }
    let kind = AgencyKind::from_code(field(&fields, "agency_kind"));
    if kind.is_none() {
        errors.push("Chọn loại cơ quan.".into());
    }
    let identifier = AgencyIdentifier::parse(field(&fields, "agency_identifier"))
        .map_err(|e| errors.push(e.vietnamese()))
        .ok();
    let from = Date::parse_vn(field(&fields, "agency_from"))
        .map_err(|_| {
            errors.push("Ngày bắt đầu hiệu lực không hợp lệ: nhập theo dạng ngày/tháng/năm.".into())
        })
        .ok();
    let unit = id(field(&fields, "agency_unit"));
    if unit.is_none() {
        errors.push("Chọn địa bàn (đơn vị hành chính).".into());
    }
    let (Some(kind), Some(identifier), Some(from), Some(unit), true) =
        (kind, identifier, from, unit, errors.is_empty())
    else {
        return answer(&state, &staff, &fields, Ok(Err(errors))).await;
    };
    let iso = from.to_string();
    let run = async {
        let mut tx = state.db.begin().await?;
        let agency = tx
            .insert_agency(&NewAgency {
                name,
                kind: kind.code(),
                unit_id: unit,
                parent_id: id(field(&fields, "agency_parent")),
                identifier: identifier.as_str(),
                address: field(&fields, "agency_address"),
                phone: field(&fields, "agency_phone"),
                email: field(&fields, "agency_email"),
                valid_from: &iso,
                valid_until: None,
            })
            .await?;
        tx.audit(&staff.audit_entry(
            "agency_created",
            "agency",
            &agency.to_string(),
            &format!("{{\"identifier\":\"{identifier}\"}}"),
        ))
        .await?;
        tx.commit().await
    };
    let outcome = match run.await {
        Ok(()) => {
            state.agency_tree.forget();
            Ok(Ok("co-quan"))
        }
        Err(StoreError::Constraint { constraint, .. })
            if constraint.starts_with("agency_identifiers") =>
        {
            Ok(Err(vec![format!(
                "Mã định danh {identifier} đang được cơ quan khác sử dụng trong thời gian này."
            )]))
        }
        Err(e) => Err(e),
    };
    answer(&state, &staff, &fields, outcome).await
}

pub(crate) async fn reissue_identifier(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Fields>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let mut errors = Vec::new();
    let agency = id(field(&fields, "reissue_agency"));
    let identifier = AgencyIdentifier::parse(field(&fields, "reissue_identifier"))
        .map_err(|e| errors.push(e.vietnamese()))
        .ok();
    let from = Date::parse_vn(field(&fields, "reissue_from"))
        .map_err(|_| {
            errors.push("Ngày áp dụng không hợp lệ: nhập theo dạng ngày/tháng/năm.".into())
        })
        .ok();
    let (Some(agency), Some(identifier), Some(from)) = (agency, identifier, from) else {
        if agency.is_none() {
            errors.push("Chọn cơ quan.".into());
        }
        return answer(&state, &staff, &fields, Ok(Err(errors))).await;
    };
    let iso = from.to_string();
    let run = async {
        let mut tx = state.db.begin().await?;
        tx.reissue_identifier(agency, identifier.as_str(), &iso)
            .await?;
        tx.audit(&staff.audit_entry(
            "agency_identifier_reissued",
            "agency",
            &agency.to_string(),
            &format!("{{\"identifier\":\"{identifier}\",\"from\":\"{iso}\"}}"),
        ))
        .await?;
        tx.commit().await
    };
    let outcome = match run.await {
        Ok(()) => Ok(Ok("ma-dinh-danh")),
        Err(StoreError::Constraint { .. }) => Ok(Err(vec![format!(
            "Mã định danh {identifier} đang được dùng, hoặc cơ quan đã có mã bắt đầu từ ngày {}.",
            from.vn()
        )])),
        Err(e) => Err(e),
    };
    answer(&state, &staff, &fields, outcome).await
}

pub(crate) async fn move_agency(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Fields>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let run = async {
        let (Some(agency), Some(parent)) = (
            id(field(&fields, "move_agency")),
            id(field(&fields, "move_agency_parent")),
        ) else {
            return Ok(Err(vec![
                "Chọn cơ quan và cơ quan cấp trên mới.".to_string(),
            ]));
        };
        let parents: BTreeMap<i64, Option<i64>> =
            state.db.agency_parents().await?.into_iter().collect();
        if would_cycle(agency, parent, &parents) {
            return Ok(Err(vec!["Không thể: cơ quan cấp trên mới lại đang trực thuộc chính cơ quan này (sẽ thành vòng lặp).".to_string()]));
        }
        let mut tx = state.db.begin().await?;
        tx.set_agency_parent(agency, Some(parent)).await?;
        tx.audit(&staff.audit_entry(
            "agency_parent_changed",
            "agency",
            &agency.to_string(),
            &format!("{{\"parent\":{parent}}}"),
        ))
        .await?;
        tx.commit().await?;
        state.agency_tree.forget();
        Ok::<_, StoreError>(Ok("cap-tren"))
    };
    answer(&state, &staff, &fields, run.await).await
}

pub(crate) async fn create_desk(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Fields>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let (agency, name) = (
        id(field(&fields, "desk_agency")),
        field(&fields, "desk_name"),
    );
    let Some(agency) = agency.filter(|_| !name.is_empty()) else {
        let errors = vec!["Chọn cơ quan và đặt tên cho bộ phận một cửa.".into()];
        return answer(&state, &staff, &fields, Ok(Err(errors))).await;
    };
    let run = async {
        let mut tx = state.db.begin().await?;
        let desk = tx
            .insert_desk(agency, name, field(&fields, "desk_address"))
            .await?;
        tx.audit(&staff.audit_entry("desk_created", "desk", &desk.to_string(), "{}"))
            .await?;
        tx.commit().await
    };
    answer(&state, &staff, &fields, run.await.map(|()| Ok("quay"))).await
}

pub(crate) async fn close_desk(state: State<AppState>, staff: Staff, desk: Path<i64>) -> Response {
    set_desk(state, staff, desk, false).await
}

pub(crate) async fn open_desk(state: State<AppState>, staff: Staff, desk: Path<i64>) -> Response {
    set_desk(state, staff, desk, true).await
}

async fn set_desk(
    State(state): State<AppState>,
    staff: Staff,
    Path(desk): Path<i64>,
    open: bool,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let run = async {
        let mut tx = state.db.begin().await?;
        tx.set_desk_active(desk, open).await?;
        let action = if open { "desk_opened" } else { "desk_closed" };
        tx.audit(&staff.audit_entry(action, "desk", &desk.to_string(), "{}"))
            .await?;
        tx.commit().await
    };
    match run.await {
        Ok(()) => Redirect::to("/can-bo/quan-tri/don-vi-co-quan?xong=quay").into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct Done {
    xong: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    q: axum::extract::Query<Done>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    match page(&state, &staff).await {
        Ok(mut p) => {
            p.notice = q
                .xong
                .as_deref()
                .and_then(|x| match x {
                    "don-vi" => Some("Đã thêm đơn vị hành chính."),
                    "co-quan" => Some("Đã thêm cơ quan."),
                    "ma-dinh-danh" => {
                        Some("Đã cấp mã định danh mới; mã cũ vẫn được giữ trong lịch sử.")
                    }
                    "cap-tren" => Some("Đã đổi cấp trên."),
                    "quay" => Some("Đã cập nhật bộ phận một cửa."),
                    _ => None,
                })
                .map(str::to_string);
            render(StatusCode::OK, p)
        }
        Err(e) => Problem::from(e).into_response(),
    }
}
