//! The merge wizard: two or more commune-level units become one from a date (as on 1 July 2025).
//! Step one chooses the units and names the new one; step two shows exactly what will change;
//! the confirmation does it all in one transaction: the old units and their agencies end, the new
//! unit and its People's Committee (with a one-stop desk) begin, the units are linked, and staff
//! and their roles move to the new committee.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_calendar::Date;
use motcua_domain::organisation::access::Action;
use motcua_domain::organisation::{AgencyIdentifier, AgencyKind, UnitKind};
use motcua_store::{AgencyRow, NewAgency, NewUnit, StoreError, UnitRow};

use super::{Choice, Layout, render, require};
use crate::AppState;
use crate::auth::Staff;
use crate::due::now;
use crate::problem::Problem;

const KINDS: [UnitKind; 3] = [UnitKind::Commune, UnitKind::Ward, UnitKind::SpecialZone];

#[derive(Debug, Default, Clone)]
struct Input {
    units: Vec<i64>,
    name: String,
    code: String,
    kind: String,
    date: String,
    identifier: String,
    confirmed: bool,
}

impl Input {
    fn from_pairs(pairs: Vec<(String, String)>) -> Input {
        let mut input = Input::default();
        for (key, value) in pairs {
            match key.as_str() {
                "don_vi" => input.units.extend(value.parse::<i64>().ok()),
                "ten" => input.name = value.trim().to_string(),
                "ma" => input.code = value.trim().to_string(),
                "loai" => input.kind = value,
                "ngay" => input.date = value.trim().to_string(),
                "ma_dinh_danh" => input.identifier = value.trim().to_string(),
                "xac_nhan" => input.confirmed = value == "1",
                _ => {}
            }
        }
        input.units.sort_unstable();
        input.units.dedup();
        input
    }
}

pub(crate) struct UnitChoice {
    id: i64,
    label: String,
    checked: bool,
}

/// What the merge will do, for the review and then the deed.
struct Plan {
    date: Date,
    kind: UnitKind,
    identifier: AgencyIdentifier,
    parent_id: Option<i64>,
    old_units: Vec<UnitRow>,
    old_agencies: Vec<AgencyRow>,
    staff_moving: usize,
}

#[derive(Template)]
#[template(path = "admin_merge.html")]
struct MergePage {
    layout: Layout,
    units: Vec<UnitChoice>,
    kinds: Vec<Choice>,
    name: String,
    code: String,
    date: String,
    identifier: String,
    errors: Vec<String>,
    /// Step two: what will change (lines in Vietnamese), and the inputs to confirm with.
    review: Vec<String>,
    chosen: Vec<i64>,
    done: Option<String>,
}

async fn page(state: &AppState, staff: &Staff, input: &Input) -> Result<MergePage, StoreError> {
    let today = now().local_date().to_string();
    let mut units: Vec<UnitChoice> = state
        .db
        .units_as_of(&today)
        .await?
        .into_iter()
        .filter(|u| UnitKind::from_code(&u.kind).is_some_and(|k| k.level() == 3))
        .map(|u| UnitChoice {
            id: u.id,
            label: format!("{} ({})", u.name, u.code),
            checked: input.units.contains(&u.id),
        })
        .collect();
    units.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(MergePage {
        layout: Layout::new(state, "Sắp xếp đơn vị hành chính")
            .signed_in(staff)
            .active("organisation"),
        units,
        kinds: KINDS
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.vietnamese().into(),
                selected: k.code() == input.kind,
            })
            .collect(),
        name: input.name.clone(),
        code: input.code.clone(),
        date: input.date.clone(),
        identifier: input.identifier.clone(),
        errors: Vec::new(),
        review: Vec::new(),
        chosen: input.units.clone(),
        done: None,
    })
}

