//! `samplemind midi`.

use samplemind::audio::decode_mono;
use samplemind::ml::basic_pitch::{notes, NoteOptions};
use samplemind::ml::midi_file;

use super::{Error, Outcome};
use crate::cli::MidiArgs;

/// Longest stretch transcribed: a sample, not an album.
const MAX_SECONDS: f64 = 600.0;

pub fn run(args: MidiArgs, no_models: bool) -> Result<Outcome, Error> {
    if no_models {
        return Err("midi needs the local models (drop --no-models)".into());
    }
    let settings = samplemind::config::Settings::load()?;
    let models = samplemind::ml::open(&settings.ml)?;
    let (info, mono) = decode_mono(&args.file, Some(MAX_SECONDS))?;
    let found = notes(&models, &mono, info.sample_rate, &NoteOptions::default())
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.file.with_extension("mid"));
    midi_file::write(&out, &found).map_err(|e| format!("{}: {e}", out.display()))?;
    if args.json {
        for n in &found {
            println!(
                "{}",
                serde_json::json!({
                    "start_s": n.start_s, "end_s": n.end_s, "midi": n.midi,
                    "note": samplemind::analysis::pitch::note_name(n.midi),
                    "velocity": n.velocity,
                })
            );
        }
    }
    eprintln!("{} notes written to {}", found.len(), out.display());
    Ok(Outcome::Clean)
}
