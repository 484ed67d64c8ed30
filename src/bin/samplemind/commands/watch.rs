//! `samplemind watch`: keep the library up to date with its folders until Ctrl-C.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use samplemind::library::watch::{watch, WatchOptions};
use samplemind::library::ScanOptions;
use samplemind::ml::Models;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::WatchArgs;
use crate::output;

pub fn run(lib: &Library, args: WatchArgs, models: Option<Arc<Models>>) -> Result<Outcome, Error> {
    let folders: Vec<PathBuf> = if args.folders.is_empty() {
        samplemind::library::watch::library_folders(lib, &[])
    } else {
        args.folders
            .iter()
            .map(|f| std::fs::canonicalize(f).map_err(|e| format!("{}: {e}", f.display())))
            .collect::<Result<_, _>>()?
    };
    let mut opts = ScanOptions::default();
    opts.analysis.models = models;
    opts.share = samplemind::studio::analysis_share(&samplemind::config::Settings::load()?);
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    if !args.json {
        for f in &folders {
            eprintln!("watching {}", f.display());
        }
        eprintln!("(Ctrl-C stops)");
    }
    let json = args.json;
    let mut on_batch = |b: &samplemind::library::watch::WatchBatch| {
        for f in &b.scan.failures {
            output::error(&f.message);
        }
        if json {
            if let Ok(line) = serde_json::to_string(b) {
                println!("{line}");
            }
        } else {
            println!(
                "{} changed: {} analysed, {} unchanged or known, {} gone, {} failed",
                b.changed,
                b.scan.analysed,
                b.scan.unchanged + b.scan.reused,
                b.gone,
                b.scan.failures.len()
            );
        }
    };
    watch(
        lib,
        &folders,
        &opts,
        &WatchOptions::default(),
        &stop,
        &mut on_batch,
        &mut |_| {},
    )?;
    Ok(Outcome::Clean)
}
