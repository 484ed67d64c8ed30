//! The model files: where they are, their pinned checksums, and a pool of sessions per model.
//!
//! Each file is checked against `assets/models/SHA256SUMS` (compiled in) the first time it is
//! used, and its sessions are built from the verified bytes, so what runs is what was checked.
//! Sessions are created on demand, one per concurrent caller (the scanner's workers), and
//! reused for the life of the process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use sha2::{Digest, Sha256};

use super::runtime::Runtime;
use super::MlError;

/// The models SampleMind knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelId {
    /// aisfx: 512-d embedding of sound effects and one-shots (CC BY 4.0, Ma & Lerch 2022).
    Aisfx,
    /// musicnn trained on MagnaTagATune: 50 instrument / mood tags and a 200-d embedding (ISC).
    MusicnnMtt,
    /// CREPE tiny: monophonic f0 (MIT).
    CrepeTiny,
    /// basic-pitch (Spotify; Apache-2.0): polyphonic notes, onsets and pitch contours.
    BasicPitch,
    /// silero-vad (MIT): speech activity, the "vocal" tag.
    SileroVad,
    /// all-MiniLM-L6-v2, int8 (Apache-2.0): 384-d sentence embeddings for text search.
    MiniLm,
}

impl ModelId {
    /// Every model, in the order `health` lists them.
    pub const ALL: [ModelId; 6] = [
        ModelId::Aisfx,
        ModelId::MusicnnMtt,
        ModelId::CrepeTiny,
        ModelId::BasicPitch,
        ModelId::SileroVad,
        ModelId::MiniLm,
    ];

    /// File name in the models folder.
    pub fn file_name(self) -> &'static str {
        match self {
            ModelId::Aisfx => "aisfx.onnx",
            ModelId::MusicnnMtt => "musicnn_MTT_musicnn.onnx",
            ModelId::CrepeTiny => "crepe_tiny.onnx",
            ModelId::BasicPitch => "basic_pitch_nmp.onnx",
            ModelId::SileroVad => "silero_vad.onnx",
            ModelId::MiniLm => "minilm.onnx",
        }
    }

    /// What it gives the product, for `health`.
    pub fn feature(self) -> &'static str {
        match self {
            ModelId::Aisfx => "similar sounds (timbre)",
            ModelId::MusicnnMtt => "tags and similar loops",
            ModelId::CrepeTiny => "root note second opinion",
            ModelId::BasicPitch => "audio to MIDI",
            ModelId::SileroVad => "vocal tag",
            ModelId::MiniLm => "text search",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Every model file's pinned SHA-256 (`assets/models/SHA256SUMS`, compiled in): what names
/// the models this build runs, so an analysis shared between machines says which ran.
pub fn pinned_sums() -> &'static str {
    include_str!("../../../assets/models/SHA256SUMS")
}

/// The pinned SHA-256 of `file`, from `assets/models/SHA256SUMS`.
pub fn pinned_sha256(file: &str) -> Option<&'static str> {
    pinned_sums()
        .lines()
        .filter_map(|l| l.split_once("  "))
        .find(|(_, name)| name.trim_start_matches('*') == file)
        .map(|(sum, _)| sum)
}

/// Folders model files are looked for in, in order: the configured folder, `models/` next to
/// the executable, `bundled` (an installed package's folder, see
/// [`crate::settings::MlSettings::bundled_dir`]), then the source tree's `assets/models/` and
/// `vendor/ml/`.
pub fn model_dirs(configured: Option<&Path>, bundled: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = configured {
        out.push(p.to_path_buf());
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(dir.join("models"));
    }
    if let Some(dir) = bundled {
        out.push(dir.to_path_buf());
    }
    let src = crate::runtime::source_tree();
    out.push(src.join("assets/models"));
    out.push(src.join("vendor/ml"));
    out
}

