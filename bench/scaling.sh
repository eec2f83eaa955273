#!/usr/bin/env bash
# Data-parallel scaling (README: "Many machines").
#   1. PTB GRU 3L256 (DSF) trained on this machine by 1 process × 2 threads, then by 2 processes × 1
#      thread (mpirun, shared memory): tokens/s and the median step, and the trainer's own all-reduce
#      figure (which includes waiting for the slower process);
#   2. the all-reduce of the whole gradient alone (after a barrier), over shared memory and over TCP on
#      the loopback, for the PTB and WikiText-103 presets;
#   3. one machine's step time on each preset (./run.sh bench, both cores), and from it the modelled
#      efficiency over N machines at 10, 25 and 100 Gb/s (ring all-reduce; dsf4j.bench.ScalingModel).
#
#   bench/scaling.sh                                  the measurement: on a quiet machine, ~10 minutes
#   STEPS=6 WARM=2 BENCH_STEPS=1 WT_STEPS=1 REPS=3 bench/scaling.sh    a smoke run (proves the script only)
#
# Needs Open MPI (apt-get install openmpi-bin libopenmpi-dev) and the PTB corpus (data/README.md;
# DSF4J_DATA is honoured). Everything goes under $OUT (default bench/results/scaling-<time>/), the
# tables in $OUT/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."

STEPS=${STEPS:-30}             # training steps per PTB run ...
WARM=${WARM:-5}                # ... of which the first WARM are not counted (JIT, first allocations)
BENCH_STEPS=${BENCH_STEPS:-10} # timed steps of ./run.sh bench on PTB 3L256
WT_STEPS=${WT_STEPS:-3}        # timed steps of ./run.sh bench on wt103-gru-3l512 (about 12 s each on 2 cores)
REPS=${REPS:-20}               # all-reduces timed per preset and transport
OUT=${OUT:-bench/results/scaling-$(date +%Y%m%d-%H%M%S)}
PTB=ptb-gru-3l256 WT=wt103-gru-3l512

