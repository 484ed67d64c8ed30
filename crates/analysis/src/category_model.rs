//! Category from what the models heard: a logistic regression over the DSP features and the
//! sound's embeddings (aisfx for one-shots, musicnn for loops and long sounds), trained by
//! `tools/train_classifier.py --models` (data recipe: `scripts/train-classifier.sh`) and
//! shipped as `assets/models/category_models.json`, compiled into the binary.
//!
//! It replaces the DSP classifier's category when the models ran. The DSP figures describe
//! a spectrum's shape, not the instrument: they cannot tell a GM trumpet from a sax or a tom
//! from a low conga. The embeddings were trained to tell sounds apart and carry what the
//! figures miss. It learns from the training corpus (scripts/build-train-corpus.sh): 71.4 %
//! with each of its 16 source families left out in turn, where the DSP classifier scores 65.7 %
//! and the DEV-trained model this one replaced 59.6 %. Its probabilities are calibrated on
//! the families left out (a temperature, expected calibration error 0.112 → 0.027), and the
//! least sure tenth of its calls are flagged unsure. Set `SAMPLEMIND_NO_MODEL_CLASSIFIER=1`
//! (or `SAMPLEMIND_NO_CLASSIFIER=1`) to switch it off.

use std::sync::OnceLock;

use serde::Deserialize;

use super::classify::{self, Linear};
use super::sound::StageInputs;
use samplemind_ml::{aisfx, musicnn, SoundVectors};

pub(crate) const MODEL_JSON: &str = include_str!("../../../assets/models/category_models.json");

/// Whether the models' call (probability `models`) replaces the DSP classifier's (`dsp`):
/// the surer of the two wins. Both are calibrated, so their probabilities compare. With each
/// source left out (`tools/overrule_check.py --oof`), the threshold chosen without the source
/// scores 72.2 %: from any models' probability of 0.5 or more (the rule before calibration)
/// 71.6 %, the models alone 71.4 %, the DSP classifier alone 65.7 %.
pub fn overrules(models: f32, dsp: f32) -> bool {
    models >= dsp
}

const AISFX_DIM: usize = aisfx::DIM;
const MUSICNN_DIM: usize = musicnn::DIM;

#[derive(Deserialize)]
struct Model {
    mean: Vec<f32>,
    scale: Vec<f32>,
    category: Linear,
}

fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| {
        let want = super::features::NAMES.len() + AISFX_DIM + MUSICNN_DIM;
        classify::load_model(
            "category_models.json",
            MODEL_JSON,
            "SAMPLEMIND_NO_MODEL_CLASSIFIER",
            |m: &Model| {
                m.mean.len() == want && m.scale.len() == want && m.category.inputs() == want
            },
        )
    })
    .as_ref()
}

/// The classifier's input: the DSP features, then the aisfx and musicnn embeddings (zeros
/// where a model did not run on this sound).
pub fn input(inputs: &StageInputs, v: &SoundVectors) -> Vec<f32> {
    let mut x = inputs.classifier_input.clone();
    x.extend(fixed(&v.aisfx, AISFX_DIM));
    x.extend(fixed(&v.musicnn, MUSICNN_DIM));
    x
}

/// `v`, or zeros when it is missing or of another length.
fn fixed(v: &[f32], n: usize) -> impl Iterator<Item = f32> + '_ {
    let ok = v.len() == n;
    (0..n).map(move |i| if ok { v[i] } else { 0.0 })
}

/// The calibrated probability below which the models' category call is unsure (0 when the
/// model is switched off or carries no threshold).
pub fn unsure_below() -> f32 {
    model().map_or(0.0, |m| m.category.unsure_below())
}

/// The models' reading of one sound.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Best category.
    pub category: String,
    /// Its calibrated probability, 0..1.
    pub probability: f32,
    /// The probability is below the model's "unsure" threshold.
    pub unsure: bool,
    /// The probability of each of [`classify::CATEGORIES`], in that order.
    pub distribution: Vec<f32>,
}

/// The category of a sound given its DSP stage's `inputs` and its embeddings `v`; `None` when
/// the classifier is switched off, or no embedding was made (silence).
pub fn classify(inputs: &StageInputs, v: &SoundVectors) -> Option<Call> {
    if v.aisfx.is_empty() && v.musicnn.is_empty() {
        return None;
    }
    let m = model()?;
    let x = input(inputs, v);
    if x.len() != m.mean.len() {
        return None;
    }
    let z = classify::standardise(&x, &m.mean, &m.scale);
    let (c, p) = m.category.best(&z)?;
    Some(Call {
        category: c.to_string(),
        probability: p,
        unsure: m.category.is_unsure(p),
        distribution: m.category.distribution(&z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_loads_and_names_a_category_of_the_taxonomy() {
        assert!(
            model().is_some(),
            "assets/models/category_models.json must load"
        );
        let a = StageInputs {
            classifier_input: crate::features::vector(
                &crate::Analysis::default(),
                &StageInputs::default(),
            ),
            ..StageInputs::default()
        };
        let v = SoundVectors {
            aisfx: vec![1.0 / (AISFX_DIM as f32).sqrt(); AISFX_DIM],
            ..SoundVectors::default()
        };
        let call = classify(&a, &v).expect("a category");
        let (c, p, dist) = (call.category, call.probability, call.distribution);
        assert!(classify::CATEGORIES.contains(&c.as_str()), "{c}");
        assert!((0.0..=1.0).contains(&p));
        // The distribution sums to one and peaks at the category named.
        assert_eq!(dist.len(), classify::CATEGORIES.len());
        assert!((dist.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        let at = classify::CATEGORIES.iter().position(|k| *k == c).unwrap();
        assert!((dist[at] - p).abs() < 1e-6);
        assert!(classify(&a, &SoundVectors::default()).is_none());
    }
}
