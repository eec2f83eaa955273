#!/usr/bin/env python3
"""The table of experiments/vs-pytorch.sh: validation perplexity at each step, dsf4j against PyTorch.

  python3 experiments/vs_pytorch_table.py runs/vs-pytorch bptt 0 1 2 3

Reads OUT/dsf4j-METHOD-seedS/metrics.csv (rows with split "valid") and OUT/torch-METHOD-seedS/valid.csv
(bench/pytorch_authors_setup.py --csv) for each seed S; prints, per step, each seed's pair, the mean of
each side with its range over seeds, and the difference of the means (dsf4j vs PyTorch). Standard library
only: it runs with any python3.
"""
import csv
import os
import sys


def valid_ppl(path, step_key, ppl_key, split=None):
    """{step: validation perplexity} from one CSV; rows of another split are skipped when split is given."""
    with open(path, newline="") as f:
        return {int(r[step_key]): float(r[ppl_key]) for r in csv.DictReader(f) if split is None or r["split"] == split}


def main():
    out, method, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
    ours = [valid_ppl(os.path.join(out, f"dsf4j-{method}-seed{s}", "metrics.csv"), "step", "ppl", "valid") for s in seeds]
    theirs = [valid_ppl(os.path.join(out, f"torch-{method}-seed{s}", "valid.csv"), "step", "valid_ppl") for s in seeds]
    steps = sorted(set.intersection(*(set(d) for d in ours + theirs)))
    print("| step | " + " | ".join(f"seed {s}: dsf4j / PyTorch" for s in seeds)
          + " | dsf4j mean (range) | PyTorch mean (range) | dsf4j vs PyTorch |")
    print("|---" * (len(seeds) + 4) + "|")
    worst = 0.0
    for step in steps:
        a, b = [d[step] for d in ours], [d[step] for d in theirs]
        ma, mb = sum(a) / len(a), sum(b) / len(b)
        pairs = " | ".join(f"{x:.1f} / {y:.1f}" for x, y in zip(a, b))
        print(f"| {step} | {pairs} | {ma:.1f} ({min(a):.1f}–{max(a):.1f}) | {mb:.1f} ({min(b):.1f}–{max(b):.1f})"
              f" | {100 * (ma / mb - 1):+.1f}% |")
        worst = max(worst, abs(ma / mb - 1))
    print(f"\nlargest difference of the means: {100 * worst:.1f}% (target: within 3%)")


if __name__ == "__main__":
    main()
