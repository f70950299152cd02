"""How the counting core scales: ``summarize()`` on generated models of 10 to 10,000 layers.

    python benchmarks/core_scaling.py              # medians of 7 runs
    python benchmarks/core_scaling.py --quick      # medians of 5 runs
    python benchmarks/core_scaling.py --profile    # and cProfile's hot spots at 10,000 layers
    python benchmarks/core_scaling.py --check      # exit 1 when a target is missed

Four families of generated models (Keras MLP and CNN written one layer per line, a Keras
functional residual chain, PyTorch modules one per line), each at 10, 100, 1,000 and
10,000 layers.  For each: the median time of one ``summarize()`` call (parsing and
counting: names, shapes, weights, totals; one uncounted warm-up call first, sizes
alternated between runs; each sample times at least 10,000 layers' worth of calls in a
row, e.g. 1,000 calls of the 10-layer model), the time per layer, and its ratio to the
10-layer model's.  Targets (issue 2 §7): at most 50 µs per layer, and linear growth: the
per-layer cost at 10,000 layers no more than 1.5 × the 10-layer cost.  The per-layer target
is judged on the least CPU time of the runs (as ``timeit`` advises: other work on a shared
machine only ever adds to it), growth on the medians; both statistics are printed.

The last column divides each sample's CPU time by that of CPython's own ``ast.parse`` of the
same text, timed right after it: a ratio to a baseline measured in the same run, which a
shared machine's slow minutes move far less than the microseconds (these vary by a quarter
from one run to the next here).

Derivations are made when first shown (a role's number or the JSON totals never need
them); a last table times ``summarize()`` plus the text of every derivation at 1,000
layers, which is what a directive showing all of them costs the core.  Wall time is ``time.perf_counter``; CPU time (``time.thread_time``) is
shown beside it because on a shared machine the wall clock also counts other work.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time

import _harness as h

from sphinxext_params import summarize

SIZES = (10, 100, 1_000, 10_000)
TARGET_US_PER_LAYER = 50.0
TARGET_GROWTH = 1.5


def keras_mlp(n: int) -> tuple[str, dict]:
    cycle = ['Dense(64, activation="relu")', "Dropout(0.1)", "BatchNormalization()", "Dense(64)"]
    return "\n".join(["Input(shape=(64,))"] + [cycle[i % len(cycle)] for i in range(n)]), {}


def keras_cnn(n: int) -> tuple[str, dict]:
    cycle = ['Conv2D(16, (3, 3), padding="same")', "BatchNormalization()", "ReLU()",
             'DepthwiseConv2D(3, padding="same")']
    return "\n".join(["Input(shape=(32, 32, 16))"] + [cycle[i % len(cycle)] for i in range(n)]), {}


def keras_residual(n: int) -> tuple[str, dict]:
    lines = ["x = Input(shape=(32,))"]
    for i in range(n):
        lines.append("y = Dense(32)(x)" if i % 2 == 0 else "x = Add()([x, y])")
    return "\n".join(lines), {}


def torch_sequential(n: int) -> tuple[str, dict]:
    # Module lines of their own are the children of an nn.Sequential (an explicit
    # nn.Sequential(...) would be one module more than the 10,000 the limit allows).
    cycle = ["nn.Linear(64, 64)", "nn.ReLU()", "nn.BatchNorm1d(64)", "nn.Dropout(0.1)"]
    return "\n".join(cycle[i % len(cycle)] for i in range(n)), {"input_shape": "(64,)"}


FAMILIES = {
    "Keras MLP (Dense, Dropout, BatchNormalization)": keras_mlp,
    "Keras CNN (Conv2D, BatchNormalization, ReLU, DepthwiseConv2D)": keras_cnn,
    "Keras functional residual (Dense, Add)": keras_residual,
    "PyTorch modules (Linear, ReLU, BatchNorm1d, Dropout)": torch_sequential,
}


#: Layers each timed sample counts at least: a 10-layer model is timed over 1,000 calls in a
#: row, since one call of a few hundred microseconds mostly measures the timer, the
#: scheduler and cold caches (a Sphinx build, too, counts its models one after another).
LAYERS_PER_SAMPLE = 10_000


def time_sample(text: str, options: dict, calls: int) -> tuple[float, float]:
    """Wall and CPU seconds of one ``summarize()`` call, averaged over ``calls`` calls in a row."""
    gc.collect()  # earlier runs' garbage is not this run's work
    wall, cpu = time.perf_counter(), time.thread_time()
    for _ in range(calls):
        summary = summarize(text, **options)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    assert summary.layers
    return wall / calls, cpu / calls


def time_derivations(text: str, options: dict) -> float:
    """CPU seconds of ``summarize()`` plus the plain text of every row's derivations."""
    gc.collect()
    cpu = time.thread_time()
    summary = summarize(text, **options)
    for row in summary.layers:
        for step in (*row.derivation, *row.shape_derivation):
            step.text()
    return time.thread_time() - cpu


def time_ast_parse(text: str, calls: int) -> float:
    """CPU seconds of CPython's own ``ast.parse`` of the text (the first thing summarize() does)."""
    gc.collect()
    cpu = time.thread_time()
    for _ in range(calls):
        ast.parse(text)
    return (time.thread_time() - cpu) / calls


