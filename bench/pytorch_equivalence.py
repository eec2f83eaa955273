#!/usr/bin/env python3
"""Step-for-step equality of dsf4j's training with PyTorch's, the way llm.c holds its trainer to PyTorch.

Reads the file `dsf4j train --dump-steps K` writes (OUT/steps.safetensors: the initial weights, the
first K batches, each step's learning rate, loss, gradient norm and weights), rebuilds the model from
torch.nn modules (bench/dsf_torch.py, shared with src/test/python/torch_oracle.py) in float32, runs
the same K steps in PyTorch and compares, step by step:
  loss      |L_torch − L_dsf4j| / |L_dsf4j| at every step (the loss of step k is computed under the
            weights after step k − 1, so it follows both trajectories, not only the first step);
  weights   max |θ_torch − θ_dsf4j| over every trainable value, after every step the dump recorded
            (every step, or step K only with --dump-weights last);
  |g|       the global gradient norm before clipping, relative (summed in float64 on both sides).
Both runs start from the same weights and then go their own way: nothing is re-synchronised.

The step, as the authors' code (dsf/utils/engine.py) and dsf4j do it: mean cross-entropy over the
non-pad targets; BPTT by autograd through the unrolled cell, FT-BPTT with the state detached after each
step, DSF with the authors' DfaRnn mechanism (a no-grad forward, the cell re-run over B·T with s_{t-1}
constant, a backward hook that scans e into δ_t = e_t + λ ⊙ δ_{t+1}); clip_grad_norm_ when the run
clips; torch.optim.Adam with coupled L2 weight decay (or AdamW when the run used adamw), betas
(0.9, 0.999), eps 1e-8, at the dump's learning rate of each step.

  bench/run-pytorch.sh pytorch_equivalence.py runs/x/steps.safetensors [more dumps] [--per-step]
      [--jsonl results.jsonl] [--golden-dir DIR --golden-weights 1,2,5,10,15,20]

Prints one line per dump (per step with --per-step) and exits 1 when a dump misses the targets
(--loss-tol 1e-4 relative, --weight-tol 1e-3 absolute). --golden-dir writes PyTorch's run in the same
format, gzipped (steps-<cell>-<block>-<method>.safetensors.gz: the dump's weights, batches and rates,
PyTorch's losses, norms and weights after the --golden-weights steps) for dsf4j's PyTorchStepsTest.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsf_torch  # noqa: E402

SERIES = ("lr", "loss", "grad_norm")


class Dump:
    """A steps file (dsf4j's or a golden one), read into numpy arrays."""

    def __init__(self, path):
        t, self.meta = dsf_torch.read_safetensors(path)
        if self.meta.get("format") != "dsf4j-steps-1":
            sys.exit(f"{path}: not a steps file (format {self.meta.get('format')!r}): give the steps.safetensors of a dsf4j train --dump-steps run")
        self.path = path
        self.cfg = json.loads(self.meta["config"])
        self.train = json.loads(self.meta["train"])
        self.k = int(self.meta["steps"])
        self.initial = {n: a for n, a in t.items() if "/" not in n and n not in SERIES}
        self.batches = [(t[f"batch/{k}/input"], t[f"batch/{k}/target"]) for k in range(1, self.k + 1)]
        self.lr, self.loss, self.grad_norm = (t[s] for s in SERIES)
        self.weights = {}                       # step → {name: array}
        for n, a in t.items():
            if n.startswith("weights/"):
                _, k, name = n.split("/", 2)
                self.weights.setdefault(int(k), {})[name] = a

    def name(self):
        return f"{self.cfg['cell']}-{self.cfg['block']}-{self.train['method']}"


def replay(d, dtype=torch.float32):
    """PyTorch's K steps from d's initial weights: (losses [K], norms [K], step → weights after it)."""
    if d.cfg["cell"] not in dsf_torch.CELLS:
        sys.exit(f"{d.path}: cell {d.cfg['cell']!r} is not in bench/dsf_torch.py ({', '.join(dsf_torch.CELLS)}): add it there (one @cell function)")
    p = dsf_torch.parameters(d.initial, dtype)
    trainable = [t for n, t in p.items() if not n.endswith(".lambda")]
    kind = torch.optim.AdamW if d.train["optimizer"] == "adamw" else torch.optim.Adam
    opt = kind(trainable, lr=float(d.lr[0]), betas=(0.9, 0.999), eps=1e-8, weight_decay=float(d.train["weight_decay"]))
    clip, method = float(d.train["clip"]), d.train["method"]
    losses, norms, after = np.zeros(d.k), np.zeros(d.k), {}
    for k, (inp, tgt) in enumerate(d.batches, start=1):
        for g in opt.param_groups:
            g["lr"] = float(d.lr[k - 1])
        opt.zero_grad(set_to_none=True)
        loss = dsf_torch.loss(p, d.cfg, inp, tgt, method)
        loss.backward()
        # the norm compared is summed in float64 (as dsf4j's): torch 1.13's float32 norm of a 2.6M-value
        # head gradient is 5e-4 off; clip_grad_norm_ clips with its own norm, as PyTorch training does
        norm = math.sqrt(sum(float(t.grad.detach().double().pow(2).sum()) for t in trainable))
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(trainable, clip)
        losses[k - 1], norms[k - 1] = loss.item(), norm
        if math.isfinite(losses[k - 1]) and math.isfinite(norms[k - 1]):   # dsf4j skips such an update too
            opt.step()
        after[k] = {n: t.detach().numpy().copy() for n, t in p.items() if not n.endswith(".lambda")}
    return losses, norms, after


def compare(d, losses, norms, after):
    """Per step: relative loss difference, relative norm difference, max |Δθ| (NaN where dsf4j kept no weights)."""
    rows = []
    for k in range(1, d.k + 1):
        ours = d.weights.get(k)
        w = max(float(np.max(np.abs(after[k][n].astype(np.float64) - a))) for n, a in ours.items()) if ours else math.nan
        rows.append({"step": k, "lr": float(d.lr[k - 1]), "loss_dsf4j": float(d.loss[k - 1]), "loss_torch": float(losses[k - 1]),
                     "loss_rel": abs(losses[k - 1] - d.loss[k - 1]) / abs(d.loss[k - 1]),
                     "grad_norm_rel": abs(norms[k - 1] - d.grad_norm[k - 1]) / abs(d.grad_norm[k - 1]),
                     "weight_abs": w})
    return rows


def worst(rows, key):
    vals = [(r[key], r["step"]) for r in rows if not math.isnan(r[key])]
    return max(vals) if vals else (math.nan, 0)


def write_golden(d, losses, norms, after, steps, folder):
    """PyTorch's run in the steps format: the dump's inputs, PyTorch's losses, norms and weights after `steps`."""
    out = dict(d.initial)
    for k, (inp, tgt) in enumerate(d.batches, start=1):
        out[f"batch/{k}/input"], out[f"batch/{k}/target"] = inp, tgt
    out["lr"], out["loss"], out["grad_norm"] = np.asarray(d.lr, np.float64), losses, norms
    for k in steps:
        if k > d.k:
            sys.exit(f"--golden-weights {k}: the dump has only {d.k} steps")
        for n, a in after[k].items():
            out[f"weights/{k}/{n}"] = a.astype(np.float32)
    meta = {"format": "dsf4j-steps-1", "steps": str(d.k), "config": d.meta["config"], "train": d.meta["train"],
            "engine": f"pytorch {torch.__version__} float32 (bench/pytorch_equivalence.py)", "replayed_from": d.meta.get("engine", "?")}
    path = os.path.join(folder, f"steps-{d.name()}.safetensors.gz")
    dsf_torch.write_safetensors(path, out, meta)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dumps", nargs="+", help="steps.safetensors files written by dsf4j train --dump-steps K")
    ap.add_argument("--loss-tol", type=float, default=1e-4, help="target: relative loss difference at every step (default 1e-4)")
    ap.add_argument("--weight-tol", type=float, default=1e-3, help="target: max |Δθ| after every recorded step (default 1e-3)")
    ap.add_argument("--per-step", action="store_true", help="print every step's differences")
    ap.add_argument("--jsonl", help="append one JSON object per dump (with the per-step rows) to this file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--golden-dir", help="write PyTorch's run of each dump there, as steps-<cell>-<block>-<method>.safetensors.gz")
    ap.add_argument("--golden-weights", default="1,2,5,10,15,20", help="the steps whose weights a golden file keeps (default 1,2,5,10,15,20)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    missed = 0
    print(f"{'configuration':28} {'K':>3} {'worst loss rel (step)':>22} {'worst |Δθ| (step)':>20} {'worst |g| rel':>13}  targets {args.loss_tol:g} / {args.weight_tol:g}")
    for path in args.dumps:
        d = Dump(path)
        t0 = time.time()
        losses, norms, after = replay(d)
        rows = compare(d, losses, norms, after)
        (lw, ls), (ww, wst), (gw, _) = worst(rows, "loss_rel"), worst(rows, "weight_abs"), worst(rows, "grad_norm_rel")
        ok = lw <= args.loss_tol and (math.isnan(ww) or ww <= args.weight_tol)
        missed += not ok
        if args.per_step:
            for r in rows:
                print(f"  step {r['step']:3d}  lr {r['lr']:.3e}  loss {r['loss_dsf4j']:.7f} / {r['loss_torch']:.7f}  rel {r['loss_rel']:.1e}"
                      f"  |g| rel {r['grad_norm_rel']:.1e}  |Δθ| " + ("-" if math.isnan(r["weight_abs"]) else f"{r['weight_abs']:.1e}"))
        print(f"{d.name():28} {d.k:3d} {lw:14.1e} ({ls:3d})   {ww:12.1e} ({wst:3d})   {gw:12.1e}  {'ok' if ok else 'MISS'}"
              f"  [{d.meta.get('engine', '?')} engine, {time.time() - t0:.0f} s]", flush=True)
        if args.jsonl:
            with open(args.jsonl, "a") as f:
                f.write(json.dumps({"config": d.name(), "dump": path, "engine": d.meta.get("engine"), "steps": d.k, "loss_rel": lw, "loss_step": ls,
                                    "weight_abs": ww, "weight_step": wst, "grad_norm_rel": gw, "ok": ok, "torch": torch.__version__,
                                    "per_step": rows}) + "\n")
        if args.golden_dir:
            os.makedirs(args.golden_dir, exist_ok=True)
            write_golden(d, losses, norms, after, [int(s) for s in args.golden_weights.split(",")], args.golden_dir)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
