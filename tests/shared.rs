//! What a studio shares on a real redis-server (issue 23): two machines' answer caches and scans
//! over one server, the server lost, values that do not check.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use samplemind::ai::cache::{AiCache, CacheKey};
use samplemind::ai::shared::SharedCache;
use samplemind::ai::types::{ChatRequest, ChatResponse, Message};

/// A redis-server on a free loopback port, killed on drop.
pub(crate) struct Redis {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start a server, or `None` (with a note) where redis-server is not installed; CI installs
/// it (`.ci/run`), so there its absence fails the test.
pub(crate) fn redis(dir: &Path) -> Option<Redis> {
    redis_with(dir, &[], "")
}

/// [`redis`] with more server arguments, and `auth` (`:password@`) in the URL.
fn redis_with(dir: &Path, args: &[&str], auth: &str) -> Option<Redis> {
    if Command::new("redis-server")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is required in CI (.ci/run installs it)"
        );
        eprintln!("skipped: no redis-server");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("redis://{auth}127.0.0.1:{port}/0");
    let probe = SharedCache::new(&url, Duration::from_millis(200)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !probe.health().up {
        assert!(Instant::now() < deadline, "redis-server did not start");
        // The probe waits out RETRY_AFTER after a refusal; a fresh one asks at once.
        std::thread::sleep(Duration::from_millis(50));
        if SharedCache::new(&url, Duration::from_millis(200))
            .unwrap()
            .health()
            .up
        {
            break;
        }
    }
    Some(Redis { child, url })
}

fn key(q: &str) -> CacheKey {
    CacheKey::of(&ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(q)],
        ..ChatRequest::default()
    })
}

fn answer(text: &str) -> ChatResponse {
    ChatResponse {
        text: text.into(),
        model: "m".into(),
        provider: "p".into(),
        done_reason: Some("stop".into()),
        prompt_tokens: None,
        completion_tokens: None,
        cached: false,
    }
}

fn machine(dir: &Path, url: &str) -> (AiCache, Arc<SharedCache>) {
    let shared = Arc::new(SharedCache::from_urls(url, false, Duration::from_millis(250)).unwrap());
    let cache = AiCache::open(dir, 1 << 20, Duration::from_secs(3600))
        .unwrap()
        .with_shared(shared.clone());
    (cache, shared)
}

#[test]
fn a_second_machine_is_answered_from_the_first_machines_cache_and_goes_on_without_redis() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let (a, _) = machine(&home.path().join("a"), &server.url);
    let (b, b_shared) = machine(&home.path().join("b"), &server.url);
    let k = key("a dark kick");
    a.put(&k, "ask", &answer("808"), None).unwrap();
    assert_eq!(b.get(&k).map(|r| r.text).as_deref(), Some("808"));
    let h = b_shared.health();
    assert!(h.up && h.hits == 1 && h.latency_ms.is_some(), "{h:?}");
    // Every machine sees the studio's counts, kept in Redis: a third that asked nothing too.
    let third = SharedCache::new(&server.url, Duration::from_millis(250)).unwrap();
    let h3 = third.health();
    let studio = h3.studio.clone().expect("the studio's counts");
    assert_eq!((studio.hits, studio.hit_rate), (1, Some(1.0)), "{studio:?}");
    assert!(h3.server_bytes.is_some_and(|b| b > 0), "{h3:?}");
    assert_eq!(h3.server_max_bytes, Some(0), "no bound set: {h3:?}");
    assert!(!format!("{h:?}").contains("password"));
    // What b found is now its own: it answers with the server gone.
    drop(server);
    let t = Instant::now();
    assert_eq!(b.get(&k).map(|r| r.text).as_deref(), Some("808"));
    assert!(b.get(&key("never asked")).is_none());
    // A lost server costs one bounded wait, then nothing until RETRY_AFTER.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let h = b_shared.health();
    assert!(!h.up && h.reason.is_some(), "{h:?}");
    // Answers still go into the local cache.
    let k2 = key("a bright hat");
    b.put(&k2, "ask", &answer("909"), None).unwrap();
    assert_eq!(b.get(&k2).map(|r| r.text).as_deref(), Some("909"));
}

