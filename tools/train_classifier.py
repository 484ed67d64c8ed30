#!/usr/bin/env python3
"""Train SampleMind's category and loop/one-shot classifiers.

usage: train_classifier.py [--models] LABELS_CSV FEATURES_JSONL OUT_JSON

With --models, FEATURES_JSONL comes from an analysis with the local models (the DSP
features followed by the aisfx and musicnn embeddings) and only the category model is
trained: assets/models/category_models.json, read by src/ml/category.rs.

FEATURES_JSONL is `samplemind analyze --json --features` over the corpus that LABELS_CSV
labels (the eval kit's DEV corpus: ../shared/eval/build-dev-corpus.sh); rows are matched by
path suffix. The models are multinomial (category) and binary (loop) logistic regressions
on standardised features: small enough to commit as JSON and to run in Rust without a
dependency, and hard to overfit with a few hundred examples.

It prints honest accuracy first: stratified 5-fold cross-validation, and cross-validation
grouped by source (soundfont, drum kit, sample folder) so that no kit is both trained on and
tested. Only then does it fit on everything and write OUT_JSON.
"""
import csv, json, sys
from collections import Counter, defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

C_CATEGORY = 0.5
C_LOOP = 0.5
# The models' input has 774 features for 380 files: more regularisation.
C_MODELS = 0.2
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


def load(labels_csv, features_jsonl):
    rows = list(csv.DictReader(open(labels_csv, newline="")))
    feats, names = {}, None
    for line in open(features_jsonl):
        d = json.loads(line)
        feats[d["path"]] = d["features"]
    X, cat, loop, groups = [], [], [], []
    for r in rows:
        match = [p for p in feats if p.endswith("/" + r["path"]) or p == r["path"]]
        if not match:
            print(f"no features for {r['path']}", file=sys.stderr)
            continue
        X.append(feats[match[0]])
        cat.append(r["category"])
        loop.append(int(r["is_loop"]))
        groups.append(source_group(r["source"]))
    return np.array(X, dtype=np.float64), np.array(cat), np.array(loop), np.array(groups)


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
    print("per-class recall (stratified CV):", ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(recall.items())))
    print("top confusions:", Counter((y, p) for y, p in zip(cat, pred) if y != p).most_common(8))


def folds(groups):
    """Stratified 5-fold, and folds grouped by source so no kit is both trained on and tested."""
    return StratifiedKFold(5, shuffle=True, random_state=20261124), GroupKFold(n_splits=min(5, len(set(groups))))


def cross_validate(name, X, y, c, groups):
    """Print stratified and grouped CV accuracy of model(c) on (X, y); return the stratified predictions."""
    skf, gkf = folds(groups)
    pred = cross_val_predict(model(c), X, y, cv=skf)
    report(f"{name}, stratified 5-fold CV", y, pred)
    report(f"{name}, CV grouped by source", y, cross_val_predict(model(c), X, y, cv=gkf, groups=groups))
    return pred


def category_json(X, cat, c, fmt):
    """Fit the category model on everything: its standardisation and weights, as src/ reads them."""
    m = model(c).fit(X, cat)
    sc, lr = m[0], m[1]
    return {"mean": fmt(sc.mean_), "scale": fmt(sc.scale_),
            "category": {"classes": lr.classes_.tolist(), "weights": [fmt(w) for w in lr.coef_],
                         "bias": fmt(lr.intercept_)}}


def full_precision(a):
    return np.asarray(a).tolist()


def analysed_fields(labels_csv, features_jsonl):
    """The DSP timbre figures and the analyser's loop call of each labelled row, in load()'s order."""
    rows = {}
    for line in open(features_jsonl):
        d = json.loads(line)
        rows[d["path"]] = (d.get("timbre") or [], bool(d.get("is_loop")))
    out = []
    for r in csv.DictReader(open(labels_csv, newline="")):
        match = [p for p in rows if p.endswith("/" + r["path"]) or p == r["path"]]
        if match:
            out.append(rows[match[0]])
    return out


def unit_rows(a):
    n = np.linalg.norm(a, axis=1, keepdims=True)
    n[n == 0] = 1
    return a / n


def neighbours_report(X, cat, loop, groups, fields, kind_weight=0.3, k=5):
    """How often a one-shot's k nearest (similar --aspect timbre) share its category, with each
    sound's category distribution out of fold: from a model that was not trained on it, as in a
    producer's own library. Mirrors src/search/similar.rs: sound = 0.8 aisfx cosine + 0.2
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
    for name, cv, g in (("stratified", skf, None), ("grouped by source", gkf, groups)):
        P = unit_rows(cross_val_predict(model(C_MODELS), X, cat, cv=cv, groups=g, method="predict_proba"))
        score = (1 - kind_weight) * sound + kind_weight * P @ P.T + kind_penalty
        print(f"  with the category distributions (weight {kind_weight}), out of fold, {name}: {agreement(score):.1%}")


def main_models(labels, features, out_path):
    X, cat, loop, groups = load(labels, features)
    if X.shape[1] != MODEL_FEATURES:
        sys.exit(f"expected {MODEL_FEATURES} features (DSP + aisfx + musicnn), got {X.shape[1]}: analyse with the models")
    print(f"{len(X)} files, {X.shape[1]} features (DSP + embeddings), {len(set(cat))} categories, {len(set(groups))} source groups")
    p_cat = cross_validate("category with the models", X, cat, C_MODELS, groups)
    report("  one-shots", cat[loop == 0], p_cat[loop == 0])
    report("  loops", cat[loop == 1], p_cat[loop == 1])
    per_class(cat, p_cat)
    neighbours_report(X, cat, loop, groups, analysed_fields(labels, features))
    out = {"source": "tools/train_classifier.py --models on the eval DEV corpus", "n_train": int(len(X)),
           **category_json(X, cat, C_MODELS, rounded)}
    json.dump(out, open(out_path, "w"), separators=(",", ":"))
    print(f"wrote {out_path}")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--models"]:
        if len(args) != 4:
            sys.exit(__doc__)
        return main_models(*args[1:])
    if len(args) != 3:
        sys.exit(__doc__)
    X, cat, loop, groups = load(args[0], args[1])
    if X.shape[1] != DSP_FEATURES:
        sys.exit(f"expected {DSP_FEATURES} DSP features, got {X.shape[1]}: analyse with --no-models")
    print(f"{len(X)} files, {X.shape[1]} features, {len(set(cat))} categories, {len(set(groups))} source groups")
    p_cat = cross_validate("category", X, cat, C_CATEGORY, groups)
    cross_validate("loop/one-shot", X, loop, C_LOOP, groups)
    per_class(cat, p_cat)

    out = {"source": "tools/train_classifier.py on the eval DEV corpus", "n_train": int(len(X)),
           **category_json(X, cat, C_CATEGORY, full_precision)}
    m = model(C_LOOP).fit(X, loop)
    out["loop"] = {"weights": m[1].coef_[0].tolist(), "bias": float(m[1].intercept_[0]),
                   "mean": m[0].mean_.tolist(), "scale": m[0].scale_.tolist()}
    json.dump(out, open(args[2], "w"), separators=(",", ":"))
    print(f"wrote {args[2]}")


if __name__ == "__main__":
    main()
