//! The desktop app end to end, in a real window: the app built with its UI embedded
//! (`cargo build -p samplemind-app --features custom-protocol`, after `npm --prefix ui run
//! build`), under Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver), with a real
//! XDND drop from another X client (a GTK drag source moved by xdotool), and audition heard on
//! a PulseAudio null sink's monitor. Screenshots go to `target/screenshots/`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::audio::{capture_while, start_pulse};
use crate::llm::assert_nowhere_in;
use crate::secret_service::SecretService;
use crate::util::*;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Everything the test needs, or why not. In CI a missing piece fails the test.
fn prerequisites() -> Option<(PathBuf, PathBuf)> {
    // SAMPLEMIND_APP_BIN measures another build (the release one for BENCHMARKS.md).
    let app = std::env::var_os("SAMPLEMIND_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/debug/samplemind-app"));
    let driver = root().join(".tools/bin/tauri-driver");
    let mut missing = Vec::new();
    if !app.exists() {
        missing.push("target/debug/samplemind-app (cargo build -p samplemind-app --features custom-protocol)".to_string());
    }
    if !driver.exists() {
        missing.push(
            ".tools/bin/tauri-driver (cargo install tauri-driver --locked --root .tools)".into(),
        );
    }
    for tool in ["Xvfb", "xdotool", "WebKitWebDriver", "pulseaudio"] {
        if !on_path(tool) {
            missing.push(tool.into());
        }
    }
    if missing.is_empty() {
        return Some((app, driver));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the GUI test needs {missing:?} (.ci/run installs them)"
    );
    eprintln!("skipped: missing {missing:?}");
    None
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb server; on drop it is killed and its socket and lock file removed (a killed
/// Xvfb leaves them behind, and they would use up the display numbers of later runs).
struct Xvfb {
    proc: Proc,
    n: u32,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.proc.0.kill();
        let _ = self.proc.0.wait();
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.n));
        let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.n));
    }
}

/// Whether display `n` is taken by a live server (a lock file naming a running process).
fn display_taken(n: u32) -> bool {
    let lock = format!("/tmp/.X{n}-lock");
    match std::fs::read_to_string(&lock) {
        Ok(pid) => {
            let alive = Path::new(&format!("/proc/{}", pid.trim())).exists();
            if !alive {
                // Left by a server that was killed: free the number again.
                let _ = std::fs::remove_file(&lock);
                let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
            }
            alive
        }
        Err(_) => Path::new(&format!("/tmp/.X11-unix/X{n}")).exists(),
    }
}

