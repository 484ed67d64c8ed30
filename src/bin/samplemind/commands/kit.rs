//! `samplemind kit`.

use std::sync::Arc;

use samplemind::library::browse;
use samplemind::library::kit::{export, suggest, Kit, Slot};
use samplemind::ml::Models;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::KitArgs;

pub fn run(lib: &Library, args: KitArgs, models: Option<Arc<Models>>) -> Result<Outcome, Error> {
    let mut kit = match &args.around {
        Some(seed) => {
            let id = browse::resolve(lib, seed)?.hash.to_hex();
            suggest(
                lib,
                &id,
                &samplemind::analysis::AnalysisOptions::with_models(models),
            )?
        }
        None => Kit::default(),
    };
    let picked = [
        (Slot::Kick, &args.kick),
        (Slot::Snare, &args.snare),
        (Slot::Clap, &args.clap),
        (Slot::ClosedHat, &args.hat),
        (Slot::OpenHat, &args.open_hat),
        (Slot::Tom, &args.tom),
        (Slot::Cymbal, &args.cymbal),
        (Slot::Percussion, &args.perc),
    ];
    for (slot, query) in picked {
        if let Some(q) = query {
            let id = browse::resolve(lib, q)?.hash.to_hex();
            kit.set(lib, slot, &id)?;
        }
    }
    if kit.pads.is_empty() {
        return Err(
            "no sound for any pad (scan some drums, or name them with --kick, --snare...)".into(),
        );
    }
    let written = export(lib, &kit, &args.out, &args.name)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&serde_json::json!({"kit": kit, "export": written}))?
        );
        return Ok(Outcome::Clean);
    }
    for p in &kit.pads {
        println!("{:>3} {:<11} {}", p.note, p.slot.name(), p.path);
    }
    println!(
        "wrote {} and {} with {} samples",
        written.sfz.display(),
        written.dspreset.display(),
        written.samples
    );
    Ok(Outcome::Clean)
}
