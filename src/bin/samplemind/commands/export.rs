//! `samplemind export --csv|--json`: every analysed path with its analysis (corrections
//! applied) and the producer's marks and collections.

use std::collections::HashMap;
use std::io::Write;

use samplemind::library::{ContentHash, Curation};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::ExportArgs;
use crate::output::{self, Row};

pub fn run(lib: &Library, args: ExportArgs) -> Result<Outcome, Error> {
    if let Some(dir) = &args.to {
        return tidy_up(lib, dir, &args);
    }
    let (entries, mut problems) = lib.entries();
    let (marks, unread) = lib.all_curation();
    problems.extend(unread);
    let (collections, unread) = lib.collections();
    problems.extend(unread);
    let mut member_of: HashMap<ContentHash, Vec<&str>> = HashMap::new();
    for c in &collections {
        for h in &c.members {
            member_of.entry(*h).or_default().push(&c.name);
        }
    }
    for p in &problems {
        output::error(p);
    }
    let none = Curation::default();
    let rows: Vec<_> = entries
        .iter()
        .filter_map(|e| {
            e.sample.as_ref().map(|s| {
                (
                    e.path.as_path(),
                    s,
                    s.corrected(),
                    marks.get(&s.hash).unwrap_or(&none),
                    member_of
                        .get(&s.hash)
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                )
            })
        })
        .collect();
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| format!("{}: cannot write: {e}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if args.csv {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(output::CSV_HEADER)?;
        for (path, s, a, m, c) in &rows {
            w.write_record(output::csv_record(path, s, a, m, c))?;
        }
        w.flush()?;
    } else {
        let json: Vec<Row<'_>> = rows
            .iter()
            .map(|(p, s, a, m, c)| Row {
                collections: Some(c.to_vec()),
                ..Row::stored(p, s, a, m)
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(if problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}

/// `export --to DIR`: copies under tidy names, in collection order when one is named.
fn tidy_up(lib: &Library, dir: &std::path::Path, args: &ExportArgs) -> Result<Outcome, Error> {
    use samplemind::library::tidy;
    let to = std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let req = tidy::ExportRequest {
        to: to.clone(),
        rename: args.rename.clone(),
        dry_run: args.dry_run,
        processing: tidy::Processing {
            trim: args.trim,
            normalise_lufs: args.normalise,
            format: args.copy_format,
            regions: args.regions,
        },
        ids: Vec::new(),
        collection: args.collection.clone(),
        favourite: args.fav,
        category: args.category.clone(),
        tags: args.tag.clone(),
        at_most: None,
    };
    let done = tidy::export(lib, &req)?;
    for p in &done.problems {
        output::error(p);
    }
    let Some(report) = &done.report else {
        for p in &done.planned {
            println!("{}  ->  {}", p.from.display(), p.to.display());
        }
        println!(
            "{} files would be copied (dry run: nothing written)",
            done.planned.len()
        );
        return Ok(Outcome::Clean);
    };
    for f in &report.failed {
        output::error(f);
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "{} files copied into {} ({} processed, {} with tempo / key metadata); the originals are unchanged",
        report.copied,
        to.display(),
        report.rendered,
        report.tagged
    );
    Ok(if report.failed.is_empty() && done.problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}