/// Xvfb on a free display number.
fn start_xvfb() -> (Xvfb, String) {
    for n in 90..400 {
        if display_taken(n) {
            continue;
        }
        let proc = Proc(
            Command::new("Xvfb")
                .args([
                    &format!(":{n}"),
                    "-screen",
                    "0",
                    "1920x1080x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb"),
        );
        let x = Xvfb { proc, n };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (x, format!(":{n}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("Xvfb did not start");
}

/// tauri-driver on `port`, for an app on `display` with its home in `home`, and `bus` as
/// its D-Bus session bus (for the OS keyring) when given.
fn start_driver(bin: &Path, port: u16, display: &str, home: &Path, bus: Option<&str>) -> Proc {
    let mut cmd = Command::new(bin);
    match bus {
        // GTK's accessibility bridge would look for its own bus on this one: not needed here.
        Some(address) => cmd
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .env("NO_AT_BRIDGE", "1"),
        None => cmd.env_remove("DBUS_SESSION_BUS_ADDRESS"),
    };
    Proc(
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &free_port().to_string(),
        ])
        .env("DISPLAY", display)
        .env("SAMPLEMIND_HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver"),
    )
}

/// A WebDriver session on the app.
struct Session {
    http: reqwest::blocking::Client,
    base: String,
    /// The X display the app runs on, for screenshots.
    display: String,
}

impl Session {
    fn start(driver_port: u16, app: &Path, display: &str) -> Self {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let url = format!("http://127.0.0.1:{driver_port}");
        let t = Instant::now();
        while http.get(format!("{url}/status")).send().is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "tauri-driver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "tauri:options": {"application": app.display().to_string()}
        }}});
        let r: Value = http
            .post(format!("{url}/session"))
            .json(&caps)
            .send()
            .and_then(|r| r.json())
            .expect("new session");
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        Self {
            http,
            base: format!("{url}/session/{id}"),
            display: display.to_string(),
        }
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let r: Value = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        if r["value"]["error"].is_string() {
            panic!("POST {path}: {}", r["value"]);
        }
        r["value"].clone()
    }

    /// Run `script` in the page (arguments as `arguments[i]`).
    fn js(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
    }

    fn text(&self, css: &str) -> Option<String> {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;",
            json!([css]),
        )
        .as_str()
        .map(str::to_string)
    }

    /// Wait until `css` matches an element whose text satisfies `ok`.
    fn wait_text(&self, css: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            if let Some(s) = self.text(css).filter(|s| ok(s)) {
                return s;
            }
            assert!(
                t.elapsed() < timeout,
                "{css}: still {:?} after {timeout:?}",
                self.text(css)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn element(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v[ELEMENT].as_str().expect("element id").to_string()
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/click"), json!({}));
    }

    fn type_text(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/clear"), json!({}));
        self.post(&format!("/element/{e}/value"), json!({ "text": text }));
    }

    /// Save the screen as `target/screenshots/{name}.png`, from the X server (WebDriver's
    /// screenshot never answers with compositing off: see tests/gui/screenshot.py).
    fn screenshot(&self, name: &str) {
        let dir = root().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&out);
        let status = Command::new("/usr/bin/python3")
            .arg(root().join("tests/gui/screenshot.py"))
            .arg(&out)
            .env("DISPLAY", &self.display)
            .status()
            .expect("/usr/bin/python3");
        assert!(status.success(), "screenshot {name}: {status}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Delete the session before tauri-driver stops, or the app is left running.
        let _ = self.http.delete(&self.base).send();
    }
}

/// Test samples: a kick, a hat, a drum loop at 120 BPM, and a file that is not audio.
fn samples(dir: &Path) -> Vec<PathBuf> {
    let rate = 44_100;
    let kick: Vec<f32> = (0..rate / 2)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let f = 50.0 + 100.0 * (-t * 30.0).exp();
            ((2.0 * std::f64::consts::PI * f * t).sin() * (-t * 8.0).exp() * 0.9) as f32
        })
        .collect();
    let mut seed = 7u64;
    let mut noise = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as f64 / (1u64 << 31) as f64 * 2.0 - 1.0) as f32
    };
    let hat: Vec<f32> = (0..rate / 8)
        .map(|i| noise() * 0.5 * (-(i as f32) / 800.0).exp())
        .collect();
    let beat = rate / 2; // 120 BPM
    let mut loop_ = vec![0.0f32; beat * 8];
    for b in 0..8 {
        for (i, k) in kick.iter().take(beat / 2).enumerate() {
            loop_[b * beat + i] += if b % 2 == 0 {
                *k
            } else {
                k * 0.3 + noise() * 0.2
            };
        }
    }
    let paths = vec![
        dir.join("Kick Deep.wav"),
        dir.join("Hat Closed.wav"),
        dir.join("Drum Loop.wav"),
        dir.join("broken.wav"),
    ];
    write_mono(&paths[0], &kick, rate as u32);
    write_mono(&paths[1], &hat, rate as u32);
    write_mono(&paths[2], &loop_, rate as u32);
    std::fs::write(&paths[3], b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
    paths
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let o = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Drag from the GTK source at (sx, sy) to (tx, ty) in small steps, as a hand would: GTK
/// starts a drag only after motion past its threshold, and XDND needs motion over the target.
fn drag(display: &str, (sx, sy): (i32, i32), (tx, ty): (i32, i32)) {
    let mv = |x: i32, y: i32| {
        xdotool(
            display,
            &["mousemove", "--sync", &x.to_string(), &y.to_string()],
        );
        std::thread::sleep(Duration::from_millis(30));
    };
    mv(sx, sy);
    xdotool(display, &["mousedown", "1"]);
    for i in 1..=40 {
        mv(sx + (tx - sx) * i / 40, sy + (ty - sy) * i / 40);
    }
    for d in 0..6 {
        mv(tx + d, ty + d);
    }
    std::thread::sleep(Duration::from_millis(200));
    xdotool(display, &["mouseup", "1"]);
}

fn count(s: &Session) -> u64 {
    s.text("[data-testid=count]")
        .and_then(|t| t.split_whitespace().next().map(|n| n.replace(',', "")))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_app_analyses_dropped_samples_searches_filters_and_auditions() {
    let Some((app, driver_bin)) = prerequisites() else {
        return;
    };
    let Some(_pulse) = start_pulse() else { return };
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    // The studio's Redis: the Health panel shows it.
    let redis = crate::shared::redis(home.path());
    let shared = redis
        .as_ref()
        .map(|r| format!("[shared]\nredis = \"{}\"\n", r.url))
        .unwrap_or_default();
    // DSP analysis only: this test is about the window, and the models have their own. A
    // cloud provider takes its key from the settings panel into a real Secret Service.
    std::fs::write(
        home.path().join("config.toml"),
        format!("[ml]\nenabled = false\n[ai]\n\
         [[ai.providers]]\nname = \"ollama\"\nkind = \"ollama\"\nurl = \"http://127.0.0.1:11434\"\nmodel = \"llama3.2:3b\"\n\
         [[ai.providers]]\nname = \"cloudy\"\nkind = \"openai\"\nurl = \"http://127.0.0.1:9\"\nmodel = \"m\"\ncloud = true\n{shared}"),
    )
    .unwrap();
    let Some(secrets) = SecretService::start() else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let paths = samples(files.path());

    let port = free_port();
    let _driver = start_driver(
        &driver_bin,
        port,
        &display,
        home.path(),
        Some(&secrets.address),
    );
    let t0 = Instant::now();
    let s = Session::start(port, &app, &display);
    s.wait_text("[data-testid=count]", Duration::from_secs(30), |t| {
        t.ends_with("samples")
    });
    eprintln!(
        "figure: cold start to an interactive window {:.0} ms (WebDriver session included)",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(count(&s), 0);
    s.screenshot("e2e-empty");

    // A real drop from another X client.
    let mut source = Proc(
        Command::new("/usr/bin/python3")
            .arg(root().join("tests/gui/drag_source.py"))
            .args(&paths)
            .env("DISPLAY", &display)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("drag source"),
    );
    let mut line = String::new();
    BufReader::new(source.0.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    std::thread::sleep(Duration::from_millis(500));
    let win = xdotool(
        &display,
        &["search", "--sync", "--name", "samplemind-drag-source"],
    );
    let win = win.lines().last().unwrap_or_default().to_string();
    let geo = xdotool(&display, &["getwindowgeometry", "--shell", &win]);
    let field = |k: &str| -> i32 {
        geo.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let src = (
        field("X") + field("WIDTH") / 2,
        field("Y") + field("HEIGHT") / 2,
    );
    drag(&display, src, (500, 400));
    s.wait_text("[data-testid=failures]", Duration::from_secs(60), |t| {
        t == "1 failed"
    });
    s.wait_text("[data-testid=status]", Duration::from_secs(60), |t| {
        t.starts_with("scan:")
    });
    // The status comes with the scan's end; the table reloads after it.
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "3 samples"
    });
    assert_eq!(count(&s), 3, "the three good files are in the library");
    s.screenshot("e2e-library");

    // Every dropped file shows analysed: the loop has a tempo near 120, the kick a category.
    let rows = s.js(
        "return [...document.querySelectorAll('.row[data-id]')].map(r => [...r.querySelectorAll('.c:not(.mark)')].map(c => c.textContent.trim()))",
        json!([]),
    );
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).unwrap();
    eprintln!("rows: {rows:?}");
    let loop_row = rows
        .iter()
        .find(|r| r[0] == "Drum Loop.wav")
        .expect("loop row");
    let bpm: f32 = loop_row[2].parse().expect("the loop has a tempo");
    assert!(
        (bpm - 120.0).abs() < 1.0 || (bpm - 60.0).abs() < 1.0 || (bpm - 240.0).abs() < 2.0,
        "loop tempo {bpm}"
    );

    // Drag out: a row dragged from the table onto another X client's window (what a file
    // manager or a DAW is) arrives there as the sample's file:// URI.
    drag_out_reaches_another_app(&s, &display, "Kick Deep.wav");
    assert!(loop_row[1].contains("loop"), "{loop_row:?}");

    // Words, then a filter chip.
    s.type_text("#search", "kick\u{E007}");
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "1 samples"
    });
    s.click("button.clear");
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "3 samples"
    });
    s.click(".filters button:first-child");
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "1 samples"
    });
    s.screenshot("e2e-filtered");
    s.click("button.clear");
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "3 samples"
    });

    // Audition: a click plays the kick through the audio server.
    let kick_id = s
        .js(
            "const r = [...document.querySelectorAll('.row[data-id]')].find(r => r.textContent.includes('Kick Deep')); return r && r.dataset.id;",
            json!([]),
        )
        .as_str()
        .expect("kick row")
        .to_string();
    let mut clicked = None;
    listen_for_the_click(&s);
    let take = capture_while(2.0, false, || {
        clicked = Some((Instant::now(), SystemTime::now()));
        s.click(&format!(".row[data-id='{kick_id}']"));
    });
    let peak = take.peak_db;
    eprintln!("audition captured peak {peak:.1} dBFS");
    assert!(
        peak > -12.0,
        "the kick was not heard on the sink (peak {peak:.1} dBFS)"
    );
    if let (Some(c), Some(heard)) = (clicked, take.first_sound_at) {
        eprintln!(
            "figure: click to sound {:.0} ms (WebDriver click, IPC, decode, PulseAudio, capture); \
             from the page's click event {}",
            heard.saturating_duration_since(c.0).as_secs_f64() * 1000.0,
            from_the_page(&s, c, heard)
        );
    }
    let _ = std::fs::remove_file(&take.path);
    // The app's own share: the time to open the sound and the command's round trip.
    let played = s.wait_text("[data-testid=status]", Duration::from_secs(5), |t| {
        t.starts_with("playing Kick Deep")
    });
    eprintln!("figure: the app's status after the click: {played}");
    s.wait_text("[data-testid=detail] h3", Duration::from_secs(5), |t| {
        t == "Kick Deep.wav"
    });
    s.wait_text("[data-testid=waveform]", Duration::from_secs(10), |_| true);
    s.screenshot("e2e-detail");

    // In sync: a 128 BPM project (the top bar's tempo, then S), and the 120 BPM drum loop
    // plays stretched to its two bars at 128 through the real backend and the audio server.
    s.js(
        "const i = document.querySelector('input[aria-label=\"Project tempo\"]'); i.value = '128'; i.dispatchEvent(new Event('change', {bubbles: true})); i.blur();",
        json!([]),
    );
    s.js(
        "setTimeout(() => window.dispatchEvent(new KeyboardEvent('keydown', {key: 's'})), 300);",
        json!([]),
    );
    s.wait_text(
        "[data-testid=project] button.on",
        Duration::from_secs(10),
        |t| t == "Sync",
    );
    // Turning sync on plays the selected sound again, as a DAW's change would: stop it, so
    // that the capture below hears only the loop.
    s.js(
        "window.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
        json!([]),
    );
    std::thread::sleep(Duration::from_millis(700));
    let loop_id = s
        .js(
            "const r = [...document.querySelectorAll('.row[data-id]')].find(r => r.textContent.includes('Drum Loop')); return r && r.dataset.id;",
            json!([]),
        )
        .as_str()
        .expect("loop row")
        .to_string();
    let mut clicked = None;
    listen_for_the_click(&s);
    let take = capture_while(3.0, false, || {
        clicked = Some((Instant::now(), SystemTime::now()));
        s.click(&format!(".row[data-id='{loop_id}']"));
    });
    assert!(take.peak_db > -12.0, "the synced loop was not heard");
    if let (Some(c), Some(heard)) = (clicked, take.first_sound_at) {
        eprintln!(
            "figure: click to sound in sync {:.0} ms (WebDriver click, IPC, decode, stretch, \
             PulseAudio, capture); from the page's click event {}",
            heard.saturating_duration_since(c.0).as_secs_f64() * 1000.0,
            from_the_page(&s, c, heard)
        );
    }
    let _ = std::fs::remove_file(&take.path);
    s.wait_text("[data-testid=status]", Duration::from_secs(10), |t| {
        t.contains("in sync: 2 bars at 128 BPM")
    });
    s.js(
        "window.dispatchEvent(new KeyboardEvent('keydown', {key: 's'}));",
        json!([]),
    );
    s.wait_text(
        "[data-testid=project] button:not(.on)",
        Duration::from_secs(10),
        |t| t == "Sync",
    );
    s.click(&format!(".row[data-id='{kick_id}']"));

    // F stars the selected row through the real backend; the ★ filter then lists it alone.
    s.js(
        "window.dispatchEvent(new KeyboardEvent('keydown', {key: 'f'}));",
        json!([]),
    );
    s.wait_text(
        &format!(".row[data-id='{kick_id}'] .star.on"),
        Duration::from_secs(10),
        |t| t == "★",
    );
    s.click("button[aria-label='Favourites only']");
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "1 samples"
    });
    s.click("button.clear");
    s.wait_text("[data-testid=count]", Duration::from_secs(10), |t| {
        t == "3 samples"
    });

    // The dropped files' folder is watched: a file copied into it shows in the table
    // within seconds, with no drop and no rescan.
    let copied = Instant::now();
    std::fs::copy(&paths[0], files.path().join("Kick Again.wav")).unwrap();
    s.wait_text("[data-testid=count]", Duration::from_secs(15), |t| {
        t == "4 samples"
    });
    eprintln!(
        "figure: a file copied into a watched folder listed {:.1} s later",
        copied.elapsed().as_secs_f64()
    );
    s.wait_text("[data-testid=status]", Duration::from_secs(5), |t| {
        t.starts_with("watched folders:")
    });
    std::fs::remove_file(files.path().join("Kick Again.wav")).unwrap();
    s.wait_text("[data-testid=count]", Duration::from_secs(15), |t| {
        t == "3 samples"
    });

    // Health panel through the real backend.
    s.click("nav button:nth-child(3)");
    s.wait_text(
        "[data-testid=health-status]",
        Duration::from_secs(10),
        |t| !t.is_empty(),
    );
    // The app holds the audition engine: its state and threads are in the report (the
    // kick played above has finished or been replaced, so the engine is not stopped).
    let engine = s.wait_text(
        "[data-testid=health-note-audio]",
        Duration::from_secs(10),
        |t| t.starts_with("engine "),
    );
    assert!(
        !engine.contains("stopped") && engine.contains("threads running"),
        "{engine}"
    );
    if redis.is_some() {
        let note = s.wait_text(
            "[data-testid=health-note-shared]",
            Duration::from_secs(10),
            |t| t.starts_with("redis 127.0.0.1"),
        );
        assert!(note.contains("lease waits"), "{note}");
    }
    s.screenshot("e2e-health");
    s.js(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})); window.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
        json!([]),
    );

    // The local HTTP API, started from the settings, serves the same library.
    s.click("nav button:nth-child(4)");
    s.wait_text("[role=dialog] h2", Duration::from_secs(10), |t| {
        t == "Settings"
    });
    // The panel's fields come with the settings, after the keyring has been asked.
    s.wait_text(
        "[data-testid=key-source-cloudy]",
        Duration::from_secs(10),
        |t| !t.is_empty(),
    );
    s.type_text("[role=dialog] input[type=number][max='65535']", "0");
    let start = s
        .js(
            "const b = [...document.querySelectorAll('[role=dialog] button')].find(b => b.textContent.includes('Start the API')); b.click(); return !!b;",
            json!([]),
        );
    assert_eq!(start, json!(true));
    let status = s.wait_text("[data-testid=api-status] b", Duration::from_secs(10), |t| {
        t.starts_with("http://127.0.0.1:")
    });
    // An API key typed in the panel lands in the OS keyring, and only there.
    let key = "sk-gui-keyring-test-31415";
    s.wait_text(
        "[data-testid=key-source-cloudy]",
        Duration::from_secs(10),
        |t| t == "no key",
    );
    s.type_text("input[aria-label='API key for cloudy']", key);
    let stored = s.js(
        "const b = [...document.querySelectorAll('[data-testid=key-cloudy] button')].find(b => b.textContent.includes('Store in keyring')); b.click(); return !!b;",
        json!([]),
    );
    assert_eq!(stored, json!(true));
    s.wait_text(
        "[data-testid=key-source-cloudy]",
        Duration::from_secs(10),
        |t| t == "key in the OS keyring",
    );
    assert_eq!(secrets.lookup("cloudy").as_deref(), Some(key));
    assert_eq!(
        s.js(
            "return document.querySelector(\"input[aria-label='API key for cloudy']\").value;",
            json!([])
        ),
        json!(""),
        "the page forgets a stored key"
    );
    s.screenshot("e2e-settings");
    let token = std::fs::read_to_string(home.path().join("api-token")).unwrap();
    let page: Value = reqwest::blocking::Client::new()
        .get(format!("{status}/api/v1/samples"))
        .bearer_auth(token.trim())
        .send()
        .and_then(|r| r.json())
        .expect("the API answers");
    assert_eq!(page["total"], 3, "{page}");
    assert_nowhere_in(home.path(), key);
    drop(source);
}

