//! What the API returns and accepts, with their OpenAPI schemas.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A similar sample (the engine's; its schema too).
pub use samplemind_engine::library::browse::SimilarSample;
/// A collection as listed (the engine's).
pub use samplemind_engine::library::curation::CollectionSummary;
/// A kit and what its export wrote (the engine's).
pub use samplemind_engine::library::kit::{Kit, KitExport, Pad, Slot};
/// What an export listed and did (the engine's).
pub use samplemind_engine::library::tidy::{ExportDone, Planned, TidyReport};
use samplemind_engine::library::view::PageQuery;
/// One sample, as every face shows it (the engine's summary; its schema is derived from the
/// type itself).
pub use samplemind_engine::library::view::SampleSummary;
/// A colour label (the engine's; its schema too).
pub use samplemind_engine::library::Colour;
/// A selected part of a sound (the engine's; its schema too).
pub use samplemind_engine::library::Region;
/// A duplicated content and its paths (the engine's).
pub use samplemind_engine::search::duplicates::{DuplicateGroup, DuplicatePath};
/// Counts of a search's matches (the engine's).
pub use samplemind_engine::search::facets::{Count, Facets, FolderCount};
use samplemind_engine::search::sort::SortKey;

/// `GET /api/v1/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthSummary {
    /// `ok` or `degraded`.
    pub status: String,
    /// SampleMind version.
    pub version: String,
    /// Seconds since the server started.
    pub uptime_seconds: f64,
}

/// The filters of `GET /api/v1/samples` (the CLI's `search`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SampleFilters {
    /// Words, matched against names, folders, tags, category and descriptions.
    pub q: Option<String>,
    /// Lowest tempo.
    pub bpm_min: Option<f32>,
    /// Highest tempo.
    pub bpm_max: Option<f32>,
    /// Key in any common spelling ("Am", "A minor", "F#maj", "Eb", or Camelot "8A").
    #[param(
        pattern = r"^\s*(?:(?:0?[1-9]|1[0-2])[ABab]|[A-Ga-g][#b♯♭]{0,2}\s*(?:[Mm][Ii][Nn](?:[Oo][Rr])?|[Mm][Aa][Jj](?:[Oo][Rr])?|[Mm])?)?\s*$"
    )]
    pub key: Option<String>,
    /// With `key`: the keys that mix with it too (relative, a fifth either side).
    pub key_compatible: Option<bool>,
    /// Root note: `C` (any octave) or `C2`, sharps or flats.
    #[param(pattern = r"^(?:[A-Ga-g][#b♯♭]{0,2}(?:-1|[0-9])?)?$")]
    pub root: Option<String>,
    /// Samples under this folder only (an absolute path).
    pub folder: Option<String>,
    /// Category (kick, pad, ...), or `unsure` for the samples whose category is the
    /// classifier's unsure guess (`category_unsure` in a result).
    pub category: Option<String>,
    /// Loops only (true) or one-shots only (false).
    #[serde(rename = "loop")]
    #[param(rename = "loop")]
    pub is_loop: Option<bool>,
    /// Shortest length, seconds.
    pub min_duration: Option<f64>,
    /// Longest length, seconds.
    pub max_duration: Option<f64>,
    /// Quietest integrated loudness, LUFS.
    pub lufs_min: Option<f32>,
    /// Loudest integrated loudness, LUFS.
    pub lufs_max: Option<f32>,
    /// Tags every result carries (the producer's, the models' or the language model's),
    /// comma-separated, any case.
    pub tag: Option<String>,
    /// Starred samples only (true); false or left out: all.
    pub fav: Option<bool>,
    /// At least this many stars.
    #[param(minimum = 0, maximum = 5)]
    pub rating_min: Option<u8>,
    /// One colour label only.
    #[param(value_type = Option<Colour>)]
    pub colour: Option<Colour>,
    /// One collection's samples only (its name, any case).
    pub collection: Option<String>,
    /// Also the paths hidden as a duplicate's copies.
    pub include_hidden: Option<bool>,
    /// Sort column.
    #[param(schema_with = sort_column_schema)]
    pub sort: Option<String>,
    /// Sort descending.
    pub desc: Option<bool>,
    /// Results to skip.
    #[param(minimum = 0, maximum = 4294967295_u64, value_type = Option<u64>)]
    pub offset: Option<u32>,
    /// Results to return (default 100).
    #[param(minimum = 0, maximum = 1000)]
    pub limit: Option<u32>,
}

