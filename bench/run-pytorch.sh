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
# OpenBLAS 0.3.21 (Debian 12) does not know the newest CPUs (Intel family 6 model 207, for one) and runs its
# SSE3 Prescott kernel on them, without FMA: PyTorch would then be timed at a fraction of what the CPU can do,
# which flatters dsf4j. When OpenBLAS says Prescott after a first product on a CPU with AVX-512 or AVX2, the
# comparison names the kernel that CPU runs (Cooperlake: AVX-512 with BF16; SkylakeX: AVX-512; Haswell: AVX2),
# and says so. OPENBLAS_CORETYPE set by the caller is left alone.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  core=$("$py" -c '
import ctypes, torch
torch.mm(torch.rand(64, 64), torch.rand(64, 64))
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l and ".so" in l})
fn = ctypes.CDLL(libs[0]).openblas_get_corename; fn.restype = ctypes.c_char_p; print(fn().decode())' 2>/dev/null || true)
  if [ "$core" = Prescott ]; then
    flags=$(grep -m 1 '^flags' /proc/cpuinfo)
    case "$flags" in
      *avx512_bf16*) OPENBLAS_CORETYPE=Cooperlake ;;
      *avx512f*) OPENBLAS_CORETYPE=SkylakeX ;;
      *avx2*) OPENBLAS_CORETYPE=Haswell ;;
    esac
    if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
      export OPENBLAS_CORETYPE
      echo "pytorch baseline: OpenBLAS does not know this CPU and would run its SSE3 Prescott kernel; using OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE" >&2
    fi
  fi
fi
script=pytorch_baseline.py
case "${1:-}" in *.py) script=$(basename "$1"); shift ;; esac
exec "$py" "$(dirname "$0")/$script" "$@"
