//! Command-line arguments, each flag defined once with its help.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

/// Tame your sample library: scan, analyse, search.
#[derive(Debug, Parser)]
#[command(name = "samplemind", version, about, propagate_version = true)]
pub struct Cli {
    /// Library directory [default: $SAMPLEMIND_HOME/library, else the platform data dir].
    #[arg(long, global = true, value_name = "DIR")]
    pub library: Option<PathBuf>,
    /// Do not run the local ONNX models (tags, embeddings, CREPE) during analysis.
    #[arg(long, global = true)]
    pub no_models: bool,
    /// What to do; none prints where to start.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index folders or files into the library, then analyse what is new or changed.
    Scan(ScanArgs),
    /// Analyse files (or folders) and print the results, without touching the library.
    #[command(alias = "analyse")]
    Analyze(AnalyzeArgs),
    /// Find samples by words and filters.
    Search(SearchArgs),
    /// Find the samples that sound most like a file or a stored sample.
    Similar(SimilarArgs),
    /// Set a sample's category or tempo by hand. A rescan keeps it, and a category teaches
    /// the rest of the sample's pack.
    Correct(CorrectArgs),
    /// Keep the library up to date with its folders: new files analysed within seconds,
    /// deleted ones marked missing, renamed ones keep their analysis. Runs until Ctrl-C.
    Watch(WatchArgs),
    /// A library folder moved elsewhere: point it at its new place. Its files are found again
    /// by content (nothing is analysed), marks and collections follow.
    Relink {
        /// Where the folder was.
        from: PathBuf,
        /// Where it is now.
        to: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Star, rate, colour, tag a sample or select a part of it (kept by content: a moved file keeps its marks).
    Mark(MarkArgs),
    /// The same sound at several paths: list them, keep one and hide the rest from searches
    /// (no file is touched), or show them all again.
    Duplicates(DuplicatesArgs),
    /// Build a drum kit on General MIDI notes (kick 36, snare 38, hat 42, ...), suggested
    /// around one sound and/or picked pad by pad, and write its WAVs, an SFZ and a Decent
    /// Sampler preset into a folder.
    Kit(KitArgs),
    /// Named, ordered collections of samples ("Track 12").
    #[command(subcommand)]
    Collection(CollectionCommand),
    /// Transcribe the notes of a sound (basic-pitch) into a standard MIDI file.
    Midi(MidiArgs),
    /// Language models: ask, list models, the answer cache.
    #[command(subcommand)]
    Ai(AiCommand),
    /// Write the whole library as CSV or JSON.
    Export(ExportArgs),
    /// Counts and sizes of the library.
    Stats(JsonFlag),
    /// Measure decode, analysis, scan and rescan speed; print the figures.
    Bench(BenchArgs),
    /// Components, library figures and process figures; exit 1 when degraded.
    Health(JsonFlag),
    /// Check the library and rebuild it when it is damaged: the damaged store is kept aside,
    /// what still reads is saved, hand corrections come back, and the folders are rescanned.
    Repair(RepairArgs),
    /// Serve the local HTTP API (127.0.0.1; bearer token in $SAMPLEMIND_HOME/api-token).
    Serve(ServeArgs),
    /// List audio input and output devices.
    #[cfg(feature = "device")]
    Devices(JsonFlag),
    /// Play a one-shot from a MIDI keyboard or pads: each note transposed from its root note,
    /// velocity to level, eight notes at once (until Ctrl-C).
    #[cfg(feature = "device")]
    Pads(PadsArgs),
    /// Play a file (audition).
    #[cfg(feature = "device")]
    Play(PlayArgs),
    /// Record from an input into a WAV file, then analyse it into the library.
    #[cfg(feature = "device")]
    Record(RecordArgs),
}

/// `samplemind serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port (0 picks a free one; the address is printed on the first line).
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    /// Address to bind. Anything but loopback exposes the library to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
}

