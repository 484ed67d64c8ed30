//! The words stage: the text a sample is found by (its name, folder, category, tags and
//! type), embedded by MiniLM in batches across sounds (a batch of 32 costs half as much per
//! text as one at a time), after the models' stage.

use std::path::Path;

use crate::record::Analysis;
use crate::sound::Analysed;
use samplemind_ml::{text, Models};

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
pub fn run(models: &Models, items: &mut [(&Path, &mut Analysed)]) {
    let mut ready: Vec<&mut (&Path, &mut Analysed)> = items
        .iter_mut()
        .filter(|(_, a)| a.vectors.is_some() && a.analysis.model_error.is_none())
        .collect();
    if ready.is_empty() {
        return;
    }
    let docs: Vec<String> = ready
        .iter()
        .map(|(p, a)| document(p, &a.analysis))
        .collect();
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    match text::embed(models, &refs) {
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
                a.analysis.model_error = Some(e.to_string());
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
