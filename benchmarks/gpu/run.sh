#!/usr/bin/env bash
# Proves and times the CUDA backend on a machine with an NVIDIA GPU and no .NET, in two halves.
#
#   benchmarks/gpu/run.sh pack      here (with .NET): publishes the ecg CLI self-contained for linux-x64 and
#                                   packs it, with the MIT-BIH records, into .gpu/ (ignored through
#                                   .git/info/exclude; about 40 MiB, under the 64 MiB a device call carries)
#   benchmarks/gpu/run.sh remote [STAGE...]
#                                   on the GPU machine, from the repository root, with .gpu/ beside it. Stages, in
#                                   the order given (default: verify bench):
#                                     verify   ecg devices, ecg verify --backend cuda and --backend opencl
#                                     bench    ecg bench --backend cuda, then benchmarks/pytorch/models_bench.py
#                                              on the same GPU right after
#                                     parallel one compare per group of $RUN_GROUPS ("SPLIT EPOCHS PATIENCE BALANCE BATCH
#                                              START_FROM_EPOCH MODELS; ..."), side by side on the GPU under MPS
#                                   Everything goes to $OUT (else ./gpu-results); the whole call stops by $DEADLINE
#                                   seconds (default 560), each stage cut short with what it finished kept.
#
# With the session's device tool: `run.sh pack` here, then run `bash benchmarks/gpu/run.sh remote ...` there with
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
  rm -rf .gpu/ecg && mkdir -p .gpu
  # Trimmed (ILGPU, our kernels and CoreLib kept whole: see EcgGpu.Cli.csproj) so that the CLI and MIT-BIH
  # (~45 MiB) travel in one device call. ONNX Runtime's native libraries (46 MB, a Windows copy among them) and
  # the runtime's debugger/tracing libraries stay behind: on the GPU machine `ecg bench` runs with --onnx false.
  dotnet publish samples/EcgGpu.Cli -c Release -r linux-x64 --self-contained -o .gpu/ecg \
    -p:PublishTrimmed=true -p:TrimMode=partial -p:JsonSerializerIsReflectionEnabledByDefault=true -p:SuppressTrimAnalysisWarnings=true -p:TreatWarningsAsErrors=false >/dev/null
  rm -f .gpu/ecg/*onnxruntime*.dll .gpu/ecg/libonnxruntime*.so .gpu/ecg/libmscordaccore.so .gpu/ecg/libmscordbi.so \
    .gpu/ecg/libcoreclrtraceptprovider.so .gpu/ecg/createdump .gpu/ecg/*.pdb
  tar -C .gpu -cf - ecg | xz -T0 -9 > .gpu/ecg.tar.xz
  rm -rf .gpu/ecg
  mitdb="${ECG_MITDB:-../shared/data/mitdb}"
  if [ -d "$mitdb" ]; then
    # The lead ecg does not read is zeroed (slim_mitdb.py): same beats, half the bytes.
    rm -rf .gpu/slim && python3 benchmarks/gpu/slim_mitdb.py "$mitdb" .gpu/slim/mitdb
    tar -C .gpu/slim -cf - mitdb | xz -T0 -9 > .gpu/mitdb.tar.xz && rm -rf .gpu/slim
  fi
  du -sh .gpu/*
  ;;
remote)
  shift
  stages=(verify bench); [ $# -gt 0 ] && stages=("$@")
  out="${OUT:-$PWD/gpu-results}"
  deadline=$(( $(date +%s) + ${DEADLINE:-560} ))
  left() { local s=$(( deadline - $(date +%s) )); [ $s -lt 1 ] && s=1; echo $s; }
  mkdir -p "$out" /tmp/ecg-gpu/runs
  [ -x /tmp/ecg-gpu/ecg/ecg ] || tar -C /tmp/ecg-gpu -xJf .gpu/ecg.tar.xz
  [ -f .gpu/mitdb.tar.xz ] && [ ! -d /tmp/ecg-gpu/mitdb ] && tar -C /tmp/ecg-gpu -xJf .gpu/mitdb.tar.xz
  ecg=/tmp/ecg-gpu/ecg/ecg
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 ECG_CACHE=/tmp/ecg-gpu/cache
  for stage in "${stages[@]}"; do
    case "$stage" in
    verify)
      {
        echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader || true
        echo "== ecg devices"; timeout "$(left)" "$ecg" devices
        echo "== ecg verify --backend cuda"; timeout "$(left)" "$ecg" verify --backend cuda; echo "verify cuda exit $?"
        echo "== ecg verify --backend opencl"; timeout 120 "$ecg" verify --backend opencl; echo "verify opencl exit $?"
      } 2>&1 | tee "$out/verify.txt"
      ;;
    bench)
      {
        echo "== ecg bench --backend cuda"
        timeout "$(left)" "$ecg" bench --backend cuda --models "${BENCH_MODELS:-$models_bench}" --onnx false --profile --json "$out/ecg-bench-cuda.json"
        echo "== PyTorch on the same GPU, right after"
        timeout "$(left)" python3 benchmarks/pytorch/models_bench.py --device cuda --models "${BENCH_MODELS:-$models_bench}" --json "$out/torch-bench-cuda.json"
      } 2>&1 | tee "$out/bench.txt"
      ;;
    parallel)
      # Several compares side by side on the one GPU: a batch-64 model keeps a few of its 132 SMs busy, so under
      # MPS (kernels of different processes share the SMs) the groups take about the time of the slowest.
      # RUN_GROUPS: "SPLIT EPOCHS PATIENCE BALANCE BATCH START_FROM_EPOCH MODELS; ..." (SPLIT kaggle or inter-patient).
      export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
      mkdir -p "$CUDA_MPS_PIPE_DIRECTORY" "$CUDA_MPS_LOG_DIRECTORY"
      {
        if nvidia-cuda-mps-control -d && timeout 60 "$ecg" verify --backend cuda --family gemm >/dev/null 2>&1; then echo "MPS: on"
        else echo quit | nvidia-cuda-mps-control 2>/dev/null; unset CUDA_MPS_PIPE_DIRECTORY CUDA_MPS_LOG_DIRECTORY; echo "MPS: off (time-sliced)"; fi
        IFS=';' read -ra groups <<< "${RUN_GROUPS:?RUN_GROUPS=\"SPLIT EPOCHS PATIENCE BALANCE BATCH START MODELS; ...\"}"
        pids=(); firsts=""; splits=""
        launch() {
          local i=$1 split epochs patience balance batch start models
          read -r split epochs patience balance batch start models <<< "${groups[$i]}"
          local cmd=("$ecg" compare --backend cuda --mitdb /tmp/ecg-gpu/mitdb --split "$split" --epochs "$epochs" --patience "$patience" \
            --balance "$balance" --batch "$batch" --start-from-epoch "$start" --models "$models" --out "/tmp/ecg-gpu/runs/g$i-$split" --overwrite)
          echo "group $i: ${cmd[*]}"
          ( time timeout "$(left)" "${cmd[@]}" ) > "/tmp/ecg-gpu/runs/log-g$i.txt" 2>&1 &
          pids+=($!)
        }
        # The first group of each split extracts and caches its beats; the others start once every cache is there.
        for i in "${!groups[@]}"; do
          split=$(awk '{print $1}' <<< "${groups[$i]}")
          if [[ " $splits " != *" $split "* ]]; then splits="$splits $split"; firsts="$firsts $i"; launch "$i"; fi
        done
        for split in $splits; do
          while [ -z "$(find "$ECG_CACHE" -name manifest.json -path "*mitdb-$split-*" 2>/dev/null)" ] && [ "$(left)" -gt 1 ]; do sleep 2; done
        done
        for i in "${!groups[@]}"; do [[ " $firsts " == *" $i "* ]] || launch "$i"; done
        for p in "${pids[@]}"; do wait "$p"; done
        for f in /tmp/ecg-gpu/runs/log-g*.txt; do echo "== $f"; grep -v 'epoch [0-9]*/' "$f" | tail -25; done
        [ -n "${CUDA_MPS_PIPE_DIRECTORY:-}" ] && echo quit | nvidia-cuda-mps-control
      } 2>&1 | tee "$out/compare-parallel.txt"
      (cd /tmp/ecg-gpu && find runs -name '*.json' -o -name '*.md' -o -name '*.csv' -o -name 'log-*' | tar -czf "$out/runs.tar.gz" -T -)
      ;;
    *) echo "unknown stage $stage" >&2 ;;
    esac
  done
  ;;
*)
  echo "usage: $0 pack | remote [verify|bench|parallel ...]" >&2
  exit 2
  ;;
esac
