//! Category and loop/one-shot from the feature vector: logistic regressions trained by
//! `tools/train_classifier.py` on the training corpus (data recipe:
//! `scripts/train-classifier.sh`) and shipped as `assets/models/classifier.json`, compiled
//! into the binary. With each of the corpus's 16 source families left out in turn: category
//! 65.7 %, loop / one-shot 99.3 %.
//!
//! Set `SAMPLEMIND_NO_CLASSIFIER=1` to switch them off (training does, so a model never
//! learns from its own output).

use std::sync::OnceLock;

use serde::Deserialize;

use super::features;

pub(crate) const MODEL_JSON: &str = include_str!("../../../assets/models/classifier.json");

/// Categories that are drums: they get no root note and no key.
pub const DRUM_CATEGORIES: &[&str] = &[
    "kick",
    "snare",
    "clap",
    "hat",
    "tom",
    "cymbal",
    "percussion",
    "drums",
];

/// The category taxonomy the classifier names (the shared eval kit's), in its order.
pub const CATEGORIES: &[&str] = &[
    "bass",
    "brass",
    "clap",
    "cymbal",
    "drums",
    "fx",
    "guitar",
    "hat",
    "keys",
    "kick",
    "mallets",
    "music",
    "pad",
    "percussion",
    "snare",
    "strings",
    "synth",
    "tom",
    "vocal",
    "woodwind",
];

/// What a sound whose category call is unsure is filed under by search, beside its guess.
pub const UNSURE: &str = "unsure";

/// A multinomial logistic regression over standardised features, with its calibration.
#[derive(Deserialize)]
pub(crate) struct Linear {
    classes: Vec<String>,
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
    /// The logits are divided by this before the softmax. A regression trained on some sources
    /// is too sure on others; the training script fits it on leave-one-source-out
    /// predictions, so that a call made at 0.8 is right about 80 % of the time on unseen
    /// sources. Older models lack it: 1 leaves them as they were.
    #[serde(default = "one")]
    temperature: f32,
    /// A call below this (calibrated) probability is unsure: the script puts it where, leaving
    /// each source out, 90 % of calls are above it. 0 on a model without one.
    #[serde(default)]
    unsure_below: f32,
}

fn one() -> f32 {
    1.0
}

impl Linear {
    /// The most probable class of the standardised `z`, and its probability.
    pub(crate) fn best(&self, z: &[f32]) -> Option<(&str, f32)> {
        let p = self.softmax(z);
        let (best, &top) = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
        Some((self.classes.get(best)?.as_str(), top))
    }

    /// The probability of each of [`CATEGORIES`] for the standardised `z`, in that order (0
    /// for a category the model does not know).
    pub(crate) fn distribution(&self, z: &[f32]) -> Vec<f32> {
        let p = self.softmax(z);
        CATEGORIES
            .iter()
            .map(|c| {
                self.classes
                    .iter()
                    .position(|k| k == c)
                    .map_or(0.0, |i| p[i])
            })
            .collect()
    }

    /// Class probabilities, in the model's class order.
    fn softmax(&self, z: &[f32]) -> Vec<f32> {
        let logits: Vec<f32> = self
            .weights
            .iter()
            .zip(&self.bias)
            .map(|(w, b)| (w.iter().zip(z).map(|(a, b)| a * b).sum::<f32>() + b) / self.temperature)
            .collect();
        let max = logits.iter().copied().fold(f32::MIN, f32::max);
        let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        exp.iter().map(|e| e / sum).collect()
    }

    /// A call with (calibrated) probability `p` is unsure.
    pub(crate) fn is_unsure(&self, p: f32) -> bool {
        p < self.unsure_below
    }

    /// The calibrated probability below which a call is unsure.
    pub(crate) fn unsure_below(&self) -> f32 {
        self.unsure_below
    }

    /// Inputs it expects.
    pub(crate) fn inputs(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }
}

#[derive(Deserialize)]
struct Binary {
    weights: Vec<f32>,
    bias: f32,
    mean: Vec<f32>,
    scale: Vec<f32>,
}

#[derive(Deserialize)]
struct Model {
    mean: Vec<f32>,
    scale: Vec<f32>,
    category: Linear,
    #[serde(rename = "loop")]
    is_loop: Binary,
}

/// The calibrated probability below which the DSP classifier's category call is unsure (0
/// when it is switched off).
pub fn unsure_below() -> f32 {
    model().map_or(0.0, |m| m.category.unsure_below())
}

/// `SAMPLEMIND_NO_CLASSIFIER` (or `name` for one classifier) is set to anything but `0`.
pub(crate) fn switched_off(name: &str) -> bool {
    ["SAMPLEMIND_NO_CLASSIFIER", name]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| v != "0"))
}

fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| {
        load_model(
            "classifier.json",
            MODEL_JSON,
            "SAMPLEMIND_NO_DSP_CLASSIFIER",
            |m: &Model| {
                m.mean.len() == features::NAMES.len()
                    && m.is_loop.weights.len() == features::NAMES.len()
            },
        )
    })
    .as_ref()
}

/// Parse the committed model `file` (its text `json`): `None` when `switch` (or
/// `SAMPLEMIND_NO_CLASSIFIER`) turns it off, and `None` with a warning naming the file when
/// it does not parse or `fits` says it was trained on other inputs.
pub(crate) fn load_model<T: serde::de::DeserializeOwned>(
    file: &str,
    json: &str,
    switch: &str,
    fits: impl FnOnce(&T) -> bool,
) -> Option<T> {
    if switched_off(switch) {
        return None;
    }
    match serde_json::from_str::<T>(json) {
        Ok(m) if fits(&m) => Some(m),
        Ok(_) => {
            tracing::warn!(
                "{file} was trained on other features; retrain it (scripts/train-classifier.sh)"
            );
            None
        }
        Err(e) => {
            tracing::warn!("{file} does not parse: {e}");
            None
        }
    }
}

/// What the classifiers say about a sound.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Best category.
    pub category: String,
    /// Its probability, 0..1.
    pub category_probability: f32,
    /// The probability is below the model's calibrated threshold.
    pub category_unsure: bool,
    /// The probability of each of [`CATEGORIES`], in that order.
    pub distribution: Vec<f32>,
    /// Loop rather than one-shot.
    pub is_loop: bool,
    /// Probability of loop, 0..1.
    pub loop_probability: f32,
}

/// `(x - mean) / scale`, 0 where the training set had no spread.
pub(crate) fn standardise(x: &[f32], mean: &[f32], scale: &[f32]) -> Vec<f32> {
    x.iter()
        .zip(mean)
        .zip(scale)
        .map(|((v, m), s)| if *s > 0.0 { (v - m) / s } else { 0.0 })
        .collect()
}

/// Classify a feature vector ([`features::vector`]); `None` when the model is switched off
/// or does not match the features.
pub fn classify(x: &[f32]) -> Option<Verdict> {
    let m = model()?;
    if x.len() != m.mean.len() {
        return None;
    }
    let z = standardise(x, &m.mean, &m.scale);
    let (category, p) = m.category.best(&z)?;
    let distribution = m.category.distribution(&z);
    let zl = standardise(x, &m.is_loop.mean, &m.is_loop.scale);
    let l = m
        .is_loop
        .weights
        .iter()
        .zip(&zl)
        .map(|(a, b)| a * b)
        .sum::<f32>()
        + m.is_loop.bias;
    let p_loop = 1.0 / (1.0 + (-l).exp());
    Some(Verdict {
        category: category.to_string(),
        category_probability: p,
        category_unsure: m.category.is_unsure(p),
        distribution,
        is_loop: p_loop >= 0.5,
        loop_probability: p_loop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_loads_and_matches_the_features() {
        let m = model().expect("assets/models/classifier.json must load");
        assert_eq!(m.mean.len(), features::NAMES.len());
        assert_eq!(m.category.weights.len(), m.category.classes.len());
        assert!(m.category.classes.iter().any(|c| c == "kick"));
        let v = classify(&features::vector(
            &super::super::Analysis::default(),
            &super::super::sound::StageInputs::default(),
        ))
        .unwrap();
        assert!((0.0..=1.0).contains(&v.category_probability));
        assert_eq!(
            v.category_unsure,
            m.category.is_unsure(v.category_probability)
        );
    }

    #[test]
    fn the_shipped_model_is_calibrated_and_a_higher_temperature_is_less_sure() {
        let m = model().expect("assets/models/classifier.json must load");
        // scripts/train-classifier.sh writes both; a model without them was not calibrated.
        assert!(m.category.temperature > 0.0 && m.category.temperature != 1.0);
        assert!((0.05..0.9).contains(&m.category.unsure_below));
        let z = vec![0.5; m.category.inputs()];
        let hot = Linear {
            classes: m.category.classes.clone(),
            weights: m.category.weights.clone(),
            bias: m.category.bias.clone(),
            temperature: m.category.temperature * 4.0,
            unsure_below: m.category.unsure_below,
        };
        let (c, p) = m.category.best(&z).unwrap();
        let (c_hot, p_hot) = hot.best(&z).unwrap();
        assert_eq!(c, c_hot, "temperature keeps the order of the classes");
        assert!(p_hot < p, "{p_hot} < {p}");
    }
}
