//! One tidy-up export as every face asks for it (the CLI's `export --to`, the API's
//! `POST /export`, the app's export dialog): which samples, where, under what names, processed
//! how, and whether only to list the names.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{check_template, plan, run, Planned, Processing, TemplateError, TidyReport};
use crate::browse::{self, BrowseError};
use crate::search::{search, Hit, Query, SearchError};
use crate::Library;

/// The name template used when none is given.
pub const DEFAULT_TEMPLATE: &str = "{category}_{bpm}_{key}_{name}";

/// The most samples one export names by id (a selection in the app, a script's list).
pub const MAX_IDS: usize = 10_000;

/// What to export and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportRequest {
    /// The folder the copies go into (made when missing); an absolute path.
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to: PathBuf,
    /// The copies' names, from `{category} {bpm} {key} {root} {type} {name} {folder} {id}`.
    #[serde(default = "default_template")]
    pub rename: String,
    /// List the copies' names and write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Trim, normalise, convert.
    #[serde(default, flatten)]
    pub processing: Processing,
    /// These samples (content hashes), in this order; without them, the filters choose.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Only this collection's samples, in its order.
    #[serde(default)]
    pub collection: Option<String>,
    /// Only starred samples.
    #[serde(default)]
    pub favourite: bool,
    /// Only this category.
    #[serde(default)]
    pub category: Option<String>,
    /// Only samples with all these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Refuse the export when more samples than this are chosen (a face that answers over
    /// the network bounds its answer); unbounded when absent.
    #[serde(default)]
    pub at_most: Option<u32>,
}

fn default_template() -> String {
    DEFAULT_TEMPLATE.to_string()
}

/// What an export listed, and (unless a dry run) what it did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportDone {
    /// Every copy, original and new name.
    pub planned: Vec<Planned>,
    /// What was written; absent for a dry run.
    pub report: Option<TidyReport>,
    /// Library entries that could not be read while choosing (the rest went on).
    pub problems: Vec<String>,
}

/// Why an export could not start (nothing is written then).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The name template does not read.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A processing setting out of range.
    #[error("{0}")]
    Processing(String),
    /// The destination is not an absolute path, or cannot be made.
    #[error("{0}")]
    Destination(String),
    /// Too many ids.
    #[error("ids: at most {MAX_IDS} samples per export")]
    TooMany,
    /// The filters chose more samples than the request allows.
    #[error("{chosen} samples chosen: at most {at_most} per export (narrow the filters)")]
    TooManyChosen {
        /// How many the filters chose.
        chosen: usize,
        /// The bound.
        at_most: u32,
    },
    /// An id that is not a sample.
    #[error(transparent)]
    Sample(#[from] BrowseError),
    /// The filters do not read.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Choose the samples, plan their names and, unless `req.dry_run`, copy them.
///
/// # Errors
/// [`ExportError`] before anything is written; once copying starts a file that fails is
/// named in the report and the rest go on.
pub fn export(lib: &Library, req: &ExportRequest) -> Result<ExportDone, ExportError> {
    check_template(&req.rename)?;
    req.processing.check().map_err(ExportError::Processing)?;
    if !req.to.is_absolute() {
        return Err(ExportError::Destination(format!(
            "to: {} is not an absolute path",
            req.to.display()
        )));
    }
    if req.to.exists() && !req.to.is_dir() {
        return Err(ExportError::Destination(format!(
            "to: {} is a file, not a folder",
            req.to.display()
        )));
    }
    let (mut hits, problems) = chosen(lib, req)?;
    // One copy per sound: a sound at two paths is exported once.
    let mut seen = HashSet::new();
    hits.retain(|h| seen.insert(h.sample.hash));
    if let Some(at_most) = req.at_most.filter(|n| hits.len() > *n as usize) {
        return Err(ExportError::TooManyChosen {
            chosen: hits.len(),
            at_most,
        });
    }
    let planned = plan(&hits, &req.to, &req.rename, &req.processing)?;
    let report = if req.dry_run {
        None
    } else {
        std::fs::create_dir_all(&req.to)
            .map_err(|e| ExportError::Destination(format!("to: {}: {e}", req.to.display())))?;
        Some(run(&planned, &hits, &req.processing))
    };
    Ok(ExportDone {
        planned,
        report,
        problems,
    })
}

fn chosen(lib: &Library, req: &ExportRequest) -> Result<(Vec<Hit>, Vec<String>), ExportError> {
    if !req.ids.is_empty() {
        if req.ids.len() > MAX_IDS {
            return Err(ExportError::TooMany);
        }
        let mut hits = Vec::with_capacity(req.ids.len());
        for id in &req.ids {
            let sample = browse::find(lib, id)?;
            let curation = lib.curation(&sample.hash).unwrap_or_default();
            hits.push(Hit {
                path: sample.path.clone(),
                sample,
                curation,
                score: 0.0,
            });
        }
        return Ok((hits, Vec::new()));
    }
    let q = Query {
        collection: req.collection.clone(),
        favourite: req.favourite,
        category: req.category.clone(),
        tags: req.tags.clone(),
        ..Query::default()
    };
    let (hits, problems) = search(lib, &q)?;
    Ok((hits, problems.iter().map(ToString::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContentHash, SampleRecord};

    #[test]
    fn a_bounded_export_refuses_more_than_its_bound_and_a_relative_folder() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(&dir.path().join("lib")).unwrap();
        for i in 0..3u8 {
            let rec = SampleRecord {
                hash: ContentHash([i; 32]),
                path: dir.path().join(format!("s{i}.wav")),
                ..SampleRecord::default()
            };
            lib.put_analysed(&rec).unwrap();
        }
        let mut req = ExportRequest {
            to: dir.path().join("out"),
            rename: DEFAULT_TEMPLATE.into(),
            dry_run: true,
            processing: Processing::default(),
            ids: Vec::new(),
            collection: None,
            favourite: false,
            category: None,
            tags: Vec::new(),
            at_most: Some(2),
        };
        assert!(matches!(
            export(&lib, &req),
            Err(ExportError::TooManyChosen {
                chosen: 3,
                at_most: 2
            })
        ));
        req.at_most = Some(3);
        assert_eq!(export(&lib, &req).unwrap().planned.len(), 3);
        assert!(!req.to.exists(), "a dry run writes nothing");
        req.to = "out".into();
        assert!(matches!(
            export(&lib, &req),
            Err(ExportError::Destination(_))
        ));
    }
}