#[test]
fn a_shared_value_that_is_garbage_or_names_another_key_is_dropped_not_served() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let (a, a_shared) = machine(&home.path().join("a"), &server.url);
    let (b, b_shared) = machine(&home.path().join("b"), &server.url);
    let (asked, other, junk) = (key("asked"), key("other"), key("junk"));
    a.put(&asked, "ask", &answer("right"), None).unwrap();
    // The stored entry of one request, copied under another's key: a mixed-up entry.
    let bytes = a_shared.get(&asked.0).unwrap().unwrap();
    a_shared
        .put(&other.0, &bytes, Duration::from_secs(60))
        .unwrap();
    a_shared
        .put(&junk.0, b"\xc1 not msgpack", Duration::from_secs(60))
        .unwrap();
    // A value larger than any answer is not read whole: at most MAX_VALUE + 1 bytes.
    // Its own entry, padded: only its size is wrong.
    let huge = key("huge");
    a.put(&huge, "ask", &answer("padded"), None).unwrap();
    let mut big = a_shared.get(&huge.0).unwrap().unwrap();
    big.resize(samplemind::ai::shared::MAX_VALUE + 4096, 0);
    a_shared
        .put(&huge.0, &big, Duration::from_secs(60))
        .unwrap();
    assert_eq!(
        a_shared.get(&huge.0).unwrap().map(|v| v.len()),
        Some(samplemind::ai::shared::MAX_VALUE + 1)
    );
    assert!(b.get(&other).is_none(), "served another request's answer");
    assert!(b.get(&junk).is_none());
    assert!(b.get(&huge).is_none());
    assert_eq!(b_shared.health().rejected, 3);
    // Dropped from the server too, so no other machine meets them.
    for k in [&other, &junk, &huge] {
        assert_eq!(a_shared.get(&k.0).unwrap(), None);
    }
    assert_eq!(b.get(&asked).map(|r| r.text).as_deref(), Some("right"));
}

#[test]
fn a_server_that_is_down_at_start_leaves_a_working_local_cache() {
    let home = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Nothing listens there now.
    let (c, shared) = machine(home.path(), &format!("redis://127.0.0.1:{port}/0"));
    let k = key("q");
    assert!(c.get(&k).is_none());
    c.put(&k, "ask", &answer("local"), None).unwrap();
    assert_eq!(c.get(&k).map(|r| r.text).as_deref(), Some("local"));
    let h = shared.health();
    assert!(!h.up, "{h:?}");
    assert!(h.reason.unwrap().contains(&port.to_string()));
    assert!(SharedCache::new("not a url", Duration::from_millis(10)).is_err());
}

#[test]
fn health_shows_the_shared_cache_and_never_its_password() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis_with(
        home.path(),
        &["--requirepass", "hunter2-secret"],
        ":hunter2-secret@",
    ) else {
        return;
    };
    let health = |url: &str| {
        std::fs::write(
            home.path().join("config.toml"),
            format!("[shared]\nredis = \"{url}\"\n"),
        )
        .unwrap();
        let out = crate::util::cli(home.path())
            .args(["health", "--json"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!text.contains("hunter2"), "{text}");
        let h: serde_json::Value = serde_json::from_str(&text).unwrap();
        let c = h["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "shared")
            .cloned()
            .unwrap_or_else(|| panic!("no shared component: {h}"));
        (c, h["status"].clone())
    };
    let (c, _) = health(&server.url);
    assert_eq!(c["status"], "ok", "{c}");
    assert_eq!(c["details"]["backend"], "redis");
    let wrong = server.url.replace("hunter2-secret", "hunter2-wrong");
    let (c, status) = health(&wrong);
    assert_eq!(
        (c["status"].as_str(), status.as_str()),
        (Some("down"), Some("degraded")),
        "{c}"
    );
    assert!(c["reason"].as_str().is_some_and(|r| !r.is_empty()), "{c}");
}

/// A scan of `dir` into the library at `lib`, sharing analyses through `url` (none for
/// `None`).
fn scan_with_share(
    lib: &samplemind::Library,
    dir: &Path,
    share: Option<Arc<SharedCache>>,
) -> samplemind::library::ScanReport {
    let mut opts = samplemind::library::ScanOptions::default();
    opts.threads = 2;
    opts.share = share.map(|s| s as Arc<dyn samplemind::library::AnalysisShare>);
    let stop = std::sync::atomic::AtomicBool::new(false);
    samplemind::library::scan(lib, &[dir.to_path_buf()], &opts, &stop, &mut |_| {}).unwrap()
}

fn analysis_share(url: &str) -> Arc<SharedCache> {
    Arc::new(
        SharedCache::new(url, Duration::from_millis(250))
            .unwrap()
            .namespaced("analysis"),
    )
}

fn demo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

#[test]
fn a_second_machine_scans_what_the_first_analysed_without_decoding_and_goes_on_without_redis() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let lib_a = samplemind::Library::open(&home.path().join("a")).unwrap();
    let first = scan_with_share(&lib_a, &demo(), Some(analysis_share(&server.url)));
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    assert_eq!((first.analysed, first.shared), (7, 0), "{first:?}");

    let lib_b = samplemind::Library::open(&home.path().join("b")).unwrap();
    let share_b = analysis_share(&server.url);
    let second = scan_with_share(&lib_b, &demo(), Some(share_b.clone()));
    assert_eq!((second.analysed, second.shared), (0, 7), "{second:?}");
    let h = share_b.health();
    assert_eq!((h.hits, h.misses, h.rejected), (7, 0, 0), "{h:?}");
    // Machine B holds what A measured, down to every reading; its own paths and dates.
    let (entries, problems) = lib_b.entries();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(entries.len(), 7);
    for e in &entries {
        let b = e.sample.as_ref().expect("analysed");
        let a = lib_a.sample(&b.hash).unwrap().expect("on machine A");
        assert_eq!(a.analysis, b.analysis, "{}", e.path.display());
    }

    // Redis gone: machine C analyses everything itself, and nothing fails.
    let url = server.url.clone();
    drop(server);
    let lib_c = samplemind::Library::open(&home.path().join("c")).unwrap();
    let share_c = analysis_share(&url);
    let third = scan_with_share(&lib_c, &demo(), Some(share_c.clone()));
    assert!(third.failures.is_empty(), "{:?}", third.failures);
    assert_eq!((third.analysed, third.shared), (7, 0), "{third:?}");
    assert!(!share_c.health().up);
}