/// `samplemind play`.
#[cfg(feature = "device")]
#[derive(Debug, Args)]
pub struct PlayArgs {
    /// The file.
    pub file: PathBuf,
    /// Output device id (see `samplemind devices`) [default: the default output].
    #[arg(long)]
    pub device: Option<String>,
    /// Repeat until Ctrl-C.
    #[arg(long = "loop")]
    pub looped: bool,
    /// Transpose, semitones (e.g. -12, 7).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub transpose: f32,
    /// Gain, dB.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub gain: f32,
    /// Start position, seconds.
    #[arg(long, default_value_t = 0.0)]
    pub start: f64,
    /// Project tempo: a loop plays stretched to the same bars at this tempo.
    #[arg(long)]
    pub bpm: Option<f32>,
    /// Project key ("F minor", "F#m", "8A"): a loop plays shifted to it, a one-shot to the
    /// nearest note of its scale (length kept).
    #[arg(long)]
    pub key: Option<String>,
    /// Play a one-shot at this note ("C3"), shifted from its root note (length kept).
    #[arg(long, conflicts_with = "transpose")]
    pub note: Option<String>,
    /// Play only this part, seconds ("0.5-1.25"); with --loop, loop it.
    #[arg(long, value_name = "START-END")]
    pub region: Option<String>,
}

/// `samplemind pads`.
#[cfg(feature = "device")]
#[derive(Debug, Args)]
pub struct PadsArgs {
    /// The one-shot.
    pub file: PathBuf,
    /// The MIDI input: part of its name (see the list printed when none matches) [default: the first].
    #[arg(long)]
    pub midi: Option<String>,
    /// The sound's root note ("A2") [default: the library's or the analysis's, else C4].
    #[arg(long)]
    pub root: Option<String>,
    /// Output device id (see `samplemind devices`) [default: the default output].
    #[arg(long)]
    pub device: Option<String>,
}

/// `samplemind record`.
#[cfg(feature = "device")]
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The WAV file to write.
    pub out: PathBuf,
    /// Maximum length, seconds (Ctrl-C stops earlier).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Input device id (see `samplemind devices`) [default: the default input].
    #[arg(long)]
    pub device: Option<String>,
    /// Cut silence at both ends.
    #[arg(long)]
    pub trim: bool,
    /// Scale the peak to -1 dBFS.
    #[arg(long)]
    pub normalise: bool,
    /// Do not add the take to the library.
    #[arg(long)]
    pub no_library: bool,
}

