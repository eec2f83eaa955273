#!/usr/bin/env bash
# The one script a session with a lent GPU runs (device tool `run`; README.md, "CUDA", says how).
# Needs target/dsf4j.jar and jdk25-runtime/ carried along (bench/make-gpu-runtime.sh builds them).
#   1. the GPU, driver and the libraries dsf4j loads;
#   2. the cuda engine's loss and gradients against the reference engine, every cell x block x
#      method, TF32 off (< 1e-5) and on (< 2e-3), and the device trainer (clipping, Adam/AdamW, stream
#      mode, a NaN step skipped) against the host loop: once launching kernels eagerly, once through
#      CUDA graphs; then `train --engine cuda` end to end on a generated corpus, against --engine fast;
#   3. PyTorch (cuDNN nn.GRU and the preset models) training steps on the same card;
#   4. dsf4j's device-resident training step, median of 20, bptt / ftbptt / dsf, on ptb-gru-3l256,
#      wt103-gru-3l512 (T 255) and T 1024, with a forward / backward / Adam split;
#   5. a quick gradient check under compute-sanitizer (memcheck), when it is there;
#   6. the summary table (last in the output).
# Everything lands in $OUT (device tool) or ./gpu-check-out. Worst case (every step at its timeout) 9 minutes.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=${OUT:-$root/gpu-check-out}   # the device tool brings back at most 8 files: exactly the 8 below
work=$(mktemp -d)
mkdir -p "$out"
java="$root/jdk25-runtime/bin/java"
jar="$root/target/dsf4j.jar"
for f in "$java" "$jar"; do
  if [ ! -e "$f" ]; then echo "gpu-check: $f is missing: run bench/make-gpu-runtime.sh here and carry target/dsf4j.jar and jdk25-runtime" >&2; exit 2; fi
done
check=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -cp "$jar" dsf4j.bench.GpuCheck)
export DSF4J_CUDA_CACHE="$work/kernels"   # NVRTC compiles once for all the JVMs below
start=$(date +%s)
stamp() { echo "== $1 ($(( $(date +%s) - start )) s)"; }

stamp "1. machine"
{ timeout -k 5 20 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv 2>&1
  ls -d /usr/local/cuda*/targets/x86_64-linux/lib 2>/dev/null
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"; } | tee "$out/machine.txt"

stamp "2a. gradients and device trainer, eager launches"
DSF4J_CUDA_GRAPHS=0 timeout -k 5 70 "${check[@]}" --skip-timing --out "$work/grads-eager.jsonl" 2>&1 | tee "$out/grads-eager.log" | grep -v ' pass$'
stamp "2b. gradients and device trainer, CUDA graphs"
timeout -k 5 70 "${check[@]}" --skip-timing --out "$work/grads.jsonl" 2>&1 | tee "$out/grads-graphs.log" | grep -v ' pass$'

stamp "2c. train end to end on a generated corpus: cuda (sentences, stream) against fast"
{ timeout -k 5 20 python3 bench/tiny_corpus.py "$work/tiny"
  train=("${check[@]:0:5}" -jar "$jar" train --data "$work/tiny" --cell gru --layers 2 --hidden 64 --seq 32 --batch 16 --epochs 2 --method dsf --eval-every 47)
  timeout -k 5 30 "${train[@]}" --engine cuda --tf32 false --out "$work/run-cuda" 2>&1 | grep -v '^WARNING' | tail -n 3
  timeout -k 5 30 "${train[@]}" --engine fast --out "$work/run-fast" 2>&1 | grep -v '^WARNING' | tail -n 2
  timeout -k 5 30 "${train[@]}" --engine cuda --data-mode stream --out "$work/run-cuda-stream" 2>&1 | grep -v '^WARNING' | tail -n 2
  timeout -k 5 20 "${check[@]:0:5}" -jar "$jar" eval --checkpoint "$work/run-cuda/best.safetensors" --engine fast 2>&1 | grep -v '^WARNING' | tee "$work/eval-fast.txt"
  timeout -k 5 20 python3 bench/gpu_train_check.py "$work" "$work/grads.jsonl"
} 2>&1 | tee -a "$out/grads-graphs.log"

stamp "3. pytorch"
PYTHONUNBUFFERED=1 timeout -k 5 100 python3 bench/pytorch_gpu.py --out "$work/pytorch.jsonl" 2>&1 | tee "$out/pytorch.log"

stamp "4. dsf4j training steps"
timeout -k 5 160 "${check[@]}" --skip-grads --out "$work/steps.jsonl" 2>&1 | tee "$out/steps.log"

if command -v compute-sanitizer >/dev/null 2>&1 && [ $(( $(date +%s) - start )) -lt 400 ]; then
  stamp "5. compute-sanitizer memcheck, quick gradient check"
  DSF4J_CUDA_GRAPHS=0 timeout -k 5 45 compute-sanitizer --tool memcheck --print-limit 10 "${check[@]}" --skip-timing --quick \
    2>&1 | grep -v ' pass$' | tail -n 40 | tee "$out/sanitizer.log"
fi

stamp "6. summary"
cat "$work/grads.jsonl" "$work/steps.jsonl" > "$work/dsf4j.jsonl" 2>/dev/null
cat "$work/dsf4j.jsonl" "$work/pytorch.jsonl" > "$out/results.jsonl" 2>/dev/null
{ timeout -k 5 20 python3 bench/gpu_report.py "$work/dsf4j.jsonl" "$work/pytorch.jsonl" 2>&1
  count() { local n; n=$(grep -c "$1" "$work/grads-eager.jsonl" 2>/dev/null); echo "${n:-0}"; }   # grep -c prints 0 and fails on no match
  echo "eager-launch gradient checks: $(count '"verdict":"pass"') pass of $(count '"kind":"grads"')"
} | tee "$out/summary.txt"
stamp "done"
