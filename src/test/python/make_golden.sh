#!/usr/bin/env bash
# Regenerates src/test/resources/golden/: dsf4j draws each model and batch, PyTorch (float64 autograd,
# the authors' DSF mechanism) computes the losses and gradients that TorchGoldenTest holds dsf4j to.
# Needs Debian's python3-torch (apt-get install python3-torch); run from the repository root.
set -euo pipefail
out=${OUT:-src/test/resources/golden}   # CELLS="mingru" regenerates only those cells' files
tmp=$(mktemp -d)
for cell in ${CELLS:-rnn gru lstm mingru}; do
  for block in residual transformer; do
    ./run.sh grads --cell "$cell" --block "$block" --layers 2 --hidden 5 --vocab 11 --batch 3 --seq 6 \
      --seed 7 --lambda-init uniform:0.2:1 --out "$tmp/$cell-$block.safetensors" >/dev/null
    /usr/bin/python3 src/test/python/torch_oracle.py "$tmp/$cell-$block.safetensors" "$out/torch-$cell-$block.safetensors"
  done
done
rm -rf "$tmp"
