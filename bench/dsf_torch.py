"""dsf4j's model in torch.nn modules, trained the three ways the paper compares, as the authors' code does.

The one PyTorch copy of the model, shared by
  src/test/python/torch_oracle.py   one batch's loss and gradients in float64 (TorchGoldenTest's goldens)
  bench/pytorch_equivalence.py      a dsf4j training run replayed step for step in float32

Tensor names and layouts are dsf4j's, which are PyTorch's (README: "Tensor names"); the model is
  embedding → L × block → (transformer: final LayerNorm) → head,
  residual block:     x = x + rnn(x)                       (an LSTM's concat(h, c) through proj first)
  transformer block:  x = x + proj(rnn(LN1(x)));  x = x + fc2(GELU(fc1(LN2(x))))
and a recurrent layer's output is its state s_t (h_t, or concat(h_t, c_t) for the LSTM).

Gradient methods (the recurrent layer only; everything else is plain autograd):
  bptt    autograd through the unrolled cell;
  ftbptt  the state detached after every step (the authors' NoBpttRnn): δ_t = e_t;
  dsf     the authors' DfaRnn: the states from a no-grad forward, the cell re-run once over B·T with
          s_{t-1} as a constant, and a backward hook on its output that turns e into δ by
          δ_t = e_t + λ ⊙ δ_{t+1} (theirs multiplies by diag(λ): the same numbers, a zero added per term).

Adding a cell is one function registered with @cell (see gru, lstm, mingru below).
Only numpy and torch are needed; float32 or float64 follows the tensors given.
"""
import gzip
import json
import struct

import numpy as np
import torch
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------
# safetensors, as dsf4j writes it (no package beyond numpy)

DTYPES = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "I32": np.int32}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}


def read_safetensors(path):
    """(name → numpy array, metadata dict); PATH.gz is read through gzip."""
    raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
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
    """tensors: name → numpy array (F64, F32, I64 or I32), written in the order given; PATH.gz gzipped (no time stamp)."""
    header, blobs, offset = {"__metadata__": meta}, [], 0
    for name, a in tensors.items():
        blob = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": NAMES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    payload = struct.pack("<Q", len(text)) + text + b"".join(blobs)
    if path.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
            f.write(payload)
    else:
        with open(path, "wb") as f:
            f.write(payload)


# ---------------------------------------------------------------------------------------------------
# cells: s_t = f(s_{t-1}, x_t), one function each

CELLS = {}


def cell(name, state=lambda h: h):
    """Registers make(w, h) -> step(x [N, H], s [N, D]) -> s' [N, D]; w: the layer's rnn.* tensors; D = state(h)."""
    def register(make):
        CELLS[name] = (make, state)
        return make
    return register


def state_size(kind, h):
    return CELLS[kind][1](h)


def torch_cell(cls, w):
    """A torch.nn cell module whose parameters are w's tensors (no weights of its own are allocated)."""
    m = cls(w["weight_ih"].shape[1], w["weight_hh"].shape[1], device="meta")
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        setattr(m, name, w[name])
    return m


@cell("rnn")
def rnn(w, h):
    """torch.nn.RNNCell: h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh)."""
    return torch_cell(torch.nn.RNNCell, w)


@cell("gru")
def gru(w, h):
    """torch.nn.GRUCell: gates r, z, n; r multiplies W_hn h_prev + b_hn."""
    return torch_cell(torch.nn.GRUCell, w)


@cell("lstm", state=lambda h: 2 * h)
def lstm(w, h):
    """torch.nn.LSTMCell (gates i, f, g, o); the state is concat(h, c)."""
    m = torch_cell(torch.nn.LSTMCell, w)

    def step(x, s):
        hh, cc = m(x, (s[:, :h], s[:, h:]))
        return torch.cat([hh, cc], dim=1)
    return step


@cell("mingru")
def mingru(w, h):
    """minGRU: z = σ(W_z x + b_z), h̃ = W_h x + b_h, h = (1 − z) ⊙ h_prev + z ⊙ h̃; weight_ih [2H, H] (z, h̃), bias_ih [2H]."""
    def step(x, s):
        z, cand = F.linear(x, w["weight_ih"], w["bias_ih"]).chunk(2, dim=1)
        z = torch.sigmoid(z)
        return (1 - z) * s + z * cand
    return step


