//! Decoding with symphonia: probe by content, pick the default audio track, and stream its
//! frames as planar f32 into a [`FrameSink`].
//!
//! The container is found from the bytes, never from the file name, so a `.wav` that is really
//! AIFF decodes. Encoder delay and padding are trimmed by symphonia's decoders from the packet
//! trim the container signals (MP3 LAME/Xing, AAC in MP4 `edts`/iTunSMPB, Ogg granule).

use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use symphonia::core::codecs::audio::well_known as codecs;
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::error::{DecodeError, Result};

/// What the container and codec say about a stream, known before the first frame.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// Frames per second.
    pub sample_rate: u32,
    /// Number of channels (planes handed to the sink).
    pub channels: usize,
    /// Bits per decoded sample, where the codec has such a notion (PCM, FLAC, ALAC).
    pub bits_per_sample: Option<u32>,
    /// A short codec name (`pcm_s16le`, `flac`, `mp3`, `aac`, ...).
    pub codec: String,
    /// Playable frames according to the container, when it says.
    pub frames_hint: Option<u64>,
}

/// Receives decoded audio, one packet at a time.
///
/// Implementations must not keep references to the planes: the decoder reuses them.
pub trait FrameSink {
    /// Called once, before the first frames, with what the stream is.
    fn begin(&mut self, info: &StreamInfo);
    /// Called for each decoded packet with `planes[channel][0..frames]`. Return
    /// `ControlFlow::Break(())` to stop decoding early (the sink has all it needs).
    fn frames(&mut self, planes: &[Vec<f32>], frames: usize) -> ControlFlow<()>;
}

/// A summary of a finished decode.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeSummary {
    /// What the stream is.
    pub info: StreamInfo,
    /// Frames handed to the sink.
    pub frames: u64,
    /// Packets the decoder rejected as corrupt and skipped.
    pub skipped_packets: u32,
    /// Whether the sink stopped decoding before the end.
    pub stopped_early: bool,
    /// NaN or infinite samples found (they were handed on as silence).
    pub non_finite_samples: u64,
    /// Finite samples beyond ±[`MAX_SAMPLE`] (handed on clipped to it).
    pub out_of_range_samples: u64,
}

/// The largest sample magnitude handed on: +60 dBFS. A float file may hold any finite value,
/// but nothing past this is audio, and values near `f32::MAX` overflow the sums of an FFT to
/// infinity (a resampler then fails inside); clipping here keeps every analyser finite.
pub const MAX_SAMPLE: f32 = 1024.0;

/// Sample rates a file may state, Hz. Below 1 kHz nothing is audio; above 768 kHz (the
/// highest rate DACs and DAWs offer) a header is lying, and every buffer, meter and resampler
/// sized from it would follow the lie.
pub const SAMPLE_RATES: std::ops::RangeInclusive<u32> = 1_000..=768_000;

/// Channels a file may state: 64 covers third-order ambisonics and large multitrack stems.
pub const MAX_CHANNELS: usize = 64;

/// Refuse a stream whose rate or channel count is outside what real audio uses.
fn check_header(path: &Path, rate: Option<u32>, channels: Option<usize>) -> Result<()> {
    let bad = |reason: String| DecodeError::BadHeader {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(r) = rate {
        if !SAMPLE_RATES.contains(&r) {
            return Err(bad(format!(
                "sample rate {r} Hz (accepted: {} to {} Hz)",
                SAMPLE_RATES.start(),
                SAMPLE_RATES.end()
            )));
        }
    }
    if let Some(c) = channels {
        if c == 0 || c > MAX_CHANNELS {
            return Err(bad(format!("{c} channels (accepted: 1 to {MAX_CHANNELS})")));
        }
    }
    Ok(())
}

/// Refuse what is not a regular file before opening it (`open` on a FIFO waits for a
/// writer); a regular file's metadata comes back for the caller to use.
fn check_regular_file(path: &Path) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).map_err(|source| DecodeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(meta);
    }
    let what = if ft.is_dir() {
        "a folder"
    } else {
        special_file_kind(&ft)
    };
    Err(DecodeError::NotAFile {
        path: path.to_path_buf(),
        what,
    })
}

