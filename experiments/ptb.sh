#!/usr/bin/env bash
# The paper's Penn Treebank experiment (Figure 1): GRU 1L256 and 3L256, each trained with BPTT, FT-BPTT
# and DSF on the authors' schedule (Adam 1e-3 with L2 1e-4, batch 128, T 64, StepLR ×0.1 after a third
# and two thirds of the epochs: epochs 10 and 20 of 30). Writes runs/ptb/<preset>-<method>/, a table
# of best validation and final test perplexity (runs/ptb/table.md) and one plot per preset.
#
#   EPOCHS=30 experiments/ptb.sh          # the authors' schedule (about a day on 2 cores)
#   EPOCHS=2 experiments/ptb.sh           # what fits in an hour or two
# Other knobs: PRESETS, METHODS, OUT, THREADS, ENGINE, EXTRA (more train flags).
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-30}
PRESETS=${PRESETS:-"ptb-gru-1l256 ptb-gru-3l256"}
METHODS=${METHODS:-"bptt ftbptt dsf"}
OUT=${OUT:-runs/ptb}
THREADS=${THREADS:-$(nproc)}
ENGINE=${ENGINE:-fast}
first=$(( (EPOCHS + 2) / 3 )); second=$(( (2 * EPOCHS + 2) / 3 ))
schedule="step:${first},${second}:0.1"
[ "$EPOCHS" -lt 3 ] && schedule=const

mkdir -p "$OUT"
for preset in $PRESETS; do
  for method in $METHODS; do
    run="$OUT/$preset-$method"
    if [ -f "$run/metrics.csv" ] && grep -q '^test,' "$run/metrics.csv"; then
      echo "== $run: done already"; continue
    fi
    if [ -f "$run/last.safetensors" ]; then
      echo "== $run: resuming"
      ./run.sh train --resume "$run" --threads "$THREADS" --engine "$ENGINE"
    else
      echo "== $run"
      ./run.sh train --preset "$preset" --method "$method" --epochs "$EPOCHS" --schedule "$schedule" \
        --threads "$THREADS" --engine "$ENGINE" --out "$run" ${EXTRA:-}
    fi
  done
  ./run.sh plot "$OUT/$preset"-* --out "$OUT/$preset.png"
done
{
  echo "PTB, $EPOCHS epoch(s), schedule $schedule, engine $ENGINE, $(date -u +%Y-%m-%d)"
  echo
  ./run.sh summary "$OUT"/*/
} | tee "$OUT/table.md"
