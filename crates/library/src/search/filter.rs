//! A query made ready to run: keys, notes, words and the collection read once, then every
//! catalogue row is matched against it.

use std::collections::HashSet;

use super::catalogue::Row;
use super::facts::{Facts, Table, NONE};
use super::{tag_key, word_score, words_of, Query, SearchError};
use crate::curation::Colour;
use crate::{ContentHash, Library};
use samplemind_analysis::key_name;

/// `q` with its names resolved.
pub(super) struct Filter<'q> {
    q: &'q Query,
    keys: Option<Vec<String>>,
    root: Option<(u8, Option<i8>)>,
    words: Vec<Vec<String>>,
    excluded: Vec<Vec<String>>,
    category: Option<String>,
    tags: Vec<String>,
    members: Option<HashSet<ContentHash>>,
}

impl<'q> Filter<'q> {
    /// Read `q`'s names (a key, a note, a collection) once.
    pub(super) fn new(lib: &Library, q: &'q Query) -> Result<Self, SearchError> {
        let keys = match &q.key {
            Some(k) => {
                let one = key_name::normalise(k).ok_or_else(|| SearchError::BadKey(k.clone()))?;
                Some(if q.key_compatible {
                    key_name::compatible(&one)
                } else {
                    vec![one]
                })
            }
            None => None,
        };
        let root = match &q.root {
            Some(n) => {
                Some(key_name::note_and_octave(n).ok_or_else(|| SearchError::BadNote(n.clone()))?)
            }
            None => None,
        };
        let (words, excluded) = q.text.as_deref().map(words_of).unwrap_or_default();
        let members = match &q.collection {
            Some(name) => Some(
                lib.collection(name)?
                    .ok_or_else(|| SearchError::NoCollection(name.clone()))?
                    .members
                    .into_iter()
                    .collect(),
            ),
            None => None,
        };
        Ok(Self {
            q,
            keys,
            root,
            words,
            excluded,
            category: q.category.as_deref().map(str::to_lowercase),
            tags: q
                .tags
                .iter()
                .map(|t| tag_key(t))
                .filter(|t| !t.is_empty())
                .collect(),
            members,
        })
    }

    /// The word groups every match must hold (a word and its synonyms each); none for a
    /// search by meaning, which ranks every row.
    pub(super) fn words(&self) -> &[Vec<String>] {
        if self.q.semantic.is_some() {
            &[]
        } else {
            &self.words
        }
    }

    /// `r`'s relevance when it matches (0 without words), else `None`: every filter read
    /// from the row itself (the tests' oracle for the facts and the word index).
    #[cfg(test)]
    pub(super) fn score(&self, lib: &Library, r: &Row) -> Option<f32> {
        if !self.passes_facts_on_row(r) {
            return None;
        }
        self.score_beyond_facts(lib, r, None)
    }

    /// As [`Self::score`], for a row whose facts already passed ([`FactFilter`]); `words`
    /// is its word score when the word index already gave it.
    pub(super) fn score_beyond_facts(
        &self,
        lib: &Library,
        r: &Row,
        words: Option<f32>,
    ) -> Option<f32> {
        if !self.passes_beyond_facts(r) {
            return None;
        }
        if let Some(q) = &self.q.semantic {
            let v = lib.vectors(&r.hash).ok().flatten().unwrap_or_default();
            if v.text.len() != q.len() {
                return None;
            }
            return Some(v.text.iter().zip(q).map(|(a, b)| a * b).sum());
        }
        if self.words.is_empty() {
            return Some(0.0);
        }
        words.or_else(|| word_score(r, &self.words))
    }