pub(crate) async fn form(State(state): State<AppState>, staff: Staff) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let input = Input {
        date: now().local_date().vn(),
        kind: UnitKind::Commune.code().into(),
        ..Input::default()
    };
    match page(&state, &staff, &input).await {
        Ok(p) => render(StatusCode::OK, p),
        Err(e) => Problem::from(e).into_response(),
    }
}

/// Checks everything and works out what the merge will change; every problem is reported.
async fn plan(state: &AppState, input: &Input) -> Result<Result<Plan, Vec<String>>, StoreError> {
    let mut errors = Vec::new();
    if input.units.len() < 2 {
        errors.push("Chọn ít nhất hai đơn vị để sắp xếp thành một.".to_string());
    }
    if input.name.is_empty() {
        errors.push("Nhập tên đơn vị mới.".into());
    }
    if input.code.is_empty() || !input.code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push("Mã đơn vị mới gồm các chữ số.".into());
    }
    let kind = UnitKind::from_code(&input.kind).filter(|k| KINDS.contains(k));
    if kind.is_none() {
        errors.push("Chọn loại đơn vị mới.".into());
    }
    let date = Date::parse_vn(&input.date).ok();
    if date.is_none() {
        errors.push(format!(
            "Ngày “{}” không hợp lệ: nhập theo dạng ngày/tháng/năm.",
            input.date
        ));
    }
    let identifier = match AgencyIdentifier::parse(&input.identifier) {
        Ok(id) => Some(id),
        Err(e) => {
            errors.push(e.vietnamese());
            None
        }
    };
    let (Some(date), Some(kind), Some(identifier)) = (date, kind, identifier) else {
        return Ok(Err(errors));
    };
    let iso = date.to_string();
    let in_force = state.db.units_as_of(&iso).await?;
    let old_units: Vec<UnitRow> = in_force
        .iter()
        .filter(|u| input.units.contains(&u.id))
        .cloned()
        .collect();
    if old_units.len() != input.units.len() {
        errors.push(format!(
            "Có đơn vị đã chọn không còn tồn tại vào ngày {}.",
            date.vn()
        ));
    }
    let parents: std::collections::BTreeSet<Option<i64>> =
        old_units.iter().map(|u| u.parent_id).collect();
    if parents.len() > 1 {
        errors.push("Các đơn vị được sắp xếp phải cùng trực thuộc một đơn vị cấp trên.".into());
    }
    if old_units
        .iter()
        .any(|u| u.valid_from.as_str() >= iso.as_str())
    {
        errors.push("Ngày sắp xếp phải sau ngày các đơn vị cũ bắt đầu hiệu lực.".into());
    }
    if in_force.iter().any(|u| u.code == input.code) {
        errors.push(format!("Mã đơn vị {} đang được dùng.", input.code));
    }
    if state
        .db
        .agency_by_identifier(identifier.as_str(), &iso)
        .await
        .is_ok()
    {
        errors.push(format!(
            "Mã định danh {identifier} đang được một cơ quan khác sử dụng."
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let old_agencies: Vec<AgencyRow> = state
        .db
        .agencies_as_of(&iso)
        .await?
        .into_iter()
        .filter(|a| input.units.contains(&a.unit_id))
        .collect();
    let ids: Vec<i64> = old_agencies.iter().map(|a| a.id).collect();
    let staff_moving = state.db.staff(Some(&ids)).await?.len();
    Ok(Ok(Plan {
        date,
        kind,
        identifier,
        parent_id: old_units[0].parent_id,
        old_units,
        old_agencies,
        staff_moving,
    }))
}

fn committee_name(kind: UnitKind, name: &str) -> String {
    let rest = name.split_once(' ').map_or(name, |(_, r)| r);
    format!(
        "Ủy ban nhân dân {} {rest}",
        kind.vietnamese().to_lowercase()
    )
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    require!(state, staff, Action::ManageOrganisation);
    let input = Input::from_pairs(pairs);
    let mut p = match page(&state, &staff, &input).await {
        Ok(p) => p,
        Err(e) => return Problem::from(e).into_response(),
    };
    let plan = match plan(&state, &input).await {
        Ok(Ok(plan)) => plan,
        Ok(Err(errors)) => {
            p.errors = errors;
            return render(StatusCode::UNPROCESSABLE_ENTITY, p);
        }
        Err(e) => return Problem::from(e).into_response(),
    };
    let committee = committee_name(plan.kind, &input.name);
    if !input.confirmed {
        let names: Vec<&str> = plan.old_units.iter().map(|u| u.name.as_str()).collect();
        p.review = vec![
            format!(
                "Từ ngày {}, {} thôi tồn tại.",
                plan.date.vn(),
                names.join(", ")
            ),
            format!(
                "{} ({}) bắt đầu từ ngày {}.",
                input.name,
                input.code,
                plan.date.vn()
            ),
            format!(
                "{} cơ quan của các đơn vị cũ kết thúc: {}.",
                plan.old_agencies.len(),
                plan.old_agencies
                    .iter()
                    .map(|a| format!("{} ({})", a.name, a.identifier))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            format!(
                "Cơ quan mới: {committee}, mã định danh {}, có Bộ phận Một cửa.",
                plan.identifier
            ),
            format!(
                "{} cán bộ của các cơ quan cũ chuyển sang {committee} ngay khi xác nhận, cùng các vai trò đã được cấp.",
                plan.staff_moving
            ),
        ];
        return render(StatusCode::OK, p);
    }
    let iso = plan.date.to_string();
    let old_agency_ids: Vec<i64> = plan.old_agencies.iter().map(|a| a.id).collect();
    let done = async {
        let mut tx = state.db.begin().await?;
        let unit = tx
            .insert_unit(&NewUnit {
                code: &input.code,
                name: &input.name,
                kind: plan.kind.code(),
                parent_id: plan.parent_id,
                valid_from: &iso,
                valid_until: None,
            })
            .await?;
        for old in &plan.old_units {
            tx.end_unit(old.id, &iso).await?;
            tx.link_units(old.id, unit, "merge", &iso).await?;
        }
        for agency in &plan.old_agencies {
            tx.end_agency(agency.id, &iso).await?;
        }
        let agency = tx
            .insert_agency(&NewAgency {
                name: &committee,
                kind: AgencyKind::CommuneCommittee.code(),
                unit_id: unit,
                parent_id: None,
                identifier: plan.identifier.as_str(),
                address: "",
                phone: "",
                email: "",
                valid_from: &iso,
                valid_until: None,
            })
            .await?;
        tx.insert_desk(agency, "Bộ phận Một cửa", "").await?;
        let moved = tx.move_staff(&old_agency_ids, agency).await?;
        let detail = format!(
            "{{\"from\":{:?},\"to\":{unit},\"agency\":{agency},\"date\":\"{iso}\",\"staff_moved\":{moved}}}",
            plan.old_units.iter().map(|u| u.id).collect::<Vec<_>>()
        );
        tx.audit(&staff.audit_entry("unit_merged", "unit", &unit.to_string(), &detail))
            .await?;
        tx.commit().await?;
        state.agency_tree.forget();
        Ok::<u64, StoreError>(moved)
    };
    match done.await {
        Ok(moved) => {
            p.done = Some(format!(
                "Đã sắp xếp thành {} từ ngày {}; {committee} được lập; {moved} cán bộ đã chuyển sang.",
                input.name,
                plan.date.vn()
            ));
            p.review.clear();
            p.chosen.clear();
            render(StatusCode::OK, p)
        }
        Err(StoreError::Constraint { constraint, .. }) => {
            p.errors = vec![format!(
                "Không thể lưu vì trùng dữ liệu ({constraint}); không có thay đổi nào được ghi."
            )];
            render(StatusCode::CONFLICT, p)
        }
        Err(e) => Problem::from(e).into_response(),
    }
}
