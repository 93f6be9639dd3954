#!/usr/bin/env bash
# Data-parallel figures: MPI_Allreduce latency/bandwidth on this host, and `ecg train --distributed` at 1 and 2
# ranks (step time, its compute / staging / Allreduce split, scaling efficiency) per model.
# usage: benchmarks/distributed/run.sh [models] [batch] [epochs]     (needs mpirun; builds Release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
models="${1:-cnn-ig,lstm,cnn}"; batch="${2:-64}"; epochs="${3:-1}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader,tcp
dotnet build tests/EcgGpu.Distributed.Probe -c Release -v q >/dev/null
dotnet build samples/EcgGpu.Cli -c Release -v q >/dev/null
probe=tests/EcgGpu.Distributed.Probe/bin/Release/net10.0/EcgGpu.Distributed.Probe.dll
ecg=samples/EcgGpu.Cli/bin/Release/net10.0/ecg.dll
out="$(mktemp -d)"
echo "# $(date -u +%F) $(uname -n), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(mpirun --version | head -1)"
mpirun --oversubscribe -np 2 dotnet "$probe" allreduce 2>/dev/null | tr -d '\033' | sed 's/\[?1h=//g'
for m in ${models//,/ }; do
  for np in 1 2; do
    mpirun --oversubscribe -np "$np" dotnet "$ecg" train --model "$m" --epochs "$epochs" --batch "$batch" --backend cpu \
      --distributed --out "$out/$m-$np" >/dev/null 2>&1
    python3 - "$out/$m-$np/metrics.json" "$m" "$np" "$batch" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["data_parallel"]
for r in d["per_rank"]:
    print(f"train model={sys.argv[2]} ranks={sys.argv[3]} batch={sys.argv[4]} rank={r['rank']} shard={r['mean_shard_rows']} "
          f"step_ms={r['step_ms']} compute_ms={r['compute_ms']} staging_ms={r['staging_ms']} allreduce_ms={r['allreduce_ms']} "
          f"exchange_share={r['exchange_share']} rebalances={d['rebalances']}")
PY
  done
done
rm -rf "$out"
