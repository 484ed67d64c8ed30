//! A damaged store, as a torn write, a bad disk or a stray tool leaves one: every command ends
//! with words naming the damage and the way out, and `samplemind repair` brings the library
//! back (the damaged store kept aside, hand corrections kept, the rest rescanned).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use samplemind::library::{hash_file, Corrections};
use samplemind::Library;

use crate::hostile::{many_sounds, wait_bounded};
use crate::util::*;

const SOUNDS: u64 = 30;

/// A home with `SOUNDS` sounds scanned into its library; the folder and the library dir.
fn scanned(home: &Path) -> (PathBuf, PathBuf) {
    let folder = many_sounds(&home.join("pack"), 0, SOUNDS as usize);
    run_ok(
        cli(home)
            .arg("scan")
            .arg(&folder)
            .args(["--no-models", "--table-rows", "0"]),
    );
    // A read after the scan leaves sled's snapshot beside its log, as any session does.
    run_ok(cli(home).arg("stats"));
    (folder, home.join("library"))
}

fn store(lib: &Path) -> PathBuf {
    lib.join("store")
}

/// Every 997th byte of `file` inverted: damage spread over every page.
fn flip_every_997th(file: &Path) {
    let mut b = std::fs::read(file).unwrap();
    for i in (0..b.len()).step_by(997) {
        b[i] ^= 0xff;
    }
    std::fs::write(file, b).unwrap();
}

fn snapshot(lib: &Path) -> PathBuf {
    std::fs::read_dir(store(lib))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snap.")
        })
        .expect("sled leaves a snapshot after a session")
}

/// `samplemind ARGS` in `home`, failed if it runs past 60 s: (exit code, stdout, stderr).
fn bounded(home: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let child = cli(home)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(
        child,
        60,
        &format!("samplemind {args:?} on a damaged store"),
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn analysed(home: &Path) -> u64 {
    let out = run_ok(cli(home).args(["stats", "--json"]));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["damaged"].is_null(), "{s}");
    s["analysed"].as_u64().unwrap()
}

fn damaged_stores(lib: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(lib)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("store.damaged-")
        })
        .collect()
}