#[cfg(unix)]
fn special_file_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::FileType) -> &'static str {
    "not a file"
}

/// A RIFF WAVE's channel count, checked before symphonia reads the `fmt ` chunk: its reader
/// multiplies the count by the sample size in 16 bits, which overflows (a panic where overflow
/// is checked) for a header claiming tens of thousands of channels. Other containers are
/// checked after the probe, by [`check_header`].
fn check_wave_channels(path: &Path, file: &mut File) -> Result<()> {
    use std::io::{Read, Seek};
    let mut head = [0u8; 4096];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(DecodeError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }
    file.rewind().map_err(|source| DecodeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let head = &head[..n];
    if head.len() < 12 || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Ok(());
    }
    let mut at = 12;
    while at + 8 <= head.len() {
        let id = &head[at..at + 4];
        let size = u32::from_le_bytes([head[at + 4], head[at + 5], head[at + 6], head[at + 7]]);
        let body = at + 8;
        if id == b"fmt " {
            if let Some(c) = head.get(body + 2..body + 4) {
                let channels = u16::from_le_bytes([c[0], c[1]]) as usize;
                check_header(path, None, Some(channels))?;
            }
            return Ok(());
        }
        // Chunks are padded to an even length.
        at = body
            .saturating_add(size as usize)
            .saturating_add(size as usize & 1);
    }
    Ok(())
}

/// Replace NaN and infinite samples with silence and clip finite ones to ±[`MAX_SAMPLE`],
/// returning how many of each there were. A float file can hold them; every analyser and
/// resampler downstream assumes finite audio of sane size.
fn sanitise(planes: &mut [Vec<f32>], frames: usize) -> (u64, u64) {
    let (mut non_finite, mut out_of_range) = (0, 0);
    for p in planes.iter_mut() {
        for v in p[..frames].iter_mut() {
            if !v.is_finite() {
                *v = 0.0;
                non_finite += 1;
            } else if v.abs() > MAX_SAMPLE {
                *v = MAX_SAMPLE.copysign(*v);
                out_of_range += 1;
            }
        }
    }
    (non_finite, out_of_range)
}

/// Packets in a row that may fail before we give up on a file: a few bad packets in a long
/// MP3 are common and harmless, a stream of them means the file is garbage.
const MAX_CONSECUTIVE_BAD_PACKETS: u32 = 16;

