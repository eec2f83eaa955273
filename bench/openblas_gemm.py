#!/usr/bin/env python3
"""sgemm GFLOP/s of the BLAS under PyTorch (OpenBLAS on Debian) on the GEMM benchmark's shapes, for
comparing dsf4j's Gemm on the same machine in the same session. NN: C = A·B; NT: C = A·Bᵀ; TN: C = Aᵀ·B.
Run through bench/run-pytorch.sh's environment:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/openblas_gemm.py --threads 1
OPENBLAS_CORETYPE picks OpenBLAS's kernel (Haswell: AVX2; SkylakeX: AVX-512); each line names the kernel
that ran ("core", openblas_get_corename, asked after the first product: before it OpenBLAS says Prescott).
"gflops" is the throughput over the timed window (every call's FLOPs over the time they all took), the
statistic JMH gives dsf4j's GemmBench; "best_gflops", the fastest single call, is there for reference
only: on a 2-vCPU Zen 5 VM it was 3-27% above the throughput (2026-12-02), and until then it was the
figure compared with JMH's throughput, which understated dsf4j's share by as much.
"""
import argparse
import ctypes
import json
import sys
import time

import torch

SHAPES = [(128, 256, 768), (8192, 256, 768), (8192, 256, 10000), (256, 8192, 768), (1024, 1024, 1024)]


def openblas_core():
    """The kernel OpenBLAS runs, from the library this process loaded; None when it is not OpenBLAS."""
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "openblas" in line and ".so" in line})
    for path in libs:
        try:
            fn = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_char_p
        return fn().decode()
    return None


def measure(form, m, k, n, threads, seconds):
    """One product's throughput over `seconds` of calls (after 3 untimed ones): a JSON-ready dict."""
    torch.set_num_threads(threads)
    a = torch.rand(k, m) if form == "TN" else torch.rand(m, k)
    b = torch.rand(n, k) if form == "NT" else torch.rand(k, n)
    c = torch.empty(m, n)
    op = {"NN": lambda: torch.mm(a, b, out=c), "NT": lambda: torch.mm(a, b.t(), out=c),
          "TN": lambda: torch.mm(a.t(), b, out=c)}[form]
    for _ in range(3):
        op()
    best, calls, start = float("inf"), 0, time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        op()
        best = min(best, time.perf_counter() - t0)
        calls += 1
    spent = time.perf_counter() - start
    flop = 2 * m * n * k
    return {"mkn": f"{m},{k},{n}", "form": form, "threads": threads, "core": openblas_core(),
            "gflops": round(flop * calls / spent / 1e9, 1), "best_gflops": round(flop / best / 1e9, 1)}


def serve():
    """For `dsf4j bench --vs-openblas`, which alternates OpenBLAS and dsf4j product by product so that both
    see the same machine (a VM's speed drifts by 10-35% within minutes): prints {"shapes": [[m, k, n], ...],
    "core": ...}, then answers each line "FORM M K N THREADS SECONDS" of stdin with one JSON line."""
    torch.mm(torch.rand(512, 512), torch.rand(512, 512))
    print(json.dumps({"shapes": SHAPES, "core": openblas_core()}), flush=True)
    for line in sys.stdin:
        form, m, k, n, threads, seconds = line.split()
        print(json.dumps(measure(form, int(m), int(k), int(n), int(threads), float(seconds))), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=1.0, help="time per shape and form")
    ap.add_argument("--serve", action="store_true", help="answer requests on stdin (dsf4j bench --vs-openblas)")
    args = ap.parse_args()
    if args.serve:
        serve()
        return
    torch.set_num_threads(args.threads)
    torch.mm(torch.rand(512, 512), torch.rand(512, 512))
    for m, k, n in SHAPES:
        for form in ("NN", "NT", "TN"):
            print(json.dumps(measure(form, m, k, n, args.threads, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
