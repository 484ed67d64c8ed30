//! The local models on real ONNX Runtime and the real model files (`scripts/fetch-ml.sh`
//! puts the runtime in vendor/ml; .ci/run calls it first).

use std::path::Path;

use samplemind::analysis::{analyse_file, AnalysisOptions};
use samplemind::config::MlSettings;
use samplemind::ml::{self, MlError, ModelId, Models};

use crate::util::sine;

fn models() -> std::sync::Arc<Models> {
    ml::open(&MlSettings::default()).expect("ONNX Runtime (run scripts/fetch-ml.sh)")
}

fn demo(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A kick: a sine swept down from `top` to `bottom` Hz under an exponential decay.
fn kick(top: f64, bottom: f64, decay_s: f64) -> Vec<f32> {
    let rate = 44_100.0;
    let mut phase = 0.0f64;
    (0..(0.6 * rate) as usize)
        .map(|i| {
            let t = i as f64 / rate;
            let f = bottom + (top - bottom) * (-t / 0.04).exp();
            phase += 2.0 * std::f64::consts::PI * f / rate;
            (0.9 * phase.sin() * (-t / decay_s).exp()) as f32
        })
        .collect()
}

/// A closed hat: high-passed noise under a fast decay.
fn hat(seed: u64) -> Vec<f32> {
    let rate = 44_100.0;
    let mut s = seed | 1;
    let mut prev = 0.0f64;
    (0..(0.3 * rate) as usize)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let n = s as f64 / u64::MAX as f64 - 0.5;
            let hp = n - prev;
            prev = n;
            (hp * (-(i as f64 / rate) / 0.03).exp()) as f32
        })
        .collect()
}

#[test]
fn kicks_are_nearer_each_other_than_a_kick_and_a_hat() {
    let m = models();
    let embed = |x: &[f32]| ml::aisfx::embed(&m, x, 44_100, 2).unwrap();
    let (k1, k2, h) = (
        embed(&kick(160.0, 50.0, 0.25)),
        embed(&kick(120.0, 45.0, 0.35)),
        embed(&hat(7)),
    );
    assert_eq!(k1.len(), ml::aisfx::DIM);
    let (kk, kh) = (cosine(&k1, &k2), cosine(&k1, &h));
    assert!(kk > kh + 0.1, "kick/kick {kk:.3}, kick/hat {kh:.3}");
}

#[test]
fn a_440_hz_tone_is_a4_to_crepe_and_to_the_scan() {
    let m = models();
    let tone = sine(440.0, 0.5, 44_100, 1.0);
    let p = ml::crepe::pitch(&m, &tone, 44_100, 0.0, 0.6, 0.02)
        .unwrap()
        .expect("a steady tone is voiced");
    let cents = 1200.0 * (p.hz / 440.0).log2();
    assert!(cents.abs() < 10.0, "{} Hz", p.hz);
    assert!(p.confidence > 0.8 && p.voiced > 0.9, "{p:?}");

    let mut opts = AnalysisOptions::default();
    opts.models = Some(m);
    let done = analyse_file(&demo("bass_A1.flac"), &opts).unwrap();
    let a = &done.analysis;
    assert_eq!(a.model_error, None);
    let hz = a.crepe_f0_hz.expect("CREPE reads the bass");
    assert!((1200.0 * (hz / 55.0).log2()).abs() < 50.0, "{hz} Hz");
    assert_eq!(done.vectors.unwrap().aisfx.len(), ml::aisfx::DIM);
}

