#!/usr/bin/env bash
# Every CPU figure the README quotes, in one run on a quiet machine (nothing else using the cores).
#   bench/measure-cpu.sh              everything below, about 105 minutes on 2 cores
#   bench/measure-cpu.sh --gemm-only  the GEMM width sweep, the alternated comparison and the table, about 90 minutes
#   bench/measure-cpu.sh --duel-only  the alternated comparison and its table alone, about 55 minutes
# 1. The GEMM width sweep: JMH GemmBench (5 shapes × NN/NT/TN × 1/2 threads) at 512, 256 and 128 bits
#    (-Ddsf4j.vectorBits), and at 512 and 256 bits with a Zen 4's caches forced (-Ddsf4j.cpu=l1d=32K,l2=1M);
#    OpenBLAS sgemm (through PyTorch) with its own kernel (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset),
#    with its AVX-512 kernel (Cooperlake) where the CPU has AVX-512, and with OPENBLAS_CORETYPE=Haswell (AVX2);
#    the FMA peak at each width (JMH FmaPeakBench) and each micro-kernel alone on L1-resident panels (JMH
#    MicroKernelBench, KC 128); then dsf4j and OpenBLAS alternated product by product (bench --vs-openblas) at
#    512 and 256 bits, with this machine's caches and with a Zen 4's, DUEL_RUNS times (default 3: each run a new
#    JVM, whose C2 code differs from the last; the four settings in turn, so that a slow spell of the VM falls
#    on all of them). bench/cpu_table.py turns it into one table, gemm-table.md, the runs pooled round by round.
# 2. The DSF solvers, the allocation of a training step, and whole training steps against PyTorch.
# Writes everything under OUT (default runs/bench-<date>) and prints where. Needs Debian's python3-torch and
# libopenblas0-openmp for the comparisons (bench/run-pytorch.sh says how when they are missing).
# JMH_OPTS replaces the GEMM sweep's JMH options (default "-wi 5 -i 4 -w 1 -r 1": on 2 busy cores C2's kernel
# arrives 2-3.5 s after a fork starts, so 2 warm-up seconds left JIT-compiling in a measured one), e.g. for a smoke run:
# OPENBLAS_OPTS adds options to bench/openblas_gemm.py and DUEL_OPTS to `bench --vs-openblas` (default 3 rounds of
# 1 s a side per product); a smoke run of the whole pipeline (~7 minutes):
#   OUT=/tmp/smoke JMH_OPTS="-wi 0 -i 1 -w 100ms -r 100ms" OPENBLAS_OPTS="--seconds 0.05" DUEL_OPTS="--rounds 1 --seconds 0.05" DUEL_RUNS=1 bench/measure-cpu.sh --gemm-only
set -euo pipefail
cd "$(dirname "$0")/.."
gemm_only=false duel_only=false
case "${1:-}" in
  --gemm-only) gemm_only=true ;;
  --duel-only) gemm_only=true duel_only=true ;;
  "") ;;
  *) echo "measure-cpu: unknown option $1 (use --gemm-only, --duel-only or nothing)" >&2; exit 2 ;;
