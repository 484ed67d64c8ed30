//! Planar f32 written back to a file a producer's tools open: WAV (hound) or FLAC (flacenc),
//! as 16- or 24-bit integers, for the tidy-up export's processed copies.
//!
//! flacenc is the FLAC encoder in pure Rust (no libFLAC to build or ship, so the first
//! set-up command still needs no `-dev` package); hound is already the project's WAV writer.
//! A 16-bit copy is dithered (TPDF, one LSB peak-to-peak): a trimmed or normalised sound
//! quantised without it keeps its quiet tail as distortion rather than as noise.

use std::path::Path;

/// The container and codec of a written copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// RIFF WAVE, integer PCM.
    Wav,
    /// FLAC, lossless.
    Flac,
}

impl Encoding {
    /// The file name extension of a copy in this encoding.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Flac => "flac",
        }
    }
}

/// The highest rate flacenc's configuration check accepts.
pub const FLAC_MAX_RATE: u32 = 96_000;

/// Why a copy could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// Nothing to write, or planes of different lengths.
    #[error("no audio to write")]
    Empty,
    /// A bit depth other than 16 or 24.
    #[error("{0}-bit copies are not written (16 or 24)")]
    Bits(u16),
    /// A rate the format or encoder does not take.
    #[error("{rate} Hz cannot be written as {format:?} (at most {max} Hz)")]
    Rate {
        /// The rate asked for.
        rate: u32,
        /// The format.
        format: Encoding,
        /// The highest rate it takes.
        max: u32,
    },
    /// The encoder refused the stream.
    #[error("the {0:?} encoder failed: {1}")]
    Encoder(Encoding, String),
    /// Writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The reason.
        source: std::io::Error,
    },
}

/// Write `planes` (one `Vec` per channel, equal lengths, nominal range ±1) at `rate` Hz to
/// `path` as `bits`-bit integers in `format`. Values past full scale are clipped.
///
/// # Errors
/// [`EncodeError`] naming what the format refused or the file that could not be written;
/// a file half-written is removed.
pub fn write(
    path: &Path,
    planes: &[Vec<f32>],
    rate: u32,
    bits: u16,
    format: Encoding,
) -> Result<(), EncodeError> {
    let frames = planes.first().map_or(0, Vec::len);
    if frames == 0 || planes.iter().any(|p| p.len() != frames) {
        return Err(EncodeError::Empty);
    }
    if bits != 16 && bits != 24 {
        return Err(EncodeError::Bits(bits));
    }
    if format == Encoding::Flac && rate > FLAC_MAX_RATE {
        return Err(EncodeError::Rate {
            rate,
            format,
            max: FLAC_MAX_RATE,
        });
    }
    let ints = quantise(planes, bits);
    let done = match format {
        Encoding::Wav => write_wav(path, &ints, planes.len(), rate, bits),
        Encoding::Flac => write_flac(path, &ints, planes.len(), rate, bits),
    };
    if done.is_err() {
        let _ = std::fs::remove_file(path);
    }
    done
}

/// Interleaved integers, dithered at 16 bits.
fn quantise(planes: &[Vec<f32>], bits: u16) -> Vec<i32> {
    let frames = planes[0].len();
    let full = f64::from(1u32 << (bits - 1));
    let (lo, hi) = (-full, full - 1.0);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(frames * planes.len());
    for i in 0..frames {
        for p in planes {
            let x = f64::from(p[i]) * full;
            let x = if bits == 16 {
                x + rng.unit() - rng.unit()
            } else {
                x
            };
            out.push(x.round().clamp(lo, hi) as i32);
        }
    }
    out
}

