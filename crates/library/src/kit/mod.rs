//! The kit builder (issue 25): a drum kit of one-shots on General MIDI drum notes, picked by
//! hand or suggested from the sounds nearest one chosen sound, exported as the WAVs plus an
//! SFZ and a Decent Sampler preset that any sampler loads. [`render`] plays a MIDI file
//! through an exported SFZ offline: what a test listens to, and a preview of a kit.

pub mod render;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::browse::{find, BrowseError};
use crate::search::similar::{probe_for, Aspect, SimilarIndex};
use crate::Library;

/// A pad of a kit: its General MIDI note and the category of the sound it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// Bass drum 1, note 36.
    Kick,
    /// Acoustic snare, 38.
    Snare,
    /// Hand clap, 39.
    Clap,
    /// Closed hi-hat, 42.
    ClosedHat,
    /// Open hi-hat, 46.
    OpenHat,
    /// Low tom, 45.
    Tom,
    /// Crash cymbal, 49.
    Cymbal,
    /// Cowbell, 56: any percussion.
    Percussion,
}

impl Slot {
    /// Every pad, in the order a kit lists them.
    pub const ALL: [Slot; 8] = [
        Slot::Kick,
        Slot::Snare,
        Slot::Clap,
        Slot::ClosedHat,
        Slot::OpenHat,
        Slot::Tom,
        Slot::Cymbal,
        Slot::Percussion,
    ];

    /// The General MIDI drum note.
    pub fn note(self) -> u8 {
        match self {
            Slot::Kick => 36,
            Slot::Snare => 38,
            Slot::Clap => 39,
            Slot::ClosedHat => 42,
            Slot::OpenHat => 46,
            Slot::Tom => 45,
            Slot::Cymbal => 49,
            Slot::Percussion => 56,
        }
    }

    /// The category a sound for it has.
    pub fn category(self) -> &'static str {
        match self {
            Slot::Kick => "kick",
            Slot::Snare => "snare",
            Slot::Clap => "clap",
            Slot::ClosedHat | Slot::OpenHat => "hat",
            Slot::Tom => "tom",
            Slot::Cymbal => "cymbal",
            Slot::Percussion => "percussion",
        }
    }

    /// Its name in file names and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Slot::Kick => "kick",
            Slot::Snare => "snare",
            Slot::Clap => "clap",
            Slot::ClosedHat => "closed_hat",
            Slot::OpenHat => "open_hat",
            Slot::Tom => "tom",
            Slot::Cymbal => "cymbal",
            Slot::Percussion => "percussion",
        }
    }
}

/// One pad with its sound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pad {
    /// The pad.
    pub slot: Slot,
    /// Its MIDI note.
    pub note: u8,
    /// The sample's id (content hash, hex).
    pub id: String,
    /// A path of it.
    pub path: String,
}

/// A kit: pads with their sounds (a pad may be empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kit {
    /// The filled pads, in [`Slot::ALL`] order.
    pub pads: Vec<Pad>,
}

impl Kit {
    /// Put sample `id` on `slot` (replacing what was there).
    ///
    /// # Errors
    /// As [`find`].
    pub fn set(&mut self, lib: &Library, slot: Slot, id: &str) -> Result<(), BrowseError> {
        let rec = find(lib, id)?;
        self.pads.retain(|p| p.slot != slot);
        self.pads.push(Pad {
            slot,
            note: slot.note(),
            id: rec.hash.to_hex(),
            path: rec.path.display().to_string(),
        });
        self.pads
            .sort_by_key(|p| Slot::ALL.iter().position(|s| *s == p.slot));
        Ok(())
    }
}

