//! One helper that feeds an f32 tensor to a model and copies out the named f32 outputs.

use ort::value::TensorRef;

use super::models::{ModelId, Models};
use super::MlError;

/// One output tensor: its shape and values.
pub(crate) type Output = (Vec<usize>, Vec<f32>);

/// Run model `id` on `data` (shape `shape`, fed as input `input`) and return each of
/// `outputs` as (shape, values).
pub(crate) fn run_f32(
    models: &Models,
    id: ModelId,
    input: &str,
    shape: &[usize],
    data: &[f32],
    outputs: &[&str],
) -> Result<Vec<Output>, MlError> {
    let pool = models.pool(id)?;
    pool.with_session(models.runtime, |session| {
        let tensor = TensorRef::from_array_view((shape.to_vec(), data))?;
        let result = session.run(ort::inputs![input => tensor])?;
        outputs
            .iter()
            .map(|name| {
                let value = result.get(name).ok_or_else(|| {
                    ort::Error::new(format!("the model has no output named {name}"))
                })?;
                let (s, v) = value.try_extract_tensor::<f32>()?;
                Ok((s.iter().map(|&d| d.max(0) as usize).collect(), v.to_vec()))
            })
            .collect()
    })
}

/// Scale `v` to unit length (cosine similarity becomes a dot product); zero stays zero.
pub fn normalise(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}
