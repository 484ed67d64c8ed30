#!/usr/bin/env python3
"""CPU time per file of an analysis peer, measured the way ../shared/eval/peers-dev.md
measured it: one process, single-threaded, time.process_time() per file, decoding included,
after one untimed warm-up file. `samplemind bench --peers` runs it on the files it times
itself, so the ratio holds on any machine.

usage: peer_timing.py FILE...

Peer: essentia (PyPI wheel, the version peers-dev.md used), MonoLoader at 44.1 kHz +
RhythmExtractor2013(method='multifeature') + KeyExtractor(profileType='edma'): the best
tempo and key peers of the DEV corpus, which is what SampleMind's analysis replaces.
Prints one JSON object on stdout:
  {"peer": ..., "version": ..., "what": ..., "ms": [per file, in order], "failed": [...]}
"""
import json
import os
import sys
import time

# Single-threaded, as the peers were timed.
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[v] = "1"

import essentia  # noqa: E402
import essentia.standard as es  # noqa: E402

essentia.log.infoActive = False
essentia.log.warningActive = False


def analyse(path):
    audio = es.MonoLoader(filename=path, sampleRate=44100)()
    bpm = es.RhythmExtractor2013(method="multifeature")(audio)[0]
    key, scale, strength = es.KeyExtractor(profileType="edma")(audio)
    return bpm, key, scale


def main():
    files = sys.argv[1:]
    if not files:
        sys.exit(__doc__)
    out = {
        "peer": "essentia",
        "version": essentia.__version__,
        "what": "MonoLoader 44.1 kHz + RhythmExtractor2013 multifeature + KeyExtractor edma",
        "ms": [],
        "failed": [],
    }
    try:
        analyse(files[0])  # warm-up: imports, plans
    except Exception:
        pass
    for f in files:
        t = time.process_time()
        try:
            analyse(f)
        except Exception as e:  # a file the peer cannot read is reported, not timed
            out["failed"].append(f"{f}: {e}")
            out["ms"].append(None)
            continue
        out["ms"].append((time.process_time() - t) * 1e3)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
