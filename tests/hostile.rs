//! A scan survives every file: headers that lie, samples that are not numbers, names that are
//! not UTF-8, paths that are not files, and a store that cannot be written. Each probe of the
//! reliability issue is here, built by a few lines of Rust.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use samplemind::analysis::{analyse_file, AnalysisOptions};
use samplemind::library::PathStatus;

use crate::scan::run_scan;
use crate::util::*;

/// A RIFF WAVE file whose header says whatever we like: `format` 1 (integer PCM) or 3
/// (IEEE float), any rate and channel count, and `data` written as it is.
fn raw_wav(path: &Path, format: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) {
    let block = channels.wrapping_mul(bits / 8);
    let mut b = Vec::with_capacity(44 + data.len());
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&format.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&rate.wrapping_mul(block as u32).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    std::fs::write(path, b).unwrap();
}

/// 16-bit PCM bytes of a 440 Hz tone, `frames` long.
fn tone_i16(frames: usize) -> Vec<u8> {
    (0..frames)
        .flat_map(|i| {
            let v = (0.4 * (i as f32 * 0.0627).sin() * i16::MAX as f32) as i16;
            v.to_le_bytes()
        })
        .collect()
}

fn analyse(path: &Path) -> Result<samplemind::analysis::Analysis, String> {
    analyse_file(path, &AnalysisOptions::default())
        .map(|done| done.analysis)
        .map_err(|e| e.to_string())
}

#[test]
fn headers_that_lie_about_the_rate_are_refused_by_name_and_the_scan_goes_on() {
    let t = TempLib::new();
    let root = t.dir.path().join("pack");
    std::fs::create_dir_all(&root).unwrap();
    for i in 0..30 {
        write_mono(
            &root.join(format!("good_{i:02}.wav")),
            &sine(220.0 + 10.0 * i as f64, 0.5, 22_050, 0.3),
            22_050,
        );
    }
    // The rates of the probes: each stated by an 8 KB file.
    let lies = [
        ("rate_4294967291.wav", 4_294_967_291u32),
        ("rate_200000033.wav", 200_000_033),
        ("rate_999983.wav", 999_983),
        ("rate_0.wav", 0),
    ];
    for (name, rate) in lies {
        raw_wav(&root.join(name), 1, 1, rate, 16, &tone_i16(4096));
    }
    // Channels no file has.
    raw_wav(
        &root.join("channels_0.wav"),
        1,
        0,
        44_100,
        16,
        &tone_i16(4096),
    );
    raw_wav(
        &root.join("channels_65535.wav"),
        1,
        65_535,
        44_100,
        16,
        &tone_i16(65_535 * 2),
    );

    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!(r.analysed, 30, "{:#?}", r.failures);
    assert_eq!(r.failures.len(), 6, "{:#?}", r.failures);
    for (name, rate) in lies {
        let f = r
            .failures
            .iter()
            .find(|f| f.path.ends_with(name))
            .unwrap_or_else(|| panic!("no failure for {name}: {:#?}", r.failures));
        assert_eq!(f.kind, "bad-header", "{}", f.message);
        assert!(f.message.contains(name), "{}", f.message);
        assert!(f.message.contains(&format!("{rate} Hz")), "{}", f.message);
    }
    for name in ["channels_0.wav", "channels_65535.wav"] {
        let f = r.failures.iter().find(|f| f.path.ends_with(name)).unwrap();
        assert!(f.message.contains(name), "{}", f.message);
    }
}

