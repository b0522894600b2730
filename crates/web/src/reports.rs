//! Reports from the dossiers, within the reader's reach: Biểu 06 for an official period or any
//! window of days, for the whole reach or part of it (the dossiers an agency decides, a desk
//! received, or the agencies of an administrative unit handle). The page and the
//! API both come through here.

use motcua_calendar::Date;
use motcua_domain::catalogue::Level;
use motcua_domain::organisation::AgencyKind;
use motcua_domain::organisation::access::Reach;
use motcua_domain::report::{Bieu06, LevelOrder, Period, RowSums};
use motcua_render::forms::Issuer;
use std::collections::BTreeMap;

use motcua_calendar::{Finished, Instant};
use motcua_domain::dossier::step_ends;
use motcua_render::reports::{LateGroup, LateLine, Line, ReportTitle, lines};
use motcua_store::ReportScope;

use crate::AppState;
use crate::dossiers;
use crate::due::now;
use crate::problem::Problem;

/// What was asked: the kind of period (`month`, `quarter`, `half`, `year`, `window`), its year
/// and number, or the window's days.
#[derive(Debug, Clone, Default)]
pub(crate) struct Asked {
    pub kind: String,
    pub year: Option<i32>,
    pub number: Option<u32>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// The period asked for, and its name ("Quý IV năm 2026 (từ 15/09/2026 đến 14/12/2026)").
pub(crate) fn period(a: &Asked) -> Result<(Period, String), Problem> {
    let year = || {
        a.year
            .ok_or_else(|| Problem::invalid("year", "Cần chọn năm."))
    };
    let number = |most: u32| match a.number {
        Some(n) if (1..=most).contains(&n) => Ok(n),
        Some(n) => Err(Problem::invalid(
            "number",
            format!("Kỳ {n} không có: chọn từ 1 đến {most}."),
        )),
        None => Err(Problem::invalid("number", "Cần chọn kỳ báo cáo.")),
    };
    let bad = |e: motcua_domain::report::PeriodError| Problem::invalid("to", e.vietnamese());
    let (p, name) = match a.kind.as_str() {
        "month" => {
            let (y, n) = (year()?, number(12)?);
            (
                Period::month(y, n).map_err(bad)?,
                format!("Tháng {n} năm {y}"),
            )
        }
        "quarter" => {
            let (y, n) = (year()?, number(4)?);
            (
                Period::quarter(y, n).map_err(bad)?,
                format!("Quý {} năm {y}", ROMAN[n as usize - 1]),
            )
        }
        "half" => {
            let (y, n) = (year()?, number(2)?);
            let name = if n == 1 {
                "6 tháng đầu năm"
            } else {
                "6 tháng cuối năm"
            };
            (Period::half(y, n).map_err(bad)?, format!("{name} {y}"))
        }
        "year" => {
            let y = year()?;
            (Period::year(y).map_err(bad)?, format!("Năm {y}"))
        }
        "window" => {
            let from = a
                .from
                .ok_or_else(|| Problem::invalid("from", "Cần chọn ngày bắt đầu."))?;
            let to =
                a.to.ok_or_else(|| Problem::invalid("to", "Cần chọn ngày kết thúc."))?;
            (Period::window(from, to).map_err(bad)?, String::new())
        }
        other => {
            return Err(Problem::invalid(
                "period",
                format!("“{other}”: chọn month, quarter, half, year hoặc window."),
            ));
        }
    };
    let days = format!("từ {} đến {}", p.from.vn(), p.to.vn());
    let name = if name.is_empty() {
        format!("Từ ngày {} đến ngày {}", p.from.vn(), p.to.vn())
    } else {
        format!("{name} ({days})")
    };
    Ok((p, name))
}

/// Biểu 06 over the period, within the reader's reach (or one agency of it), with its lines and
/// title.
pub(crate) struct Report {
    pub report: Bieu06,
    pub lines: Vec<Line>,
    pub title: ReportTitle,
}

/// Who asks and about what: the reader's reach and own agency, the period and its name, and
/// which dossiers of the reach.
pub(crate) struct Request<'a> {
    pub reach: &'a Reach,
    pub own_agency: Option<i64>,
    pub period: Period,
    pub period_name: String,
    pub within: Within<'a>,
}

