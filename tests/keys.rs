//! API keys in the OS keyring: `ai key set|delete|status` against a real Secret Service
//! (gnome-keyring on a private D-Bus bus), and a key from the keyring opening a real
//! llama-server that demands one.

use std::path::Path;

use crate::llm::{assert_nowhere_in, LlamaServer};
use crate::secret_service::SecretService;
use crate::util::{cli, run_ok, with_stdin};

const KEY: &str = "sk-keyring-test-9f8e7d6c5b4a";

fn write_config(home: &Path, url: &str, extra: &str) {
    std::fs::write(
        home.join("config.toml"),
        format!(
            "[ai]\ncloud = true\n\
             [[ai.providers]]\nname = \"local\"\nkind = \"ollama\"\nurl = \"http://127.0.0.1:9\"\nmodel = \"m\"\n\
             [[ai.providers]]\nname = \"cloudy\"\nkind = \"openai\"\nurl = \"{url}\"\nmodel = \"smollm2:135m\"\ncloud = true\n{extra}"
        ),
    )
    .unwrap();
}

fn status(ss: &SecretService, home: &Path) -> serde_json::Value {
    let out = run_ok(
        ss.env(&mut cli(home))
            .args(["ai", "key", "status", "--json"]),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(KEY), "status printed the key");
    serde_json::from_str(&text).unwrap()
}

fn source_of<'a>(all: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["provider"] == name)
        .unwrap()
}

#[test]
fn ai_key_stores_in_the_os_keyring_reports_where_keys_come_from_and_deletes() {
    let Some(ss) = SecretService::start() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "http://127.0.0.1:9",
        "api_key_env = \"SM_CLOUDY_KEY\"\n",
    );

    let before = status(&ss, home.path());
    assert_eq!(source_of(&before, "cloudy")["source"]["from"], "none");
    assert_eq!(source_of(&before, "local")["source"]["from"], "none");

    let set = with_stdin(
        ss.env(&mut cli(home.path()))
            .args(["ai", "key", "set", "cloudy"]),
        &format!("{KEY}\n"),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    // libsecret's own client finds it where SampleMind put it.
    assert_eq!(ss.lookup("cloudy").as_deref(), Some(KEY));
    let stored = status(&ss, home.path());
    assert_eq!(source_of(&stored, "cloudy")["source"]["from"], "keyring");
    assert!(source_of(&stored, "cloudy")["keyring_error"].is_null());

    // The environment variable the config names wins over the keyring.
    let out = run_ok(
        ss.env(&mut cli(home.path()))
            .env("SM_CLOUDY_KEY", "sk-from-env")
            .args(["ai", "key", "status", "--json"]),
    );
    let env: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        source_of(&env, "cloudy")["source"],
        serde_json::json!({"from": "environment", "name": "SM_CLOUDY_KEY"})
    );

    // A typo is refused, naming the providers there are.
    let typo = with_stdin(
        ss.env(&mut cli(home.path()))
            .args(["ai", "key", "set", "clody"]),
        "sk-x\n",
    );
    assert!(!typo.status.success());
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(err.contains("\"clody\"") && err.contains("cloudy"), "{err}");

    run_ok(
        ss.env(&mut cli(home.path()))
            .args(["ai", "key", "delete", "cloudy"]),
    );
    assert_eq!(ss.lookup("cloudy"), None);
    assert_eq!(
        source_of(&status(&ss, home.path()), "cloudy")["source"]["from"],
        "none"
    );
}

#[test]
fn without_a_keyring_service_storing_a_key_fails_clearly() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "http://127.0.0.1:9", "");
    let dead = tempfile::tempdir().unwrap();
    let no_bus = format!("unix:path={}", dead.path().join("no-bus").display());
    let out = with_stdin(
        cli(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &no_bus)
            .args(["ai", "key", "set", "cloudy"]),
        &format!("{KEY}\n"),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cloudy") && err.contains("OS keyring") && !err.contains(KEY),
        "{err}"
    );
    // Status still answers, with the reason, and the key is not in the library's home.
    let st = run_ok(
        cli(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &no_bus)
            .args(["ai", "key", "status", "--json"]),
    );
    let all: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    let cloudy = source_of(&all, "cloudy");
    assert_eq!(cloudy["source"]["from"], "none");
    assert!(
        cloudy["keyring_error"]
            .as_str()
            .is_some_and(|e| e.contains("OS keyring")),
        "{cloudy}"
    );
}

#[test]
fn a_key_from_the_keyring_opens_a_server_that_demands_one_and_lands_nowhere_else() {
    let Some(ss) = SecretService::start() else {
        return;
    };
    let Some(server) = LlamaServer::start_with(&["--api-key", KEY]) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &server.url, "");
    let ask = |extra: &[&str]| {
        ss.env(&mut cli(home.path()))
            .env("SAMPLEMIND_LOG", "debug")
            .args([
                "ai",
                "ask",
                "--json",
                "--max-tokens",
                "8",
                "--provider",
                "cloudy",
            ])
            .args(extra)
            .arg("Name one drum.")
            .output()
            .unwrap()
    };
    // No key yet: the server turns the request away, and the error says who.
    let refused = ask(&[]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("cloudy") && err.contains("401"), "{err}");

    // Stored by libsecret's client, read by SampleMind from the keyring.
    ss.store("cloudy", KEY);
    let answered = ask(&[]);
    let stderr = String::from_utf8_lossy(&answered.stderr).to_string();
    assert!(answered.status.success(), "{stderr}");
    assert!(!stderr.contains(KEY), "the key leaked into the logs");
    let a: serde_json::Value = serde_json::from_slice(&answered.stdout).unwrap();
    assert_eq!(a["provider"], "cloudy");
    assert!(!a["text"].as_str().unwrap().trim().is_empty());
    assert_nowhere_in(home.path(), KEY);

    // With cloud use off, a cloud provider's key is not even asked for.
    std::fs::write(
        home.path().join("config.toml"),
        std::fs::read_to_string(home.path().join("config.toml"))
            .unwrap()
            .replace("cloud = true\n[[", "cloud = false\n[["),
    )
    .unwrap();
    let off = ask(&["--no-cache"]);
    assert!(!off.status.success());
    let err = String::from_utf8_lossy(&off.stderr);
    assert!(err.contains("cloud use is off"), "{err}");
}