impl SampleFilters {
    /// The engine's page query for these filters, sorted by `sort`.
    pub fn page_query(&self, sort: SortKey) -> PageQuery {
        PageQuery {
            text: self.q.clone(),
            bpm_min: self.bpm_min,
            bpm_max: self.bpm_max,
            key: self.key.clone(),
            key_compatible: self.key_compatible.unwrap_or(false),
            root: self.root.clone(),
            folder: self.folder.clone(),
            category: self.category.clone(),
            is_loop: self.is_loop,
            min_duration_s: self.min_duration,
            max_duration_s: self.max_duration,
            lufs_min: self.lufs_min,
            lufs_max: self.lufs_max,
            tags: self
                .tag
                .as_deref()
                .map(|t| t.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
            favourite: self.fav.unwrap_or(false),
            min_rating: self.rating_min,
            colour: self.colour,
            collection: self.collection.clone(),
            include_hidden: self.include_hidden.unwrap_or(false),
            sort,
            descending: self.desc.unwrap_or(false),
        }
    }
}

/// The columns `sort` accepts, as the document lists them and the handler checks them.
pub const SORT_COLUMNS: [&str; 8] = [
    "relevance",
    "name",
    "category",
    "bpm",
    "key",
    "root",
    "duration",
    "lufs",
];

/// The aspects `similar` accepts.
pub const ASPECTS: [&str; 4] = ["overall", "timbre", "pitch", "rhythm"];

fn string_enum(values: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

fn sort_column_schema() -> utoipa::openapi::Object {
    string_enum(&SORT_COLUMNS)
}

fn aspect_schema() -> utoipa::openapi::Object {
    string_enum(&ASPECTS)
}

/// A page of samples.
#[derive(Debug, Serialize, ToSchema)]
pub struct SamplePage {
    /// Matches in all.
    pub total: u64,
    /// This page.
    pub samples: Vec<SampleSummary>,
}

/// `GET /api/v1/samples/{id}/similar` options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// What "similar" means: overall (the default), timbre, pitch or rhythm.
    #[param(schema_with = aspect_schema)]
    pub aspect: Option<String>,
    /// How many (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub n: Option<u32>,
}

/// `POST /api/v1/analyze` with a JSON body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnalyzeRequest {
    /// A file inside one of the library folders.
    pub path: String,
}

/// `PATCH /api/v1/samples/{id}`: a hand correction. A field given sets that value, `null`
/// clears it (the analysis shows again), a field left out stays as it is. A rescan keeps
/// corrections; a category teaches the rest of the sample's pack.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The category, one of the taxonomy's names (lowercase), or null.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = category_schema)]
    pub category: Option<Option<String>>,
    /// The tempo, 1 to 999 BPM, or null.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = bpm_schema)]
    pub bpm: Option<Option<f64>>,
    /// The key ("A minor", "F#m", "8A"), or null.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = key_schema)]
    pub key: Option<Option<String>>,
    /// The root note with its octave ("C2", "F#1"), or null.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = root_schema)]
    pub root_note: Option<Option<String>>,
    /// Loop (true) or one-shot (false), or null.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = loop_schema)]
    pub is_loop: Option<Option<bool>>,
}

fn key_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(nullable(utoipa::openapi::schema::Type::String))
        .description(Some("A key, or null to clear it"))
        .pattern(Some(
            r"^(?:(?:0?[1-9]|1[0-2])[ABab]|[A-Ga-g][#b♯♭]{0,2} ?(?:[Mm][Ii][Nn](?:[Oo][Rr])?|[Mm][Aa][Jj](?:[Oo][Rr])?|[Mm])?)$",
        ))
        .build()
}

fn root_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(nullable(utoipa::openapi::schema::Type::String))
        .description(Some("A note and its octave, or null to clear it"))
        .pattern(Some(r"^[A-Ga-g][#b♯♭]{0,2}(?:-1|[0-9])$"))
        .build()
}

