#!/usr/bin/env python3
"""Build SampleMind's training and tuning corpus (issue 21).

usage: train_corpus.py OUTDIR [--seed N] [--scale X]

Run through scripts/build-train-corpus.sh, which installs the eval kit's renderer and fetches
the sources. The eval kit (../shared/eval/corpus) is used as a library, not copied: its
fluidsynth renderer, its MIDI writer, its drum patterns and progressions, and its DEV recipe
functions (drum loops, music loops, chorales, Hydrogen and LMMS samples) are called here with a
wider configuration, and this file adds what DEV lacks:

- every General MIDI program that has an unambiguous category, at many pitches, velocities
  and lengths (DEV: 4-6 programs per category);
- chord one-shots and stabs (major, minor, 7ths, sus; every root; strummed on guitars), labelled
  with their key (root and quality) and their root pitch class;
- music loops whose progression does *not* open on the tonic;
- our own synthesis, four families: subtractive (pads, basses, leads, plucks), FM (electric
  pianos, bells, basses), drum synthesis (kicks, snares, hats, claps, toms, cymbals,
  percussion) and effects (risers, downlifters, zaps, impacts, noise sweeps), plus drum loops
  sequenced from the synthesised drums.

Sources (issue 21's list of what may train): the DEV kit's packages (fluid-soundfont-gm,
musescore-general-soundfont-small, the nine DEV kits of hydrogen-drumkits / hydrogen-data,
lmms-common, the even-numbered music21 chorales DEV draws from), fluid-soundfont-gs,
fluidr3mono-gm-soundfont, musescore-general-soundfont, and our synthesis. Nothing else is
read: in particular none of the packages issue 21 reserves for evaluation, nor any Hydrogen
kit outside DEV's nine.

labels.csv has the eval kit's columns plus `group`: the source family a file belongs to
(fluidr3, musescore, kit:<name>, lmms, synth:<family>). Cross-validation leaves one group out
at a time, so a soundfont family never trains the model that is tested on it: FluidR3's GM,
GS and mono fonts are one family (the same recordings), MuseScore's Lite and full fonts another.
Augmentation (pitch, EQ, reverb, codecs) is not baked in here: it belongs inside each
training fold (tools/augment_corpus.py).
"""
import argparse, csv, os, random, shutil, sys, time

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL = os.environ.get("SAMPLEMIND_EVAL_KIT") or os.path.join(HERE, "..", "..", "shared", "eval")
sys.path.insert(0, os.path.join(EVAL, "corpus"))
import sources as S  # noqa: E402  (the eval kit, as a library)
import music as M  # noqa: E402
import render as R  # noqa: E402
import gen_corpus as G  # noqa: E402

S.SF.update({
    "FluidR3_GS": f"{S.SRC}/fluid-soundfont-gs/usr/share/sounds/sf2/FluidR3_GS.sf2",
    "FluidR3Mono_GM": f"{S.SRC}/fluidr3mono-gm-soundfont/usr/share/fluidr3mono-gm-soundfont/FluidR3Mono_GM.sf3",
    "MuseScore_General": f"{S.SRC}/musescore-general-soundfont/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
})
S.SF_LICENSE.update({"FluidR3_GS": "MIT", "FluidR3Mono_GM": "MIT", "MuseScore_General": "MIT"})
FAMILY = {"FluidR3_GM": "fluidr3", "FluidR3_GS": "fluidr3", "FluidR3Mono_GM": "fluidr3",
          "MuseScore_General_Lite": "musescore", "MuseScore_General": "musescore"}
MELODIC = ["FluidR3_GM", "FluidR3Mono_GM", "MuseScore_General_Lite", "MuseScore_General"]

DEV_KITS = ["GMRockKit", "TR808EmulationKit", "ForzeeStereo", "Millo_MultiLayered2", "Millo-Drums_v.1",
            "Millo_MultiLayered3", "HardElectro1", "ElectricEmpireKit", "Gimme A Hand 1.0"]
