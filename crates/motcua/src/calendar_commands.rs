//! `motcua due` and `motcua lunar`: the calendar from the command line.

use motcua_calendar::lunar::{self, LunarDate};
use motcua_calendar::{Date, Duration, Instant, Policy, Unit};
use motcua_store::{Db, DbOptions};

use crate::Failure;
use crate::cli::{DueArgs, GlobalArgs, LunarArgs};
use crate::serve::load_config;
use crate::working_time;

pub async fn due(global: &GlobalArgs, args: &DueArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    let received = Instant::parse_local(&args.received).map_err(|e| {
        Failure::usage(format!(
            "--received: {e} (write \"YYYY-MM-DD HH:MM\", Vietnam time)"
        ))
    })?;
    let (unit, amount, flag) = if let Some(n) = &args.working_days {
        (Unit::WorkingDays, n.as_str(), "--working-days")
    } else if let Some(n) = &args.hours {
        (Unit::WorkingHours, n.as_str(), "--hours")
    } else if let Some(n) = &args.calendar_days {
        (Unit::CalendarDays, n.as_str(), "--calendar-days")
    } else if let Some(n) = &args.months {
        (Unit::Months, n.as_str(), "--months")
    } else {
        (Unit::SameDay, "", "--same-day")
    };
    let limit = if unit == Unit::SameDay {
        Duration::same_day()
    } else {
        Duration::parse(unit, amount).map_err(|e| Failure::usage(format!("{flag}: {e}")))?
    };
    let local = working_time::local_years(&config)?;
    let saved = saved_years(&config).await?;
    let handle = motcua_web::TimeHandle::new(working_time::setup(&config, local), saved);
    let time = handle.current();
    let rules = time.rules(args.agency.as_deref()).map_err(|e| {
        Failure::usage(format!(
            "--agency: {e}; add it under [calendar.agencies] in motcua.toml"
        ))
    })?;
    let policy = Policy {
        count_receipt_day: args.count_receipt_day,
        cutoff_applies: !args.no_cutoff,
    };
    let appointment = rules
        .appointment(received, limit, policy)
        .map_err(|e| Failure::usage(e.to_string()))?;
    if args.json {
        let out = serde_json::json!({
            "due": appointment.due.rfc3339_vn(),
            "due_vn": appointment.due.vn(),
            "received": received.rfc3339_vn(),
            "limit": limit.vietnamese(),
            "unit": unit,
            "amount": amount,
            "first_day": appointment.first_day,
            "moved": appointment.moved,
            "official_calendar": appointment.official,
            "office_hours": rules.hours.describe(),
        });
        println!("{out}");
        return Ok(());
    }
    let due_date = appointment.due.local_date();
    println!("{}", appointment.due.vn());
    println!(
        "Hẹn trả kết quả: {}, {}",
        due_date.weekday().vietnamese(),
        appointment.due.vn()
    );
    match appointment.moved {
        Some(why) => println!("Tiếp nhận: {} ({})", received.vn(), why.vietnamese()),
        None => println!("Tiếp nhận: {}", received.vn()),
    }
    println!(
        "Thời hạn: {}, ngày đầu tiên được tính: {}",
        limit.vietnamese(),
        appointment.first_day.vn()
    );
    println!("Giờ làm việc: {}", rules.hours.describe());
    if !appointment.official {
        println!(
            "Lưu ý: có năm chưa có lịch nghỉ chính thức; đã áp dụng quy định mặc định của Bộ luật Lao động 2019, ngày hẹn có thể thay đổi khi lịch được công bố."
        );
    }
    Ok(())
}

/// Years an administrator saved, when the configured database already exists. Computing a date
/// never creates a database.
async fn saved_years(
    config: &crate::config::Config,
) -> Result<Vec<((i64, i64), motcua_calendar::YearData)>, Failure> {
    let url = config.database_url();
    if let Some(path) = url.strip_prefix("sqlite://")
        && !std::path::Path::new(path).exists()
    {
        return Ok(Vec::new());
    }
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .map_err(|e| {
            Failure::run(format!(
                "{e}; the calendar saved there is needed for the date"
            ))
        })?;
    let years = motcua_web::saved_years(&db).await;
    db.close().await;
    years.map_err(Failure::run)
}

pub fn lunar(args: &LunarArgs) -> Result<(), Failure> {
    if let Some(text) = &args.to_solar {
        let lunar_date = parse_lunar(text, args.leap)?;
        let date = lunar::to_solar(lunar_date).ok_or_else(|| {
            Failure::usage(format!(
                "{} does not exist in the lunar calendar (the month has 29 days, or is not a leap month that year, or the year is outside {}–{})",
                lunar_date.vn(),
                lunar::FIRST_YEAR,
                lunar::LAST_YEAR
            ))
        })?;
        println!("{}", date.vn());
        println!("{}, {}", date.weekday().vietnamese(), date.vn());
        return Ok(());
    }
    let text = args
        .date
        .as_deref()
        .ok_or_else(|| Failure::usage("give a date (YYYY-MM-DD) or --to-solar d/m/yyyy"))?;
    let date = Date::parse(text).map_err(|e| Failure::usage(e.to_string()))?;
    let lunar_date = lunar::to_lunar(date).ok_or_else(|| {
        Failure::usage(format!(
            "{text} is outside the years the lunar calendar covers ({}–{})",
            lunar::FIRST_YEAR,
            lunar::LAST_YEAR
        ))
    })?;
    println!("{}", lunar_date.vn());
    let leap = if lunar_date.leap { " nhuận" } else { "" };
    println!(
        "Ngày {} tháng {}{leap} năm {} (Âm lịch)",
        lunar_date.day,
        lunar_date.month,
        lunar::year_name(lunar_date.year)
    );
    Ok(())
}

fn parse_lunar(text: &str, leap: bool) -> Result<LunarDate, Failure> {
    let bad = || {
        Failure::usage(format!(
            "--to-solar: '{text}' is not a lunar date: write d/m/yyyy"
        ))
    };
    let parts: Vec<&str> = text.trim().split('/').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let day: u32 = parts[0].parse().map_err(|_| bad())?;
    let month: u32 = parts[1].parse().map_err(|_| bad())?;
    let year: i32 = parts[2].parse().map_err(|_| bad())?;
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(LunarDate {
        year,
        month,
        day,
        leap,
    })
}