/// A kit around sample `seed`: on each pad, the one-shot of the pad's category that sounds
/// most like it (timbre: the embedding when the models ran, else the DSP figures). The open
/// hat is another hat than the closed one, longer. The seed takes its own pad.
///
/// # Errors
/// As [`probe_for`] (an unknown seed).
pub fn suggest(
    lib: &Library,
    seed: &str,
    opts: &samplemind_analysis::AnalysisOptions,
) -> Result<Kit, BrowseError> {
    let (index, _) = SimilarIndex::build(lib);
    let (probe, own) = probe_for(lib, seed, opts)?;
    let near = index.query(&probe, Aspect::Timbre, index.len(), None);
    let mut kit = Kit::default();
    let mut closed_hat: Option<(String, f64)> = None;
    for slot in Slot::ALL {
        for n in &near {
            let Ok(Some(rec)) = lib.sample(&n.hash) else {
                continue;
            };
            if rec.is_loop() || rec.category() != Some(slot.category()) {
                continue;
            }
            let id = n.hash.to_hex();
            if slot == Slot::OpenHat {
                match &closed_hat {
                    Some((c, len)) if *c == id || rec.analysis.duration_s <= *len => continue,
                    _ => {}
                }
            }
            if slot == Slot::ClosedHat {
                closed_hat = Some((id.clone(), rec.analysis.duration_s));
            }
            kit.set(lib, slot, &id)?;
            break;
        }
    }
    // The chosen sound stays on its own pad even when another sounded nearer to itself.
    if let (Some(own), Ok(rec)) = (own, find(lib, seed)) {
        if let Some(slot) = Slot::ALL
            .into_iter()
            .find(|s| !rec.is_loop() && rec.category() == Some(s.category()))
        {
            kit.set(lib, slot, &own.to_hex())?;
        }
    }
    Ok(kit)
}

/// The file to copy for `pad`: its path when the library holds that path for its content,
/// else the path its content was analysed from.
fn file_of(lib: &Library, pad: &Pad) -> Result<PathBuf, std::io::Error> {
    let unknown = || {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("pad {}: no sample {} in the library", pad.note, pad.id),
        )
    };
    let rec = find(lib, &pad.id).map_err(|_| unknown())?;
    let given = PathBuf::from(&pad.path);
    let held = lib
        .path_entry(&given)
        .ok()
        .flatten()
        .is_some_and(|e| e.hash == rec.hash);
    Ok(if held { given } else { rec.path })
}

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KitExport {
    /// The SFZ instrument.
    #[serde(serialize_with = "crate::record::stored_path::serialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sfz: PathBuf,
    /// The Decent Sampler preset.
    #[serde(serialize_with = "crate::record::stored_path::serialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub dspreset: PathBuf,
    /// The samples copied beside them.
    pub samples: usize,
}

/// Write `kit` into `dir`: `samples/<note>_<pad>.<ext>` (copies; the originals are never
/// changed), `<name>.sfz` and `<name>.dspreset`, each pad on its General MIDI note. A pad's
/// file is one the library holds for its id (a kit handed in by a face is not trusted to
/// name any other file).
///
/// # Errors
/// The file system's, naming the file; a pad whose id the library does not hold.
pub fn export(
    lib: &Library,
    kit: &Kit,
    dir: &Path,
    name: &str,
) -> Result<KitExport, std::io::Error> {
    let named = |p: &Path, e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("{}: {e}", p.display()))
    };
    let samples = dir.join("samples");
    std::fs::create_dir_all(&samples).map_err(|e| named(&samples, e))?;
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = if stem.trim().is_empty() {
        "kit".to_string()
    } else {
        stem.trim().to_string()
    };
    let mut sfz = format!(
        "// {stem}: a SampleMind kit, General MIDI drum notes\n<control> default_path=samples/\n<group> loop_mode=one_shot\n"
    );
    let mut ds = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DecentSampler minVersion=\"1.0.0\">\n  <groups>\n    <group>\n",
    );
    for pad in &kit.pads {
        let from = file_of(lib, pad)?;
        let from = from.as_path();
        let ext = from
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_else(|| "wav".into());
        let file = format!("{}_{}.{ext}", pad.note, pad.slot.name());
        std::fs::copy(from, samples.join(&file)).map_err(|e| named(from, e))?;
        sfz.push_str(&format!(
            "<region> sample={file} key={} pitch_keycenter={}\n",
            pad.note, pad.note
        ));
        ds.push_str(&format!(
            "      <sample path=\"samples/{file}\" rootNote=\"{n}\" loNote=\"{n}\" hiNote=\"{n}\" trigger=\"attack\"/>\n",
            n = pad.note
        ));
    }
    ds.push_str("    </group>\n  </groups>\n</DecentSampler>\n");
    let out = KitExport {
        sfz: dir.join(format!("{stem}.sfz")),
        dspreset: dir.join(format!("{stem}.dspreset")),
        samples: kit.pads.len(),
    };
    std::fs::write(&out.sfz, sfz).map_err(|e| named(&out.sfz, e))?;
    std::fs::write(&out.dspreset, ds).map_err(|e| named(&out.dspreset, e))?;
    Ok(out)
}
