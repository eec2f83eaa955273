#!/usr/bin/env bash
# Runs bench/pytorch_baseline.py with Debian's python3-torch on the OpenMP OpenBLAS (without it torch's
# sgemm runs at reference-BLAS speed or fights a pthread pool). Arguments go to the script; a first
# argument naming another script of bench/ runs that one instead:
#   bench/run-pytorch.sh pytorch_equivalence.py runs/x/steps.safetensors
set -euo pipefail
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "pytorch baseline: Debian's python3-torch is missing: apt-get install python3-torch libopenblas0-openmp" >&2
  exit 3
fi
omp=$(ls -d /usr/lib/*/openblas-openmp 2>/dev/null | head -n 1 || true)
if [ -z "$omp" ]; then
  echo "pytorch baseline: the OpenMP OpenBLAS is missing: apt-get install libopenblas0-openmp" >&2
  exit 3
fi
export LD_LIBRARY_PATH="$omp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
script=pytorch_baseline.py
case "${1:-}" in *.py) script=$(basename "$1"); shift ;; esac
exec "$py" "$(dirname "$0")/$script" "$@"
