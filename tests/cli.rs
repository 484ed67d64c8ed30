//! The `samplemind` command line: output formats, filters and exit codes.

use crate::scan::make_folder;
use crate::util::*;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn analyze_json_prints_the_fields_score_py_reads_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    let out = run_ok(
        cli(home.path())
            .args(["analyze", "--json"])
            .arg(dir.join("a_440.wav"))
            .arg(dir.join("sub")),
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for field in [
        "path",
        "duration_s",
        "sample_rate",
        "channels",
        "lufs",
        "peak_db",
        "bpm",
        "key",
        "root_note",
        "category",
        "is_loop",
    ] {
        assert!(
            lines[0].get(field).is_some(),
            "missing {field}: {}",
            lines[0]
        );
    }
    assert!((lines[0]["duration_s"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert_eq!(lines[0]["is_loop"], false);
    assert!(
        !home.path().join("library").exists(),
        "analyze must not create a library"
    );
}

#[test]
fn analyze_names_a_bad_file_and_exits_1_after_doing_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    let bad = dir.join("bad.wav");
    std::fs::write(&bad, "plain text").unwrap();
    let out = cli(home.path())
        .args(["analyze", "--json"])
        .arg(&bad)
        .arg(dir.join("a_440.wav"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("samplemind: ") && err.contains("bad.wav") && err.contains("unsupported"),
        "{err}"
    );
    assert_eq!(stdout(&out).lines().count(), 1);
}

#[test]
fn scan_search_export_and_stats_work_together() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    let scan = run_ok(cli(home.path()).arg("scan").arg(&dir));
    let table = stdout(&scan);
    assert!(
        table.contains("a_440.wav") && table.contains("4 files: 3 analysed"),
        "{table}"
    );

    let hits = cli(home.path())
        .args(["search", "880", "--json"])
        .output()
        .unwrap();
    let hits: Vec<serde_json::Value> = stdout(&hits)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1);
    assert!(hits[0]["path"].as_str().unwrap().ends_with("b_880.wav"));

    // Folder words match too, and filters combine with them.
    let sub = cli(home.path())
        .args(["search", "sub", "--json", "--duration", "0.6..1"])
        .output()
        .unwrap();
    let sub: Vec<&str> = stdout(&sub).lines().map(|_| "").collect();
    assert_eq!(
        sub.len(),
        1,
        "only c_220 (0.7 s) is under sub/ and in range"
    );

    let none = cli(home.path())
        .args(["search", "--loop"])
        .output()
        .unwrap();
    assert!(stdout(&none).contains("no samples match"));

    let bad_key = cli(home.path())
        .args(["search", "--key", "H minor"])
        .output()
        .unwrap();
    assert_eq!(bad_key.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_key.stderr).contains("not a key"));

    let csv = cli(home.path()).args(["export", "--csv"]).output().unwrap();
    let csv = stdout(&csv);
    assert!(csv.starts_with("path,hash,duration_s,"));
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains(",category,category_confidence,category_unsure,is_loop,"),
        "{csv}"
    );
    // Every record has as many fields as the header.
    let widths: Vec<usize> = csv.lines().map(|l| l.split(',').count()).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}");
    assert_eq!(csv.lines().count(), 5);

    let json = cli(home.path())
        .args(["export", "--json"])
        .output()
        .unwrap();
    let arr: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(arr.as_array().unwrap().len(), 4);

    let stats = cli(home.path()).args(["stats", "--json"]).output().unwrap();
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        (s["paths"].as_u64(), s["unique_samples"].as_u64()),
        (Some(4), Some(3))
    );
}

