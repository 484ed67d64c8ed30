//! The producer's own marks on a sound (issue 25): favourite, a rating, a colour label and
//! their own tags; and named, ordered collections (a sound in as many as they like).
//!
//! All of it is keyed by content hash, in trees of its own beside the analyses: a star is a
//! write of a few bytes, not of the whole record; an analysis made again (a new analyser, an
//! analysis taken from the studio's Redis) never has to carry it over; and a renamed or moved
//! file keeps its marks because its content does. Every edit is journalled first
//! ([`crate::keep`]), so `repair` gives it back even when the store is lost.

mod edit;

use std::fmt;
use std::str::FromStr;

pub use edit::{
    add_to_collection, collection_samples, delete_collection, list_collections, mark, mark_many,
    remove_from_collection, rename_collection, CollectionSummary,
};

use serde::{Deserialize, Serialize};

use crate::ContentHash;

/// The most stars a rating has.
pub const MAX_RATING: u8 = 5;
/// The most tags of a user on one sound; a tag's longest length, characters.
pub const MAX_TAGS: usize = 64;
/// A tag's longest length, characters.
pub const MAX_TAG_CHARS: usize = 40;
/// A collection name's longest length, characters.
pub const MAX_COLLECTION_NAME_CHARS: usize = 80;
/// The most sounds in one collection (a bound on what one journal line and one value hold).
pub const MAX_COLLECTION_MEMBERS: usize = 100_000;

/// A colour label, as Finder, Ableton's browser and most sample managers offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    /// Red.
    Red,
    /// Orange.
    Orange,
    /// Yellow.
    Yellow,
    /// Green.
    Green,
    /// Blue.
    Blue,
    /// Purple.
    Purple,
    /// Grey.
    Grey,
}

impl Colour {
    /// Every label, in the order the faces list them.
    pub const ALL: [Colour; 7] = [
        Colour::Red,
        Colour::Orange,
        Colour::Yellow,
        Colour::Green,
        Colour::Blue,
        Colour::Purple,
        Colour::Grey,
    ];

    /// The label's name, lowercase.
    pub fn name(self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Orange => "orange",
            Colour::Yellow => "yellow",
            Colour::Green => "green",
            Colour::Blue => "blue",
            Colour::Purple => "purple",
            Colour::Grey => "grey",
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Colour {
    type Err = CurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase();
        let s = if s == "gray" { "grey".to_string() } else { s };
        Colour::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or(CurationError::BadColour(s))
    }
}

/// What the producer marked on one sound. The default (nothing marked) is not stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Curation {
    /// Starred.
    pub favourite: bool,
    /// 0 (unrated) to [`MAX_RATING`].
    pub rating: u8,
    /// A colour label.
    pub colour: Option<Colour>,
    /// The producer's own tags, normalised ([`normalise_tag`]), in the order added.
    pub tags: Vec<String>,
    /// The part of the sound they selected on its waveform: what plays, loops and exports.
    pub region: Option<Region>,
}

/// The farthest a region's end may lie, ms: a day (no sample is longer).
pub const MAX_REGION_MS: u32 = 86_400_000;

/// A part of a sound, milliseconds from its start; `start_ms < end_ms <= MAX_REGION_MS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// Where it starts, ms.
    pub start_ms: u32,
    /// Where it ends, ms.
    pub end_ms: u32,
}

impl Region {
    /// The region between two points in either order; none when they are the same (a
    /// click, not a drag).
    pub fn between(a_ms: u32, b_ms: u32) -> Option<Region> {
        (a_ms != b_ms).then(|| Region {
            start_ms: a_ms.min(b_ms),
            end_ms: a_ms.max(b_ms),
        })
    }

    /// Start and end, seconds.
    pub fn seconds(&self) -> (f64, f64) {
        (self.start_ms as f64 / 1e3, self.end_ms as f64 / 1e3)
    }
}

impl Curation {
    /// Nothing is marked.
    pub fn is_empty(&self) -> bool {
        *self == Curation::default()
    }

    /// Whether the value read from the store or the journal is one an edit could have made
    /// (a damaged or hand-edited value is dropped, never shown).
    pub fn is_valid(&self) -> bool {
        self.rating <= MAX_RATING
            && self.tags.len() <= MAX_TAGS
            && self.tags.iter().all(|t| is_normal_tag(t))
            && self
                .region
                .is_none_or(|r| r.start_ms < r.end_ms && r.end_ms <= MAX_REGION_MS)
    }