CFG = dict(
    melodic_sf=MELODIC,
    drum_sf=[(n, 128) for n in ["FluidR3_GM", "FluidR3_GS", "MuseScore_General_Lite", "MuseScore_General"]],
    oneshot_kits=DEV_KITS,
    loop_kits=["GMRockKit", "TR808EmulationKit", "ForzeeStereo", "Millo_MultiLayered2", "HardElectro1",
               "ElectricEmpireKit"],
    chorale_parity=0,  # DEV's half of the chorales; the other half may be the held-out's
)

# General MIDI programs (0-based) whose category is not in doubt. Left out: 47 timpani, 55
# orchestra hit, 96-103 synth effects (pads or effects, by taste), 118 synth drum.
GM_PROGRAMS = {
    "keys": list(range(0, 8)) + list(range(16, 24)),
    "mallets": list(range(8, 16)) + [108, 112, 114],
    "guitar": list(range(24, 32)) + [104, 105, 106, 107],
    "bass": list(range(32, 40)),
    "strings": list(range(40, 47)) + [48, 49, 50, 51, 110],
    "vocal": [52, 53, 54],
    "brass": list(range(56, 64)),
    "woodwind": list(range(64, 80)) + [109, 111],
    "synth": list(range(80, 88)),
    "pad": list(range(88, 96)),
    "percussion": [113, 115],
    "tom": [116, 117],
    "fx": [119, 120, 121, 122, 123, 124, 125, 126, 127],
}
MELODIC_CATS = ["keys", "mallets", "guitar", "bass", "strings", "vocal", "brass", "woodwind", "synth", "pad"]
PITCH_RANGE = {"bass": (28, 55), "pad": (45, 76), "strings": (40, 84), "vocal": (48, 79), "brass": (46, 79),
               "woodwind": (55, 91), "mallets": (55, 96), "guitar": (40, 81), "keys": (33, 96), "synth": (40, 88),
               "percussion": (55, 80), "tom": (38, 60), "fx": (48, 72)}
LONG = {"pad", "strings", "vocal"}
COUNTS = dict(gm_oneshot=1400, chord_oneshot=500, gm_drum_oneshot=300, real_drum_oneshot=400, synth_oneshot=700,
              drumloop_gm=300, drumloop_kit=150, musicloop=240, musicloop_off_tonic=240, synth_drumloop=60,
              chorale=40)
SR = R.SR


def group_of(source):
    """The source family of a row (see the module docstring)."""
    w = source.split()
    if not w:
        return "?"
    if w[0].startswith("synth:"):
        return w[0]
    if w[:2] == ["hydrogen", "kit"]:
        return "kit:" + " ".join(w[2:])
    if w[0] == "lmms":
        return "lmms"
    if w[0] == "music21":
        return FAMILY.get(source.rsplit("(", 1)[-1].rstrip(")"), "?")
    if w[0] in FAMILY:
        return FAMILY[w[0]]
    kit = source.split(":")[0]
    return "kit:" + kit if kit in DEV_KITS else "?"


