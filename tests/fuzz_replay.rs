//! The fuzz targets' inputs replayed on the stable toolchain: each target's seed corpus
//! (`fuzz/seeds/<target>/`) and every input a fuzzer found a crash with
//! (`fuzz/regressions/<target>/`, named after what it found). A regression that comes back
//! fails here, in CI, without libFuzzer.

use std::cell::Cell;
use std::path::Path;
use std::sync::Once;

use samplemind::fuzzing;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 5] = [
    ("decode_analyse", fuzzing::decode_analyse),
    ("loop_chunks", fuzzing::loop_chunks),
    ("stored_records", fuzzing::stored_records),
    ("api_inputs", fuzzing::api_inputs),
    ("ai_answers", fuzzing::ai_answers),
];

fn inputs(kind: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

thread_local! {
    /// Panics on this thread, caught or not.
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Count every panic, also those the code catches (analysis turns a panic into the file's
/// failure): libFuzzer aborts on any panic, and so must the replay.
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // Over the core's quiet hook (which keeps caught panics off stderr), so that this one
        // sees them all.
        samplemind::isolate::install_quiet_hook();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            previous(info);
        }));
    });
}

#[test]
fn every_seed_and_every_crash_fuzzing_found_runs_clean() {
    count_panics();
    for (target, run) in TARGETS {
        let seeds = inputs("seeds", target);
        assert!(
            !seeds.is_empty(),
            "no seeds for {target} (scripts/fuzz-seeds.sh)"
        );
        for (name, bytes) in seeds.iter().chain(&inputs("regressions", target)) {
            let before = PANICS.with(Cell::get);
            run(bytes);
            assert_eq!(
                PANICS.with(Cell::get),
                before,
                "{target}: {name} panicked (caught or not)"
            );
        }
    }
}

/// A real stored record, cut at every length and with each byte inverted in turn: the
/// store's decoder meets every torn or flipped record a damaged disk could hand it.
#[test]
fn every_cut_and_flip_of_a_stored_record_decodes_or_fails_cleanly() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/hat_closed.wav");
    let analysis = samplemind::analyse_file(&demo, &Default::default())
        .unwrap()
        .analysis;
    let rec = samplemind::SampleRecord {
        path: demo,
        analysis,
        corrections: samplemind::library::Corrections {
            key: Some("A minor".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let bytes = rmp_serde::to_vec_named(&rec).unwrap();
    let back: samplemind::SampleRecord = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(
        (&back.path, &back.corrections, back.analysis.duration_s),
        (&rec.path, &rec.corrections, rec.analysis.duration_s)
    );
    for cut in 0..bytes.len() {
        fuzzing::stored_records(&bytes[..cut]);
    }
    let mut flipped = bytes.clone();
    for i in 0..flipped.len() {
        flipped[i] ^= 0xff;
        fuzzing::stored_records(&flipped);
        flipped[i] ^= 0xff;
    }
}
