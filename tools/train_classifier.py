#!/usr/bin/env python3
"""Train SampleMind's category and loop/one-shot classifiers.

usage: train_classifier.py [--models] LABELS_CSV FEATURES_JSONL OUT_JSON [COPIES_CSV COPIES_JSONL]

With --models, FEATURES_JSONL comes from an analysis with the local models (the DSP
features followed by the aisfx and musicnn embeddings) and only the category model is
trained: assets/models/category_models.json, read by crates/analysis/src/category_model.rs.

FEATURES_JSONL is `samplemind analyze --json --features` over the corpus that LABELS_CSV
labels (the eval kit's DEV corpus: ../shared/eval/build-dev-corpus.sh); rows are matched by
path suffix. The models are multinomial (category) and binary (loop) logistic regressions
on standardised features: small enough to commit as JSON and to run in Rust without a
dependency, and hard to overfit with a few hundred examples.

COPIES_CSV and COPIES_JSONL are altered copies of the corpus (tools/augment_corpus.py: other
tunings, levels and colours) and their features. They only ever train: in cross-validation
each copy joins its original's fold, so no copy of a tested file trains the model that tests
it. They make the models less tied to the exact sounds of the corpus's kits and soundfonts.

It prints honest accuracy first: stratified 5-fold cross-validation, and cross-validation
grouped by source (soundfont, drum kit, sample folder) so that no kit is both trained on and
tested. Only then does it fit on everything and write OUT_JSON.

The category model also carries its calibration: a temperature that divides its logits and
an "unsure" threshold. Both come from the leave-one-source-out distributions: the temperature
is fitted by negative log-likelihood or by calibration error, whichever gives the lower
calibration error on held-out sources (each source's figure uses a temperature fitted on the
others), and the threshold leaves 90 % of those calls sure. SAMPLEMIND_SAVE_OOF=F.npz saves
the leave-one-source-out distributions (tools/correction_sim.py reads them).
"""
import csv, json, os, sys
from collections import Counter, defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

C_CATEGORY = 0.5
C_LOOP = 0.5
# The models' input has 774 features for 380 files: more regularisation.
C_MODELS = 0.2
# SAMPLEMIND_TUNE_C=1: choose each regularisation from this grid by leave-one-source-out
# accuracy instead of the constants above (slower: one fit per source and value).
TUNE_GRID = [0.02, 0.1, 0.5, 2.0]
TUNE = os.environ.get("SAMPLEMIND_TUNE_C") == "1"
# SAMPLEMIND_TRAIN_FAST=1: only the leave-one-source-out figures (the ones that choose), not
# the 5-fold ones nor the neighbours report (the models' run then takes one fit per source).
FAST = os.environ.get("SAMPLEMIND_TRAIN_FAST") == "1"
DSP_FEATURES = 64
MODEL_FEATURES = DSP_FEATURES + 512 + 200


def rounded(a):
    """Six significant digits: the JSON is committed, and float32 inference needs no more."""
    return [float(f"{v:.6g}") for v in np.asarray(a).ravel()]


def source_group(source):
    """The kit or soundfont a file came from: 'hydrogen kit GMRockKit' -> GMRockKit."""
    words = source.split()
    if words[:2] == ["hydrogen", "kit"]:
        return words[2] if len(words) > 2 else "hydrogen"
    if words and words[0] == "lmms":
        return "lmms/" + (words[1].split("/")[0] if len(words) > 1 else "")
    if words and words[0] == "music21":
        return "chorale"
    return words[0] if words else "?"


def by_label(labels_csv, analysis_jsonl):
    """Each labelled row with the analysis record of its file, or None: a record matches a
    row when its path ends with the row's path (the corpus may have been analysed from
    anywhere), the first record winning."""
    index = {}
    for line in open(analysis_jsonl):
        d = json.loads(line)
        parts = d["path"].split("/")
        for i in range(len(parts)):
            index.setdefault("/".join(parts[i:]), d)
    return [(r, index.get(r["path"])) for r in csv.DictReader(open(labels_csv, newline=""))]


