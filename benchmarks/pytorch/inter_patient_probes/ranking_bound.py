"""How far a model's score for one class can go on DS2 by its threshold alone: the best +P at a given Se and the best
Se at a given +P over every threshold of p(class), the threshold chosen on DS2 itself. An upper bound on what moving the
decision rule could give that model, not a result (a real rule is chosen without DS2).

    ecg predict --weights RUN/model.safetensors --input BEATS/mitbih_test.csv --output pred.csv
    python3 ranking_bound.py BEATS pred.csv [pred2.csv ...]

An argument "0.3*a.csv+0.7*b.csv" scores the weighted mean of those files' probabilities (an ensemble); each
input's own decision (the most probable class) is printed first.
"""
import sys
from collections import Counter
import numpy as np
from probes import aami, curve, load

_, y, records, _ = load(sys.argv[1], "test")


def probabilities(argument):
    total = 0
    for term in argument.split("+"):
        weight, path = term.split("*") if "*" in term else (1, term)
        total = total + float(weight) * np.loadtxt(path, delimiter=",", skiprows=1, usecols=(4, 5, 6, 7, 8))
    return total


for f in sys.argv[2:]:
    p = probabilities(f)
    print(f"{f}: most probable class: {aami(y, p.argmax(1))}")
    for c, name in ((1, "SVEB"), (2, "VEB")):
        order, se, ppv = curve(p[:, c], y == c)
        calls = np.arange(1, len(y) + 1)
        def best(values, where):
            return values[where].max() if where.any() else 0.0
        top = np.argmax(np.where(calls >= 50, ppv, 0))
        print(f"{f} {name}: best +P at Se >= 0.80 {best(ppv, se >= 0.8):.3f}, at Se >= 0.90 {best(ppv, se >= 0.9):.3f}; "
              f"best Se at +P >= 0.50 {best(se, ppv >= 0.5):.3f}, at +P >= 0.90 {best(se, ppv >= 0.9):.3f}; "
              f"highest +P (50 calls or more) {ppv[top]:.3f} at Se {se[top]:.3f}")
        first = order[:500]
        print(f"  its 500 highest-scored beats: records {Counter(records[first].tolist()).most_common(5)}, "
              f"true classes {Counter(y[first].tolist()).most_common()}")
