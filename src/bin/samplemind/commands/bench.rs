//! `samplemind bench`.

use std::path::PathBuf;

use samplemind::bench;

use super::{Error, Outcome};
use crate::cli::BenchArgs;

/// The DEV corpus built by ../shared/eval/build-dev-corpus.sh, where it puts it by default.
fn default_corpus() -> PathBuf {
    let cache = std::env::var_os("SAMPLEMIND_EVAL_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|c| c.join("samplemind-eval"))
        });
    match cache.map(|c| c.join("corpus-dev")) {
        Some(c) if c.is_dir() => c,
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
    }
}

pub fn run(args: BenchArgs) -> Result<Outcome, Error> {
    let corpus = args.corpus.unwrap_or_else(default_corpus);
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let work = tempfile::tempdir()?;
    eprintln!(
        "samplemind bench: {} ({} threads)",
        corpus.display(),
        threads
    );
    let r = bench::pipeline(&corpus, work.path(), threads, args.tree_files, |step| {
        eprintln!("  {step}…")
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(Outcome::Clean);
    }
    let row = |name: &str, s: &bench::Spread| {
        println!(
            "{name:<28} {:>9.2} {:>9.2} {:>9.2} {:>10.0}",
            s.median_ms, s.p10_ms, s.p90_ms, s.total_ms
        )
    };
    println!("{} files, {:.0} s of audio", r.files, r.audio_seconds);
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>10}",
        "per file, one core (ms)", "median", "p10", "p90", "total"
    );
    row("decode only", &r.decode);
    row("decode + analysis", &r.analyse);
    println!(
        "analysis / decode            {:>9.2}x   (target ≤ 1.5x)",
        r.analyse_over_decode
    );
    println!(
        "analysis speed, one core     {:>9.0}x realtime",
        r.realtime_factor
    );
    println!(
        "first scan, {} threads        {:>9.1} files/s",
        r.threads, r.scan_files_per_s
    );
    println!("rescan, unchanged            {:>9.3} s", r.rescan_s);
    if r.big_tree_files > 0 {
        println!(
            "rescan, {} unchanged files {:>7.3} s   (target < 1 s for 10,000)",
            r.big_tree_files, r.big_tree_rescan_s
        );
    }
    for f in &r.failed {
        eprintln!("samplemind: {f}");
    }
    Ok(Outcome::Clean)
}