#[test]
fn a_shared_analysis_that_does_not_check_is_dropped_and_the_file_analysed_here() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let folder = home.path().join("pack");
    std::fs::create_dir(&folder).unwrap();
    for f in ["kick_punchy.wav", "hat_closed.wav"] {
        std::fs::copy(demo().join(f), folder.join(f)).unwrap();
    }
    // Machine A analyses the kick and shares it.
    let only_kick = home.path().join("kick");
    std::fs::create_dir(&only_kick).unwrap();
    std::fs::copy(demo().join("kick_punchy.wav"), only_kick.join("k.wav")).unwrap();
    let lib_a = samplemind::Library::open(&home.path().join("a")).unwrap();
    let a = scan_with_share(&lib_a, &only_kick, Some(analysis_share(&server.url)));
    assert_eq!(a.analysed, 1);

    // Under the hat's key: the kick's value (bound to another key), and under the kick's:
    // bytes that decode to nothing.
    let share = analysis_share(&server.url);
    let fp = samplemind::analysis::AnalysisOptions::default().fingerprint();
    let key_of = |f: &str| {
        let h = samplemind::library::hash_file(&folder.join(f)).unwrap();
        samplemind::library::share::key(&h, &fp)
    };
    let (kick, hat) = (key_of("kick_punchy.wav"), key_of("hat_closed.wav"));
    let kick_value = share
        .get(&kick)
        .unwrap()
        .expect("machine A shared the kick");
    share
        .put(&hat, &kick_value, Duration::from_secs(60))
        .unwrap();
    share
        .put(&kick, b"\x93not an analysis", Duration::from_secs(60))
        .unwrap();

    let lib_b = samplemind::Library::open(&home.path().join("b")).unwrap();
    let b = scan_with_share(&lib_b, &folder, Some(share.clone()));
    assert!(b.failures.is_empty(), "{:?}", b.failures);
    assert_eq!((b.analysed, b.shared), (2, 0), "{b:?}");
    assert_eq!(share.health().rejected, 2);
    // The hat is a hat, not the kick it was offered; both are shared afresh, each under its
    // own key.
    let (entries, _) = lib_b.entries();
    let hat_rec = entries
        .iter()
        .find(|e| e.path.ends_with("hat_closed.wav"))
        .and_then(|e| e.sample.clone())
        .unwrap();
    let kick_rec = lib_a.sample(&samplemind::library::hash_file(&only_kick.join("k.wav")).unwrap());
    assert_ne!(
        Some(hat_rec.analysis),
        kick_rec.unwrap().map(|r| r.analysis)
    );
    let lib_c = samplemind::Library::open(&home.path().join("c")).unwrap();
    let c = scan_with_share(&lib_c, &folder, Some(analysis_share(&server.url)));
    assert_eq!((c.analysed, c.shared), (0, 2), "{c:?}");
}