# ---------------------------------------------------------------------------------------------------
# a recurrent layer, by method

def recurrent_layer(step, xs, d, method, lam):
    """xs [T, B, H] -> states [T, B, D]; lam [D] (dsf only)."""
    steps, b = xs.shape[0], xs.shape[1]
    s0 = xs.new_zeros(b, d)
    if method in ("bptt", "ftbptt"):
        s, out = s0, []
        for t in range(steps):
            s = step(xs[t], s)
            out.append(s)
            if method == "ftbptt":
                s = s.detach()                  # the gradient stops at s_{t-1}: δ_t = e_t
        return torch.stack(out)
    if method != "dsf":
        raise ValueError(f"unknown method {method!r}: use bptt, ftbptt or dsf")
    with torch.no_grad():                       # the true states, no graph
        s, states = s0, []
        for t in range(steps):
            s = step(xs[t], s)
            states.append(s)
        states = torch.stack(states)
    prev = torch.cat([s0.unsqueeze(0), states[:-1]])          # s_{t-1}, a constant
    local = step(xs.reshape(steps * b, -1), prev.reshape(steps * b, d)).reshape(steps, b, d)
    if local.requires_grad:
        def scan(e):                            # δ_t = e_t + λ ⊙ δ_{t+1}, δ_{T-1} = e_{T-1}
            delta = e.clone()
            for t in range(steps - 2, -1, -1):
                delta[t] = e[t] + lam * delta[t + 1]
            return delta
        local.register_hook(scan)
    return local


# ---------------------------------------------------------------------------------------------------
# the model

def has_projection(cfg):
    """The Linear(D → H) after the recurrent layer: transformer blocks, and any cell whose state is not H wide (the LSTM)."""
    return cfg["block"] == "transformer" or state_size(cfg["cell"], cfg["hidden"]) != cfg["hidden"]


def logits(p, cfg, inp, method):
    """p: name → tensor (every tensor of the model, λ included); inp: [B, T] ids -> logits [T, B, V]."""
    kind, h = cfg["cell"], cfg["hidden"]
    d = state_size(kind, h)
    tf = cfg["block"] == "transformer"
    x = F.embedding(ids(inp).t(), p["embedding.weight"])      # [T, B, H]
    for i in range(cfg["layers"]):
        pre = f"layers.{i}."
        w = {k[len(pre + "rnn."):]: v for k, v in p.items() if k.startswith(pre + "rnn.") and not k.endswith(".lambda")}
        step = CELLS[kind][0](w, h)
        u = F.layer_norm(x, (h,), p[pre + "norm1.weight"], p[pre + "norm1.bias"], 1e-5) if tf else x
        s = recurrent_layer(step, u, d, method, p[pre + "rnn.lambda"].detach())
        x = x + (F.linear(s, p[pre + "proj.weight"], p[pre + "proj.bias"]) if has_projection(cfg) else s)
        if tf:
            m = F.layer_norm(x, (h,), p[pre + "norm2.weight"], p[pre + "norm2.bias"], 1e-5)
            m = F.gelu(F.linear(m, p[pre + "mlp.fc1.weight"], p[pre + "mlp.fc1.bias"]))
            x = x + F.linear(m, p[pre + "mlp.fc2.weight"], p[pre + "mlp.fc2.bias"])
    if tf:
        x = F.layer_norm(x, (h,), p["norm.weight"], p["norm.bias"], 1e-5)
    return F.linear(x, p["head.weight"], p["head.bias"])


def loss(p, cfg, inp, tgt, method):
    """Mean cross-entropy over the targets that are not the pad id (inp, tgt: [B, T] ids)."""
    out = logits(p, cfg, inp, method)
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), ids(tgt).t().reshape(-1), ignore_index=cfg["pad_id"])


def ids(a):
    """Token ids as an int64 tensor (a copy: the arrays read from a file are read-only)."""
    return torch.tensor(np.array(a, dtype=np.int64))


def parameters(arrays, dtype):
    """name → tensor: trainable tensors as nn.Parameter, λ as a constant; numpy arrays in, dtype out."""
    return {k: (torch.tensor(np.asarray(a), dtype=dtype) if k.endswith(".lambda")
                else torch.nn.Parameter(torch.tensor(np.asarray(a), dtype=dtype)))
            for k, a in arrays.items()}
