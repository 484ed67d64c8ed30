//! A query made ready to run: keys, notes, words and the collection read once, then every
//! catalogue row is matched against it.

use std::collections::HashSet;

use super::catalogue::Row;
use super::{tag_key, word_score, words_of, Query, SearchError};
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

    /// `r`'s relevance when it matches (0 without words), else `None`.
    pub(super) fn score(&self, lib: &Library, r: &Row) -> Option<f32> {
        if !self.passes(r) {
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
        word_score(r, &self.words)
    }

    /// Whether `r` passes every filter (words to find aside).
    fn passes(&self, r: &Row) -> bool {
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
            && q.folder.as_ref().is_none_or(|f| r.path.starts_with(f))
            && (self.category.is_none() || r.category.as_deref() == self.category.as_deref())
            && q.is_loop.is_none_or(|l| l == r.is_loop)
            && q.duration_s
                .is_none_or(|(lo, hi)| r.duration_s >= lo && r.duration_s <= hi)
            && (!q.favourite || r.favourite)
            && q.min_rating.is_none_or(|m| r.rating >= m)
            && q.colour.is_none_or(|c| r.colour == Some(c))
            && self.members.as_ref().is_none_or(|m| m.contains(&r.hash))
            && self.tags.iter().all(|t| r.tags.iter().any(|x| **x == **t))
            && !self
                .excluded
                .iter()
                .any(|w| word_score(r, std::slice::from_ref(w)).is_some())
    }
}
