//! Where things live on disk.

use std::path::PathBuf;

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
