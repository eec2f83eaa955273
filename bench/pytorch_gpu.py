#!/usr/bin/env python3
"""PyTorch on the GPU, the baseline bench/gpu-check.sh sets dsf4j's cuda engine against.

Times a full training step (forward, mean cross-entropy, backward, Adam) on CUDA with TF32 on (as the
paper), median of --steps after --warmup, with CUDA events. Models come from bench/pytorch_baseline.py
(same presets as dsf4j's GpuCheck):
  nn.GRU        embedding -> one multi-layer cuDNN torch.nn.GRU -> head, BPTT (the issue's baseline)
  residual      the preset's own model (residual or transformer-like blocks), a cuDNN nn.GRU per layer, BPTT
  residual-dsf  the same model with DSF done the authors' way (no-grad forward, cell re-run, scan hook)
One JSON object per line on stdout and in --out.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from pytorch_baseline import PRESETS, Model, Stack  # noqa: E402

# dsf4j's third preset: wt103-gru-3l512 at T = 1024
GPU_PRESETS = dict(PRESETS)
GPU_PRESETS["wt103-gru-3l512-t1024"] = PRESETS["wt103-gru-3l512"][:5] + (1024, PRESETS["wt103-gru-3l512"][6])


def time_step(model, v, seq, batch, steps, warmup):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0)
    ids = torch.randint(0, v, (seq + 1, batch), device="cuda", generator=torch.Generator(device="cuda").manual_seed(0))
    times = []
    for i in range(warmup + steps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        logits = model(ids[:-1])
        loss = F.cross_entropy(logits.reshape(-1, v), ids[1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        end.record()
        end.synchronize()
        if i >= warmup:
            times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="ptb-gru-3l256,wt103-gru-3l512,wt103-gru-3l512-t1024")
    ap.add_argument("--impl", default="nn.GRU,residual,residual-dsf")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(0)
    out = open(args.out, "w") if args.out else None   # line by line: a run cut short by its timeout keeps what it measured
    for name in args.preset.split(","):
        cell, block, layers, h, v, seq, batch = GPU_PRESETS[name]
        for impl in args.impl.split(","):
            try:
                if impl == "nn.GRU":
                    model, method = Stack(cell, layers, h, v), "bptt"
                else:
                    method = "dsf" if impl.endswith("-dsf") else "bptt"
                    model = Model(cell, block, layers, h, v, method)
                model = model.cuda()
                ms = time_step(model, v, seq, batch, args.steps, args.warmup)
                rec = {"kind": "pytorch", "preset": name, "impl": impl, "method": method, "step_ms": round(ms, 3),
                       "tokens_per_s": round(seq * batch / (ms / 1e3), 1), "batch": batch, "seq": seq,
                       "torch": torch.__version__, "cudnn": torch.backends.cudnn.version(), "device": torch.cuda.get_device_name()}
            except Exception as e:  # one failure must not hide the other numbers
                rec = {"kind": "pytorch", "preset": name, "impl": impl, "error": repr(e)}
            finally:
                model = None
                torch.cuda.empty_cache()
            print(json.dumps(rec), flush=True)
            if out:
                out.write(json.dumps(rec) + "\n")
                out.flush()
    if out:
        out.close()


if __name__ == "__main__":
    main()
