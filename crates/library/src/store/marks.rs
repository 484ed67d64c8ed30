//! The store side of the producer's marks and collections ([`crate::curation`]): each edit
//! goes to the keep journal first, then to its tree.

use std::collections::HashMap;
use std::path::Path;

use super::{decode, encode, fused, Library};
use crate::changes::Touched;
use crate::curation::{collection_key, Collection, Curation};
use crate::error::{LibraryError, Result};
use crate::keep;
use crate::ContentHash;

impl Library {
    /// The marks on the sample under `hash` (nothing marked when there are none).
    ///
    /// # Errors
    /// [`LibraryError::Corrupt`] when the stored value does not decode or could not have been
    /// made by an edit; store errors.
    pub fn curation(&self, hash: &ContentHash) -> Result<Curation> {
        match self.curation.get(hash.0).map_err(|e| self.store_err(e))? {
            None => Ok(Curation::default()),
            Some(bytes) => checked(&hash.short(), &bytes),
        }
    }

    /// Every sample's marks (for search's catalogue: marked sounds are few beside the
    /// library), and the values that do not read, named.
    pub fn all_curation(&self) -> (HashMap<ContentHash, Curation>, Vec<LibraryError>) {
        let mut out = HashMap::new();
        let mut problems = Vec::new();
        for kv in fused(self.curation.iter()) {
            let read = kv.map_err(|e| self.store_err(e)).and_then(|(k, v)| {
                let hash =
                    ContentHash(k.as_ref().try_into().map_err(|_| LibraryError::Corrupt {
                        tree: "curation",
                        key: format!("{k:?}"),
                        reason: "key is not a content hash".into(),
                    })?);
                Ok((hash, checked(&hash.short(), &v)?))
            });
            match read {
                Ok((h, c)) => {
                    out.insert(h, c);
                }
                Err(e) => problems.push(e),
            }
        }
        (out, problems)
    }

    /// Set the marks on the sample under `hash`: journalled, then stored (nothing marked
    /// removes the entry). Search sees the change on its next query.
    ///
    /// # Errors
    /// The journal's or the store's write errors (a full disk among them).
    pub fn set_curation(&self, hash: &ContentHash, c: &Curation) -> Result<()> {
        keep::append_curation(&self.dir, hash, c)
            .map_err(|e| self.store_err(sled::Error::Io(e)))?;
        self.restore_curation(hash, c)
    }

    /// Store marks without journalling them (`repair` replays the journal through this).
    pub(crate) fn restore_curation(&self, hash: &ContentHash, c: &Curation) -> Result<()> {
        if c.is_empty() {
            self.curation.remove(hash.0)
        } else {
            self.curation.insert(hash.0, encode(c)?)
        }
        .map_err(|e| self.store_err(e))?;
        self.wrote(Touched::Sample(*hash));
        Ok(())
    }

    /// The collection called `name` (any case or spacing), if there is one.
    ///
    /// # Errors
    /// [`LibraryError::Corrupt`] when it does not decode; store errors.
    pub fn collection(&self, name: &str) -> Result<Option<Collection>> {
        let key = collection_key(name);
        match self
            .collections
            .get(key.as_bytes())
            .map_err(|e| self.store_err(e))?
        {
            None => Ok(None),
            Some(bytes) => decode("collections", &key, &bytes).map(Some),
        }
    }

    /// Every collection, in name order; the ones that do not read are returned apart.
    pub fn collections(&self) -> (Vec<Collection>, Vec<LibraryError>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for kv in fused(self.collections.iter()) {
            match kv.map_err(|e| self.store_err(e)).and_then(|(k, v)| {
                decode::<Collection>("collections", &String::from_utf8_lossy(&k), &v)
            }) {
                Ok(c) => out.push(c),
                Err(e) => problems.push(e),
            }
        }
        (out, problems)
    }

    /// Store `c` under its name: journalled, then stored.
    ///
    /// # Errors
    /// The journal's or the store's write errors.
    pub fn put_collection(&self, c: &Collection) -> Result<()> {
        keep::append_collection(&self.dir, &c.key(), Some(c))
            .map_err(|e| self.store_err(sled::Error::Io(e)))?;
        self.restore_collection(&c.key(), Some(c))
    }

