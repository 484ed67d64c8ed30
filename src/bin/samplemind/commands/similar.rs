//! `samplemind similar`.

use std::sync::Arc;

use samplemind::analysis::AnalysisOptions;
use samplemind::ml::Models;
use samplemind::search::similar::{probe_for, SimilarIndex};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::SimilarArgs;
use crate::output;

pub fn run(
    lib: &Library,
    args: SimilarArgs,
    models: Option<Arc<Models>>,
) -> Result<Outcome, Error> {
    if models.is_none() {
        output::error(&"local models are off: similarity uses the DSP figures only");
    }
    let mut opts = AnalysisOptions::default();
    opts.models = models;
    let (hits, problems) = match (&args.query, args.record) {
        (_, Some(seconds)) => (by_sound(lib, &args, seconds, &opts)?, Vec::new()),
        (Some(query), None) => {
            let (probe, own) = probe_for(lib, query, &opts)?;
            let (index, problems) = SimilarIndex::build(lib);
            (index.query(&probe, args.aspect, args.count, own), problems)
        }
        (None, None) => return Err("give a file, a sample id, or --record SECONDS".into()),
    };
    for p in &problems {
        output::error(p);
    }
    if args.json {
        for h in &hits {
            println!("{}", serde_json::to_string(h)?);
        }
    } else if hits.is_empty() {
        println!("the library has no other samples");
    } else {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::NOTHING)
            .set_header(["#", "score", "category", "file"]);
        for (i, h) in hits.iter().enumerate() {
            t.add_row([
                (i + 1).to_string(),
                format!("{:.3}", h.score),
                h.category.clone().unwrap_or_else(|| "-".into()),
                h.path.display().to_string(),
            ]);
        }
        println!("{t}");
    }
    Ok(if problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}

/// `similar --record SECONDS`: the nearest one-shots to a sound made at the input.
#[cfg(feature = "device")]
fn by_sound(
    lib: &Library,
    args: &SimilarArgs,
    seconds: f64,
    opts: &AnalysisOptions,
) -> Result<Vec<samplemind::search::similar::Neighbour>, Error> {
    use std::sync::atomic::AtomicBool;
    if !(0.1..=60.0).contains(&seconds) {
        return Err(format!("--record: {seconds} s (0.1 to 60)").into());
    }
    let scratch = tempfile::Builder::new()
        .prefix("samplemind-take-")
        .suffix(".wav")
        .tempfile()?;
    eprintln!("listening for {seconds} s…");
    let found = samplemind::find_by_sound::find_by_sound(
        lib,
        scratch.path(),
        args.device.clone(),
        seconds,
        args.aspect,
        args.count,
        opts,
        &AtomicBool::new(false),
        &mut |_| {},
    )?;
    eprintln!(
        "heard {:.2} s (peak {:.1} dBFS)",
        found.take.frames as f64 / f64::from(found.take.sample_rate.max(1)),
        found.take.peak_db
    );
    if let Some(keep) = &args.keep {
        std::fs::copy(scratch.path(), keep).map_err(|e| format!("{}: {e}", keep.display()))?;
        eprintln!("the take is kept in {}", keep.display());
    }
    Ok(found.neighbours)
}

#[cfg(not(feature = "device"))]
fn by_sound(
    _lib: &Library,
    _args: &SimilarArgs,
    _seconds: f64,
    _opts: &AnalysisOptions,
) -> Result<Vec<samplemind::search::similar::Neighbour>, Error> {
    Err(
        "--record needs audio devices: this samplemind was built without the `device` feature"
            .into(),
    )
}
