//! Ordering search hits by a column, as a library table sorts: samples missing the value
//! always come last, whichever the direction, so a sort by BPM shows loops first.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::catalogue::Row;
use super::facts::{Facts, Table};
use super::Hit;
use samplemind_analysis::key_name;

/// A column to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Relevance of the words, then path (the order [`super::search`] returns).
    #[default]
    Relevance,
    /// File name, case-insensitive.
    Name,
    /// Category.
    Category,
    /// Tempo.
    Bpm,
    /// Key, around the circle of semitones from C, majors before minors.
    Key,
    /// Root note, by pitch.
    Root,
    /// Length.
    Duration,
    /// Integrated loudness.
    Lufs,
}

fn name(h: &Hit) -> String {
    h.path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Key as a number: pitch class × 2, +1 for minor.
fn key_rank(k: &str) -> Option<u32> {
    let n = key_name::normalise(k)?;
    let (tonic, mode) = n.split_once(' ')?;
    Some(key_name::pitch_class(tonic)? as u32 * 2 + u32::from(mode == "minor"))
}

/// Root note as a MIDI number with cents ("A#3" → 58).
fn root_rank(h: &Hit) -> Option<f32> {
    let r = h.sample.root_note()?;
    let split = r.find(|c: char| c.is_ascii_digit() || c == '-')?;
    let (note, octave) = r.split_at(split);
    let pc = key_name::pitch_class(note)? as f32;
    let octave: f32 = octave.parse().ok()?;
    Some((octave + 1.0) * 12.0 + pc + h.sample.analysis.root_cents.unwrap_or(0.0) / 100.0)
}

/// Compare two optional values: present ones in `dir` order, missing ones last.
fn opt<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A match: its relevance, its place in the catalogue, its row.
pub(super) type Ranked<'a> = (f32, u32, &'a Row);

/// Order catalogue rows (with their relevance) by `key` as [`sort_hits`] orders hits, from
/// the fields the catalogue holds: no record is read. Ties keep the order given.
pub(super) fn sort_rows(
    found: &mut Vec<Ranked<'_>>,
    key: SortKey,
    descending: bool,
    table: Option<&Table>,
) {
    // Numbers the packed facts hold are read from them: a row's own fields lie elsewhere on
    // the heap, a cache miss each over half a million loops.
    if let Some(t) = table {
        let fact = |f: fn(&Facts) -> f64| {
            move |(_, i, _): &Ranked<'_>| t.facts.get(*i as usize).map(f).filter(|v| !v.is_nan())
        };
        match key {
            SortKey::Bpm => return order_by_match(found, descending, fact(|f| f64::from(f.bpm))),
            SortKey::Lufs => return order_by_match(found, descending, fact(|f| f64::from(f.lufs))),
            SortKey::Duration => return order_by_match(found, descending, fact(|f| f.duration_s)),
            _ => {}
        }
    }
    match key {
        SortKey::Relevance => {}
        SortKey::Name => order_by(found, descending, |r| {
            Some(
                r.path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_lowercase())
                    .unwrap_or_default(),
            )
        }),
        SortKey::Category => order_by(found, descending, |r| {
            r.guess
                .as_deref()
                .or(r.category.as_deref())
                .map(str::to_string)
        }),
        SortKey::Bpm => order_by(found, descending, |r| r.bpm),
        SortKey::Key => order_by(found, descending, |r| r.key.as_deref().and_then(key_rank)),
        SortKey::Root => order_by(found, descending, |r| {
            r.root.and_then(|(pc, octave)| {
                Some((f32::from(octave?) + 1.0) * 12.0 + f32::from(pc) + r.root_cents / 100.0)
            })
        }),
        SortKey::Duration => order_by(found, descending, |r| Some(r.duration_s)),
        SortKey::Lufs => order_by(found, descending, |r| r.lufs),
    }
}

/// Each row's key computed once (a name is a lowercase copy), then a stable sort on it.
fn order_by<'a, K: PartialOrd>(
    found: &mut Vec<Ranked<'a>>,
    descending: bool,
    key: impl Fn(&Row) -> Option<K>,
) {
    order_by_match(found, descending, |f| key(f.2));
}

/// As [`order_by`], with the key read from the whole match (its place, for the facts).
fn order_by_match<'a, K: PartialOrd>(
    found: &mut Vec<Ranked<'a>>,
    descending: bool,
    key: impl Fn(&Ranked<'a>) -> Option<K>,
) {
    let mut keyed: Vec<(Option<K>, Ranked<'a>)> = found.drain(..).map(|f| (key(&f), f)).collect();
    keyed.sort_by(|a, b| opt(a.0.as_ref(), b.0.as_ref(), descending));
    found.extend(keyed.into_iter().map(|(_, f)| f));
}

/// Sort `hits` by `key`; ties keep the relevance order (the sort is stable).
pub fn sort_hits(hits: &mut [Hit], key: SortKey, descending: bool) {
    let by = |a: &Hit, b: &Hit| -> Ordering {
        match key {
            SortKey::Relevance => Ordering::Equal,
            SortKey::Name => opt(Some(name(a)), Some(name(b)), descending),
            SortKey::Category => opt(a.sample.category(), b.sample.category(), descending),
            SortKey::Bpm => opt(a.sample.bpm(), b.sample.bpm(), descending),
            SortKey::Key => opt(
                a.sample.key().and_then(key_rank),
                b.sample.key().and_then(key_rank),
                descending,
            ),
            SortKey::Root => opt(root_rank(a), root_rank(b), descending),
            SortKey::Duration => opt(
                Some(a.sample.analysis.duration_s),
                Some(b.sample.analysis.duration_s),
                descending,
            ),
            SortKey::Lufs => opt(a.sample.analysis.lufs, b.sample.analysis.lufs, descending),
        }
    };
    hits.sort_by(by);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SampleRecord;

    fn hit(name: &str, bpm: Option<f32>, root: Option<&str>, key: Option<&str>) -> Hit {
        let mut s = SampleRecord::default();
        s.analysis.bpm = bpm;
        s.analysis.root_note = root.map(str::to_string);
        s.analysis.key = key.map(str::to_string);
        Hit {
            path: name.into(),
            sample: s,
            curation: crate::Curation::default(),
            score: 0.0,
        }
    }

    fn names(h: &[Hit]) -> Vec<String> {
        h.iter().map(name).collect()
    }

    #[test]
    fn missing_values_come_last_in_both_directions() {
        let mut h = vec![
            hit("a", None, None, None),
            hit("b", Some(90.0), None, None),
            hit("c", Some(174.0), None, None),
        ];
        sort_hits(&mut h, SortKey::Bpm, false);
        assert_eq!(names(&h), ["b", "c", "a"]);
        sort_hits(&mut h, SortKey::Bpm, true);
        assert_eq!(names(&h), ["c", "b", "a"]);
    }

    #[test]
    fn roots_sort_by_pitch_not_by_spelling() {
        let mut h = vec![
            hit("hi", None, Some("C4"), None),
            hit("lo", None, Some("A#3"), None),
            hit("mid", None, Some("B3"), None),
        ];
        sort_hits(&mut h, SortKey::Root, false);
        assert_eq!(names(&h), ["lo", "mid", "hi"]);
    }

    #[test]
    fn keys_sort_by_tonic_then_mode() {
        let mut h = vec![
            hit("d", None, None, Some("D major")),
            hit("cm", None, None, Some("C minor")),
            hit("c", None, None, Some("C major")),
        ];
        sort_hits(&mut h, SortKey::Key, false);
        assert_eq!(names(&h), ["c", "cm", "d"]);
    }
}
