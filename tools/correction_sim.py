#!/usr/bin/env python3
"""How far a producer's corrections carry: a simulation, one source left out at a time.

usage: correction_sim.py LABELS_CSV MODEL_FEATURES_JSONL OOF_NPZ

MODEL_FEATURES_JSONL: `samplemind analyze --json --features` (with the models) over the
training corpus. OOF_NPZ: the models' category distributions of every file from a model
fitted without the file's source (`SAMPLEMIND_SAVE_OOF=F tools/train_classifier.py --models`).

For each source family held out of training, the producer corrects k = 1, 3, 5 sounds per
category (drawn at random, five draws): either any k sounds of each category, or, as a
producer would, only sounds the model got wrong (k of each category's mistakes, or all of
them when fewer). Every other sound of that family is then scored with
the shipped model alone and with the model blended with its nearest corrected neighbours:

    p = (1 - w) * p_model + w * vote,   vote = the categories of the n most similar corrected
                                        sounds, weighted by their similarity

where similarity is what `similar --aspect sound` computes (0.8 aisfx cosine + 0.2 DSP
timbre cosine; DSP timbre alone where a side has no aisfx), loops voting for loops only and
one-shots for one-shots; and, second, with a per-pack shift of the model's class biases
fitted to the corrected sounds (20 numbers: "this pack calls more things synth"):

    p = softmax(log p_model + d),       d = argmin over the corrected sounds of their
                                        log-loss + lambda |d|^2

w, n and lambda are chosen on the other families' simulations only, so each family's figure
is what an unseen pack gets. The models' distributions are calibrated first (the shipped
temperature, read from assets/models/category_models.json).
"""
import json
import os
import sys
import zlib
from itertools import product

import numpy as np

import train_classifier as T

K = (1, 3, 5)
LAMBDAS = (0.003, 0.01, 0.03, 0.1)
REGIMES = ("any sounds", "only the model's mistakes")
DRAWS = 5
WEIGHTS = (0.3, 0.5, 0.7, 0.9)
NEIGHBOURS = (1, 3, 5)


def similarity(X, fields):
    """The `similar --aspect sound` score between every two files (tools/train_classifier.py)."""
    A = T.unit_rows(X[:, T.DSP_FEATURES:T.DSP_FEATURES + 512])
    has_a = np.abs(A).sum(1) > 0
    timbre = np.array([f[0] for f in fields], dtype=np.float64)
    sd = timbre.std(0)
    D = T.unit_rows((timbre - timbre.mean(0)) / np.where(sd > 1e-6, sd, np.inf))
    return np.where(has_a[:, None] & has_a[None, :], 0.8 * A @ A.T + 0.2 * D @ D.T, D @ D.T)


def blended(proba, s, labels, n_classes, w, n):
    """Each row's category after the blend with its n nearest corrected sounds (`s`: each
    row's similarity to each corrected sound, `labels`: their corrected categories)."""
    near = np.argsort(-s, axis=1)[:, :n]
    vote = np.zeros((len(proba), n_classes))
    for j in range(near.shape[1]):
        col = near[:, j]
        weight = np.clip(s[np.arange(len(s)), col], 0, None)
        vote[np.arange(len(s)), labels[col]] += weight
    total = vote.sum(1, keepdims=True)
    vote = np.divide(vote, total, out=np.zeros_like(vote), where=total > 0)
    return ((1 - w) * proba + w * vote).argmax(1)


def bias_shift(logp, labels, lam, steps=300, rate=0.5):
    """Class-bias offsets that fit the corrected sounds' log-probabilities `logp` to their
    `labels` (gradient descent on the log-loss with an L2 pull towards no shift)."""
    d = np.zeros(logp.shape[1])
    counts = np.bincount(labels, minlength=logp.shape[1])
    for _ in range(steps):
        z = logp + d
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        d -= rate * ((p.sum(0) - counts) / len(labels) + lam * d)
    return d


