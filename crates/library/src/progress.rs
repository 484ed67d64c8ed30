//! Where a scan stands, kept once for every face: the phase, the files analysed of those to
//! analyse, the file just finished, which failures were already named, and when the face
//! last showed progress (a table refresh per file would be too many).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::scanner::{ScanEvent, ScanFailure, ScanReport};

/// The phase of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Walking, stat-ing and hashing: results show as pending.
    Indexing,
    /// Decoding and analysing what is new.
    Analysing,
}

impl Phase {
    /// `"indexing"` or `"analysing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Indexing => "indexing",
            Phase::Analysing => "analysing",
        }
    }
}

/// What one [`ScanEvent`] means to a face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'e> {
    /// The index finished: the library shows the new files (pending); show the phase now.
    Indexed,
    /// A file was analysed; `show` says whether the face should show progress now.
    Analysed {
        /// The file.
        path: &'e Path,
        /// Time to show progress (throttled; always on the last file).
        show: bool,
    },
    /// A file failed, named here; `show` as above.
    Failed {
        /// The failure.
        failure: &'e ScanFailure,
        /// Time to show progress.
        show: bool,
    },
}

/// A scan's progress, fed with its events.
#[derive(Debug)]
pub struct Progress {
    /// The current phase.
    pub phase: Phase,
    /// Contents analysed (or failed) so far.
    pub done: u64,
    /// Contents to analyse (known once the index is done).
    pub total: u64,
    /// The file just finished.
    pub current: Option<PathBuf>,
    every: Duration,
    last_shown: Option<Instant>,
    named: HashSet<PathBuf>,
}

impl Progress {
    /// A scan about to index; progress is worth showing at most once per `every`.
    pub fn new(every: Duration) -> Self {
        Self {
            phase: Phase::Indexing,
            done: 0,
            total: 0,
            current: None,
            every,
            last_shown: None,
            named: HashSet::new(),
        }
    }

    /// Take the scan's next event.
    pub fn step<'e>(&mut self, ev: &ScanEvent<'e>) -> Step<'e> {
        match ev {
            ScanEvent::Indexed { to_analyse, .. } => {
                self.phase = Phase::Analysing;
                self.total = *to_analyse;
                self.last_shown = Some(Instant::now());
                Step::Indexed
            }
            ScanEvent::Analysed { path, outcome } => {
                self.done += 1;
                self.current = Some(path.to_path_buf());
                let due = self.last_shown.is_none_or(|t| t.elapsed() >= self.every);
                let show = due || self.done >= self.total;
                if show {
                    self.last_shown = Some(Instant::now());
                }
                match outcome {
                    Ok(_) => Step::Analysed { path, show },
                    Err(f) => {
                        self.named.insert(f.path.clone());
                        Step::Failed { failure: f, show }
                    }
                }
            }
        }
    }

    /// The failures of `report` no event named (the index phase's: unreadable folders,
    /// missing paths), to name once at the end.
    pub fn unnamed<'r>(
        &'r self,
        report: &'r ScanReport,
    ) -> impl Iterator<Item = &'r ScanFailure> + 'r {
        report
            .failures
            .iter()
            .filter(move |f| !self.named.contains(&f.path))
    }
}

/// What a scan did, as a face reports it at the end. Counts saturate at `u32::MAX` (the
/// desktop app's UI takes no 64-bit numbers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    /// Audio files found.
    pub files: u32,
    /// Contents analysed now.
    pub analysed: u32,
    /// Contents taken from the studio's shared analyses (no decode).
    pub shared: u32,
    /// Unchanged since the last scan.
    pub unchanged: u32,
    /// Duplicates and moved files (no decode).
    pub reused: u32,
    /// Files that failed in this scan (each named as it failed).
    pub failed: u32,
    /// Unchanged files that failed in an earlier scan, not tried again until they change.
    pub failed_before: u32,
    /// Paths newly marked missing.
    pub missing: u32,
    /// Stopped before the end.
    pub cancelled: bool,
    /// Wall time, seconds.
    pub seconds: f64,
}

impl ScanSummary {
    /// The summary of `report`, which took `seconds`.
    pub fn of(report: &ScanReport, seconds: f64) -> Self {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Self {
            files: n(report.files),
            analysed: n(report.analysed),
            shared: n(report.shared),
            unchanged: n(report.unchanged),
            reused: n(report.reused),
            failed: n(report.failures.len() as u64),
            failed_before: n(report.failed_before),
            missing: n(report.missing),
            cancelled: report.cancelled,
            seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(p: &str) -> ScanFailure {
        ScanFailure {
            path: PathBuf::from(p),
            kind: "io".into(),
            message: format!("{p}: unreadable"),
        }
    }

    #[test]
    fn progress_is_throttled_the_last_file_always_shows_and_unnamed_failures_remain() {
        let mut p = Progress::new(Duration::from_secs(3600));
        assert_eq!(p.phase, Phase::Indexing);
        let indexed = ScanEvent::Indexed {
            files: 3,
            unchanged: 0,
            to_analyse: 3,
        };
        assert_eq!(p.step(&indexed), Step::Indexed);
        assert_eq!((p.phase, p.total), (Phase::Analysing, 3));
        let a = samplemind_analysis::Analysis::default();
        let ok = ScanEvent::Analysed {
            path: Path::new("/a.wav"),
            outcome: Ok(&a),
        };
        // Shown at the index, so the first file within the hour is not shown again.
        assert!(matches!(p.step(&ok), Step::Analysed { show: false, .. }));
        let bad = failure("/b.wav");
        let failed = ScanEvent::Analysed {
            path: Path::new("/b.wav"),
            outcome: Err(&bad),
        };
        assert!(matches!(p.step(&failed), Step::Failed { show: false, .. }));
        assert!(matches!(p.step(&ok), Step::Analysed { show: true, .. }));
        assert_eq!(p.done, 3);
        let report = ScanReport {
            failures: vec![failure("/b.wav"), failure("/gone")],
            ..ScanReport::default()
        };
        let unnamed: Vec<_> = p.unnamed(&report).map(|f| f.path.clone()).collect();
        assert_eq!(unnamed, [PathBuf::from("/gone")]);
    }
}
