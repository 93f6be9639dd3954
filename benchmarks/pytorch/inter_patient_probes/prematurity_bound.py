"""SVEB against N by one RR ratio alone, a threshold on pre-RR / local average RR (a shorter interval, a surer call):
the same bound as ranking_bound.py, on DS1 and on DS2 each with its own threshold, and what DS2's best threshold
gives on DS1; then the ROC-AUC of that ratio and of probes.py's feature 9 (prematurity against the rhythm
around the beat), pooled and with and without record 232. Shows whether the timing that separates DS2's premature beats also separates DS1's (it does not).

    python3 prematurity_bound.py BEATS
"""
import sys
from collections import Counter
import numpy as np
from probes import curve, extra_rr, load, roc_auc

PRE_LOCAL = 5   # column of rr as load() returns it: sample, pre, post, local, record, pre_local, ...


beats = sys.argv[1]
parts = {part: load(beats, part) for part in ("train", "test")}
chosen = None
for part, name in (("test", "DS2"), ("train", "DS1")):
    _, y, records, rr = parts[part]
    keep = (y == 0) | (y == 1)
    score, positive = -rr[keep, PRE_LOCAL], y[keep] == 1
    order, se, ppv = curve(score, positive)
    i = np.argmax(np.where(se >= 0.8, ppv, 0))
    print(f"{name}: {positive.sum()} S and {(~positive).sum()} N beats; best +P at Se >= 0.80: {ppv[i]:.3f} "
          f"(pre_local <= {-score[order[i]]:.3f}); best +P at Se >= 0.50: {ppv[se >= 0.5].max():.3f}")
    print(f"  S beats by record: {Counter(records[keep][positive].tolist()).most_common(6)}")
    print(f"  median pre_local of S beats: {np.median(-score[positive]):.3f}, of N beats: {np.median(-score[~positive]):.3f}")
    if chosen is None:
        chosen = -score[order[i]]
    else:
        called = -score <= chosen
        tp = (called & positive).sum()
        print(f"  DS2's threshold ({chosen:.3f}) on DS1: Se {tp / positive.sum():.3f}, +P {tp / max(1, called.sum()):.3f}")

for part, name in (("train", "DS1"), ("test", "DS2")):
    _, y, records, rr = parts[part]
    prematurity = extra_rr(records, rr)[:, 4]
    for label, keep in (("all", y < 2), ("without 232", (y < 2) & (records != 232)), ("232 only", (y < 2) & (records == 232))):
        if 232 in records or label == "all":
            positive = y[keep] == 1
            print(f"{name} {label}: ROC-AUC of S against N, pre_local (lower) {roc_auc(-rr[keep, PRE_LOCAL], positive):.3f}, "
                  f"feature 9 {roc_auc(prematurity[keep], positive):.3f}")
