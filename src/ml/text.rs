//! Text embeddings (all-MiniLM-L6-v2, int8): search in a producer's own words.
//!
//! Each sample gets a short "document" (its name's words, folder, category, tags, type) embedded
//! at scan time; a query is embedded the same way and samples rank by cosine. Synonyms and
//! near-words ("thumping" ~ "punchy kick", "voice" ~ "vocal") match without a keyword list.

use std::path::Path;

use ort::value::TensorRef;

use super::infer::normalise;
use super::models::{ModelId, Models};
use super::MlError;
use crate::analysis::Analysis;

/// Embedding length.
pub const DIM: usize = 384;
/// Longest text embedded, tokens (MiniLM's training length).
const MAX_TOKENS: usize = 128;

/// Unit-length embeddings of `texts`, in order.
///
/// # Errors
/// The model or tokenizer is missing, damaged or refused the input.
pub fn embed(models: &Models, texts: &[&str]) -> Result<Vec<Vec<f32>>, MlError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let tok = models.tokenizer()?;
    let encodings = tok
        .encode_batch(texts.to_vec(), true)
        .map_err(|e| MlError::Input(format!("tokenizer: {e}")))?;
    let len = encodings
        .iter()
        .map(|e| e.get_ids().len().min(MAX_TOKENS))
        .max()
        .unwrap_or(1)
        .max(1);
    let b = encodings.len();
    let (mut ids, mut mask) = (vec![0i64; b * len], vec![0i64; b * len]);
    for (i, e) in encodings.iter().enumerate() {
        for (j, &id) in e.get_ids().iter().take(len).enumerate() {
            ids[i * len + j] = id as i64;
            mask[i * len + j] = 1;
        }
    }
    let types = vec![0i64; b * len];
    let pool = models.pool(ModelId::MiniLm)?;
    let hidden = pool.with_session(models.runtime(), |session| {
        let out = session.run(ort::inputs![
            "input_ids" => TensorRef::from_array_view(([b, len], &ids[..]))?,
            "attention_mask" => TensorRef::from_array_view(([b, len], &mask[..]))?,
            "token_type_ids" => TensorRef::from_array_view(([b, len], &types[..]))?,
        ])?;
        Ok(out["last_hidden_state"]
            .try_extract_tensor::<f32>()?
            .1
            .to_vec())
    })?;
    // Mean over the real tokens (sentence-transformers' pooling), then unit length.
    Ok((0..b)
        .map(|i| {
            let mut v = vec![0f32; DIM];
            let n = mask[i * len..(i + 1) * len].iter().sum::<i64>().max(1) as f32;
            for j in 0..len {
                if mask[i * len + j] == 1 {
                    let row = &hidden[(i * len + j) * DIM..][..DIM];
                    v.iter_mut().zip(row).for_each(|(a, x)| *a += x / n);
                }
            }
            normalise(&mut v);
            v
        })
        .collect())
}

/// Words of a path component: `Kick_Punchy-02.wav` → `kick punchy 02`.
fn words(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            // camelCase splits too: "DeepKick" → "deep kick".
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            out.extend(c.to_lowercase());
            prev_lower = c.is_lowercase();
        } else {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            prev_lower = false;
        }
    }
    out.trim().to_string()
}

/// The text a sample is found by: its name, folder, category, tags and type. File names are
/// data here, never instructions: they only ever reach an embedding model.
pub fn document(path: &Path, a: &Analysis) -> String {
    let mut parts = Vec::new();
    if let Some(stem) = path.file_stem() {
        parts.push(words(&stem.to_string_lossy()));
    }
    if let Some(dir) = path.parent().and_then(Path::file_name) {
        parts.push(words(&dir.to_string_lossy()));
    }
    if let Some(c) = &a.category {
        parts.push(c.clone());
    }
    parts.extend(a.model_tags.iter().map(|t| t.tag.clone()));
    parts.push(if a.is_loop { "loop" } else { "one-shot" }.to_string());
    parts.retain(|p| !p.is_empty());
    parts.join(", ")
}

/// Embed the words of each analysed sample (its [`document`]) in one MiniLM call and store
/// them in its vectors. Samples whose models did not run are left alone; when the call fails,
/// each sample keeps its other vectors and its `model_error` says why.
pub fn embed_analyses(models: &Models, items: &mut [(&Path, &mut Analysis)]) {
    let mut ready: Vec<&mut (&Path, &mut Analysis)> = items
        .iter_mut()
        .filter(|(_, a)| a.vectors.is_some() && a.model_error.is_none())
        .collect();
    if ready.is_empty() {
        return;
    }
    let docs: Vec<String> = ready.iter().map(|(p, a)| document(p, a)).collect();
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    match embed(models, &refs) {
        Ok(vs) => {
            for ((_, a), v) in ready.iter_mut().zip(vs) {
                if let Some(vectors) = a.vectors.as_mut() {
                    vectors.text = v;
                }
            }
        }
        Err(e) => {
            for (p, a) in ready.iter_mut() {
                tracing::warn!("{}: models: {e}", p.display());
                a.model_error = Some(e.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_words() {
        assert_eq!(words("Kick_Punchy-02"), "kick punchy 02");
        assert_eq!(words("DeepKick"), "deep kick");
        let a = Analysis {
            category: Some("kick".into()),
            ..Analysis::default()
        };
        let d = document(Path::new("/packs/Techno Drums/Kick_Punchy-02.wav"), &a);
        assert_eq!(d, "kick punchy 02, techno drums, kick, one-shot");
    }
}