def matched(labels_csv, features_jsonl):
    """The labelled rows that have features (matched by path suffix), with their features."""
    out = []
    for r, d in by_label(labels_csv, features_jsonl):
        if d is None:
            print(f"no features for {r['path']}", file=sys.stderr)
            continue
        out.append((r, d["features"]))
    return out


def load(labels_csv, features_jsonl):
    rows = matched(labels_csv, features_jsonl)
    X = np.array([f for _, f in rows], dtype=np.float64)
    cat = np.array([r["category"] for r, _ in rows])
    loop = np.array([int(r["is_loop"]) for r, _ in rows])
    # The training corpus (tools/train_corpus.py) names each row's source family itself.
    groups = np.array([r.get("group") or source_group(r["source"]) for r, _ in rows])
    return X, cat, loop, groups


def load_copies(labels_csv, features_jsonl, copies_csv, copies_jsonl):
    """The copies' features, and for each the row of its original in load()'s order."""
    position = {r["path"]: i for i, (r, _) in enumerate(matched(labels_csv, features_jsonl))}
    rows = [(r, f) for r, f in matched(copies_csv, copies_jsonl) if r["origin"] in position]
    return np.array([f for _, f in rows], dtype=np.float64), np.array([position[r["origin"]] for r, _ in rows])


def with_copies(X, y, rows, copies):
    """Training rows `rows` of (X, y), plus the copies of those rows, labelled as their originals."""
    if copies is None:
        return X[rows], y[rows]
    XA, origin = copies
    keep = np.isin(origin, rows)
    return np.vstack([X[rows], XA[keep]]), np.concatenate([y[rows], y[origin[keep]]])


def out_of_fold(c, X, y, splits, copies=None, proba=False):
    """Each row's prediction (or class distribution) from a model fitted without it or its copies."""
    out = None
    for train, test in splits:
        m = model(c).fit(*with_copies(X, y, train, copies))
        p = m.predict_proba(X[test]) if proba else m.predict(X[test])
        if out is None:
            out = np.zeros((len(y), p.shape[1])) if proba else np.empty(len(y), dtype=y.dtype)
        out[test] = p
    return out


def out_of_fold_proba(c, X, y, splits, copies=None):
    """Each row's class distribution over np.unique(y) from a model fitted without it or its
    copies (a class that a fold's training rows lack gets probability 0 there)."""
    classes = np.unique(y)
    out = np.zeros((len(y), len(classes)))
    for train, test in splits:
        m = model(c).fit(*with_copies(X, y, train, copies))
        cols = np.searchsorted(classes, m[1].classes_)
        out[np.ix_(test, cols)] = m.predict_proba(X[test])
    return classes, out


def tempered(proba, t):
    """Temperature scaling of a distribution: softmax(log p / t)."""
    z = np.log(np.clip(proba, 1e-12, 1.0)) / t
    z -= z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(6.0), 60))


def fit_temperature(proba, truth, objective="nll"):
    """The temperature that minimises the negative log-likelihood of the true classes
    (objective "nll") or the expected calibration error of the top call ("ece")."""
    def nll(t):
        return -np.log(np.clip(tempered(proba, t)[np.arange(len(truth)), truth], 1e-12, 1)).mean()

    def ece(t):
        p = tempered(proba, t)
        return expected_calibration_error(p.max(1), p.argmax(1) == truth)
    return float(min(TEMPERATURES, key=nll if objective == "nll" else ece))


def expected_calibration_error(conf, right, bins=10):
    edges = np.linspace(0, 1, bins + 1)
    e = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            e += sel.mean() * abs(right[sel].mean() - conf[sel].mean())
    return e


