#!/usr/bin/env bash
# Proves and times the CUDA backend on a machine with an NVIDIA GPU and no .NET, in two halves.
#
#   benchmarks/gpu/run.sh pack      here (with .NET): publishes the ecg CLI self-contained for linux-x64 and
#                                   packs it, with the MIT-BIH records, into .gpu/ (ignored through
#                                   .git/info/exclude; about 55 MiB, under the 64 MiB a device call carries)
#   benchmarks/gpu/run.sh remote    on the GPU machine, from the repository root, with .gpu/ beside it:
#                                   ecg devices, ecg verify --backend cuda, ecg bench --backend cuda followed by
#                                   benchmarks/pytorch/models_bench.py on the same GPU, ecg compare of all nine
#                                   models on MIT-BIH; everything goes to $OUT (else ./gpu-results)
#
# With the session's device tool: `run.sh pack` here, then run `bash benchmarks/gpu/run.sh remote` there with
# carry [".gpu"]; copy what comes back into benchmarks/results/ with the device, date and command.
set -uo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-}"
models_bench="cnn,kachuee,cnn-lstm,lstm2"

case "$mode" in
pack)
  set -e
  exclude="$(git rev-parse --git-path info/exclude)"; mkdir -p "$(dirname "$exclude")"
  grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >> "$exclude"
  rm -rf .gpu && mkdir -p .gpu
  # Trimmed (ILGPU, our kernels and CoreLib kept whole: see EcgGpu.Cli.csproj) so that the CLI (~9 MiB packed)
  # and MIT-BIH (~45 MiB) travel in one device call.
  dotnet publish samples/EcgGpu.Cli -c Release -r linux-x64 --self-contained -o .gpu/ecg \
    -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true -p:TreatWarningsAsErrors=false >/dev/null
  tar -C .gpu -cf - ecg | xz -T0 -6 > .gpu/ecg.tar.xz
  rm -rf .gpu/ecg
  mitdb="${ECG_MITDB:-../shared/data/mitdb}"
  if [ -d "$mitdb" ]; then tar -C "$(dirname "$mitdb")" -cf - "$(basename "$mitdb")" | xz -T0 -9 > .gpu/mitdb.tar.xz; fi
  du -sh .gpu/*
  ;;
remote)
  out="${OUT:-$PWD/gpu-results}"
  mkdir -p "$out" /tmp/ecg-gpu
  tar -C /tmp/ecg-gpu -xJf .gpu/ecg.tar.xz
  [ -f .gpu/mitdb.tar.xz ] && tar -C /tmp/ecg-gpu -xJf .gpu/mitdb.tar.xz
  ecg=/tmp/ecg-gpu/ecg/ecg
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 ECG_CACHE=/tmp/ecg-gpu/cache
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    echo "== ecg devices"; "$ecg" devices
    echo "== ecg verify --backend cuda"; "$ecg" verify --backend cuda; echo "verify exit $?"
  } 2>&1 | tee "$out/verify.txt"
  {
    echo "== ecg bench --backend cuda"
    "$ecg" bench --backend cuda --models "$models_bench" --profile --json "$out/ecg-bench-cuda.json"
    echo "== PyTorch on the same GPU, right after"
    python3 benchmarks/pytorch/models_bench.py --device cuda --models "$models_bench" --json "$out/torch-bench-cuda.json"
  } 2>&1 | tee "$out/bench.txt"
  if [ -d /tmp/ecg-gpu/mitdb ]; then
    {
      echo "== ecg compare, all models, MIT-BIH (Kaggle-style split)"
      time "$ecg" compare --backend cuda --mitdb /tmp/ecg-gpu/mitdb --epochs "${EPOCHS:-10}" --out /tmp/ecg-gpu/compare
      cp /tmp/ecg-gpu/compare/comparison.md "$out/" 2>/dev/null
    } 2>&1 | tee "$out/compare.txt"
  fi
  ;;
*)
  echo "usage: $0 pack|remote" >&2
  exit 2
  ;;
esac
