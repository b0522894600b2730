//! Command-line interface. With no command, motcua serves.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "motcua",
    version,
    about = "motcua: hệ thống một cửa điện tử (electronic one-stop system) for Vietnamese provinces",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Default)]
pub struct GlobalArgs {
    /// Configuration file (default: ./motcua.toml when it exists).
    #[arg(long, global = true, env = "MOTCUA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database and files (default: motcua-data).
    #[arg(long, global = true, env = "MOTCUA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: SQLite in the data folder).
    #[arg(long, global = true, env = "MOTCUA_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal, the staff application and the API (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Copy a whole database to another (e.g. SQLite to PostgreSQL) and verify the copy.
    MigrateDb(MigrateDbArgs),
    /// Compute an appointment date (ngày hẹn trả); the first line of output is dd/mm/yyyy HH:MM.
    Due(DueArgs),
    /// Convert between the solar and the Vietnamese lunar calendar.
    Lunar(LunarArgs),
    /// Load the demo province (fictional sample data) into an empty database.
    Demo,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import or export the procedure catalogue (JSON or XLSX).
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
    /// Check every dossier's event chain and lookup row; exits 1 and lists each break if
    /// one was altered.
    Verify,
    /// Measure motcua on a synthetic province: load it into an empty database, serve it in a
    /// process of its own and put it under load; prints every figure beside its budget.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// How many dossiers: small = 100,000, province = 2,000,000 (over three years, besides the
    /// demo's 5,000).
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// A smoke test in under two minutes: 2,000 dossiers, one second per run; every scenario
    /// runs, no speed is judged.
    #[arg(long)]
    pub quick: bool,
    /// The scenarios to run, comma-separated (default: all): intake, transitions, lookup,
    /// queue, search, bieu06, late, mixed.
    #[arg(long, value_name = "LIST")]
    pub scenarios: Option<String>,
    /// Seconds each closed-loop run lasts (the mixed workload lasts six times as long).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub seconds: u64,
    /// Also write the figures as JSON to FILE ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    Small,
    Province,
}

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// Import a catalogue file: every problem is listed and nothing is written unless all is well.
    Import {
        /// A JSON file (format motcua-catalogue/1), or an XLSX workbook when it ends in .xlsx.
        file: std::path::PathBuf,
    },
    /// Export the catalogue in force: an XLSX workbook when FILE ends in .xlsx, else JSON, to a
    /// file or standard output.
    Export {
        /// Where to write; standard output (JSON) if absent.
        file: Option<std::path::PathBuf>,
        /// The day whose catalogue to export (YYYY-MM-DD); today if absent.
        #[arg(long)]
        date: Option<String>,
    },
    /// Write an empty catalogue workbook to fill in: every sheet's headers and the instructions.
    Template {
        /// The workbook to write (.xlsx).
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; prints its initial password, which must be changed at first sign-in.
    Create(CreateUserArgs),
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// The login name (lower-case letters, digits, . _ - @).
    #[arg(long)]
    pub login: String,
    /// The person's full name.
    #[arg(long)]
    pub full_name: String,
    /// Grant the province administrator role.
    #[arg(long)]
    pub admin: bool,
    /// The agency the person works in, by electronic identifier.
    #[arg(long, value_name = "IDENTIFIER")]
    pub agency: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("limit").required(true).args(["working_days", "hours", "calendar_days", "months", "same_day"])))]
pub struct DueArgs {
    /// When the complete dossier was received, Vietnam time: "YYYY-MM-DD HH:MM".
    #[arg(long, value_name = "\"YYYY-MM-DD HH:MM\"")]
    pub received: String,
    /// Time limit in working days (fractions allowed: 0.5, 1.25).
    #[arg(long, value_name = "N")]
    pub working_days: Option<String>,
    /// Time limit in working hours.
    #[arg(long, value_name = "N")]
    pub hours: Option<String>,
    /// Time limit in calendar days.
    #[arg(long, value_name = "N")]
    pub calendar_days: Option<String>,
    /// Time limit in months.
    #[arg(long, value_name = "N")]
    pub months: Option<String>,
    /// Due within the day of receipt.
    #[arg(long)]
    pub same_day: bool,
    /// Count the day of receipt as the first day.
    #[arg(long)]
    pub count_receipt_day: bool,
    /// Ignore the daily cut-off (a receipt after it still counts on its day).
    #[arg(long)]
    pub no_cutoff: bool,
    /// Use this agency's office hours (its electronic identifier, from [calendar.agencies]).
    #[arg(long, value_name = "ID")]
    pub agency: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LunarArgs {
    /// A solar date, YYYY-MM-DD.
    #[arg(value_name = "YYYY-MM-DD", required_unless_present = "to_solar")]
    pub date: Option<String>,
    /// Convert a lunar date, d/m/yyyy, to the solar calendar instead.
    #[arg(long, value_name = "d/m/yyyy", conflicts_with = "date")]
    pub to_solar: Option<String>,
    /// With --to-solar: the month is the leap (nhuận) month.
    #[arg(long, requires = "to_solar")]
    pub leap: bool,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on (default: 127.0.0.1:8080).
    #[arg(long, env = "MOTCUA_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub struct MigrateDbArgs {
    /// The database to copy from; it is only read.
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The database to copy into; it must be empty.
    #[arg(long, value_name = "URL")]
    pub to: String,
}
