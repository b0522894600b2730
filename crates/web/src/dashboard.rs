//! The figures of the leaders' dashboard and the public transparency page, from the report
//! counters (`Db::row_sums`, `Db::report_months`) and the dossiers open now: the same counters
//! as Biểu 06, so the two never disagree.

use std::collections::BTreeMap;

use motcua_domain::catalogue::Level;
use motcua_domain::report::{Counts, LevelOrder, overdue_if_due_before};
use motcua_render::dashboard::{Dashboard, Month, Overdue, Rate};
use motcua_store::report_month;

use crate::AppState;
use crate::due::now;
use crate::problem::Problem;
use crate::reports::{self, Request};

fn rate(label: String, c: &Counts) -> Rate {
    Rate {
        label,
        received: c.received,
        resolved: c.resolved,
        on_time: c.early + c.on_time,
        late: c.late,
    }
}

/// Best first; what resolved nothing last, by name.
fn ranked(mut rates: Vec<Rate>) -> Vec<Rate> {
    rates.sort_by(|a, b| {
        b.ratio()
            .unwrap_or(-1.0)
            .total_cmp(&a.ratio().unwrap_or(-1.0))
            .then_with(|| a.label.cmp(&b.label))
    });
    rates
}

/// "mm/yyyy" of a reporting month numbered as `report_month` numbers them.
fn month_label(month: i64) -> String {
    format!("{:02}/{}", month.rem_euclid(12) + 1, month.div_euclid(12))
}

pub(crate) async fn dashboard(state: &AppState, r: &Request<'_>) -> Result<Dashboard, Problem> {
    let (scope, title) = reports::scope(state, r).await?;
    let now = now().0;
    let today = motcua_calendar::Instant(now).local_date();
    let agencies: BTreeMap<i64, String> = state
        .db
        .agencies_as_of(&today.to_string())
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let agency_name = |id: i64| {
        agencies
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Cơ quan #{id}"))
    };
    let sector_name = reports::sector_names(state).await?;

    let mut total = Counts::default();
    let mut by_agency: BTreeMap<i64, Counts> = BTreeMap::new();
    let mut by_sector: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_level: BTreeMap<LevelOrder, Counts> = BTreeMap::new();
    for ((agency, sector, level), sums) in state.db.row_sums(r.period, now, &scope).await? {
        let c = Counts::from_sums(&sums.before, &sums.through, sums.open_overdue);
        if c.received == 0 {
            continue;
        }
        let level = LevelOrder::of(Level::from_code(&level).unwrap_or(Level::Province));
        total.add(&c);
        by_agency.entry(agency).or_default().add(&c);
        by_sector.entry(sector).or_default().add(&c);
        by_level.entry(level).or_default().add(&c);
    }
    let level_name = |l: LevelOrder| match l.level() {
        Level::Province => "Cấp tỉnh",
        Level::District => "Cấp huyện",
        Level::Commune => "Cấp xã",
    };

    let last = report_month(r.period.to);
    let counted: BTreeMap<i64, _> = state
        .db
        .report_months(last - 11, last, &scope)
        .await?
        .into_iter()
        .collect();
    let months = (last - 11..=last)
        .map(|m| {
            let t = counted.get(&m).copied().unwrap_or_default();
            Month {
                label: month_label(m),
                online: t.received_online.max(0) as u64,
                counter_post: t.received_other.max(0) as u64,
                resolved: t.resolved().max(0) as u64,
                on_time: (t.early + t.on_time).max(0) as u64,
            }
        })
        .collect();

    let mut open: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for row in state
        .db
        .open_by_group(now, overdue_if_due_before(now), &scope)
        .await?
    {
        let e = open.entry(row.deciding_agency_id).or_default();
        e.0 += row.open as u64;
        e.1 += row.overdue as u64;
    }
    let mut overdue_now: Vec<Overdue> = open
        .into_iter()
        .map(|(id, (open, overdue))| Overdue {
            label: agency_name(id),
            open,
            overdue,
        })
        .collect();
    overdue_now.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.label.cmp(&b.label)));

    Ok(Dashboard {
        title,
        total: rate("Tổng cộng".into(), &total),
        online: total.online,
        counter_post: total.counter_post,
        by_agency: ranked(
            by_agency
                .iter()
                .map(|(id, c)| rate(agency_name(*id), c))
                .collect(),
        ),
        by_sector: ranked(
            by_sector
                .iter()
                .map(|(code, c)| rate(sector_name(code), c))
                .collect(),
        ),
        by_level: by_level
            .iter()
            .map(|(l, c)| rate(level_name(*l).into(), c))
            .collect(),
        months,
        overdue_now,
        now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporting_months_are_labelled_by_the_month_they_end_in() {
        assert_eq!(month_label(2026 * 12), "01/2026");
        assert_eq!(month_label(2026 * 12 + 11), "12/2026");
        for m in 1..=12u32 {
            let first = motcua_domain::report::Period::month(2026, m).unwrap().from;
            assert_eq!(report_month(first), 2026 * 12 + i64::from(m) - 1);
        }
    }

    #[test]
    fn the_best_come_first_and_what_resolved_nothing_last() {
        let r = |label: &str, resolved, on_time| Rate {
            label: label.into(),
            received: resolved,
            resolved,
            on_time,
            late: resolved - on_time,
        };
        let order: Vec<String> = ranked(vec![r("C", 0, 0), r("B", 10, 5), r("A", 10, 9)])
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(order, ["A", "B", "C"]);
    }
}