#[test]
fn correct_sets_a_category_and_tempo_that_search_and_a_rescan_keep() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let a = dir.join("a_440.wav");
    let correct = |args: &[&str]| cli(home.path()).arg("correct").args(args).output().unwrap();
    let nothing = correct(&[a.to_str().unwrap()]);
    assert_eq!(nothing.status.code(), Some(2), "an edit is required");
    let bad = correct(&[a.to_str().unwrap(), "--category", "banana", "--bpm", "100"]);
    assert_ne!(bad.status.code(), Some(0));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("not a category") && err.contains("kick"),
        "{err}"
    );
    let set = run_ok(cli(home.path()).arg("correct").arg(&a).args([
        "--category",
        "Pad",
        "--bpm",
        "100",
        "--json",
    ]));
    let set: serde_json::Value = serde_json::from_slice(&set.stdout).unwrap();
    assert_eq!(
        (set["category"].as_str(), set["bpm"].as_f64()),
        (Some("pad"), Some(100.0))
    );
    let pads = |home: &std::path::Path| -> Vec<String> {
        let out = cli(home)
            .args(["search", "--category", "pad", "--json"])
            .output()
            .unwrap();
        stdout(&out)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    // Both paths of that content (a_440.wav and its copy) are the same sample. (The other
    // sine may follow: the pack learns from the correction.)
    let a_440 = |pads: &[String]| {
        pads.iter()
            .filter(|p| p.ends_with("a_440.wav") || p.ends_with("a_copy.wav"))
            .count()
    };
    assert_eq!(a_440(&pads(home.path())), 2, "{:?}", pads(home.path()));
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    assert_eq!(
        a_440(&pads(home.path())),
        2,
        "a rescan keeps the correction"
    );
    // By an id prefix, as the tables print it; the tempo stays.
    let id = set["id"].as_str().unwrap();
    let cleared =
        run_ok(cli(home.path()).args(["correct", &id[..10], "--clear-category", "--json"]));
    let cleared: serde_json::Value = serde_json::from_slice(&cleared.stdout).unwrap();
    assert_ne!(cleared["category"].as_str(), Some("pad"));
    assert_eq!(cleared["bpm"].as_f64(), Some(100.0));
    assert!(pads(home.path()).is_empty());
}

#[test]
fn scan_exits_1_and_lists_failures_when_a_file_fails() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    std::fs::write(dir.join("broken.flac"), "not flac").unwrap();
    let out = cli(home.path()).arg("scan").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("samplemind: ") && l.contains("broken.flac")),
        "{err}"
    );
    assert!(stdout(&out).contains("1 failed"));
}

#[test]
fn the_first_run_says_what_to_do_next() {
    let home = tempfile::tempdir().unwrap();
    // No command: where the library will be and the first commands, exit 0, no library made.
    let out = cli(home.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lib = home.path().join("library");
    assert!(
        text.contains(&format!("Library: {}", lib.display())),
        "{text}"
    );
    assert!(text.contains("not created yet"), "{text}");
    for step in ["samplemind scan", "samplemind search", "samplemind health"] {
        assert!(text.contains(step), "{step} missing: {text}");
    }
    assert!(!lib.exists());

    // The first scan says where the library is and how to search it; the next one only where.
    let dir = home.path().join("in");
    make_folder(&dir);
    let first = stdout(&run_ok(cli(home.path()).arg("scan").arg(&dir)));
    assert!(
        first.contains(&format!("library: {}", lib.display())),
        "{first}"
    );
    assert!(first.contains("search it: samplemind search"), "{first}");
    let again = stdout(&run_ok(cli(home.path()).arg("scan").arg(&dir)));
    assert!(again.contains("library: "), "{again}");
    assert!(!again.contains("search it:"), "{again}");
    let text = stdout(&cli(home.path()).output().unwrap());
    assert!(text.contains("(exists)"), "{text}");
}

#[test]
fn library_flag_overrides_home() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    let lib = home.path().join("elsewhere");
    let out = cli(home.path())
        .arg("--library")
        .arg(&lib)
        .arg("scan")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(lib.join("store").exists());
    assert!(!home.path().join("library").exists());
}

#[test]
fn health_json_reports_status_components_and_process_figures() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    assert!(cli(home.path())
        .arg("scan")
        .arg(&dir)
        .output()
        .unwrap()
        .status
        .success());
    let out = cli(home.path())
        .args(["health", "--json"])
        .output()
        .unwrap();
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in [
        "status",
        "version",
        "uptime_seconds",
        "components",
        "performance",
    ] {
        assert!(h.get(field).is_some(), "missing {field}: {h}");
    }
    let lib = h["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "library")
        .unwrap();
    assert_eq!(lib["status"], "ok");
    assert_eq!(lib["details"]["sample_count"], 3);
    assert!(h["performance"]["memory_mb"].as_f64().unwrap() > 0.0);
    // Exit status follows the report: 0 when ok, 1 when degraded.
    assert_eq!(
        out.status.code(),
        Some(if h["status"] == "ok" { 0 } else { 1 })
    );
}