    /// `self` with `edit` applied. Everything is checked before anything changes.
    ///
    /// # Errors
    /// [`CurationError`] naming the rating or tag that cannot be.
    pub fn edited(&self, edit: &CurationEdit) -> Result<Curation, CurationError> {
        let mut c = self.clone();
        if let Some(f) = edit.favourite {
            c.favourite = f;
        }
        if let Some(r) = edit.rating {
            if r > MAX_RATING {
                return Err(CurationError::BadRating(r));
            }
            c.rating = r;
        }
        if let Some(colour) = edit.colour {
            c.colour = colour;
        }
        if let Some(region) = edit.region {
            if let Some(r) = region.filter(|r| r.start_ms.max(r.end_ms) > MAX_REGION_MS) {
                return Err(CurationError::BadRegion(r.start_ms.max(r.end_ms)));
            }
            // Ends in either order; ends that meet select nothing, so the region goes.
            c.region = region.and_then(|r| Region::between(r.start_ms, r.end_ms));
        }
        for t in &edit.remove_tags {
            let t = normalise_tag(t)?;
            c.tags.retain(|x| *x != t);
        }
        for t in &edit.add_tags {
            let t = normalise_tag(t)?;
            if !c.tags.contains(&t) {
                c.tags.push(t);
            }
        }
        if c.tags.len() > MAX_TAGS {
            return Err(CurationError::TooManyTags(c.tags.len()));
        }
        Ok(c)
    }
}

/// A change of one sound's marks. A field left `None` (or an empty list) stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct CurationEdit {
    /// Star (true) or unstar (false).
    pub favourite: Option<bool>,
    /// Stars, 0 (unrated) to 5.
    pub rating: Option<u8>,
    /// Set a colour label (`Some(Some(..))`) or take it off (`Some(None)`, `null`).
    #[serde(with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Colour>))]
    pub colour: Option<Option<Colour>>,
    /// Tags to add (normalised: lowercase, single spaces).
    pub add_tags: Vec<String>,
    /// Tags to take off.
    pub remove_tags: Vec<String>,
    /// Select a part of the sound (`Some(Some(..))`; its ends in either order, and ends that
    /// meet select nothing) or take the selection off (`Some(None)`, `null`).
    #[serde(with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Region>))]
    pub region: Option<Option<Region>>,
}

/// `Option<Option<T>>` in JSON: a missing field is `None` (no change), `null` is `Some(None)`
/// (clear it).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A named, ordered list of sounds ("Track 12", "Best kicks").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Collection {
    /// The name as the producer typed it (trimmed).
    pub name: String,
    /// The sounds, in the producer's order, each once.
    pub members: Vec<ContentHash>,
}

impl Collection {
    /// The store's key of this collection: names differing only in case or spacing are one.
    pub fn key(&self) -> String {
        collection_key(&self.name)
    }
}

/// Why a mark or a collection edit was refused. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurationError {
    /// A rating above five stars.
    #[error("a rating is 0 to {MAX_RATING} stars, not {0}")]
    BadRating(u8),
    /// A colour label that is not one.
    #[error("not a colour label: {0:?} (one of red, orange, yellow, green, blue, purple, grey)")]
    BadColour(String),
    /// A tag that is empty, too long or holds control characters.
    #[error("not a tag: {0:?} (1 to {MAX_TAG_CHARS} characters, no control characters)")]
    BadTag(String),
    /// A region ending past [`MAX_REGION_MS`].
    #[error("a region ends at most {MAX_REGION_MS} ms in, not {0}")]
    BadRegion(u32),
    /// More tags than a sound can have.
    #[error("{0} tags: a sound has at most {MAX_TAGS}")]
    TooManyTags(usize),
    /// A collection name that is empty, too long or holds control characters.
    #[error("not a collection name: {0:?} (1 to {MAX_COLLECTION_NAME_CHARS} characters, no control characters)")]
    BadCollectionName(String),
    /// A new name another collection has.
    #[error("another collection is called {0:?}")]
    NameTaken(String),
    /// A collection grown past its bound.
    #[error("a collection holds at most {MAX_COLLECTION_MEMBERS} sounds")]
    CollectionTooLarge,
}

/// A tag as stored: trimmed, lowercase, inner runs of white space as one space.
///
/// # Errors
/// [`CurationError::BadTag`] for an empty or over-long tag, or one with control characters.
pub fn normalise_tag(t: &str) -> Result<String, CurationError> {
    // The length is the typed one: lowercasing can lengthen a word ('İ' is two characters
    // lowercase), and a tag the API's document allows must not be refused for it.
    let n = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() || n.chars().count() > MAX_TAG_CHARS || n.chars().any(char::is_control) {
        return Err(CurationError::BadTag(t.to_string()));
    }
    Ok(n.to_lowercase())
}

/// Whether `t` is a tag as [`normalise_tag`] leaves one (lowercasing at most triples a
/// character's length).
fn is_normal_tag(t: &str) -> bool {
    !t.is_empty()
        && t.chars().count() <= 3 * MAX_TAG_CHARS
        && !t.chars().any(char::is_control)
        && folded(t) == t
}