fn loop_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(nullable(utoipa::openapi::schema::Type::Boolean))
        .description(Some("Loop (true) or one-shot (false), or null to clear it"))
        .build()
}

/// A field that is present, even as `null` (`Some(None)`), apart from one left out (`None`,
/// from `#[serde(default)]`).
fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn nullable(t: utoipa::openapi::schema::Type) -> utoipa::openapi::schema::SchemaType {
    utoipa::openapi::schema::SchemaType::from_iter([t, utoipa::openapi::schema::Type::Null])
}

fn category_schema() -> utoipa::openapi::Object {
    use samplemind_engine::analysis::classify::CATEGORIES;
    let values = CATEGORIES
        .iter()
        .map(|c| serde_json::Value::from(*c))
        .chain([serde_json::Value::Null]);
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(nullable(utoipa::openapi::schema::Type::String))
        .description(Some(
            "The category, one of the taxonomy's names, or null to clear it",
        ))
        .enum_values(Some(values))
        .build()
}

fn bpm_schema() -> utoipa::openapi::Object {
    use samplemind_engine::library::browse::TEMPO_RANGE;
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(nullable(utoipa::openapi::schema::Type::Number))
        .description(Some("The tempo, BPM, or null to clear it"))
        .minimum(Some(f64::from(*TEMPO_RANGE.start())))
        .maximum(Some(f64::from(*TEMPO_RANGE.end())))
        .build()
}

/// `PATCH /api/v1/samples/{id}/marks`: the producer's marks. A field left out stays as it
/// is; `colour: null` takes the label off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarksRequest {
    /// Star (true) or unstar (false).
    pub favourite: Option<bool>,
    /// Stars, 0 (unrated) to 5.
    #[schema(minimum = 0, maximum = 5, value_type = Option<u32>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub rating: Option<u32>,
    /// A colour label, or null to take it off.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = colour_schema)]
    pub colour: Option<Option<Colour>>,
    /// Tags to add.
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub add_tags: Vec<String>,
    /// Tags to take off.
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub remove_tags: Vec<String>,
    /// Select a part of the sound, ms (its ends in either order; ends that meet select
    /// nothing), or null to take the selection off. What plays, loops and exports.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<RegionBody>, nullable)]
    pub region: Option<Option<RegionBody>>,
}

/// A part of a sound in a marks request, ms from its start.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub struct RegionBody {
    /// One end, ms (at most a day).
    #[serde(deserialize_with = "whole_ms")]
    #[schema(minimum = 0, maximum = 86_400_000, value_type = u32)]
    pub start_ms: u32,
    /// The other end, ms (at most a day).
    #[serde(deserialize_with = "whole_ms")]
    #[schema(minimum = 0, maximum = 86_400_000, value_type = u32)]
    pub end_ms: u32,
}

impl From<RegionBody> for Region {
    fn from(r: RegionBody) -> Self {
        Region {
            start_ms: r.start_ms,
            end_ms: r.end_ms,
        }
    }
}

/// A whole number of ms up to [`samplemind_engine::library::curation::MAX_REGION_MS`], as
/// JSON Schema's `integer` means it (`78.0` is one).
fn whole_ms<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let max = samplemind_engine::library::curation::MAX_REGION_MS;
    match whole_number(d)? {
        Some(v) if v <= max => Ok(v),
        other => Err(serde::de::Error::custom(format!(
            "{other:?} ms is not a whole number from 0 to {max}"
        ))),
    }
}

/// `POST /api/v1/collections`: make or change a collection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionRequest {
    /// The collection (made when there is none); names differing only in case are one.
    #[schema(schema_with = collection_name_schema)]
    pub name: String,
    /// Samples (ids) to add at the end, in this order.
    #[serde(default)]
    #[schema(schema_with = ids_schema)]
    pub add: Vec<String>,
    /// Samples (ids) to take out.
    #[serde(default)]
    #[schema(schema_with = ids_schema)]
    pub remove: Vec<String>,
    /// A new name (null or left out: the name stays).
    #[serde(default)]
    #[schema(schema_with = new_name_schema)]
    pub rename_to: Option<String>,
}

