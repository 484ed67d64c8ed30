//! The local HTTP API through the real server (`samplemind serve --port 0`) on loopback:
//! auth, filters, path rules, body limits, the OpenAPI document, a property-based run over it
//! (schemathesis) and a short load run (wrk) whose p99 is printed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::util::*;

/// A running server over a scanned copy of the demo folder.
struct Server {
    child: Child,
    base: String,
    token: String,
    home: tempfile::TempDir,
    folder: PathBuf,
    http: reqwest::blocking::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo_copy(dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    for e in std::fs::read_dir(demo).unwrap().flatten() {
        if samplemind::audio::has_audio_extension(&e.path()) {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
}

fn start() -> Server {
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("samples");
    demo_copy(&folder);
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[library]\nfolders = [{:?}]\n[ml]\nenabled = false\n[ai]\nproviders = []\n",
            folder.display().to_string()
        ),
    )
    .unwrap();
    run_ok(cli(home.path()).args(["scan", "--json"]).arg(&folder));
    let mut child = cli(home.path())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    let token = std::fs::read_to_string(home.path().join("api-token"))
        .unwrap()
        .trim()
        .to_string();
    Server {
        child,
        base,
        token,
        home,
        folder,
        http: reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    }
}

impl Server {
    fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }
    fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, body)
    }
    fn patch_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PATCH, path, body)
    }
    fn send_json(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }
}

