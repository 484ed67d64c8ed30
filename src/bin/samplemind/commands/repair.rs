//! `samplemind repair`.

use std::path::Path;
use std::sync::Arc;

use samplemind::library::{repair, RepairOutcome};
use samplemind::ml::Models;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::{RepairArgs, ScanArgs};

pub fn run(
    dir: &Path,
    args: RepairArgs,
    models: &dyn Fn() -> Result<Option<Arc<Models>>, Error>,
) -> Result<Outcome, Error> {
    let rebuilt = match repair(dir)? {
        RepairOutcome::Healthy(r) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "state": "healthy", "entries": r.entries, "corrupt_records": r.corrupt_records })
                );
            } else {
                println!(
                    "library {} is whole: {} entries read{}; nothing to repair",
                    dir.display(),
                    r.entries,
                    if r.corrupt_records > 0 {
                        format!(
                            " ({} records do not decode and are skipped)",
                            r.corrupt_records
                        )
                    } else {
                        String::new()
                    }
                );
            }
            return Ok(Outcome::Clean);
        }
        RepairOutcome::Rebuilt(r) => r,
    };
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "state": "rebuilt", "rebuilt": &rebuilt })
        );
    } else {
        println!("library {} was damaged: {}", dir.display(), rebuilt.found);
        println!(
            "the damaged store is kept at {} (delete it when you no longer need it)",
            rebuilt.kept_aside.display()
        );
        println!(
            "saved {} entries from it{}{}",
            rebuilt.saved_entries,
            if rebuilt.read_whole {
                ""
            } else {
                " (it did not read to its end: the rest comes back from the rescan)"
            },
            if rebuilt.without_snapshot {
                ", rebuilt without its damaged snapshot"
            } else {
                ""
            }
        );
        println!(
            "gave back {} hand corrections, the marks of {} samples and {} collections from {}",
            rebuilt.corrections_restored,
            rebuilt.marks_restored,
            rebuilt.collections_restored,
            samplemind::library::keep::FILE_NAME
        );
    }
    if args.no_scan || rebuilt.roots.is_empty() {
        if !args.json {
            println!(
                "to finish: samplemind scan {}",
                if rebuilt.roots.is_empty() {
                    "YOUR FOLDERS".to_string()
                } else {
                    shell_words(&rebuilt.roots)
                }
            );
        }
        return Ok(Outcome::Clean);
    }
    if !args.json {
        println!(
            "rescanning {} {}",
            rebuilt.roots.len(),
            if rebuilt.roots.len() == 1 {
                "folder"
            } else {
                "folders"
            }
        );
    }
    let lib = Library::open(dir)?;
    super::scan::run(
        &lib,
        ScanArgs {
            paths: rebuilt.roots,
            threads: args.threads,
            table_rows: 0,
            json: args.json,
        },
        models()?,
    )
}

fn shell_words(paths: &[std::path::PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("'{}'", p.display().to_string().replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}