/// A collection name as shown: trimmed, inner white space as one space.
///
/// # Errors
/// [`CurationError::BadCollectionName`] for an empty or over-long name, or one with control
/// characters.
pub fn normalise_collection_name(name: &str) -> Result<String, CurationError> {
    let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty()
        || n.chars().count() > MAX_COLLECTION_NAME_CHARS
        || n.chars().any(char::is_control)
    {
        return Err(CurationError::BadCollectionName(name.to_string()));
    }
    Ok(n)
}

/// The store's key of the collection called `name` (see [`Collection::key`]).
pub fn collection_key(name: &str) -> String {
    folded(name)
}

/// A tag as filters compare it, from any source (a model's, a language model's, typed):
/// lowercase, white space as single spaces.
pub fn tag_key(tag: &str) -> String {
    folded(tag)
}

fn folded(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_set_in_either_order_and_taken_off_by_null_or_meeting_ends() {
        let set = |r: Option<Region>| CurationEdit {
            region: Some(r),
            ..CurationEdit::default()
        };
        let c = Curation::default()
            .edited(&set(Some(Region {
                start_ms: 900,
                end_ms: 250,
            })))
            .unwrap();
        assert_eq!(
            c.region,
            Some(Region {
                start_ms: 250,
                end_ms: 900
            })
        );
        assert!(c.is_valid());
        // Left out, it stays; null, or ends that meet, take it off.
        assert_eq!(c.edited(&CurationEdit::default()).unwrap().region, c.region);
        assert_eq!(c.edited(&set(None)).unwrap().region, None);
        let point = Region {
            start_ms: 5,
            end_ms: 5,
        };
        assert_eq!(c.edited(&set(Some(point))).unwrap().region, None);
        let far = Region {
            start_ms: 0,
            end_ms: MAX_REGION_MS + 1,
        };
        assert!(c.edited(&set(Some(far))).is_err());
        // A stored region that could not have been made is not shown.
        let bad = Curation {
            region: Some(point),
            ..Curation::default()
        };
        assert!(!bad.is_valid());
        // An old record without the field reads as no region.
        let old = rmp_serde::to_vec_named(&serde_json::json!({"favourite": true})).unwrap();
        let read: Curation = rmp_serde::from_slice(&old).unwrap();
        assert!(read.favourite && read.region.is_none());
    }

    #[test]
    fn an_edit_adds_and_removes_tags_once_each_and_refuses_what_cannot_be() {
        let c = Curation::default()
            .edited(&CurationEdit {
                favourite: Some(true),
                rating: Some(4),
                colour: Some(Some(Colour::Blue)),
                add_tags: vec!["  Dark ".into(), "dark".into(), "Track  12".into()],
                ..CurationEdit::default()
            })
            .unwrap();
        assert_eq!(c.tags, ["dark", "track 12"]);
        assert!(c.favourite && c.rating == 4 && c.colour == Some(Colour::Blue));
        assert!(c.is_valid());
        let c2 = c
            .edited(&CurationEdit {
                colour: Some(None),
                remove_tags: vec!["DARK".into()],
                ..CurationEdit::default()
            })
            .unwrap();
        assert_eq!(
            (c2.tags.as_slice(), c2.colour),
            (&["track 12".to_string()][..], None)
        );
        for bad in [
            CurationEdit {
                rating: Some(6),
                ..CurationEdit::default()
            },
            CurationEdit {
                add_tags: vec!["   ".into()],
                ..CurationEdit::default()
            },
            CurationEdit {
                add_tags: vec!["x".repeat(41)],
                ..CurationEdit::default()
            },
            CurationEdit {
                add_tags: (0..65).map(|i| format!("t{i}")).collect(),
                ..CurationEdit::default()
            },
        ] {
            assert!(c.edited(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn colours_read_in_any_case_and_a_missing_colour_is_no_change_but_null_clears() {
        assert_eq!("Gray".parse::<Colour>(), Ok(Colour::Grey));
        assert!("teal".parse::<Colour>().is_err());
        let keep: CurationEdit = serde_json::from_str(r#"{"favourite":true}"#).unwrap();
        assert_eq!(keep.colour, None);
        let clear: CurationEdit = serde_json::from_str(r#"{"colour":null}"#).unwrap();
        assert_eq!(clear.colour, Some(None));
        let set: CurationEdit = serde_json::from_str(r#"{"colour":"red"}"#).unwrap();
        assert_eq!(set.colour, Some(Some(Colour::Red)));
    }

    #[test]
    fn collection_names_differing_in_case_and_spacing_are_one() {
        assert_eq!(collection_key("Track  12 "), collection_key("track 12"));
        assert_eq!(normalise_collection_name(" Track  12").unwrap(), "Track 12");
        assert!(normalise_collection_name("").is_err());
        assert!(normalise_collection_name("a\u{7}b").is_err());
    }
}