    /// Whether `r` passes the filters its facts answer ([`FactFilter`] asks the same of
    /// the packed facts).
    pub(super) fn passes_facts_on_row(&self, r: &Row) -> bool {
        let q = self.q;
        let within = |v: Option<f32>, range: Option<(f32, f32)>| match range {
            None => true,
            Some((lo, hi)) => v.is_some_and(|v| v >= lo && v <= hi),
        };
        (q.include_hidden || !r.hidden)
            && within(r.bpm, q.bpm)
            && within(r.lufs, q.lufs)
            && self.keys.as_ref().is_none_or(|keys| {
                r.key
                    .as_deref()
                    .is_some_and(|k| keys.iter().any(|x| x == k))
            })
            && self.root.is_none_or(|(pc, octave)| {
                r.root
                    .is_some_and(|(p, o)| p == pc && octave.is_none_or(|want| Some(want) == o))
            })
            && (self.category.is_none() || r.category.as_deref() == self.category.as_deref())
            && q.is_loop.is_none_or(|l| l == r.is_loop)
            && q.duration_s
                .is_none_or(|(lo, hi)| r.duration_s >= lo && r.duration_s <= hi)
            && (!q.favourite || r.favourite)
            && q.min_rating.is_none_or(|m| r.rating >= m)
            && q.colour.is_none_or(|c| r.colour == Some(c))
    }

    /// Whether `r` passes the filters its facts cannot answer (folder, collection, tags,
    /// excluded words).
    fn passes_beyond_facts(&self, r: &Row) -> bool {
        let q = self.q;
        q.folder.as_ref().is_none_or(|f| r.path.starts_with(f))
            && self.members.as_ref().is_none_or(|m| m.contains(&r.hash))
            && self.tags.iter().all(|t| r.tags.iter().any(|x| **x == **t))
            && !self
                .excluded
                .iter()
                .any(|w| word_score(r, std::slice::from_ref(w)).is_some())
    }

    /// The filters facts answer, with the catalogue's names numbered as `t` numbers them.
    pub(super) fn on_facts(&self, t: &Table) -> FactFilter {
        let q = self.q;
        FactFilter {
            include_hidden: q.include_hidden,
            bpm: q.bpm,
            lufs: q.lufs,
            // A category or key no row has matches no row.
            category: self
                .category
                .as_deref()
                .map(|c| t.categories.get(c).unwrap_or(NONE)),
            keys: self
                .keys
                .as_ref()
                .map(|ks| ks.iter().filter_map(|k| t.keys.get(k)).collect()),
            root: self.root,
            is_loop: q.is_loop,
            duration_s: q.duration_s,
            favourite: q.favourite,
            min_rating: q.min_rating,
            colour: q.colour,
        }
    }
}

/// The filters a row's [`Facts`] answer, ready to run over a million of them.
#[derive(Debug, Clone)]
pub(super) struct FactFilter {
    include_hidden: bool,
    bpm: Option<(f32, f32)>,
    lufs: Option<(f32, f32)>,
    /// The category's number ([`NONE`] when no row has it: nothing matches).
    category: Option<u16>,
    keys: Option<Vec<u16>>,
    root: Option<(u8, Option<i8>)>,
    is_loop: Option<bool>,
    duration_s: Option<(f64, f64)>,
    favourite: bool,
    min_rating: Option<u8>,
    colour: Option<Colour>,
}

impl FactFilter {
    /// Whether a row with facts `f` passes (as [`Filter::passes_facts_on_row`] on its row).
    pub(super) fn passes(&self, f: &Facts) -> bool {
        // NaN (no value) is in no range, as a missing value was in none.
        let within =
            |v: f32, range: Option<(f32, f32)>| range.is_none_or(|(lo, hi)| v >= lo && v <= hi);
        (self.include_hidden || !f.hidden)
            && within(f.bpm, self.bpm)
            && within(f.lufs, self.lufs)
            && self
                .keys
                .as_ref()
                .is_none_or(|keys| f.key != NONE && keys.contains(&f.key))
            && self.root.is_none_or(|(pc, octave)| {
                f.root
                    .is_some_and(|(p, o)| p == pc && octave.is_none_or(|want| Some(want) == o))
            })
            && self.category.is_none_or(|c| c != NONE && f.category == c)
            && self.is_loop.is_none_or(|l| l == f.is_loop)
            && self
                .duration_s
                .is_none_or(|(lo, hi)| f.duration_s >= lo && f.duration_s <= hi)
            && (!self.favourite || f.favourite)
            && self.min_rating.is_none_or(|m| f.rating >= m)
            && self.colour.is_none_or(|c| f.colour == Some(c))
    }
}
