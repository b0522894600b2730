//! The `motcua` binary: configuration, wiring and the command line.

mod bench;
mod calendar_commands;
mod cli;
mod commands;
mod config;
mod demo;
mod demo_dossiers;
mod serve;
mod working_time;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command, ServeArgs};

/// mimalloc in place of glibc's allocator: a status lookup makes some two hundred small
/// allocations, and glibc's took a fifth of its instructions; it also keeps less memory after
/// the large answers (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A failure to report as one line on stderr, with the process's exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    /// Something about the invocation or the configuration (exit code 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    /// Something that went wrong while running (exit code 1).
    pub fn run(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            // clap explains at length; its first paragraph, on one line, is what we promise.
            let rendered = err.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let first = first.join(" ");
            let first = first.strip_prefix("error: ").unwrap_or(&first);
            eprintln!("error: {first}; run 'motcua --help' to see the options");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => serve::run(&cli.global, &ServeArgs::default()).await,
            Some(Command::Serve(args)) => serve::run(&cli.global, &args).await,
            Some(Command::Migrate) => commands::migrate(&cli.global).await,
            Some(Command::MigrateDb(args)) => commands::migrate_db(&cli.global, &args).await,
            Some(Command::Due(args)) => calendar_commands::due(&cli.global, &args).await,
            Some(Command::Lunar(args)) => calendar_commands::lunar(&args),
            Some(Command::Demo) => commands::demo(&cli.global).await,
            Some(Command::Catalogue(cmd)) => commands::catalogue(&cli.global, &cmd).await,
            Some(Command::Verify) => commands::verify(&cli.global).await,
            Some(Command::Bench(args)) => bench::run(&cli.global, &args).await,
            Some(Command::User(cli::UserCommand::Create(args))) => {
                commands::create_user(&cli.global, &args).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
