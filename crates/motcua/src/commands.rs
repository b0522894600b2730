//! Commands that open the database, do one thing and exit.

use motcua_store::{Db, DbOptions, copy_database, migrate::latest_version};

use crate::Failure;
use crate::cli::{GlobalArgs, MigrateDbArgs};
use crate::serve::{db_options, load_config, open_database};

pub async fn migrate(global: &GlobalArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let (_db, report) = open_database(&config).await?;
    if report.applied.is_empty() {
        println!("schema version {}: up to date", report.version);
    } else {
        println!(
            "schema version {}: applied migrations {:?}",
            report.version, report.applied
        );
    }
    Ok(())
}

pub async fn migrate_db(global: &GlobalArgs, args: &MigrateDbArgs) -> Result<(), Failure> {
    let config = load_config(global)?;
    crate::serve::init_logging(&config);
    let options = db_options(&config);
    let source = connect(&args.from, &options, "--from").await?;
    let target = connect(&args.to, &options, "--to").await?;
    println!(
        "copying {} → {} (schema version {})",
        source.url(),
        target.url(),
        latest_version()
    );
    let report = copy_database(&source, &target)
        .await
        .map_err(|e| Failure::run(format!("copy failed, the target is unchanged: {e}")))?;
    let mut total = 0;
    for table in &report {
        println!("{:<32} {:>12} rows  verified", table.table, table.rows);
        total += table.rows;
    }
    println!(
        "copy verified: {} tables, {total} rows (counts and content digests match)",
        report.len()
    );
    Ok(())
}

async fn connect(url: &str, options: &DbOptions, flag: &str) -> Result<Db, Failure> {
    Db::connect(url, options)
        .await
        .map_err(|e| Failure::run(format!("{flag}: {e}")))
}
