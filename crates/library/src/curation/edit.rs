//! The edits every face makes (the app, the CLI, the HTTP API call these, so that a refused
//! rating or an unknown collection reads the same in all three): everything is checked
//! before anything is written.

use serde::Serialize;

use super::MAX_COLLECTION_MEMBERS;
use super::{normalise_collection_name, Collection, CurationEdit, CurationError};
use crate::browse::{find, BrowseError};
use crate::view::SampleSummary;
use crate::{ContentHash, Library};

/// Apply `edit` to the marks of sample `id`; the sample as every face shows it afterwards.
///
/// # Errors
/// [`BrowseError::Curation`] for a rating, colour or tag that cannot be (nothing written),
/// else as [`find`].
pub fn mark(lib: &Library, id: &str, edit: &CurationEdit) -> Result<SampleSummary, BrowseError> {
    let rec = find(lib, id)?;
    let before = lib.curation(&rec.hash)?;
    let after = before.edited(edit)?;
    if after != before {
        lib.set_curation(&rec.hash, &after)?;
    }
    Ok(SampleSummary::of(&rec.path, &rec, &after))
}

/// Apply `edit` to the marks of every sample of `ids` (a selection of rows): every id and
/// the edit are checked before anything is written. How many were changed.
///
/// # Errors
/// As [`mark`], for the first id or value that fails (nothing is written then).
pub fn mark_many(lib: &Library, ids: &[String], edit: &CurationEdit) -> Result<usize, BrowseError> {
    let mut planned = Vec::with_capacity(ids.len());
    for id in ids {
        let rec = find(lib, id)?;
        let before = lib.curation(&rec.hash)?;
        let after = before.edited(edit)?;
        if after != before {
            planned.push((rec.hash, after));
        }
    }
    for (hash, after) in &planned {
        lib.set_curation(hash, after)?;
    }
    Ok(planned.len())
}

/// A collection as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionSummary {
    /// Its name.
    pub name: String,
    /// How many sounds it holds.
    pub count: u32,
}

/// Every collection, in name order (unreadable ones are left out and logged).
pub fn list_collections(lib: &Library) -> Vec<CollectionSummary> {
    let (all, problems) = lib.collections();
    for p in problems {
        tracing::warn!("{p}");
    }
    all.into_iter()
        .map(|c| CollectionSummary {
            count: u32::try_from(c.members.len()).unwrap_or(u32::MAX),
            name: c.name,
        })
        .collect()
}

/// Add the samples `ids` to the end of collection `name` (made when there is none; a sound
/// already in it keeps its place). The collection as it now is.
///
/// # Errors
/// [`BrowseError::Curation`] for a name that cannot be or a collection grown past its bound;
/// [`BrowseError::BadId`] / [`BrowseError::NotFound`] for an id that names no stored sample
/// (nothing written); store errors.
pub fn add_to_collection(
    lib: &Library,
    name: &str,
    ids: &[String],
) -> Result<CollectionSummary, BrowseError> {
    let shown = normalise_collection_name(name)?;
    let hashes = ids
        .iter()
        .map(|id| find(lib, id).map(|r| r.hash))
        .collect::<Result<Vec<ContentHash>, _>>()?;
    let mut c = lib.collection(&shown)?.unwrap_or(Collection {
        name: shown,
        members: Vec::new(),
    });
    let before = c.members.len();
    for h in hashes {
        if !c.members.contains(&h) {
            c.members.push(h);
        }
    }
    if c.members.len() > MAX_COLLECTION_MEMBERS {
        return Err(CurationError::CollectionTooLarge.into());
    }
    if c.members.len() != before || before == 0 {
        lib.put_collection(&c)?;
    }
    Ok(summary(&c))
}

/// Take the samples `ids` out of collection `name` (the files and the library keep them).
///
/// # Errors
/// [`BrowseError::NoCollection`]; [`BrowseError::BadId`] for an id that is not a hash; store
/// errors.
pub fn remove_from_collection(
    lib: &Library,
    name: &str,
    ids: &[String],
) -> Result<CollectionSummary, BrowseError> {
    let hashes = ids
        .iter()
        .map(|id| crate::browse::parse_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut c = existing(lib, name)?;
    let before = c.members.len();
    c.members.retain(|h| !hashes.contains(h));
    if c.members.len() != before {
        lib.put_collection(&c)?;
    }
    Ok(summary(&c))
}

/// Call collection `from` `to` (or change its case); its sounds and their order stay.
///
/// # Errors
/// [`BrowseError::NoCollection`] for `from`; [`BrowseError::Curation`] for a `to` that cannot
/// be a name, or names another collection; store errors.
pub fn rename_collection(
    lib: &Library,
    from: &str,
    to: &str,
) -> Result<CollectionSummary, BrowseError> {
    let to = normalise_collection_name(to)?;
    let mut c = existing(lib, from)?;
    let same = super::collection_key(&to) == c.key();
    if !same && lib.collection(&to)?.is_some() {
        return Err(CurationError::NameTaken(to).into());
    }
    let old_key = c.key();
    c.name = to;
    // The new one first: a crash in between leaves both, never neither.
    lib.put_collection(&c)?;
    if !same {
        lib.delete_collection(&old_key)?;
    }
    Ok(summary(&c))
}

/// Delete collection `name`; its sounds stay in the library.
///
/// # Errors
/// [`BrowseError::NoCollection`]; store errors.
pub fn delete_collection(lib: &Library, name: &str) -> Result<(), BrowseError> {
    if lib.delete_collection(name)? {
        Ok(())
    } else {
        Err(BrowseError::NoCollection(name.to_string()))
    }
}

/// The sounds of collection `name` in its order, each at one of its present paths, as every
/// face shows them (a sound with no file left in the library is left out).
///
/// # Errors
/// [`BrowseError::NoCollection`]; store errors.
pub fn collection_samples(lib: &Library, name: &str) -> Result<Vec<SampleSummary>, BrowseError> {
    let c = existing(lib, name)?;
    let (hits, _) = crate::search::search(
        lib,
        &crate::search::Query {
            collection: Some(c.name.clone()),
            ..crate::search::Query::default()
        },
    )?;
    let mut by_hash = std::collections::HashMap::new();
    for h in hits {
        by_hash.entry(h.sample.hash).or_insert(h);
    }
    Ok(c.members
        .iter()
        .filter_map(|m| by_hash.get(m))
        .map(|h| SampleSummary::of(&h.path, &h.sample, &h.curation))
        .collect())
}

fn existing(lib: &Library, name: &str) -> Result<Collection, BrowseError> {
    lib.collection(name)?
        .ok_or_else(|| BrowseError::NoCollection(name.to_string()))
}

fn summary(c: &Collection) -> CollectionSummary {
    CollectionSummary {
        name: c.name.clone(),
        count: u32::try_from(c.members.len()).unwrap_or(u32::MAX),
    }
}
