#!/usr/bin/env bash
# Regenerates src/test/resources/golden/steps-<cell>-<block>-<method>.safetensors.gz, the goldens of
# PyTorchStepsTest: dsf4j trains each tiny model for 20 steps with --dump-steps 20 (the weights, the
# batches and the rates of the run), bench/pytorch_equivalence.py replays the 20 steps in PyTorch
# (float32) and keeps PyTorch's losses and gradient norms at every step and its weights after steps
# 1, 2, 5, 10, 15 and 20 (gzipped: about 16 KB a file). Every cell × block × method; the
# residual runs use Adam with coupled L2, the transformer runs AdamW, the rnn runs clip the gradient.
# Needs Debian's python3-torch and libopenblas0-openmp; run from the repository root. CELLS="mingru"
# makes (or remakes) one cell's files only; ENGINE=reference dumps with the reference engine (default
# fast); COMPARE_ONLY=1 prints the comparison table and writes no golden file.
set -euo pipefail
out=src/test/resources/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/tiny_corpus.py "$tmp/corpus" --words 6 --length 1:9 --sentences 60:8:8
dumps=()
for cell in ${CELLS:-rnn gru lstm}; do
  for block in residual transformer; do
    for method in bptt ftbptt dsf; do
      case "$block" in
        residual) opt=(--optimizer adam --weight-decay 0.01) ;;
        *) opt=(--optimizer adamw --weight-decay 0.1) ;;
      esac
      clip=0
      [ "$cell" = rnn ] && clip=0.5
      run="$tmp/$cell-$block-$method"
      ./run.sh train --data "$tmp/corpus" --cell "$cell" --block "$block" --layers 2 --hidden 4 --method "$method" \
        --lambda-init linspace:0:1 --seq 8 --batch 4 --epochs 2 --max-steps 20 --lr 0.01 --schedule cosine:0.1:0.1 \
        "${opt[@]}" --clip "$clip" --seed 3 --engine "${ENGINE:-fast}" --threads 1 --eval-every 20 --dump-steps 20 --out "$run" >/dev/null
      dumps+=("$run/steps.safetensors")
    done
  done
done
if [ -n "${COMPARE_ONLY:-}" ]; then
  bench/run-pytorch.sh pytorch_equivalence.py "${dumps[@]}"
else
  bench/run-pytorch.sh pytorch_equivalence.py "${dumps[@]}" --golden-dir "$out" --golden-weights 1,2,5,10,15,20
fi
