#!/usr/bin/env python3
"""Choose and measure the near-duplicate threshold (issue 25) by leave-one-kit-out.

usage: near_duplicates.py WORKDIR [--samplemind BIN]

Positives are the same sound at another content: each drum sample of the nine Hydrogen kits
the DEV recipe uses (allowed for tuning; no reserved package is read) re-encoded to MP3
128 kbit/s and Ogg Vorbis q3, trimmed (10 ms off the start, the last tenth off the end) and
4 dB quieter. Negatives are every other pair: above all the other velocity layers and
round-robin takes of the same drum, which sound alike but are other recordings.

The variants are scanned into a library of their own with the local models on, and
`samplemind duplicates --near --threshold 0.5 --json` lists every pair scoring 0.5 or more
(a pair below that counts as "not a duplicate" at every threshold worth trying). For each
kit in turn, the threshold with the best F1 on the other eight kits is chosen and scored on
the kit left out; the figures printed are those, then the threshold chosen on all nine (the
one the code ships).
"""
import argparse, csv, json, os, subprocess, sys
from collections import defaultdict

CACHE = os.environ.get("SAMPLEMIND_EVAL_CACHE", os.path.expanduser("~/.cache/samplemind-eval"))
KITS = [
    f"{CACHE}/src/hydrogen-drumkits/usr/share/hydrogen/data/drumkits/{k}"
    for k in ["ElectricEmpireKit", "ForzeeStereo", "Gimme A Hand 1.0", "HardElectro1",
              "Millo-Drums_v.1", "Millo_MultiLayered2", "Millo_MultiLayered3"]
] + [f"{CACHE}/src/hydrogen-data/usr/share/hydrogen/data/drumkits/{k}" for k in ["GMRockKit", "TR808EmulationKit"]]

VARIANTS = {
    "orig.wav": [],
    "mp3.mp3": ["-b:a", "128k"],
    "ogg.ogg": ["-c:a", "libvorbis", "-q:a", "3"],
    "trim.wav": None,  # built from the duration
    "quiet.wav": ["-af", "volume=-4dB"],
}


def duration(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "default=nw=1:nk=1", path], capture_output=True, text=True).stdout
    return float(out.strip() or 0)


def build(work):
    rows = []
    for kit in KITS:
        name = os.path.basename(kit)
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(kit) for f in fs
                       if f.lower().endswith((".wav", ".flac")))
        for i, src in enumerate(files):
            out_dir = os.path.join(work, "audio", name)
            os.makedirs(out_dir, exist_ok=True)
            for suffix, args in VARIANTS.items():
                dst = os.path.join(out_dir, f"{i:03d}_{suffix}")
                if not os.path.exists(dst):
                    if suffix == "trim.wav":
                        d = duration(src)
                        args = ["-af", f"atrim=start=0.01:end={max(0.02, d * 0.9):.4f},asetpts=PTS-STARTPTS"]
                    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, *args, dst], check=True)
                rows.append((dst, name, i))
    return rows


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--samplemind", default="target/release/samplemind")
    a = ap.parse_args()
    rows = build(a.work)
    lib = os.path.join(a.work, "library")
    env = dict(os.environ, SAMPLEMIND_HOME=os.path.join(a.work, "home"))
    subprocess.run([a.samplemind, "--library", lib, "scan", os.path.join(a.work, "audio"), "--table-rows", "0"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    out = subprocess.run([a.samplemind, "--library", lib, "duplicates", "--near", "--threshold", "0.5", "--json"],
                         check=True, env=env, capture_output=True, text=True).stdout
    pairs = json.loads(out)
    who = {os.path.realpath(p): (kit, i) for p, kit, i in rows}
    listed = []
    for p in pairs:
        a_, b_ = who.get(os.path.realpath(p["a_path"])), who.get(os.path.realpath(p["b_path"]))
        if a_ and b_:
            listed.append((a_, b_, p["score"]))
    # Positives: every pair among the versions of one sound (an exact copy is one content).
    versions = defaultdict(int)
    for _, kit, i in rows:
        versions[(kit, i)] += 1
    pos_total = defaultdict(int)
    for (kit, _), n in versions.items():
        pos_total[kit] += n * (n - 1) // 2
    kits = sorted(pos_total)
    grid = [round(0.80 + 0.005 * k, 3) for k in range(41)]

    def score(kit_set, t):
        tp = sum(1 for a_, b_, s in listed if s >= t and a_ == b_ and a_[0] in kit_set)
        fp = sum(1 for a_, b_, s in listed if s >= t and a_ != b_ and (a_[0] in kit_set or b_[0] in kit_set))
        fn = sum(pos_total[k] for k in kit_set) - tp
        return tp, fp, fn

    print("kit left out            threshold  precision  recall  F1")
    tot = [0, 0, 0]
    for k in kits:
        train = set(kits) - {k}
        best = max(grid, key=lambda t: (f1(*score(train, t))[0], t))
        tp, fp, fn = score({k}, best)
        f, p, r = f1(tp, fp, fn)
        tot = [tot[0] + tp, tot[1] + fp, tot[2] + fn]
        print(f"{k:<24} {best:>8.3f} {p:>10.3f} {r:>7.3f} {f:.3f}")
    f, p, r = f1(*tot)
    print(f"{'all, left out in turn':<24} {'':>8} {p:>10.3f} {r:>7.3f} {f:.3f}")
    best = max(grid, key=lambda t: (f1(*score(set(kits), t))[0], t))
    f, p, r = f1(*score(set(kits), best))
    print(f"threshold on all nine kits: {best} (precision {p:.3f}, recall {r:.3f}, F1 {f:.3f})")
    print(f"{len(rows)} files, {len(listed)} pairs scoring 0.5 or more")


if __name__ == "__main__":
    main()
