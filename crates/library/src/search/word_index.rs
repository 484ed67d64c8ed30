//! An inverted index of the catalogue's words: for each word, the catalogue rows that hold
//! it. A search in words then looks only at the rows that can match instead of every row
//! (two words over a million samples read a million rows' words: 0.85–1.3 s, issue 27).
//!
//! Our own over the catalogue rather than `tantivy`: the catalogue already holds every row's
//! words split and lowercased in memory and follows the library's writes (so the index
//! follows them too, by the same few rows), and the scores stay the catalogue's own (whole
//! word above prefix, file name above folder, synonyms, model tags by their score), which a
//! search engine would score its own way. What the index gives is candidates only: every
//! row it names is scored exactly as a full scan scores it, so a search with it answers what
//! one without it answers (tested against the scan).
//!
//! A word matches a token equal to it or starting with it; tokens are kept sorted, so a
//! word's tokens are one contiguous run found by binary search.
//!
//! Each posting also says in which of the row's fields the token is (a byte), which is all
//! a word's score needs: [`WordIndex::scores`] scores the candidates from the postings,
//! without splitting their rows' words again (two words over a million samples left 41,000
//! candidates whose words took 50 ms to score, issue 27). It gives exactly the scan's
//! scores, float for float (tested against it).

use std::collections::HashMap;

use super::catalogue::Row;
use super::model_score;

/// A word group whose rows are more than this share of the catalogue does not narrow the
/// search enough to pay for the union: the other groups narrow it, or every row is scanned.
const SELECTIVE_AT_MOST: f64 = 0.25;

/// A word group whose words are the start of more tokens than this is scored from the rows
/// (one walk of the candidates per token would cost more than reading their words).
const SCORED_TOKENS_AT_MOST: usize = 64;

/// Where in a row a token is: bits of a posting's field byte.
const IN_NAME: u8 = 1;
const IN_META: u8 = 2;
const IN_FOLDERS: u8 = 4;
const IN_MODEL: u8 = 8;

/// Tokens of every row and the rows (places in the catalogue, ascending) that hold each.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct WordIndex {
    /// Sorted, unique.
    tokens: Vec<Box<str>>,
    /// `postings[i]`: the rows holding `tokens[i]`, ascending, none twice.
    postings: Vec<Vec<u32>>,
    /// `fields[i][j]`: where in row `postings[i][j]` the token is (`IN_*` bits).
    fields: Vec<Vec<u8>>,
}

/// The distinct tokens of a row (its file name, folders, tags and words, and model tags),
/// sorted, each with the fields it is in.
pub(super) fn row_tokens(r: &Row) -> Vec<(&str, u8)> {
    let mut t: Vec<(&str, u8)> = [
        (&r.name, IN_NAME),
        (&r.folders, IN_FOLDERS),
        (&r.meta, IN_META),
    ]
    .into_iter()
    .flat_map(|(f, bit)| f.split(' ').map(move |w| (w, bit)))
    .chain(r.model.iter().map(|(w, _)| (&**w, IN_MODEL)))
    .filter(|(w, _)| !w.is_empty())
    .collect();
    t.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(&str, u8)> = Vec::with_capacity(t.len());
    for (w, bit) in t {
        match out.last_mut() {
            Some((last, bits)) if *last == w => *bits |= bit,
            _ => out.push((w, bit)),
        }
    }
    out
}

/// The score of a token in fields `bits` of row `r` for the word `w`: what
/// `one_word_score` gives the token (a whole word by its best field or its model score, a
/// longer token half its best field).
fn token_score(bits: u8, whole: bool, r: &Row, w: &str) -> f32 {
    let field = if bits & IN_NAME != 0 {
        3.0
    } else if bits & IN_META != 0 {
        2.0
    } else if bits & IN_FOLDERS != 0 {
        1.0
    } else {
        0.0
    };
    if !whole {
        field * 0.5
    } else if bits & IN_MODEL != 0 {
        field.max(model_score(r, w))
    } else {
        field
    }
}

