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

use std::collections::HashMap;

use super::catalogue::Row;

/// A word group whose rows are more than this share of the catalogue does not narrow the
/// search enough to pay for the union: the other groups narrow it, or every row is scanned.
const SELECTIVE_AT_MOST: f64 = 0.25;

/// Tokens of every row and the rows (places in the catalogue, ascending) that hold each.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct WordIndex {
    /// Sorted, unique.
    tokens: Vec<Box<str>>,
    /// `postings[i]`: the rows holding `tokens[i]`, ascending, none twice.
    postings: Vec<Vec<u32>>,
}

/// The distinct tokens of a row: its file name, folders, tags and words, and model tags.
pub(super) fn row_tokens(r: &Row) -> Vec<&str> {
    let mut t: Vec<&str> = [&r.name, &r.folders, &r.meta]
        .into_iter()
        .flat_map(|f| f.split(' '))
        .chain(r.model.iter().map(|(w, _)| &**w))
        .filter(|w| !w.is_empty())
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

impl WordIndex {
    /// The index of `rows`.
    pub(super) fn build(rows: &[Box<Row>]) -> Self {
        let mut by_token: HashMap<&str, Vec<u32>> = HashMap::new();
        for (r, i) in rows.iter().zip(0u32..) {
            for t in row_tokens(r) {
                by_token.entry(t).or_default().push(i);
            }
        }
        let mut pairs: Vec<(&str, Vec<u32>)> = by_token.into_iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let (tokens, postings) = pairs.into_iter().map(|(t, p)| (Box::from(t), p)).unzip();
        Self { tokens, postings }
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
        for t in row_tokens(r) {
            if let Ok(i) = self.tokens.binary_search_by(|x| (**x).cmp(t)) {
                let p = &mut self.postings[i];
                if let Ok(j) = p.binary_search(&place) {
                    p.remove(j);
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
        for t in row_tokens(r) {
            let i = match self.tokens.binary_search_by(|x| (**x).cmp(t)) {
                Ok(i) => i,
                Err(i) => {
                    self.tokens.insert(i, Box::from(t));
                    self.postings.insert(i, Vec::new());
                    i
                }
            };
            let p = &mut self.postings[i];
            if let Err(j) = p.binary_search(&place) {
                p.insert(j, place);
            }
        }
    }

    /// Drop the tokens no row holds any more, so that a followed index is the one a build
    /// gives.
    pub(super) fn drop_unused(&mut self) {
        if self.postings.iter().all(|p| !p.is_empty()) {
            return;
        }
        let (tokens, postings) = std::mem::take(&mut self.tokens)
            .into_iter()
            .zip(std::mem::take(&mut self.postings))
            .filter(|(_, p)| !p.is_empty())
            .unzip();
        self.tokens = tokens;
        self.postings = postings;
    }
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
}
