//! Audio devices through cpal: listing, audition ([`player`]) and recording ([`recorder`]).
//!
//! Only with the `device` feature. On Linux the PulseAudio host is used when a server is
//! reachable (it also serves PipeWire's pulse socket), ALSA otherwise; elsewhere the
//! platform's default host (CoreAudio, WASAPI).
//!
//! Real-time rule: the cpal callbacks only move samples between the device and a lock-free
//! SPSC ring (rtrb), apply gain and fades, and bump atomic counters. They never allocate,
//! lock, log, do I/O or panic; decoding, resampling and file writing happen on other threads.

pub mod engine;
pub mod error;
pub mod midi;
pub mod player;
pub mod recorder;
pub mod sampler;
pub mod service;

use cpal::traits::{DeviceTrait, HostTrait};
use serde::Serialize;

pub use engine::AudioEngine;
pub use error::DeviceError;
pub use player::{PlayOptions, Player, PlayerStats};
pub use recorder::{record, Level, RecordOptions, Recording, TakeInProgress};
pub use sampler::{NoteSender, PadsSession, Sampler};
pub use service::{AudioService, AudioStatus};

/// `$build::<T>($args...)` for the sample type `T` of `$format` (f32, i16, i32: what
/// devices offer), else an error naming the format: the one dispatch every stream makes.
macro_rules! build_for_format {
    ($format:expr, $build:ident($($arg:expr),* $(,)?)) => {
        match $format {
            cpal::SampleFormat::F32 => $build::<f32>($($arg),*),
            cpal::SampleFormat::I16 => $build::<i16>($($arg),*),
            cpal::SampleFormat::I32 => $build::<i32>($($arg),*),
            other => Err($crate::device::DeviceError::Stream(format!(
                "unsupported sample format {other}"
            ))),
        }
    };
}
pub(crate) use build_for_format;

/// Callback size requested from the device, frames (21 ms at 48 kHz).
pub const BUFFER_FRAMES: u32 = 1024;

/// The stream configuration both directions use: the device's own rate and channels, and
/// a fixed callback size so latency is predictable.
pub(crate) fn stream_config(channels: u16, rate: u32) -> cpal::StreamConfig {
    cpal::StreamConfig {
        channels,
        sample_rate: rate,
        buffer_size: cpal::BufferSize::Fixed(BUFFER_FRAMES),
    }
}

/// A device as `samplemind devices` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceInfo {
    /// Id to pass to `--device` (`pulseaudio:<name>`, `alsa:<name>`, ...).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Can capture.
    pub input: bool,
    /// Can play.
    pub output: bool,
    /// The host's default input.
    pub default_input: bool,
    /// The host's default output.
    pub default_output: bool,
}

/// The host to use: PulseAudio on Linux when a server answers, else the platform default.
pub fn host() -> cpal::Host {
    #[cfg(target_os = "linux")]
    {
        if let Ok(h) = cpal::host_from_id(cpal::HostId::PulseAudio) {
            return h;
        }
    }
    cpal::default_host()
}

fn id_of(d: &cpal::Device) -> String {
    d.id().map(|i| i.to_string()).unwrap_or_default()
}

fn name_of(d: &cpal::Device) -> String {
    d.description()
        .map(|x| x.to_string())
        .unwrap_or_else(|_| id_of(d))
}

/// Every input and output device of [`host`].
///
/// # Errors
/// [`DeviceError::Host`] when the host cannot enumerate devices.
pub fn list_devices() -> Result<Vec<DeviceInfo>, DeviceError> {
    let h = host();
    let def_in = h.default_input_device().map(|d| id_of(&d));
    let def_out = h.default_output_device().map(|d| id_of(&d));
    let devices = h.devices().map_err(|e| DeviceError::Host(e.to_string()))?;
    Ok(devices
        .map(|d| {
            let id = id_of(&d);
            DeviceInfo {
                name: name_of(&d),
                input: d.supports_input(),
                output: d.supports_output(),
                default_input: def_in.as_deref() == Some(id.as_str()),
                default_output: def_out.as_deref() == Some(id.as_str()),
                id,
            }
        })
        .collect())
}

/// Which way a device is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Capture.
    Input,
    /// Playback.
    Output,
}

/// The device with `id`, or the default one for `dir`.
///
/// # Errors
/// [`DeviceError::UnknownDevice`] for an id no host knows, [`DeviceError::NoDevice`] when
/// there is no default device.
pub fn find_device(id: Option<&str>, dir: Direction) -> Result<cpal::Device, DeviceError> {
    match id {
        Some(id) => {
            let parsed: cpal::DeviceId = id
                .parse()
                .map_err(|_| DeviceError::UnknownDevice { id: id.to_string() })?;
            // The id names its host; fall back to our host for ids without one we know.
            let h = cpal::host_from_id(parsed.host()).unwrap_or_else(|_| host());
            h.device_by_id(&parsed)
                .ok_or_else(|| DeviceError::UnknownDevice { id: id.to_string() })
        }
        None => {
            let h = host();
            match dir {
                Direction::Input => h.default_input_device(),
                Direction::Output => h.default_output_device(),
            }
            .ok_or(DeviceError::NoDevice {
                input: dir == Direction::Input,
            })
        }
    }
}
