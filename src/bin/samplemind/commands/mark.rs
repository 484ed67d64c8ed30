//! `samplemind mark`.

use samplemind::library::{browse, curation, CurationEdit};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::MarkArgs;

pub fn run(lib: &Library, args: MarkArgs) -> Result<Outcome, Error> {
    let edit = CurationEdit {
        favourite: if args.fav {
            Some(true)
        } else if args.unfav {
            Some(false)
        } else {
            None
        },
        rating: args.rating,
        colour: if args.no_colour {
            Some(None)
        } else {
            args.colour
                .as_deref()
                .map(str::parse)
                .transpose()?
                .map(Some)
        },
        add_tags: args.tag,
        remove_tags: args.untag,
    };
    let found = browse::resolve(lib, &args.query)?;
    let s = curation::mark(lib, &found.hash.to_hex(), &edit)?;
    if args.json {
        println!("{}", serde_json::to_string(&s)?);
        return Ok(Outcome::Clean);
    }
    println!("{}", s.path);
    println!("  favourite {}", if s.favourite { "★ yes" } else { "no" });
    println!(
        "  rating    {}",
        if s.rating == 0 {
            "unrated".to_string()
        } else {
            "★".repeat(s.rating.into())
        }
    );
    println!(
        "  colour    {}",
        s.colour.map_or_else(|| "-".to_string(), |c| c.to_string())
    );
    println!(
        "  tags      {}",
        if s.user_tags.is_empty() {
            "-".to_string()
        } else {
            s.user_tags.join(", ")
        }
    );
    Ok(Outcome::Clean)
}