def simulate(g, k, draw, proba, sim, truth, groups, n_classes, params, mistakes):
    """(right with the model, right with each (w, n) blend, rows scored, right with each
    lambda's bias shift) for family g."""
    rows = np.where(groups == g)[0]
    rng = np.random.default_rng(zlib.crc32(f"{g}/{k}/{draw}".encode()))
    pool = rows[proba[rows].argmax(1) != truth[rows]] if mistakes else rows
    corrected = []
    for c in np.unique(truth[pool]):
        members = pool[truth[pool] == c]
        if mistakes or len(members) > k:
            corrected.extend(rng.choice(members, min(k, len(members)), replace=False))
    corrected = np.array(sorted(corrected), dtype=int)
    rest = np.setdiff1d(rows, corrected)
    if len(corrected) == 0 or len(rest) == 0:
        return None
    model = (proba[rest].argmax(1) == truth[rest]).sum()
    s = sim[np.ix_(rest, corrected)]
    out = {}
    for w, n in params:
        pred = blended(proba[rest], s, truth[corrected], n_classes, w, n)
        out[(w, n)] = (pred == truth[rest]).sum()
    logp = np.log(np.clip(proba, 1e-9, 1))
    shifted = {}
    for lam in LAMBDAS:
        d = bias_shift(logp[corrected], truth[corrected], lam)
        shifted[lam] = ((logp[rest] + d).argmax(1) == truth[rest]).sum()
    return model, out, len(rest), shifted


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    labels, feats, oof = sys.argv[1:]
    X, cat, loop, groups = T.load(labels, feats)
    saved = np.load(oof, allow_pickle=True)
    if list(saved["y"]) != list(cat):
        sys.exit("the OOF file is of another corpus or order")
    classes = saved["classes"]
    here = os.path.dirname(os.path.abspath(__file__))
    shipped = json.load(open(os.path.join(here, "..", "assets", "models", "category_models.json")))
    proba = T.tempered(saved["proba"], shipped["category"].get("temperature", 1.0))
    truth = np.searchsorted(classes, cat)
    fields = T.analysed_fields(labels, feats)
    is_loop = np.array([f[1] for f in fields])
    # Loops vote for loops only, one-shots for one-shots.
    sim = similarity(X, fields) - 2.0 * (is_loop[:, None] != is_loop[None, :])
    params = list(product(WEIGHTS, NEIGHBOURS))
    families = sorted(set(groups))
    print(f"{len(X)} files, {len(families)} source families; w in {WEIGHTS}, n in {NEIGHBOURS}")
    for (mistakes, regime), k in product(enumerate(REGIMES), K):
        runs = {}
        for g in families:
            for d in range(DRAWS):
                r = simulate(g, k, d, proba, sim, truth, groups, len(classes), params, mistakes)
                if r:
                    runs.setdefault(g, []).append(r)
        model_right = blend_right = shift_right = scored = 0
        for g in families:
            if g not in runs:
                continue
            # w, n and lambda chosen on the other families' simulations only.
            others = [r for h in runs if h != g for r in runs[h]]
            best = max(params, key=lambda p: sum(r[1][p] / r[2] for r in others))
            lam = max(LAMBDAS, key=lambda v: sum(r[3][v] / r[2] for r in others))
            for r in runs[g]:
                model_right += r[0]
                blend_right += r[1][best]
                shift_right += r[3][lam]
                scored += r[2]
        print(f"{regime}, k = {k} corrected per category ({scored // DRAWS} other sounds a draw): the model alone "
              f"{model_right / scored:.1%}, nearest corrected neighbours {blend_right / scored:.1%}, "
              f"bias shift {shift_right / scored:.1%}")
        all_runs = [r for rs in runs.values() for r in rs]
        overall = max(params, key=lambda p: sum(r[1][p] / r[2] for r in all_runs))
        lam = max(LAMBDAS, key=lambda v: sum(r[3][v] / r[2] for r in all_runs))
        print(f"  on every family the best blend is w = {overall[0]}, n = {overall[1]}; lambda = {lam}")


if __name__ == "__main__":
    main()