#[test]
fn without_the_onnx_runtime_health_names_it_and_scans_go_on_without_models() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nowhere/libonnxruntime.so.1.31.1");
    std::fs::write(
        home.path().join("config.toml"),
        format!("[ml]\nonnxruntime = {:?}\n", missing.display().to_string()),
    )
    .unwrap();
    let (code, models) = health_component(home.path(), "models");
    assert_eq!(code, Some(1), "degraded");
    assert_eq!(models["status"], "down");
    let reason = models["reason"].as_str().unwrap();
    assert!(reason.contains(&missing.display().to_string()), "{reason}");
    // And the one thing to do about it: the named path is the only one tried.
    let fix = models["fix"].as_str().unwrap();
    assert!(
        fix.contains("onnxruntime = ") && fix.contains("config.toml"),
        "{fix}"
    );
    let text = cli(home.path()).arg("health").output().unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("to turn it on: correct `onnxruntime"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    assert!(models["details"]["features_off"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "similar sounds (timbre)"));

    let dir = home.path().join("in");
    make_folder(&dir);
    let out = cli(home.path()).arg("scan").arg(&dir).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("local models off"));
}

#[test]
fn with_the_runtime_health_lists_every_model_and_similar_finds_the_nearest() {
    let home = tempfile::tempdir().unwrap();
    let (_, models) = health_component(home.path(), "models");
    assert_eq!(models["status"], "ok", "{models}");
    for file in ["aisfx.onnx", "musicnn_MTT_musicnn.onnx", "crepe_tiny.onnx"] {
        assert_eq!(models["details"]["models"][file]["status"], "ok");
    }

    let demo = demo_dir();
    run_ok(cli(home.path()).arg("scan").arg(&demo));
    let out = run_ok(
        cli(home.path())
            .args(["similar", "--json", "-n", "3", "--aspect", "timbre"])
            .arg(demo.join("kick_punchy.wav")),
    );
    let hits: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 3);
    // The query itself is left out, and scores come nearest first.
    assert!(hits
        .iter()
        .all(|h| !h["path"].as_str().unwrap().ends_with("kick_punchy.wav")));
    assert!(hits[0]["score"].as_f64() >= hits[2]["score"].as_f64());
    let bad = cli(home.path())
        .args(["similar", "deadbeefdeadbeef"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("deadbeefdeadbeef"));
}

#[test]
fn a_search_by_meaning_finds_the_drum_loop_for_a_beat() {
    let home = tempfile::tempdir().unwrap();
    let demo = demo_dir();
    run_ok(cli(home.path()).arg("scan").arg(&demo));
    let top = |words: &str| -> Vec<String> {
        let out = run_ok(
            cli(home.path())
                .args(["search", "--semantic", "--json", "-n", "2"])
                .arg(words),
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["path"].as_str().unwrap().to_string()
            })
            .collect()
    };
    // None of these words is in the file names: they match by meaning.
    let beat = top("groove for a percussion beat");
    assert!(
        beat.iter().any(|p| p.ends_with("drum_loop_120bpm.flac")),
        "{beat:?}"
    );
    let low = top("deep sub low end");
    assert!(low[0].ends_with("bass_A1.flac"), "{low:?}");
}