/// xorshift64*: enough for dither, and the same copy twice is the same bytes.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> EncodeError + '_ {
    move |source| EncodeError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn write_wav(
    path: &Path,
    ints: &[i32],
    channels: usize,
    rate: u32,
    bits: u16,
) -> Result<(), EncodeError> {
    let spec = hound::WavSpec {
        channels: u16::try_from(channels).map_err(|_| EncodeError::Empty)?,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let hound_error = |e: hound::Error| match e {
        hound::Error::IoError(source) => EncodeError::Io {
            path: path.display().to_string(),
            source,
        },
        other => EncodeError::Encoder(Encoding::Wav, other.to_string()),
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(hound_error)?;
    for &s in ints {
        w.write_sample(s).map_err(hound_error)?;
    }
    w.finalize().map_err(hound_error)
}

fn write_flac(
    path: &Path,
    ints: &[i32],
    channels: usize,
    rate: u32,
    bits: u16,
) -> Result<(), EncodeError> {
    use flacenc::component::BitRepr;
    use flacenc::error::Verify;
    let fail = |e: &dyn std::fmt::Debug| EncodeError::Encoder(Encoding::Flac, format!("{e:?}"));
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|e| fail(&e))?;
    let source =
        flacenc::source::MemSource::from_samples(ints, channels, bits.into(), rate as usize);
    let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .map_err(|e| fail(&e))?;
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).map_err(|e| fail(&e))?;
    let mut bytes = sink.into_inner();
    fixed_block_bounds(&mut bytes);
    std::fs::write(path, &bytes).map_err(io_error(path))
}

/// flacenc states the last (short) block's length as STREAMINFO's minimum block length.
/// The format says the last block does not count, and strict readers (symphonia among them)
/// then take the stream for a variable-block one whose frames, numbered as fixed-block
/// frames, never match: they read nothing. Every block but the last has the maximum length
/// here, so the minimum is set to it.
fn fixed_block_bounds(bytes: &mut [u8]) {
    // "fLaC", the first block's 4-byte header (STREAMINFO, type 0), then min and max.
    if bytes.len() >= 12 && &bytes[0..4] == b"fLaC" && bytes[4] & 0x7f == 0 {
        let max = [bytes[10], bytes[11]];
        bytes[8..10].copy_from_slice(&max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_file, FrameSink, StreamInfo};
    use std::ops::ControlFlow;

    #[derive(Default)]
    struct Keep(Vec<Vec<f32>>, Option<StreamInfo>);
    impl FrameSink for Keep {
        fn begin(&mut self, info: &StreamInfo) {
            self.0 = vec![Vec::new(); info.channels];
            self.1 = Some(info.clone());
        }
        fn frames(&mut self, planes: &[Vec<f32>], frames: usize) -> ControlFlow<()> {
            for (k, p) in self.0.iter_mut().zip(planes) {
                k.extend_from_slice(&p[..frames]);
            }
            ControlFlow::Continue(())
        }
    }

    fn sine(frames: usize) -> Vec<Vec<f32>> {
        let l: Vec<f32> = (0..frames)
            .map(|i| 0.5 * (i as f32 * 440.0 * std::f32::consts::TAU / 44_100.0).sin())
            .collect();
        let r = l.iter().map(|x| -x).collect();
        vec![l, r]
    }

    #[test]
    fn wav_and_flac_copies_decode_back_to_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let planes = sine(10_000);
        for (format, bits, tolerance) in [
            (Encoding::Wav, 24, 1e-6),
            (Encoding::Flac, 24, 1e-6),
            (Encoding::Flac, 16, 1e-4),
        ] {
            let path = dir.path().join(format!("x{bits}.{}", format.extension()));
            write(&path, &planes, 44_100, bits, format).unwrap();
            let mut k = Keep::default();
            decode_file(&path, &mut k).unwrap();
            let info = k.1.unwrap();
            assert_eq!((info.channels, info.sample_rate), (2, 44_100));
            assert_eq!(info.bits_per_sample, Some(u32::from(bits)));
            assert_eq!(k.0[0].len(), 10_000, "{format:?} {bits}");
            let worst = planes
                .iter()
                .zip(&k.0)
                .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
                .fold(0f32, f32::max);
            assert!(worst < tolerance, "{format:?} {bits}: off by {worst}");
        }
    }

    #[test]
    fn what_a_format_cannot_hold_is_refused_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.flac");
        let e = write(&path, &sine(100), 192_000, 24, Encoding::Flac).unwrap_err();
        assert!(matches!(e, EncodeError::Rate { rate: 192_000, .. }), "{e}");
        assert!(matches!(
            write(&path, &sine(100), 44_100, 20, Encoding::Wav),
            Err(EncodeError::Bits(20))
        ));
        assert!(matches!(
            write(
                &path,
                &[vec![0.0; 3], vec![0.0; 2]],
                44_100,
                16,
                Encoding::Wav
            ),
            Err(EncodeError::Empty)
        ));
        assert!(!path.exists());
    }
}
