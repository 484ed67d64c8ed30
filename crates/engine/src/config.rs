//! Where things live on disk.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The `[ai]` section lives with the AI layer it configures.
pub use crate::ai::settings::{AiSettings, ProviderKind, ProviderSettings, SharedSettings};
/// The `[ml]` section lives with the models it configures.
pub use crate::ml::settings::{installed_ml_dir, MlSettings};
/// The `[project]` section lives with the sync it drives.
pub use crate::sync::Project;

/// Environment variable that moves the whole SampleMind home (library, config, caches).
pub const HOME_ENV: &str = "SAMPLEMIND_HOME";

/// The library directory: `explicit` if given, else `$SAMPLEMIND_HOME/library`, else the
/// platform data directory (`~/.local/share/samplemind/library` on Linux,
/// `~/Library/Application Support/org.samplemind.samplemind/library` on macOS,
/// `%APPDATA%\samplemind\samplemind\data\library` on Windows).
pub fn library_dir(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(p) = explicit {
        return p;
    }
    home_dir().join("library")
}

/// The source tree's root (where `scripts/`, `tools/` and `vendor/` are), for a developer's
/// `cargo run`; the engine's crates all sit at `crates/<name>`.
pub fn source_tree() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).unwrap_or(here).to_path_buf()
}

/// Where the AI answer cache lives: `$SAMPLEMIND_HOME/ai-cache`.
pub fn ai_cache_dir() -> PathBuf {
    home_dir().join("ai-cache")
}

/// Where the desktop app writes MIDI transcriptions for dragging out:
/// `$SAMPLEMIND_HOME/midi/<file stem>.mid` for the audio file `audio`.
pub fn midi_file_for(audio: &Path) -> PathBuf {
    let stem = audio
        .file_stem()
        .map_or_else(|| "take".into(), |s| s.to_string_lossy().into_owned());
    home_dir().join("midi").join(format!("{stem}.mid"))
}

/// A new file for a recorded take: `$SAMPLEMIND_HOME/recordings/take-<ms since 1970>.wav`
/// (the folder made when missing).
///
/// # Errors
/// The folder cannot be made; the message names it.
pub fn new_take_path() -> Result<PathBuf, String> {
    let dir = home_dir().join("recordings");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Ok(dir.join(format!("take-{stamp}.wav")))
}

/// The SampleMind home: `$SAMPLEMIND_HOME`, else the platform data directory, else
/// `./.samplemind` when the platform has no home directory at all.
pub fn home_dir() -> PathBuf {
    if let Some(h) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    directories::ProjectDirs::from("org", "samplemind", "samplemind")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".samplemind"))
}

/// Name of the config file in the SampleMind home.
pub const CONFIG_FILE: &str = "config.toml";

/// What `config.toml` can set. Every field has a default, so a missing file or section is
/// the embedded defaults.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The folders that make up the library.
    pub library: LibrarySettings,
    /// Audio devices.
    pub audio: AudioSettings,
    /// Local models.
    pub ml: MlSettings,
    /// Language models.
    pub ai: AiSettings,
    /// What the workstations of a studio share (a Redis server); nothing by default.
    pub shared: SharedSettings,
    /// The track being worked on: audition in its tempo and key.
    pub project: Project,
}

/// The `[library]` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LibrarySettings {
    /// Folders of the library: rescanned on request, and the only places the local HTTP
    /// API reads files from.
    pub folders: Vec<PathBuf>,
    /// The desktop app watches the library's folders while it is open (new files analysed
    /// within seconds, deleted ones marked missing).
    pub watch: bool,
    /// Where the local HTTP API writes tidy-up exports and kits: a request names a folder
    /// made under this one, never a path of its own. Unset: `exports` in the SampleMind home.
    pub export_folder: Option<PathBuf>,
}

impl Default for LibrarySettings {
    fn default() -> Self {
        Self {
            folders: Vec::new(),
            watch: true,
            export_folder: None,
        }
    }
}

/// The `[audio]` section.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioSettings {
    /// Output device id for audition (`samplemind devices`); default output when unset.
    pub output_device: Option<String>,
    /// Input device id for recording; default input when unset.
    pub input_device: Option<String>,
}

impl Settings {
    /// Write these settings to `path` (TOML), through a temporary file and a rename so a
    /// crash never leaves half a config.
    ///
    /// # Errors
    /// The file cannot be written: the message names it and the reason.
    pub fn save_to(&self, path: &Path) -> Result<(), String> {
        let text = toml::to_string_pretty(self).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Read `$SAMPLEMIND_HOME/config.toml` (see [`home_dir`]); defaults when it is absent.
    ///
    /// # Errors
    /// The file exists but cannot be read or parsed: the message names it and the reason.
    pub fn load() -> Result<Settings, String> {
        Self::load_from(&home_dir().join(CONFIG_FILE))
    }

    /// Read settings from `path`; defaults when it does not exist.
    ///
    /// # Errors
    /// As [`Settings::load`].
    pub fn load_from(path: &Path) -> Result<Settings, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// A library folder moved from `from` to `to` (a relink): every `[library] folders`
    /// entry that is `from` or lies under it now names the same place under `to`. Whether
    /// anything changed.
    pub fn relink_folder(&mut self, from: &Path, to: &Path) -> bool {
        let mut changed = false;
        for f in &mut self.library.folders {
            if let Ok(rest) = f.strip_prefix(from) {
                *f = to.join(rest);
                changed = true;
            }
        }
        let mut seen = std::collections::HashSet::new();
        self.library.folders.retain(|f| seen.insert(f.clone()));
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relinked_folder_is_renamed_in_the_library_folders() {
        let mut s = Settings::default();
        s.library.folders = vec![
            "/mnt/old".into(),
            "/mnt/old/drums".into(),
            "/elsewhere".into(),
        ];
        assert!(s.relink_folder(Path::new("/mnt/old"), Path::new("/media/new")));
        assert_eq!(
            s.library.folders,
            [
                PathBuf::from("/media/new"),
                PathBuf::from("/media/new/drums"),
                PathBuf::from("/elsewhere")
            ]
        );
        assert!(!s.relink_folder(Path::new("/mnt/gone"), Path::new("/x")));
    }

    #[test]
    fn missing_file_is_defaults_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        assert!(Settings::load_from(&path).unwrap().ml.enabled);
        std::fs::write(&path, "[ml]\nenabled = false\nmodels_dir = \"/m\"\n").unwrap();
        let s = Settings::load_from(&path).unwrap();
        assert!(!s.ml.enabled);
        assert_eq!(s.ml.models_dir.as_deref(), Some(Path::new("/m")));
        std::fs::write(&path, "[ml]\nenabeld = false\n").unwrap();
        let e = Settings::load_from(&path).unwrap_err();
        assert!(e.contains("config.toml") && e.contains("enabeld"), "{e}");
    }

    #[test]
    fn saved_settings_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let mut s = Settings::default();
        s.library.folders.push("/samples/drums".into());
        s.audio.output_device = Some("pulseaudio:sink".into());
        s.ai.cloud = true;
        s.ai.providers[0].price_per_mtok = Some((0.1, 0.4));
        s.save_to(&path).unwrap();
        let r = Settings::load_from(&path).unwrap();
        assert_eq!(r.library.folders, s.library.folders);
        assert_eq!(r.audio.output_device, s.audio.output_device);
        assert!(r.ai.cloud);
        assert_eq!(r.ai.providers[0].price_per_mtok, Some((0.1, 0.4)));
    }
}
