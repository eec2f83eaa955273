#!/usr/bin/env python3
"""Judges gpu-check.sh's end-to-end training runs on the tiny corpus; prints one line per check and
appends JSON lines ({"kind": "train-e2e", ...}) to OUT.

    python3 bench/gpu_train_check.py WORK OUT
WORK holds run-cuda/, run-fast/, run-cuda-stream/ (train --out folders) and eval-fast.txt (the fast
engine's `eval` of run-cuda/best.safetensors on the validation split).
"""
import csv
import json
import math
import os
import re
import sys


def best_valid(run):
    """(best validation loss, its step) from a run's metrics.csv, or None."""
    path = os.path.join(run, "metrics.csv")
    if not os.path.exists(path):
        return None
    rows = [r for r in csv.DictReader(open(path)) if r["split"] == "valid"]
    if not rows:
        return None
    best = min(rows, key=lambda r: float(r["loss"]))
    return float(best["loss"]), int(best["step"])


def main(work, out):
    checks = []
    cuda, fast = best_valid(os.path.join(work, "run-cuda")), best_valid(os.path.join(work, "run-fast"))
    stream = best_valid(os.path.join(work, "run-cuda-stream"))
    if cuda and fast:
        rel = abs(math.exp(cuda[0]) - math.exp(fast[0])) / math.exp(fast[0])
        checks.append(("cuda vs fast best valid ppl (sentences, dsf, tf32 off)", "%.2f vs %.2f" % (math.exp(cuda[0]), math.exp(fast[0])), rel < 0.03))
    else:
        checks.append(("cuda vs fast best valid ppl (sentences, dsf, tf32 off)", "a run is missing", False))
    if stream:
        checks.append(("cuda stream mode learns (best valid ppl < 60)", "%.2f" % math.exp(stream[0]), math.exp(stream[0]) < 60))
    else:
        checks.append(("cuda stream mode learns (best valid ppl < 60)", "the run is missing", False))
    text = open(os.path.join(work, "eval-fast.txt")).read() if os.path.exists(os.path.join(work, "eval-fast.txt")) else ""
    m = re.search(r"valid: loss ([0-9.]+)", text)
    if m and cuda:
        diff = abs(float(m.group(1)) - cuda[0])
        checks.append(("cuda checkpoint, fast eval = cuda's own valid loss", "%s vs %.6f" % (m.group(1), cuda[0]), diff < 5e-4))
    else:
        checks.append(("cuda checkpoint, fast eval = cuda's own valid loss", "eval output missing", False))
    with open(out, "a") as f:
        for name, value, ok in checks:
            print("train-e2e: %-55s | %s | %s" % (name, value, "pass" if ok else "FAIL"))
            f.write(json.dumps({"kind": "train-e2e", "check": name, "value": value, "verdict": "pass" if ok else "fail"}) + "\n")
    return 0 if all(ok for _, _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
