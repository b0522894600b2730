//! Reports from the dossiers, within the reader's reach: Biểu 06 for an official period or any
//! window of days, for the whole reach or one agency (the dossiers it decides). The page and the
//! API both come through here.

use motcua_calendar::Date;
use motcua_domain::catalogue::Level;
use motcua_domain::organisation::AgencyKind;
use motcua_domain::organisation::access::Reach;
use motcua_domain::report::{Bieu06, Facts, Period};
use motcua_render::forms::Issuer;
use motcua_render::reports::{Line, ReportTitle, lines};
use motcua_store::ReportScope;

use crate::AppState;
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

pub(crate) async fn bieu06(
    state: &AppState,
    reach: &Reach,
    own_agency: Option<i64>,
    period: Period,
    period_name: String,
    agency: Option<&str>,
) -> Result<Report, Problem> {
    let today = now().local_date().to_string();
    let mut scope = ReportScope {
        agencies: reach.filter(),
        ..ReportScope::default()
    };
    let scope_name = match agency.map(str::trim).filter(|a| !a.is_empty()) {
        Some(identifier) => {
            let unknown = || {
                Problem::invalid(
                    "agency",
                    format!("Không có cơ quan mã “{identifier}” trong phạm vi của bạn."),
                )
            };
            let a = state
                .db
                .agency_by_identifier(identifier, &today)
                .await
                .map_err(|_| unknown())?;
            if !reach.contains(Some(a.id)) {
                return Err(unknown());
            }
            scope.deciding_agency = Some(a.id);
            a.name
        }
        None if matches!(reach, Reach::All) => "Toàn tỉnh".to_string(),
        None => match reach {
            // One agency in reach: the report is of it.
            Reach::Agencies(ids) if ids.len() == 1 => {
                let id = *ids.iter().next().expect("one agency");
                match state.db.agency_as_of(id, &today).await? {
                    Some(a) => a.name,
                    None => "Các cơ quan trong phạm vi theo dõi".to_string(),
                }
            }
            _ => "Các cơ quan trong phạm vi theo dõi".to_string(),
        },
    };
    let (start, end) = period.bounds();
    let rows = state.db.report_rows(start, end, &scope).await?;
    let facts: Vec<Facts> = rows
        .into_iter()
        .map(|r| Facts {
            sector: r.sector,
            level: Level::from_code(&r.level).unwrap_or(Level::Province),
            online: r.channel == "online",
            received_at: r.received_at,
            finished_at: r.finished_at,
            outcome: r.outcome.as_deref().and_then(|o| match o {
                "early" => Some(motcua_calendar::Finished::Early),
                "on_time" => Some(motcua_calendar::Finished::OnTime),
                "late" => Some(motcua_calendar::Finished::Late),
                _ => None,
            }),
            due: r.due_at,
            counts_late: r.counts_late,
        })
        .collect();
    let report = Bieu06::tally(period, &facts);
    // The invariants hold by construction; a break is a bug, never a table to show.
    report
        .check()
        .map_err(|e| Problem::from(motcua_store::StoreError::Internal(e.to_string())))?;
    let loaded = state.catalogue.current(&state.db, &today).await?;
    let lines = lines(&report, |code| {
        loaded
            .sectors
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    });
    // Signed by the agency reported on, the reader's own, or the provincial committee.
    let all = state.db.agencies_as_of(&today).await?;
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
        .or_else(|| all.iter().find(|a| Some(a.id) == own_agency));
    let parent = issuer
        .and_then(|a| a.parent_id)
        .and_then(|p| all.iter().find(|a| a.id == p));
    Ok(Report {
        report,
        lines,
        title: ReportTitle {
            issuer: Issuer {
                parent: parent.map(|p| p.name.clone()).unwrap_or_default(),
                agency: issuer.map(|a| a.name.clone()).unwrap_or_default(),
                place: issuer
                    .map(|a| crate::forms::place_of(&a.name))
                    .unwrap_or_default(),
            },
            scope: scope_name,
            period: period_name,
            printed_at: now().0,
        },
    })
}

/// The report as JSON, XLSX (a download) or PDF (to print from a new tab).
pub(crate) fn answer(r: Report, format: &str) -> Result<axum::response::Response, Problem> {
    let name = format!("bieu-06-{}-{}", r.report.period.from, r.report.period.to);
    match format {
        "xlsx" => {
            let bytes = motcua_render::reports::bieu06_xlsx(&r.title, &r.lines).map_err(|e| {
                Problem::from(motcua_store::StoreError::Internal(format!(
                    "report workbook: {e}"
                )))
            })?;
            Ok(crate::download::attachment(
                &format!("{name}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            ))
        }
        "pdf" => Ok(crate::forms::inline_pdf(
            &name,
            motcua_render::reports::bieu06_pdf(&r.title, &r.lines),
        )),
        _ => Ok(crate::api::reports_json(&r)),
    }
}