/// Which dossiers of the reach a report is of, as asked; each part narrows the others.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Within<'a> {
    /// The identifier of the agency that decides them.
    pub agency: Option<&'a str>,
    /// The identifier of the agency whose one-stop desk received them.
    pub desk: Option<&'a str>,
    /// The code of the administrative unit whose agencies (or those of the units below it)
    /// decide or received them.
    pub unit: Option<&'a str>,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The dossiers a report covers, and its title: the scope in words, signed by the agency
/// reported on, the provincial committee (the whole province) or the reader's own agency.
pub(crate) async fn scope(
    state: &AppState,
    r: &Request<'_>,
) -> Result<(ReportScope, ReportTitle), Problem> {
    let today = now().local_date().to_string();
    let reach = r.reach;
    let mut scope = ReportScope {
        agencies: reach.filter(),
        ..ReportScope::default()
    };
    let all = state.db.agencies_as_of(&today).await?;
    let in_reach = |field: &'static str, identifier: &str, what: &str| {
        let unknown = || {
            Problem::invalid(
                field,
                format!("Không có {what} mã “{identifier}” trong phạm vi của bạn."),
            )
        };
        all.iter()
            .find(|a| a.identifier == identifier && reach.contains(Some(a.id)))
            .ok_or_else(unknown)
    };
    let mut scope_name = match given(r.within.agency) {
        Some(identifier) => {
            let a = in_reach("agency", identifier, "cơ quan")?;
            scope.deciding_agency = Some(a.id);
            a.name.clone()
        }
        None => match reach {
            Reach::All => "Toàn tỉnh".to_string(),
            // One agency in reach: the report is of it.
            Reach::Agencies(ids) if ids.len() == 1 => all
                .iter()
                .find(|a| ids.contains(&a.id))
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "Các cơ quan trong phạm vi theo dõi".to_string()),
            _ => "Các cơ quan trong phạm vi theo dõi".to_string(),
        },
    };
    if let Some(code) = given(r.within.unit) {
        let units = state.db.units_as_of(&today).await?;
        let unit = units.iter().find(|u| u.code == code).ok_or_else(|| {
            Problem::invalid("unit", format!("Không có đơn vị hành chính mã “{code}”."))
        })?;
        // The unit and every unit below it.
        let mut under = vec![unit.id];
        let mut i = 0;
        while i < under.len() {
            let parent = under[i];
            under.extend(
                units
                    .iter()
                    .filter(|u| u.parent_id == Some(parent))
                    .map(|u| u.id),
            );
            i += 1;
        }
        let ids: Vec<i64> = all
            .iter()
            .filter(|a| under.contains(&a.unit_id) && reach.contains(Some(a.id)))
            .map(|a| a.id)
            .collect();
        if ids.is_empty() {
            return Err(Problem::invalid(
                "unit",
                format!(
                    "Không có cơ quan nào của {} trong phạm vi của bạn.",
                    unit.name
                ),
            ));
        }
        scope.agencies = Some(ids);
        // The unit names the report, unless an agency of it already does.
        if given(r.within.agency).is_some() {
            scope_name.push_str(&format!(" — địa bàn: {}", unit.name));
        } else {
            scope_name = unit.name.clone();
        }
    }
    if let Some(identifier) = given(r.within.desk) {
        let a = in_reach("desk", identifier, "cơ quan")?;
        scope.desk_agency = Some(a.id);
        scope_name.push_str(&format!(" — tiếp nhận tại Bộ phận một cửa: {}", a.name));
    }
    let issuer = all
        .iter()
        .find(|a| Some(a.id) == scope.deciding_agency)
        .or_else(|| {
            matches!(reach, Reach::All)
                .then(|| {
                    all.iter()
                        .find(|a| a.kind == AgencyKind::ProvincialCommittee.code())
                })
                .flatten()
        })
        .or_else(|| all.iter().find(|a| Some(a.id) == r.own_agency));
    let parent = issuer
        .and_then(|a| a.parent_id)
        .and_then(|p| all.iter().find(|a| a.id == p));
    let title = ReportTitle {
        issuer: Issuer {
            parent: parent.map(|p| p.name.clone()).unwrap_or_default(),
            agency: issuer.map(|a| a.name.clone()).unwrap_or_default(),
            place: issuer
                .map(|a| crate::forms::place_of(&a.name))
                .unwrap_or_default(),
        },
        scope: scope_name,
        period: r.period_name.clone(),
        printed_at: now().0,
    };
    Ok((scope, title))
}

