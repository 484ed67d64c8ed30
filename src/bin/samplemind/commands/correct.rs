//! `samplemind correct`.

use samplemind::library::browse::{self, Edit};
use samplemind::library::view;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::CorrectArgs;

/// `Some(None)` to clear, `Some(Some(v))` to set, `None` to leave as it is.
fn field<T>(clear: bool, value: Option<T>) -> Option<Option<T>> {
    if clear {
        Some(None)
    } else {
        value.map(Some)
    }
}

pub fn run(lib: &Library, args: CorrectArgs) -> Result<Outcome, Error> {
    let edit = Edit {
        category: field(args.clear_category, args.category),
        bpm: field(args.clear_bpm, args.bpm),
        key: field(args.clear_key, args.key),
        root_note: field(args.clear_root, args.root),
        is_loop: field(
            args.clear_loop,
            (args.is_loop || args.one_shot).then_some(args.is_loop),
        ),
    };
    let ids = args
        .query
        .iter()
        .map(|q| browse::resolve(lib, q).map(|r| r.hash.to_hex()))
        .collect::<Result<Vec<_>, _>>()?;
    for rec in browse::correct_many(lib, &ids, &edit)? {
        if args.json {
            println!(
                "{}",
                serde_json::to_string(&view::summarise(lib, &rec.path, &rec))?
            );
            continue;
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
        let c = &rec.corrections;
        println!("{}", rec.path.display());
        println!("  category  {category}{}", whose(c.category.is_some()));
        println!("  tempo     {bpm}{}", whose(c.bpm.is_some()));
        println!(
            "  key       {}{}",
            rec.key().unwrap_or("-"),
            whose(c.key.is_some())
        );
        println!(
            "  root      {}{}",
            rec.root_note().unwrap_or("-"),
            whose(c.root_note.is_some())
        );
        println!(
            "  type      {}{}",
            if rec.is_loop() { "loop" } else { "one-shot" },
            whose(c.is_loop.is_some())
        );
    }
    Ok(Outcome::Clean)
}