    /// Delete the collection called `name` (its sounds stay in the library): journalled,
    /// then removed. Whether there was one.
    ///
    /// # Errors
    /// The journal's or the store's write errors.
    pub fn delete_collection(&self, name: &str) -> Result<bool> {
        let key = collection_key(name);
        let had = self
            .collections
            .contains_key(key.as_bytes())
            .map_err(|e| self.store_err(e))?;
        if had {
            keep::append_collection(&self.dir, &key, None)
                .map_err(|e| self.store_err(sled::Error::Io(e)))?;
            self.restore_collection(&key, None)?;
        }
        Ok(had)
    }

    /// Hide `path` from searches (or show it again): a copy of a duplicate the producer keeps
    /// one of. No file is touched. Journalled, then stored.
    ///
    /// # Errors
    /// The journal's or the store's write errors.
    pub fn set_hidden(&self, path: &Path, hidden: bool) -> Result<()> {
        keep::append_hidden(&self.dir, path, hidden)
            .map_err(|e| self.store_err(sled::Error::Io(e)))?;
        self.restore_hidden(path, hidden)
    }

    /// Hide or show `path` without journalling it (`repair`).
    pub(crate) fn restore_hidden(&self, path: &Path, hidden: bool) -> Result<()> {
        let key = super::path_key(path);
        if hidden {
            self.hidden.insert(key, &[])
        } else {
            self.hidden.remove(key)
        }
        .map_err(|e| self.store_err(e))?;
        self.wrote(Touched::Path(path.to_path_buf()));
        Ok(())
    }

    /// Whether `path` is hidden.
    pub fn is_hidden(&self, path: &Path) -> bool {
        self.hidden
            .contains_key(super::path_key(path))
            .unwrap_or(false)
    }

    /// Every hidden path.
    pub fn hidden_paths(&self) -> std::collections::HashSet<std::path::PathBuf> {
        fused(self.hidden.iter())
            .filter_map(|kv| kv.ok())
            .map(|(k, _)| super::key_path(&k))
            .collect()
    }

    /// Schema 1 to 2: a record's own `tags` (the producer's, in version 1) become the
    /// sample's marks, and the record is written again without them. A tag that is not one
    /// is dropped; a record that does not decode is left as it is (every reader skips it).
    pub(super) fn tags_to_marks(&self) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Version1 {
            #[serde(default)]
            tags: Vec<String>,
        }
        for kv in fused(self.samples.iter()) {
            let (k, v) = kv.map_err(|e| self.store_err(e))?;
            let Ok(old) = rmp_serde::from_slice::<Version1>(&v) else {
                continue;
            };
            if old.tags.is_empty() {
                continue;
            }
            let Ok(mut rec) = decode::<crate::SampleRecord>("samples", "", &v) else {
                continue;
            };
            rec.schema = crate::SCHEMA_VERSION;
            let mut marks = self.curation(&rec.hash).unwrap_or_default();
            for t in old.tags {
                if let Ok(t) = crate::curation::normalise_tag(&t) {
                    if !marks.tags.contains(&t) && marks.tags.len() < crate::curation::MAX_TAGS {
                        marks.tags.push(t);
                    }
                }
            }
            self.set_curation(&rec.hash, &marks)?;
            self.samples
                .insert(k, encode(&rec)?)
                .map_err(|e| self.store_err(e))?;
        }
        Ok(())
    }

    /// Store (or, with `None`, remove) a collection without journalling it (`repair`).
    pub(crate) fn restore_collection(&self, key: &str, c: Option<&Collection>) -> Result<()> {
        match c {
            Some(c) => self.collections.insert(key.as_bytes(), encode(c)?),
            None => self.collections.remove(key.as_bytes()),
        }
        .map_err(|e| self.store_err(e))?;
        // Search reads a collection when it is asked for it: nothing cached holds one.
        self.wrote(Touched::Other);
        Ok(())
    }
}