/// `POST /api/v1/duplicates/keep`: keep one path of a duplicated sample, hide the others.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepRequest {
    /// The sample (content hash, 64 hex digits).
    #[schema(pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)]
    pub id: String,
    /// The path to keep (one of the group's); the others are hidden. Left out: every path is
    /// shown again.
    #[serde(default)]
    pub keep: Option<String>,
}

/// `?name=` of the collection routes (documented by the routes themselves, with the same
/// bounds as [`collection_name_schema`]: utoipa marks a parameter with its own schema as
/// optional).
#[derive(Debug, Deserialize)]
pub struct CollectionName {
    /// The collection's name, any case.
    pub name: String,
}

/// Text the engine takes: no control characters and at least one that is not a space.
const TEXT_PATTERN: &str = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

fn colour_schema() -> utoipa::openapi::Object {
    let values = Colour::ALL
        .iter()
        .map(|c| serde_json::Value::from(c.name()))
        .chain([serde_json::Value::Null]);
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(nullable(utoipa::openapi::schema::Type::String))
        .description(Some("A colour label, or null to take it off"))
        .enum_values(Some(values))
        .build()
}

fn text(max: usize) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(TEXT_PATTERN))
        .build()
}

fn tags_schema() -> utoipa::openapi::Array {
    use samplemind_engine::library::curation::{MAX_TAGS, MAX_TAG_CHARS};
    utoipa::openapi::ArrayBuilder::new()
        .items(text(MAX_TAG_CHARS))
        .max_items(Some(MAX_TAGS))
        .build()
}

fn collection_name_schema() -> utoipa::openapi::Object {
    text(samplemind_engine::library::curation::MAX_COLLECTION_NAME_CHARS)
}

fn new_name_schema() -> utoipa::openapi::Object {
    let mut o = collection_name_schema();
    o.schema_type = nullable(utoipa::openapi::schema::Type::String);
    o
}

/// The most ids one collection request names.
pub const MAX_IDS: usize = 500;

fn ids_schema() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .pattern(Some("^[0-9a-fA-F]{64}$"))
                .min_length(Some(64))
                .max_length(Some(64)),
        )
        .max_items(Some(MAX_IDS))
        .build()
}

/// The format of processed copies.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CopyFormat {
    /// RIFF WAVE with `acid` / `smpl` chunks.
    Wav,
    /// FLAC with Vorbis comments.
    Flac,
}

/// The longest folder name a request may give for its output, in characters.
pub const MAX_FOLDER_CHARS: usize = 200;

/// `POST /api/v1/export`: copies of chosen samples, renamed and optionally processed, in a
/// folder under the export folder of the config.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    /// The folder to write into, under the export folder (`[library] export_folder`, by
    /// default `exports` in the SampleMind home): a relative path without `..`; made when
    /// missing.
    #[schema(schema_with = folder_schema)]
    pub folder: String,
    /// The copies' names from `{category} {bpm} {key} {root} {type} {name} {folder} {id}`
    /// (default `{category}_{bpm}_{key}_{name}`).
    #[serde(default)]
    #[schema(schema_with = template_schema)]
    pub rename: Option<String>,
    /// List the names and write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Cut leading and trailing silence from one-shots (loops keep their length).
    #[serde(default)]
    pub trim: bool,
    /// Bring each copy to this loudness, LUFS (peaks kept at -1 dBFS).
    #[serde(default)]
    #[schema(minimum = -40.0, maximum = 0.0)]
    pub normalise_lufs: Option<f32>,
    /// Write every copy in this format (a processed copy is otherwise FLAC for FLAC, WAV for
    /// anything else).
    #[serde(default)]
    pub format: Option<CopyFormat>,
    /// Write only the part of each sample selected on its waveform (`PATCH .../marks`
    /// `region`); samples without one are copied whole.
    #[serde(default)]
    pub regions: bool,
    /// These samples, in this order (else the filters choose).
    #[serde(default)]
    #[schema(schema_with = ids_schema)]
    pub ids: Vec<String>,
    /// Only this collection's samples, in its order.
    #[serde(default)]
    #[schema(schema_with = new_name_schema)]
    pub collection: Option<String>,
    /// Only starred samples.
    #[serde(default)]
    pub favourite: bool,
    /// Only this category.
    #[serde(default)]
    #[schema(schema_with = category_filter_schema)]
    pub category: Option<String>,
    /// Only samples with all these tags.
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
}

