//! The lunar calendar against an independent table: Tết, Hùng Kings' Day and leap months for
//! 1950–2100, computed with precise astronomy (PyEphem) by `data/generate_lunar_reference.py`,
//! not by the algorithm under test.

use motcua_calendar::Date;
use motcua_calendar::lunar::{self, LunarDate};

struct Row {
    year: i32,
    tet: Date,
    hung_kings: Date,
    leap_month: u32,
    tet_china: Date,
}

fn table() -> Vec<Row> {
    include_str!("data/lunar_reference.csv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("year"))
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Row {
                year: f[0].parse().unwrap(),
                tet: Date::parse(f[1]).unwrap(),
                hung_kings: Date::parse(f[2]).unwrap(),
                leap_month: f[3].parse().unwrap(),
                tet_china: Date::parse(f[4]).unwrap(),
            }
        })
        .collect()
}

/// The leap month of the lunar year `year` (0 if none), by walking the year's months.
fn leap_month(year: i32) -> u32 {
    (1..=12)
        .find(|m| {
            lunar::to_solar(LunarDate {
                year,
                month: *m,
                day: 1,
                leap: true,
            })
            .is_some()
        })
        .unwrap_or(0)
}

#[test]
fn the_table_covers_1950_to_2100() {
    let rows = table();
    assert_eq!(rows.len(), 151);
    assert_eq!(rows[0].year, 1950);
    assert_eq!(rows[150].year, 2100);
}

#[test]
fn tet_matches_for_every_year() {
    for row in table() {
        assert_eq!(lunar::tet(row.year), Some(row.tet), "Tết {}", row.year);
    }
}

#[test]
fn hung_kings_day_matches_for_every_year() {
    for row in table() {
        let got = lunar::to_solar(LunarDate {
            year: row.year,
            month: 3,
            day: 10,
            leap: false,
        });
        assert_eq!(got, Some(row.hung_kings), "Giỗ Tổ {}", row.year);
    }
}

#[test]
fn leap_months_match_for_every_year() {
    for row in table() {
        assert_eq!(
            leap_month(row.year),
            row.leap_month,
            "leap month of {}",
            row.year
        );
    }
}

#[test]
fn vietnam_and_china_differ_where_the_table_says() {
    let differing: Vec<i32> = table()
        .iter()
        .filter(|r| r.tet != r.tet_china)
        .map(|r| r.year)
        .collect();
    // The years the issue names are among them; Vietnam's Tết is the earlier one.
    for year in [1968, 1985, 2007, 2030, 2053] {
        assert!(differing.contains(&year), "{year}");
    }
    for row in table().iter().filter(|r| r.tet != r.tet_china) {
        assert!(row.tet < row.tet_china, "{}", row.year);
    }
}