class Corpus(G.Corpus):
    """The eval kit's corpus writer, with the `group` column."""

    def write(self):
        cols = ["path", "category", "bpm", "key", "root_note", "is_loop", "subset", "source", "license",
                "label_source", "group"]
        with open(os.path.join(self.out, "labels.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            for row in self.rows:
                w.writerow({**row, "group": group_of(row["source"])})


def stereo(x):
    x = np.asarray(x, np.float32)
    return np.stack([x, x], axis=1) if x.ndim == 1 else x


def save(C, a, subset, name, r, category, source, lsrc, root="", key="", bpm="", is_loop=0, length=None, lic=None):
    a = R.finish(stereo(a), r, length=length, trim_tail=length is None)
    if not np.isfinite(a).all() or np.abs(a).max() < 1e-4:
        return
    rel = C.path(subset, name, "flac")
    R.write_flac(os.path.join(C.out, rel), a)
    C.add(rel, category, bpm=bpm, key=key, root=root, is_loop=is_loop, subset=subset, source=source,
          lic=lic or "CC0 (synthesised by tools/train_corpus.py)", lsrc=lsrc)


# ------------------------------------------------------------------ soundfont one-shots
def note_midi(channel_notes, seconds, program, reverb):
    ticks = int(seconds * 2 * M.TPB)  # at 120 BPM, 1 s = 2 beats
    events = [(t, n, v, ticks - t) for t, n, v in channel_notes]
    return M.build_midi(120, [dict(channel=0, program=program, events=events, reverb=reverb)], ticks + 3 * M.TPB)


def render_notes(fl, r, notes, seconds, program):
    mel = r.choice(MELODIC)
    mid = note_midi(notes, seconds, program, r.randint(0, 60))
    a = fl.render(mid, mel, ("FluidR3_GM", 128, 0), seconds + 2.0, reverb=(r.uniform(0.1, 0.7), r.uniform(0.0, 0.4)))
    return a, mel


def gm_oneshots(C, fl, r, n):
    cats = list(GM_PROGRAMS)
    for i in range(n):
        cat = cats[i % len(cats)]
        prog = r.choice(GM_PROGRAMS[cat])
        lo, hi = PITCH_RANGE[cat]
        note = r.randint(lo, hi)
        dur = r.uniform(1.5, 4.0) if cat in LONG else r.choice([r.uniform(0.12, 0.5), r.uniform(0.5, 2.5)])
        a, mel = render_notes(fl, r, [(0, note, r.randint(40, 127))], dur, prog)
        # The root is a label only where the program is a pitched instrument played as written.
        root = M.note_name(note) if cat in MELODIC_CATS else ""
        save(C, a, "gm_oneshot", f"{cat}_p{prog}_{M.note_name(note)}", r, cat, f"{mel} GM program {prog}",
             "rendered MIDI note, exact", root=root, lic=S.SF_LICENSE[mel])


CHORDS = {"maj": ([0, 4, 7], "major"), "min": ([0, 3, 7], "minor"), "7": ([0, 4, 7, 10], "major"),
          "maj7": ([0, 4, 7, 11], "major"), "min7": ([0, 3, 7, 10], "minor"), "add9": ([0, 4, 7, 14], "major"),
          "min9": ([0, 3, 7, 10, 14], "minor"), "sus2": ([0, 2, 7], ""), "sus4": ([0, 5, 7], "")}
CHORD_CATS = ["keys", "keys", "guitar", "guitar", "pad", "strings", "brass", "synth", "mallets", "vocal"]


def chord_oneshots(C, fl, r, n):
    names = list(CHORDS)
    for i in range(n):
        kind = names[i % len(names)]
        ivs, quality = CHORDS[kind]
        root_pc = r.randrange(12)
        cat = r.choice(CHORD_CATS)
        prog = r.choice(GM_PROGRAMS[cat])
        pcs = [(root_pc + iv) % 12 for iv in ivs]
        notes = M.voice_chord(pcs, r.randint(55, 70))
        if r.random() < 0.5:  # the root in the bass, as players voice it
            notes = [36 + (root_pc - 36) % 12 + 12 * r.choice([0, 1])] + notes
        stab = r.random() < 0.35
        dur = r.uniform(0.1, 0.35) if stab else (r.uniform(1.5, 4.0) if cat in LONG else r.uniform(0.6, 2.5))
        step = int(r.uniform(0.008, 0.03) * 2 * M.TPB) if cat == "guitar" else 0  # a strum
        direction = 1 if r.random() < 0.7 else -1
        ordered = sorted(notes)[::direction]
        vel = r.randint(50, 120)
        ev = [(k * step, nn, max(1, min(127, vel + r.randint(-8, 8)))) for k, nn in enumerate(ordered)]
        a, mel = render_notes(fl, r, ev, dur, prog)
        root_name = M.PC_SHARP[root_pc]
        key = f"{M.KEY_NAMES[root_pc]} {quality}" if quality else ""
        save(C, a, "chord_oneshot", f"{'stab' if stab else 'chord'}_{cat}_{root_name}{kind}", r, cat,
             f"{mel} GM program {prog}", f"rendered chord {root_name}{kind} ({len(notes)} notes), exact; "
             "key = the chord's root and quality, none for sus chords", root=root_name, key=key,
             lic=S.SF_LICENSE[mel])


def off_tonic_musicloops(C, fl, r, n):
    """The eval kit's music loops, with every progression rotated so it opens off the tonic."""
    saved = M.PROG_MAJOR, M.PROG_MINOR
    rot = lambda progs: [p[k:] + p[:k] for p in progs for k in range(1, len(p)) if p[k] != 1]  # noqa: E731
    M.PROG_MAJOR, M.PROG_MINOR = rot(saved[0]), rot(saved[1])
    try:
        G.gen_musicloops(C, fl, CFG, r, n)
    finally:
        M.PROG_MAJOR, M.PROG_MINOR = saved


# ------------------------------------------------------------------------- synthesis
def t_axis(seconds):
    return np.arange(int(seconds * SR), dtype=np.float64) / SR


def adsr(n, a, d, s, rel):
    t = np.arange(n) / SR
    env = np.where(t < a, t / max(a, 1e-4), s + (1 - s) * np.exp(-(t - a) / max(d, 1e-4)))
    tail = int(rel * SR)
    if 0 < tail < n:
        env[-tail:] *= np.linspace(1, 0, tail)
    return env


def additive(f0, seconds, shape, cutoff, detune=0.0, voices=1, r=None):
    """A band-limited oscillator through a time-varying low-pass (cutoff: Hz per sample)."""
    t = t_axis(seconds)
    out = np.zeros_like(t)
    for v in range(voices):
        f = f0 * (1 + detune * (v - (voices - 1) / 2) / max(voices - 1, 1))
        for k in range(1, 80):
            fk = f * k
            if fk > 16000:
                break
            if shape == "square" and k % 2 == 0:
                continue
            amp = 1.0 / k if shape in ("saw", "square") else (1.0 / k**2 if k % 2 else 0.0)
            if amp == 0:
                continue
            lp = 1.0 / np.sqrt(1 + (fk / cutoff) ** 4)
            out += amp * lp * np.sin(2 * np.pi * fk * t + (r.uniform(0, 6.28) if r else 0))
    return out / max(voices, 1)


def fft_filter(x, lo, hi):
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / SR)
    X[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(X, len(x))


def reverb(x, r, seconds=None):
    seconds = seconds or r.uniform(0.3, 2.0)
    n = int(seconds * SR)
    ir = np.random.default_rng(r.randrange(1 << 30)).standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    wet = np.fft.irfft(np.fft.rfft(x, len(x) + n) * np.fft.rfft(ir, len(x) + n), len(x) + n)
    wet /= max(np.abs(wet).max(), 1e-9)
    out = np.concatenate([x, np.zeros(n)])
    return out + r.uniform(0.05, 0.3) * wet * np.abs(x).max()


def noise(n, r):
    return np.random.default_rng(r.randrange(1 << 30)).standard_normal(n)


def midi_hz(m):
    return 440.0 * 2 ** ((m - 69) / 12)


def subtractive(r):
    kind = r.choice(["pad", "bass", "synth", "synth"])  # leads and plucks are both "synth"
    shape = r.choice(["saw", "square", "saw", "triangle"])
    if kind == "pad":
        note, secs = r.randint(45, 76), r.uniform(2.0, 4.5)
        env = adsr(int(secs * SR), r.uniform(0.3, 1.5), r.uniform(0.5, 2), r.uniform(0.5, 0.9), r.uniform(0.3, 1.0))
        cut = r.uniform(500, 3000) * (1 + 0.5 * np.sin(2 * np.pi * r.uniform(0.1, 0.5) * t_axis(secs)))
        x = additive(midi_hz(note), secs, shape, cut, detune=r.uniform(0.003, 0.012), voices=3, r=r)
    elif kind == "bass":
        note, secs = r.randint(28, 52), r.uniform(0.25, 1.2)
        env = adsr(int(secs * SR), 0.003, r.uniform(0.1, 0.6), r.uniform(0.2, 0.8), 0.05)
        t = t_axis(secs)
        cut = r.uniform(150, 600) + r.uniform(300, 3000) * np.exp(-t / r.uniform(0.05, 0.3))
        x = additive(midi_hz(note), secs, shape, cut, r=r)
    else:
        pluck = r.random() < 0.5
        note = r.randint(52, 88)
        secs = r.uniform(0.2, 0.7) if pluck else r.uniform(0.5, 2.0)
        t = t_axis(secs)
        env = adsr(int(secs * SR), 0.002 if pluck else r.uniform(0.005, 0.08),
                   r.uniform(0.05, 0.25) if pluck else r.uniform(0.2, 1.0), 0.0 if pluck else r.uniform(0.5, 0.9), 0.05)
        cut = r.uniform(800, 2500) + r.uniform(1000, 8000) * np.exp(-t / r.uniform(0.03, 0.4))
        x = additive(midi_hz(note), secs, shape, cut, detune=r.uniform(0, 0.01), voices=r.choice([1, 2]), r=r)
    return kind, note, x * env


def fm(r):
    kind = r.choice(["keys", "mallets", "bass"])
    t_len = {"keys": r.uniform(0.8, 2.5), "mallets": r.uniform(0.8, 3.0), "bass": r.uniform(0.25, 1.0)}[kind]
    note = {"keys": r.randint(45, 84), "mallets": r.randint(60, 96), "bass": r.randint(28, 50)}[kind]
    t = t_axis(t_len)
    ratio = {"keys": r.choice([1.0, 1.0, 2.0, 14.0]), "mallets": r.choice([3.5, 1.4, 2.76, 5.4]),
             "bass": r.choice([0.5, 1.0, 2.0])}[kind]
    f = midi_hz(note)
    index = r.uniform(1.0, 6.0) * np.exp(-t / r.uniform(0.05, 0.6))
    x = np.sin(2 * np.pi * f * t + index * np.sin(2 * np.pi * f * ratio * t))
    decay = {"keys": r.uniform(0.4, 1.5), "mallets": r.uniform(0.3, 1.8), "bass": r.uniform(0.15, 0.6)}[kind]
    return kind, note, x * np.exp(-t / decay) * np.minimum(1, t / 0.002)


def drum(r, kind=None):
    kind = kind or r.choice(["kick", "snare", "hat", "clap", "tom", "cymbal", "percussion"])
    if kind == "kick":
        secs = r.uniform(0.25, 0.9)
        t = t_axis(secs)
        f = r.uniform(40, 60) + r.uniform(60, 200) * np.exp(-t / r.uniform(0.01, 0.06))
        x = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / r.uniform(0.08, 0.4))
        x += r.uniform(0, 0.3) * fft_filter(noise(len(t), r), 1000, 8000) * np.exp(-t / 0.004)
        if r.random() < 0.3:
            x = np.tanh(x * r.uniform(1.5, 4))
    elif kind == "snare":
        secs = r.uniform(0.15, 0.5)
        t = t_axis(secs)
        body = np.sin(2 * np.pi * np.cumsum(r.uniform(160, 260) + 60 * np.exp(-t / 0.02)) / SR)
        x = r.uniform(0.3, 0.8) * body * np.exp(-t / r.uniform(0.03, 0.08))
        x += fft_filter(noise(len(t), r), r.uniform(800, 2000), r.uniform(6000, 12000)) * np.exp(-t / r.uniform(0.05, 0.2))
    elif kind == "hat":
        secs = r.choice([r.uniform(0.05, 0.2), r.uniform(0.3, 0.9)])  # closed, open
        t = t_axis(secs)
        x = fft_filter(noise(len(t), r), r.uniform(5000, 8000), 18000) * np.exp(-t / (secs / 4))
    elif kind == "clap":
        secs = r.uniform(0.25, 0.6)
        t = t_axis(secs)
        env = np.zeros_like(t)
        gap = r.uniform(0.007, 0.014)
        for k in range(r.randint(3, 5)):
            env += (t >= k * gap) * np.exp(-np.maximum(t - k * gap, 0) / 0.004) * (t < (k + 1) * gap)
        env += (t >= 3 * gap) * np.exp(-np.maximum(t - 3 * gap, 0) / r.uniform(0.05, 0.15))
        x = fft_filter(noise(len(t), r), r.uniform(700, 1200), r.uniform(2500, 5000)) * env
    elif kind == "tom":
        secs = r.uniform(0.3, 0.9)
        t = t_axis(secs)
        f0 = r.uniform(70, 220)
        x = np.sin(2 * np.pi * np.cumsum(f0 * (1 + 0.5 * np.exp(-t / 0.05))) / SR) * np.exp(-t / r.uniform(0.1, 0.35))
        x += 0.1 * fft_filter(noise(len(t), r), 200, 4000) * np.exp(-t / 0.02)
    elif kind == "cymbal":
        secs = r.uniform(1.0, 3.5)
        t = t_axis(secs)
        metal = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in r.sample([205.3, 304.4, 369.6, 522.7, 540, 800, 1043], 6))
        x = fft_filter(metal + 2 * noise(len(t), r), r.uniform(3000, 6000), 18000) * np.exp(-t / r.uniform(0.3, 1.2))
    else:
        secs = r.uniform(0.08, 0.4)
        t = t_axis(secs)
        sub = r.choice(["block", "cowbell", "shaker", "conga"])
        if sub == "block":
            x = np.sin(2 * np.pi * r.uniform(700, 2000) * t) * np.exp(-t / 0.015)
        elif sub == "cowbell":
            f = r.uniform(500, 600)
            x = (np.sign(np.sin(2 * np.pi * f * t)) + np.sign(np.sin(2 * np.pi * f * 1.48 * t))) * np.exp(-t / 0.08)
            x = fft_filter(x, 300, 6000)
        elif sub == "shaker":
            x = fft_filter(noise(len(t), r), 4000, 14000) * np.sin(np.pi * t / secs) ** 2
        else:
            x = np.sin(2 * np.pi * np.cumsum(r.uniform(180, 400) * (1 + 0.3 * np.exp(-t / 0.01))) / SR) * np.exp(-t / 0.09)
    return kind, None, x