/// Decode `path` into `sink`.
///
/// # Errors
/// A [`DecodeError`] naming the file and the reason: unreadable, empty, unknown format,
/// unsupported codec (Opus, Vorbis in RIFF WAVE), truncated, malformed, or no samples.
pub fn decode_file(path: &Path, sink: &mut dyn FrameSink) -> Result<DecodeSummary> {
    let io_err = |source| DecodeError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = check_regular_file(path)?.len();
    let mut file = File::open(path).map_err(io_err)?;
    if len == 0 {
        return Err(DecodeError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    check_wave_channels(path, &mut file)?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    // No extension hint on purpose: the probe must go by content.
    let mut format = symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| probe_error(path, e))?;

    let track =
        format
            .default_track(TrackType::Audio)
            .ok_or_else(|| DecodeError::NoAudioTrack {
                path: path.to_path_buf(),
            })?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| DecodeError::NoAudioTrack {
            path: path.to_path_buf(),
        })?
        .clone();
    check_header(
        path,
        params.sample_rate,
        params.channels.as_ref().map(|c| c.count()),
    )?;
    let track_id = track.id;
    let mut frames_hint = track.num_frames;
    // MP4 priming and padding, when symphonia has not signalled a delay itself.
    let edit = if track.delay.is_none() {
        super::gapless::mp4_edit_list(path)
    } else {
        None
    };
    let mut skip_left = 0u64;
    let mut keep_left: Option<u64> = None;
    let codec = codec_name(params.codec);

    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|_| DecodeError::UnsupportedCodec {
            path: path.to_path_buf(),
            codec: codec.clone(),
        })?;

    let mut info: Option<StreamInfo> = None;
    let mut planes: Vec<Vec<f32>> = Vec::new();
    let mut total: u64 = 0;
    let mut skipped = 0u32;
    let mut bad_in_row = 0u32;
    let mut stopped_early = false;
    let mut non_finite = 0u64;
    let mut out_of_range = 0u64;

    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            // Chained Ogg streams change the track list; the first stream is the sample.
            Err(SymError::ResetRequired) => break,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(DecodeError::Truncated {
                    path: path.to_path_buf(),
                    detail: format!("stream ends inside a packet after {total} frames"),
                });
            }
            Err(SymError::IoError(e)) => return Err(io_err(e)),
            Err(e) => {
                return Err(DecodeError::Malformed {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(buf) => {
                bad_in_row = 0;
                buf
            }
            Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => {
                skipped += 1;
                bad_in_row += 1;
                if bad_in_row >= MAX_CONSECUTIVE_BAD_PACKETS {
                    return Err(DecodeError::Malformed {
                        path: path.to_path_buf(),
                        reason: format!("{bad_in_row} corrupt packets in a row"),
                    });
                }
                continue;
            }
            Err(SymError::Unsupported(what)) => {
                return Err(DecodeError::UnsupportedCodec {
                    path: path.to_path_buf(),
                    codec: format!("{codec} ({what})"),
                })
            }
            Err(e) => {
                return Err(DecodeError::Malformed {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })
            }
        };
        let frames = buf.frames();
        if info.is_none() {
            let spec = buf.spec();
            check_header(path, Some(spec.rate()), Some(spec.channels().count()))?;
            let i = StreamInfo {
                sample_rate: spec.rate(),
                channels: spec.channels().count(),
                bits_per_sample: params.bits_per_sample,
                codec: codec.clone(),
                frames_hint,
            };
            if let Some(e) = edit {
                let (skip, keep) = e.frames(i.sample_rate);
                skip_left = skip;
                keep_left = Some(keep);
                frames_hint = Some(keep);
            }
            sink.begin(&i);
            info = Some(i);
        }
        if frames == 0 {
            continue;
        }
        buf.copy_to_vecs_planar::<f32>(&mut planes);
        let (nf, oor) = sanitise(&mut planes, frames);
        non_finite += nf;
        out_of_range += oor;
        let offset = skip_left.min(frames as u64) as usize;
        skip_left -= offset as u64;
        let mut n = frames - offset;
        if let Some(k) = keep_left.as_mut() {
            n = n.min(*k as usize);
            *k -= n as u64;
        }
        if n == 0 {
            if keep_left == Some(0) {
                break;
            }
            continue;
        }
        if offset > 0 {
            for p in planes.iter_mut() {
                p.drain(..offset);
            }
        }
        total += n as u64;
        if sink.frames(&planes, n).is_break() {
            stopped_early = true;
            break;
        }
    }

    let info = match info {
        Some(i) if total > 0 => i,
        _ => {
            return Err(DecodeError::NoSamples {
                path: path.to_path_buf(),
            })
        }
    };
    // A container that states its length lets us catch files cut at a packet boundary
    // (a truncated FLAC decodes cleanly up to the cut).
    if !stopped_early {
        if let Some(expected) = frames_hint {
            // Small slack: some encoders round the stated length to a block.
            let slack = 4096.max(expected / 1000);
            if total + slack < expected {
                return Err(DecodeError::Truncated {
                    path: path.to_path_buf(),
                    detail: format!("decoded {total} of {expected} frames"),
                });
            }
        }
    }
    if non_finite > 0 {
        tracing::warn!(
            "{}: {non_finite} NaN or infinite samples, read as silence",
            path.display()
        );
    }
    if out_of_range > 0 {
        tracing::warn!(
            "{}: {out_of_range} samples beyond +60 dBFS, clipped there",
            path.display()
        );
    }
    Ok(DecodeSummary {
        info,
        frames: total,
        skipped_packets: skipped,
        stopped_early,
        non_finite_samples: non_finite,
        out_of_range_samples: out_of_range,
    })
}