#[test]
fn a_damaged_log_is_named_by_every_command_and_repair_rebuilds_it_with_the_corrections() {
    let home = tempfile::tempdir().unwrap();
    let (folder, lib_dir) = scanned(home.path());
    let corrected = hash_file(&folder.join("s_007.wav")).unwrap();
    let fix = Corrections {
        bpm: Some(97.0),
        category: Some("perc".into()),
        ..Default::default()
    };
    {
        let lib = Library::open(&lib_dir).unwrap();
        lib.set_corrections(&corrected, fix.clone()).unwrap();
        lib.flush().unwrap();
    }
    let db = store(&lib_dir).join("db");
    flip_every_997th(&db);
    let damaged_bytes = std::fs::read(&db).unwrap();

    // Each read ends (no spin, no panic) and names the damage and the way out.
    for args in [&["stats"][..], &["search", "s_0"], &["export", "--json"]] {
        let (code, _, err) = bounded(home.path(), args);
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?} {err}");
        assert!(
            err.contains("is damaged") && err.contains("samplemind repair"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let (code, library) = health_component(home.path(), "library");
    assert_eq!(code, Some(1));
    assert_eq!(library["status"], "down", "{library}");
    assert!(library["fix"]
        .as_str()
        .unwrap()
        .contains("samplemind repair"));

    let (code, out, err) = bounded(home.path(), &["repair", "--no-models"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("kept at"), "{out}");
    // The damaged store is moved aside byte for byte, never deleted.
    let aside = damaged_stores(&lib_dir);
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(aside[0].join("db")).unwrap(), damaged_bytes);

    // The rescan brought every sound back, and the journal the hand corrections.
    assert_eq!(analysed(home.path()), SOUNDS);
    let lib = Library::open(&lib_dir).unwrap();
    assert_eq!(lib.sample(&corrected).unwrap().unwrap().corrections, fix);
    drop(lib);
    let (_, library) = health_component(home.path(), "library");
    assert_eq!(library["status"], "ok", "{library}");
}

#[test]
fn a_damaged_snapshot_is_rebuilt_from_the_log_without_a_rescan() {
    let home = tempfile::tempdir().unwrap();
    let (_, lib_dir) = scanned(home.path());
    let snap = snapshot(&lib_dir);
    let mut b = std::fs::read(&snap).unwrap();
    for x in b.iter_mut().skip(100).take(40) {
        *x ^= 0x5a;
    }
    std::fs::write(&snap, b).unwrap();
    let (code, _, err) = bounded(home.path(), &["stats"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is damaged"), "{err}");

    let (code, out, err) = bounded(home.path(), &["repair", "--no-scan"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("without its damaged snapshot"), "{out}");
    assert!(out.contains("to finish: samplemind scan"), "{out}");
    // Nothing was rescanned, yet every sound is back: the log alone held them.
    assert_eq!(analysed(home.path()), SOUNDS);
}

/// The store's file emptied, with its snapshot kept (sled finds the checksums wrong) and
/// without it (sled opens an empty store, which only the keep journal knows to be a loss).
#[test]
fn an_emptied_store_file_neither_panics_nor_passes_for_an_empty_library() {
    for drop_snapshot in [false, true] {
        let home = tempfile::tempdir().unwrap();
        let (_, lib_dir) = scanned(home.path());
        if drop_snapshot {
            std::fs::remove_file(snapshot(&lib_dir)).unwrap();
        }
        std::fs::File::create(store(&lib_dir).join("db")).unwrap();
        for args in [&["stats"][..], &["search", "s_0"]] {
            let (code, _, err) = bounded(home.path(), args);
            // 2 when the store does not open; 1 when it opens and a read meets the damage
            // (what sled recovers from the snapshot depends on when its flusher last ran).
            assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?} {err}");
            assert!(err.contains("is damaged"), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
        }
        let (code, out, err) = bounded(home.path(), &["repair", "--no-models"]);
        assert_eq!(code, Some(0), "{out}\n{err}");
        assert_eq!(
            analysed(home.path()),
            SOUNDS,
            "snapshot dropped: {drop_snapshot}"
        );
    }
}

#[test]
fn repair_leaves_a_whole_library_and_one_in_use_untouched() {
    let home = tempfile::tempdir().unwrap();
    let (_, lib_dir) = scanned(home.path());
    let (code, out, _) = bounded(home.path(), &["repair"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("nothing to repair"), "{out}");
    assert!(damaged_stores(&lib_dir).is_empty());

    let held = Library::open(&lib_dir).unwrap();
    let (code, _, err) = bounded(home.path(), &["repair"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("in use by another SampleMind process"),
        "{err}"
    );
    assert!(damaged_stores(&lib_dir).is_empty());
    drop(held);
    assert_eq!(analysed(home.path()), SOUNDS);
}

/// A 2 MiB tmpfs mounted at a fresh folder, unmounted on drop; `None` where mounting is not
/// permitted (not root, or a container without the capability).
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(at.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_library_on_a_full_disk_is_still_read() {
    let t = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&t.path().join("disk")) else {
        eprintln!("skipped: this machine does not let the test mount a tmpfs");
        return;
    };
    let home = disk.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    // Room for the store to grow into until the disk is full mid-scan.
    std::fs::write(disk.0.join("filler"), vec![0u8; 400 << 10]).unwrap();
    let folder = many_sounds(&t.path().join("pack"), 0, 600);
    let (code, _, err) = bounded(&home, &["scan", folder.to_str().unwrap(), "--no-models"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no space left"), "{err}");

    // sled's recovery needs room to open this store; the reads go on from a scratch copy.
    let out = cli(&home).args(["stats", "--json"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("reading from a temporary copy"), "{err}");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["analysed"].as_u64().unwrap() > 100, "{s}");
    let (code, _, err) = bounded(&home, &["search", "s_01", "-n", "3"]);
    assert_eq!(code, Some(0), "{err}");
    let (_, library) = health_component(&home, "library");
    assert_eq!(library["status"], "degraded", "{library}");
    drop(disk);
}
