#!/usr/bin/env bash
# Weight files in PyTorch: each model models_bench.py defines is trained briefly by `ecg train` on a small
# generated data set, `ecg predict` scores the test beats, and benchmarks/pytorch/load_ecg_weights.py loads
# the same model.safetensors into the PyTorch model and compares the probabilities (exit 1 above 1e-4).
#   benchmarks/pytorch-weights.sh [models] [backend]
set -euo pipefail
cd "$(dirname "$0")/.."
models="${1:-cnn,kachuee,cnn-lstm,lstm2,lstm}"
backend="${2:-cpu}"
py=/usr/bin/python3; command -v "$py" >/dev/null || py=python3
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
dotnet build -c Release samples/EcgGpu.Cli >/dev/null
ecg=samples/EcgGpu.Cli/bin/Release/net10.0/ecg
# Beat-like rows (a class-dependent bump and noise, zero-padded tail), 187 samples then the label, as the Kaggle files.
"$py" - "$work/data" <<'PY'
import os, sys
import numpy as np
out = sys.argv[1]; os.makedirs(out)
rng = np.random.default_rng(1)
def rows(n):
    t = np.arange(187)
    y = np.arange(n) % 5
    centre = 20 + 15 * y[:, None] + rng.normal(0, 3, (n, 1))
    x = np.exp(-((t - centre) / (4 + y[:, None])) ** 2) + 0.05 * rng.random((n, 187))
    x[:, 120 + rng.integers(0, 40):] = 0
    return np.column_stack([np.clip(x, 0, 1), y])
np.savetxt(f"{out}/mitbih_train.csv", rows(640), delimiter=",", fmt="%.6g")
np.savetxt(f"{out}/mitbih_test.csv", rows(300), delimiter=",", fmt="%.6g")
PY
status=0
for m in ${models//,/ }; do
  "$ecg" train --model "$m" --data "$work/data" --epochs 1 --backend "$backend" --out "$work/$m" >/dev/null 2>&1
  "$ecg" predict --backend "$backend" --weights "$work/$m/model.safetensors" --input "$work/data/mitbih_test.csv" --output "$work/$m/predictions.csv" 2>/dev/null
  (cd benchmarks/pytorch && "$py" load_ecg_weights.py --weights "$work/$m/model.safetensors" --input "$work/data/mitbih_test.csv" --predictions "$work/$m/predictions.csv") || status=1
done
exit $status
