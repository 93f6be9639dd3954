#!/bin/bash
# usage: benchmarks/pytorch/lstm2_plateau/run.sh NAME [train.py args...]   e.g. run.sh C --reverse 1
# One torch thread; where Debian's torch uses the slow reference BLAS, put OpenBLAS on LD_LIBRARY_PATH first.
cd "$(dirname "$0")"
mkdir -p logs; n=$1; shift
TH=${TH:-1} python3 train.py --tag "$n" "$@" > "logs/$n.log" 2>&1
