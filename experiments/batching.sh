#!/usr/bin/env bash
# What length bucketing does to training: the same model, seed and schedule with the authors' random
# batches and with length buckets (--batching bucket:50). Writes runs/batching/<preset>-<method>-<batching>/,
# one plot of validation perplexity against steps and against wall time, and a table. Run it on a quiet
# machine: the wall-time comparison is the point.
#
#   experiments/batching.sh                                   # ./run.sh's quickstart (PTB GRU 1L256, DSF, 2 epochs)
#   PRESET=ptb-gru-3l256 METHOD=bptt EXTRA="--schedule const --max-steps 240 --eval-every 30" experiments/batching.sh
# Other knobs: BATCHINGS, OUT, THREADS, SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-quickstart}
METHOD=${METHOD:-dsf}
BATCHINGS=${BATCHINGS:-"random bucket:50"}
OUT=${OUT:-runs/batching}
THREADS=${THREADS:-$(nproc)}
SEED=${SEED:-1}

mkdir -p "$OUT"
runs=()
for batching in $BATCHINGS; do
  run="$OUT/$PRESET-$METHOD-${batching/:/}"
  runs+=("$run")
  if [ -f "$run/metrics.csv" ] && grep -q '^test,' "$run/metrics.csv"; then echo "== $run: done already"; continue; fi
  rm -rf "$run"
  echo "== $run"
  ./run.sh train --preset "$PRESET" --method "$METHOD" --batching "$batching" --seed "$SEED" --threads "$THREADS" --out "$run" ${EXTRA:-}
done
./run.sh plot "${runs[@]}" --out "$OUT/$PRESET-$METHOD.png"
{
  echo "Batching, $PRESET, $METHOD, seed $SEED, $THREADS threads, $(date -u +%Y-%m-%d), $(lscpu | sed -n 's/^Model name: *//p')"
  echo
  ./run.sh summary "${runs[@]}"
} | tee "$OUT/$PRESET-$METHOD-table.md"