/// Peak memory of `samplemind analyze` on headers that claim the most a header can: every
/// rate at the edges, the longest data chunk, the most channels, float samples. The bound
/// the issue sets is 200 MB plus the decoded audio actually in the file (here a few KB).
#[test]
fn analysing_any_header_stays_within_200_mb() {
    let t = TempLib::new();
    let dir = t.dir.path();
    let claims: [(&str, u16, u16, u32, u16); 8] = [
        ("rate_max.wav", 1, 2, 768_000, 16),
        ("rate_min.wav", 1, 2, 1_000, 16),
        ("rate_prime_high.wav", 1, 1, 767_999, 16),
        ("rate_lie.wav", 1, 1, 4_294_967_291, 16),
        ("float_max_rate.wav", 3, 2, 768_000, 32),
        ("channels_64.wav", 1, 64, 768_000, 16),
        ("channels_65535.wav", 1, 65_535, 44_100, 16),
        ("bits_32.wav", 1, 8, 768_000, 32),
    ];
    let mut files = Vec::new();
    for (name, format, channels, rate, bits) in claims {
        let p = dir.join(name);
        raw_wav(&p, format, channels, rate, bits, &tone_i16(8192));
        // The same, its data chunk claiming 4 GB of which the file holds 32 KB.
        let mut b = std::fs::read(&p).unwrap();
        let at = b.windows(4).position(|w| w == b"data").unwrap();
        b[at + 4..at + 8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        b[4..8].copy_from_slice(&0xffff_ffffu32.to_le_bytes());
        let claim = dir.join(format!("claims_4gb_{name}"));
        std::fs::write(&claim, b).unwrap();
        files.extend([p, claim]);
    }
    for f in &files {
        let out = cli(dir)
            .args(["analyze", "--no-models"])
            .arg(f)
            .output()
            .unwrap();
        assert!(out.status.code().is_some(), "{}: killed", f.display());
    }
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    eprintln!(
        "figure: peak RSS of analyze over {} hostile headers: {peak_mb:.1} MB",
        files.len()
    );
    assert!(peak_mb < 200.0, "peak RSS {peak_mb:.1} MB");
}

#[test]
fn an_odd_but_real_rate_is_analysed_on_the_bounded_resampler() {
    // 767,999 Hz is within range and shares no factor with 22,050 Hz: the FFT resampler would
    // size its transforms by it. It must analyse, with the tone where it is.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("odd.wav");
    let rate = 767_999u32;
    let x = sine(1000.0, 0.5, rate, 0.5);
    raw_wav(
        &p,
        1,
        1,
        rate,
        16,
        &x.iter()
            .flat_map(|v| ((v * i16::MAX as f32) as i16).to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    let a = analyse(&p).unwrap();
    assert_eq!(a.sample_rate, rate);
    assert!((a.duration_s - 0.5).abs() < 0.01, "{}", a.duration_s);
    let c = a.spectral_centroid_hz.unwrap();
    assert!((c - 1000.0).abs() < 100.0, "centroid {c}");
}

#[test]
fn samples_that_are_not_numbers_are_read_as_silence() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nan.wav");
    // A 32-bit float tone with NaN and both infinities sprinkled through it.
    let mut data = Vec::new();
    for i in 0..44_100 {
        let v = match i % 997 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            _ => 0.5 * (i as f32 * 0.0627).sin(),
        };
        data.extend_from_slice(&v.to_le_bytes());
    }
    raw_wav(&p, 3, 1, 44_100, 32, &data);
    let a = analyse(&p).unwrap();
    assert!((a.duration_s - 1.0).abs() < 0.01);
    // Finite levels: the peak is the tone's, not infinity.
    let peak = a.peak_db.unwrap();
    assert!((peak - (-6.02)).abs() < 0.2, "peak {peak}");
    assert!(a.lufs.is_some_and(f32::is_finite), "{:?}", a.lufs);
}

#[test]
fn names_that_are_not_utf8_are_stored_without_loss_and_never_stall_a_scan() {
    let t = TempLib::new();
    let root = t.dir.path().join("old pack");
    std::fs::create_dir_all(&root).unwrap();
    // An old pack: one Latin-1 name among many (more than the writer's channel holds).
    let latin1 = root.join(std::ffi::OsStr::from_bytes(b"Caf\xe9 kick \xff\xfe.wav"));
    write_mono(&latin1, &sine(60.0, 0.8, 22_050, 0.4), 22_050);
    for i in 0..150 {
        let name = format!("snare_{i:03}_").into_bytes();
        let name = [name.as_slice(), b"\xe9.wav"].concat();
        write_mono(
            &root.join(std::ffi::OsStr::from_bytes(&name)),
            &sine(200.0 + i as f64, 0.5, 22_050, 0.1),
            22_050,
        );
    }
    let r = run_scan(&t.lib, std::slice::from_ref(&root));
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
    assert_eq!(r.analysed, 151);

    // The path comes back byte for byte, from the path tree and from the record.
    let canonical = std::fs::canonicalize(&latin1).unwrap();
    let entry = t.lib.path_entry(&canonical).unwrap().unwrap();
    assert_eq!(entry.status, PathStatus::Analysed);
    let rec = t.lib.sample(&entry.hash).unwrap().unwrap();
    assert_eq!(
        rec.path.as_os_str().as_bytes(),
        canonical.as_os_str().as_bytes()
    );
    // A rescan finds nothing new.
    let again = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((again.unchanged, again.analysed), (151, 0));
}

#[test]
fn a_fifo_named_on_the_command_line_is_refused_not_waited_on() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("x.wav");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for args in [vec!["scan"], vec!["analyze"]] {
        let child = cli(home.path())
            .args(&args)
            .arg(&fifo)
            .args(["--no-models"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait_bounded(child, 30, &format!("`samplemind {}` on a FIFO", args[0]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", args[0]);
        assert!(
            err.contains("x.wav") && err.contains("not a regular file"),
            "{}: {err}",
            args[0]
        );
    }
    // The library API refuses it too.
    let e = analyse(&fifo).unwrap_err();
    assert!(e.contains("not a regular file"), "{e}");
}

#[test]
fn a_file_that_failed_is_not_tried_again_until_it_changes() {
    let t = TempLib::new();
    let root = t.dir.path().join("pack");
    std::fs::create_dir_all(&root).unwrap();
    write_mono(
        &root.join("good.wav"),
        &sine(440.0, 0.5, 22_050, 0.3),
        22_050,
    );
    let bad = root.join("bad.wav");
    raw_wav(&bad, 1, 1, 0, 16, &tone_i16(1000));
    let first = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((first.analysed, first.failures.len()), (1, 1));
    let second = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!(second.failures.len(), 0, "{:#?}", second.failures);
    assert_eq!((second.failed_before, second.unchanged), (1, 1));
    // Fixed by the producer: a changed file is tried again, and now it works.
    std::thread::sleep(Duration::from_millis(20));
    write_mono(&bad, &sine(330.0, 0.5, 22_050, 0.3), 22_050);
    let third = run_scan(&t.lib, std::slice::from_ref(&root));
    assert_eq!((third.analysed, third.failures.len()), (1, 0));
}

/// A folder of `n` distinct short WAVs under `dir`, the `first`-th sound onwards.
pub(crate) fn many_sounds(dir: &Path, first: usize, n: usize) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        write_mono(
            &dir.join(format!("s_{i:03}.wav")),
            &sine(100.0 + 7.0 * (first + i) as f64, 0.5, 22_050, 0.25),
            22_050,
        );
    }
    dir.to_path_buf()
}

/// `samplemind scan DIR` with the file-size limit at `limit_kib` and SIGXFSZ ignored (so the
/// write fails with an error instead of killing the process), killed after `secs`.
fn scan_under_a_size_limit(
    home: &Path,
    dir: &Path,
    limit_kib: u64,
    secs: u64,
) -> (Option<i32>, String) {
    let bin = env!("CARGO_BIN_EXE_samplemind");
    let child = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {limit_kib}; exec \"$0\" scan \"$1\" --no-models --table-rows 0"
        ))
        .arg(bin)
        .arg(dir)
        .env("SAMPLEMIND_HOME", home)
        .env_remove("SAMPLEMIND_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, secs, "the scan on a full disk");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The child's output once it ends; a failure naming `what` if it still runs after `secs`
/// (the hangs these tests look for must fail the test, not stall the suite).
pub(crate) fn wait_bounded(
    mut child: std::process::Child,
    secs: u64,
    what: &str,
) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} still runs after {secs} s: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_full_disk_ends_the_scan_with_a_clear_error_and_loses_nothing() {
    let home = tempfile::tempdir().unwrap();
    let first = many_sounds(&home.path().join("first"), 0, 20);
    let second = many_sounds(&home.path().join("second"), 20, 210);
    // 20 sounds stored with room to spare.
    let out = run_ok(
        cli(home.path())
            .args(["scan", "--no-models", "--table-rows", "0"])
            .arg(&first),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("20 analysed"));
    let store = home.path().join("library/store");
    assert!(dir_size(&store) < 200 * 1024);

    // Then 210 more with room for about half of them. sled's log grows in 512 KiB segments:
    // the index fits, and the limit falls in the middle of the analysis, where a store
    // error used to leave the workers blocked on a full channel for ever.
    let (code, err) = scan_under_a_size_limit(home.path(), &second, 600, 120);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no space left"), "{err}");
    assert!(err.contains("nothing stored was lost"), "{err}");

    // With room again: what was stored is all there (the failure came mid-analysis: every
    // path indexed, some analysed, the rest pending), and the scan finishes the job.
    let stats = run_ok(cli(home.path()).args(["stats", "--json"]));
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(s["corrupt_records"], 0, "{s}");
    assert_eq!(s["paths"], 230, "{s}");
    let analysed = s["analysed"].as_u64().unwrap();
    assert!(analysed > 20 && analysed < 230, "{s}");
    assert_eq!(s["pending"].as_u64().unwrap(), 230 - analysed, "{s}");
    let out = run_ok(
        cli(home.path())
            .args(["scan", "--no-models", "--table-rows", "0"])
            .arg(&first)
            .arg(&second),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("230 files"), "{text}");
    let s: serde_json::Value =
        serde_json::from_slice(&run_ok(cli(home.path()).args(["stats", "--json"])).stdout).unwrap();
    assert_eq!(s["unique_samples"], 230, "{s}");
}

fn dir_size(dir: &Path) -> u64 {
    walk_sizes(dir)
}

fn walk_sizes(p: &Path) -> u64 {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => std::fs::read_dir(p)
            .map(|rd| rd.flatten().map(|e| walk_sizes(&e.path())).sum())
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

#[test]
fn the_library_folder_is_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("home/library");
    let _ = samplemind::Library::open(&lib).unwrap();
    for p in [dir.path().join("home"), lib] {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}: {mode:o}", p.display());
    }
}

#[test]
fn a_library_in_use_by_another_process_says_so_in_words() {
    let home = tempfile::tempdir().unwrap();
    let _held = samplemind::Library::open(&home.path().join("library")).unwrap();
    let out = cli(home.path()).arg("stats").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("in use by another SampleMind process"),
        "{err}"
    );
    assert!(!err.contains("WouldBlock"), "{err}");
}
