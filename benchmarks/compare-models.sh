#!/usr/bin/env bash
# Whole-model figures (training beats/s, single-beat latency, batch-1024 throughput): `ecg bench` and
# PyTorch on the same machine and shapes, back to back.
#   benchmarks/compare-models.sh [backend] [torch-device] [threads] [models]
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-cpu}"
device="${2:-cpu}"
threads="${3:-$(nproc)}"
models="${4:-cnn,kachuee,cnn-lstm,lstm2}"
py=/usr/bin/python3; command -v "$py" >/dev/null || py=python3
echo "== EcgGpu ($backend)"
dotnet run -c Release --project samples/EcgGpu.Cli -- bench --backend "$backend" --models "$models" --json "${TMPDIR:-/tmp}/ecg-bench.json"
echo "== PyTorch ($device, $threads threads)"
"$py" benchmarks/pytorch/models_bench.py --device "$device" --threads "$threads" --models "$models" --json "${TMPDIR:-/tmp}/torch-bench.json" || echo "PyTorch not available: install python3-torch"