/// With the models on, a machine takes the sound's embeddings from the share and embeds the
/// words of its own paths; a machine with the models off never takes an analysis they made.
#[test]
fn shared_embeddings_come_with_the_analysis_and_the_words_are_this_machines() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let models = samplemind::ml::open(&samplemind::config::MlSettings::default())
        .expect("ONNX Runtime (run scripts/fetch-ml.sh)");
    let (pack_a, pack_b) = (home.path().join("pack"), home.path().join("elsewhere"));
    std::fs::create_dir(&pack_a).unwrap();
    std::fs::create_dir(&pack_b).unwrap();
    std::fs::copy(demo().join("bass_A1.flac"), pack_a.join("bass_A1.flac")).unwrap();
    std::fs::copy(demo().join("bass_A1.flac"), pack_b.join("vocal_chop.flac")).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let run = |lib: &samplemind::Library, dir: &Path, models_on: bool| {
        let mut opts = samplemind::library::ScanOptions::default();
        opts.analysis.models = models_on.then(|| models.clone());
        let share: Arc<dyn samplemind::library::AnalysisShare> = analysis_share(&server.url);
        opts.share = Some(share);
        samplemind::library::scan(lib, &[dir.to_path_buf()], &opts, &stop, &mut |_| {}).unwrap()
    };
    let lib_a = samplemind::Library::open(&home.path().join("a")).unwrap();
    let lib_b = samplemind::Library::open(&home.path().join("b")).unwrap();
    let lib_c = samplemind::Library::open(&home.path().join("c")).unwrap();
    let a = run(&lib_a, &pack_a, true);
    assert_eq!((a.analysed, a.shared), (1, 0), "{a:?}");
    let b = run(&lib_b, &pack_b, true);
    assert_eq!((b.analysed, b.shared), (0, 1), "{b:?}");
    let c = run(&lib_c, &pack_b, false);
    assert_eq!((c.analysed, c.shared), (1, 0), "{c:?}");

    let hash = samplemind::library::hash_file(&pack_a.join("bass_A1.flac")).unwrap();
    let (va, vb) = (
        lib_a.vectors(&hash).unwrap().unwrap(),
        lib_b.vectors(&hash).unwrap().unwrap(),
    );
    assert_eq!(va.aisfx, vb.aisfx);
    assert_eq!(vb.text.len(), va.text.len());
    assert!(
        va.text != vb.text,
        "B's words are embedded from B's own file name"
    );
    assert!(lib_b.sample(&hash).unwrap().unwrap().analysis.models_heard);
    assert!(!lib_c.sample(&hash).unwrap().unwrap().analysis.models_heard);
}

/// One "process" of the studio: a router with its own local cache and its own connection
/// to the shared Redis, over the upstream `server`.
fn process(
    dir: &Path,
    url: &str,
    server: &crate::fake_ollama::FakeOllama,
) -> (samplemind::ai::Router, Arc<SharedCache>) {
    use samplemind::ai::providers::{ollama::Ollama, Provider};
    let (cache, shared) = machine(dir, url);
    let p: Arc<dyn Provider> = Arc::new(Ollama::new(&server.url, "smollm2:135m"));
    let settings = samplemind::ai::RouterSettings {
        retries: 0,
        backoff: Duration::from_millis(5),
        ..samplemind::ai::RouterSettings::default()
    };
    (
        samplemind::ai::Router::new(vec![p], Some(cache), settings),
        shared,
    )
}

/// The upstream, holding each chat `ms` so that requests overlap.
async fn slow_upstream(ms: u64) -> crate::fake_ollama::FakeOllama {
    let server = crate::fake_ollama::FakeOllama::start().await;
    *server.delay.lock().unwrap() = Duration::from_millis(ms);
    server
}

/// Four processes (in `home`) each ask question `q` `each` times at once; every answer
/// must be the upstream's. The processes are returned for their health.
async fn burst(
    home: &Path,
    url: &str,
    server: &crate::fake_ollama::FakeOllama,
    each: usize,
    q: &str,
) -> Vec<Arc<(samplemind::ai::Router, Arc<SharedCache>)>> {
    let processes: Vec<_> = (0..4)
        .map(|i| Arc::new(process(&home.join(format!("p{i}")), url, server)))
        .collect();
    let mut asks = Vec::new();
    for p in &processes {
        for _ in 0..each {
            let (p, q) = (p.clone(), ask(q));
            asks.push(tokio::spawn(async move {
                p.0.chat(&q, &Default::default()).await
            }));
        }
    }
    for a in asks {
        assert_eq!(a.await.unwrap().unwrap().text, crate::fake_ollama::ANSWER);
    }
    processes
}

