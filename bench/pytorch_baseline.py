#!/usr/bin/env python3
"""PyTorch baseline for dsf4j's `bench` command: training-step throughput on the same presets.

For each preset it times a full training step (forward, mean cross-entropy, backward, Adam update)
and prints one JSON object per line:
  {"preset": ..., "impl": ..., "method": ..., "tokens_per_s": ..., "step_ms": ..., "threads": ...}
impl is one of
  nn.GRU       one multi-layer cuDNN-style torch.nn.GRU/LSTM/RNN stack (no residuals), BPTT
  residual     the preset's own model (residual or transformer-like blocks) with torch.nn RNN layers, BPTT
  residual-dsf the same model trained with DSF the way the authors' code does it (no-grad forward,
               the cell re-run once over B*T with s_{t-1} constant, a backward hook that scans e into δ)

On Debian: apt-get install python3-torch libopenblas0-openmp, then run with Debian's python3 and
LD_LIBRARY_PATH pointing at the OpenMP OpenBLAS (bench/run-pytorch.sh does both):
  /usr/bin/python3 bench/pytorch_baseline.py --preset ptb-gru-3l256 --threads 2 --steps 20
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# name: (cell, block, layers, hidden, vocab, seq, batch); the same shapes as dsf4j's presets.
PRESETS = {
    "ptb-gru-1l256": ("gru", "residual", 1, 256, 10002, 64, 128),
    "ptb-gru-3l256": ("gru", "residual", 3, 256, 10002, 64, 128),
    "ptb-gru-3l1024": ("gru", "residual", 3, 1024, 10002, 64, 128),
    "wt103-gru-3l512": ("gru", "transformer", 3, 512, 16000, 255, 128),
    "wt103-lstm-3l512": ("lstm", "transformer", 3, 512, 16000, 255, 128),
    "wt103-rnn-3l512": ("rnn", "transformer", 3, 512, 16000, 255, 128),
}
RNNS = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}
CELLS = {"gru": nn.GRUCell, "lstm": nn.LSTMCell, "rnn": nn.RNNCell}


class Layer(nn.Module):
    """One recurrent layer whose output is s_t (concat(h, c) for the LSTM), BPTT or DSF."""

    def __init__(self, cell, h, method):
        super().__init__()
        self.cell, self.h, self.method = cell, h, method
        self.d = 2 * h if cell == "lstm" else h
        self.rnn = CELLS[cell](h, h)
        self.register_buffer("lam", torch.linspace(0, 1, self.d))

    def step(self, x, s):
        if self.cell == "lstm":
            hh, cc = self.rnn(x, (s[:, :self.h], s[:, self.h:]))
            return torch.cat([hh, cc], 1)
        return self.rnn(x, s)

    def forward(self, x):  # x [T, B, H]
        steps, b = x.shape[0], x.shape[1]
        if self.method == "bptt":
            if self.cell != "lstm":   # the fused layer, as fast as PyTorch gets
                fused = getattr(self, "_fused", None)
                if fused is None:
                    fused = RNNS[self.cell](self.h, self.h)
                    fused.weight_ih_l0, fused.weight_hh_l0 = self.rnn.weight_ih, self.rnn.weight_hh
                    fused.bias_ih_l0, fused.bias_hh_l0 = self.rnn.bias_ih, self.rnn.bias_hh
                    object.__setattr__(self, "_fused", fused)
                return fused(x)[0]
            s, out = x.new_zeros(b, self.d), []
            for t in range(steps):
                s = self.step(x[t], s)
                out.append(s)
            return torch.stack(out)
        with torch.no_grad():
            s, states = x.new_zeros(b, self.d), []
            for t in range(steps):
                s = self.step(x[t], s)
                states.append(s)
            states = torch.stack(states)
        prev = torch.cat([x.new_zeros(1, b, self.d), states[:-1]])
        local = self.step(x.reshape(steps * b, -1), prev.reshape(steps * b, self.d)).reshape(steps, b, self.d)
        lam = self.lam

        def scan(e):
            delta = e.clone()
            for t in range(steps - 2, -1, -1):
                delta[t] += lam * delta[t + 1]
            return delta

        local.register_hook(scan)
        return local


class Model(nn.Module):
    def __init__(self, cell, block, layers, h, v, method):
        super().__init__()
        self.block = block
        self.emb = nn.Embedding(v, h)
        self.layers = nn.ModuleList(Layer(cell, h, method) for _ in range(layers))
        d = 2 * h if cell == "lstm" else h
        proj = block == "transformer" or cell == "lstm"
        self.proj = nn.ModuleList(nn.Linear(d, h) if proj else nn.Identity() for _ in range(layers))
        if block == "transformer":
            self.norm1 = nn.ModuleList(nn.LayerNorm(h) for _ in range(layers))
            self.norm2 = nn.ModuleList(nn.LayerNorm(h) for _ in range(layers))
            self.mlp = nn.ModuleList(nn.Sequential(nn.Linear(h, 4 * h), nn.GELU(), nn.Linear(4 * h, h)) for _ in range(layers))
            self.norm = nn.LayerNorm(h)
        self.head = nn.Linear(h, v)

    def forward(self, ids):  # ids [T, B]
        x = self.emb(ids)
        for i, layer in enumerate(self.layers):
            if self.block == "transformer":
                x = x + self.proj[i](layer(self.norm1[i](x)))
                x = x + self.mlp[i](self.norm2[i](x))
            else:
                x = x + self.proj[i](layer(x))
        if self.block == "transformer":
            x = self.norm(x)
        return self.head(x)


class Stack(nn.Module):
    """embedding → one multi-layer torch.nn.GRU/LSTM/RNN → head."""

    def __init__(self, cell, layers, h, v):
        super().__init__()
        self.emb, self.rnn, self.head = nn.Embedding(v, h), RNNS[cell](h, h, num_layers=layers), nn.Linear(h, v)

    def forward(self, ids):
        return self.head(self.rnn(self.emb(ids))[0])


def time_steps(model, v, seq, batch, steps, warmup):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(0, v, (seq + 1, batch), generator=gen)
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        logits = model(ids[:-1])
        loss = F.cross_entropy(logits.reshape(-1, v), ids[1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="ptb-gru-3l256", help="comma-separated: " + ", ".join(PRESETS))
    ap.add_argument("--impl", default="nn.GRU,residual,residual-dsf")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--shape", help="cell,block,layers,hidden,vocab,seq,batch for a preset not listed here "
                                    "(dsf4j's bench command passes the shape of every preset it times)")
    ap.add_argument("--batch", type=int, help="override the preset's batch")
    ap.add_argument("--seq", type=int, help="override the preset's T")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.preset.split(","):
        if args.shape:
            c, b, layers, h, v, seq, batch = args.shape.split(",")
            cell, block, layers, h, v, seq, batch = c, b, int(layers), int(h), int(v), int(seq), int(batch)
        else:
            cell, block, layers, h, v, seq, batch = PRESETS[name]
        seq, batch = args.seq or seq, args.batch or batch
        for impl in args.impl.split(","):
            if impl == "nn.GRU":
                model, method = Stack(cell, layers, h, v), "bptt"
            else:
                method = "dsf" if impl.endswith("-dsf") else "bptt"
                model = Model(cell, block, layers, h, v, method)
            sec = time_steps(model, v, seq, batch, args.steps, args.warmup)
            print(json.dumps({"preset": name, "impl": impl, "method": method, "tokens_per_s": round(seq * batch / sec, 1),
                              "step_ms": round(sec * 1e3, 2), "threads": args.threads, "batch": batch, "seq": seq,
                              "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