/// `samplemind bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folder of audio to measure [default: the eval DEV corpus if built, else assets/demo].
    pub corpus: Option<PathBuf>,
    /// Threads for the scan figures [default: number of CPUs].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Files in the generated tree whose unchanged rescan is timed (0 to skip).
    #[arg(long, default_value_t = 10_000)]
    pub tree_files: usize,
    /// Also measure the local models: cost per model, analysis with against without them,
    /// and similar-sound queries over a synthetic library of --index-size samples.
    #[arg(long)]
    pub models: bool,
    /// Also measure the AI layer: cache hits through the router, coalescing, router overhead.
    #[arg(long)]
    pub ai: bool,
    /// Also time the analysis peer (Essentia tempo + key, `scripts/fetch-peers.sh`) on the
    /// same files in the same run, and print our speed as a ratio to it.
    #[arg(long)]
    pub peers: bool,
    /// Python with Essentia for --peers [default: vendor/peers, or $SAMPLEMIND_PEER_PYTHON].
    #[arg(long, value_name = "PATH")]
    pub peer_python: Option<PathBuf>,
    /// Every part: --models, --ai, --peers (when installed), and --audio where the build has
    /// devices.
    #[arg(long)]
    pub all: bool,
    /// Records in the generated library whose searches are timed (0 to skip).
    #[arg(long, default_value_t = 100_000)]
    pub search_size: usize,
    /// An OpenAI-compatible server for --ai [default: an in-process responder].
    #[arg(long)]
    pub ai_url: Option<String>,
    /// With --ai, also measure the studio's shared tier on this Redis (`redis://host:port/db`;
    /// start a fresh server: the figures need cold keys): hits only Redis holds, and 4
    /// processes' identical cold requests, against LiteLLM's Redis cache (whenever
    /// scripts/fetch-peers.sh installed it; required with --peers).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// Samples in the synthetic library of --models.
    #[arg(long, default_value_t = 100_000)]
    pub index_size: usize,
    /// Sounds in a generated library of sound families whose similar-sound queries are timed,
    /// the lists of neighbours against the full scan, with recall@10 (0 to skip).
    #[arg(long, default_value_t = 0, value_name = "SOUNDS")]
    pub similar_size: usize,
    /// Also measure similar-sound queries over a scanned library (real embeddings; every
    /// sound a query): the lists against the full scan, with recall@10.
    #[arg(long, value_name = "DIR")]
    pub similar_library: Option<std::path::PathBuf>,
    /// Also measure synced audition's stretcher on this many loops (0 to skip; --all takes
    /// 20): ±10 % tempo and ±3 semitones, each render read back by the analyser, beside Rubber
    /// Band's CLI (required with --peers).
    #[arg(long, default_value_t = 0, value_name = "LOOPS")]
    pub stretch: usize,
    /// Also measure audio: latency, callback load, glitches under load (needs devices).
    #[cfg(feature = "device")]
    #[arg(long)]
    pub audio: bool,
    /// Output device for --audio [default: the default output].
    #[cfg(feature = "device")]
    #[arg(long)]
    pub output_device: Option<String>,
    /// Input device for --audio, one that hears the output (a sink's monitor, a loopback
    /// cable) [default: the default input].
    #[cfg(feature = "device")]
    #[arg(long)]
    pub input_device: Option<String>,
    /// Seconds of looped playback under load for --audio.
    #[cfg(feature = "device")]
    #[arg(long, default_value_t = 60.0)]
    pub audio_seconds: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Rebuild only; do not rescan the folders afterwards.
    #[arg(long)]
    pub no_scan: bool,
    /// Analysis threads of the rescan [default: number of CPUs].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `--json` alone.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind ai …`.
#[derive(Debug, Subcommand)]
pub enum AiCommand {
    /// Ask the language models (local first; cloud only when enabled).
    Ask(AiAskArgs),
    /// Describe a sample (tags and a one-line description); stored when it is in the library.
    Describe(AiDescribeArgs),
    /// Search in words: "dark punchy kick around 128 bpm in A minor" → filters + words.
    Search(AiSearchArgs),
    /// Describe samples that have no description and pre-answer common searches.
    Warm(AiWarmArgs),
    /// Embed words (the local ONNX MiniLM first, then the providers); prints the vectors.
    Embed(AiEmbedArgs),
    /// The models each provider serves, and whether it answers.
    Models(JsonFlag),
    /// The answer cache.
    #[command(subcommand)]
    Cache(AiCacheCommand),
    /// API keys in the OS keyring (never printed).
    #[command(subcommand)]
    Key(AiKeyCommand),
}

/// `samplemind ai key …`.
#[derive(Debug, Subcommand)]
pub enum AiKeyCommand {
    /// Store a provider's key in the OS keyring. The key is read from standard input (typed
    /// without echo on a terminal), never from an argument, which other users could see.
    Set {
        /// The provider's name in config.toml.
        provider: String,
    },
    /// Remove a provider's key from the OS keyring.
    Delete {
        /// The provider's name in config.toml.
        provider: String,
    },
    /// Where each provider's key comes from: its environment variable, the keyring, or none.
    Status(JsonFlag),
}

/// `samplemind ai cache …`.
#[derive(Debug, Subcommand)]
pub enum AiCacheCommand {
    /// Hits, misses, hit rate, entries, bytes, evictions (kept across restarts).
    Stats(JsonFlag),
    /// Remove cached answers.
    Clear {
        /// Only this namespace (task: `ask`, `describe`, ...).
        #[arg(long)]
        namespace: Option<String>,
    },
}