/// Decode `path` to one mono f32 channel at its own rate, keeping at most `max_seconds`.
/// A convenience for tests, benchmarks and tools that need the whole signal.
///
/// # Errors
/// As [`decode_file`].
pub fn decode_mono(path: &Path, max_seconds: Option<f64>) -> Result<(StreamInfo, Vec<f32>)> {
    let mut sink = MonoCollector {
        max_frames: usize::MAX,
        max_seconds,
        mono: Vec::new(),
    };
    let summary = decode_file(path, &mut sink)?;
    Ok((summary.info, sink.mono))
}

/// Every channel of a sound, whole, as the player and the renderers need it: planar f32 at
/// the file's own rate, at most `max_samples` samples over all channels.
#[derive(Debug, Default)]
pub struct Planes {
    /// One vector per channel.
    pub planes: Vec<Vec<f32>>,
    /// Most samples kept, over all channels.
    pub max_samples: usize,
    /// Whether the sound was longer and its end was cut.
    pub cut: bool,
}

impl Planes {
    /// An empty collector keeping at most `max_samples` samples.
    pub fn up_to(max_samples: usize) -> Self {
        Self {
            max_samples,
            ..Self::default()
        }
    }

    /// Frames held.
    pub fn held(&self) -> usize {
        self.planes.first().map_or(0, Vec::len)
    }
}

