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