def effect(r):
    kind = r.choice(["riser", "downlifter", "zap", "impact", "sweep"])
    if kind in ("riser", "downlifter", "sweep"):
        secs = r.uniform(1.5, 5.0)
        t = t_axis(secs)
        lo, hi = r.uniform(100, 400), r.uniform(2000, 9000)
        u = t / secs
        centre = lo * (hi / lo) ** (u if kind != "downlifter" else 1 - u)
        x = np.zeros_like(t)
        for _ in range(60):
            x += np.sin(2 * np.pi * np.cumsum(centre * r.uniform(0.7, 1.3)) / SR + r.uniform(0, 6.28))
        amp = u if kind == "riser" else (1 - u if kind == "downlifter" else np.sin(np.pi * u))
        x = x * amp + 0.3 * noise(len(t), r) * amp
    elif kind == "zap":
        secs = r.uniform(0.1, 0.5)
        t = t_axis(secs)
        x = np.sign(np.sin(2 * np.pi * np.cumsum(r.uniform(1000, 4000) * np.exp(-t / r.uniform(0.01, 0.08)) + 50) / SR))
        x *= np.exp(-t / (secs / 3))
    else:
        secs = r.uniform(1.0, 3.0)
        t = t_axis(secs)
        x = np.sin(2 * np.pi * np.cumsum(30 + 90 * np.exp(-t / 0.1)) / SR) * np.exp(-t / 0.6)
        x += fft_filter(noise(len(t), r), 100, 12000) * np.exp(-t / r.uniform(0.2, 0.8))
    return "fx", None, x


