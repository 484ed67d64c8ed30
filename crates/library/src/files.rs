//! File-system chores of the library folder.

use std::path::{Path, PathBuf};

/// Create `dir` (and missing parents) readable by its owner only: a library lists what
/// someone owns and where, which is nobody else's business on a shared machine.
pub(super) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Where scratch files go: memory-backed `/dev/shm` on Linux when it exists (a scratch copy
/// should not wear a disk, nor need room on a full one), else the temporary folder.
pub fn scratch_parent() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if cfg!(target_os = "linux") && shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Copy the folder `from` to `to` (created), files and subfolders whose names `keep` accepts.
pub(super) fn copy_dir(
    from: &Path,
    to: &Path,
    keep: &dyn Fn(&std::ffi::OsStr) -> bool,
) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if !keep(&name) {
            continue;
        }
        let kind = e.file_type()?;
        if kind.is_dir() {
            copy_dir(&e.path(), &to.join(&name), keep)?;
        } else if kind.is_file() {
            std::fs::copy(e.path(), to.join(&name))?;
        }
    }
    Ok(())
}
