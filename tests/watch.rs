//! Watch folders against the real OS notifications (inotify here): a copied file is analysed
//! within seconds, a renamed one keeps its analysis, a deleted one goes missing, a burst is
//! batched and analysed once, an editor's temporary file is ignored.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use samplemind::library::watch::{watch, WatchBatch, WatchOptions};
use samplemind::library::{PathStatus, ScanOptions};

use crate::scan::run_scan;
use crate::util::*;

fn status(lib: &samplemind::Library, p: &Path) -> Option<PathStatus> {
    lib.path_entry(p).unwrap().map(|e| e.status)
}

/// The batches until `ok` holds of everything seen (or 20 s), with the time it took.
fn until(
    rx: &mpsc::Receiver<WatchBatch>,
    ok: impl Fn(&[WatchBatch]) -> bool,
) -> (Vec<WatchBatch>, Duration) {
    let t0 = Instant::now();
    let mut seen = Vec::new();
    while t0.elapsed() < Duration::from_secs(20) {
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(100)) {
            seen.push(b);
            if ok(&seen) {
                return (seen, t0.elapsed());
            }
        }
    }
    panic!("the watch did not get there in 20 s: {seen:#?}");
}

#[test]
fn a_watched_folder_keeps_the_library_up_to_date() {
    let t = TempLib::new();
    let root = std::fs::canonicalize(t.dir.path()).unwrap().join("samples");
    std::fs::create_dir_all(&root).unwrap();
    write_mono(
        &root.join("first.wav"),
        &sine(330.0, 0.3, 22_050, 0.5),
        22_050,
    );
    run_scan(&t.lib, std::slice::from_ref(&root));

    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let worker = {
        let (lib, root, stop) = (t.lib.clone(), root.clone(), stop.clone());
        std::thread::spawn(move || {
            let opts = WatchOptions {
                quiet: Duration::from_millis(400),
                at_most: Duration::from_secs(5),
                ..WatchOptions::default()
            };
            watch(
                &lib,
                &[root],
                &ScanOptions::default(),
                &opts,
                &stop,
                &mut |b| {
                    let _ = tx.send(b.clone());
                },
                &mut |_| {},
            )
        })
    };
    // inotify watches are set before `watch` loops; give the thread a moment to get there.
    std::thread::sleep(Duration::from_millis(300));

    // A copied file: analysed within seconds.
    let new = root.join("kick new.wav");
    write_mono(&new, &sine(60.0, 0.4, 22_050, 0.8), 22_050);
    let (_, took) = until(&rx, |b| b.iter().map(|b| b.scan.analysed).sum::<u64>() == 1);
    eprintln!(
        "figure: a copied file analysed {:.0} ms after it was written (quiet spell 400 ms)",
        took.as_secs_f64() * 1000.0
    );
    assert_eq!(status(&t.lib, &new), Some(PathStatus::Analysed));

    // Renamed: the old path goes missing, the new one takes the stored analysis.
    let renamed = root.join("kick renamed.wav");
    std::fs::rename(&new, &renamed).unwrap();
    let (b, _) = until(&rx, |b| {
        b.iter().any(|b| b.scan.reused == 1) && b.iter().any(|b| b.gone == 1)
    });
    assert_eq!(
        b.iter().map(|b| b.scan.analysed).sum::<u64>(),
        0,
        "a rename is not analysed again: {b:#?}"
    );
    assert_eq!(status(&t.lib, &renamed), Some(PathStatus::Analysed));
    assert_eq!(status(&t.lib, &new), Some(PathStatus::Missing));

    // Deleted: missing, its analysis kept.
    std::fs::remove_file(&renamed).unwrap();
    until(&rx, |b| b.iter().map(|b| b.gone).sum::<u64>() == 1);
    assert_eq!(status(&t.lib, &renamed), Some(PathStatus::Missing));

    // A burst (a pack unzipped) with an editor's temporary file: batched, each sound
    // analysed once, the temporary file never indexed.
    let pack = root.join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    for i in 0..40 {
        write_mono(
            &pack.join(format!("tone {i}.wav")),
            &sine(200.0 + 15.0 * f64::from(i), 0.2, 22_050, 0.5),
            22_050,
        );
    }
    write_mono(
        &pack.join("tone 0.wav.part"),
        &sine(100.0, 0.2, 22_050, 0.5),
        22_050,
    );
    let (b, took) = until(&rx, |b| {
        b.iter().map(|b| b.scan.analysed).sum::<u64>() >= 40
    });
    eprintln!(
        "figure: a 40-file burst in {} batch(es), all analysed {:.1} s after the last was written",
        b.len(),
        took.as_secs_f64()
    );
    assert_eq!(
        b.iter().map(|b| b.scan.analysed).sum::<u64>(),
        40,
        "each sound analysed once: {b:#?}"
    );
    assert!(
        b.len() <= 3,
        "a burst is batched, not file by file: {} batches",
        b.len()
    );
    assert_eq!(status(&t.lib, &pack.join("tone 0.wav.part")), None);
    assert!(
        t.lib.roots().iter().all(|r| *r == root),
        "a watch adds no roots: {:?}",
        t.lib.roots()
    );

    // The watched folder itself goes (a drive unplugged): its samples are not marked missing.
    let away = root.with_file_name("unplugged");
    std::fs::rename(&root, &away).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    while let Ok(b) = rx.try_recv() {
        assert_eq!(b.gone, 0, "an unplugged drive's files are not gone: {b:#?}");
    }
    assert_eq!(
        status(&t.lib, &root.join("first.wav")),
        Some(PathStatus::Analysed)
    );

    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap().unwrap();
}
