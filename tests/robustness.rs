//! Bad input, corrupt records, schema versions, and interrupted scans: each gives a clear
//! error naming the file, the rest goes on, and nothing stored is lost.

use std::time::{Duration, Instant};

use samplemind::library::{LibraryError, PathStatus};
use samplemind::Library;

use crate::scan::{make_folder, run_scan};
use crate::util::*;

#[test]
fn each_bad_input_gets_a_clear_error_and_the_scan_goes_on() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    // Good files first: their records must survive the bad ones.
    run_scan(&t.lib, std::slice::from_ref(&root));
    let good_before = t.lib.stats().unique_samples;

    let bad = root.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("empty.wav"), b"").unwrap();
    std::fs::write(
        bad.join("text.wav"),
        b"this is a text file with a .wav name\n".repeat(20),
    )
    .unwrap();
    // A valid WAV header with no sample frames.
    write_mono(&bad.join("zero_samples.wav"), &[], 44_100);
    let mut expected = vec![
        ("empty.wav", "empty"),
        ("text.wav", "unsupported-format"),
        ("zero_samples.wav", "no-samples"),
        ("dangling.wav", "io"),
        ("loop", "symlink-loop"),
    ];
    std::os::unix::fs::symlink(bad.join("does_not_exist.wav"), bad.join("dangling.wav")).unwrap();
    std::os::unix::fs::symlink(&bad, bad.join("loop")).unwrap();
    if have("ffmpeg") {
        let src = root.join("a_440.wav");
        let long = bad.join("long.wav");
        write_mono(&long, &music_like(44_100, 3.0, 3), 44_100);
        let flac = t.dir.path().join("full.flac");
        ffmpeg(&long, &flac, &["-c:a", "flac"]);
        let len = std::fs::metadata(&flac).unwrap().len() as usize;
        truncated_copy(&flac, &bad.join("truncated.flac"), len / 2);
        let mp3 = t.dir.path().join("full.mp3");
        ffmpeg(&src, &mp3, &["-c:a", "libmp3lame"]);
        let len = std::fs::metadata(&mp3).unwrap().len() as usize;
        truncated_copy(&mp3, &bad.join("truncated.mp3"), len / 2 + 7);
        std::fs::remove_file(&long).unwrap();
        expected.push(("truncated.flac", "truncated"));
        expected.push(("truncated.mp3", "truncated"));
    }
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    eprintln!("{:#?}", r.failures);
    for (name, kind) in &expected {
        let f = r
            .failures
            .iter()
            .find(|f| f.path.file_name().is_some_and(|n| n == *name))
            .unwrap_or_else(|| panic!("no failure for {name}: {:#?}", r.failures));
        assert_eq!(f.kind, *kind, "{name}: {}", f.message);
        assert!(
            f.message.contains(name),
            "message must name the file: {}",
            f.message
        );
    }
    assert_eq!(r.failures.len(), expected.len(), "{:#?}", r.failures);
    // Nothing stored was lost, and the good files are still there and analysed.
    assert_eq!(t.lib.stats().unique_samples, good_before);
    let (entries, problems) = t.lib.entries();
    assert!(problems.is_empty());
    assert_eq!(entries.len(), 4);
    // Failures are remembered on their paths.
    let e = t
        .lib
        .path_entry(&std::fs::canonicalize(bad.join("text.wav")).unwrap())
        .unwrap()
        .unwrap();
    assert!(matches!(e.status, PathStatus::Failed { .. }));
}

#[test]
fn a_corrupt_record_is_reported_and_skipped_never_a_panic() {
    let t = TempLib::new();
    let root = t.dir.path().join("samples");
    make_folder(&root);
    run_scan(&t.lib, std::slice::from_ref(&root));
    let victim = t
        .lib
        .path_entry(&std::fs::canonicalize(root.join("b_880.wav")).unwrap())
        .unwrap()
        .unwrap();
    t.lib
        .put_raw_sample(&victim.hash, b"\xc1\xff garbage")
        .unwrap();
    let (entries, problems) = t.lib.entries();
    assert_eq!(entries.len(), 3);
    assert_eq!(problems.len(), 1);
    assert!(
        matches!(
            problems[0],
            LibraryError::Corrupt {
                tree: "samples",
                ..
            }
        ),
        "{}",
        problems[0]
    );
    assert_eq!(t.lib.stats().corrupt_records, 1);
}

#[test]
fn schema_version_is_recorded_and_a_newer_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib");
    {
        let lib = Library::open(&path).unwrap();
        assert_eq!(
            lib.schema_version().unwrap(),
            samplemind::library::SCHEMA_VERSION
        );
    }
    {
        let db = sled::open(path.join("store")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema_version", &99u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    match Library::open(&path) {
        Err(LibraryError::NewerSchema { found: 99, .. }) => {}
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer library must be refused"),
    }
}

/// Many small files so a scan takes long enough to interrupt.
fn many_files(dir: &std::path::Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let x = music_like(44_100, 1.5, i as u64 + 1);
        write_mono(&dir.join(format!("s{i:03}.wav")), &x, 44_100);
    }
}

fn wait_for_progress(child: &mut std::process::Child, after: Duration) {
    let t = Instant::now();
    while t.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_scan_killed_with_sigkill_is_finished_by_the_next_scan() {
    let home = tempfile::tempdir().unwrap();
    let samples = home.path().join("samples");
    many_files(&samples, 300);
    let mut child = cli(home.path())
        .args(["scan", "--no-models", "--table-rows", "0"])
        .arg(&samples)
        .spawn()
        .unwrap();
    wait_for_progress(&mut child, Duration::from_millis(1000));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let out = run_ok(
        cli(home.path())
            .args(["scan", "--no-models", "--json"])
            .arg(&samples),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!(
        "second scan: analysed {} unchanged {}",
        report["analysed"], report["unchanged"]
    );
    // The kill must have landed mid-scan: work was kept, and work was left.
    assert!(
        report["analysed"].as_u64().unwrap() > 0,
        "the scan finished before the kill: {report}"
    );
    assert!(
        report["unchanged"].as_u64().unwrap() > 0,
        "nothing survived the kill: {report}"
    );
    let stats = cli(home.path()).args(["stats", "--json"]).output().unwrap();
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(s["analysed"], 300, "{s}");
    assert_eq!(s["pending"], 0);
    assert_eq!(s["corrupt_records"], 0);
}

#[test]
fn ctrl_c_stops_cleanly_keeping_finished_work() {
    let home = tempfile::tempdir().unwrap();
    let samples = home.path().join("samples");
    many_files(&samples, 120);
    let mut child = cli(home.path())
        .args(["scan", "--no-models", "--table-rows", "0", "-j", "1"])
        .arg(&samples)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_progress(&mut child, Duration::from_millis(900));
    let pid = child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let stats = cli(home.path()).args(["stats", "--json"]).output().unwrap();
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    if text.contains("stopped early") {
        assert_eq!(out.status.code(), Some(1));
        let analysed = s["analysed"].as_u64().unwrap();
        assert!(analysed > 0 && analysed < 120, "{s}");
    }
    let again = cli(home.path())
        .args(["scan", "--no-models", "--table-rows", "0"])
        .arg(&samples)
        .output()
        .unwrap();
    assert!(again.status.success());
    let s2: serde_json::Value = serde_json::from_slice(
        &cli(home.path())
            .args(["stats", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(s2["analysed"], 120);
}