/// Drag the row named `name` from the app's table onto a GTK drop target and check the URI
/// that arrives is the sample's file.
/// Note, in the page, when its next click event arrives (the wall clock, which the test
/// shares with the app): WebDriver's own dispatch of a click takes 10-15 ms that no user's
/// click pays.
fn listen_for_the_click(s: &Session) {
    s.js(
        "window.__clickAt = null; document.addEventListener('click', () => { window.__clickAt = Date.now(); }, {capture: true, once: true});",
        json!([]),
    );
}

/// The time from the page's click event to the first sound captured, as text ("n/a" when
/// the page did not note the click).
fn from_the_page(s: &Session, clicked: (Instant, SystemTime), heard: Instant) -> String {
    let Some(page_ms) = s.js("return window.__clickAt;", json!([])).as_f64() else {
        return "n/a".into();
    };
    let sent_ms = clicked
        .1
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let heard_ms = sent_ms + heard.saturating_duration_since(clicked.0).as_secs_f64() * 1000.0;
    format!("{:.0} ms", heard_ms - page_ms)
}

fn drag_out_reaches_another_app(s: &Session, display: &str, name: &str) {
    let mut target = Proc(
        Command::new("/usr/bin/python3")
            .arg(root().join("tests/gui/drop_target.py"))
            .env("DISPLAY", display)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("drop target"),
    );
    let mut out = BufReader::new(target.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    std::thread::sleep(Duration::from_millis(500));
    let centre = |title: &str| -> (i32, i32, i32, i32) {
        let win = xdotool(display, &["search", "--sync", "--name", title]);
        let win = win.lines().last().unwrap_or_default().to_string();
        let geo = xdotool(display, &["getwindowgeometry", "--shell", &win]);
        let field = |k: &str| -> i32 {
            geo.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("X"), field("Y"), field("WIDTH"), field("HEIGHT"))
    };
    let (tx, ty, tw, th) = centre("samplemind-drop-target");
    let (ax, ay, _, _) = centre("^SampleMind$");
    // The row's centre in the page, then on the screen.
    let at = s.js(
        "const r = [...document.querySelectorAll('.row[data-id]')].find(r => r.querySelector('.c.name').textContent.trim() === arguments[0]).getBoundingClientRect(); return [r.left + 60, r.top + r.height / 2];",
        json!([name]),
    );
    let (px, py) = (
        at[0].as_f64().unwrap() as i32,
        at[1].as_f64().unwrap() as i32,
    );
    drag(display, (ax + px, ay + py), (tx + tw / 2, ty + th / 2));
    let (tx_lines, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            if tx_lines.send(l).is_err() {
                return;
            }
        }
    });
    let mut dropped = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while let Ok(l) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if l == "drop-end" {
            break;
        }
        if let Some(u) = l.strip_prefix("dropped ") {
            dropped.push(u.to_string());
        }
    }
    assert_eq!(dropped.len(), 1, "one URI arrives: {dropped:?}");
    assert!(
        dropped[0].starts_with("file:///")
            && dropped[0].ends_with(&format!("/{}", name.replace(' ', "%20"))),
        "{dropped:?}"
    );
    drop(target);
}

