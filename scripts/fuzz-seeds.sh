#!/usr/bin/env bash
# Writes the fuzz targets' seed corpus (fuzz/seeds/<target>/, committed): tiny files of every
# container and codec the decoders read, the hostile headers of issue 22, loop chunks, stored
# records and journal lines, query strings and bodies, and provider answers. Needs sox, ffmpeg
# and python3; run it again when a format is added.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
S=fuzz/seeds
rm -rf "$S"
mkdir -p "$S"/{decode_analyse,loop_chunks,stored_records,api_inputs,ai_answers}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One tenth of a second of a chord, then each encoding.
sox -n -r 8000 -c 1 -b 16 "$tmp/a.wav" synth 0.1 sine 220 sine 330 remix 1,2 2>/dev/null
sox -n -r 8000 -c 2 -b 24 "$tmp/b.wav" synth 0.1 sine 440 2>/dev/null
sox -n -r 8000 -c 1 -e floating-point -b 32 "$tmp/c.wav" synth 0.1 sine 440 2>/dev/null
sox -n -r 8000 -c 1 -b 8 -e unsigned "$tmp/d.wav" synth 0.1 sine 440 2>/dev/null
sox "$tmp/a.wav" "$tmp/a.aiff"
sox "$tmp/a.wav" "$tmp/a.flac"
ff() { ffmpeg -loglevel error -y -i "$tmp/a.wav" "$@"; }
ff -c:a libmp3lame -b:a 32k "$tmp/a.mp3"
ff -c:a libvorbis -q:a 0 "$tmp/a.ogg"
ff -c:a aac -b:a 24k "$tmp/a.m4a"
ff -c:a pcm_s16be "$tmp/a.caf"
ff -c:a adpcm_ima_wav "$tmp/adpcm.wav"

python3 - "$tmp" "$S" <<'PY'
import json, struct, sys
tmp, S = sys.argv[1], sys.argv[2]
EXT = ["wav", "aiff", "flac", "mp3", "ogg", "m4a", "caf"]

def seed(target, name, data):
    open(f"{S}/{target}/{name}", "wb").write(data)

def riff(fmt_rate, channels=1, bits=16, fmt_tag=1, frames=64, extra=b""):
    data = b"\x00\x01" * frames * channels
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, fmt_rate,
                      (fmt_rate * channels * bits // 8) & 0xffffffff, (channels * bits // 8) & 0xffff, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body

def acid(one_shot, root, beats, tempo):
    flags = 1 if one_shot else 0
    body = struct.pack("<IHHfIHHf", flags, root, 0x8000, 0.0, beats, 4, 4, tempo)
    return b"acid" + struct.pack("<I", len(body)) + body

for name in ["a.wav", "b.wav", "c.wav", "d.wav", "adpcm.wav", "a.aiff", "a.flac", "a.mp3",
             "a.ogg", "a.m4a", "a.caf"]:
    ext = name.rsplit(".", 1)[1]
    seed("decode_analyse", name.replace(".", "_"), bytes([EXT.index(ext)]) + open(f"{tmp}/{name}", "rb").read())
# The hostile headers the issue found: a rate of 4,294,967,291 Hz, 200,000,033 Hz, a prime
# 999,983 Hz, 0 Hz, 65,535 channels, and float samples that are not numbers.
for rate in [4294967291, 200000033, 999983, 0]:
    seed("decode_analyse", f"rate_{rate}", b"\x00" + riff(rate))
seed("decode_analyse", "channels_65535", b"\x00" + riff(8000, channels=65535, frames=1))
nan = struct.pack("<4f", float("nan"), float("inf"), float("-inf"), 0.5) * 16
fmt = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(nan)) + nan
seed("decode_analyse", "float_nan", b"\x00" + b"RIFF" + struct.pack("<I", len(body)) + body)
seed("decode_analyse", "wav_with_acid", b"\x00" + riff(8000, extra=acid(False, 57, 8, 120.0)))

# Loop chunks: bare chunk lists (the target puts each container's header in front).
seed("loop_chunks", "acid_loop", acid(False, 60, 16, 128.0))
seed("loop_chunks", "acid_one_shot", acid(True, 48, 0, 0.0))
seed("loop_chunks", "acid_after_fmt", b"fmt " + struct.pack("<I", 16) + b"\x01\x00" * 8 + acid(False, 0, 4, 90.0))
basc = struct.pack(">IIHHHHHH", 1, 8, 0, 4, 4, 60, 0, 0) + b"\x00" * 64
seed("loop_chunks", "basc", b"basc" + struct.pack(">I", len(basc)) + basc)
seed("loop_chunks", "size_overrun", b"acid" + struct.pack("<I", 0xffffffff) + b"\x00" * 8)

# Journal lines (stored-record seeds of MessagePack come from the tests' own records).
seed("stored_records", "journal", b'{"kind":"root","raw":[47,112,97,99,107,115],"shown":"/packs"}\n'
     b'{"kind":"corrections","hash":"' + b"07" * 32 + b'","corrections":{"bpm":97.0,"key":"A minor"}}\n')
seed("stored_records", "msgpack_map", bytes([0x82, 0xa6]) + b"schema" + bytes([0x01, 0xa4]) + b"size" + bytes([0xcd, 0x10, 0x00]))

# Query strings and bodies.
for i, q in enumerate(["q=kick&bpm_min=120&bpm_max=130&key=A%20minor&sort=bpm&desc=true&limit=20",
                       "key=8A&loop=true&offset=3&max_duration=2.5", "aspect=timbre&n=5",
                       "key=F%23maj&category=bass&sort=lufs", "limit=abc&loop=maybe"]):
    seed("api_inputs", f"query_{i}", q.encode())
seed("api_inputs", "ask", json.dumps({"prompt": "Name one drum.", "max_tokens": 12}).encode())
seed("api_inputs", "analyze", json.dumps({"path": "/packs/kick.wav"}).encode())

# Provider answers, whole replies of each API, and the readers' texts.
seed("ai_answers", "ollama_chat", json.dumps({"model": "m", "done": True, "message": {"role": "assistant", "content": "{\"description\": \"a dark kick\", \"tags\": [\"kick\", \"dark\"]}"}, "prompt_eval_count": 12, "eval_count": 9}).encode())
seed("ai_answers", "ollama_generate", json.dumps({"model": "m", "done": True, "response": "hi", "done_reason": "stop"}).encode())
seed("ai_answers", "openai", json.dumps({"model": "m", "choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1}}).encode())
seed("ai_answers", "anthropic", json.dumps({"model": "m", "content": [{"type": "text", "text": "hello"}], "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 1}}).encode())
seed("ai_answers", "search_words", b"dark punchy kick around 128 bpm in A minor, one-shot, under 2 seconds")
seed("ai_answers", "error", json.dumps({"error": "model not found"}).encode())
PY
ls "$S"/* | head -80 >/dev/null
echo "seeds: $(find "$S" -type f | wc -l) files, $(du -sk "$S" | cut -f1) KiB in $S"
