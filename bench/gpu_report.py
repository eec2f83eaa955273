#!/usr/bin/env python3
"""Prints the table bench/gpu-check.sh ends with: dsf4j's cuda engine against PyTorch on the same card.

usage: gpu_report.py DSF4J_JSONL PYTORCH_JSONL
"""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print(f"report: cannot read {path}: {e}")
        return []


def main():
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    dev = next((r for r in ours if r.get("kind") == "device"), {})
    print(f"device: {dev.get('name', '?')} cc {dev.get('cc', '?')}, driver {dev.get('driver', '?')}, NVRTC {dev.get('nvrtc', '?')}")
    print(f"        libcuda {dev.get('libcuda', '?')}\n        {dev.get('nvrtc_lib', '?')}\n        {dev.get('cublas_lib', '?')}")
    torch_rec = next((r for r in theirs if "torch" in r), {})
    print(f"pytorch: {torch_rec.get('torch', '?')}, cuDNN {torch_rec.get('cudnn', '?')}")
    grads = [r for r in ours if r.get("kind") == "grads"]
    bad = [r for r in grads if r.get("verdict") != "pass"]
    print(f"gradient checks: {len(grads) - len(bad)}/{len(grads)} pass")
    for r in bad:
        print(f"  {r['verdict'].upper()}: {r['cell']} {r['block']} {r['method']} tf32={r['tf32']} {r['size']}: loss {r['loss_err']}, grad {r['grad_err']} ({r['worst']})")
    for kind, label in (("train", "device trainer checks"), ("train-e2e", "end-to-end training checks")):
        rows = [r for r in ours if r.get("kind") == kind]
        print(f"{label}: {sum(r.get('verdict') == 'pass' for r in rows)}/{len(rows)} pass")
        for r in rows:
            if r.get("verdict") != "pass":
                print(f"  {r.get('verdict', '?').upper()}: {r.get('check')}: {r.get('error', r.get('value'))} {r.get('where', '')}")
    base = {(r["preset"], r["impl"]): r for r in theirs if "tokens_per_s" in r}
    print(f"\n{'preset':24} {'method':7} {'dsf4j tok/s':>12} {'step ms':>9} | {'vs nn.GRU':>9} {'vs residual':>11} {'vs res-dsf':>10}")
    for r in ours:
        if r.get("kind") != "step":
            continue
        if "error" in r:
            print(f"{r['preset']:24} ERROR {r['error']}")
            continue
        cols = []
        for impl in ("nn.GRU", "residual", "residual-dsf"):
            b = base.get((r["preset"], impl))
            cols.append(f"{r['tokens_per_s'] / b['tokens_per_s']:.2f}x" if b else "-")
        print(f"{r['preset']:24} {r['method']:7} {r['tokens_per_s']:12.0f} {r['step_ms']:9.2f} | {cols[0]:>9} {cols[1]:>11} {cols[2]:>10}")
    print("\npytorch (same card, TF32 on):")
    for r in theirs:
        if "tokens_per_s" in r:
            print(f"  {r['preset']:24} {r['impl']:13} {r['tokens_per_s']:12.0f} tok/s {r['step_ms']:9.2f} ms")
        else:
            print(f"  {r.get('preset')} {r.get('impl')} ERROR {r.get('error')}")


if __name__ == "__main__":
    main()