esac
duel_runs=${DUEL_RUNS:-3}
[[ "$duel_runs" =~ ^[1-9][0-9]*$ ]] || { echo "measure-cpu: DUEL_RUNS=$duel_runs is not a positive number of runs" >&2; exit 2; }
out=${OUT:-runs/bench-$(date -u +%Y%m%d-%H%M)}
mkdir -p "$out"
JAVA_HOME=$(./run.sh --print-java-home)                         # the JDK 25 run.sh finds (the default java may be older)
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
./run.sh --version >/dev/null                                   # builds target/dsf4j.jar when stale
mvn -q -B -f bench/pom.xml package >/dev/null
# Both sides get transparent huge pages where Linux offers them, as ./run.sh and bench/run-pytorch.sh
# give them to training and to the PyTorch baseline: dsf4j's JVMs by -XX:+UseTransparentHugePages,
# OpenBLAS's tensors by glibc.malloc.hugetlb=1.
thp=()
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && thp=(-jvmArgsPrepend -XX:+UseTransparentHugePages)
jmh() { java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar:target/dsf4j.jar org.openjdk.jmh.Main "${thp[@]}" "$@" 2>&1 | grep -v '^WARNING: Using incubator'; }
omp=$(ls -d /usr/lib/*/openblas-openmp 2>/dev/null | head -n 1 || true)
zen4='-Ddsf4j.cpu=l1d=32K,l2=1M'
read -r -a jmh_opts <<< "${JMH_OPTS:--wi 5 -i 4 -w 1 -r 1}"
{
  lscpu | grep -E 'Model name|^CPU family|^Model:|^CPU\(s\)|L1d|L2|L3'
  for i in /sys/devices/system/cpu/cpu0/cache/index*; do
    [ -d "$i" ] && echo "$i: L$(cat "$i/level") $(cat "$i/type") $(cat "$i/size") $(cat "$i/ways_of_associativity" 2>/dev/null)-way"
  done
  getconf -a 2>/dev/null | grep -E '^LEVEL[123]_D?CACHE_(SIZE|ASSOC)' | tr -s ' ' | sed 's/^/getconf: /'   # glibc, from CPUID
  java -version 2>&1 | head -n 1
  date -u '+%Y-%m-%d %H:%M UTC'
  for bits in 512 256 128; do DSF4J_JAVA_OPTS="-Ddsf4j.vectorBits=$bits" ./run.sh bench --machine | tail -n 1; done
  for bits in 512 256; do echo "Zen 4 caches forced: $(DSF4J_JAVA_OPTS="-Ddsf4j.vectorBits=$bits $zen4" ./run.sh bench --machine | tail -n 1)"; done
} > "$out/machine.txt"

# 1. GEMM: dsf4j at each width, OpenBLAS, FMA peaks.
$duel_only || for bits in 512 256 128; do
  jmh GemmBench "${jmh_opts[@]}" -jvmArgsAppend "-Ddsf4j.vectorBits=$bits" -rf json -rff "$out/gemm-$bits.json" > "$out/gemm-$bits.txt"
  jmh FmaPeakBench "${jmh_opts[@]}" -jvmArgsAppend "-Ddsf4j.vectorBits=$bits" -rf json -rff "$out/fma-$bits.json" > "$out/fma-$bits.txt"
  jmh MicroKernelBench "${jmh_opts[@]}" -p kc=128 -jvmArgsAppend "-Ddsf4j.vectorBits=$bits" -rf json -rff "$out/kernel-$bits.json" > "$out/kernel-$bits.txt"
done
$duel_only || for bits in 512 256; do
  jmh GemmBench "${jmh_opts[@]}" -jvmArgsAppend "-Ddsf4j.vectorBits=$bits $zen4" -rf json -rff "$out/gemm-zen4-$bits.json" > "$out/gemm-zen4-$bits.txt"
done
openblas() {  # KIND THREADS [VAR=VALUE ...]: OpenBLAS with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, then the given ones
  local kind=$1 t=$2; shift 2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$omp" GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" "$@" /usr/bin/python3 bench/openblas_gemm.py --threads "$t" ${OPENBLAS_OPTS:-} \
    > "$out/openblas-$kind-$t.jsonl" || echo "OpenBLAS ($kind, $t threads) failed: see bench/run-pytorch.sh for what it needs" >&2
}
$duel_only || for t in 1 2; do
  openblas native "$t"
  grep -q avx512f /proc/cpuinfo && openblas avx512 "$t" OPENBLAS_CORETYPE=Cooperlake
  openblas haswell "$t" OPENBLAS_CORETYPE=Haswell
done
# The same products with dsf4j and OpenBLAS alternated product by product (both see the same machine: a VM's
# speed drifts by 10-35% within minutes, and the JMH and OpenBLAS runs above are half an hour apart). These
# ratios are the ones cpu_table.py holds against the targets, each product's runs pooled round by round.
for w in 512 256 zen4-512 zen4-256; do : > "$out/duel-$w.jsonl"; done
: > "$out/duel-times.txt"
for run in $(seq "$duel_runs"); do
  for w in 512 256 zen4-512 zen4-256; do
    bits=${w#zen4-}; opts="-Ddsf4j.vectorBits=$bits"
    [ "$w" != "$bits" ] && opts="$opts $zen4"
    echo "$(date -u +%H:%M) run $run of $duel_runs: $w" >> "$out/duel-times.txt"
    DSF4J_JAVA_OPTS="$opts" ./run.sh bench --vs-openblas --json ${DUEL_OPTS:-} >> "$out/duel-$w.jsonl" \
      || echo "bench --vs-openblas ($w, run $run) failed: see bench/run-pytorch.sh for what it needs" >&2
  done
done
python3 bench/cpu_table.py "$out" > "$out/gemm-table.md"
cat "$out/gemm-table.md"

if ! $gemm_only; then
  # 2. Solvers, allocation, training steps.
  jmh DsfSolverBench -wi 2 -i 5 -w 1 -r 1 -rf json -rff "$out/solvers.json" > "$out/solvers.txt"
  jmh TrainingStepBench -p method=DSF -prof gc -rf json -rff "$out/step-gc.json" > "$out/step-gc.txt"
  ./run.sh bench --preset ptb-gru-3l256 --method bptt,ftbptt,dsf --steps 20 --threads 2 --vs-pytorch > "$out/ptb-gru-3l256.txt" 2>&1
  ./run.sh bench --preset ptb-gru-3l256 --method bptt,ftbptt,dsf --steps 20 --threads 1 > "$out/ptb-gru-3l256-1thread.txt" 2>&1
fi
echo "results in $out (the GEMM table: $out/gemm-table.md)"