/// `samplemind ai embed`.
#[derive(Debug, Args)]
pub struct AiEmbedArgs {
    /// Texts, one embedding each.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

/// `samplemind ai warm`.
#[derive(Debug, Args)]
pub struct AiWarmArgs {
    /// Call nobody: list what would be asked, of whom, and the estimated cost.
    #[arg(long)]
    pub simulate: bool,
    /// Warm again every HOURS hours until stopped.
    #[arg(long, value_name = "HOURS")]
    pub schedule: Option<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind ai describe`.
#[derive(Debug, Args)]
pub struct AiDescribeArgs {
    /// The audio file.
    pub file: PathBuf,
    /// Ask anew instead of using a cached answer.
    #[arg(long)]
    pub refresh: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind ai search`.
#[derive(Debug, Args)]
pub struct AiSearchArgs {
    /// The search, in words.
    #[arg(required = true)]
    pub words: Vec<String>,
    /// Results.
    #[arg(short = 'n', long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON lines (the reading first, then one line per result).
    #[arg(long)]
    pub json: bool,
}

/// `samplemind ai ask`.
#[derive(Debug, Args)]
pub struct AiAskArgs {
    /// The question.
    #[arg(required = true)]
    pub words: Vec<String>,
    /// Print the answer as it is generated.
    #[arg(long)]
    pub stream: bool,
    /// Neither read nor write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Ask anew and replace the cached answer.
    #[arg(long)]
    pub refresh: bool,
    /// Ask this provider only.
    #[arg(long)]
    pub provider: Option<String>,
    /// Longest answer, tokens.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: u32,
    /// The whole answer as JSON (text, model, provider, tokens, cached).
    #[arg(long)]
    pub json: bool,
}

/// `samplemind midi`.
#[derive(Debug, Args)]
pub struct MidiArgs {
    /// The audio file.
    pub file: PathBuf,
    /// The MIDI file to write [default: FILE with the extension .mid].
    #[arg(short = 'o', long)]
    pub out: Option<PathBuf>,
    /// Print the notes as JSON lines too.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind similar`.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// An audio file (in the library or not, e.g. a recording), or a stored sample's hash
    /// (at least 8 hex digits).
    #[arg(value_name = "FILE|ID", required_unless_present = "record")]
    pub query: Option<String>,
    /// Find by sound: record this many seconds from the input (a voice, a beatbox), trim
    /// the silence, and list the nearest one-shots.
    #[arg(long, value_name = "SECONDS", conflicts_with = "query")]
    pub record: Option<f64>,
    /// With --record: the input device (`samplemind devices`); the default input otherwise.
    #[arg(long, requires = "record")]
    pub device: Option<String>,
    /// With --record: keep the take in this file (else it is thrown away).
    #[arg(long, value_name = "FILE", requires = "record")]
    pub keep: Option<PathBuf>,
    /// What "similar" means: timbre, pitch, rhythm or overall.
    #[arg(long, default_value = "overall")]
    pub aspect: samplemind::search::similar::Aspect,
    /// Number of results.
    #[arg(short = 'n', long, default_value_t = 20)]
    pub count: usize,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind correct`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("edit")
        .required(true)
        .multiple(true)
        .args(["category", "bpm", "clear_category", "clear_bpm", "key", "clear_key", "root", "clear_root", "is_loop", "one_shot", "clear_loop"])
))]
pub struct CorrectArgs {
    /// The samples: files (wherever they lie now), or hashes (at least 8 hex digits). Every
    /// one is found before any is changed.
    #[arg(value_name = "FILE|ID", required = true)]
    pub query: Vec<String>,
    /// Set the key: "A minor", Am, "Eb major", Camelot 8A.
    #[arg(long, conflicts_with = "clear_key")]
    pub key: Option<String>,
    /// Forget the hand key.
    #[arg(long)]
    pub clear_key: bool,
    /// Set the root note with its octave: C2, F#1.
    #[arg(long, conflicts_with = "clear_root")]
    pub root: Option<String>,
    /// Forget the hand root note.
    #[arg(long)]
    pub clear_root: bool,
    /// It is a loop.
    #[arg(long = "loop", conflicts_with_all = ["one_shot", "clear_loop"])]
    pub is_loop: bool,
    /// It is a one-shot.
    #[arg(long, conflicts_with = "clear_loop")]
    pub one_shot: bool,
    /// Forget the hand loop / one-shot.
    #[arg(long)]
    pub clear_loop: bool,
    /// Set the category: one of the taxonomy's names (a wrong one prints the list).
    #[arg(long, conflicts_with = "clear_category")]
    pub category: Option<String>,
    /// Set the tempo, BPM (1 to 999).
    #[arg(long, conflicts_with = "clear_bpm")]
    pub bpm: Option<f32>,
    /// Forget the hand category: the analysis (or what the pack learned) shows again.
    #[arg(long)]
    pub clear_category: bool,
    /// Forget the hand tempo.
    #[arg(long)]
    pub clear_bpm: bool,
    /// Print the sample as stored, as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Folders to watch [default: the folders the library was scanned from].
    #[arg(value_name = "FOLDER")]
    pub folders: Vec<PathBuf>,
    /// Print each batch's report as a JSON line.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind kit`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("sounds")
        .required(true)
        .multiple(true)
        .args(["around", "kick", "snare", "clap", "hat", "open_hat", "tom", "cymbal", "perc"])
))]
pub struct KitArgs {
    /// Where to write the kit (made when missing).
    #[arg(value_name = "DIR")]
    pub out: PathBuf,
    /// Suggest every pad from the sounds most like this one (a file or an id).
    #[arg(long, value_name = "FILE|ID")]
    pub around: Option<String>,
    /// The kick (note 36).
    #[arg(long, value_name = "FILE|ID")]
    pub kick: Option<String>,
    /// The snare (38).
    #[arg(long, value_name = "FILE|ID")]
    pub snare: Option<String>,
    /// The clap (39).
    #[arg(long, value_name = "FILE|ID")]
    pub clap: Option<String>,
    /// The closed hat (42).
    #[arg(long, value_name = "FILE|ID")]
    pub hat: Option<String>,
    /// The open hat (46).
    #[arg(long, value_name = "FILE|ID")]
    pub open_hat: Option<String>,
    /// The tom (45).
    #[arg(long, value_name = "FILE|ID")]
    pub tom: Option<String>,
    /// The cymbal (49).
    #[arg(long, value_name = "FILE|ID")]
    pub cymbal: Option<String>,
    /// Any percussion (56).
    #[arg(long, value_name = "FILE|ID")]
    pub perc: Option<String>,
    /// The kit's name (its files' names).
    #[arg(long, default_value = "SampleMind Kit")]
    pub name: String,
    /// Print the kit as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind duplicates`.
#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// List near-duplicates instead: different files of the same sound (re-encoded, trimmed),
    /// by their embeddings (needs the local models to have run on them).
    #[arg(long, conflicts_with_all = ["keep_first", "show_all"])]
    pub near: bool,
    /// With --near: the score from which two sounds count as one (0..1).
    #[arg(long, requires = "near")]
    pub threshold: Option<f32>,
    /// In every group, keep the first path (in path order) and hide the others.
    #[arg(long, conflicts_with = "show_all")]
    pub keep_first: bool,
    /// Show every hidden copy again.
    #[arg(long)]
    pub show_all: bool,
    /// Print the groups as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind mark`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("edit")
        .required(true)
        .multiple(true)
        .args(["fav", "unfav", "rating", "colour", "no_colour", "tag", "untag", "region", "no_region"])
))]
pub struct MarkArgs {
    /// The sample: its file (wherever it lies now), or its hash (at least 8 hex digits).
    #[arg(value_name = "FILE|ID")]
    pub query: String,
    /// Star it.
    #[arg(long, conflicts_with = "unfav")]
    pub fav: bool,
    /// Take the star off.
    #[arg(long)]
    pub unfav: bool,
    /// Stars, 0 (unrated) to 5.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub rating: Option<u8>,
    /// A colour label: red, orange, yellow, green, blue, purple, grey.
    #[arg(long, conflicts_with = "no_colour")]
    pub colour: Option<String>,
    /// Take the colour label off.
    #[arg(long)]
    pub no_colour: bool,
    /// Add a tag (repeat for more).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Take a tag off (repeat for more).
    #[arg(long, value_name = "TAG")]
    pub untag: Vec<String>,
    /// Select a part of the sound, seconds ("0.5-1.25"): what plays, loops and exports.
    #[arg(long, value_name = "START-END", conflicts_with = "no_region")]
    pub region: Option<String>,
    /// Take the selected part off.
    #[arg(long)]
    pub no_region: bool,
    /// Print the sample as stored, as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind collection …`.
#[derive(Debug, Subcommand)]
pub enum CollectionCommand {
    /// Every collection with how many samples it holds.
    List(JsonFlag),
    /// A collection's samples, in its order.
    Show {
        /// The collection's name (any case).
        name: String,
        /// JSON Lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add samples to the end of a collection (made when there is none).
    Add {
        /// The collection's name.
        name: String,
        /// The samples: files or hashes.
        #[arg(value_name = "FILE|ID", required = true)]
        samples: Vec<String>,
    },
    /// Take samples out of a collection (the library keeps them).
    Remove {
        /// The collection's name.
        name: String,
        /// The samples: files or hashes.
        #[arg(value_name = "FILE|ID", required = true)]
        samples: Vec<String>,
    },
    /// Give a collection another name.
    Rename {
        /// Its name now.
        from: String,
        /// Its new name.
        to: String,
    },
    /// Delete a collection (its samples stay in the library).
    Delete {
        /// The collection's name.
        name: String,
    },
}

/// `samplemind scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Folders or files to scan [default: the demo folder shipped in assets/demo].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Analysis threads [default: number of CPUs].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Rows of the result table to print (0 for none).
    #[arg(long, default_value_t = 40)]
    pub table_rows: usize,
    /// Print the scan report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Audio files, or folders to analyse every audio file in.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON Lines, one object per file (the format ../shared/eval/score.py reads).
    #[arg(long)]
    pub json: bool,
    /// With --json, add the classifier feature vector (for training, tools/train_classifier.py).
    #[arg(long, requires = "json")]
    pub features: bool,
    /// Analysis threads [default: number of CPUs].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
}

/// `samplemind search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find in names, folders, tags and categories; shorthand finds what it stands
    /// for (bd: kick, hh: hat, vox: vocal).
    pub text: Vec<String>,
    /// Leave out what this word matches (repeat for more; `-- -word` works too).
    #[arg(long, value_name = "WORD")]
    pub not: Vec<String>,
    /// Tempo: `128` or a range `120..130`.
    #[arg(long, value_parser = parse_range_f32)]
    pub bpm: Option<(f32, f32)>,
    /// Key: `"A minor"`, `Am`, `"Eb major"`, Camelot `8A`.
    #[arg(long)]
    pub key: Option<String>,
    /// With --key: the keys that mix with it too (relative, a fifth either side).
    #[arg(long, requires = "key")]
    pub compatible: bool,
    /// Root note: `C` (any octave) or `C2`.
    #[arg(long)]
    pub root: Option<String>,
    /// Samples under this folder only.
    #[arg(long)]
    pub folder: Option<PathBuf>,
    /// Category: kick, snare, hat, bass, pad, drums, ...; `unsure` lists the sounds whose
    /// category is the classifier's unsure guess.
    #[arg(long)]
    pub category: Option<String>,
    /// Loops only.
    #[arg(long = "loop", conflicts_with = "one_shot")]
    pub is_loop: bool,
    /// One-shots only.
    #[arg(long)]
    pub one_shot: bool,
    /// Duration in seconds: `2` or `0..1.5`.
    #[arg(long, value_parser = parse_range_f32)]
    pub duration: Option<(f32, f32)>,
    /// Loudness in LUFS: `-14` or `-20..-10`.
    #[arg(long, value_parser = parse_range_f32, allow_hyphen_values = true)]
    pub lufs: Option<(f32, f32)>,
    /// A tag every result carries, yours or a model's (repeat for more).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Starred samples only.
    #[arg(long)]
    pub fav: bool,
    /// At least this many stars.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub rating: Option<u8>,
    /// One colour label only.
    #[arg(long)]
    pub colour: Option<String>,
    /// One collection's samples only.
    #[arg(long)]
    pub collection: Option<String>,
    /// At most this many results.
    #[arg(long, short = 'n', default_value_t = 100)]
    pub limit: usize,
    /// Rank by meaning (local MiniLM embeddings of the words) instead of matching them word
    /// by word: "thumping low end" finds kicks named "punchy kick".
    #[arg(long)]
    pub semantic: bool,
    /// Count the matches by category, key, loop / one-shot, favourite and colour instead of
    /// listing them.
    #[arg(long, conflicts_with = "semantic")]
    pub facets: bool,
    /// Print JSON Lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `samplemind export`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("format")
        .required(true)
        .multiple(false)
        .args(["csv", "json", "to"])
))]
pub struct ExportArgs {
    /// Comma-separated values with a header.
    #[arg(long)]
    pub csv: bool,
    /// A JSON array.
    #[arg(long)]
    pub json: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', conflicts_with = "to")]
    pub output: Option<PathBuf>,
    /// Copy the samples into this folder under tidy names (the originals are never changed);
    /// WAV copies carry their tempo, root note and loop points (acid and smpl chunks).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// With --to: the copies' names, from {category} {bpm} {key} {root} {type} {name}
    /// {folder} {id}.
    #[arg(long, requires = "to", default_value = "{category}_{bpm}_{key}_{name}")]
    pub rename: String,
    /// With --to: list the copies' names and write nothing.
    #[arg(long, requires = "to")]
    pub dry_run: bool,
    /// With --to: only one collection's samples.
    #[arg(long, requires = "to")]
    pub collection: Option<String>,
    /// With --to: only starred samples.
    #[arg(long, requires = "to")]
    pub fav: bool,
    /// With --to: only this category.
    #[arg(long, requires = "to")]
    pub category: Option<String>,
    /// With --to: only samples with this tag (repeat for more).
    #[arg(long, requires = "to", value_name = "TAG")]
    pub tag: Vec<String>,
    /// With --to: cut leading and trailing silence from one-shots (loops keep their length).
    #[arg(long, requires = "to")]
    pub trim: bool,
    /// With --to: bring every copy to this loudness, LUFS (-40 to 0; peaks kept at -1 dBFS).
    #[arg(long, requires = "to", value_name = "LUFS", allow_hyphen_values = true)]
    pub normalise: Option<f32>,
    /// With --to: write every copy as wav or flac (16-bit sources stay 16-bit, others 24).
    #[arg(long = "format", id = "copy_format", requires = "to", value_parser = parse_encoding)]
    pub copy_format: Option<samplemind::audio::encode::Encoding>,
    /// With --to: write only the part of each sample selected on its waveform (`mark
    /// --region`); samples without one are copied whole.
    #[arg(long, requires = "to")]
    pub regions: bool,
}