impl WordIndex {
    /// The index of `rows`.
    pub(super) fn build(rows: &[Box<Row>]) -> Self {
        let mut by_token: HashMap<&str, (Vec<u32>, Vec<u8>)> = HashMap::new();
        for (r, i) in rows.iter().zip(0u32..) {
            for (t, bits) in row_tokens(r) {
                let (places, fields) = by_token.entry(t).or_default();
                places.push(i);
                fields.push(bits);
            }
        }
        let mut pairs: Vec<_> = by_token.into_iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut index = Self::default();
        for (t, (places, fields)) in pairs {
            index.tokens.push(Box::from(t));
            index.postings.push(places);
            index.fields.push(fields);
        }
        index
    }

    /// The word score of each of `places` (ascending, as [`Self::candidates`] gives them)
    /// for `groups`, from the postings: what `word_score` gives each row, `None` for a row
    /// that misses a group. `None` as a whole when a group's words start too many tokens
    /// (score the rows then).
    pub(super) fn scores(
        &self,
        groups: &[Vec<String>],
        places: &[u32],
        rows: &[Box<Row>],
    ) -> Option<Vec<Option<f32>>> {
        let runs: Vec<Vec<std::ops::Range<usize>>> = groups
            .iter()
            .map(|alts| alts.iter().map(|w| self.prefix_run(w)).collect())
            .collect();
        if runs
            .iter()
            .any(|r| r.iter().map(|r| r.len()).sum::<usize>() > SCORED_TOKENS_AT_MOST)
        {
            return None;
        }
        let mut totals: Vec<Option<f32>> = vec![Some(0.0); places.len()];
        let mut best = vec![0f32; places.len()];
        for (alts, runs) in groups.iter().zip(&runs) {
            best.fill(0.0);
            for (k, (w, run)) in alts.iter().zip(runs).enumerate() {
                // A synonym weighs a little less than the word typed.
                let factor = if k == 0 { 1.0 } else { 0.9 };
                for ti in run.clone() {
                    let whole = *self.tokens[ti] == **w;
                    let (list, fields) = (&self.postings[ti], &self.fields[ti]);
                    let mut at = 0;
                    for (j, &p) in places.iter().enumerate() {
                        at = seek(list, at, p);
                        if at == list.len() {
                            break;
                        }
                        if list[at] == p {
                            let Some(r) = rows.get(p as usize) else {
                                continue;
                            };
                            let s = token_score(fields[at], whole, r, w) * factor;
                            best[j] = best[j].max(s);
                        }
                    }
                }
            }
            for (total, &b) in totals.iter_mut().zip(&best) {
                if b == 0.0 {
                    *total = None;
                } else if let Some(t) = total {
                    *t += b;
                }
            }
        }
        Some(totals)
    }

    /// The rows that can match every word group (a group: a word and its synonyms), sorted;
    /// `None` when no group narrows the search (scan every row then). `rows` is the
    /// catalogue's length.
    pub(super) fn candidates(&self, groups: &[Vec<String>], rows: usize) -> Option<Vec<u32>> {
        let most = (rows as f64 * SELECTIVE_AT_MOST) as usize;
        let mut sets: Vec<std::borrow::Cow<'_, [u32]>> = Vec::new();
        for alts in groups {
            let lists: Vec<&[u32]> = alts
                .iter()
                .flat_map(|w| self.postings[self.prefix_run(w)].iter())
                .map(Vec::as_slice)
                .collect();
            match lists.as_slice() {
                // One token: its list is already the set, whatever its length (a common
                // word still halves what the rarer ones leave).
                [one] => sets.push(std::borrow::Cow::Borrowed(one)),
                many => {
                    // Several: their union is sorted afresh, worth it only when small.
                    let total: usize = many.iter().map(|l| l.len()).sum();
                    if total > most {
                        continue;
                    }
                    let mut set: Vec<u32> = many.iter().flat_map(|l| l.iter().copied()).collect();
                    set.sort_unstable();
                    set.dedup();
                    sets.push(std::borrow::Cow::Owned(set));
                }
            }
        }
        sets.sort_by_key(|s| s.len());
        let mut sets = sets.into_iter();
        let first = sets.next()?;
        // A common word alone narrows nothing worth an index.
        if first.len() > most && sets.len() == 0 {
            return None;
        }
        Some(sets.fold(first.into_owned(), |acc, s| intersect(&acc, &s)))
    }

