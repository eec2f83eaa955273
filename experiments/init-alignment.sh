#!/usr/bin/env bash
# How far DSF's gradient is from BPTT's before any training, as the sequence length T and the largest λ
# change: a seeded transformer-like GRU 3L256 with V 16,000 (the shape of preset wt2-gru-3l256, its
# init), 16 random sequences, `grads`' agreement with BPTT (cosine / norm ratio) per group of tensors.
# One column per (T, λ max); writes $OUT/init-alignment.md. About a minute per column on one core.
#
#   experiments/init-alignment.sh
#   COLUMNS_SPEC="255:1 255:0.75" SEED=2 experiments/init-alignment.sh
# Knobs: COLUMNS_SPEC (T:λmax pairs), SEED, BATCH, OUT, THREADS.
set -euo pipefail
cd "$(dirname "$0")/.."
COLUMNS_SPEC=${COLUMNS_SPEC:-"255:1 64:1 128:1 255:0.9 255:0.75 255:0.5"}
SEED=${SEED:-1}
BATCH=${BATCH:-16}
OUT=${OUT:-runs/init-alignment}
THREADS=${THREADS:-1}
mkdir -p "$OUT"

# agreement T LAMBDA_MAX: prints "group ftbptt_cos ftbptt_ratio dsf_cos dsf_ratio" rows
agreement() {
  ./run.sh grads --cell gru --block transformer --layers 3 --hidden 256 --vocab 16000 \
    --batch "$BATCH" --seq "$1" --pad-id -1 --lambda-init "linspace:0:$2" --seed "$SEED" \
    --method bptt,ftbptt,dsf --engine fast --threads "$THREADS" --out "$OUT/g-$1-$2.safetensors" \
    | awk '/^agreement with bptt/ {on = 1; getline; next} on && NF == 5 {print}'
}

header="| group | FT-BPTT, T ${COLUMNS_SPEC%%:*}"
rule="|---|---"
declare -A cell
groups=()
first=1
for spec in $COLUMNS_SPEC; do
  T=${spec%%:*}; lam=${spec##*:}
  echo "== T $T, λ ≤ $lam" >&2
  while read -r group fcos fratio dcos dratio; do
    [ "$first" = 1 ] && { groups+=("$group"); cell[$group]="| $group | $(printf '%.3f / %.2f' "$fcos" "$fratio")"; }
    cell[$group]+=" | $(printf '%.3f / %.2f' "$dcos" "$dratio")"
  done < <(agreement "$T" "$lam")
  header+=" | DSF λ ≤ $lam, T $T"; rule+="|---"
  first=0
done
{
  echo "DSF's and FT-BPTT's gradient against BPTT's at initialization, cosine / norm ratio; seed $SEED," \
       "B $BATCH, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo
  echo "$header |"; echo "$rule|"
  for g in "${groups[@]}"; do echo "${cell[$g]} |"; done
} | tee "$OUT/init-alignment.md"