/// A sector's name by code, as the catalogue in force has it.
pub(crate) async fn sector_names(state: &AppState) -> Result<impl Fn(&str) -> String, Problem> {
    let loaded = state
        .catalogue
        .current(&state.db, &now().local_date().to_string())
        .await?;
    Ok(move |code: &str| {
        loaded
            .sectors
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    })
}

pub(crate) async fn bieu06(state: &AppState, r: &Request<'_>) -> Result<Report, Problem> {
    let (scope, title) = scope(state, r).await?;
    let mut rows: BTreeMap<(LevelOrder, String), RowSums> = BTreeMap::new();
    for ((_, sector, level), sums) in state.db.row_sums(r.period, now().0, &scope).await? {
        let level = LevelOrder::of(Level::from_code(&level).unwrap_or(Level::Province));
        rows.entry((level, sector)).or_default().add(&sums);
    }
    let report = Bieu06::from_sums(
        r.period,
        rows.into_iter()
            .map(|((l, s), sums)| ((l.level(), s), sums)),
    );
    // The invariants hold by construction; a break is a bug, never a table to show.
    report
        .check()
        .map_err(|e| Problem::from(motcua_store::StoreError::Internal(e.to_string())))?;
    let lines = lines(&report, sector_names(state).await?);
    Ok(Report {
        report,
        lines,
        title,
    })
}

/// The most late dossiers one list shows.
pub(crate) const LATE_LIMIT: usize = 5000;