/// Find `file` in `dirs`.
pub fn locate(file: &'static str, dirs: &[PathBuf]) -> Result<PathBuf, MlError> {
    dirs.iter()
        .map(|d| d.join(file))
        .find(|p| p.is_file())
        .ok_or_else(|| MlError::ModelMissing {
            name: file,
            looked: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Read `path` and check it against its pinned checksum.
pub fn read_verified(path: &Path, file: &str) -> Result<Vec<u8>, MlError> {
    let bytes = std::fs::read(path).map_err(|e| MlError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let expected = pinned_sha256(file).ok_or_else(|| MlError::Io {
        path: path.to_path_buf(),
        reason: "no pinned checksum for this file".into(),
    })?;
    let found = hex(&Sha256::digest(&bytes));
    if found != expected {
        return Err(MlError::Checksum {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            found,
        });
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One model's verified bytes and its idle sessions.
pub(crate) struct Pool {
    pub(crate) path: PathBuf,
    bytes: Vec<u8>,
    idle: Mutex<Vec<Session>>,
}

impl Pool {
    fn open(runtime: &Runtime, id: ModelId, dirs: &[PathBuf]) -> Result<Pool, MlError> {
        let path = locate(id.file_name(), dirs)?;
        let bytes = read_verified(&path, id.file_name())?;
        let pool = Pool {
            path,
            bytes,
            idle: Mutex::new(Vec::new()),
        };
        // Build the first session now so that a file the runtime refuses fails here, once.
        let first = pool.new_session(runtime)?;
        pool.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(first);
        Ok(pool)
    }

    fn new_session(&self, runtime: &Runtime) -> Result<Session, MlError> {
        let fail = |reason: String| MlError::Model {
            path: self.path.clone(),
            reason,
        };
        // One thread per session: the scanner already runs one file per core.
        let builder = Session::builder(&runtime.environment).map_err(|e| fail(e.to_string()))?;
        let builder = builder
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| fail(e.to_string()))?;
        let builder = builder
            .with_intra_threads(1)
            .map_err(|e| fail(e.to_string()))?;
        let mut builder = builder
            .with_inter_threads(1)
            .map_err(|e| fail(e.to_string()))?;
        builder
            .commit_from_memory(&self.bytes)
            .map_err(|e| fail(e.to_string()))
    }

    /// Run `f` on an idle session (or a new one when all are busy), then return it to the pool.
    pub(crate) fn with_session<T>(
        &self,
        runtime: &Runtime,
        f: impl FnOnce(&mut Session) -> ort::Result<T>,
    ) -> Result<T, MlError> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut session = match taken {
            Some(s) => s,
            None => self.new_session(runtime)?,
        };
        let out = f(&mut session).map_err(|e| MlError::Model {
            path: self.path.clone(),
            reason: e.to_string(),
        });
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(session);
        out
    }
}

/// The runtime and every model, each opened the first time it is used.
pub struct Models {
    pub(crate) runtime: &'static Runtime,
    dirs: Vec<PathBuf>,
    pools: [OnceLock<Result<Pool, MlError>>; 6],
    tokenizer: OnceLock<Result<tokenizers::Tokenizer, MlError>>,
}

impl std::fmt::Debug for Models {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Models")
            .field("runtime", &self.runtime.path)
            .field("dirs", &self.dirs)
            .finish()
    }
}

impl Models {
    /// Load the runtime (see [`super::runtime::runtime`]) and get ready to open models from
    /// `dirs` (see [`model_dirs`]).
    pub fn new(runtime: &'static Runtime, dirs: Vec<PathBuf>) -> Models {
        Models {
            runtime,
            dirs,
            pools: Default::default(),
            tokenizer: OnceLock::new(),
        }
    }

    /// The model `id`, opened (and verified) on first use.
    pub(crate) fn pool(&self, id: ModelId) -> Result<&Pool, MlError> {
        self.pools[id.index()]
            .get_or_init(|| Pool::open(self.runtime, id, &self.dirs))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// MiniLM's tokenizer (`minilm.tokenizer.json`), verified and loaded on first use, with
    /// its fixed 128-token padding switched off (a batch pads to its longest text).
    pub(crate) fn tokenizer(&self) -> Result<&tokenizers::Tokenizer, MlError> {
        self.tokenizer
            .get_or_init(|| {
                const FILE: &str = "minilm.tokenizer.json";
                let path = locate(FILE, &self.dirs)?;
                let bytes = read_verified(&path, FILE)?;
                let mut t =
                    tokenizers::Tokenizer::from_bytes(&bytes).map_err(|e| MlError::Model {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                t.with_padding(None);
                Ok(t)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Open `id` now; the error says why it cannot be used.
    pub fn check(&self, id: ModelId) -> Result<PathBuf, MlError> {
        self.pool(id).map(|p| p.path.clone())
    }

    /// The runtime these models run on.
    pub fn runtime(&self) -> &'static Runtime {
        self.runtime
    }

    /// Where ONNX Runtime was loaded from.
    pub fn runtime_path(&self) -> &Path {
        &self.runtime.path
    }
}
