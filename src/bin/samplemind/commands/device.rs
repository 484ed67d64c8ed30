//! `samplemind devices`, `play` and `record`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use samplemind::analysis::pitch::midi_of;
use samplemind::audio::device::{
    list_devices, midi, record as record_take, AudioEngine, PlayOptions, RecordOptions, Sampler,
};
use samplemind::audio::stretch::Stretch;
use samplemind::library::{scan, ScanOptions};
use samplemind::sync::{analysis_of, plan, Project};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::{JsonFlag, PadsArgs, PlayArgs, RecordArgs};
use crate::output;

/// A Ctrl-C flag: the first press asks to stop, a second one quits.
fn ctrl_c_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || {
        if s.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    stop
}

pub fn devices(args: JsonFlag) -> Result<Outcome, Error> {
    let list = list_devices()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(Outcome::Clean);
    }
    for d in &list {
        let dir = match (d.input, d.output) {
            (true, true) => "in/out",
            (true, false) => "in",
            _ => "out",
        };
        let def = if d.default_input || d.default_output {
            " (default)"
        } else {
            ""
        };
        println!("{:<6} {}  {}{def}", dir, d.id, d.name);
    }
    Ok(Outcome::Clean)
}

pub fn play(args: PlayArgs, lib: Option<&Library>) -> Result<Outcome, Error> {
    let stop = ctrl_c_flag();
    let stretch = sync_plan(&args, lib)?;
    let mut opts = PlayOptions::on(args.device);
    opts.looped = args.looped;
    opts.transpose = args.transpose;
    opts.gain_db = args.gain;
    opts.start_s = args.start;
    opts.stretch = stretch;
    opts.region = match &args.region {
        Some(r) => super::mark::parse_region(r)?.map(|r| r.seconds()),
        None => None,
    };
    let mut engine = AudioEngine::new();
    engine.play(&args.file, &opts)?;
    while engine.is_playing() && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10));
        // A lost device or a dead server: carry on from here on the default output.
        engine.supervise()?;
    }
    let stats = engine.stats().unwrap_or_default();
    engine.stop();
    if engine.reopened() > 0 {
        output::error(&format!(
            "{}: the output failed and was reopened {} time(s)",
            args.file.display(),
            engine.reopened()
        ));
    }
    if stats.underruns > 0 {
        tracing::warn!("{} buffer underruns", stats.underruns);
    }
    Ok(Outcome::Clean)
}

/// `samplemind pads`: the one-shot on the output, played by a MIDI input until Ctrl-C.
pub fn pads(args: PadsArgs, lib: Option<&Library>) -> Result<Outcome, Error> {
    let root = match &args.root {
        Some(n) => midi_of(n).ok_or_else(|| format!("--root {n:?} is not a note (try \"A2\")"))?,
        None => analysis_of(lib, &args.file)?
            .root_note
            .as_deref()
            .and_then(midi_of)
            .unwrap_or(60),
    };
    let (sampler, notes) = Sampler::start(&args.file, root, args.device.as_deref())?;
    let input = midi::connect(args.midi.as_deref(), notes)?;
    eprintln!(
        "{}: root {}, from MIDI input {:?} at {} Hz; Ctrl-C stops",
        args.file.display(),
        samplemind::analysis::pitch::note_name(root),
        input.name,
        sampler.device_rate
    );
    let stop = ctrl_c_flag();
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if sampler.dropped() > 0 {
        tracing::warn!(
            "{} notes dropped (more than 256 between two buffers)",
            sampler.dropped()
        );
    }
    Ok(Outcome::Clean)
}

/// With `--bpm`, `--key` or `--note`: how the file plays in the project, told on stderr.
fn sync_plan(args: &PlayArgs, lib: Option<&Library>) -> Result<Option<Stretch>, Error> {
    if args.bpm.is_none() && args.key.is_none() && args.note.is_none() {
        return Ok(None);
    }
    let project = Project::new(args.bpm, args.key.as_deref());
    project.check()?;
    let note = match &args.note {
        Some(n) => {
            Some(midi_of(n).ok_or_else(|| format!("--note {n:?} is not a note (try \"C3\")"))?)
        }
        None => None,
    };
    let analysis = analysis_of(lib, &args.file)?;
    let plan = plan(&analysis, &project, note);
    let mut told = Vec::new();
    if let (Some(bpm), Some(bars)) = (plan.bpm, plan.bars) {
        told.push(format!("{bars:.1} bars at {bpm:.1} BPM"));
    }
    if let Some(k) = plan.key.as_ref().or(plan.note.as_ref()) {
        told.push(format!("in {k}"));
    }
    let mut line = if plan.stretch.is_some() {
        format!("plays {}", told.join(" "))
    } else {
        "plays as it is".to_string()
    };
    if let Some(s) = plan.stretch {
        line.push_str(&format!(
            " ({:+.0} semitones, {:.1} % of its length)",
            s.semitones,
            s.duration * 100.0
        ));
    }
    for n in &plan.notes {
        line.push_str("; ");
        line.push_str(n);
    }
    eprintln!("{}: {line}", args.file.display());
    Ok(plan.stretch)
}

pub fn record(
    lib: &Library,
    args: RecordArgs,
    models: Option<std::sync::Arc<samplemind::ml::Models>>,
) -> Result<Outcome, Error> {
    let stop = ctrl_c_flag();
    let mut opts = RecordOptions::on(args.device, args.seconds);
    opts.trim = args.trim;
    opts.normalise = args.normalise;
    let mut meter = |l: samplemind::audio::device::Level| {
        let bars = ((l.peak_db + 60.0).max(0.0) / 2.0) as usize;
        eprint!(
            "\r{:<30} {:>6.1} dBFS{}",
            "#".repeat(bars.min(30)),
            l.peak_db,
            if l.clipped { " CLIP" } else { "     " }
        );
    };
    let take = record_take(&args.out, &opts, &stop, &mut meter)?;
    eprintln!();
    println!(
        "{}: {:.2} s, {} Hz, {} ch, peak {:.1} dBFS{}{}",
        take.path.display(),
        take.frames as f64 / take.sample_rate as f64,
        take.sample_rate,
        take.channels,
        take.peak_db,
        if take.clipped_samples > 0 {
            format!(", {} clipped samples", take.clipped_samples)
        } else {
            String::new()
        },
        if take.trimmed_s > 0.0 {
            format!(", {:.2} s of silence trimmed", take.trimmed_s)
        } else {
            String::new()
        },
    );
    if args.no_library {
        return Ok(Outcome::Clean);
    }
    // The take joins the library like any scanned file.
    let never = AtomicBool::new(false);
    let mut opts = ScanOptions::default();
    opts.analysis.models = models;
    let report = scan(
        lib,
        std::slice::from_ref(&take.path),
        &opts,
        &never,
        &mut |_| {},
    )?;
    for f in &report.failures {
        output::error(&f.message);
    }
    let (entries, _) = lib.entries();
    let canon = std::fs::canonicalize(&take.path).unwrap_or(take.path.clone());
    let rows: Vec<_> = entries
        .iter()
        .filter(|e| e.path == canon)
        .filter_map(|e| e.sample.as_ref().map(|s| (e.path.as_path(), s.corrected())))
        .collect();
    println!(
        "{}",
        output::sample_table(rows.iter().map(|(p, a)| (*p, a)))
    );
    Ok(if report.failures.is_empty() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}
