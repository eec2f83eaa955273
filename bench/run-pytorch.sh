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
# The baseline runs OpenBLAS's best kernel for this CPU. Settings inherited from the environment would
# silently change that (the cloud VMs of 2026-12-02 export OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE=512
# to every process: on their Zen 5 the AVX2 kernel's sgemm ran at 96 GFLOP/s against 193 with the AVX-512
# kernel OpenBLAS picks itself, 1 thread, 8192x256x10000), so they are dropped, with a note; to force a
# kernel on purpose, set PYTORCH_OPENBLAS_CORETYPE.
for var in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do
  if [ -n "${!var:-}" ]; then
    echo "pytorch baseline: ignoring $var=${!var} from the environment (OpenBLAS picks for this CPU; PYTORCH_OPENBLAS_CORETYPE forces a kernel)" >&2
    unset "$var"
  fi
done
# OpenBLAS 0.3.21 (Debian 12) does not know some newer CPUs and runs an older kernel on them (SSE3 Prescott,
# without FMA, on an Intel family 6 model 207), which would flatter dsf4j. When it names, after a first
# product, a kernel older than the CPU's flags allow, the comparison uses the newest they allow (Cooperlake:
# AVX-512 with BF16; SkylakeX: AVX-512; Haswell: AVX2) and says so on stderr.
if [ -n "${PYTORCH_OPENBLAS_CORETYPE:-}" ]; then
  export OPENBLAS_CORETYPE=$PYTORCH_OPENBLAS_CORETYPE
elif [ -r /proc/cpuinfo ]; then
  core=$("$py" -c '
import ctypes, torch
torch.mm(torch.rand(64, 64), torch.rand(64, 64))
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l and ".so" in l})
fn = ctypes.CDLL(libs[0]).openblas_get_corename; fn.restype = ctypes.c_char_p; print(fn().decode())' 2>/dev/null || true)
  flags=$(grep -m 1 '^flags' /proc/cpuinfo)
  want=
  case "$flags" in
    *avx512_bf16*) want=Cooperlake ;;
    *avx512f*) want=SkylakeX ;;
    *avx2*) want=Haswell ;;
  esac
  case "$core" in
    Cooperlake|SapphireRapids|"") want= ;;                               # the newest 0.3.21 has, or no OpenBLAS
    SkylakeX) [ "$want" = Cooperlake ] || want= ;;
    Haswell|Zen) case "$want" in Cooperlake|SkylakeX) ;; *) want= ;; esac ;;
  esac
  if [ -n "$want" ]; then
    export OPENBLAS_CORETYPE=$want
    echo "pytorch baseline: OpenBLAS picked its $core kernel on a CPU with newer vector units; using OPENBLAS_CORETYPE=$want" >&2
  fi
fi
# PyTorch's CPU allocator hands every large tensor (the 8192 x 10000 logits: 328 MB) to glibc, which maps
# it fresh and unmaps it when freed, so each step faults in its pages again. On a VM with transparent huge
# pages on madvise only, that cost a PTB GRU 3L256 step more than half its time (nn.GRU 4,644 against 1,829
# tokens/s with the same kernel, Zen 5, 2026-12-02). dsf4j reuses one workspace and pays nothing of the
# kind, so the baseline keeps freed memory in the process: no mmap for large blocks, no trimming. A value
# set by the caller is left alone.
export MALLOC_MMAP_MAX_=${MALLOC_MMAP_MAX_:-0}
export MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-68719476736}
# dsf4j's heap uses transparent huge pages where Linux offers them (run.sh); glibc gives the baseline's
# heap the same (glibc 2.35+; older ones ignore the tunable). nn.GRU on the Zen 5 of 2026-12-02: 7,347 /
# 7,783 tokens/s without, 8,304 / 9,159 with. A glibc.malloc.hugetlb set by the caller is left alone.
case "${GLIBC_TUNABLES:-}" in
  *glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
script=pytorch_baseline.py
case "${1:-}" in *.py) script=$(basename "$1"); shift ;; esac
exec "$py" "$(dirname "$0")/$script" "$@"