#[test]
fn ai_warm_simulate_prices_every_call_and_calls_nobody() {
    let home = tempfile::tempdir().unwrap();
    // A paid provider where nothing listens: a real call would fail.
    std::fs::write(
        home.path().join("config.toml"),
        "[ai]\ncloud = true\n[[ai.providers]]\nname = \"paid\"\nkind = \"openai\"\n\
         url = \"http://127.0.0.1:9\"\nmodel = \"gpt-x\"\ncloud = true\nprice_per_mtok = [1.0, 4.0]\n",
    )
    .unwrap();
    let demo = demo_dir();
    run_ok(cli(home.path()).args(["scan", "--no-models"]).arg(&demo));
    let out = run_ok(cli(home.path()).args(["ai", "warm", "--simulate", "--json"]));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["simulated"], true);
    assert_eq!(r["failed"], 0);
    let searches = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["task"] == "parse-search")
        .count();
    assert_eq!(r["calls"].as_u64().unwrap() as usize, 7 + searches);
    assert!(r["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["provider"] == "paid"));
    let cost = r["total_cost_usd"].as_f64().unwrap();
    assert!(cost > 0.0 && cost < 1.0, "{cost}");
    let stats = run_ok(cli(home.path()).args(["ai", "cache", "stats", "--json"]));
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(s["entries"], 0, "nothing was asked, nothing cached");
}

#[test]
fn ai_embed_uses_the_local_onnx_model_first_and_falls_back_without_it() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "[ai]\nproviders = []\n").unwrap();
    let out = run_ok(cli(home.path()).args(["ai", "embed", "punchy kick", "airy pad"]));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r["provider"] == "onnx" && r["dim"] == 384));
    assert_ne!(rows[0]["embedding"], rows[1]["embedding"]);
    // Asked again, the vectors come from the answer cache, the same to the last digit.
    let again = run_ok(cli(home.path()).args(["ai", "embed", "airy pad"]));
    let row: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&again.stdout).trim()).unwrap();
    assert_eq!(row["embedding"], rows[1]["embedding"]);
    let stats = run_ok(cli(home.path()).args(["ai", "cache", "stats", "--json"]));
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        (s["hits"].as_u64(), s["entries"].as_u64()),
        (Some(1), Some(2))
    );
    // Without the models and without providers, a clear error.
    let out = cli(home.path())
        .args(["--no-models", "ai", "embed", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no provider gives embeddings"));
}

/// `bench --peers` times Essentia on the same files in the same run and sets our figures
/// beside it (the venv comes from scripts/fetch-peers.sh, run by .ci/run).
#[test]
fn bench_times_the_peer_on_the_same_files_and_reports_the_ratio() {
    let home = tempfile::tempdir().unwrap();
    let demo = demo_dir();
    let files = samplemind_bench::audio_files(&demo).len();
    let redis = crate::shared::redis(home.path());
    let mut cmd = cli(home.path());
    cmd.args([
        "bench",
        "--peers",
        "--ai",
        "--tree-files",
        "0",
        "--search-size",
        "0",
        "--stretch",
        "2",
        "--similar-size",
        "3000",
        "--json",
    ]);
    if let Some(r) = &redis {
        cmd.args(["--redis", &r.url]);
    }
    let out = run_ok(cmd.arg(&demo));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["pipeline"]["files"], files);
    // Similar sounds: the lists beside the full scan, every aspect timed on both sides.
    let sim = &v["similar"];
    assert_eq!(sim["size"], 3000, "{sim}");
    assert!(sim["lists"].as_u64().unwrap() >= 2, "{sim}");
    let aspects = sim["aspects"].as_array().unwrap();
    assert_eq!(aspects.len(), 3, "{sim}");
    for a in aspects {
        assert_eq!(a["exact"]["n"], 40, "{a}");
        assert_eq!(a["lists"]["n"], 40, "{a}");
        assert!(a["recall_at_10"].as_f64().unwrap() >= 0.95, "{a}");
    }
    let p = &v["peers"];
    assert!(p["peer"].as_str().unwrap().starts_with("essentia"), "{p}");
    assert_eq!(
        p["per_file"]["n"], files,
        "both sides timed every file: {p}"
    );
    assert_eq!(p["ours"]["n"], files);
    assert!(p["per_file"]["median_ms"].as_f64().unwrap() > 0.0);
    assert!(p["ratio_median"].as_f64().unwrap() > 0.0);
    // The stretcher beside Rubber Band: the demo's one loop with a tempo and a key, four
    // changes each, every render read back by the analyser.
    let st = &v["stretch"];
    assert_eq!(st["loops"], 1, "{st}");
    assert_eq!(st["untouched_right"], 1, "{st}");
    for side in [&st["ours"], &st["peer"]] {
        assert_eq!(side["renders"], 4, "{st}");
        assert_eq!(side["failed"], 0, "{st}");
        assert!(side["tempo_right"].as_u64().unwrap() >= 3, "{st}");
        assert!(side["realtime_factor"].as_f64().unwrap() > 1.0, "{st}");
    }
    assert!(
        st["peer"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Rubber Band"),
        "{st}"
    );
    // LiteLLM's Router timed like ours: every timed call was a hit in its own cache (else
    // the figure would time the upstream), and our burst made one upstream call.
    let a = &v["ai"];
    assert_eq!(a["coalesced_upstream_calls"], 1, "{a}");
    let lp = &a["peer"];
    assert!(
        lp["peer"].as_str().unwrap().starts_with("litellm 1.106.2"),
        "{lp}"
    );
    assert_eq!(lp["cache_hit"]["n"], 2000, "{lp}");
    assert_eq!(lp["cache_hits_reported"], 2000, "{lp}");
    assert!(lp["burst_upstream_calls"].as_u64().unwrap() >= 1, "{lp}");
    assert!(lp["ratio_p50"].as_f64().unwrap() > 0.0);
    // The studio's tier: every timed question a hit only Redis held, on both sides; the
    // processes' burst made one upstream call.
    if redis.is_some() {
        let s = &v["shared"];
        assert_eq!(s["hit"]["n"], 1000, "{s}");
        assert_eq!(s["burst_upstream_calls"], 1, "{s}");
        let sp = &s["peer"];
        assert!(sp["peer"].as_str().unwrap().contains("Redis cache"), "{sp}");
        assert_eq!(sp["hits_reported"], 1000, "{sp}");
        assert!(sp["burst_upstream_calls"].as_u64().unwrap() >= 1, "{sp}");
    }

    // Asked for by name, a peer that is not there is an error that says how to get it.
    let out = cli(home.path())
        .args([
            "bench",
            "--peers",
            "--tree-files",
            "0",
            "--search-size",
            "0",
        ])
        .args(["--peer-python", "/nonexistent/python"])
        .arg(&demo)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fetch-peers.sh"), "{err}");
}

/// A reader that stops early (`samplemind search | head -1`) ends the command quietly,
/// as SIGPIPE ends any Unix tool; it used to panic on the next print. The pipe's reading end
/// is closed before the command starts, so its first print meets the closed pipe.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let home = tempfile::tempdir().unwrap();
    run_ok(
        cli(home.path())
            .args(["scan", "--no-models", "--table-rows", "0"])
            .arg(demo_dir()),
    );
    for args in [&["stats"][..], &["export", "--csv"]] {
        let mut fds = [0; 2];
        // SAFETY: pipe writes two fresh descriptors into the array; each is owned once below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let (reader, writer) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        drop(reader);
        let out = cli(home.path())
            .args(args)
            .stdout(std::process::Stdio::from(writer))
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGPIPE),
            "{args:?}: {:?} {err}",
            out.status
        );
    }
}

