//! `samplemind`: the command-line face of SampleMind. Each subcommand parses its input, calls
//! the core library and renders what comes back; no feature lives here.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// Exit status: everything worked.
const EXIT_OK: u8 = 0;
/// Exit status: the command ran, but some files failed.
const EXIT_SOME_FAILED: u8 = 1;
/// Exit status: the command could not run (bad arguments, unusable library).
const EXIT_FATAL: u8 = 2;

thread_local! {
    /// When this process started, for health's uptime.
    static STARTED: std::time::Instant = std::time::Instant::now();
}

fn main() -> ExitCode {
    STARTED.with(|_| ());
    // Rust ignores SIGPIPE, so a print into a closed pipe (`samplemind search | head`)
    // panics. The default action ends the process quietly, as for every Unix tool.
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SAMPLEMIND_LOG")
                // Only our own warnings by default: decoders log recoverable oddities (junk
                // bytes, probe retries) that the per-file error already sums up.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("samplemind=warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match commands::run(args) {
        Ok(commands::Outcome::Clean) => ExitCode::from(EXIT_OK),
        Ok(commands::Outcome::SomeFailed) => ExitCode::from(EXIT_SOME_FAILED),
        Err(e) => {
            output::error(&e);
            ExitCode::from(EXIT_FATAL)
        }
    }
}
