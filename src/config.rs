//! Where things live on disk.

use std::path::{Path, PathBuf};

use serde::Deserialize;

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
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Local models.
    pub ml: MlSettings,
}

/// The `[ml]` section: local ONNX models.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlSettings {
    /// Run the models during scans (default `true`; they switch themselves off when the
    /// runtime or a model file is missing).
    pub enabled: bool,
    /// The ONNX Runtime library (`libonnxruntime.so.1.31.1`), when not in a default place.
    pub onnxruntime: Option<PathBuf>,
    /// A folder holding the model files, looked in before the default places.
    pub models_dir: Option<PathBuf>,
}

impl Default for MlSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            onnxruntime: None,
            models_dir: None,
        }
    }
}

impl Settings {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
