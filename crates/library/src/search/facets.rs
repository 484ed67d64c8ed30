//! What a filter menu shows beside each choice: how many of a search's matches each category,
//! key, loop or one-shot, favourite and colour holds; and the folders that hold samples, for
//! the folder tree. Counted over the in-memory catalogue: no record is read.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use super::facts::Names;
use super::filter::Filter;
use super::{catalogue, Query, SearchError};
use crate::{Library, LibraryError};

/// One choice of a filter and how many matches it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    /// The choice ("kick", "A minor", "red").
    pub value: String,
    /// Matches with it.
    pub count: u32,
}

/// The counts of one search's matches, most common first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facets {
    /// Matches in all.
    pub total: u32,
    /// By category ("unsure" for the classifier's unsure guesses).
    pub categories: Vec<Count>,
    /// By key.
    pub keys: Vec<Count>,
    /// Loops among the matches.
    pub loops: u32,
    /// One-shots among the matches.
    pub one_shots: u32,
    /// Starred matches.
    pub favourites: u32,
    /// By colour label.
    pub colours: Vec<Count>,
}

/// The counts of `q`'s matches (its limit aside).
///
/// # Errors
/// As [`super::search`].
pub fn facets(lib: &Library, q: &Query) -> Result<(Facets, Vec<LibraryError>), SearchError> {
    let filter = Filter::new(lib, q)?;
    let (cat, problems) = catalogue::of(lib);
    let mut f = Facets::default();
    let mut categories: HashMap<&str, u32> = HashMap::new();
    let mut keys: HashMap<&str, u32> = HashMap::new();
    let mut colours: HashMap<&'static str, u32> = HashMap::new();
    let matched = cat
        .matching(&filter)
        .filter(|(r, _, words)| filter.score_beyond_facts(lib, r, *words).is_some())
        .map(|(r, i, _)| (r, i));
    if let Some(t) = &cat.table {
        // Counted by number from the packed facts, named once at the end.
        let mut by_category = vec![0u32; t.categories.len()];
        let mut by_key = vec![0u32; t.keys.len()];
        for (_, i) in matched {
            let Some(x) = t.facts.get(i as usize) else {
                continue;
            };
            if let Some(n) = by_category.get_mut(usize::from(x.category)) {
                *n += 1;
            }
            if let Some(n) = by_key.get_mut(usize::from(x.key)) {
                *n += 1;
            }
            count_one(&mut f, &mut colours, x.is_loop, x.favourite, x.colour);
        }
        categories = named(&t.categories, by_category);
        keys = named(&t.keys, by_key);
    } else {
        for (r, _) in matched {
            if let Some(c) = &r.category {
                *categories.entry(c).or_default() += 1;
            }
            if let Some(k) = &r.key {
                *keys.entry(k).or_default() += 1;
            }
            count_one(&mut f, &mut colours, r.is_loop, r.favourite, r.colour);
        }
    }
    f.categories = ranked(categories);
    f.keys = ranked(keys);
    f.colours = ranked(colours);
    Ok((f, problems))
}

/// Count one match in the totals whatever its names: all, loop or one-shot, star, colour.
fn count_one(
    f: &mut Facets,
    colours: &mut HashMap<&'static str, u32>,
    is_loop: bool,
    favourite: bool,
    colour: Option<crate::curation::Colour>,
) {
    f.total += 1;
    if is_loop {
        f.loops += 1;
    } else {
        f.one_shots += 1;
    }
    f.favourites += u32::from(favourite);
    if let Some(c) = colour {
        *colours.entry(c.name()).or_default() += 1;
    }
}

/// The counts of numbered names, by name (names no match has are left out).
fn named(names: &Names, counts: Vec<u32>) -> HashMap<&str, u32> {
    counts
        .into_iter()
        .zip(0u16..)
        .filter(|(n, _)| *n > 0)
        .filter_map(|(n, id)| names.name(id).map(|name| (name, n)))
        .collect()
}

fn ranked(m: HashMap<&str, u32>) -> Vec<Count> {
    let mut v: Vec<Count> = m
        .into_iter()
        .map(|(value, count)| Count {
            value: value.to_string(),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v
}

/// A folder of the library and how many analysed files lie under it (at any depth).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FolderCount {
    /// The folder (shown lossily when it is not UTF-8).
    pub path: String,
    /// Analysed files under it.
    pub count: u32,
}

/// The last folder list and the library state it was counted at: the tree asks again on
/// every scan event, and the list only changes with the library.
static LAST_FOLDERS: std::sync::Mutex<Option<Counted>> = std::sync::Mutex::new(None);

/// A folder list and the library state ([`Library::generation`]) it was counted at.
type Counted = ((u64, u64), Vec<FolderCount>);

/// Every folder that holds analysed files, from the scanned roots down, in path order: what a
/// folder tree shows. Folders above a root (`/`, `/home`) are left out. Counted once per
/// library state.
pub fn folders(lib: &Library) -> Vec<FolderCount> {
    let generation = lib.generation();
    let cached = LAST_FOLDERS.lock().ok().and_then(|last| {
        last.as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, f)| f.clone())
    });
    if let Some(f) = cached {
        return f;
    }
    let counted = count_folders(lib);
    if let Ok(mut last) = LAST_FOLDERS.lock() {
        *last = Some((generation, counted.clone()));
    }
    counted
}

fn count_folders(lib: &Library) -> Vec<FolderCount> {
    // A file given to a scan stands for its folder; a root is stat'ed once, never per row.
    let tops: Vec<std::path::PathBuf> = lib
        .roots()
        .into_iter()
        .map(|r| match r.parent() {
            Some(parent) if r.is_file() => parent.to_path_buf(),
            _ => r,
        })
        .collect();
    let (cat, _) = catalogue::of(lib);
    let mut counts: BTreeMap<&Path, u32> = BTreeMap::new();
    for r in &cat.rows {
        let top = tops
            .iter()
            .filter(|t| r.path.starts_with(t))
            .min_by_key(|t| t.components().count());
        for folder in r.path.ancestors().skip(1) {
            if folder.parent().is_none() || top.is_some_and(|t| !folder.starts_with(t)) {
                break;
            }
            *counts.entry(folder).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(p, count)| FolderCount {
            path: p.display().to_string(),
            count,
        })
        .collect()
}