/// Decode marks, and refuse a value no edit could have made (a five-star bound broken, a tag
/// not normalised): the store is untrusted input too.
fn checked(key: &str, bytes: &[u8]) -> Result<Curation> {
    let c: Curation = decode("curation", key, bytes)?;
    if !c.is_valid() {
        return Err(LibraryError::Corrupt {
            tree: "curation",
            key: key.to_string(),
            reason: "marks out of bounds (rating above 5 or a tag that is not one)".into(),
        });
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::{add_to_collection, mark, Colour, CurationEdit};
    use crate::search::{search, Query};
    use crate::{repair, RepairOutcome, SampleRecord};

    fn record(dir: &std::path::Path, i: u8) -> SampleRecord {
        SampleRecord {
            hash: ContentHash([i; 32]),
            path: dir.join("pack").join(format!("kick {i}.wav")),
            ..SampleRecord::default()
        }
    }

    fn hits(lib: &Library, q: Query) -> Vec<u8> {
        let mut v: Vec<u8> = search(lib, &q)
            .unwrap()
            .0
            .iter()
            .map(|h| h.sample.hash.0[0])
            .collect();
        v.sort_unstable();
        v
    }

    /// Marks filter searches at once, outlive an analysis made again, and come back with
    /// the collections from the journal when the store is lost.
    #[test]
    fn marks_and_collections_filter_outlive_a_new_analysis_and_a_lost_store() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        lib.remember_root(&dir.path().join("pack")).unwrap();
        for i in 0..6 {
            lib.put_analysed(&record(dir.path(), i)).unwrap();
        }
        assert_eq!(hits(&lib, Query::default()).len(), 6);
        let id = |i: u8| ContentHash([i; 32]).to_hex();
        let star = CurationEdit {
            favourite: Some(true),
            rating: Some(4),
            colour: Some(Some(Colour::Red)),
            add_tags: vec!["Dark".into()],
            ..CurationEdit::default()
        };
        let shown = mark(&lib, &id(2), &star).unwrap();
        assert!(shown.favourite && shown.rating == 4 && shown.user_tags == ["dark"]);
        mark(
            &lib,
            &id(3),
            &CurationEdit {
                rating: Some(2),
                add_tags: vec!["dark".into()],
                ..CurationEdit::default()
            },
        )
        .unwrap();
        add_to_collection(&lib, "Track 12", &[id(4), id(2)]).unwrap();
        assert!(mark(
            &lib,
            &id(1),
            &CurationEdit {
                rating: Some(9),
                ..CurationEdit::default()
            }
        )
        .is_err());

        let fav = Query {
            favourite: true,
            ..Query::default()
        };
        assert_eq!(hits(&lib, fav.clone()), [2]);
        let dark = Query {
            tags: vec!["DARK".into()],
            ..Query::default()
        };
        assert_eq!(hits(&lib, dark), [2, 3]);
        assert_eq!(
            hits(
                &lib,
                Query {
                    min_rating: Some(3),
                    ..Query::default()
                }
            ),
            [2]
        );
        assert_eq!(
            hits(
                &lib,
                Query {
                    colour: Some(Colour::Red),
                    ..Query::default()
                }
            ),
            [2]
        );
        let track = Query {
            collection: Some("track  12".into()),
            ..Query::default()
        };
        assert_eq!(hits(&lib, track.clone()), [2, 4]);
        let words = Query {
            text: Some("dark".into()),
            ..Query::default()
        };
        assert_eq!(hits(&lib, words), [2, 3]);
        assert!(matches!(
            search(
                &lib,
                &Query {
                    collection: Some("nope".into()),
                    ..Query::default()
                }
            ),
            Err(crate::search::SearchError::NoCollection(_))
        ));
        let order: Vec<u8> = crate::curation::collection_samples(&lib, "TRACK 12")
            .unwrap()
            .iter()
            .map(|s| ContentHash::from_hex(&s.id).unwrap().0[0])
            .collect();
        assert_eq!(order, [4, 2], "a collection keeps the producer's order");

        // Analysed again (a new analyser): the marks stay.
        lib.put_sample(&record(dir.path(), 2)).unwrap();
        assert_eq!(hits(&lib, fav.clone()), [2]);

        // The store is lost: repair gives the marks and the collection back.
        lib.flush().unwrap();
        drop(lib);
        std::fs::remove_dir_all(dir.path().join("store")).unwrap();
        let RepairOutcome::Rebuilt(r) = repair(dir.path()).unwrap() else {
            panic!("a lost store is damage");
        };
        assert_eq!((r.marks_restored, r.collections_restored), (2, 1));
        let lib = Library::open(dir.path()).unwrap();
        assert_eq!(lib.curation(&ContentHash([2; 32])).unwrap().rating, 4);
        assert_eq!(
            lib.collection("Track 12").unwrap().unwrap().members,
            [ContentHash([4; 32]), ContentHash([2; 32])]
        );
    }

    /// A library of schema 1 kept the producer's tags in its records: opened now, they are
    /// the sample's marks, the records are rewritten without them, and nothing else changes.
    #[test]
    fn a_version_1_library_opens_with_its_tags_as_marks() {
        #[derive(serde::Serialize)]
        struct Version1<'a> {
            #[serde(flatten)]
            rec: &'a SampleRecord,
            tags: Vec<String>,
        }
        let dir = tempfile::tempdir().unwrap();
        let mut rec = record(dir.path(), 7);
        rec.schema = 1;
        rec.analysis.bpm = Some(124.0);
        {
            let lib = Library::open(dir.path()).unwrap();
            lib.put_analysed(&rec).unwrap();
            let old = Version1 {
                rec: &rec,
                tags: vec!["Dusty ".into(), "lofi".into(), String::new()],
            };
            lib.put_raw_sample(&rec.hash, &rmp_serde::to_vec_named(&old).unwrap())
                .unwrap();
            lib.meta
                .insert(super::super::META_SCHEMA, &1u32.to_be_bytes())
                .unwrap();
            lib.flush().unwrap();
        }
        let lib = Library::open(dir.path()).unwrap();
        assert_eq!(lib.schema_version().unwrap(), crate::SCHEMA_VERSION);
        assert_eq!(lib.curation(&rec.hash).unwrap().tags, ["dusty", "lofi"]);
        let now = lib.sample(&rec.hash).unwrap().unwrap();
        assert_eq!(
            (now.schema, now.analysis.bpm),
            (crate::SCHEMA_VERSION, Some(124.0))
        );
        let kept = crate::keep::read(dir.path()).unwrap();
        assert_eq!(
            kept.curation[&rec.hash].tags,
            ["dusty", "lofi"],
            "journalled too"
        );
        // Opened again: nothing to do, nothing doubled.
        drop(lib);
        let lib = Library::open(dir.path()).unwrap();
        assert_eq!(lib.curation(&rec.hash).unwrap().tags, ["dusty", "lofi"]);
    }

    /// A selection is marked whole or not at all: one unknown id, or one tag that cannot be,
    /// and nothing is written.
    #[test]
    fn marking_a_selection_checks_every_sample_first() {
        use crate::curation::mark_many;
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        for i in 0..3 {
            lib.put_analysed(&record(dir.path(), i)).unwrap();
        }
        let ids: Vec<String> = (0..3).map(|i| ContentHash([i; 32]).to_hex()).collect();
        let star = CurationEdit {
            favourite: Some(true),
            ..CurationEdit::default()
        };
        let mut with_unknown = ids.clone();
        with_unknown.push(ContentHash([9; 32]).to_hex());
        assert!(mark_many(&lib, &with_unknown, &star).is_err());
        assert!(hits(
            &lib,
            Query {
                favourite: true,
                ..Query::default()
            }
        )
        .is_empty());
        assert_eq!(mark_many(&lib, &ids, &star).unwrap(), 3);
        assert_eq!(mark_many(&lib, &ids, &star).unwrap(), 0, "already starred");
        assert_eq!(
            hits(
                &lib,
                Query {
                    favourite: true,
                    ..Query::default()
                }
            ),
            [0, 1, 2]
        );
    }

    /// A damaged or hand-made marks value is refused, never shown.
    #[test]
    fn marks_out_of_bounds_in_the_store_do_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let h = ContentHash([1; 32]);
        let bad = Curation {
            rating: 200,
            ..Curation::default()
        };
        lib.curation.insert(h.0, encode(&bad).unwrap()).unwrap();
        lib.curation.insert([9u8; 3], &b"junk"[..]).unwrap();
        assert!(lib.curation(&h).is_err());
        let (ok, problems) = lib.all_curation();
        assert!(ok.is_empty());
        assert_eq!(problems.len(), 2);
    }
}