/// Proportional set size (shared pages split among their users), MiB, and the process name,
/// of every process started with `SAMPLEMIND_HOME=home`: the app and its WebKit processes.
fn memory_of(home: &Path) -> Vec<(String, f64)> {
    let needle = format!("SAMPLEMIND_HOME={}", home.display());
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = e.path();
        let Ok(env) = std::fs::read(dir.join("environ")) else {
            continue;
        };
        if !env.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
            continue;
        }
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        let name = name.trim();
        if name == "tauri-driver" || name == "WebKitWebDriver" {
            continue;
        }
        let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).unwrap_or_default();
        let kb = |field: &str| -> f64 {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0.0)
        };
        // Heap and stacks apart from mapped files (the WebKit and GTK libraries are shared
        // between the app and its web process, and PSS splits them).
        eprintln!(
            "memory of {name}: PSS {:.0} MiB = anonymous {:.0} + files {:.0} + shared memory {:.0}",
            kb("Pss:") / 1024.0,
            kb("Pss_Anon:") / 1024.0,
            kb("Pss_File:") / 1024.0,
            kb("Pss_Shmem:") / 1024.0
        );
        out.push((name.to_string(), kb("Pss:") / 1024.0));
    }
    out
}

#[test]
fn figures_of_the_app_over_a_10000_sample_library() {
    let Some((app, driver_bin)) = prerequisites() else {
        return;
    };
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "[ml]\nenabled = false\n").unwrap();
    samplemind_bench::search::synthetic_library(&home.path().join("library"), 10_000).unwrap();
    let port = free_port();
    let _driver = start_driver(&driver_bin, port, &display, home.path(), None);
    let t0 = Instant::now();
    let s = Session::start(port, &app, &display);
    s.wait_text("[data-testid=count]", Duration::from_secs(60), |t| {
        t == "10,000 samples"
    });
    eprintln!(
        "figure: cold start to a window listing 10,000 samples {:.0} ms (WebDriver session included)",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    // Scrolling through the real backend (pages over IPC), against the same window idle.
    let measure = |scroll: bool| -> Value {
        s.js(
            "const scroll = arguments[0];
             const vp = document.querySelector('[data-testid=table-viewport]');
             return new Promise((done) => {
               const frames = []; let last = performance.now(); const end = last + 3000;
               const step = vp.scrollHeight / 180;
               const tick = (t) => {
                 frames.push(t - last); last = t;
                 if (scroll) vp.scrollTop += step;
                 if (t < end) requestAnimationFrame(tick); else {
                   frames.sort((a, b) => a - b);
                   const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))];
                   done({ n: frames.length, p50: q(0.5), p95: q(0.95), max: frames[frames.length - 1] });
                 }
               };
               requestAnimationFrame(tick);
             });",
            json!([scroll]),
        )
    };
    std::thread::sleep(Duration::from_secs(3));
    let before: f64 = memory_of(home.path()).iter().map(|(_, m)| m).sum();
    eprintln!("figure: idle memory (PSS) with 10,000 samples before scrolling: {before:.0} MiB");
    let idle = measure(false);
    let scrolled = measure(true);
    // What scrolling leaves is garbage until the web process's JavaScript collector runs,
    // whose timing varies: two more passes give the spread beside the figure below.
    let mut after_passes = Vec::new();
    for _ in 0..2 {
        s.js(
            "document.querySelector('[data-testid=table-viewport]').scrollTop = 0;",
            json!([]),
        );
        let _ = measure(true);
        std::thread::sleep(Duration::from_secs(2));
        after_passes.push(memory_of(home.path()).iter().map(|(_, m)| m).sum::<f64>());
    }
    eprintln!(
        "figure: memory (PSS) after each of two more scrolling passes: {after_passes:.0?} MiB"
    );
    eprintln!("figure: frames idle {idle} / scrolling 10,000 rows through IPC {scrolled}");
    s.js(
        "const vp = document.querySelector('[data-testid=table-viewport]'); vp.scrollTop = vp.scrollHeight;",
        json!([]),
    );
    s.wait_text(
        ".row[aria-rowindex='10000'] .name",
        Duration::from_secs(10),
        |t| t.ends_with(".wav"),
    );
    std::thread::sleep(Duration::from_secs(3));
    let mem = memory_of(home.path());
    let total: f64 = mem.iter().map(|(_, m)| m).sum();
    eprintln!("figure: idle memory (PSS) with 10,000 samples: {total:.0} MiB in all: {mem:?}");
    assert!(
        mem.iter().any(|(n, _)| n.starts_with("samplemind")),
        "{mem:?}"
    );
    s.screenshot("e2e-10k");
}

