//! `samplemind mark`.

use samplemind::library::{browse, curation, CurationEdit, Region};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::MarkArgs;

/// "0.5-1.25" (seconds) → the region between them; the same two points select nothing.
pub(crate) fn parse_region(s: &str) -> Result<Option<Region>, Error> {
    let bad = || format!("--region {s:?}: two times in seconds, \"START-END\" (e.g. 0.5-1.25)");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let ms = |t: &str| -> Result<u32, Error> {
        let v: f64 = t.trim().parse().map_err(|_| bad())?;
        if !(0.0..=86_400.0).contains(&v) {
            return Err(bad().into());
        }
        Ok((v * 1000.0).round() as u32)
    };
    Ok(Region::between(ms(a)?, ms(b)?))
}

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
        region: if args.no_region {
            Some(None)
        } else {
            args.region.as_deref().map(parse_region).transpose()?
        },
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
    println!(
        "  region    {}",
        s.region.map_or_else(
            || "-".to_string(),
            |r| format!("{:.3}–{:.3} s", r.seconds().0, r.seconds().1)
        )
    );
    Ok(Outcome::Clean)
}
