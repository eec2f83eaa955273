#!/usr/bin/env bash
# dsf4j against an independent PyTorch implementation of the authors' PTB setup, over several seeds.
# Each side draws its own initial weights and batch order from a seed, so one seed on each side compares
# two draws, not two implementations: this runs SEEDS on both sides and compares the means of validation
# perplexity at each step, beside each side's spread over seeds (the resolution the comparison has).
# Writes runs/vs-pytorch/{dsf4j,torch}-seed<S>/ and runs/vs-pytorch/table.md.
#
#   experiments/vs-pytorch.sh                                  # PTB GRU 3L256 BPTT, 240 steps, seeds 0 1 2 3
#   METHOD=dsf SEEDS="0 1" experiments/vs-pytorch.sh
# Other knobs: STEPS, EVERY, OUT, THREADS. Needs Debian's python3-torch (bench/run-pytorch.sh says how).
set -euo pipefail
cd "$(dirname "$0")/.."
METHOD=${METHOD:-bptt}
SEEDS=${SEEDS:-"0 1 2 3"}
STEPS=${STEPS:-240}
EVERY=${EVERY:-60}
OUT=${OUT:-runs/vs-pytorch}
THREADS=${THREADS:-$(nproc)}

mkdir -p "$OUT"
for seed in $SEEDS; do
  run="$OUT/dsf4j-$METHOD-seed$seed"
  if [ -f "$run/metrics.csv" ] && grep -q '^test,' "$run/metrics.csv"; then
    echo "== $run: done already"
  else
    rm -rf "$run"
    echo "== $run"
    ./run.sh train --preset ptb-gru-3l256 --method "$METHOD" --schedule const --seed "$seed" \
      --max-steps "$STEPS" --eval-every "$EVERY" --threads "$THREADS" --out "$run"
  fi
  torch="$OUT/torch-$METHOD-seed$seed"
  if [ -f "$torch/valid.csv" ]; then
    echo "== $torch: done already"
  else
    mkdir -p "$torch"
    echo "== $torch"
    bench/run-pytorch.sh pytorch_authors_setup.py --method "$METHOD" --steps "$STEPS" --eval-every "$EVERY" \
      --seed "$seed" --threads "$THREADS" --csv "$torch/valid.csv.part"
    mv "$torch/valid.csv.part" "$torch/valid.csv"
  fi
done
{
  # lscpu's model name alone ("AMD EPYC") does not tell Zen 4 from Zen 5: family, model (and L1d where lscpu knows it) beside it
  cpu=$(lscpu | sed -n 's/^Model name: *//p; s/^CPU family: *\(.*\)/family \1/p; s/^Model: *\(.*\)/model \1/p; s/^L1d cache: *\([^(]*\).*/L1d \1/p' | paste -sd, -)
  echo "PTB GRU 3L256 $METHOD, constant rate, seeds $SEEDS, $(date -u +%Y-%m-%d), $cpu, $(nproc) CPUs"
  echo
  python3 experiments/vs_pytorch_table.py "$OUT" "$METHOD" $SEEDS
} | tee "$OUT/table.md"
