//! Text embeddings (all-MiniLM-L6-v2, int8): search in a producer's own words.
//!
//! Each sample gets a short "document" (its name's words, folder, category, tags, type: see the
//! analysis pipeline's words stage) embedded at scan time; a query is embedded the same way and
//! samples rank by cosine. Synonyms and near-words ("thumping" ~ "punchy kick", "voice" ~
//! "vocal") match without a keyword list.

use ort::value::TensorRef;

use super::infer::normalise;
use super::models::{ModelId, Models};
use super::MlError;

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
