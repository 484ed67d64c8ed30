//! `samplemind stats`.

use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::JsonFlag;

pub fn run(lib: &Library, args: JsonFlag) -> Result<Outcome, Error> {
    let s = lib.stats();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!("library        {}", lib.dir().display());
        println!(
            "paths          {} ({} analysed, {} pending, {} failed, {} missing)",
            s.paths, s.analysed, s.pending, s.failed, s.missing
        );
        println!(
            "unique sounds  {} ({} loops, {} one-shots)",
            s.unique_samples,
            s.loops,
            s.unique_samples - s.loops
        );
        println!("total length   {:.1} min", s.total_duration_s / 60.0);
        println!(
            "store size     {:.1} MiB",
            s.store_bytes as f64 / (1024.0 * 1024.0)
        );
        if s.corrupt_records > 0 {
            println!("corrupt        {} records skipped", s.corrupt_records);
        }
    }
    if let Some(d) = &s.damaged {
        crate::output::error(d);
    }
    Ok(if s.corrupt_records == 0 && s.damaged.is_none() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}
