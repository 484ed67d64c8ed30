//! `samplemind search`.

use std::sync::Arc;

use samplemind::library::view::PageQuery;
use samplemind::ml::Models;
use samplemind::search::{search, Query};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::SearchArgs;
use crate::output::{self, Row};

pub fn run(lib: &Library, args: SearchArgs, models: Option<Arc<Models>>) -> Result<Outcome, Error> {
    let semantic = if args.semantic {
        let words = args.text.join(" ");
        if words.trim().is_empty() {
            return Err("--semantic needs words to search for".into());
        }
        let m = models.ok_or("--semantic needs the local models (see samplemind health)")?;
        Some(samplemind::ml::text::embed(&m, &[&words])?.remove(0))
    } else {
        None
    };
    let (bpm_min, bpm_max) = args.bpm.unzip();
    let (min_duration_s, max_duration_s) = args.duration.map(|(a, b)| (a as f64, b as f64)).unzip();
    let (lufs_min, lufs_max) = args.lufs.unzip();
    let words: Vec<String> = args
        .text
        .iter()
        .cloned()
        .chain(args.not.iter().map(|w| format!("-{w}")))
        .collect();
    let page = PageQuery {
        text: (!words.is_empty()).then(|| words.join(" ")),
        bpm_min,
        bpm_max,
        key: args.key,
        key_compatible: args.compatible,
        root: args.root,
        folder: args
            .folder
            .map(|f| std::fs::canonicalize(&f).unwrap_or(f).display().to_string()),
        category: args.category,
        is_loop: if args.is_loop {
            Some(true)
        } else if args.one_shot {
            Some(false)
        } else {
            None
        },
        min_duration_s,
        max_duration_s,
        lufs_min,
        lufs_max,
        tags: args.tag,
        favourite: args.fav,
        min_rating: args.rating,
        colour: args.colour.as_deref().map(str::parse).transpose()?,
        collection: args.collection,
        ..PageQuery::default()
    };
    if args.facets {
        let (f, problems) = samplemind::search::facets::facets(lib, &page.search_query())?;
        for p in &problems {
            output::error(p);
        }
        if args.json {
            println!("{}", serde_json::to_string(&f)?);
        } else {
            let list = |v: &[samplemind::search::facets::Count]| {
                v.iter()
                    .map(|c| format!("{} {}", c.value, c.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "{} samples: {} loops, {} one-shots, {} favourites",
                f.total, f.loops, f.one_shots, f.favourites
            );
            println!("categories  {}", list(&f.categories));
            println!("keys        {}", list(&f.keys));
            if !f.colours.is_empty() {
                println!("colours     {}", list(&f.colours));
            }
        }
        return Ok(if problems.is_empty() {
            Outcome::Clean
        } else {
            Outcome::SomeFailed
        });
    }
    // The same filters as the app and the API; what only a terminal asks for (a cap, a
    // search by meaning) goes on the search it runs.
    let q = Query {
        limit: Some(args.limit),
        semantic,
        ..page.search_query()
    };
    let (hits, problems) = search(lib, &q)?;
    for p in &problems {
        output::error(p);
    }
    let corrected: Vec<_> = hits.iter().map(|h| h.sample.corrected()).collect();
    if args.json {
        for (h, a) in hits.iter().zip(&corrected) {
            println!(
                "{}",
                serde_json::to_string(&Row::stored(&h.path, &h.sample, a, &h.curation))?
            );
        }
    } else if hits.is_empty() {
        println!("no samples match");
    } else {
        println!(
            "{}",
            output::sample_table(
                hits.iter()
                    .zip(&corrected)
                    .map(|(h, a)| (h.path.as_path(), a))
            )
        );
        println!(
            "{} result{}",
            hits.len(),
            if hits.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}