/// The late dossiers of the period, grouped by sector (land first, as the province's complaints
/// are mostly there) and agency: where each lost its time (the first step that overran its own
/// time, or the one it is stuck at), the officer, the working days late, whether it apologised.
pub(crate) async fn late(
    state: &AppState,
    r: &Request<'_>,
) -> Result<(ReportTitle, Vec<LateGroup>), Problem> {
    let (scope, title) = scope(state, r).await?;
    let (start, end) = r.period.bounds();
    // A period not over yet is judged as of now.
    let judged = (end - 1).min(now().0);
    let rows = state
        .db
        .late_dossiers(start, end, judged, &scope, LATE_LIMIT as i64)
        .await?;
    let sector = sector_names(state).await?;
    let time = state.time.current();
    let today = now().local_date().to_string();
    let mut agencies: BTreeMap<i64, String> = BTreeMap::new();
    let mut people: BTreeMap<String, String> = BTreeMap::new();
    let mut groups: BTreeMap<(bool, String, String), Vec<LateLine>> = BTreeMap::new();
    // Thousands of late dossiers share a few procedures: each version is read once, and the
    // events of all of them in a few queries.
    let mut procedures: BTreeMap<
        (String, i64),
        std::sync::Arc<motcua_domain::catalogue::Procedure>,
    > = BTreeMap::new();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut events_of = state.db.events_of_dossiers(&ids).await?;
    for row in rows {
        let loaded = dossiers::unpack(row)?;
        let key = (
            loaded.row.procedure_code.clone(),
            loaded.row.procedure_version,
        );
        if !procedures.contains_key(&key) {
            let p = dossiers::procedure_of(state, &loaded.row).await?;
            procedures.insert(key.clone(), p);
        }
        let procedure = &procedures[&key];
        let events = dossiers::unpack_events(
            &loaded.row.code,
            events_of.remove(&loaded.row.id).unwrap_or_default(),
        )?;
        let d = &loaded.dossier;
        let (_, steps) = procedure.workflow_for(&d.application.deciding_agency);
        let step_name = |i: usize| {
            steps
                .get(i)
                .map(|s| format!("Bước {}: {}", i + 1, s.name))
                .unwrap_or_else(|| format!("Bước {}", i + 1))
        };
        // The first step that ended after its own time; else where it is now.
        let lost = step_ends(events.iter().map(|(r, e)| (r.at, e)))
            .into_iter()
            .find(|end| end.outcome() == Some(Finished::Late))
            .map(|end| (end.step, events[end.index].0.actor.clone()));
        let (lost_step, login) =
            lost.unwrap_or_else(|| (d.step, d.assignee.clone().unwrap_or_default()));
        let officer = if login.is_empty() {
            String::new()
        } else if let Some(n) = people.get(&login) {
            n.clone()
        } else {
            let name = match state.db.user_by_login(&login).await? {
                Some(u) if !u.full_name.trim().is_empty() => u.full_name,
                _ => login.clone(),
            };
            people.insert(login.clone(), name.clone());
            name
        };
        let agency = match agencies.get(&loaded.row.deciding_agency_id) {
            Some(n) => n.clone(),
            None => {
                let name = state
                    .db
                    .agency_as_of(loaded.row.deciding_agency_id, &today)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default();
                agencies.insert(loaded.row.deciding_agency_id, name.clone());
                name
            }
        };
        let due = d.due.unwrap_or(d.submitted_at);
        let until = match d.finished_at {
            Some(t) if t < end => Instant(t).local_date(),
            _ => Instant(judged).local_date(),
        };
        let working_days_late = time
            .calendar
            .working_days_between(Instant(due).local_date(), until)
            .unwrap_or(0)
            .max(0);
        let key = (
            loaded.row.sector != "DD",
            sector(&loaded.row.sector),
            agency.clone(),
        );
        groups.entry(key).or_default().push(LateLine {
            code: loaded.row.code.clone(),
            procedure: procedure.name.clone(),
            agency,
            step: step_name(lost_step),
            officer,
            due,
            finished: d.finished_at.filter(|t| *t < end),
            working_days_late,
            apology: d.extended,
        });
    }
    Ok((
        title,
        groups
            .into_iter()
            .map(|((_, sector, agency), lines)| LateGroup {
                sector,
                agency,
                lines,
            })
            .collect(),
    ))
}

/// A report as XLSX (a download) or PDF (to print from a new tab), named `name`.
pub(crate) fn file(
    name: &str,
    format: &str,
    xlsx: impl FnOnce() -> Result<Vec<u8>, motcua_render::reports::XlsxError>,
    pdf: impl FnOnce() -> Vec<u8>,
) -> Result<axum::response::Response, Problem> {
    if format == "xlsx" {
        let bytes = xlsx().map_err(|e| {
            Problem::from(motcua_store::StoreError::Internal(format!(
                "report workbook: {e}"
            )))
        })?;
        Ok(crate::download::attachment(
            &format!("{name}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ))
    } else {
        Ok(crate::forms::inline_pdf(name, pdf()))
    }
}

/// Biểu 06 as XLSX or PDF.
pub(crate) fn bieu06_file(r: &Report, format: &str) -> Result<axum::response::Response, Problem> {
    file(
        &format!("bieu-06-{}-{}", r.report.period.from, r.report.period.to),
        format,
        || motcua_render::reports::bieu06_xlsx(&r.title, &r.lines),
        || motcua_render::reports::bieu06_pdf(&r.title, &r.lines),
    )
}

/// The late dossiers as XLSX or PDF.
pub(crate) fn late_file(
    period: Period,
    title: &ReportTitle,
    groups: &[LateGroup],
    format: &str,
) -> Result<axum::response::Response, Problem> {
    file(
        &format!("ho-so-tre-han-{}-{}", period.from, period.to),
        format,
        || motcua_render::reports::late_xlsx(title, groups),
        || motcua_render::reports::late_pdf(title, groups),
    )
}