fn ask(q: &str) -> ChatRequest {
    ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(q)],
        max_tokens: Some(32),
        ..ChatRequest::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_processes_asking_the_same_cold_question_100_times_each_make_one_upstream_call() {
    let home = tempfile::tempdir().unwrap();
    let Some(redis) = redis(home.path()) else {
        return;
    };
    let server = slow_upstream(150).await;
    let processes = burst(home.path(), &redis.url, &server, 100, "a dark kick").await;
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 1);
    let healths: Vec<_> = processes.iter().map(|p| p.1.health()).collect();
    let led: u64 = healths.iter().map(|h| h.leases_led).sum();
    let (waits, answered): (u64, u64) = healths
        .iter()
        .fold((0, 0), |(w, a), h| (w + h.lease_waits, a + h.lease_answers));
    assert_eq!((led, waits, answered), (1, 3, 3), "{healths:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_that_fails_or_dies_hands_the_question_to_a_waiter() {
    use crate::fake_ollama::Fault;
    let home = tempfile::tempdir().unwrap();
    let Some(redis) = redis(home.path()) else {
        return;
    };
    let server = slow_upstream(100).await;
    server.push_faults(&[Fault::Status(500)]);
    let a = process(&home.path().join("a"), &redis.url, &server);
    let b = process(&home.path().join("b"), &redis.url, &server);
    let q = ask("a failing question");
    let opts = samplemind::ai::AskOptions::default();
    let first = a.0.chat(&q, &opts);
    let second = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        b.0.chat(&q, &Default::default()).await
    };
    let (first, second) = tokio::join!(first, second);
    // The failure reached only its caller, and was not cached: B asked again itself.
    assert!(first.is_err(), "{first:?}");
    assert_eq!(second.unwrap().text, crate::fake_ollama::ANSWER);
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(
        (b.1.health().lease_waits, b.1.health().lease_answers),
        (1, 0)
    );

    // A leader that took the lease and died: its lease expires, then a waiter asks.
    let q = ask("an orphaned question");
    let key = samplemind::ai::cache::CacheKey::of(&q);
    let dead = a.1.try_lease(&key.0, Duration::from_millis(400)).unwrap();
    assert!(dead.is_some());
    let started = Instant::now();
    assert_eq!(
        b.0.chat(&q, &Default::default()).await.unwrap().text,
        crate::fake_ollama::ANSWER
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited for the lease"
    );
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 3);
}

/// Three redis-servers on free loopback ports made one Redis Cluster of three masters,
/// killed on drop.
struct Cluster {
    nodes: Vec<Redis>,
    /// The seed URLs, comma-separated, as `[shared] redis` names them.
    urls: String,
}

