#!/usr/bin/env bash
# Every CPU figure the README quotes, in one run on a quiet machine (nothing else using the cores):
# GEMM (dsf4j vs OpenBLAS through PyTorch), the three DSF solvers, the allocation of a training step,
# and whole training steps per method against PyTorch. Writes everything under OUT (default
# runs/bench-<date>) and prints where. Needs Debian's python3-torch and libopenblas0-openmp for the
# comparisons (bench/run-pytorch.sh says how when they are missing). About 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-runs/bench-$(date -u +%Y%m%d-%H%M)}
mkdir -p "$out"
./run.sh --version >/dev/null                                   # builds target/dsf4j.jar when stale
mvn -q -B -f bench/pom.xml package >/dev/null
jmh() { java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar:target/dsf4j.jar org.openjdk.jmh.Main "$@" 2>&1 | grep -v '^WARNING: Using incubator'; }
omp=$(ls -d /usr/lib/*/openblas-openmp 2>/dev/null | head -n 1 || true)
{ lscpu | grep -E 'Model name|^CPU\(s\)|L1d|L2'; java -version 2>&1 | head -n 1; } > "$out/machine.txt"

jmh GemmBench -wi 2 -i 5 -w 1 -r 1 -rf json -rff "$out/gemm.json" > "$out/gemm.txt"
for t in 1 2; do
  LD_LIBRARY_PATH="$omp" /usr/bin/python3 bench/openblas_gemm.py --threads "$t" > "$out/openblas-$t.jsonl" || true
done
jmh DsfSolverBench -wi 2 -i 5 -w 1 -r 1 -rf json -rff "$out/solvers.json" > "$out/solvers.txt"
jmh TrainingStepBench -p method=DSF -prof gc -rf json -rff "$out/step-gc.json" > "$out/step-gc.txt"
./run.sh bench --preset ptb-gru-3l256 --method bptt,ftbptt,dsf --steps 20 --threads 2 --vs-pytorch > "$out/ptb-gru-3l256.txt" 2>&1
./run.sh bench --preset ptb-gru-3l256 --method bptt,ftbptt,dsf --steps 20 --threads 1 > "$out/ptb-gru-3l256-1thread.txt" 2>&1
echo "results in $out"
