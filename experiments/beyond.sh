#!/usr/bin/env bash
# Beyond the paper (issue 15): does an adaptive λ or a short exact window close DSF's gap to BPTT, and at
# what cost? PTB GRU 3L256 trained six ways on one schedule and seed, the authors' batching (random
# batches, the default) and setup (Adam 1e-3 with L2 1e-4, batch 128, T 64, StepLR ×0.1 after a third and
# two thirds of the epochs; a constant rate below 3 epochs), every run logging its gradient's alignment
# with BPTT's:
#   bptt, ftbptt, dsf (λ = linspace(0, 1)), dsf-adaptive (--lambda-update), hybrid4, hybrid16 (--method hybrid:K)
# Writes OUT/<run>/ (checkpoints, metrics, plot), OUT/perplexity.png, OUT/alignment.png, the training-step
# throughput of each method from `./run.sh bench` on the same preset (OUT/bench*.json, run after the
# training so that nothing else shares the CPU), and OUT/table.md.
#
#   EPOCHS=9 experiments/beyond.sh                         # about half an hour per epoch for all six on 2 quiet cores
#   EPOCHS=1 EXTRA="--max-steps 6 --hidden 16 --eval-every 3" LAMBDA_UPDATE=2 ALIGN_EVERY=2 \
#     BENCH_STEPS=1 BENCH_WARMUP=0 OUT=runs/beyond-smoke experiments/beyond.sh   # a smoke run: minutes
# Knobs: EPOCHS (9), OUT (runs/beyond), THREADS (all cores), ENGINE (fast), LAMBDA_UPDATE (50 steps),
# LAMBDA_MAX (1), ALIGN_EVERY (50 steps), EXTRA (more train flags, for every run), BENCH (1; 0: no timing),
# BENCH_STEPS (20), BENCH_WARMUP (3). A run already finished is kept; one interrupted is resumed.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-9}
OUT=${OUT:-runs/beyond}
THREADS=${THREADS:-$(nproc)}
ENGINE=${ENGINE:-fast}
LAMBDA_UPDATE=${LAMBDA_UPDATE:-50}
LAMBDA_MAX=${LAMBDA_MAX:-1}
ALIGN_EVERY=${ALIGN_EVERY:-50}
BENCH=${BENCH:-1}
BENCH_STEPS=${BENCH_STEPS:-20}
BENCH_WARMUP=${BENCH_WARMUP:-3}
PRESET=ptb-gru-3l256
SEED=1
first=$(( (EPOCHS + 2) / 3 )); second=$(( (2 * EPOCHS + 2) / 3 ))
schedule="step:${first},${second}:0.1"
[ "$EPOCHS" -lt 3 ] && schedule=const

# run name | the flags that make it
RUNS=(
  "bptt|--method bptt"
  "ftbptt|--method ftbptt"
  "dsf|--method dsf"
  "dsf-adaptive|--method dsf --lambda-update $LAMBDA_UPDATE --lambda-max $LAMBDA_MAX"
  "hybrid4|--method hybrid:4"
  "hybrid16|--method hybrid:16"
)

mkdir -p "$OUT"
: > "$OUT/commands.txt"
for entry in "${RUNS[@]}"; do
  name=${entry%%|*}; flags=${entry#*|}
  run="$OUT/$name"
  cmd="./run.sh train --preset $PRESET $flags --epochs $EPOCHS --schedule $schedule --seed $SEED --log-alignment $ALIGN_EVERY --threads $THREADS --engine $ENGINE --out $run ${EXTRA:-}"
  echo "$name|$cmd" >> "$OUT/commands.txt"
  if [ -f "$run/metrics.csv" ] && grep -q '^test,' "$run/metrics.csv"; then
    echo "== $run: done already"; continue
  fi
  if [ -f "$run/last.safetensors" ]; then
    echo "== $run: resuming"
    ./run.sh train --resume "$run" --threads "$THREADS" --engine "$ENGINE"
  else
    echo "== $run"
    # shellcheck disable=SC2086
    $cmd
  fi
done

dirs=()
for entry in "${RUNS[@]}"; do dirs+=("$OUT/${entry%%|*}"); done
./run.sh plot "${dirs[@]}" --panels perplexity --out "$OUT/perplexity.png"
./run.sh plot "${dirs[@]}" --panels alignment --out "$OUT/alignment.png"

if [ "$BENCH" = 1 ]; then
  echo "== bench: training-step throughput on $PRESET (full batches, the preset's shape)"
  ./run.sh bench --preset "$PRESET" --method bptt,ftbptt,dsf,hybrid:4,hybrid:16 --steps "$BENCH_STEPS" --warmup "$BENCH_WARMUP" \
    --threads "$THREADS" --json > "$OUT/bench.json"
  ./run.sh bench --preset "$PRESET" --method dsf --lambda-update "$LAMBDA_UPDATE" --steps "$BENCH_STEPS" --warmup "$BENCH_WARMUP" \
    --threads "$THREADS" --json > "$OUT/bench-adaptive.json"
fi

python3 - "$OUT" "$EPOCHS" "$schedule" "$ENGINE" "$LAMBDA_UPDATE" <<'PY' | tee "$OUT/table.md"
import csv, json, math, os, sys, datetime
out, epochs, schedule, engine, every = sys.argv[1:6]
runs = [l.rstrip("\n").split("|", 1) for l in open(os.path.join(out, "commands.txt"))]
bench = {}
for f, key in (("bench.json", None), ("bench-adaptive.json", "dsf-adaptive")):
    p = os.path.join(out, f)
    if os.path.exists(p):
        for r in json.load(open(p))["results"]:
            bench[key or r["method"]] = r["tokensPerSecond"]
bench_key = {"bptt": "bptt", "ftbptt": "ftbptt", "dsf": "dsf", "dsf-adaptive": "dsf-adaptive", "hybrid4": "hybrid:4", "hybrid16": "hybrid:16"}
print(f"PTB GRU 3L256, {epochs} epoch(s), schedule {schedule}, seed 1, random batches, engine {engine}, "
      f"adaptive λ every {every} steps, {datetime.date.today()}")
print()
print("| run | best valid ppl | test ppl | train time | tokens/s (bench) | gradient cosine with BPTT at the last alignment, layers.2 / 1 / 0 |")
print("|---|---|---|---|---|---|")
for name, cmd in runs:
    rows = list(csv.DictReader(open(os.path.join(out, name, "metrics.csv"))))
    valid = [float(r["loss"]) for r in rows if r["split"] == "valid"]
    test = [float(r["loss"]) for r in rows if r["split"] == "test"]
    secs = max(float(r["elapsed_s"]) for r in rows)
    align = [r for r in rows if r["split"] == "align"]
    last = max((int(r["step"]) for r in align), default=None)
    cos = {r["group"]: float(r["cosine"]) for r in align if int(r["step"]) == last}
    layers = sorted((g for g in cos if g.startswith("layers.")), key=lambda g: -int(g.split(".")[1]))
    tps = bench.get(bench_key[name])
    print(f"| {name} | {math.exp(min(valid)):.2f} | {math.exp(test[-1]) if test else float('nan'):.2f} | {secs / 60:.0f} min | "
          f"{'%.0f' % tps if tps else '–'} | {' / '.join('%.3f' % cos[g] for g in layers) if cos else '–'}"
          f"{' (step %d)' % last if cos else ''} |")
print()
print("Commands:")
print()
for name, cmd in runs:
    print(f"- {name}: `{cmd}`")
PY
