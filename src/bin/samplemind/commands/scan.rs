//! `samplemind scan`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use samplemind::library::{scan, PathStatus, ScanEvent, ScanOptions};
use samplemind::ml::Models;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::ScanArgs;
use crate::output;

/// The demo folder, relative to the working directory or to the source tree.
fn demo_dir() -> PathBuf {
    let here = PathBuf::from("assets/demo");
    if here.is_dir() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
    }
}

pub fn run(lib: &Library, args: ScanArgs, models: Option<Arc<Models>>) -> Result<Outcome, Error> {
    let roots = if args.paths.is_empty() {
        vec![demo_dir()]
    } else {
        args.paths.clone()
    };
    let mut opts = ScanOptions::default();
    opts.analysis.models = models;
    opts.share = samplemind::studio::analysis_share(&samplemind::config::Settings::load()?);
    if let Some(t) = args.threads {
        opts.threads = t.max(1);
    }

    // First Ctrl-C: finish the files in flight and keep everything done. Second: quit now.
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = Arc::clone(&cancel);
        let _ = ctrlc::set_handler(move || {
            if cancel.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!(
                "\nsamplemind: stopping after the files in flight (Ctrl-C again to quit now)"
            );
        });
    }

    let first_scan = lib.has_no_samples();
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("indexing");
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut on_event = |ev: &ScanEvent<'_>| match ev {
        ScanEvent::Indexed {
            files,
            unchanged,
            to_analyse,
        } => {
            bar.set_length(*to_analyse);
            bar.set_message("analysing");
            bar.println(format!(
                "indexed {files} audio files: {unchanged} unchanged, {to_analyse} to analyse"
            ));
        }
        ScanEvent::Analysed { .. } => bar.inc(1),
    };
    let report = scan(lib, &roots, &opts, &cancel, &mut on_event)?;
    bar.finish_and_clear();

    for f in &report.failures {
        output::error(&f.message);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(lib, &roots, args.table_rows);
        println!(
            "{} files: {} analysed{}{}, {} unchanged, {} reused (duplicates or moved), {} missing, {} failed{} — index {:.2} s, analysis {:.2} s{}",
            report.files,
            report.analysed,
            if report.outdated > 0 {
                format!(" ({} by an older analyser)", report.outdated)
            } else {
                String::new()
            },
            if report.shared > 0 {
                format!(", {} from the studio's shared analyses", report.shared)
            } else {
                String::new()
            },
            report.unchanged,
            report.reused,
            report.missing,
            report.failures.len(),
            if report.failed_before > 0 {
                format!(
                    " ({} more failed before and are unchanged: not tried again)",
                    report.failed_before
                )
            } else {
                String::new()
            },
            report.index_seconds,
            report.analyse_seconds,
            if report.cancelled { " (stopped early: run the scan again to finish)" } else { "" },
        );
        println!("library: {}", lib.dir().display());
        if first_scan && report.analysed + report.shared > 0 {
            println!(
                "search it: samplemind search [WORDS] [--bpm 120..130] [--key \"A minor\"] [--loop|--one-shot]\n           samplemind similar FILE    (samplemind --help lists every command)"
            );
        }
    }
    Ok(if report.failures.is_empty() && !report.cancelled {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}

/// The analysed samples under the scanned roots, up to `limit` rows.
fn print_table(lib: &Library, roots: &[PathBuf], limit: usize) {
    if limit == 0 {
        return;
    }
    let roots: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    let (entries, problems) = lib.entries();
    for p in problems {
        output::error(&p);
    }
    let under: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.entry.status == PathStatus::Analysed && roots.iter().any(|r| e.path.starts_with(r))
        })
        .filter_map(|e| e.sample.as_ref().map(|s| (e.path.as_path(), s.corrected())))
        .collect();
    if under.is_empty() {
        return;
    }
    let table = output::sample_table(under.iter().take(limit).map(|(p, a)| (*p, a)));
    println!("{table}");
    if under.len() > limit {
        println!(
            "… and {} more (samplemind search, or --table-rows N)",
            under.len() - limit
        );
    }
}
