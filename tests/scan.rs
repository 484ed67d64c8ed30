//! Scanning: index, dedupe, incremental rescan, moved, changed and deleted files.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use samplemind::library::{scan, PathStatus, ScanEvent, ScanOptions, ScanReport};
use samplemind::Library;

use crate::util::*;

pub fn run_scan(lib: &Library, roots: &[PathBuf]) -> ScanReport {
    let stop = AtomicBool::new(false);
    let mut indexed_before_analysis = None;
    let mut on_event = |ev: &ScanEvent<'_>| {
        if let ScanEvent::Indexed { files, .. } = ev {
            indexed_before_analysis.get_or_insert(*files);
        }
    };
    let r = scan(lib, roots, &ScanOptions::default(), &stop, &mut on_event).unwrap();
    assert_eq!(
        indexed_before_analysis,
        Some(r.files),
        "the index event comes first"
    );
    r
}

/// Three distinct sounds plus one exact duplicate in a subfolder.
pub fn make_folder(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    write_mono(
        &dir.join("a_440.wav"),
        &sine(440.0, 0.5, 22_050, 0.5),
        22_050,
    );
    write_mono(
        &dir.join("b_880.wav"),
        &sine(880.0, 0.5, 22_050, 0.5),
        22_050,
    );
    write_mono(
        &dir.join("sub/c_220.wav"),
        &sine(220.0, 0.5, 22_050, 0.7),
        22_050,
    );
    std::fs::copy(dir.join("a_440.wav"), dir.join("sub/a_copy.wav")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not audio, ignored by the walk").unwrap();
}

fn status(lib: &Library, p: &Path) -> PathStatus {
    lib.path_entry(&std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
        .unwrap()
        .unwrap()
        .status
}

#[test]
fn duplicates_are_analysed_once_and_rescan_skips_unchanged() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    let r1 = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((r1.files, r1.analysed, r1.reused), (4, 3, 1), "{r1:?}");
    assert!(r1.failures.is_empty());
    assert_eq!(t.lib.stats().unique_samples, 3);
    assert_eq!(t.lib.stats().analysed, 4);

    let r2 = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!(
        (r2.files, r2.unchanged, r2.hashed, r2.analysed),
        (4, 4, 0, 0),
        "{r2:?}"
    );
}

#[test]
fn moved_file_keeps_its_analysis_and_old_path_goes_missing() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    run_scan(&t.lib, std::slice::from_ref(&root));
    let before = t.lib.stats();
    let old = std::fs::canonicalize(root.join("b_880.wav")).unwrap();
    std::fs::rename(&old, root.join("sub/b_moved.wav")).unwrap();
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((r.analysed, r.reused, r.missing), (0, 1, 1), "{r:?}");
    assert_eq!(
        t.lib.path_entry(&old).unwrap().unwrap().status,
        PathStatus::Missing
    );
    assert_eq!(
        status(&t.lib, &root.join("sub/b_moved.wav")),
        PathStatus::Analysed
    );
    assert_eq!(t.lib.stats().unique_samples, before.unique_samples);

    // It comes back: present again, still no decode.
    std::fs::rename(root.join("sub/b_moved.wav"), &old).unwrap();
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!(r.analysed, 0, "{r:?}");
    assert_eq!(
        t.lib.path_entry(&old).unwrap().unwrap().status,
        PathStatus::Analysed
    );
}

#[test]
fn changed_file_is_analysed_again() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    run_scan(&t.lib, std::slice::from_ref(&root));
    write_mono(
        &root.join("a_440.wav"),
        &sine(440.0, 0.5, 22_050, 2.0),
        22_050,
    );
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((r.hashed, r.analysed), (1, 1), "{r:?}");
    let (entries, _) = t.lib.entries();
    let a = entries
        .iter()
        .find(|e| e.path.ends_with("a_440.wav"))
        .unwrap();
    assert!((a.sample.as_ref().unwrap().analysis.duration_s - 2.0).abs() < 1e-6);
}