/// The producer's marks and collections from the command line: `mark`, `collection`, the
/// search filters and the export columns; a file moved to another folder keeps its marks.
#[test]
fn marks_and_collections_follow_a_moved_file_into_search_and_export() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let a = dir.join("a_440.wav");
    let b = dir.join("b_880.wav");
    let bad = cli(home.path())
        .arg("mark")
        .arg(&a)
        .args(["--colour", "teal"])
        .output()
        .unwrap();
    assert_ne!(bad.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a colour label"));
    let marked = run_ok(cli(home.path()).arg("mark").arg(&b).args([
        "--fav",
        "--rating",
        "4",
        "--colour",
        "green",
        "--tag",
        "Lead  Sine",
        "--json",
    ]));
    let marked: serde_json::Value = serde_json::from_slice(&marked.stdout).unwrap();
    assert_eq!(marked["user_tags"], serde_json::json!(["lead sine"]));
    run_ok(
        cli(home.path())
            .args(["collection", "add", "Track 12"])
            .arg(&b)
            .arg(&a),
    );

    // Moved into a new folder and rescanned: the content, and so its marks, are the same.
    std::fs::create_dir_all(dir.join("moved")).unwrap();
    std::fs::rename(&b, dir.join("moved/b_880.wav")).unwrap();
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let found = |args: &[&str]| -> Vec<String> {
        stdout(&run_ok(
            cli(home.path()).arg("search").args(args).arg("--json"),
        ))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
    };
    assert_eq!(found(&["--fav"]), ["b_880.wav"]);
    assert_eq!(
        found(&["--tag", "LEAD SINE", "--rating", "3"]),
        ["b_880.wav"]
    );
    assert_eq!(found(&["--colour", "green", "lead"]), ["b_880.wav"]);
    assert!(
        found(&["--fav", "--not", "b"]).is_empty(),
        "--not leaves it out"
    );
    let mut in_track = found(&["--collection", "track 12"]);
    in_track.sort();
    assert_eq!(in_track, ["a_440.wav", "a_copy.wav", "b_880.wav"]);
    let shown = stdout(&run_ok(cli(home.path()).args([
        "collection",
        "show",
        "Track 12",
    ])));
    assert!(
        shown.lines().next().unwrap().ends_with("moved/b_880.wav"),
        "the collection's order, at the file's new place: {shown}"
    );

    let csv = stdout(&run_ok(cli(home.path()).args(["export", "--csv"])));
    let row = csv.lines().find(|l| l.contains("b_880.wav")).unwrap();
    assert!(row.ends_with(",lead sine,1,4,green,Track 12"), "{row}");
    run_ok(cli(home.path()).args(["collection", "rename", "track 12", "Final"]));
    run_ok(
        cli(home.path())
            .arg("mark")
            .arg(dir.join("moved/b_880.wav"))
            .args(["--unfav", "--untag", "lead sine"]),
    );
    assert!(found(&["--fav"]).is_empty());
    assert_eq!(
        stdout(&run_ok(cli(home.path()).args(["collection", "list"]))).trim(),
        "2  Final"
    );
}

