//! `samplemind similar`.

use std::sync::Arc;

use samplemind::analysis::AnalysisOptions;
use samplemind::ml::Models;
use samplemind::search::similar::{probe_for, SimilarIndex};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::SimilarArgs;
use crate::output;

pub fn run(
    lib: &Library,
    args: SimilarArgs,
    models: Option<Arc<Models>>,
) -> Result<Outcome, Error> {
    if models.is_none() {
        output::error(&"local models are off: similarity uses the DSP figures only");
    }
    let mut opts = AnalysisOptions::default();
    opts.models = models;
    let (probe, own) = probe_for(lib, &args.query, &opts)?;
    let (index, problems) = SimilarIndex::build(lib);
    for p in &problems {
        output::error(p);
    }
    let hits = index.query(&probe, args.aspect, args.count, own);
    if args.json {
        for h in &hits {
            println!("{}", serde_json::to_string(h)?);
        }
    } else if hits.is_empty() {
        println!("the library has no other samples");
    } else {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::NOTHING)
            .set_header(["#", "score", "category", "file"]);
        for (i, h) in hits.iter().enumerate() {
            t.add_row([
                (i + 1).to_string(),
                format!("{:.3}", h.score),
                h.category.clone().unwrap_or_else(|| "-".into()),
                h.path.display().to_string(),
            ]);
        }
        println!("{t}");
    }
    Ok(if problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}