#[test]
fn a_drum_loop_is_tagged_as_drums_and_its_tags_are_in_the_analysis() {
    let mut opts = AnalysisOptions::default();
    opts.models = Some(models());
    let done = analyse_file(&demo("drum_loop_120bpm.flac"), &opts).unwrap();
    let a = &done.analysis;
    let tags: Vec<&str> = a.model_tags.iter().map(|t| t.tag.as_str()).collect();
    assert!(
        tags.iter()
            .any(|t| ["drums", "beat", "beats", "techno", "electronic"].contains(t)),
        "{tags:?}"
    );
    assert!(
        !tags.contains(&"piano") && !tags.contains(&"vocal"),
        "{tags:?}"
    );
    assert_eq!(done.vectors.unwrap().musicnn.len(), ml::musicnn::DIM);
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let m = models();
    let empty = tempfile::tempdir().unwrap();
    let only_empty = Models::new(m_runtime(&m), vec![empty.path().to_path_buf()]);
    let err = only_empty.check(ModelId::Aisfx).unwrap_err();
    assert!(matches!(err, MlError::ModelMissing { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("aisfx.onnx") && msg.contains(&empty.path().display().to_string()));
}

#[test]
fn a_corrupt_model_is_refused_by_its_checksum() {
    let m = models();
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(m.check(ModelId::CrepeTiny).unwrap()).unwrap();
    let bad = dir.path().join("crepe_tiny.onnx");
    std::fs::write(&bad, &real[..real.len() / 2]).unwrap();
    let corrupt = Models::new(m_runtime(&m), vec![dir.path().to_path_buf()]);
    let err = corrupt.check(ModelId::CrepeTiny).unwrap_err();
    assert!(matches!(err, MlError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains(&bad.display().to_string()));
    // The scan of a sound goes on without the models, and says why.
    let mut opts = AnalysisOptions::default();
    opts.models = Some(std::sync::Arc::new(corrupt));
    let a = analyse_file(&demo("kick_punchy.wav"), &opts)
        .unwrap()
        .analysis;
    assert!(a.lufs.is_some());
    let why = a.model_error.expect("the models' failure is recorded");
    assert!(
        why.contains("aisfx.onnx") && why.contains("not found"),
        "{why}"
    );
}

fn m_runtime(m: &Models) -> &'static ml::runtime::Runtime {
    m.runtime()
}

#[test]
fn a_c_major_triad_becomes_the_midi_notes_c_e_g() {
    let home = tempfile::tempdir().unwrap();
    // C4 E4 G4 with a few harmonics, like a soft keyboard, for 1.5 s.
    let rate = 22_050u32;
    let n = (1.5 * rate as f64) as usize;
    let triad: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let env = (t / 0.01).min(1.0) * (-t / 1.5).exp();
            [261.63, 329.63, 392.0]
                .iter()
                .map(|f| {
                    (1..=4)
                        .map(|h| (2.0 * std::f64::consts::PI * f * h as f64 * t).sin() / h as f64)
                        .sum::<f64>()
                })
                .sum::<f64>()
                * 0.15
                * env
        })
        .map(|x| x as f32)
        .collect();
    let wav = home.path().join("triad.wav");
    crate::util::write_wav(&wav, &[triad], rate, 16);
    let mid = home.path().join("triad.mid");
    let out = crate::util::run_ok(
        crate::util::cli(home.path())
            .args(["midi", "--json", "-o"])
            .arg(&mid)
            .arg(&wav),
    );
    let bytes = std::fs::read(&mid).unwrap();
    let smf = midly::Smf::parse(&bytes).unwrap();
    let mut keys = std::collections::BTreeSet::new();
    for e in &smf.tracks[0] {
        if let midly::TrackEventKind::Midi {
            message: midly::MidiMessage::NoteOn { key, vel },
            ..
        } = e.kind
        {
            assert!(vel.as_int() > 0);
            keys.insert(key.as_int());
        }
    }
    assert_eq!(
        keys.into_iter().collect::<Vec<_>>(),
        vec![60, 64, 67],
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_spoken_phrase_is_tagged_vocal_and_a_drum_loop_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let speech = dir.path().join("phrase.wav");
    let made = std::process::Command::new("espeak-ng")
        .arg("-w")
        .arg(&speech)
        .arg("Check one two, this is a vocal phrase for the sampler.")
        .status();
    if !matches!(made, Ok(s) if s.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "espeak-ng is missing in CI"
        );
        eprintln!("skipped: espeak-ng is not installed");
        return;
    }
    let mut opts = AnalysisOptions::default();
    opts.models = Some(models());
    let a = analyse_file(&speech, &opts).unwrap().analysis;
    let vocal = a.model_tags.iter().find(|t| t.tag == "vocal");
    assert!(vocal.is_some_and(|t| t.score > 0.5), "{:?}", a.model_tags);
    let drums = analyse_file(&demo("drum_loop_120bpm.flac"), &opts)
        .unwrap()
        .analysis;
    assert!(
        drums.model_tags.iter().all(|t| t.tag != "vocal"),
        "{:?}",
        drums.model_tags
    );
}

