#!/usr/bin/env bash
# Recurrent layers and attention, forward + backward, batch 64 x 187 steps: EcgGpu's backends and
# PyTorch on the same machine, back to back. Needs: python3-torch (CPU) or a CUDA PyTorch.
#   benchmarks/compare-recurrent.sh [threads] [torch-device]
set -euo pipefail
cd "$(dirname "$0")"
threads="${1:-$(nproc)}"
device="${2:-cpu}"
py=/usr/bin/python3; command -v "$py" >/dev/null || py=python3
echo "== PyTorch ($device, $threads threads)"
"$py" pytorch/recurrent_bench.py --threads "$threads" --device "$device" || echo "PyTorch not available: install python3-torch"
echo "== EcgGpu"
dotnet run -c Release --project EcgGpu.Benchmarks -- --filter '*RecurrentBenchmarks*' '*AttentionBenchmarks*' --job short --inProcess
