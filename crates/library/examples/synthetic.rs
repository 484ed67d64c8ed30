//! Write a synthetic library of `N` records into `DIR`, to measure a face over a library of
//! that size (`samplemind search --library DIR ...` under `/usr/bin/time -v`):
//!
//! `cargo run --release -p samplemind-library --features synthetic --example synthetic -- DIR N`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(Ok(n))) = (args.next(), args.next().map(|n| n.parse::<usize>())) else {
        eprintln!("usage: synthetic DIR N");
        return ExitCode::from(2);
    };
    match samplemind_library::synthetic::synthetic_library(&PathBuf::from(&dir), n) {
        Ok(_) => {
            println!("{n} records in {dir}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{dir}: {e}");
            ExitCode::FAILURE
        }
    }
}