/// A library scanned before the ONNX runtime was installed gets its tags and embeddings
/// on the next scan with the models on; the one after leaves it alone.
#[test]
fn a_record_scanned_without_the_models_gets_them_on_the_next_scan() {
    use samplemind::library::{scan, ScanOptions};
    let t = crate::util::TempLib::new();
    let root = t.dir.path().join("samples");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(demo("bass_A1.flac"), root.join("bass_A1.flac")).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let run = |opts: &ScanOptions| {
        scan(
            &t.lib,
            std::slice::from_ref(&root),
            opts,
            &stop,
            &mut |_| {},
        )
        .unwrap()
    };
    let plain = ScanOptions::default();
    let mut with = ScanOptions::default();
    with.analysis.models = Some(models());

    assert_eq!(run(&plain).analysed, 1);
    let path = std::fs::canonicalize(root.join("bass_A1.flac")).unwrap();
    let hash = t.lib.path_entry(&path).unwrap().unwrap().hash;
    let before = t.lib.sample(&hash).unwrap().unwrap();
    assert!(!before.analysis.models_heard && before.analysis.crepe_f0_hz.is_none());
    // Without the models, a rescan has nothing new to add.
    assert_eq!(run(&plain).analysed, 0);

    let r = run(&with);
    assert_eq!((r.outdated, r.analysed), (1, 1), "{r:?}");
    let after = t.lib.sample(&hash).unwrap().unwrap();
    assert!(after.analysis.models_heard);
    assert!(after.analysis.crepe_f0_hz.is_some(), "{:?}", after.analysis);
    let v = t.lib.vectors(&hash).unwrap().expect("embeddings stored");
    assert_eq!(v.aisfx.len(), ml::aisfx::DIM);
    let r = run(&with);
    assert_eq!((r.outdated, r.analysed), (0, 0), "{r:?}");
}

/// An installed package's folder (the desktop app's `ml/` resources, set as
/// `MlSettings::bundled_dir`) provides the runtime and the models when nothing is configured;
/// what it lacks still comes from the later places.
#[cfg(unix)]
#[test]
fn the_packages_ml_folder_provides_the_runtime_and_the_models() {
    if std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty()) {
        eprintln!("skipped: ORT_DYLIB_PATH names the runtime");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (from, name) in [
        ("vendor/ml", "libonnxruntime.so.1.31.1"),
        ("assets/models", "aisfx.onnx"),
    ] {
        std::os::unix::fs::symlink(root.join(from).join(name), dir.path().join(name)).unwrap();
    }
    let settings = MlSettings {
        bundled_dir: Some(dir.path().to_path_buf()),
        ..MlSettings::default()
    };
    let m = ml::open(&settings).unwrap();
    assert_eq!(
        m.runtime_path(),
        dir.path().join("libonnxruntime.so.1.31.1")
    );
    assert_eq!(
        m.check(ModelId::Aisfx).unwrap(),
        dir.path().join("aisfx.onnx")
    );
    assert!(m.check(ModelId::CrepeTiny).unwrap().starts_with(root));
}