/// Make the record at `path` look like an older analyser's (version 1, a wrong duration),
/// with marks (a star, a tag) and a BPM correction the producer added; returns its hash.
fn make_outdated(lib: &Library, path: &Path) -> samplemind::library::ContentHash {
    let path = std::fs::canonicalize(path).unwrap();
    let hash = lib.path_entry(&path).unwrap().unwrap().hash;
    let mut rec = lib.sample(&hash).unwrap().unwrap();
    rec.analysis.analyser_version = 1;
    rec.analysis.duration_s = 99.0;
    rec.corrections.bpm = Some(120.0);
    lib.put_sample(&rec).unwrap();
    let marks = samplemind::library::Curation {
        favourite: true,
        tags: vec!["mine".into()],
        ..Default::default()
    };
    lib.set_curation(&hash, &marks).unwrap();
    hash
}

/// A record an older analyser made is analysed again on rescan, and what the producer added
/// to it (marks, corrections) stays.
#[test]
fn an_outdated_record_is_analysed_again_and_keeps_what_the_producer_added() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    run_scan(&t.lib, std::slice::from_ref(&root));
    let hash = make_outdated(&t.lib, &root.join("a_440.wav"));

    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    // Two paths (the file and its copy) share the record; it is analysed once.
    assert_eq!((r.outdated, r.analysed), (2, 1), "{r:?}");
    let now = t.lib.sample(&hash).unwrap().unwrap();
    assert_eq!(
        now.analysis.analyser_version,
        samplemind::analysis::ANALYSER_VERSION
    );
    assert!(
        (now.analysis.duration_s - 0.5).abs() < 0.01,
        "{}",
        now.analysis.duration_s
    );
    let marks = t.lib.curation(&hash).unwrap();
    assert!(marks.favourite);
    assert_eq!(marks.tags, vec!["mine".to_string()]);
    assert_eq!(now.corrections.bpm, Some(120.0));
    // And the next rescan leaves it alone.
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((r.outdated, r.analysed), (0, 0), "{r:?}");
}

/// A known content found at a new path (a moved file, a new copy) takes the stored
/// analysis only when it is current: an outdated one is analysed again, keeping what the
/// producer added, as it would be at its old path.
#[test]
fn an_outdated_record_found_at_a_new_path_is_analysed_again() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    run_scan(&t.lib, std::slice::from_ref(&root));
    let old = std::fs::canonicalize(root.join("b_880.wav")).unwrap();
    let hash = make_outdated(&t.lib, &old);

    std::fs::rename(&old, root.join("sub/b_moved.wav")).unwrap();
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!(
        (r.hashed, r.outdated, r.analysed, r.reused, r.missing),
        (1, 1, 1, 0, 1),
        "{r:?}"
    );
    let now = t.lib.sample(&hash).unwrap().unwrap();
    assert_eq!(
        now.analysis.analyser_version,
        samplemind::analysis::ANALYSER_VERSION
    );
    assert!((now.analysis.duration_s - 0.5).abs() < 0.01);
    let marks = t.lib.curation(&hash).unwrap();
    assert!(marks.favourite);
    assert_eq!(marks.tags, vec!["mine".to_string()]);
    assert_eq!(
        status(&t.lib, &root.join("sub/b_moved.wav")),
        PathStatus::Analysed
    );
}

#[test]
fn identical_content_at_two_paths_is_one_record() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    run_scan(&t.lib, std::slice::from_ref(&root));
    let a = t
        .lib
        .path_entry(&std::fs::canonicalize(root.join("a_440.wav")).unwrap())
        .unwrap()
        .unwrap();
    let b = t
        .lib
        .path_entry(&std::fs::canonicalize(root.join("sub/a_copy.wav")).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(a.hash, b.hash);
    assert!(t.lib.sample(&a.hash).unwrap().is_some());
}

