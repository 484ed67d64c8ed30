//! A real Secret Service for the keyring tests: a private D-Bus session bus and an unlocked
//! gnome-keyring-daemon, their files in a temporary folder, killed on drop. The tests never
//! touch the keyring of the person running them.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bus and the keyring daemon.
pub struct SecretService {
    bus: Child,
    keyring: Option<Child>,
    _dir: tempfile::TempDir,
    /// `DBUS_SESSION_BUS_ADDRESS` of the private bus.
    pub address: String,
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn installed(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (install it in .ci/run)"
        );
        eprintln!("skipped: {tool} not installed");
    }
    ok
}

impl SecretService {
    /// Start both, or `None` outside CI when they are not installed.
    pub fn start() -> Option<SecretService> {
        if ![
            "dbus-daemon",
            "gnome-keyring-daemon",
            "secret-tool",
            "dbus-send",
        ]
        .iter()
        .all(|t| installed(t))
        {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts");
        let mut service = SecretService {
            bus,
            keyring: None,
            _dir: dir,
            address,
        };
        wait_for("the session bus", || socket.exists());
        let home = service._dir.path().to_path_buf();
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        set_private(&runtime);
        // --unlock reads the login keyring's password on stdin (and creates the keyring).
        let mut keyring = service
            .env(&mut Command::new("gnome-keyring-daemon"))
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts");
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"test-login-password").unwrap();
        drop(stdin);
        service.keyring = Some(keyring);
        wait_for("gnome-keyring on the bus", || service.secrets_owned());
        // The name is taken before the login keyring exists: wait for the default collection.
        wait_for("the login keyring", || service.default_collection());
        Some(service)
    }

    /// `cmd` with the private bus as its session bus.
    pub fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }

    /// What `dbus-send` prints for `method(arg)` on `dest`'s object `path`.
    fn call(&self, dest: &str, path: &str, method: &str, arg: &str) -> String {
        self.env(&mut Command::new("dbus-send"))
            .args(["--session", "--print-reply"])
            .arg(format!("--dest={dest}"))
            .args([path, method, arg])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default()
    }

    fn secrets_owned(&self) -> bool {
        self.call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        )
        .contains("boolean true")
    }

    fn default_collection(&self) -> bool {
        self.call(
            "org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        )
        .contains("/collection/")
    }

    /// The key stored for SampleMind provider `provider`, read by libsecret's `secret-tool`
    /// (a reader independent of the code under test).
    pub fn lookup(&self, provider: &str) -> Option<String> {
        let out = self
            .env(&mut Command::new("secret-tool"))
            .args(["lookup", "service", "samplemind", "username", provider])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).to_string())
    }

    /// Store `key` for `provider` with `secret-tool`.
    pub fn store(&self, provider: &str, key: &str) {
        let out = crate::util::with_stdin(
            self.env(&mut Command::new("secret-tool"))
                .args(["store", "--label=SampleMind test key"])
                .args(["service", "samplemind", "username", provider]),
            key,
        );
        assert!(out.status.success(), "secret-tool store failed");
    }
}

fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}

fn wait_for(what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}
