#!/usr/bin/env python3
"""Top-k information-gain samples: ours (from `ecg eda`'s eda.json) against scikit-learn's
mutual_info_classif, the reference notebook's method (k-nearest-neighbour estimate on the raw values).

usage: ig_overlap.py TRAIN_CSV EDA_JSON [EDA_JSON ...] [--k 60] [--rows N]
"""
import argparse, json, time
import numpy as np
from sklearn.feature_selection import mutual_info_classif

p = argparse.ArgumentParser()
p.add_argument("train_csv")
p.add_argument("eda_json", nargs="+")
p.add_argument("--k", type=int, default=60)
p.add_argument("--rows", type=int, default=0, help="use only the first N rows (0: all)")
a = p.parse_args()

data = np.loadtxt(a.train_csv, delimiter=",", dtype=np.float64)
if a.rows: data = data[: a.rows]
X, y = data[:, :-1], data[:, -1].astype(int)
t = time.time()
mi = mutual_info_classif(X, y, random_state=0)
sk_rank = [int(i) for i in np.argsort(-mi, kind="stable")]
print(f"scikit-learn {__import__('sklearn').__version__} mutual_info_classif on {X.shape[0]} x {X.shape[1]}: {time.time() - t:.1f} s")
print(f"scikit-learn top 10: {sk_rank[:10]}")
for path in a.eda_json:
    eda = json.load(open(path))
    ours = eda["information_gain_ranking"]
    overlap = len(set(ours[: a.k]) & set(sk_rank[: a.k]))
    print(f"{path}: bins {eda['information_gain_bins']}, top 10 {ours[:10]}, top-{a.k} overlap with scikit-learn: {overlap}/{a.k}")