impl FrameSink for Planes {
    fn begin(&mut self, info: &StreamInfo) {
        self.planes = vec![Vec::new(); info.channels];
    }
    fn frames(&mut self, planes: &[Vec<f32>], frames: usize) -> ControlFlow<()> {
        let channels = self.planes.len().max(1);
        let room = self.max_samples.saturating_sub(self.held() * channels) / channels;
        let take = frames.min(room);
        for (dst, src) in self.planes.iter_mut().zip(planes) {
            dst.extend_from_slice(&src[..take]);
        }
        if take < frames {
            self.cut = true;
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Collects a mono mix up to a cap.
struct MonoCollector {
    max_frames: usize,
    max_seconds: Option<f64>,
    mono: Vec<f32>,
}

impl FrameSink for MonoCollector {
    fn begin(&mut self, info: &StreamInfo) {
        if let Some(s) = self.max_seconds {
            self.max_frames = (s * info.sample_rate as f64) as usize;
        }
    }
    fn frames(&mut self, planes: &[Vec<f32>], frames: usize) -> ControlFlow<()> {
        let take = frames.min(self.max_frames - self.mono.len());
        downmix_into(planes, take, &mut self.mono);
        if self.mono.len() >= self.max_frames {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Append the average of `planes[..][0..frames]` to `out`.
pub fn downmix_into(planes: &[Vec<f32>], frames: usize, out: &mut Vec<f32>) {
    match planes {
        [] => {}
        [only] => out.extend_from_slice(&only[..frames]),
        [l, r] => out.extend(
            l[..frames]
                .iter()
                .zip(&r[..frames])
                .map(|(a, b)| 0.5 * (a + b)),
        ),
        many => {
            let scale = 1.0 / many.len() as f32;
            out.extend((0..frames).map(|i| many.iter().map(|p| p[i]).sum::<f32>() * scale));
        }
    }
}

/// Turn a probe failure into the clearest error we can give.
fn probe_error(path: &Path, err: SymError) -> DecodeError {
    let path_buf = path.to_path_buf();
    match err {
        SymError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Truncated {
                path: path_buf,
                detail: "header cut short".into(),
            }
        }
        SymError::IoError(source) => DecodeError::Io {
            path: path_buf,
            source,
        },
        SymError::Unsupported(what) => match riff_wave_format_tag(path) {
            // symphonia reports an unknown WAVE format tag as an unsupported *format*; the
            // container is fine, the codec inside it is what we cannot decode.
            Some(tag) => DecodeError::UnsupportedCodec {
                path: path_buf,
                codec: wave_tag_name(tag),
            },
            None if what.contains("codec") => DecodeError::UnsupportedCodec {
                path: path_buf,
                codec: what.to_string(),
            },
            None => DecodeError::UnsupportedFormat { path: path_buf },
        },
        other => DecodeError::Malformed {
            path: path_buf,
            reason: other.to_string(),
        },
    }
}

/// The `fmt ` format tag of a RIFF WAVE file, when it is one symphonia cannot decode.
fn riff_wave_format_tag(path: &Path) -> Option<u16> {
    let mut head = [0u8; 4096];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).ok()?;
    let head = &head[..n];
    if head.len() < 12 || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return None;
    }
    let mut pos = 12;
    while pos + 8 <= head.len() {
        let id = &head[pos..pos + 4];
        let size = u32::from_le_bytes(head[pos + 4..pos + 8].try_into().ok()?) as usize;
        if id == b"fmt " && pos + 10 <= head.len() {
            let tag = u16::from_le_bytes([head[pos + 8], head[pos + 9]]);
            // PCM, ADPCM, float, A-law, mu-law, IMA ADPCM and extensible are decodable.
            return (![0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0xFFFE].contains(&tag))
                .then_some(tag);
        }
        pos = pos.checked_add(8 + size + (size & 1))?;
    }
    None
}

/// A readable name for a RIFF WAVE format tag.
fn wave_tag_name(tag: u16) -> String {
    let name = match tag {
        0x674F | 0x6750 | 0x6751 | 0x676F | 0x6770 | 0x6771 => "vorbis in RIFF WAVE",
        0x0055 => "mp3 in RIFF WAVE",
        0x00FF | 0x1610 | 0x4143 => "aac in RIFF WAVE",
        0x0031 => "gsm 6.10",
        0x0160..=0x0162 => "windows media audio",
        _ => "unknown wave format",
    };
    format!("{name} (format tag {tag:#06x})")
}

/// A short name for a codec id.
fn codec_name(id: AudioCodecId) -> String {
    let name = match id {
        codecs::CODEC_ID_FLAC => "flac",
        codecs::CODEC_ID_MP3 => "mp3",
        codecs::CODEC_ID_MP2 => "mp2",
        codecs::CODEC_ID_MP1 => "mp1",
        codecs::CODEC_ID_AAC => "aac",
        codecs::CODEC_ID_ALAC => "alac",
        codecs::CODEC_ID_VORBIS => "vorbis",
        codecs::CODEC_ID_OPUS => "opus",
        codecs::CODEC_ID_ADPCM_MS => "adpcm_ms",
        codecs::CODEC_ID_ADPCM_IMA_WAV => "adpcm_ima_wav",
        codecs::CODEC_ID_PCM_S16LE => "pcm_s16le",
        codecs::CODEC_ID_PCM_S16BE => "pcm_s16be",
        codecs::CODEC_ID_PCM_S24LE => "pcm_s24le",
        codecs::CODEC_ID_PCM_S24BE => "pcm_s24be",
        codecs::CODEC_ID_PCM_S32LE => "pcm_s32le",
        codecs::CODEC_ID_PCM_S32BE => "pcm_s32be",
        codecs::CODEC_ID_PCM_F32LE => "pcm_f32le",
        codecs::CODEC_ID_PCM_F32BE => "pcm_f32be",
        codecs::CODEC_ID_PCM_F64LE => "pcm_f64le",
        codecs::CODEC_ID_PCM_F64BE => "pcm_f64be",
        codecs::CODEC_ID_PCM_U8 => "pcm_u8",
        codecs::CODEC_ID_PCM_S8 => "pcm_s8",
        _ => return format!("codec {id}"),
    };
    name.to_string()
}