/// `duplicates` lists the sound found at two paths; keeping the first hides the copy from
/// searches (the file stays), and `--show-all` brings it back.
#[test]
fn duplicates_keep_one_hides_the_copy_and_touches_no_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let count = || {
        stdout(&run_ok(cli(home.path()).args(["search", "--json"])))
            .lines()
            .count()
    };
    let before = count();
    let groups: serde_json::Value = serde_json::from_str(&stdout(&run_ok(
        cli(home.path()).args(["duplicates", "--json"]),
    )))
    .unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups[0]["paths"].as_array().unwrap().len(), 2);
    let kept: serde_json::Value = serde_json::from_str(&stdout(&run_ok(cli(home.path()).args([
        "duplicates",
        "--keep-first",
        "--json",
    ]))))
    .unwrap();
    assert_eq!(kept[0]["paths"][1]["hidden"], true, "{kept}");
    assert_eq!(count(), before - 1);
    assert!(dir.join("sub/a_copy.wav").exists() && dir.join("a_440.wav").exists());
    run_ok(cli(home.path()).args(["duplicates", "--show-all"]));
    assert_eq!(count(), before);
}

/// Key, root note and loop by hand, on two samples at once; search and a rescan keep them.
#[test]
fn correct_sets_key_root_and_loop_on_several_samples() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let (a, b) = (dir.join("a_440.wav"), dir.join("b_880.wav"));
    let bad = cli(home.path())
        .arg("correct")
        .arg(&a)
        .args(["--root", "C"])
        .output()
        .unwrap();
    assert_ne!(bad.status.code(), Some(0), "a root needs its octave");
    let out = run_ok(
        cli(home.path())
            .arg("correct")
            .arg(&a)
            .arg(&b)
            .args(["--key", "f#m", "--root", "Gb1", "--loop", "--json"]),
    );
    let set: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(set.len(), 2);
    assert!(set
        .iter()
        .all(|s| s["key"] == "F# minor" && s["root_note"] == "F#1" && s["is_loop"] == true));
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let found = |args: &[&str]| {
        stdout(&run_ok(
            cli(home.path()).arg("search").args(args).arg("--json"),
        ))
        .lines()
        .count()
    };
    // a_440 has a copy: three paths, two contents.
    assert_eq!(found(&["--key", "F#m", "--root", "F#", "--loop"]), 3);
    assert_eq!(
        found(&["--key", "A major", "--compatible"]),
        3,
        "F# minor is A major's relative"
    );
}

