//! `samplemind analyze`: analyse files and print, never writing the library.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use samplemind::analysis::{analyse_file, AnalysisOptions};
use samplemind::audio::has_audio_extension;
use samplemind::ml::Models;

use super::{Error, Outcome};
use crate::cli::AnalyzeArgs;
use crate::output::{self, Row};

pub fn run(args: AnalyzeArgs, models: Option<Arc<Models>>) -> Result<Outcome, Error> {
    let mut failed = false;
    let mut files: Vec<PathBuf> = Vec::new();
    for p in &args.files {
        if p.is_dir() {
            // Folders: every audio file below, in path order.
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(true)
                .into_iter()
                .filter_map(|e| match e {
                    Ok(e) => Some(e),
                    Err(err) => {
                        output::error(&err);
                        failed = true;
                        None
                    }
                })
                .filter(|e| e.file_type().is_file() && has_audio_extension(e.path()))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            // A file named on the command line is analysed whatever its extension.
            files.push(p.clone());
        }
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let mut opts = AnalysisOptions::default();
    opts.models = models;
    let results: Vec<_> =
        pool.install(|| files.par_iter().map(|f| analyse_file(f, &opts)).collect());

    let mut ok = Vec::new();
    for (path, r) in files.iter().zip(results) {
        match r {
            Ok(a) => ok.push((path, a)),
            Err(e) => {
                output::error(&e);
                failed = true;
            }
        }
    }
    if args.json {
        for (path, a) in &ok {
            // With the models, the extended input of the models' category classifier.
            let features = args.features.then(|| {
                a.vectors.as_ref().map_or_else(
                    || a.inputs.classifier_input.clone(),
                    |v| samplemind::analysis::category_model::input(&a.inputs, v),
                )
            });
            let row = Row {
                path,
                hash: None,
                analysis: &a.analysis,
                marks: None,
                collections: None,
                ai: None,
                features,
                tempo_features: args
                    .features
                    .then_some(a.inputs.tempo_octave_input.as_slice()),
            };
            println!("{}", serde_json::to_string(&row)?);
        }
    } else if !ok.is_empty() {
        println!(
            "{}",
            output::sample_table(ok.iter().map(|(p, a)| (p.as_path(), &a.analysis)))
        );
    }
    Ok(if failed {
        Outcome::SomeFailed
    } else {
        Outcome::Clean
    })
}
