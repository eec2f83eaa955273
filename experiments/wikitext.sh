#!/usr/bin/env bash
# The paper's WikiText experiment at the scale of one machine: transformer-like blocks, byte-level BPE
# with 16,000 entries, 256-token blocks (T 255), trained with BPTT, FT-BPTT and DSF on the authors'
# WikiText schedule (Adam 1e-3, no weight decay, 10% linear warm-up then cosine to 0.1·lr, batch 128).
# The paper runs WikiText-103 for 5 epochs; this script defaults to WikiText-2 (2.4M BPE tokens,
# 1/44 of it): two cores train GRU 3L256 in 7 to 10 minutes per epoch and method (AMD Zen 5). Writes
# runs/wikitext/<preset>-<method>/, a table of best validation and test perplexity with the gap ratio
# the paper's shape is read from (DSF's gap to BPTT as a share of FT-BPTT's: 18% in the paper's
# WikiText-103 GRU 3L512 row), and one plot per preset.
#
#   EPOCHS=6 experiments/wikitext.sh                          # GRU 3L256 on WikiText-2
#   PRESETS=wt2-lstm-3l512 EPOCHS=3 experiments/wikitext.sh   # another preset
# Other knobs: METHODS, OUT, THREADS, ENGINE, BATCH, EXTRA (more train flags).
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-5}
PRESETS=${PRESETS:-"wt2-gru-3l256"}
METHODS=${METHODS:-"bptt ftbptt dsf"}
OUT=${OUT:-runs/wikitext}
THREADS=${THREADS:-$(nproc)}
ENGINE=${ENGINE:-fast}
BATCH=${BATCH:-128}

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
      ./run.sh train --preset "$preset" --method "$method" --epochs "$EPOCHS" --batch "$BATCH" \
        --threads "$THREADS" --engine "$ENGINE" --out "$run" ${EXTRA:-}
    fi
  done
  ./run.sh plot "$OUT/$preset"-* --out "$OUT/$preset.png"
done

# gap_ratio TABLE PRESET: (DSF − BPTT) / (FT-BPTT − BPTT) of the best validation perplexities.
gap_ratio() {
  awk -F'|' -v p="$2" '
    { gsub(/ /, "", $2) }
    $2 == p "-bptt" { b = $3 } $2 == p "-ftbptt" { f = $3 } $2 == p "-dsf" { d = $3 }
    END { if (b != "" && f != "" && d != "" && f != b)
            printf "%s: DSF gap to BPTT %.2f, FT-BPTT gap %.2f, ratio %.0f%% (paper, WikiText-103 GRU 3L512: 18%%)\n", p, d - b, f - b, 100 * (d - b) / (f - b) }' "$1"
}
{
  echo "WikiText, $EPOCHS epoch(s), batch $BATCH, schedule of the presets (cosine:0.1:0.1), engine $ENGINE, $(date -u +%Y-%m-%d)"
  echo
  ./run.sh summary "$OUT"/*/
} > "$OUT/table.md"
for preset in $PRESETS; do gap_ratio "$OUT/table.md" "$preset" >> "$OUT/table.md"; done
cat "$OUT/table.md"
