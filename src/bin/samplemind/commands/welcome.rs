//! `samplemind` with no command: where the library is and the first commands to try, instead
//! of clap's "requires a subcommand".

use std::path::PathBuf;

use super::{Error, Outcome};

/// Print the first steps. The library is named but not opened: another process may hold it,
/// and a greeting must not fail.
pub fn run(library: Option<PathBuf>) -> Result<Outcome, Error> {
    let dir = samplemind::config::library_dir(library);
    let state = if dir.join("store").exists() {
        "exists"
    } else {
        "not created yet: the first scan makes it"
    };
    println!(
        "SampleMind {}: scan your samples once, then search them by words, filters and sound.

Library: {} ({state})

Start here:
  samplemind scan                      analyse the seven demo sounds (assets/demo)
  samplemind scan ~/Samples            analyse your own folders (as many as you like)
  samplemind search kick --bpm 120..130 --key \"A minor\" --loop
  samplemind similar FILE              the sounds most like FILE
  samplemind health                    what is on, what is off, and how to turn it on

Every command: samplemind --help",
        env!("CARGO_PKG_VERSION"),
        dir.display(),
    );
    Ok(Outcome::Clean)
}
