#!/usr/bin/env python3
"""One table of the GEMM width sweep that bench/measure-cpu.sh writes into DIR: dsf4j (JMH GemmBench) at
512, 256 and 128 bits, each against its reference, and again with a Zen 4's caches forced
(-Ddsf4j.cpu=l1d=32K,l2=1M) at 512 and 256 bits:
  512 bits: OpenBLAS's own kernel (the faster of its autodetected one and OPENBLAS_CORETYPE=Cooperlake,
            where the CPU has AVX-512: OpenBLAS 0.3.21 autodetects newer Intel models as Prescott, SSE3)
  256 bits: OPENBLAS_CORETYPE=Haswell (AVX2)
  128 bits: the 128-bit FMA peak (JMH FmaPeakBench), as OpenBLAS's only 128-bit x86 kernel has no FMA
and, above the table, each micro-kernel alone on L1-resident panels (JMH MicroKernelBench) against the FMA peak.
Cells are "dsf4j / reference (dsf4j as % of it)", GFLOP/s, both sides throughputs (JMH's score; OpenBLAS's
calls over its timed window, not its fastest call).
Below it, where DIR has them (duel-*.jsonl: `dsf4j bench --vs-openblas --json`), the same products with dsf4j
and OpenBLAS alternated product by product, so that both were timed on the same machine: the JMH and
OpenBLAS runs of the first table are up to half an hour apart on a VM whose speed drifts by 10-35%. Where a
column has them, its verdict against the target is taken from these. Plain Python 3, no packages.
  python3 bench/cpu_table.py runs/bench-20261201-0800 > runs/bench-20261201-0800/gemm-table.md
"""
import json
import os
import statistics
import sys

TARGETS = {"512": 95, "256": 95, "128": 85, "zen4-512": 95, "zen4-256": 95}


def jmh(path, bench):
    """{(mkn 'm,k,n', form, threads): GFLOP/s} of a JMH JSON result file; threads → GFLOP/s for FmaPeakBench."""
    if not os.path.exists(path):
        return {}
    out = {}
    for r in json.load(open(path)):
        if not r["benchmark"].endswith(bench):
            continue
        p = r.get("params", {})
        score = r["secondaryMetrics"]["gflop"]["score"]
        if "mkn" in p:
            out[(p["mkn"].replace("x", ","), p["form"], int(p["threads"]))] = score
        else:
            out[int(p["threads"])] = score
    return out


def kernels(path):
    """{(mr, threads): GFLOP/s} of a JMH MicroKernelBench JSON result file (one KC)."""
    if not os.path.exists(path):
        return {}
    return {(int(r["params"]["mr"]), int(r["params"]["threads"])): r["secondaryMetrics"]["gflop"]["score"]
            for r in json.load(open(path)) if r["benchmark"].endswith("MicroKernelBench.kernel")}


def records(path):
    """((mkn, form, threads), record) for each JSON line of a file (none when it is missing)."""
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("{"):
                r = json.loads(line)
                yield (r["mkn"], r["form"], int(r["threads"])), r


def products(path):
    """{(mkn, form, threads): record} of a file of JSON lines, one product each (the last line of a product wins)."""
    return dict(records(path))


def openblas(path):
    """{(mkn, form, threads): (GFLOP/s, core)} of an openblas_gemm.py output."""
    return {k: (r["gflops"], r.get("core")) for k, r in products(path).items()}


def duel(path):
    """{(mkn, form, threads): record} of `bench --vs-openblas --json` outputs appended in one file, one per run
    (JVM): a product's runs pooled round by round. A JVM's C2 code differs from run to run (the same product
    moved by 5-10% between two runs 40 minutes apart), so one run's median is one sample of it; the pooled
    median_ratio is the median of every round of every run, runs_low/runs_high the lowest and highest run."""
    lines = {}
    for key, r in records(path):
        lines.setdefault(key, []).append(r)
    out = {}
    for key, rs in lines.items():
        ratios = [x for r in rs for x in r.get("ratios", [r["median_ratio"]])]
        runs = [r["median_ratio"] for r in rs]
        out[key] = {"dsf4j_gflops": statistics.median(r["dsf4j_gflops"] for r in rs),
                    "openblas_gflops": statistics.median(r["openblas_gflops"] for r in rs),
                    "median_ratio": statistics.median(ratios), "lowest_ratio": min(r["lowest_ratio"] for r in rs),
                    "rounds": sum(r["rounds"] for r in rs),
                    "runs": len(rs), "runs_low": min(runs), "runs_high": max(runs)}
    return out


def cell(ours, ref):
    if ours is None:
        return "—"
    if not ref:
        return f"{ours:.0f}"
    return f"{ours:.0f} / {ref:.0f} ({100 * ours / ref:.0f}%)"


