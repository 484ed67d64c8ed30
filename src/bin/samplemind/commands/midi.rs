//! `samplemind midi`.

use samplemind::ml::midi_file;

use super::{Error, Outcome};
use crate::cli::MidiArgs;

pub fn run(args: MidiArgs, no_models: bool) -> Result<Outcome, Error> {
    if no_models {
        return Err("midi needs the local models (drop --no-models)".into());
    }
    let settings = samplemind::config::Settings::load()?;
    let models = samplemind::ml::open(&settings.ml)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.file.with_extension("mid"));
    let found = midi_file::transcribe(&models, &args.file, &out)?;
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