fn parse_encoding(s: &str) -> Result<samplemind::audio::encode::Encoding, String> {
    use samplemind::audio::encode::Encoding;
    match s.to_ascii_lowercase().as_str() {
        "wav" | "wave" => Ok(Encoding::Wav),
        "flac" => Ok(Encoding::Flac),
        other => Err(format!("{other:?}: the copies can be wav or flac")),
    }
}

/// `128` → (128, 128) within 0.5; `120..130` → (120, 130).
fn parse_range_f32(s: &str) -> Result<(f32, f32), String> {
    let num = |t: &str| {
        t.trim()
            .parse::<f32>()
            .map_err(|_| format!("not a number: {t:?}"))
    };
    match s.split_once("..") {
        Some((a, b)) => {
            let (lo, hi) = (num(a)?, num(b)?);
            if lo > hi {
                return Err(format!("empty range: {lo} is above {hi}"));
            }
            Ok((lo, hi))
        }
        None => {
            let v = num(s)?;
            Ok((v - 0.5, v + 0.5))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range_f32("120..130"), Ok((120.0, 130.0)));
        assert_eq!(parse_range_f32("-20..-10"), Ok((-20.0, -10.0)));
        assert_eq!(parse_range_f32("128"), Ok((127.5, 128.5)));
        assert!(parse_range_f32("130..120").is_err());
        assert!(parse_range_f32("fast").is_err());
    }
}