FAMILIES = {"subtractive": subtractive, "fm": fm, "drums": drum, "fx": effect}


def synth_oneshots(C, r, n):
    names = list(FAMILIES)
    for i in range(n):
        fam = names[i % len(names)]
        kind, note, x = FAMILIES[fam](r)
        if r.random() < 0.4:
            x = reverb(x, r)
        if r.random() < 0.25:
            x = np.tanh(x / np.abs(x).max() * r.uniform(1.5, 5))
        root = M.note_name(note) if note is not None and kind in MELODIC_CATS else ""
        save(C, x, "synth_oneshot", f"{fam}_{kind}" + (f"_{M.note_name(note)}" if note else ""), r, kind,
             f"synth:{fam} {kind}", "synthesised, exact", root=root)


def synth_drumloops(C, r, n):
    """Drum loops sequenced (by the eval kit's sequencer) from freshly synthesised drums."""
    tmp = os.path.join(C.out, "_synth_kit")
    for i in range(n):
        os.makedirs(tmp, exist_ok=True)
        km = {}
        for voice, kind in [("kick", "kick"), ("snare", "snare"), ("hat", "hat"), ("hat_open", "hat"),
                            ("clap", "clap"), ("tom_mid", "tom"), ("crash", "cymbal"), ("shaker", "percussion")]:
            _, _, x = drum(r, kind)
            if voice == "hat_open":
                x = fft_filter(noise(int(0.5 * SR), r), 6000, 18000) * np.exp(-t_axis(0.5) / 0.15)
            p = os.path.join(tmp, f"{i}_{voice}.wav")
            sf.write(p, stereo(x / max(np.abs(x).max(), 1e-9) * 0.8), SR, subtype="FLOAT")
            km[voice] = [(p, 0.0, 1.0)]
        style = r.choice(list(M.STYLES))
        bpm = r.randint(*M.STYLES[style])
        nb = M.choose_bars(bpm, r)
        ev = M.drum_events(style, nb, r)
        spt = 60.0 / bpm / M.TPB * SR
        length = int(round(nb * 4 * 60.0 / bpm * SR))
        a = R.sequence_kit(ev, km, length, lambda t: t * spt)
        R._cache.clear()
        save(C, a[:, 0], "synth_drumloop", f"{style}_{bpm}bpm", r, "drums", "synth:drums loop",
             f"sequenced synthesised drums ({style}, {nb} bars), exact", bpm=bpm, is_loop=1, length=length)
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2112)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    C = Corpus(a.out, "train")
    cnt = {k: max(1, int(round(v * a.scale))) for k, v in COUNTS.items()}
    M.GM_CATS = {c: GM_PROGRAMS[c] for c in MELODIC_CATS}  # the music loops draw every program
    t0 = time.time()
    fl = R.Fluid(sorted(FAMILY))
    steps = [
        ("gm_oneshot", lambda r: gm_oneshots(C, fl, r, cnt["gm_oneshot"])),
        ("chord_oneshot", lambda r: chord_oneshots(C, fl, r, cnt["chord_oneshot"])),
        ("gm_drum_oneshot", lambda r: G.gen_gm_drum_oneshots(C, fl, CFG, r, cnt["gm_drum_oneshot"])),
        ("real_drum_oneshot", lambda r: G.real_drum_oneshots(C, CFG, r, cnt["real_drum_oneshot"])),
        ("real_misc", lambda r: G.real_misc(C, CFG, r)),
        ("synth_oneshot", lambda r: synth_oneshots(C, r, cnt["synth_oneshot"])),
        ("drumloop_gm", lambda r: G.gen_drumloops_gm(C, fl, CFG, r, cnt["drumloop_gm"])),
        ("drumloop_kit", lambda r: G.gen_drumloops_kit(C, CFG, r, cnt["drumloop_kit"])),
        ("musicloop", lambda r: G.gen_musicloops(C, fl, CFG, r, cnt["musicloop"])),
        ("musicloop_off_tonic", lambda r: off_tonic_musicloops(C, fl, r, cnt["musicloop_off_tonic"])),
        ("synth_drumloop", lambda r: synth_drumloops(C, r, cnt["synth_drumloop"])),
        ("chorale", lambda r: G.gen_chorales(C, fl, CFG, r, cnt["chorale"])),
    ]
    for i, (name, fn) in enumerate(steps):
        t = time.time()
        fn(random.Random(a.seed * 100 + i))
        print(f"[train] {name}: {time.time() - t:.1f}s, rows={len(C.rows)}", flush=True)
    C.write()
    by = {}
    for row in C.rows:
        by.setdefault(group_of(row["source"]), {}).setdefault(row["category"], 0)
        by[group_of(row["source"])][row["category"]] += 1
    print(f"[train] {len(C.rows)} files in {time.time() - t0:.0f}s; per source group and category:")
    for g in sorted(by):
        print(f"  {g:28s} {sum(by[g].values()):5d}  " + ", ".join(f"{c} {k}" for c, k in sorted(by[g].items())))
    unknown = [row["path"] for row in C.rows if group_of(row["source"]) == "?"]
    if unknown:
        sys.exit(f"rows without a source group: {unknown[:5]}")


if __name__ == "__main__":
    main()
