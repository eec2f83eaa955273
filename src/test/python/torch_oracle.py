#!/usr/bin/env python3
"""PyTorch as an outside oracle for dsf4j's gradients.

Reads a file written by `dsf4j grads`, rebuilds the same model from torch.nn modules in float64
(RNNCell / GRUCell / LSTMCell, LayerNorm, Linear, GELU, Embedding; minGRU, which torch.nn lacks, from
its equations in torch ops; the model and the three methods are bench/dsf_torch.py's, shared with
bench/pytorch_equivalence.py), and computes every method's loss and gradient with autograd:
  bptt    plain autograd through time;
  ftbptt  the state detached after every step (the authors' NoBpttRnn);
  dsf     the authors' mechanism: states from a no-grad forward, the cell re-run once batched over
          B·T with s_{t-1} as a constant, and a backward hook on its output that turns e into δ
          by δ_t = e_t + λ ⊙ δ_{t+1}.
Writes the same file with PyTorch's losses and gradients in place of dsf4j's, and prints the largest
relative difference to dsf4j's.

  python3 src/test/python/torch_oracle.py IN.safetensors OUT.safetensors
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "bench"))
import dsf_torch  # noqa: E402


def loss_and_grads(p, cfg, inp, tgt, method):
    params = dsf_torch.parameters(p, torch.float64)
    loss = dsf_torch.loss(params, cfg, inp, tgt, method)
    loss.backward()
    grads = {k: t.grad.numpy() for k, t in params.items() if not k.endswith(".lambda")}
    return loss.item(), grads


def main(src, dst):
    tensors, meta = dsf_torch.read_safetensors(src)
    cfg = json.loads(meta["config"])
    p = {k[len("param/"):]: a for k, a in tensors.items() if k.startswith("param/")}
    inp, tgt = tensors["batch/input"], tensors["batch/target"]
    out = {k: a for k, a in tensors.items() if k.startswith(("param/", "batch/"))}
    worst = 0.0
    for method in ("bptt", "ftbptt", "dsf"):
        if "loss/" + method not in tensors:
            continue
        loss, grads = loss_and_grads(p, cfg, inp, tgt, method)
        out["loss/" + method] = np.array(loss)
        for k, g in grads.items():
            out[f"grad/{method}/{k}"] = g
            ours = tensors[f"grad/{method}/{k}"]
            err = np.linalg.norm(g - ours) / max(np.linalg.norm(g), np.linalg.norm(ours), 1e-300)
            worst = max(worst, err)
        worst = max(worst, abs(loss - tensors["loss/" + method]) / abs(loss))
    meta = dict(meta, engine="pytorch " + torch.__version__ + " float64 autograd")
    dsf_torch.write_safetensors(dst, out, meta)
    print(f"{src}: largest relative difference to dsf4j {worst:.3e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
