"""Where a model's SVEB and VEB calls on DS2 go, record by record, from `ecg predict` output.

    ecg predict --weights RUN/model.safetensors --input BEATS/mitbih_test.csv --output pred.csv
    python3 per_record.py BEATS pred.csv [pred2.csv ...]     # several: also their mean probabilities
"""
import sys
import numpy as np
from probes import load, aami

beats = sys.argv[1]
_, y, records, _ = load(beats, "test")
probabilities = [np.loadtxt(f, delimiter=",", skiprows=1, usecols=(4, 5, 6, 7, 8)) for f in sys.argv[2:]]
for f, p in zip(sys.argv[2:], probabilities):
    print(f, aami(y, p.argmax(1)))
if len(probabilities) > 1:
    print("mean of", len(probabilities), aami(y, np.mean(probabilities, 0).argmax(1)))
p = probabilities[0].argmax(1)
print("record  SVEB tp fp fn   VEB tp fp fn")
for r in np.unique(records):
    i = records == r
    row = [n for c in (1, 2) for n in (((p == c) & (y == c) & i).sum(), ((p == c) & (y != c) & i).sum(), ((p != c) & (y == c) & i).sum())]
    if sum(row) > 20:
        print(r, *row)
