//! What changed in a library, write by write (issue 27): what is derived from the store
//! (search's catalogue) follows the writes instead of reading every record again.
//!
//! Every write through [`crate::Library`] numbers itself and notes the path or the sample it
//! touched; [`Library::generation`](crate::Library::generation) is the number of the last
//! one. The log keeps the last [`KEEP`] writes: a reader further behind (a first scan of a
//! large pack) reads everything again, as it would have anyway. sled lets one process open a
//! store at a time, so this process sees every write.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::ContentHash;

/// Writes the log remembers.
pub const KEEP: usize = 20_000;

/// What one write touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touched {
    /// The entry of a path (its status, its content).
    Path(PathBuf),
    /// The record of a content, under all its paths.
    Sample(ContentHash),
    /// Nothing a search reads (embeddings).
    Other,
}

/// The paths and samples written since a generation.
#[derive(Debug, Default)]
pub struct Changes {
    /// The write these changes reach up to.
    pub upto: u64,
    /// Paths whose entry was written.
    pub paths: HashSet<PathBuf>,
    /// Contents whose record was written.
    pub samples: HashSet<ContentHash>,
}

/// The numbered writes of one open library.
#[derive(Debug, Default)]
pub(crate) struct Log {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Writes so far.
    last: u64,
    /// Writes up to this one are no longer in `entries`.
    floor: u64,
    entries: VecDeque<(u64, Touched)>,
}

impl Log {
    /// Number a write and note what it touched; the new generation.
    pub(crate) fn wrote(&self, touched: Touched) -> u64 {
        let mut log = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        log.last += 1;
        let n = log.last;
        log.entries.push_back((n, touched));
        if log.entries.len() > KEEP {
            if let Some((gone, _)) = log.entries.pop_front() {
                log.floor = gone;
            }
        }
        n
    }

    /// Writes so far.
    pub(crate) fn last(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).last
    }

    /// What the writes after `since` touched, or `None` when the log no longer reaches back
    /// that far.
    pub(crate) fn since(&self, since: u64) -> Option<Changes> {
        let log = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if since < log.floor || since > log.last {
            return None;
        }
        let mut out = Changes {
            upto: log.last,
            ..Changes::default()
        };
        for (_, t) in log.entries.iter().filter(|(n, _)| *n > since) {
            match t {
                Touched::Path(p) => {
                    out.paths.insert(p.clone());
                }
                Touched::Sample(h) => {
                    out.samples.insert(*h);
                }
                Touched::Other => {}
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_since_a_generation_and_a_log_that_no_longer_reaches_back() {
        let log = Log::default();
        log.wrote(Touched::Path("/a".into()));
        let g = log.last();
        log.wrote(Touched::Sample(ContentHash([1; 32])));
        log.wrote(Touched::Path("/b".into()));
        log.wrote(Touched::Other);
        let c = log.since(g).unwrap();
        assert_eq!(c.upto, 4);
        assert_eq!(c.paths, HashSet::from([PathBuf::from("/b")]));
        assert_eq!(c.samples, HashSet::from([ContentHash([1; 32])]));
        assert!(log.since(4).unwrap().paths.is_empty());
        assert!(log.since(5).is_none(), "a generation from the future");
        for _ in 0..KEEP {
            log.wrote(Touched::Other);
        }
        assert!(log.since(g).is_none(), "forgotten");
    }
}