#[test]
fn every_route_but_health_needs_the_token() {
    let s = start();
    let plain = |path: &str, token: Option<&str>| {
        let mut r = s.http.get(format!("{}{path}", s.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().unwrap().status().as_u16()
    };
    assert_eq!(plain("/api/v1/health", None), 200);
    for path in [
        "/api/v1/health/detailed",
        "/metrics",
        "/api/v1/samples",
        "/api/v1/openapi.json",
    ] {
        assert_eq!(plain(path, None), 401, "{path} without a token");
        assert_eq!(
            plain(path, Some("0123456789abcdef0123456789abcdef")),
            401,
            "{path} with a wrong token"
        );
        assert_eq!(plain(path, Some(&s.token)), 200, "{path} with the token");
    }
    let (_, e) = s.post_json("/api/v1/nothing", &json!({}));
    assert_eq!(e["error"]["kind"], "not_found");
    // The token file is the user's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(s.home.path().join("api-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o077, 0);
    }
}

#[test]
fn samples_filters_detail_similar_health_and_metrics() {
    let s = start();
    let (st, all) = s.get("/api/v1/samples");
    assert_eq!(st, 200);
    assert_eq!(all["total"], 7, "{all}");
    let (_, kicks) = s.get("/api/v1/samples?category=kick");
    assert_eq!(kicks["total"], 1);
    assert!(kicks["samples"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("kick_punchy.wav"));
    let (_, loops) = s.get("/api/v1/samples?loop=true&sort=bpm&desc=true");
    let bpms: Vec<f64> = loops["samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["bpm"].as_f64())
        .collect();
    assert!(
        bpms.len() >= 2 && bpms.windows(2).all(|w| w[0] >= w[1]),
        "{bpms:?}"
    );
    // The length and loudness ranges are the CLI's: every sample within them, and an
    // impossible one matches nothing.
    let (_, all) = s.get("/api/v1/samples");
    let (st, long) = s.get("/api/v1/samples?min_duration=1.5&lufs_max=0");
    assert_eq!(st, 200);
    let long = long["samples"].as_array().unwrap();
    assert!(
        !long.is_empty() && long.len() < all["samples"].as_array().unwrap().len(),
        "{long:?}"
    );
    assert!(long
        .iter()
        .all(|x| x["duration_s"].as_f64().unwrap() >= 1.5 && x["lufs"].as_f64().unwrap() <= 0.0));
    let (_, none) = s.get("/api/v1/samples?lufs_min=10");
    assert_eq!(none["total"].as_u64(), Some(0));
    let (st, bad) = s.get("/api/v1/samples?key=H%20major");
    assert_eq!(
        (st, bad["error"]["kind"].as_str()),
        (400, Some("bad_request"))
    );
    // A query string that does not parse gets the same JSON error shape, naming the field.
    for bad_query in ["/api/v1/samples?limit=abc", "/api/v1/samples?loop=maybe"] {
        let (st, bad) = s.get(bad_query);
        assert_eq!(
            (st, bad["error"]["kind"].as_str()),
            (400, Some("bad_request")),
            "{bad_query}: {bad}"
        );
        assert!(
            bad["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("query string:"),
            "{bad}"
        );
    }
    let id = kicks["samples"][0]["id"].as_str().unwrap().to_string();
    let (st, one) = s.get(&format!("/api/v1/samples/{id}"));
    assert_eq!((st, one["category"].as_str()), (200, Some("kick")));
    let (st, _) = s.get(&format!("/api/v1/samples/{}", "0".repeat(64)));
    assert_eq!(st, 404);
    let (st, _) = s.get("/api/v1/samples/not-an-id");
    assert_eq!(st, 400);
    let (st, near) = s.get(&format!("/api/v1/samples/{id}/similar?aspect=timbre&n=3"));
    assert_eq!(st, 200);
    assert_eq!(near.as_array().unwrap().len(), 3);
    assert!(near
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["sample"]["id"] != id.as_str()));
    let (st, h) = s.get("/api/v1/health/detailed");
    assert_eq!(st, 200);
    let names: Vec<&str> = h["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for want in ["library", "audio", "models", "http_client"] {
        assert!(names.contains(&want), "{names:?}");
    }
    assert!(h["performance"]["threads"].as_u64().unwrap() >= 1);
    let metrics = s
        .http
        .get(format!("{}/metrics", s.base))
        .bearer_auth(&s.token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("samplemind_library_samples 7"),
        "{metrics}"
    );
    assert!(metrics
        .contains("samplemind_http_requests_total{route=\"/api/v1/samples\",status=\"200\"}"));
    assert!(metrics.contains(
        "samplemind_http_requests_total{route=\"/api/v1/samples/{id}\",status=\"404\"} 1"
    ));
}

#[test]
fn analyze_reads_only_inside_library_folders_and_limits_bodies() {
    let s = start();
    let inside = s.folder.join("kick_punchy.wav");
    let (st, a) = s.post_json("/api/v1/analyze", &json!({"path": inside}));
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["category"], "kick");
    // Out of the folders, by traversal, by an absolute path, by a symlink.
    let traversal = format!("{}/../../../../etc/passwd", s.folder.display());
    let (st, e) = s.post_json("/api/v1/analyze", &json!({"path": traversal}));
    assert_eq!(
        (st, e["error"]["kind"].as_str()),
        (403, Some("forbidden")),
        "{e}"
    );
    let (st, _) = s.post_json("/api/v1/analyze", &json!({"path": "/etc/hostname"}));
    assert_eq!(st, 403);
    #[cfg(unix)]
    {
        let link = s.folder.join("escape.wav");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        let (st, _) = s.post_json("/api/v1/analyze", &json!({"path": link}));
        assert_eq!(st, 403, "a symlink out of the folder is outside it");
    }
    let (st, _) = s.post_json(
        "/api/v1/analyze",
        &json!({"path": s.folder.join("nope.wav")}),
    );
    assert_eq!(st, 404);
    let (st, _) = s.post_json("/api/v1/analyze", &json!({"nopath": 1}));
    assert_eq!(st, 400);
    // An upload analyses; a broken one is 422; an oversized one is refused before it is read.
    let upload = |bytes: Vec<u8>| {
        s.http
            .post(format!("{}/api/v1/analyze", s.base))
            .bearer_auth(&s.token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(upload(std::fs::read(&inside).unwrap()), 200);
    assert_eq!(upload(b"RIFF\x04\x00\x00\x00WAVEjunk".to_vec()), 422);
    // The error names the upload, never the server's temporary path.
    let message = s
        .http
        .post(format!("{}/api/v1/analyze", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "application/octet-stream")
        .body(b"RIFF\x04\x00\x00\x00WAVEjunk".to_vec())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(message.contains("the upload"), "{message}");
    assert!(
        !message.contains("/tmp") && !message.contains(".tmp"),
        "{message}"
    );
    assert_eq!(upload(vec![0u8; samplemind::api::UPLOAD_LIMIT + 1]), 413);
    // A JSON body past its own limit.
    let big = json!({"path": "x".repeat(samplemind::api::JSON_LIMIT + 10)});
    let (st, _) = s.post_json("/api/v1/ai/ask", &big);
    assert_eq!(st, 413);
    // No language model configured: a clear 503, not a hang or a 500.
    let (st, e) = s.post_json("/api/v1/ai/ask", &json!({"prompt": "hi"}));
    assert_eq!(st, 503, "{e}");
}

#[test]
fn a_hand_correction_is_checked_whole_then_kept_and_searched_by() {
    let s = start();
    let (_, kicks) = s.get("/api/v1/samples?category=kick");
    let kick = &kicks["samples"][0];
    let at = format!("/api/v1/samples/{}", kick["id"].as_str().unwrap());
    // A refused edit changes nothing, even its valid half.
    for bad in [
        json!({"category": "snare", "bpm": 0}),
        json!({"category": "Snare"}),
        json!({"category": "unsure"}),
        json!({"categroy": "snare"}),
        json!({"bpm": "fast"}),
        json!([]),
    ] {
        let (st, e) = s.patch_json(&at, &bad);
        assert_eq!(
            (st, e["error"]["kind"].as_str()),
            (400, Some("bad_request")),
            "{bad}: {e}"
        );
    }
    let (_, now) = s.get(&at);
    assert_eq!(
        (&now["category"], &now["bpm"]),
        (&kick["category"], &kick["bpm"])
    );
    let (st, set) = s.patch_json(&at, &json!({"category": "snare", "bpm": 128}));
    assert_eq!(st, 200, "{set}");
    assert_eq!(
        (set["category"].as_str(), set["bpm"].as_f64()),
        (Some("snare"), Some(128.0))
    );
    let (_, snares) = s.get("/api/v1/samples?category=snare");
    assert!(
        snares["samples"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == kick["id"]),
        "{snares}"
    );
    // null clears one field; the one left out stays.
    let (_, cleared) = s.patch_json(&at, &json!({"category": null}));
    assert_eq!(
        (cleared["category"].as_str(), cleared["bpm"].as_f64()),
        (Some("kick"), Some(128.0))
    );
    let (st, _) = s.patch_json(
        &format!("/api/v1/samples/{}", "0".repeat(64)),
        &json!({"bpm": 90}),
    );
    assert_eq!(st, 404);
}

#[test]
fn the_openapi_document_is_valid_and_lists_every_route() {
    let s = start();
    let (st, doc) = s.get("/api/v1/openapi.json");
    assert_eq!(st, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/health",
        "/api/v1/health/detailed",
        "/metrics",
        "/api/v1/samples",
        "/api/v1/samples/{id}",
        "/api/v1/samples/{id}/similar",
        "/api/v1/samples/{id}/sync",
        "/api/v1/samples/{id}/synced",
        "/api/v1/analyze",
        "/api/v1/ai/ask",
        "/api/v1/openapi.json",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

/// The schemathesis CLI from `.ci/run`'s venv, or on PATH.
fn schemathesis() -> Option<PathBuf> {
    let vendored = Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/apitest/bin/schemathesis");
    if vendored.exists() {
        return Some(vendored);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "schemathesis is required in CI (scripts/fetch-apitest.sh)"
    );
    eprintln!("skipped: no schemathesis (bash scripts/fetch-apitest.sh)");
    None
}

#[test]
fn schemathesis_finds_the_server_true_to_its_openapi_document() {
    let Some(st) = schemathesis() else { return };
    let s = start();
    let doc = s.home.path().join("openapi.json");
    let (_, d) = s.get("/api/v1/openapi.json");
    std::fs::write(&doc, d.to_string()).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract/schemathesis.toml");
    let out = Command::new(st)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(&doc)
        .args(["--url", &s.base])
        .args(["-H", &format!("Authorization: Bearer {}", s.token)])
        // Every check: no 5xx, answers as documented (status, content type, body schema), and
        // the document's constraints are the code's: what it allows is accepted and what it
        // forbids is refused (the exceptions, each with its reason, are in the config).
        .args(["--checks", "all", "--max-examples", "40"])
        .args(["--seed", "1"])
        // Its example cache stays with this run, not in the source tree.
        .current_dir(s.home.path())
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!(
        "{}",
        text.lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_short_load_run_reports_its_p99() {
    if !have("wrk") {
        return;
    }
    let s = start();
    let out = Command::new("wrk")
        .args(["-t2", "-c16", "-d3s", "--latency"])
        .args(["-H", &format!("Authorization: Bearer {}", s.token)])
        .arg(format!("{}/api/v1/samples?limit=20", s.base))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let p99 = text
        .lines()
        .find(|l| l.trim_start().starts_with("99%"))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
        .unwrap_or_default();
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec"))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
        .unwrap_or_default();
    eprintln!("figure: wrk GET /api/v1/samples?limit=20 (7-sample library, 2 threads, 16 connections, 3 s): p99 {p99}, {rps} requests/s");
    assert!(!p99.is_empty(), "{text}");
    assert!(!text.contains("Non-2xx"), "errors under load:\n{text}");
}

/// Marks and collections through the API: a star, a rating, a colour and tags filter the
/// list at once; a collection keeps its order; a refused edit changes nothing.
#[test]
fn marks_and_collections_filter_the_list_and_keep_their_order() {
    let s = start();
    let (_, all) = s.get("/api/v1/samples?sort=name");
    let id = |name: &str| {
        all["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"].as_str().unwrap().starts_with(name))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (kick, hat) = (id("kick"), id("hat"));
    let (st, marked) = s.patch_json(
        &format!("/api/v1/samples/{kick}/marks"),
        &serde_json::json!({"favourite": true, "rating": 5, "colour": "blue", "add_tags": ["Dark  Kick", "track 12"]}),
    );
    assert_eq!(st, 200, "{marked}");
    assert_eq!(
        marked["user_tags"],
        serde_json::json!(["dark kick", "track 12"])
    );
    assert_eq!(
        (marked["favourite"].as_bool(), marked["rating"].as_u64()),
        (Some(true), Some(5))
    );
    let (st, refused) = s.patch_json(
        &format!("/api/v1/samples/{hat}/marks"),
        &serde_json::json!({"favourite": true, "rating": 6}),
    );
    assert_eq!(st, 400, "{refused}");
    for (query, want) in [
        ("fav=true", vec![kick.clone()]),
        ("tag=DARK%20KICK", vec![kick.clone()]),
        ("rating_min=5", vec![kick.clone()]),
        ("colour=blue", vec![kick.clone()]),
        ("colour=red", vec![]),
    ] {
        let (st, page) = s.get(&format!("/api/v1/samples?{query}"));
        assert_eq!(st, 200, "{query}: {page}");
        let got: Vec<String> = page["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "{query}");
    }

    let (st, f) = s.get("/api/v1/samples/facets?fav=true");
    assert_eq!(
        (st, f["total"].as_u64(), f["favourites"].as_u64()),
        (200, Some(1), Some(1)),
        "{f}"
    );
    let (_, all_facets) = s.get("/api/v1/samples/facets");
    assert_eq!(all_facets["total"], 7);
    let (st, folders) = s.get("/api/v1/folders");
    assert_eq!(st, 200);
    assert!(
        folders.as_array().unwrap().iter().any(|f| f["count"] == 7),
        "the scanned folder holds every sample: {folders}"
    );

    // The demo holds no copy: no duplicates, and keeping one of nothing is a 404.
    let (st, d) = s.get("/api/v1/duplicates");
    assert_eq!((st, d), (200, serde_json::json!([])));
    let (st, _) = s.post_json(
        "/api/v1/duplicates/keep",
        &serde_json::json!({"id": kick, "keep": "/nowhere.wav"}),
    );
    assert_eq!(st, 404);

    let (st, c) = s.post_json(
        "/api/v1/collections",
        &serde_json::json!({"name": "Track 12", "add": [hat, kick]}),
    );
    assert_eq!((st, c["count"].as_u64()), (200, Some(2)), "{c}");
    let (_, listed) = s.get("/api/v1/collections/samples?name=track%2012");
    let order: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [hat.as_str(), kick.as_str()]);
    let (_, page) = s.get("/api/v1/samples?collection=TRACK%2012&fav=true");
    assert_eq!(page["total"], 1);
    let (st, _) = s.get("/api/v1/samples?collection=nope");
    assert_eq!(st, 404);
    let (st, renamed) = s.post_json(
        "/api/v1/collections",
        &serde_json::json!({"name": "track 12", "remove": [hat], "rename_to": "Final mix"}),
    );
    assert_eq!((st, renamed["count"].as_u64()), (200, Some(1)), "{renamed}");
    let (_, list) = s.get("/api/v1/collections");
    assert_eq!(list, serde_json::json!([{"name": "Final mix", "count": 1}]));
    let (st, _) = s.send_json(
        reqwest::Method::DELETE,
        "/api/v1/collections?name=final%20MIX",
        &serde_json::json!({}),
    );
    assert_eq!(st, 204);
    let (_, list) = s.get("/api/v1/collections");
    assert_eq!(list, serde_json::json!([]));
}

/// Tidy-up export, kits and relink through the API: files are written only under the export
/// folder, a folder that climbs out of it is refused, a kit around the kick puts it on note
/// 36, and a moved folder is found again without analysing anything.
#[test]
fn export_kit_and_relink_write_only_under_the_export_folder() {
    let s = start();
    let (_, all) = s.get("/api/v1/samples?sort=name");
    let id = |name: &str| {
        all["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"].as_str().unwrap().starts_with(name))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (kick, snare) = (id("kick"), id("snare"));
    let root = s.home.path().join("exports");
    let body = json!({"folder": "track 12/drums", "ids": [kick, snare], "rename": "{name}_{id}",
                      "normalise_lufs": -16.0, "format": "wav", "dry_run": true});
    let (st, dry) = s.post_json("/api/v1/export", &body);
    assert_eq!(st, 200, "{dry}");
    assert_eq!(dry["planned"].as_array().unwrap().len(), 2, "{dry}");
    assert!(dry["report"].is_null());
    assert!(!root.exists(), "a dry run writes nothing");
    let mut real = body.clone();
    real["dry_run"] = json!(false);
    let (st, done) = s.post_json("/api/v1/export", &real);
    assert_eq!(st, 200, "{done}");
    assert_eq!(done["report"]["copied"], 2, "{done}");
    assert_eq!(done["report"]["rendered"], 2, "{done}");
    let written: Vec<_> = std::fs::read_dir(root.join("track 12/drums"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(written.iter().all(|n| n.ends_with(".wav")), "{written:?}");
    for bad in [
        "../out",
        "/tmp/out",
        "a/../../b",
        ".hidden",
        "a//b",
        "c:\\x",
    ] {
        let (st, e) = s.post_json("/api/v1/export", &json!({"folder": bad}));
        assert_eq!(st, 400, "{bad}: {e}");
    }
    let (st, e) = s.post_json(
        "/api/v1/export",
        &json!({"folder": "x", "rename": "{tempo}"}),
    );
    assert_eq!(st, 400, "{e}");

    let (st, k) = s.get(&format!("/api/v1/kit/suggest?id={kick}"));
    assert_eq!(st, 200, "{k}");
    let pads = k["pads"].as_array().unwrap();
    let on_36 = pads.iter().find(|p| p["note"] == 36).expect("a kick pad");
    assert_eq!(on_36["id"], kick.as_str());
    let choice: Vec<Value> = pads
        .iter()
        .map(|p| json!({"slot": p["slot"], "id": p["id"]}))
        .collect();
    let (st, w) = s.post_json(
        "/api/v1/kit/export",
        &json!({"pads": choice, "folder": "kits/demo", "name": "Demo Kit"}),
    );
    assert_eq!(st, 200, "{w}");
    assert!(root.join("kits/demo/Demo Kit.sfz").is_file(), "{w}");

    // The library folder's files move into a subfolder; the relink finds every one again.
    let moved = s.folder.join("moved");
    std::fs::create_dir_all(&moved).unwrap();
    for e in std::fs::read_dir(&s.folder).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::rename(e.path(), moved.join(e.file_name())).unwrap();
        }
    }
    let (st, e) = s.post_json(
        "/api/v1/relink",
        &json!({"from": s.folder, "to": s.home.path()}),
    );
    assert_eq!(st, 403, "outside the library folders: {e}");
    let (st, r) = s.post_json("/api/v1/relink", &json!({"from": s.folder, "to": moved}));
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["analysed"], 0, "{r}");
    assert_eq!(r["relinked"], r["old_paths"], "{r}");
    let (_, page) = s.get("/api/v1/samples");
    assert!(
        page["samples"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["path"].as_str().unwrap().contains("/moved/")),
        "{page}"
    );
}

/// A sample in a project's tempo and key through the API: the plan says how the demo's
/// 100 BPM A-minor loop plays at 120 BPM in C minor, and the render of it reads back so.
#[test]
fn a_sample_in_the_project_tempo_and_key_is_planned_and_rendered() {
    let s = start();
    let (_, keys) = s.get("/api/v1/samples?loop=true&key=A%20minor");
    assert_eq!(keys["total"], 1, "{keys}");
    let id = keys["samples"][0]["id"].as_str().unwrap().to_string();
    let (st, plan) = s.get(&format!("/api/v1/samples/{id}/sync?bpm=120&key=Cm"));
    assert_eq!(st, 200, "{plan}");
    assert_eq!(plan["changed"], true);
    assert_eq!(plan["bpm"], 120.0);
    assert_eq!(plan["bars"], 2.0);
    assert_eq!(plan["key"], "C minor");
    assert_eq!(plan["semitones"], 3.0);
    // Two bars at 120 BPM last 4 s; the file lasts 4.8 s.
    assert!((plan["duration_ratio"].as_f64().unwrap() - 4.0 / 4.8).abs() < 1e-6);
    let r = s
        .http
        .get(format!(
            "{}/api/v1/samples/{id}/synced?bpm=120&key=Cm",
            s.base
        ))
        .bearer_auth(&s.token)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    let wav = s.home.path().join("synced.wav");
    std::fs::write(&wav, r.bytes().unwrap()).unwrap();
    let a = samplemind::analysis::analyse_file(&wav, &Default::default())
        .unwrap()
        .analysis;
    assert!((a.duration_s - 4.0).abs() < 0.001, "{}", a.duration_s);
    assert!((a.bpm.unwrap_or(0.0) - 120.0).abs() <= 0.5, "{:?}", a.bpm);
    assert_eq!(a.key.as_deref(), Some("C minor"));
    // Refused, naming the field: a tempo out of range, not a key, not a note.
    for (q, field) in [
        ("bpm=1000", "bpm"),
        ("key=purple", "key"),
        ("note=H9", "note"),
    ] {
        let (st, e) = s.get(&format!("/api/v1/samples/{id}/sync?{q}"));
        assert_eq!(st, 400, "{q}: {e}");
        let message = e["error"]["message"].as_str().unwrap().to_lowercase();
        assert!(message.contains(field), "{e}");
    }
}