fn cluster(dir: &Path) -> Option<Cluster> {
    let mut nodes = Vec::new();
    for i in 0..3 {
        let d = dir.join(format!("node{i}"));
        std::fs::create_dir_all(&d).unwrap();
        nodes.push(redis_with(
            &d,
            &[
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ],
            "",
        )?);
    }
    let addrs: Vec<String> = nodes
        .iter()
        .map(|n| {
            n.url
                .trim_start_matches("redis://")
                .trim_end_matches("/0")
                .to_string()
        })
        .collect();
    let out = Command::new("redis-cli")
        .args(["--cluster", "create"])
        .args(&addrs)
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .output()
        .expect("redis-cli comes with redis-server");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Every node agrees the cluster is up before a test uses it.
    let deadline = Instant::now() + Duration::from_secs(20);
    for a in &addrs {
        let (host, port) = a.split_once(':').unwrap();
        loop {
            let info = Command::new("redis-cli")
                .args(["-h", host, "-p", port, "cluster", "info"])
                .output()
                .unwrap();
            if String::from_utf8_lossy(&info.stdout).contains("cluster_state:ok") {
                break;
            }
            assert!(Instant::now() < deadline, "the cluster did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let urls = addrs
        .iter()
        .map(|a| format!("redis://{a}"))
        .collect::<Vec<_>>()
        .join(",");
    Some(Cluster { nodes, urls })
}

fn keys_on(node: &Redis) -> usize {
    let addr = node
        .url
        .trim_start_matches("redis://")
        .trim_end_matches("/0");
    let (host, port) = addr.split_once(':').unwrap();
    let out = Command::new("redis-cli")
        .args(["-h", host, "-p", port, "dbsize"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The same code against a three-master Redis Cluster: answers, analyses and leases.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_three_master_cluster_shares_answers_analyses_and_leases() {
    let home = tempfile::tempdir().unwrap();
    let Some(c) = cluster(home.path()) else {
        return;
    };
    let seeds = |ns: &str| {
        Arc::new(
            SharedCache::from_urls(&c.urls, false, Duration::from_millis(500))
                .unwrap()
                .namespaced(ns),
        )
    };
    // Answers: machine A's is machine B's.
    let dir = |n: &str| home.path().join(n);
    let cache = |n: &str| {
        AiCache::open(&dir(n), 1 << 20, Duration::from_secs(3600))
            .unwrap()
            .with_shared(seeds("ai"))
    };
    let (a, b) = (cache("a"), cache("b"));
    let k = key("a dark kick");
    a.put(&k, "ask", &answer("808"), None).unwrap();
    assert_eq!(b.get(&k).map(|r| r.text).as_deref(), Some("808"));
    assert!(b
        .shared()
        .unwrap()
        .health()
        .server
        .starts_with("cluster via"));

    // Analyses: the second library decodes nothing.
    let scans = tokio::task::spawn_blocking({
        let (a, b) = (dir("lib-a"), dir("lib-b"));
        let (sa, sb) = (seeds("analysis"), seeds("analysis"));
        move || {
            let first = scan_with_share(&samplemind::Library::open(&a).unwrap(), &demo(), Some(sa));
            let second =
                scan_with_share(&samplemind::Library::open(&b).unwrap(), &demo(), Some(sb));
            (first, second)
        }
    })
    .await
    .unwrap();
    assert_eq!((scans.0.analysed, scans.0.shared), (7, 0), "{:?}", scans.0);
    assert_eq!((scans.1.analysed, scans.1.shared), (0, 7), "{:?}", scans.1);

    // Leases: four processes' identical cold questions, one upstream call.
    let server = slow_upstream(150).await;
    burst(home.path(), &c.urls, &server, 25, "a clustered question").await;
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The keys spread over the three masters (with 40 of them, an empty master would mean
    // they do not).
    for i in 0..30 {
        a.put(&key(&format!("question {i}")), "ask", &answer("x"), None)
            .unwrap();
    }
    let spread: Vec<usize> = c.nodes.iter().map(keys_on).collect();
    assert!(spread.iter().all(|&n| n > 0), "{spread:?}");
}

/// `rediss://`: a studio's own authority signed the server's certificate. With that
/// authority (`[shared] ca_file`) the cache works; with only the system's, the server is
/// refused, named as down with the reason, and nothing is sent in the clear.
#[test]
fn a_tls_server_is_trusted_through_the_studios_authority_and_refused_without_it() {
    let home = tempfile::tempdir().unwrap();
    if Command::new("redis-server")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is required in CI"
        );
        return;
    }
    let d = home.path();
    let openssl = |args: &str| {
        let out = Command::new("openssl")
            .args(args.split_whitespace())
            .current_dir(d)
            .output()
            .expect("openssl (the CLI) makes the test's certificates");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=studio-ca -keyout ca.key -out ca.crt",
    );
    openssl("req -newkey rsa:2048 -nodes -subj /CN=studio-nas -keyout server.key -out server.csr");
    std::fs::write(
        d.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    openssl(
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
         -extfile san.ext -out server.crt",
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .args(["--tls-port", &port.to_string()])
        .args([
            "--tls-cert-file",
            "server.crt",
            "--tls-key-file",
            "server.key",
        ])
        .args(["--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no"])
        .current_dir(d)
        .arg("--dir")
        .arg(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("rediss://127.0.0.1:{port}/0");
    let settings = |ca: Option<std::path::PathBuf>| samplemind::ai::settings::SharedSettings {
        redis: Some(url.clone()),
        ca_file: ca,
        ..Default::default()
    };
    let trusted = || {
        SharedCache::from_settings(&settings(Some(d.join("ca.crt"))))
            .unwrap()
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !trusted().health().up {
        assert!(Instant::now() < deadline, "the TLS server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let c = trusted();
    let k = key("over tls");
    c.put(&k.0, b"secret answer", Duration::from_secs(60))
        .unwrap();
    assert_eq!(c.get(&k.0).unwrap().as_deref(), Some(&b"secret answer"[..]));

    let untrusted = SharedCache::from_settings(&settings(None))
        .unwrap()
        .unwrap();
    let h = untrusted.health();
    assert!(!h.up, "{h:?}");
    let why = h.reason.unwrap_or_default().to_lowercase();
    assert!(
        why.contains("certificate") || why.contains("issuer"),
        "{why}"
    );
    // A file that is not there is named.
    let e = SharedCache::from_settings(&settings(Some(d.join("missing.pem"))))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.pem"), "{e}");
    let _ = child.kill();
    let _ = child.wait();
}

/// A pack of `n` distinct tones, `secs` long.
fn pack(dir: &Path, n: usize, secs: f64) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let x = crate::util::sine(110.0 * (1.0 + i as f64 / 7.0), 0.5, 44_100, secs);
        crate::util::write_mono(&dir.join(format!("tone_{i:02}.wav")), &x, 44_100);
    }
}

/// Two machines that meet the same new pack at the same moment decode each sound once
/// between them: what one claimed, the other takes from Redis at the end of its scan.
#[test]
fn two_machines_scanning_one_new_pack_at_once_decode_each_sound_once() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let folder = home.path().join("pack");
    pack(&folder, 40, 1.0);
    let start = std::sync::Barrier::new(2);
    let reports: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|m| {
                let (start, folder, url) = (&start, &folder, &server.url);
                let lib = samplemind::Library::open(&home.path().join(m)).unwrap();
                s.spawn(move || {
                    let mut opts = samplemind::library::ScanOptions::default();
                    opts.threads = 1;
                    opts.share = Some(analysis_share(url));
                    let stop = std::sync::atomic::AtomicBool::new(false);
                    start.wait();
                    samplemind::library::scan(
                        &lib,
                        std::slice::from_ref(folder),
                        &opts,
                        &stop,
                        &mut |_| {},
                    )
                    .unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for r in &reports {
        assert!(r.failures.is_empty(), "{:?}", r.failures);
        assert_eq!(r.analysed + r.shared, 40, "{r:?}");
    }
    let decoded: u64 = reports.iter().map(|r| r.analysed).sum();
    eprintln!(
        "decoded: a {}, b {}",
        reports[0].analysed, reports[1].analysed
    );
    assert_eq!(
        decoded, 40,
        "each sound decoded once between the two machines"
    );
}

/// A machine that claimed a sound and died: the claim expires and the scan analyses the
/// sound itself, neither hanging nor failing.
#[test]
fn a_sound_claimed_by_a_machine_that_died_is_analysed_when_the_claim_expires() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis(home.path()) else {
        return;
    };
    let folder = home.path().join("pack");
    pack(&folder, 3, 0.5);
    let share = analysis_share(&server.url);
    let fp = samplemind::analysis::AnalysisOptions::default().fingerprint();
    let k = samplemind::library::share::key(
        &samplemind::library::hash_file(&folder.join("tone_01.wav")).unwrap(),
        &fp,
    );
    assert!(share
        .try_lease(&k, Duration::from_millis(500))
        .unwrap()
        .is_some());
    let lib = samplemind::Library::open(&home.path().join("b")).unwrap();
    let started = Instant::now();
    let r = scan_with_share(&lib, &folder, Some(analysis_share(&server.url)));
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!((r.analysed, r.shared), (3, 0), "{r:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "it waited for the claim"
    );
}

/// A full server (`maxmemory` with `noeviction`) refuses writes but still serves what it
/// holds: the cache counts the refusals and keeps reading from it.
#[test]
fn a_full_server_refuses_new_answers_but_still_serves_the_old_ones() {
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis_with(
        home.path(),
        &["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"],
        "",
    ) else {
        return;
    };
    let (a, a_shared) = machine(&home.path().join("a"), &server.url);
    let (b, b_shared) = machine(&home.path().join("b"), &server.url);
    let first = key("the first question");
    a.put(&first, "ask", &answer("kept"), None).unwrap();
    // Fill the server until it refuses.
    let big = "x".repeat(64 << 10);
    for i in 0..200 {
        a.put(&key(&format!("filler {i}")), "ask", &answer(&big), None)
            .unwrap();
    }
    let h = a_shared.health();
    assert!(h.refused > 0 && h.up, "{h:?}");
    // The other machine still reads what the server holds, and the first machine still has
    // every answer it stored in its own cache.
    assert_eq!(b.get(&first).map(|r| r.text).as_deref(), Some("kept"));
    assert!(b_shared.health().up);
    assert!(a.get(&key("filler 199")).is_some());
}

/// A server that accepts and never answers (a hung Redis, a black-holed route): each call
/// waits one timeout, then the server is left alone for a while, and the cache answers
/// locally all along.
#[test]
fn a_server_that_never_answers_costs_one_timeout_then_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept and hold every connection, reading nothing.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let home = tempfile::tempdir().unwrap();
    let shared = Arc::new(
        SharedCache::new(
            &format!("redis://127.0.0.1:{port}/0"),
            Duration::from_millis(150),
        )
        .unwrap(),
    );
    let cache = AiCache::open(&home.path().join("a"), 1 << 20, Duration::from_secs(3600))
        .unwrap()
        .with_shared(shared.clone());
    let k = key("a hung server");
    let t = Instant::now();
    assert!(cache.get(&k).is_none());
    let first = t.elapsed();
    assert!(first < Duration::from_secs(1), "{first:?}");
    let t = Instant::now();
    cache.put(&k, "ask", &answer("local"), None).unwrap();
    assert_eq!(cache.get(&k).map(|r| r.text).as_deref(), Some("local"));
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
    let h = shared.health();
    assert!(!h.up && h.reason.is_some(), "{h:?}");
}

/// A server restarted under the cache (its connection dropped, its memory empty): one call
/// fails, and after the pause the cache uses the new server.
#[test]
fn a_restarted_server_is_used_again_after_the_pause() {
    let home = tempfile::tempdir().unwrap();
    let Some(mut server) = redis(home.path()) else {
        return;
    };
    let (a, shared) = machine(&home.path().join("a"), &server.url);
    a.put(&key("before"), "ask", &answer("1"), None).unwrap();
    assert!(shared.get(&key("before").0).unwrap().is_some());
    let port = server
        .url
        .trim_end_matches("/0")
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let _ = server.child.kill();
    let _ = server.child.wait();
    server.child = Command::new("redis-server")
        .args([
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The old connection is gone: the next call fails and rests the server.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        std::thread::sleep(samplemind::ai::shared::RETRY_AFTER + Duration::from_millis(100));
        if shared
            .put(&key("after").0, b"2", Duration::from_secs(60))
            .is_ok()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted server was never used"
        );
    }
    assert_eq!(
        shared.get(&key("after").0).unwrap().as_deref(),
        Some(&b"2"[..])
    );
    assert!(shared.health().up);
}

/// The text of a streamed answer.
async fn streamed(r: &samplemind::ai::Router, q: &ChatRequest) -> String {
    use futures_util::StreamExt;
    let mut s = r.chat_stream(q, &Default::default()).await.unwrap();
    let mut out = String::new();
    while let Some(ev) = s.next().await {
        if let samplemind::ai::StreamEvent::Delta(d) = ev.unwrap() {
            out.push_str(&d);
        }
    }
    out
}

/// Streamed answers too: of two processes streaming the same cold question, one streams
/// from upstream and the other replays its stored answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_streaming_the_same_cold_question_make_one_upstream_call() {
    let home = tempfile::tempdir().unwrap();
    let Some(redis) = redis(home.path()) else {
        return;
    };
    let server = slow_upstream(150).await;
    let a = process(&home.path().join("a"), &redis.url, &server);
    let b = process(&home.path().join("b"), &redis.url, &server);
    let q = ask("a streamed question");
    let (ta, tb) = tokio::join!(streamed(&a.0, &q), async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        streamed(&b.0, &q).await
    });
    assert_eq!(ta.trim(), crate::fake_ollama::ANSWER);
    assert_eq!(tb.trim(), crate::fake_ollama::ANSWER);
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(b.1.health().lease_answers, 1);
}

/// A studio Redis that wants a password no variable or URL gives: the one the OS keyring
/// holds (`ai key set shared-redis`) opens it, and it is printed nowhere.
#[test]
fn the_studio_password_comes_from_the_os_keyring_and_lands_nowhere_else() {
    const PASSWORD: &str = "keyring-studio-pass-51";
    let Some(ss) = crate::secret_service::SecretService::start() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let Some(server) = redis_with(
        home.path(),
        &["--requirepass", PASSWORD],
        &format!(":{PASSWORD}@"),
    ) else {
        return;
    };
    let url = server.url.replace(&format!(":{PASSWORD}@"), "");
    std::fs::write(
        home.path().join("config.toml"),
        format!("[ml]\nenabled = false\n[shared]\nredis = \"{url}\"\n"),
    )
    .unwrap();
    let shared = || {
        let out = ss
            .env(&mut crate::util::cli(home.path()))
            .env("SAMPLEMIND_LOG", "debug")
            .env_remove("SAMPLEMIND_REDIS_PASSWORD")
            .args(["health", "--json"])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(PASSWORD), "the password leaked: {all}");
        let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        h["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "shared")
            .cloned()
            .unwrap()
    };
    let before = shared();
    assert_eq!(before["status"], "down", "{before}");
    ss.store("shared-redis", PASSWORD);
    let after = shared();
    assert_eq!(after["status"], "ok", "{after}");
    assert_eq!(after["details"]["up"], true, "{after}");
}