def calibrate(name, y, classes, proba, groups, coverage=0.9):
    """Choose the temperature and the "unsure" threshold from leave-one-source-out distributions.

    Each source's calibrated figures use a temperature and threshold fitted on the other
    sources only, so what is printed is what an unseen source gets. Returns the temperature and
    threshold fitted on every source, which the shipped model carries."""
    truth = np.searchsorted(classes, y)
    if os.environ.get("SAMPLEMIND_SAVE_OOF"):
        np.savez(os.environ["SAMPLEMIND_SAVE_OOF"], classes=classes, proba=proba, y=y, groups=groups)

    def held_out(objective):
        held = np.zeros_like(proba)
        unsure = np.zeros(len(y), dtype=bool)
        for g in sorted(set(groups)):
            out, inn = groups == g, groups != g
            t = fit_temperature(proba[inn], truth[inn], objective) if objective else 1.0
            cal = tempered(proba[inn], t).max(1)
            held[out] = tempered(proba[out], t)
            unsure[out] = held[out].max(1) < np.quantile(cal, 1 - coverage)
        return held, unsure

    print(f"{name}, calibration (leave one source out):")
    scored = []
    for objective in (None, "nll", "ece"):
        held, unsure = held_out(objective)
        right = held.argmax(1) == truth
        e = expected_calibration_error(held.max(1), right)
        print(f"  temperature fitted by {objective or 'none (raw)'}: expected calibration error {e:.3f}")
        scored.append((e, objective or "", held, unsure))
    _, objective, held, unsure = min(scored, key=lambda s: s[0])
    right = held.argmax(1) == truth
    conf = held.max(1)
    print(f"  chose: {objective or 'raw'}")
    for lo in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.0):
        hi = lo + 0.1 if lo > 0 else 0.4
        sel = (conf >= lo) & (conf < hi + (1e-9 if hi >= 1 else 0))
        if sel.any():
            print(f"  calls at {lo:.1f}-{hi:.1f}: {sel.sum()} right {right[sel].mean():.1%} (mean confidence {conf[sel].mean():.2f})")
    print(f"  full coverage {right.mean():.1%}; unsure {unsure.mean():.1%} of calls, "
          f"the sure ones {right[~unsure].mean():.1%} right, the unsure {right[unsure].mean():.1%}")
    t = fit_temperature(proba, truth, objective) if objective else 1.0
    threshold = float(np.quantile(tempered(proba, t).max(1), 1 - coverage))
    print(f"  on every source: temperature {t:.3f}, unsure below {threshold:.3f} ({coverage:.0%} coverage)")
    return t, threshold


def model(c):
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000, class_weight="balanced"))


def report(name, y, pred):
    acc = (y == pred).mean()
    print(f"{name}: {acc:.1%} ({(y == pred).sum()}/{len(y)})")
    return acc


def per_class(cat, pred):
    recall = defaultdict(lambda: [0, 0])
    for y, p in zip(cat, pred):
        recall[y][0] += y == p
        recall[y][1] += 1
    print("per-class recall (leave one source out):", ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(recall.items())))
    print("top confusions:", Counter((y, p) for y, p in zip(cat, pred) if y != p).most_common(8))


def folds(groups):
    """Stratified 5-fold, and folds grouped by source so no kit is both trained on and tested."""
    return StratifiedKFold(5, shuffle=True, random_state=20261124), GroupKFold(n_splits=min(5, len(set(groups))))


def cross_validate(name, X, y, c, groups, copies=None, loso=None):
    """Print leave-one-source-out, grouped and stratified CV accuracy of model(c) on (X, y)
    (`loso`: the leave-one-source-out predictions, when already made).

    Returns the leave-one-source-out predictions: the figure that says what an unseen source
    gets, and the one every tuned number is chosen by."""
    skf, gkf = folds(groups)
    if loso is None:
        loso = out_of_fold(c, X, y, LeaveOneGroupOut().split(X, y, groups), copies)
    report(f"{name}, leave one source out ({len(set(groups))} sources)", y, loso)
    if FAST:
        return loso
    report(f"{name}, CV grouped by source (5 folds)", y, out_of_fold(c, X, y, gkf.split(X, y, groups), copies))
    report(f"{name}, stratified 5-fold CV", y, out_of_fold(c, X, y, skf.split(X, y), copies))
    return loso


