#!/usr/bin/env bash
# Regenerates the demo samples in this folder from nothing but sox's synthesiser.
# Every sound here is made by this script: CC0 (public domain), see LICENSE.
# Needs: sox with libsox-fmt-all (Debian: apt-get install sox libsox-fmt-all).
set -euo pipefail
cd "$(dirname "$0")"
R=44100
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# One-shots
sox -n -r $R -b 16 kick_punchy.wav synth 0.45 sine 150:45 fade q 0.002 0.45 0.4 gain -3
sox -n -r $R -b 16 "$tmp/hat.wav" synth 0.08 whitenoise gain -6 highpass 7000 fade q 0.001 0.08 0.075 gain -6
cp "$tmp/hat.wav" hat_closed.wav
sox -n -r $R -b 16 "$tmp/snare_n.wav" synth 0.22 whitenoise bandpass 2500 1.5q fade q 0.001 0.22 0.2
sox -n -r $R -b 16 "$tmp/snare_t.wav" synth 0.22 sine 185 fade q 0.001 0.22 0.18
sox -m "$tmp/snare_n.wav" "$tmp/snare_t.wav" -b 16 snare_tight.aiff gain -2
sox -n -r $R -b 24 bass_A1.flac synth 1.2 sawtooth 55 gain -6 lowpass 700 fade q 0.005 1.2 0.3 gain -6
sox -n -r $R -c 2 -b 16 pad_C_major.flac synth 3 sine 261.63 sine 329.63 sine 392.00 \
  remix 1,2,3 1,2,3 tremolo 0.5 20 fade h 0.6 3 1 gain -9

# Drum loop: 2 bars of 4/4 at 120 BPM (4.0 s), kick on 1 and 3, snare on 2 and 4, hats on 8ths.
beat=0.5
sox -n -r $R -b 16 "$tmp/silence.wav" trim 0 $beat
sox kick_punchy.wav -r $R "$tmp/k.wav" pad 0 0.05 trim 0 $beat
sox -m "$tmp/hat.wav" "$tmp/silence.wav" "$tmp/h8.wav" trim 0 0.25
sox "$tmp/h8.wav" "$tmp/h8.wav" "$tmp/hats_beat.wav"
sox snare_tight.aiff -r $R -b 16 "$tmp/s.wav" pad 0 0.3 trim 0 $beat
sox -m "$tmp/k.wav" "$tmp/hats_beat.wav" "$tmp/kb.wav"
sox -m "$tmp/s.wav" "$tmp/hats_beat.wav" "$tmp/sb.wav"
sox "$tmp/kb.wav" "$tmp/sb.wav" "$tmp/kb.wav" "$tmp/sb.wav" "$tmp/bar.wav"
sox "$tmp/bar.wav" "$tmp/bar.wav" -b 16 drum_loop_120bpm.flac gain -n -3

# Keys loop: A minor arpeggio, 8th notes at 100 BPM, 2 bars (4.8 s).
notes=(220.00 261.63 329.63 261.63 220.00 261.63 329.63 440.00
       174.61 220.00 261.63 220.00 196.00 246.94 293.66 246.94)
parts=()
for i in "${!notes[@]}"; do
  sox -n -r $R -b 16 "$tmp/n$i.wav" synth 0.3 pluck "${notes[$i]}" fade q 0.002 0.3 0.1
  parts+=("$tmp/n$i.wav")
done
sox "${parts[@]}" -C 3 keys_loop_Am_100bpm.ogg gain -n -6
ls -l