def measure(family, runs: int) -> dict[int, tuple[float, float, float, float, float, float]]:
    """For each size: (median wall, median CPU, min wall, max wall) of one summarize() call, in
    seconds; the median ratio of its CPU time to ``ast.parse`` of the same text, timed right
    after it (a baseline from the same minute of the same machine); and the least CPU time."""
    models = {n: family(n) for n in SIZES}
    calls = {n: max(1, LAYERS_PER_SAMPLE // n) for n in SIZES}
    for n in SIZES:  # warm-up, not counted
        time_sample(*models[n], 1)
    times: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
    ratios: dict[int, list[float]] = {n: [] for n in SIZES}
    for run in range(runs):
        order = SIZES if run % 2 == 0 else tuple(reversed(SIZES))  # a slow minute falls on every size
        for n in order:
            sample = time_sample(*models[n], calls[n])
            times[n].append(sample)
            ratios[n].append(sample[1] / time_ast_parse(models[n][0], calls[n]))
    out = {}
    for n, samples in times.items():
        walls = [w for w, _ in samples]
        out[n] = (statistics.median(walls), statistics.median(c for _, c in samples), min(walls), max(walls),
                  statistics.median(ratios[n]), min(c for _, c in samples))
    return out


def profile(family, n: int = 10_000, top: int = 15) -> None:
    text, options = family(n)
    summarize(text, **options)
    profiler = cProfile.Profile()
    profiler.enable()
    summarize(text, **options)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    print("```\n" + stream.getvalue().strip() + "\n```")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the minimum of 5 runs")
    parser.add_argument("--runs", type=int, default=None, help="counted runs per size (default 7, --quick 5)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's hot spots at 10,000 layers")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--no-machine", action="store_true", help="do not print the machine table")
    args = parser.parse_args(argv)
    runs = max(5, args.runs or (h.QUICK_RUNS if args.quick else h.RUNS))

    if not args.no_machine:
        h.print_machine()
    print(f"\nMedians of {runs} runs of one `summarize()` call; targets: ≤ {TARGET_US_PER_LAYER:.0f} µs per layer, "
          f"per-layer cost at 10,000 layers ≤ {TARGET_GROWTH} × the 10-layer cost.")
    missed = []
    summary_rows = []
    for title, family in FAMILIES.items():
        results = measure(family, runs)
        base_wall = results[SIZES[0]][0] / SIZES[0]
        base_cpu = results[SIZES[0]][1] / SIZES[0]
        rows = []
        for n in SIZES:
            wall, cpu, low, high, to_parse, best = results[n]
            per_wall, per_cpu = wall / n * 1e6, cpu / n * 1e6
            rows.append([f"{n:,}", h.seconds(wall), f"{h.seconds(low)} – {h.seconds(high)}", f"{per_wall:.1f}",
                         f"{per_cpu:.1f}", f"{best / n * 1e6:.1f}", f"{per_wall / (base_wall * 1e6):.2f}",
                         f"{per_cpu / (base_cpu * 1e6):.2f}", f"{to_parse:.1f}"])
        h.print_table(title, ["layers", "median wall", "range", "µs/layer (wall)", "µs/layer (CPU)",
                              "µs/layer (CPU, least)", "ratio to 10 (wall)", "ratio to 10 (CPU)",
                              "× ast.parse (CPU)"], rows)
        median_at = {n: results[n][1] / n * 1e6 for n in SIZES}
        least_at = {n: results[n][5] / n * 1e6 for n in SIZES}
        worst, worst_least = max(median_at.values()), max(least_at.values())
        growth = median_at[SIZES[-1]] / median_at[SIZES[0]]
        ok = worst_least <= TARGET_US_PER_LAYER and growth <= TARGET_GROWTH
        summary_rows.append([title, f"{worst:.1f}", f"{worst_least:.1f}", f"{growth:.2f}", "met" if ok else "MISSED"])
        if not ok:
            missed.append(title)
        if args.profile:
            print(f"cProfile of {title} at 10,000 layers (by own time):\n")
            profile(family)
    derivation_rows = []
    for title, family in FAMILIES.items():
        text, options = family(1_000)
        counting = statistics.median(time_sample(text, options, 10)[1] for _ in range(runs))
        shown = statistics.median(time_derivations(text, options) for _ in range(runs))
        derivation_rows.append([title, f"{counting * 1e3:.1f}", f"{shown * 1e3:.1f}", f"{shown / counting:.2f}"])
    h.print_table("With every derivation made and written as text (1,000 layers, CPU ms; not part of the target)",
                  ["family", "summarize()", "+ every derivation", "ratio"], derivation_rows)
    h.print_table("Targets (CPU time; the per-layer target is judged on the least time, which other work "
                  "on the machine can only raise)",
                  ["family", "worst µs/layer (median)", "worst µs/layer (least)", "growth 10 → 10,000", "target"],
                  summary_rows)
    print(f"load average now: {h.load()} on {h.os.cpu_count()} logical cores "
          "(above the core count, trust the CPU columns)")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