def choose_c(name, X, y, groups, grid, copies=None):
    """The regularisation with the best leave-one-source-out accuracy, each figure printed."""
    best = None
    for c in grid:
        pred = out_of_fold(c, X, y, LeaveOneGroupOut().split(X, y, groups), copies)
        acc = (pred == y).mean()
        print(f"  {name}: C={c}: leave one source out {acc:.1%}")
        if best is None or acc > best[1]:
            best = (c, acc)
    print(f"  {name}: chose C={best[0]}")
    return best[0]


def category_json(X, cat, c, fmt, copies=None):
    """Fit the category model on everything: its standardisation and weights, as src/ reads them."""
    m = model(c).fit(*with_copies(X, cat, np.arange(len(cat)), copies))
    sc, lr = m[0], m[1]
    return {"mean": fmt(sc.mean_), "scale": fmt(sc.scale_),
            "category": {"classes": lr.classes_.tolist(), "weights": [fmt(w) for w in lr.coef_],
                         "bias": fmt(lr.intercept_)}}


def full_precision(a):
    return np.asarray(a).tolist()


def analysed_fields(labels_csv, features_jsonl):
    """The DSP timbre figures and the analyser's loop call of each labelled row, in load()'s order."""
    return [(d.get("timbre") or [], bool(d.get("is_loop")))
            for _, d in by_label(labels_csv, features_jsonl) if d is not None]


def unit_rows(a):
    n = np.linalg.norm(a, axis=1, keepdims=True)
    n[n == 0] = 1
    return a / n


def neighbours_report(X, cat, loop, groups, fields, copies=None, kind_weight=0.3, k=5):
    """How often a one-shot's k nearest (similar --aspect timbre) share its category, with each
    sound's category distribution out of fold: from a model that was not trained on it, as in a
    producer's own library. Mirrors crates/library/src/search/similar.rs: sound = 0.8 aisfx cosine + 0.2
    standardised DSP timbre cosine (DSP alone where a side has no aisfx), timbre = (1 - w) sound
    + w distribution cosine, and -0.1 when loop and one-shot meet."""
    A = unit_rows(X[:, DSP_FEATURES:DSP_FEATURES + 512])
    has_a = np.abs(A).sum(1) > 0
    T = np.array([f[0] for f in fields], dtype=np.float64)
    D = unit_rows((T - T.mean(0)) / np.where(T.std(0) > 1e-6, T.std(0), np.inf))
    sound = np.where(has_a[:, None] & has_a[None, :], 0.8 * A @ A.T + 0.2 * D @ D.T, D @ D.T)
    is_loop = np.array([f[1] for f in fields])
    kind_penalty = -0.1 * (is_loop[:, None] != is_loop[None, :])
    queries = np.where(loop == 0)[0]

    def agreement(score):
        hits = 0
        for i in queries:
            s = score[i].copy()
            s[i] = -np.inf
            hits += (cat[np.argsort(-s)[:k]] == cat[i]).sum()
        return hits / (k * len(queries))

    print(f"one-shots ({len(queries)}) whose {k} nearest share their category, similar --aspect timbre:")
    print(f"  sound alone: {agreement(sound + kind_penalty):.1%}")
    skf, gkf = folds(groups)
    for name, splits in (("stratified", skf.split(X, cat)), ("grouped by source", gkf.split(X, cat, groups))):
        P = unit_rows(out_of_fold(C_MODELS, X, cat, splits, copies, proba=True))
        score = (1 - kind_weight) * sound + kind_weight * P @ P.T + kind_penalty
        print(f"  with the category distributions (weight {kind_weight}), out of fold, {name}: {agreement(score):.1%}")


def corpus_name(labels_csv):
    """'corpus-train' for .../corpus-train/labels.csv: which corpus a model was fitted on."""
    return os.path.basename(os.path.dirname(os.path.abspath(labels_csv))) or labels_csv


def n_copies(copies):
    return int(len(copies[0])) if copies else 0