def main():
    d = sys.argv[1]
    gemm = {w: jmh(f"{d}/gemm-{w}.json", "GemmBench.multiply") for w in ("512", "256", "128", "zen4-512", "zen4-256")}
    peak = {w: jmh(f"{d}/fma-{w}.json", "FmaPeakBench.fma") for w in ("512", "256", "128")}
    ob = {}
    for kind in ("native", "avx512", "haswell"):
        for t in (1, 2):
            ob.update({(kind,) + k: v for k, v in openblas(f"{d}/openblas-{kind}-{t}.jsonl").items()})

    def ref(width, key):
        mkn, form, t = key
        if width in ("512", "zen4-512"):
            cands = [ob.get(("native",) + key), ob.get(("avx512",) + key)]
            cands = [c for c in cands if c]
            return max(cands)[0] if cands else None
        if width in ("256", "zen4-256"):
            c = ob.get(("haswell",) + key)
            return c[0] if c else None
        return peak["128"].get(t)

    cores = sorted({v[1] for k, v in ob.items() if k[0] in ("native", "avx512") and v[1]})
    if os.path.exists(f"{d}/machine.txt"):
        print("```")
        print(open(f"{d}/machine.txt").read().rstrip())
        print("```\n")
    print(f"FMA peak (JMH FmaPeakBench), GFLOP/s, 1 / 2 threads: "
          + "; ".join(f"{w} bits {peak[w].get(1, 0):.0f} / {peak[w].get(2, 0):.0f}" for w in ("512", "256", "128") if peak[w]))
    for w in ("512", "256", "128"):
        k = kernels(f"{d}/kernel-{w}.json")
        if k and peak[w]:
            print(f"\nMicro-kernel alone, {w} bits (JMH MicroKernelBench, L1-resident panels, KC 128), GFLOP/s and share of "
                  "the FMA peak, 1 / 2 threads: " + "; ".join(
                      f"{mr}x2 {k[(mr, 1)]:.0f} ({100 * k[(mr, 1)] / peak[w][1]:.0f}%) / {k[(mr, 2)]:.0f} "
                      f"({100 * k[(mr, 2)] / peak[w][2]:.0f}%)" for mr in sorted({m for m, _ in k}, reverse=True)
                      if (mr, 1) in k and (mr, 2) in k))
    print(f"\nOpenBLAS kernels at 512 bits: {', '.join(cores) or 'none measured'} (the faster per product); 256 bits: Haswell; "
          "OpenBLAS as throughput over 1 s of calls, as JMH times dsf4j (its fastest single call is in the .jsonl files)\n")
    all_cols = [("512", "512 bits vs OpenBLAS"), ("256", "256 vs OpenBLAS Haswell"), ("128", "128 vs 128-bit FMA peak"),
                ("zen4-512", "Zen 4 caches, 512 vs OpenBLAS"), ("zen4-256", "Zen 4 caches, 256 vs Haswell")]
    cols = [c for c in all_cols if gemm[c[0]]]
    if cols:
        print("| M,K,N | form | threads | " + " | ".join(c[1] for c in cols) + " |")
        print("|---|---|---|" + "---|" * len(cols))
    keys = sorted({k for w in gemm.values() for k in w}, key=lambda k: (k[2], [int(x) for x in k[0].split(",")], k[1]))
    worst = {}
    for key in keys:
        cells = []
        for w, _ in cols:
            ours, r = gemm[w].get(key), ref(w, key)
            cells.append(cell(ours, r))
            if ours is not None and r:
                worst[w] = min(worst.get(w, 1e9), 100 * ours / r)
        print(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
    duels = {w: duel(f"{d}/duel-{w}.jsonl") for w in ("512", "256", "zen4-512", "zen4-256")}
    dcols = [c for c in all_cols if duels.get(c[0])]
    if dcols:
        rounds = sorted({r["rounds"] for w, _ in dcols for r in duels[w].values()})
        runs = sorted({r["runs"] for w, _ in dcols for r in duels[w].values()})
        pooled = max(runs) > 1
        print(f"\nThe same products alternated with OpenBLAS product by product (`bench --vs-openblas`, "
              + (f"{'/'.join(map(str, runs))} runs (JVMs) pooled, {'/'.join(map(str, rounds))} rounds in all" if pooled else
                 f"{'/'.join(map(str, rounds))} rounds") + " of 1 s a side, in the order A B, B A, ...): dsf4j / OpenBLAS GFLOP/s, "
              + ("medians over the runs; the median of every round's ratio (the lowest and highest run's median)\n" if pooled else
                 "median of the per-round ratios (lowest round)\n"))
        print("| M,K,N | form | threads | " + " | ".join(c[1] for c in dcols) + " |")
        print("|---|---|---|" + "---|" * len(dcols))
        for key in sorted({k for w, _ in dcols for k in duels[w]}, key=lambda k: (k[2], [int(x) for x in k[0].split(",")], k[1])):
            cells = []
            for w, _ in dcols:
                r = duels[w].get(key)
                spread = (f"runs {100 * r['runs_low']:.0f}–{100 * r['runs_high']:.0f}%" if pooled
                          else f"{100 * r['lowest_ratio']:.0f}%") if r else ""
                cells.append("—" if r is None else f"{r['dsf4j_gflops']:.0f} / {r['openblas_gflops']:.0f} "
                             f"({100 * r['median_ratio']:.0f}%, {spread})")
            print(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
        for w, _ in dcols:
            worst[w] = 100 * min(r["median_ratio"] for r in duels[w].values())
    print()
    print("lowest share of the reference (target; alternated where measured so): " + "; ".join(
        f"{c[1]}: {worst[c[0]]:.0f}% ({TARGETS[c[0]]}%, {sum(1 for r in duels.get(c[0], {}).values() if 100 * r['median_ratio'] < TARGETS[c[0]])} "
        f"of {len(duels[c[0]])} products under)" if duels.get(c[0]) else f"{c[1]}: {worst[c[0]]:.0f}% ({TARGETS[c[0]]}%)"
        for c in all_cols if c[0] in worst))


if __name__ == "__main__":
    main()