/// Search keeps its catalogue in memory between queries; every write through the library
/// must show in the next search: new files, a corrected tempo, a file gone missing.
#[test]
fn search_sees_every_write_between_queries() {
    use samplemind::library::record::Corrections;
    use samplemind::search::{search, Query};
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    std::fs::create_dir_all(&root).unwrap();
    write_mono(
        &root.join("a_440.wav"),
        &sine(440.0, 0.5, 22_050, 0.5),
        22_050,
    );
    run_scan(&t.lib, std::slice::from_ref(&root));
    let all = |q: &Query| search(&t.lib, q).unwrap().0;
    assert_eq!(all(&Query::default()).len(), 1);
    assert_eq!(
        all(&Query::default()).len(),
        1,
        "the same state, asked twice"
    );

    write_mono(
        &root.join("b_880.wav"),
        &sine(880.0, 0.5, 22_050, 0.5),
        22_050,
    );
    run_scan(&t.lib, std::slice::from_ref(&root));
    let words = Query {
        text: Some("880".into()),
        ..Query::default()
    };
    assert_eq!(all(&words).len(), 1, "a new file is found by its name");
    assert_eq!(all(&Query::default()).len(), 2);

    let b = all(&words).remove(0);
    let tempo = Query {
        bpm: Some((99.0, 101.0)),
        ..Query::default()
    };
    assert!(all(&tempo).is_empty());
    t.lib
        .set_corrections(
            &b.sample.hash,
            Corrections {
                bpm: Some(100.0),
                ..Corrections::default()
            },
        )
        .unwrap();
    let found = all(&tempo);
    assert_eq!(found.len(), 1, "a corrected tempo is searchable at once");
    assert_eq!(found[0].sample.bpm(), Some(100.0));

    std::fs::remove_file(root.join("a_440.wav")).unwrap();
    run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!(
        all(&Query::default()).len(),
        1,
        "a missing file is not listed"
    );
}

/// A drive unplugged (its folder gone): its samples stay listed, offline with the drive's
/// name, a rescan does not mark them missing, and on re-mount nothing is analysed again.
#[test]
fn an_unplugged_drive_stays_listed_offline_and_comes_back_without_analysis() {
    use samplemind::library::browse::Browser;
    use samplemind::library::view::PageQuery;
    let t = TempLib::new();
    let drive = t.dir.path().join("USB Samples");
    make_folder(&drive);
    run_scan(&t.lib, std::slice::from_ref(&drive));
    let page = |t: &TempLib| {
        Browser::default()
            .page(&t.lib, &PageQuery::default(), 0, 100)
            .unwrap()
    };
    assert_eq!(page(&t).total, 4);
    assert!(page(&t).rows.iter().all(|r| r.offline.is_none()));

    let away = t.dir.path().join("elsewhere");
    std::fs::rename(&drive, &away).unwrap();
    let p = page(&t);
    assert_eq!(p.total, 4, "an offline drive's samples stay listed");
    assert!(
        p.rows
            .iter()
            .all(|r| r.offline.as_deref() == Some("USB Samples")),
        "{:?}",
        p.rows
    );
    let r = run_scan(&t.lib, std::slice::from_ref(&drive));
    assert_eq!((r.missing, r.analysed), (0, 0), "{r:?}");
    assert_eq!(page(&t).total, 4);

    std::fs::rename(&away, &drive).unwrap();
    let r = run_scan(&t.lib, std::slice::from_ref(&drive));
    assert_eq!((r.analysed, r.hashed, r.unchanged), (0, 0, 4), "{r:?}");
    assert!(page(&t).rows.iter().all(|r| r.offline.is_none()));
}

/// A folder moved for good, relinked to its new place: found again by content (nothing
/// analysed), the old paths gone, the roots moved, a hidden copy still hidden.
#[test]
fn a_moved_folder_is_relinked_by_content_with_no_analysis() {
    use samplemind::library::drives::relink;
    use samplemind::search::{duplicates, search, Query};
    let t = TempLib::new();
    let old = std::fs::canonicalize(t.dir.path()).unwrap().join("Packs");
    make_folder(&old);
    run_scan(&t.lib, std::slice::from_ref(&old));
    let g = duplicates::exact(&t.lib);
    duplicates::keep_one(&t.lib, &g[0].id, None).unwrap();
    let count = |q: &Query| search(&t.lib, q).unwrap().0.len();
    assert_eq!(count(&Query::default()), 3);

    let new = old.with_file_name("Moved Packs");
    std::fs::rename(&old, &new).unwrap();
    let r = relink(&t.lib, &old, &new, &ScanOptions::default(), &mut |_| {}).unwrap();
    assert_eq!((r.old_paths, r.relinked), (4, 4), "{r:?}");
    assert_eq!(r.scan.analysed, 0, "{r:?}");
    let hits = search(&t.lib, &Query::default()).unwrap().0;
    assert_eq!(hits.len(), 3, "the copy is still hidden");
    assert!(hits.iter().all(|h| h.path.starts_with(&new)));
    assert_eq!(t.lib.roots(), vec![new.clone()]);
    assert!(relink(
        &t.lib,
        &old.with_file_name("Nothing"),
        &new,
        &ScanOptions::default(),
        &mut |_| {}
    )
    .is_err());
}