def header(X, cat, groups, what, copies):
    print(f"{len(X)} files, {X.shape[1]} features{what}, {len(set(cat))} categories, {len(set(groups))} source groups"
          + (f", {n_copies(copies)} altered copies to train on" if copies else ""))


def main_models(labels, features, out_path, copies):
    X, cat, loop, groups = load(labels, features)
    if X.shape[1] != MODEL_FEATURES:
        sys.exit(f"expected {MODEL_FEATURES} features (DSP + aisfx + musicnn), got {X.shape[1]}: analyse with the models")
    header(X, cat, groups, " (DSP + embeddings)", copies)
    c_models = choose_c("category with the models", X, cat, groups, TUNE_GRID, copies) if TUNE else C_MODELS
    classes, proba = out_of_fold_proba(c_models, X, cat, LeaveOneGroupOut().split(X, cat, groups), copies)
    p_cat = cross_validate("category with the models", X, cat, c_models, groups, copies, classes[proba.argmax(1)])
    report("  one-shots", cat[loop == 0], p_cat[loop == 0])
    report("  loops", cat[loop == 1], p_cat[loop == 1])
    per_class(cat, p_cat)
    if not FAST:
        neighbours_report(X, cat, loop, groups, analysed_fields(labels, features), copies)
    t, unsure = calibrate("category with the models", cat, classes, proba, groups)
    out = {"source": f"tools/train_classifier.py --models on {corpus_name(labels)}", "n_train": int(len(X)),
           "n_copies": n_copies(copies), "c": c_models, **category_json(X, cat, c_models, rounded, copies)}
    out["category"].update(temperature=round(t, 4), unsure_below=round(unsure, 4))
    json.dump(out, open(out_path, "w"), separators=(",", ":"))
    print(f"wrote {out_path}")


def main_dsp(labels, features, out_path, copies):
    X, cat, loop, groups = load(labels, features)
    if X.shape[1] != DSP_FEATURES:
        sys.exit(f"expected {DSP_FEATURES} DSP features, got {X.shape[1]}: analyse with --no-models")
    header(X, cat, groups, "", copies)
    c_cat = choose_c("category", X, cat, groups, TUNE_GRID, copies) if TUNE else C_CATEGORY
    c_loop = choose_c("loop/one-shot", X, loop, groups, TUNE_GRID, copies) if TUNE else C_LOOP
    classes, proba = out_of_fold_proba(c_cat, X, cat, LeaveOneGroupOut().split(X, cat, groups), copies)
    p_cat = cross_validate("category", X, cat, c_cat, groups, copies, classes[proba.argmax(1)])
    cross_validate("loop/one-shot", X, loop, c_loop, groups, copies)
    per_class(cat, p_cat)
    t, unsure = calibrate("category", cat, classes, proba, groups)

    out = {"source": f"tools/train_classifier.py on {corpus_name(labels)}", "n_train": int(len(X)),
           "n_copies": n_copies(copies), "c": [c_cat, c_loop],
           **category_json(X, cat, c_cat, full_precision, copies)}
    out["category"].update(temperature=round(t, 4), unsure_below=round(unsure, 4))
    m = model(c_loop).fit(*with_copies(X, loop, np.arange(len(loop)), copies))
    out["loop"] = {"weights": m[1].coef_[0].tolist(), "bias": float(m[1].intercept_[0]),
                   "mean": m[0].mean_.tolist(), "scale": m[0].scale_.tolist()}
    json.dump(out, open(out_path, "w"), separators=(",", ":"))
    print(f"wrote {out_path}")


def main():
    args = sys.argv[1:]
    with_models = args[:1] == ["--models"]
    args = args[1:] if with_models else args
    if len(args) not in (3, 5):
        sys.exit(__doc__)
    copies = load_copies(args[0], args[1], args[3], args[4]) if len(args) == 5 else None
    (main_models if with_models else main_dsp)(*args[:3], copies)


if __name__ == "__main__":
    main()
