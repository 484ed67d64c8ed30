//! The fields that filters and facet counts read, packed into 40 bytes a row beside the
//! catalogue's rows, with category and key names numbered.
//!
//! A catalogue row holds its path, words and names on the heap: checking a million rows'
//! categories chased a million pointers (a filter over 1M samples: 106–116 ms, issue 27).
//! Read from here, the same filter is one pass over 32 MB in order. Only what a row's facts
//! cannot answer (folder, tags, collection, excluded words, words to score) is read from
//! the rows these facts let through.

use std::collections::HashMap;

use super::catalogue::Row;
use crate::curation::Colour;
use crate::ContentHash;

/// No category, or no key.
pub(super) const NONE: u16 = u16::MAX;

/// Names numbered in the order they were first met (a catalogue's categories or keys).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Names {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u16>,
}

impl Names {
    /// The number of `name`, numbered now when new; `None` once 65,535 names are numbered
    /// (the table then gives up its facts: see [`Table::add`]).
    fn id(&mut self, name: Option<&str>) -> Option<u16> {
        let Some(name) = name else {
            return Some(NONE);
        };
        if let Some(&id) = self.ids.get(name) {
            return Some(id);
        }
        let id = u16::try_from(self.names.len()).ok().filter(|&i| i < NONE)?;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        Some(id)
    }

    /// The number of `name`, when any row has it.
    pub(super) fn get(&self, name: &str) -> Option<u16> {
        self.ids.get(name).copied()
    }

    /// The name numbered `id`.
    pub(super) fn name(&self, id: u16) -> Option<&str> {
        self.names.get(usize::from(id)).map(|n| &**n)
    }

    /// How many names are numbered.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }
}

/// One row's filterable fields. A missing tempo or loudness is NaN, which no range holds,
/// as no range held a missing value before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Facts {
    /// The first 8 bytes of the content hash: which rows a rewritten sample touches is
    /// found without reading the rows.
    pub head: u64,
    pub bpm: f32,
    pub lufs: f32,
    pub duration_s: f64,
    pub category: u16,
    pub key: u16,
    pub root: Option<(u8, Option<i8>)>,
    pub colour: Option<Colour>,
    pub rating: u8,
    pub is_loop: bool,
    pub hidden: bool,
    pub favourite: bool,
}

/// The first 8 bytes of a content hash, as a number.
pub(super) fn head(h: &ContentHash) -> u64 {
    u64::from_le_bytes(h.0[..8].try_into().unwrap_or_default())
}

/// Every row's facts, in the catalogue's order, and the names they number.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Table {
    pub facts: Vec<Facts>,
    pub categories: Names,
    pub keys: Names,
}

impl Table {
    /// The facts of `rows`; `None` in the unheard-of case of more than 65,535 categories or
    /// keys (the catalogue then filters on its rows, as it did before).
    pub(super) fn build(rows: &[Box<Row>]) -> Option<Self> {
        let mut t = Table {
            // Room for the next scans' rows, as the catalogue keeps for its own.
            facts: Vec::with_capacity(rows.len() + rows.len() / 16 + 16),
            ..Table::default()
        };
        for r in rows {
            let f = t.add(r)?;
            t.facts.push(f);
        }
        Some(t)
    }

    /// The facts of `r`, numbering its names (not stored: the caller places them).
    pub(super) fn add(&mut self, r: &Row) -> Option<Facts> {
        Some(Facts {
            head: head(&r.hash),
            bpm: r.bpm.unwrap_or(f32::NAN),
            lufs: r.lufs.unwrap_or(f32::NAN),
            duration_s: r.duration_s,
            category: self.categories.id(r.category.as_deref())?,
            key: self.keys.id(r.key.as_deref())?,
            root: r.root,
            colour: r.colour,
            rating: r.rating,
            is_loop: r.is_loop,
            hidden: r.hidden,
            favourite: r.favourite,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_numbered_once_and_none_is_none() {
        let mut n = Names::default();
        assert_eq!(n.id(Some("kick")), Some(0));
        assert_eq!(n.id(Some("pad")), Some(1));
        assert_eq!(n.id(Some("kick")), Some(0));
        assert_eq!(n.id(None), Some(NONE));
        assert_eq!(n.get("pad"), Some(1));
        assert_eq!(n.name(1), Some("pad"));
        assert_eq!(n.len(), 2);
    }

    #[test]
    fn a_full_table_of_names_gives_up_rather_than_wrapping() {
        let mut n = Names::default();
        for i in 0..usize::from(NONE) {
            assert!(n.id(Some(&i.to_string())).is_some());
        }
        assert_eq!(n.id(Some("one too many")), None);
        assert_eq!(n.id(Some("0")), Some(0));
    }
}
