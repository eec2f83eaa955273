#!/usr/bin/env python3
"""PyTorch as an outside oracle for dsf4j's gradients.

Reads a file written by `dsf4j grads`, rebuilds the same model from torch.nn modules (RNNCell /
GRUCell / LSTMCell, LayerNorm, Linear, GELU, Embedding; minGRU, which torch.nn lacks, from its
equations in torch ops below) in float64, and computes every method's loss and gradient with autograd:
  bptt    plain autograd through time;
  ftbptt  the authors' mechanism with λ = 0;
  dsf     the authors' mechanism: states from a no-grad forward, the cell re-run once batched over
          B·T with s_{t-1} as a constant, and a backward hook on its output that turns e into δ
          by δ_t = e_t + λ ⊙ δ_{t+1}.
Writes the same file with PyTorch's losses and gradients in place of dsf4j's, and prints the largest
relative difference to dsf4j's.

  python3 src/test/python/torch_oracle.py IN.safetensors OUT.safetensors
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
DTYPES = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        tensors[name] = np.frombuffer(data[b:e], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, blobs, offset = {"__metadata__": meta}, [], 0
    for name, a in tensors.items():
        kind = {np.dtype(np.float64): "F64", np.dtype(np.int64): "I64"}[a.dtype]
        blob = np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": kind, "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class MinGRUCell(torch.nn.Module):
    """minGRU (Feng et al. 2024, "Were RNNs All We Needed?"), written from the paper's equations:
    z = sigmoid(W_z x + b_z), h~ = W_h x + b_h, h' = (1 - z) * h + z * h~, with W = [W_z; W_h] stored as
    weight_ih [2H, H] and bias_ih [2H] (no recurrent weight)."""

    def __init__(self, h):
        super().__init__()
        self.h = h
        self.weight_ih = torch.nn.Parameter(torch.empty(2 * h, h))
        self.bias_ih = torch.nn.Parameter(torch.empty(2 * h))

    def forward(self, x, hprev):
        z_pre, candidate = F.linear(x, self.weight_ih, self.bias_ih).split(self.h, dim=-1)
        z = torch.sigmoid(z_pre)
        return (1 - z) * hprev + z * candidate


def make_cell(kind, h):
    if kind == "mingru":
        return MinGRUCell(h)
    return {"rnn": torch.nn.RNNCell, "gru": torch.nn.GRUCell, "lstm": torch.nn.LSTMCell}[kind](h, h)


def cell_step(cell, kind, x, s, h):
    """s_t = f(s_{t-1}, x_t) with s = h, or concat(h, c) for the LSTM."""
    if kind == "lstm":
        hh, cc = cell(x, (s[:, :h], s[:, h:]))
        return torch.cat([hh, cc], dim=1)
    return cell(x, s)


def recurrent_layer(cell, kind, xs, h, d, method, lam):
    """xs: [T, B, H] -> states [T, B, D]."""
    steps, b = xs.shape[0], xs.shape[1]
    if method == "bptt":
        s, out = torch.zeros(b, d), []
        for t in range(steps):
            s = cell_step(cell, kind, xs[t], s, h)
            out.append(s)
        return torch.stack(out)
    with torch.no_grad():                       # the true states, no graph
        s, states = torch.zeros(b, d), []
        for t in range(steps):
            s = cell_step(cell, kind, xs[t], s, h)
            states.append(s)
        states = torch.stack(states)
    prev = torch.cat([torch.zeros(1, b, d), states[:-1]])     # s_{t-1}, a constant
    local = cell_step(cell, kind, xs.reshape(steps * b, -1), prev.reshape(steps * b, d), h).reshape(steps, b, d)
    lam = lam if method == "dsf" else torch.zeros_like(lam)

    def scan(e):                                 # δ_t = e_t + λ ⊙ δ_{t+1}
        delta = e.clone()
        for t in range(steps - 2, -1, -1):
            delta[t] = e[t] + lam * delta[t + 1]
        return delta

    local.register_hook(scan)
    return local


def loss_and_grads(p, cfg, inp, tgt, method):
    kind, block, layers, h, v, pad = cfg["cell"], cfg["block"], cfg["layers"], cfg["hidden"], cfg["vocab"], cfg["pad_id"]
    d = 2 * h if kind == "lstm" else h
    tf = block == "transformer"
    has_proj = tf or kind == "lstm"
    params = {k: torch.nn.Parameter(torch.tensor(a)) for k, a in p.items()}
    emb = torch.nn.Embedding(v, h)
    emb.weight = params["embedding.weight"]
    x = emb(torch.tensor(inp).t())             # [T, B, H]
    steps, b = x.shape[0], x.shape[1]
    for i in range(layers):
        pre = f"layers.{i}."
        cell = make_cell(kind, h)
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            if pre + "rnn." + n in params:            # minGRU has no weight_hh / bias_hh
                setattr(cell, n, params[pre + "rnn." + n])
        lam = params[pre + "rnn.lambda"].detach()
        u = F.layer_norm(x, (h,), params[pre + "norm1.weight"], params[pre + "norm1.bias"], 1e-5) if tf else x
        s = recurrent_layer(cell, kind, u, h, d, method, lam)
        out = F.linear(s, params[pre + "proj.weight"], params[pre + "proj.bias"]) if has_proj else s
        x = x + out
        if tf:
            m = F.layer_norm(x, (h,), params[pre + "norm2.weight"], params[pre + "norm2.bias"], 1e-5)
            m = F.gelu(F.linear(m, params[pre + "mlp.fc1.weight"], params[pre + "mlp.fc1.bias"]))
            x = x + F.linear(m, params[pre + "mlp.fc2.weight"], params[pre + "mlp.fc2.bias"])
    if tf:
        x = F.layer_norm(x, (h,), params["norm.weight"], params["norm.bias"], 1e-5)
    logits = F.linear(x, params["head.weight"], params["head.bias"])
    loss = F.cross_entropy(logits.reshape(steps * b, v), torch.tensor(tgt).t().reshape(-1), ignore_index=pad)
    loss.backward()
    grads = {k: t.grad.numpy() for k, t in params.items() if not k.endswith(".lambda")}
    return loss.item(), grads


def main(src, dst):
    tensors, meta = read_safetensors(src)
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
    write_safetensors(dst, out, meta)
    print(f"{src}: largest relative difference to dsf4j {worst:.3e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
