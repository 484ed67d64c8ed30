//! Test helpers: temporary libraries, generated signals, and external encoders.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use samplemind::Library;

/// A library in a temporary directory, removed on drop.
pub struct TempLib {
    pub dir: tempfile::TempDir,
    pub lib: Library,
}

impl TempLib {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(&dir.path().join("library")).unwrap();
        TempLib { dir, lib }
    }
}

/// `secs` of a sine at `freq` Hz and `amp` (linear) in every channel.
pub fn sine(freq: f64, amp: f64, rate: u32, secs: f64) -> Vec<f32> {
    (0..(rate as f64 * secs) as usize)
        .map(|i| (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin()) as f32)
        .collect()
}

/// A deterministic "musical" test signal: a chord with a pulsing envelope and some noise,
/// so loudness gating has something to do.
pub fn music_like(rate: u32, secs: f64, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    let n = (rate as f64 * secs) as usize;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let t = i as f64 / rate as f64;
            let noise = (s as f64 / u64::MAX as f64 - 0.5) * 0.05;
            let env =
                0.3 + 0.7 * (0.5 + 0.5 * (2.0 * std::f64::consts::PI * 2.0 * t).cos()).powi(3);
            let chord: f64 = [220.0, 277.18, 329.63]
                .iter()
                .map(|f| (2.0 * std::f64::consts::PI * f * t).sin())
                .sum();
            (0.2 * env * chord + noise) as f32
        })
        .collect()
}

/// Write interleaved-from-planar f32 audio as a WAV with `bits` (16, 24 int or 32 float).
pub fn write_wav(path: &Path, planes: &[Vec<f32>], rate: u32, bits: u16) {
    let float = bits == 32;
    let spec = hound::WavSpec {
        channels: planes.len() as u16,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let frames = planes[0].len();
    let scale = ((1i64 << (bits - 1)) - 1) as f32;
    for i in 0..frames {
        for p in planes {
            if float {
                w.write_sample(p[i]).unwrap();
            } else {
                w.write_sample((p[i].clamp(-1.0, 1.0) * scale).round() as i32)
                    .unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

/// Mono 16-bit WAV shortcut.
pub fn write_mono(path: &Path, x: &[f32], rate: u32) {
    write_wav(path, &[x.to_vec()], rate, 16);
}

/// Whether an external tool exists. Outside CI a missing tool skips the test with a printed
/// reason; in CI (`CI` set) it is a failure, because `.ci/run` must install it.
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("-version")
        .output()
        .map(|o| o.status.success() || !o.stdout.is_empty())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (install it in .ci/run)"
        );
        eprintln!("skipped: {tool} not installed");
    }
    ok
}

/// Encode `src` to `dst` with ffmpeg and extra codec arguments.
pub fn ffmpeg(src: &Path, dst: &Path, args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(src)
        .args(args)
        .arg(dst)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffmpeg failed for {}: {}",
        dst.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Keep the first `keep` bytes of a copy of `src`.
pub fn truncated_copy(src: &Path, dst: &Path, keep: usize) {
    let bytes = std::fs::read(src).unwrap();
    std::fs::write(dst, &bytes[..keep.min(bytes.len())]).unwrap();
}

/// The `samplemind` binary built for these tests, with an isolated home.
pub fn cli(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_samplemind"));
    // No session bus: the tests never reach the keyring of whoever runs them.
    c.env("SAMPLEMIND_HOME", home)
        .env_remove("SAMPLEMIND_LOG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    c
}

/// Run a command, assert that it succeeded (showing its stderr if not), return its output.
pub fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} exited with {:?}\nstderr: {}\nstdout: {}",
        cmd.get_args().collect::<Vec<_>>(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// `samplemind health --json` in `home`: the exit code and the component named `name`.
pub fn health_component(home: &Path, name: &str) -> (Option<i32>, serde_json::Value) {
    let out = cli(home).args(["health", "--json"]).output().unwrap();
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = h["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_default();
    (out.status.code(), c)
}

/// The demo samples shipped in `assets/demo`.
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

/// Run `cmd` with `input` on its standard input.
pub fn with_stdin(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments exits before it reads: its input then meets a
    // closed pipe, which is that refusal, not a failure of the test.
    if let Err(e) = child.stdin.take().unwrap().write_all(input.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// A loop `bars` of 4/4 long at `bpm` in A minor (i–iv–v–i, one chord a bar, its root in
/// the bass), with a kick on every beat and a hat on every eighth: what a tempo and key
/// reader should read as `bpm` and A minor.
pub fn a_minor_loop(rate: u32, bpm: f64, bars: usize) -> Vec<f32> {
    let beat = 60.0 / bpm;
    let n = (bars as f64 * 4.0 * beat * rate as f64).round() as usize;
    // A minor, D minor, E minor, A minor: MIDI notes of the chord over its bass.
    let chords: [[f64; 4]; 4] = [
        [45.0, 57.0, 60.0, 64.0],
        [50.0, 62.0, 65.0, 69.0],
        [52.0, 64.0, 67.0, 71.0],
        [45.0, 57.0, 60.0, 64.0],
    ];
    let hz = |m: f64| 440.0 * 2f64.powf((m - 69.0) / 12.0);
    let mut noise = 0x2545_F491_4F6C_DD1Du64;
    let mut x = vec![0.0f32; n];
    for (i, v) in x.iter_mut().enumerate() {
        let t = i as f64 / rate as f64;
        let bar = ((t / (4.0 * beat)) as usize) % bars;
        let in_bar = t % (4.0 * beat);
        let in_beat = t % beat;
        let in_eighth = t % (beat / 2.0);
        let chord = &chords[bar % 4];
        // Each chord note with three partials, swelling in over the bar's first 20 ms.
        let swell = (in_bar / 0.02).min(1.0) * (-0.4 * in_bar).exp();
        let tonal: f64 = chord
            .iter()
            .enumerate()
            .map(|(k, &m)| {
                let f = hz(m);
                let w = if k == 0 { 1.4 } else { 0.7 };
                w * (1..=3)
                    .map(|h| (2.0 * std::f64::consts::PI * f * h as f64 * t).sin() / h as f64)
                    .sum::<f64>()
            })
            .sum();
        let kick_f = 50.0 + 100.0 * (-in_beat / 0.03).exp();
        let kick = (2.0 * std::f64::consts::PI * kick_f * in_beat).sin() * (-in_beat / 0.12).exp();
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        let hat = (noise as f64 / u64::MAX as f64 - 0.5) * (-in_eighth / 0.015).exp();
        *v = (0.06 * swell * tonal + 0.5 * kick + 0.25 * hat) as f32;
    }
    x
}

/// A plucked tone at MIDI note `midi`: five harmonics decaying over `secs`.
pub fn pluck(rate: u32, midi: f64, secs: f64) -> Vec<f32> {
    let f = 440.0 * 2f64.powf((midi - 69.0) / 12.0);
    (0..(rate as f64 * secs) as usize)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let v: f64 = (1..=5)
                .map(|h| (2.0 * std::f64::consts::PI * f * h as f64 * t).sin() / h as f64)
                .sum();
            (0.3 * v * (-1.5 * t).exp()) as f32
        })
        .collect()
}
