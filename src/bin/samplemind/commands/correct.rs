//! `samplemind correct`.

use samplemind::library::browse::{self, Edit};
use samplemind::library::view;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::CorrectArgs;

pub fn run(lib: &Library, args: CorrectArgs) -> Result<Outcome, Error> {
    let edit = Edit {
        category: if args.clear_category {
            Some(None)
        } else {
            args.category.map(Some)
        },
        bpm: if args.clear_bpm {
            Some(None)
        } else {
            args.bpm.map(Some)
        },
    };
    let found = browse::resolve(lib, &args.query)?;
    let rec = browse::correct(lib, &found.hash.to_hex(), &edit)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&view::summarise(lib, &rec.path, &rec))?
        );
        return Ok(Outcome::Clean);
    }
    let whose = |by_hand: bool| if by_hand { " (set by you)" } else { "" };
    let category = match rec.category() {
        Some(c) if rec.category_is_unsure() => format!("{c}? (an unsure guess)"),
        Some(c) => c.to_string(),
        None => "-".into(),
    };
    let bpm = rec
        .bpm()
        .map_or_else(|| "-".into(), |b| format!("{b:.1} BPM"));
    println!("{}", rec.path.display());
    println!(
        "  category  {category}{}",
        whose(rec.corrections.category.is_some())
    );
    println!("  tempo     {bpm}{}", whose(rec.corrections.bpm.is_some()));
    Ok(Outcome::Clean)
}