/// Tidy-up export: a dry run lists the new names and writes nothing; the copies are named
/// from the template, the originals are unchanged, and a WAV copy carries its tempo and loop
/// flag in an `acid` chunk that the analyser reads back.
#[test]
fn export_to_a_folder_renames_copies_and_writes_tempo_into_the_wav() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    make_folder(&dir);
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    let b = dir.join("b_880.wav");
    let before = std::fs::read(&b).unwrap();
    run_ok(cli(home.path()).arg("correct").arg(&b).args([
        "--bpm",
        "96",
        "--loop",
        "--category",
        "synth",
    ]));
    run_ok(cli(home.path()).arg("mark").arg(&b).arg("--fav"));
    let out = home.path().join("tidy");
    let dry = stdout(&run_ok(
        cli(home.path()).args(["export", "--to"]).arg(&out).args([
            "--rename",
            "{category}_{bpm}_{type}_{name}",
            "--fav",
            "--dry-run",
        ]),
    ));
    assert!(dry.contains("synth_96_loop_b_880.wav"), "{dry}");
    assert!(!out.exists(), "a dry run writes nothing");
    run_ok(cli(home.path()).args(["export", "--to"]).arg(&out).args([
        "--rename",
        "{category}_{bpm}_{type}_{name}",
        "--fav",
    ]));
    let copy = out.join("synth_96_loop_b_880.wav");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    assert_eq!(
        std::fs::read(&b).unwrap(),
        before,
        "the original is unchanged"
    );
    let a: serde_json::Value = serde_json::from_str(
        stdout(&run_ok(
            cli(home.path()).arg("analyze").arg("--json").arg(&copy),
        ))
        .trim(),
    )
    .unwrap();
    assert_eq!(a["tempo_source"], "metadata", "{a}");
    assert_eq!(a["bpm"].as_f64(), Some(96.0));
    // An existing copy is never overwritten.
    let again = cli(home.path())
        .args(["export", "--to"])
        .arg(&out)
        .args(["--rename", "{category}_{bpm}_{type}_{name}", "--fav"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
}

/// Tidy-up export with processing: a quiet one-shot with half a second of silence at each
/// end comes out trimmed, at the loudness asked, as FLAC with its key in the tags; an MP3
/// copied as it is carries its tempo and key in ID3. The originals are unchanged.
#[test]
fn export_trims_normalises_converts_and_tags_the_copies() {
    use samplemind::audio::tags::read_tags;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let rate = 44_100;
    let mut hit = vec![0f32; rate as usize / 2];
    hit.extend(
        sine(220.0, 0.05, rate, 0.6)
            .iter()
            .enumerate()
            .map(|(i, x)| x * (-(i as f32) / rate as f32 * 4.0).exp()),
    );
    hit.extend(vec![0f32; rate as usize / 2]);
    let one_shot = dir.join("quiet hit.wav");
    write_wav(&one_shot, &[hit.clone(), hit], rate, 24);
    let before = std::fs::read(&one_shot).unwrap();
    let with_mp3 = have("ffmpeg");
    let mp3 = dir.join("groove.mp3");
    if with_mp3 {
        let wav = home.path().join("groove.wav");
        write_mono(&wav, &music_like(rate, 4.0, 7), rate);
        ffmpeg(&wav, &mp3, &["-b:a", "128k"]);
    }
    run_ok(cli(home.path()).arg("scan").arg(&dir));
    run_ok(cli(home.path()).arg("correct").arg(&one_shot).args([
        "--one-shot",
        "--key",
        "A minor",
        "--category",
        "tom",
    ]));
    let out = home.path().join("tidy");
    run_ok(cli(home.path()).args(["export", "--to"]).arg(&out).args([
        "--category",
        "tom",
        "--rename",
        "{category}_{key}_{name}",
        "--trim",
        "--normalise",
        "-18",
        "--format",
        "flac",
    ]));
    let copy = out.join("tom_Am_quiet hit.flac");
    assert!(
        copy.exists(),
        "{:?}",
        std::fs::read_dir(&out).unwrap().collect::<Vec<_>>()
    );
    assert_eq!(
        std::fs::read(&one_shot).unwrap(),
        before,
        "the original is unchanged"
    );
    let a: serde_json::Value = serde_json::from_str(
        stdout(&run_ok(
            cli(home.path()).arg("analyze").arg("--json").arg(&copy),
        ))
        .trim(),
    )
    .unwrap();
    let secs = a["duration_s"].as_f64().unwrap();
    assert!(
        (0.55..0.65).contains(&secs),
        "trimmed to the sound: {secs} s"
    );
    let lufs = a["lufs"].as_f64().unwrap();
    assert!((lufs - -18.0).abs() < 0.5, "normalised: {lufs} LUFS ({a})");
    assert_eq!(read_tags(&copy).unwrap().key.as_deref(), Some("Am"));

    if with_mp3 {
        run_ok(cli(home.path()).arg("correct").arg(&mp3).args([
            "--bpm",
            "96",
            "--loop",
            "--key",
            "F# minor",
            "--category",
            "drums",
        ]));
        let report = stdout(&run_ok(
            cli(home.path()).args(["export", "--to"]).arg(&out).args([
                "--category",
                "drums",
                "--rename",
                "{bpm}_{name}",
            ]),
        ));
        let tags = read_tags(&out.join("96_groove.mp3")).unwrap();
        assert_eq!(tags.bpm, Some(96.0), "{report}");
        assert_eq!(tags.key.as_deref(), Some("F#m"));
        assert!(report.contains("1 with tempo / key metadata"), "{report}");
    }
}

/// `mark --region` selects a part of a sample; `export --regions` writes that part alone,
/// and a sample without one whole; `--no-region` takes it off.
#[test]
fn a_selected_region_is_what_export_writes() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let tone = dir.join("tone.wav");
    write_wav(&tone, &[sine(440.0, 0.5, 44_100, 2.0)], 44_100, 16);
    let other = dir.join("other.wav");
    write_wav(&other, &[sine(660.0, 0.5, 44_100, 1.0)], 44_100, 16);
    run_ok(cli(home.path()).args(["--no-models", "scan"]).arg(&dir));
    let shown = stdout(&run_ok(
        cli(home.path())
            .arg("mark")
            .arg(&tone)
            .args(["--region", "1.5-0.25", "--json"]),
    ));
    let v: serde_json::Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(
        v["region"],
        serde_json::json!({"startMs": 250, "endMs": 1500})
    );
    let bad = cli(home.path())
        .arg("mark")
        .arg(&tone)
        .args(["--region", "soon-later"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--region"));
    let out = home.path().join("out");
    run_ok(cli(home.path()).args(["export", "--to"]).arg(&out).args([
        "--regions",
        "--rename",
        "{name}",
    ]));
    let length = |p: &std::path::Path| {
        let r = hound::WavReader::open(p).unwrap();
        r.duration() as f64 / r.spec().sample_rate as f64
    };
    assert!((length(&out.join("tone.wav")) - 1.25).abs() < 0.001);
    assert!((length(&out.join("other.wav")) - 1.0).abs() < 0.001);
    let cleared = stdout(&run_ok(
        cli(home.path())
            .arg("mark")
            .arg(&tone)
            .args(["--no-region", "--json"]),
    ));
    let v: serde_json::Value = serde_json::from_str(cleared.trim()).unwrap();
    assert!(v["region"].is_null(), "{v}");
}

/// `samplemind relink`: a library folder renamed is found again by content, and the
/// config's library folders follow it (a rescan and the API's folder rule read them).
#[test]
fn relink_finds_a_renamed_folder_and_the_config_follows() {
    let home = tempfile::tempdir().unwrap();
    let old = home.path().join("Old Packs");
    make_folder(&old);
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[library]\nfolders = [{:?}]\n[ml]\nenabled = false\n",
            old.display().to_string()
        ),
    )
    .unwrap();
    run_ok(cli(home.path()).arg("scan").arg(&old));
    let new = home.path().join("New Packs");
    std::fs::rename(&old, &new).unwrap();
    let out = stdout(&run_ok(
        cli(home.path())
            .arg("relink")
            .arg(&old)
            .arg(&new)
            .arg("--json"),
    ));
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(r["old_paths"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(r["relinked"], r["old_paths"], "{r}");
    assert_eq!(r["scan"]["analysed"], 0, "nothing is analysed again: {r}");
    let config = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    let canonical = std::fs::canonicalize(&new).unwrap();
    assert!(
        config.contains(&canonical.display().to_string()) && !config.contains("Old Packs"),
        "{config}"
    );
}
