//! `samplemind duplicates`.

use samplemind::search::duplicates;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::DuplicatesArgs;

pub fn run(lib: &Library, args: DuplicatesArgs) -> Result<Outcome, Error> {
    if args.near {
        let floor = args.threshold.unwrap_or(duplicates::NEAR_THRESHOLD);
        let pairs = duplicates::near_pairs(lib, floor);
        if args.json {
            println!("{}", serde_json::to_string(&pairs)?);
        } else if pairs.is_empty() {
            println!("no near-duplicates at {floor} (they need the local models' embeddings)");
        } else {
            for p in &pairs {
                println!(
                    "{:.3}  {}
       {}",
                    p.score, p.a_path, p.b_path
                );
            }
        }
        return Ok(Outcome::Clean);
    }
    let mut groups = duplicates::exact(lib);
    if args.keep_first || args.show_all {
        groups = groups
            .iter()
            .map(|g| {
                if args.keep_first {
                    duplicates::keep_one(lib, &g.id, None)
                } else {
                    duplicates::show_all(lib, &g.id)
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if args.json {
        println!("{}", serde_json::to_string(&groups)?);
        return Ok(Outcome::Clean);
    }
    if groups.is_empty() {
        println!("no sound is at two paths");
    }
    for g in &groups {
        println!("{} ({} copies)", &g.id[..12], g.paths.len());
        for p in &g.paths {
            println!("  {}{}", p.path, if p.hidden { "  (hidden)" } else { "" });
        }
    }
    let hidden: usize = groups
        .iter()
        .map(|g| g.paths.iter().filter(|p| p.hidden).count())
        .sum();
    if !groups.is_empty() {
        println!(
            "{} sounds at more than one path; {hidden} copies hidden from searches",
            groups.len()
        );
    }
    Ok(Outcome::Clean)
}