/// A library damaged on every page of its log: the app does not refuse to start (which, from
/// a dock, says nothing at all) but repairs it (the damaged store kept aside) and fills the
/// table again from a rescan of the folders it held, with the usual progress.
#[test]
fn a_damaged_library_is_repaired_at_start_and_the_table_fills_again() {
    let Some((app, driver_bin)) = prerequisites() else {
        return;
    };
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "[ml]\nenabled = false\n").unwrap();
    let files = tempfile::tempdir().unwrap();
    let paths = samples(files.path());
    let out = cli(home.path())
        .args(["scan", "--no-models", "--table-rows", "0"])
        .arg(files.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the broken file fails, the rest is analysed"
    );
    let analysed = paths.len() as u64 - 1;
    let db = home.path().join("library/store/db");
    let mut b = std::fs::read(&db).unwrap();
    for i in (0..b.len()).step_by(997) {
        b[i] ^= 0xff;
    }
    std::fs::write(&db, b).unwrap();

    let port = free_port();
    let _driver = start_driver(&driver_bin, port, &display, home.path(), None);
    let s = Session::start(port, &app, &display);
    let want = format!("{analysed} samples");
    s.wait_text("[data-testid=count]", Duration::from_secs(60), |t| {
        t == want
    });
    let aside: Vec<_> = std::fs::read_dir(home.path().join("library"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("store.damaged-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the damaged store is kept aside");
}
