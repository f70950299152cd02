"""Build overhead: what the model-summary directive adds to a Sphinx build.

Generates sites of 10 and 200 pages, one model per page (small MLPs and CNNs, and
one page in five a VGG16-sized model), in two forms with the same content:

  (a) ``directive``: the ``model-summary`` directive with ``:derivations: all`` and
      two ``:params:`` roles in the prose, counted at build time;
  (b) ``by hand``: the same table, totals and equations typed as ``list-table`` and
      ``math`` directives and the numbers typed in the prose, generated from our own
      Summary objects, so the two sites show the same things.  This is the floor:
      Sphinx rendering identical content with nothing computed.

Each is built with ``python -m sphinx -E -b html -q`` in a fresh output folder,
alternating (a) and (b), and the medians of at least five runs are compared.
Target: a/b <= 1.10.

    python benchmarks/build_overhead.py            # 10 pages (25 runs) and 200 pages (7 runs)
    python benchmarks/build_overhead.py --quick    # 10 pages (11 runs) and 50 pages (5 runs)
    python benchmarks/build_overhead.py --profile  # where a 200-page build spends its time in our code
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time

import _harness as h

TARGET = 1.10


def runs_for(pages: int, quick: bool) -> int:
    """Small sites build in about a second, where one slow run moves a median of 7 by several
    per cent: they get more runs, which cost little."""
    if pages <= 20:
        return 11 if quick else 25
    return h.QUICK_RUNS if quick else h.RUNS


def measure(pages: int, runs: int, derivations: str = "all") -> dict:
    root = h.tmpdir(f"overhead-{pages}")
    ms = h.models(pages)
    src_a = h.write_site(root, ms, "directive", derivations)
    src_b = h.write_site(root, ms, "by_hand", derivations)
    out_a, out_b = root / "out-directive", root / "out-by-hand"
    variants = h.alternate([
        h.Variant("directive", lambda: h.sphinx_build(src_a, out_a), prepare=h.clean(out_a)),
        h.Variant("by hand", lambda: h.sphinx_build(src_b, out_b), prepare=h.clean(out_b)),
    ], runs, label=f"{pages} pages, derivations={derivations}: ")
    shutil.rmtree(root, ignore_errors=True)
    a, b = variants["directive"], variants["by hand"]
    return {"pages": pages, "derivations": derivations, "runs": runs, "a": a, "b": b,
            "wall": (h.median(a.times), h.median(b.times)), "cpu": (h.median(a.cpu), h.median(b.cpu))}


def table(results: list[dict]) -> None:
    rows = []
    for r in results:
        (wa, wb), (ca, cb) = r["wall"], r["cpu"]
        rows.append([r["pages"], r["derivations"], f"{wa:.2f} s", f"{wb:.2f} s", f"{wa / wb:.3f}",
                     f"{(wa - wb) / r['pages'] * 1000:+.1f} ms", "yes" if wa / wb <= TARGET else "NO",
                     f"{ca:.2f} s", f"{cb:.2f} s", f"{ca / cb:.3f}",
                     f"{h.spread(r['a'].times)} / {h.spread(r['b'].times)}", r["runs"]])
    h.print_table("Build overhead: directive (a) vs the same content written by hand (b), sphinx-build -E -b html "
                  "(medians; wall clock, and CPU time of the build)",
                  ["pages", "derivations", "(a) wall", "(b) wall", "a/b", "(a−b)/page", f"≤ {TARGET:.2f}",
                   "(a) CPU", "(b) CPU", "a/b CPU", "wall range a / b (s)", "runs"],
                  rows, align="llrrrrlrrrlr")
    note = h.contention_note([v for r in results for v in (r["a"], r["b"])])
    if note:
        print(note + "\n")


def profile(pages: int, derivations: str = "all", top: int = 25) -> None:
    """cProfile of an in-process build of each site; the time spent in sphinxext_params, by function."""
    import cProfile
    import pstats

    from sphinx.cmd.build import build_main

    root = h.tmpdir(f"profile-{pages}")
    ms = h.models(pages)
    totals = {}
    for style in ("by_hand", "directive"):
        src = h.write_site(root, ms, style, derivations)
        out = root / f"out-{style}"
        build_main(["-E", "-b", "html", "-q", str(src), str(out)])  # warm: imports, pyc, file cache
        shutil.rmtree(out)
        # CPU time, not wall time: on a shared machine the wall clock charges other people's work
        # to whatever function was running.  (Each timer call is a system call: the profiled build
        # is several times slower than a real one; compare shares, not seconds.)
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        status = build_main(["-E", "-b", "html", "-q", str(src), str(out)])
        prof.disable()
        if status:
            raise h.BuildFailed(f"in-process build of the {style} site exited {status}")
        stats = pstats.Stats(prof)
        totals[style] = stats.total_tt
    shutil.rmtree(root, ignore_errors=True)

    package = str(h.REPO / "sphinxext_params")
    ours = {key: value for key, value in stats.stats.items() if key[0].startswith(package)}
    own_time = sum(tt for (_, _, tt, _, _) in ours.values())

    def where(key):
        file, line, func = key
        return f"{file[len(str(h.REPO)) + 1:]}:{line} {func}"

    entry_points = [(k, v) for k, v in ours.items()
                    if not any(c[0].startswith(package) for c in v[4])]  # called from Sphinx/docutils only
    inclusive = sum(v[3] for _, v in entry_points)
    rows = [["whole build, by hand (b)", f"{totals['by_hand']:.2f} s", "", ""],
            ["whole build, directive (a)", f"{totals['directive']:.2f} s", f"{totals['directive'] / totals['by_hand']:.3f}",
             ""],
            ["in sphinxext_params, inclusive (entry points from Sphinx)", f"{inclusive:.2f} s",
             f"{inclusive / totals['directive']:.1%} of (a)", f"{inclusive / pages * 1000:.1f} ms/page"],
            ["in sphinxext_params, own code only (tottime)", f"{own_time:.2f} s",
             f"{own_time / totals['directive']:.1%} of (a)", ""]]
    h.print_table(f"Profile: in-process builds (cProfile, so slower than real) of {pages} pages, derivations={derivations}; CPU time",
                  ["", "time", "ratio / share", ""], rows, align="lrrr")
    rows = [[where(k), v[1], f"{v[3]:.3f} s", f"{v[2]:.3f} s"]
            for k, v in sorted(entry_points, key=lambda kv: -kv[1][3])[:10]]
    h.print_table("Entry points into sphinxext_params (cumulative time)", ["function", "calls", "cumulative", "own"],
                  rows, align="lrrr")
    rows = [[where(k), v[1], f"{v[3]:.3f} s", f"{v[2]:.3f} s"] for k, v in sorted(ours.items(), key=lambda kv: -kv[1][2])[:top]]
    h.print_table(f"Hot spots in sphinxext_params (top {top} by own time)", ["function", "calls", "cumulative", "own"],
                  rows, align="lrrr")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 and 50 pages, fewer runs")
    parser.add_argument("--runs", type=int, help="counted runs per variant (at least 5)")
    parser.add_argument("--pages", type=int, nargs="+", help="site sizes (default 10 200)")
    parser.add_argument("--derivations", nargs="+", default=["all"], choices=["none", "params", "shapes", "all"],
                        help="the directive's :derivations: values to measure (default all)")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the extension to import")
    parser.add_argument("--no-machine", action="store_true", help="do not print the machine (run_all prints it once)")
    parser.add_argument("--profile", action="store_true",
                        help="instead of timing, profile one in-process build of each site (200 pages unless --pages)")
    args = parser.parse_args(argv)
    pages = args.pages or ([10, 50] if args.quick else [10, 200])
    if not h.wait_for_extension(args.wait):
        print("skipped: sphinxext_params.extension does not import yet", flush=True)
        return 1
    if not args.no_machine:
        h.print_machine()
    if args.profile:
        for n in args.pages or [200]:
            for d in args.derivations:
                profile(n, d)
        return 0
    results = [measure(n, args.runs or runs_for(n, args.quick), d) for d in args.derivations for n in pages]
    table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