/// `POST /api/v1/relink`: a folder of the library moved; point it at its new place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelinkBody {
    /// The folder the library knew (gone, or moved away).
    #[schema(schema_with = path_schema)]
    pub from: String,
    /// Where it is now: inside a library folder of the config.
    #[schema(schema_with = path_schema)]
    pub to: String,
}

/// What a relink did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelinkSummary {
    /// Paths under the old folder the library knew.
    pub old_paths: u64,
    /// Of them, found at the new place (by relative path or by content).
    pub relinked: u64,
    /// Files of the new place analysed afresh (contents the library did not hold).
    pub analysed: u64,
    /// Files whose analysis was found again by content (nothing analysed).
    pub reused: u64,
    /// Files that could not be read, each with the reason.
    pub failed: Vec<String>,
}

/// `?id=` of `GET /api/v1/kit/suggest` (documented by the route itself: utoipa marks a
/// parameter with its own schema as optional).
#[derive(Debug, Deserialize)]
pub struct KitSuggestParams {
    /// The sound the kit is built around (content hash).
    pub id: String,
}

/// A pad to fill: its slot and the sample on it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PadChoice {
    /// The pad.
    pub slot: Slot,
    /// The sample (content hash).
    #[schema(pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)]
    pub id: String,
}

/// `POST /api/v1/kit/export`: write a kit's samples, SFZ and Decent Sampler preset into a
/// folder under the export folder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitExportBody {
    /// The pads (one per slot; a later one replaces an earlier one).
    #[schema(min_items = 1, max_items = 8)]
    pub pads: Vec<PadChoice>,
    /// The folder to write into, under the export folder: a relative path without `..`.
    #[schema(schema_with = folder_schema)]
    pub folder: String,
    /// The instrument's name (its files' names).
    #[schema(schema_with = collection_name_schema)]
    pub name: String,
}

/// A folder under the export folder: '/'-separated names, none starting with a dot or a
/// space, no '\\' or ':' or control character anywhere (the server checks the same in
/// `routes::export_dir`).
pub const FOLDER_PATTERN: &str = r"^[^/\\.:\s\u0000-\u001f\u007f-\u009f][^/\\:\u0000-\u001f\u007f-\u009f]*(/[^/\\.:\s\u0000-\u001f\u007f-\u009f][^/\\:\u0000-\u001f\u007f-\u009f]*)*$";

fn folder_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_FOLDER_CHARS))
        .pattern(Some(FOLDER_PATTERN))
        .build()
}

/// The longest name template, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 200;
/// The longest path a request may give, in characters.
pub const MAX_PATH_CHARS: usize = 4096;

fn template_schema() -> utoipa::openapi::Object {
    let mut o = text(MAX_TEMPLATE_CHARS);
    o.schema_type = nullable(utoipa::openapi::schema::Type::String);
    o
}

fn path_schema() -> utoipa::openapi::Object {
    text(MAX_PATH_CHARS)
}

fn category_filter_schema() -> utoipa::openapi::Object {
    let mut o = category_schema();
    o.description = Some("Only this category (one of the taxonomy's names)".into());
    o
}

/// `POST /api/v1/ai/ask`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AskRequest {
    /// The question (not blank).
    #[schema(min_length = 1, pattern = r"\S")]
    pub prompt: String,
    /// Longest answer, tokens (default 256).
    #[schema(minimum = 1, maximum = 2048)]
    #[serde(default, deserialize_with = "whole_number")]
    pub max_tokens: Option<u32>,
}

/// An answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskResponse {
    /// The text.
    pub answer: String,
    /// The provider that answered (or the cache's record of it).
    pub provider: String,
    /// The model.
    pub model: String,
    /// Served from the answer cache.
    pub cached: bool,
}

/// An optional whole number as JSON Schema's `integer` means it: `78.0` is one, as `78` is
/// (serde's u32 refuses the first). Fractions and values beyond u32 are refused.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let Some(x) = Option::<f64>::deserialize(d)? else {
        return Ok(None);
    };
    if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) {
        Ok(Some(x as u32))
    } else {
        Err(serde::de::Error::custom(format!(
            "{x} is not a whole number from 0 to {}",
            u32::MAX
        )))
    }
}