    /// The tokens that are `w` or start with it: a run of `tokens`.
    fn prefix_run(&self, w: &str) -> std::ops::Range<usize> {
        let start = self.tokens.partition_point(|t| &**t < w);
        let len = self.tokens[start..]
            .iter()
            .take_while(|t| t.starts_with(w))
            .count();
        start..start + len
    }

    /// Take out the row at `place` (before the catalogue's places move).
    pub(super) fn remove_row(&mut self, place: u32, r: &Row) {
        for (t, _) in row_tokens(r) {
            if let Ok(i) = self.tokens.binary_search_by(|x| (**x).cmp(t)) {
                let p = &mut self.postings[i];
                if let Ok(j) = p.binary_search(&place) {
                    p.remove(j);
                    self.fields[i].remove(j);
                }
            }
        }
    }

    /// Move every place from `from` on to `moved(place)` (a map that keeps their order).
    pub(super) fn shift(&mut self, from: u32, moved: impl Fn(u32) -> u32) {
        for p in &mut self.postings {
            let start = p.partition_point(|&x| x < from);
            for x in &mut p[start..] {
                *x = moved(*x);
            }
        }
    }

    /// Put in the row at `place` (after the catalogue's places moved).
    pub(super) fn add_row(&mut self, place: u32, r: &Row) {
        for (t, bits) in row_tokens(r) {
            let i = match self.tokens.binary_search_by(|x| (**x).cmp(t)) {
                Ok(i) => i,
                Err(i) => {
                    self.tokens.insert(i, Box::from(t));
                    self.postings.insert(i, Vec::new());
                    self.fields.insert(i, Vec::new());
                    i
                }
            };
            let p = &mut self.postings[i];
            match p.binary_search(&place) {
                Ok(j) => self.fields[i][j] = bits,
                Err(j) => {
                    p.insert(j, place);
                    self.fields[i].insert(j, bits);
                }
            }
        }
    }

    /// Drop the tokens no row holds any more, so that a followed index is the one a build
    /// gives.
    pub(super) fn drop_unused(&mut self) {
        if self.postings.iter().all(|p| !p.is_empty()) {
            return;
        }
        let tokens = std::mem::take(&mut self.tokens);
        let postings = std::mem::take(&mut self.postings);
        let fields = std::mem::take(&mut self.fields);
        for ((t, p), f) in tokens.into_iter().zip(postings).zip(fields) {
            if !p.is_empty() {
                self.tokens.push(t);
                self.postings.push(p);
                self.fields.push(f);
            }
        }
    }
}

/// The first index at or after `from` whose place is at least `p` (`list` ascending): a
/// gallop, since the places asked for ascend and are often near each other.
fn seek(list: &[u32], from: usize, p: u32) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo + step < list.len() && list[lo + step] < p {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step + 1).min(list.len());
    lo + list[lo..hi].partition_point(|&x| x < p)
}

/// Two ascending lists' common elements.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if large.len() / 16 > small.len() {
        // Far apart in length: look each of the few up in the many.
        return small
            .iter()
            .copied()
            .filter(|x| large.binary_search(x).is_ok())
            .collect();
    }
    // Alike: one pass over both.
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(small.len()));
    while i < small.len() && j < large.len() {
        match small[i].cmp(&large[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(small[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersect_keeps_the_common_places() {
        assert_eq!(intersect(&[1, 3, 5, 9], &[2, 3, 9, 10]), vec![3, 9]);
        assert!(intersect(&[], &[1]).is_empty());
        let many: Vec<u32> = (0..1000).map(|x| x * 3).collect();
        assert_eq!(intersect(&[3, 4, 2997, 3000], &many), vec![3, 2997]);
    }

    #[test]
    fn seek_finds_the_first_place_not_below() {
        let list: Vec<u32> = (0..500).map(|x| x * 2).collect();
        for from in [0, 1, 7, 250, 499, 500] {
            for p in [0, 1, 2, 3, 13, 500, 997, 998, 999, 2000] {
                let want = from + list[from..].partition_point(|&x| x < p);
                assert_eq!(seek(&list, from, p), want, "from {from} p {p}");
            }
        }
        assert_eq!(seek(&[], 0, 5), 0);
    }
}