command -v mpirun >/dev/null 2>&1 || { echo "scaling.sh: mpirun not found: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 1; }
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
SHM=(--mca btl vader,self)
TCP=(--mca btl tcp,self --mca btl_tcp_if_include lo)
mkdir -p "$OUT"
./run.sh --version >/dev/null   # build the jar once, before several processes start
say() { echo "scaling.sh: $*" >&2; }

# "TOKENS_PER_S MEDIAN_STEP_MS" of a run folder's train rows after step WARM. metrics.csv gives the
# cumulative tokens/s ($8) and the elapsed seconds ($9); no validation runs between those steps.
rate() {
  local csv=$1/metrics.csv
  local tps ms
  tps=$(awk -F, -v w="$WARM" '$1=="train" { if ($2==w) { c0=$8*$9; e0=$9 } c=$8*$9; e=$9 } END { printf "%.0f", (c-c0)/(e-e0) }' "$csv")
  ms=$(awk -F, -v w="$WARM" '$1=="train" { if ($2>w) printf "%.1f\n", 1000*($9-p); p=$9 }' "$csv" | sort -n | awk '{ a[NR]=$1 } END { print a[int((NR+1)/2)] }')
  echo "$tps $ms"
}

train_args=(train --preset "$PTB" --method dsf --max-steps "$STEPS" --eval-every 1000000)

say "1/3: $PTB, 1 process x 2 threads ($STEPS steps)"
one=$OUT/ptb-1proc-2threads
./run.sh "${train_args[@]}" --threads 2 --out "$one" >"$one.log" 2>&1 || { tail -n 5 "$one.log" >&2; say "the run failed: $one.log"; exit 1; }
read -r one_tps one_ms < <(rate "$one")

say "1/3: $PTB, 2 processes x 1 thread, shared memory ($STEPS steps)"
two=$OUT/ptb-2proc-1thread
"${MPIRUN[@]}" "${SHM[@]}" --bind-to core -np 2 ./run.sh "${train_args[@]}" --threads 1 --out "$two" >"$two.log" 2>&1 \
  || { tail -n 5 "$two.log" >&2; say "the run failed: $two.log"; exit 1; }
read -r two_tps two_ms < <(rate "$two")
two_reduce=$(sed -n 's/^all-reduce: \([0-9.]*\) ms per step.*/\1/p' "$two.log")

say "2/3: the all-reduce alone, $REPS times per preset and transport"
allreduce() {   # preset, transport name, mpirun options...
  local preset=$1 name=$2
  shift 2
  "${MPIRUN[@]}" "$@" -np 2 ./run.sh bench --allreduce --preset "$preset" --steps "$REPS" 2>&1 | tee -a "$OUT/allreduce.log" \
    | sed -n 's/^allreduce .* floats=\([0-9]*\) .* median_ms=\([0-9.]*\) .* busbw_GBps=\([0-9.]*\)$/\1 \2 \3/p'
}
read -r ptb_floats ptb_shm_ms ptb_shm_bw < <(allreduce "$PTB" shm "${SHM[@]}")
read -r _ ptb_tcp_ms ptb_tcp_bw < <(allreduce "$PTB" tcp "${TCP[@]}")
read -r wt_floats wt_shm_ms wt_shm_bw < <(allreduce "$WT" shm "${SHM[@]}")
read -r _ wt_tcp_ms wt_tcp_bw < <(allreduce "$WT" tcp "${TCP[@]}")
[ -n "$ptb_shm_ms" ] && [ -n "$ptb_tcp_ms" ] && [ -n "$wt_shm_ms" ] && [ -n "$wt_tcp_ms" ] || { say "an all-reduce run failed: $OUT/allreduce.log"; exit 1; }

say "3/3: one machine's step on each preset (./run.sh bench, 2 threads), then the model"
step_ms() {   # preset, steps: the median step in ms from bench --json
  ./run.sh bench --preset "$1" --method dsf --threads 2 --warmup 1 --steps "$2" --json 2>"$OUT/bench-$1.err" | tee "$OUT/bench-$1.json" \
    | sed -n 's/.*"stepMs": \([0-9.]*\).*/\1/p' | head -n 1
}
ptb_step=$(step_ms "$PTB" "$BENCH_STEPS")
wt_step=$(step_ms "$WT" "$WT_STEPS")
[ -n "$ptb_step" ] && [ -n "$wt_step" ] || { say "./run.sh bench failed: $OUT/bench-*.err"; exit 1; }
ptb_step=$(printf '%.1f' "$ptb_step") wt_step=$(printf '%.1f' "$wt_step")
model=$(./run.sh bench --model-scaling "$PTB=$(awk -v m="$ptb_step" 'BEGIN { print m / 1000 }'),$WT=$(awk -v m="$wt_step" 'BEGIN { print m / 1000 }')")

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
l1d=$(lscpu | sed -n 's/^L1d cache: *//p' | head -n 1)
{
  echo "# Data-parallel scaling, $(date +%Y-%m-%d)"
  echo
  echo "Machine: $cpu, $(nproc) cores, L1d $l1d; $(mpirun --version | head -n 1); command: STEPS=$STEPS WARM=$WARM BENCH_STEPS=$BENCH_STEPS WT_STEPS=$WT_STEPS REPS=$REPS bench/scaling.sh"
  echo
  echo "$PTB, DSF, training steps $((WARM + 1))-$STEPS (median step; tokens/s counts the targets the loss sees):"
  echo
  echo "| | tokens/s | step | all-reduce per step (the trainer's figure, waiting included) |"
  echo "|---|---|---|---|"
  echo "| 1 process x 2 threads | $one_tps | $one_ms ms | - |"
  echo "| 2 processes x 1 thread, shared memory | $two_tps | $two_ms ms | ${two_reduce:-?} ms |"
  echo
  echo "The all-reduce of the whole float32 gradient alone, 2 processes, median of $REPS:"
  echo
  echo "| preset | gradient | shared memory | TCP (loopback) |"
  echo "|---|---|---|---|"
  echo "| $PTB | $ptb_floats floats | $ptb_shm_ms ms ($ptb_shm_bw GB/s bus) | $ptb_tcp_ms ms ($ptb_tcp_bw GB/s bus) |"
  echo "| $WT | $wt_floats floats | $wt_shm_ms ms ($wt_shm_bw GB/s bus) | $wt_tcp_ms ms ($wt_tcp_bw GB/s bus) |"
  echo
  echo "One machine's step (./run.sh bench, DSF, 2 threads, a full batch): $PTB $ptb_step ms, $WT $wt_step ms. Modelled over N such machines:"
  echo
  echo "$model"
} >"$OUT/report.md"
cat "$OUT/report.md"
