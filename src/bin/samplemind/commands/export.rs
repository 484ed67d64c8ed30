//! `samplemind export --csv|--json`.

use std::io::Write;

use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::ExportArgs;
use crate::output::{self, Row};

pub fn run(lib: &Library, args: ExportArgs) -> Result<Outcome, Error> {
    let (entries, problems) = lib.entries();
    for p in &problems {
        output::error(p);
    }
    let rows: Vec<_> = entries
        .iter()
        .filter_map(|e| {
            e.sample
                .as_ref()
                .map(|s| (e.path.as_path(), s, s.corrected()))
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
        for (path, s, a) in &rows {
            w.write_record(output::csv_record(path, s, a))?;
        }
        w.flush()?;
    } else {
        let json: Vec<Row<'_>> = rows.iter().map(|(p, s, a)| Row::stored(p, s, a)).collect();
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
