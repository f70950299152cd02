"""Parallel and incremental builds of a 200-page site that uses the directive.

1. Parallel: the full build (``-E``) with ``-j 1`` against ``-j 2``, alternating.
2. Incremental: after a full build, a rebuild without ``-E`` when one page changed,
   against the full build.  Two kinds of change, each measured on its own:
     - ``touch``: one page's modification time changes, its text does not;
     - ``edit``: one model changes (a layer's size), so its counts change, and so
       must every page that quotes it with ``:params:`` (the index quotes it).
   The table also gives how many HTML pages each build wrote, as a check that an
   incremental build rewrites what it must and not more.

    python benchmarks/parallel_incremental.py            # 200 pages, 7 runs
    python benchmarks/parallel_incremental.py --quick    # 50 pages, 5 runs
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time

import _harness as h


class Written:
    """Counts the HTML files a build wrote (those whose modification time moved)."""

    def __init__(self, out) -> None:
        self.out = out
        self.before: dict = {}
        self.counts: list[int] = []
        self.total = 0

    def snapshot(self) -> None:
        self.before = {p: p.stat().st_mtime_ns for p in self.out.rglob("*.html")}

    def count(self) -> None:
        pages = list(self.out.rglob("*.html"))
        self.total = len(pages)
        self.counts.append(sum(1 for p in pages if self.before.get(p) != p.stat().st_mtime_ns))


def parallel(sites: dict, root, runs: int) -> dict:
    """Each site built with -j 1 and -j 2, all variants alternating."""
    variants = []
    for style, src in sites.items():
        for jobs in (1, 2):
            out = root / f"out-{style}-j{jobs}"
            variants.append(h.Variant(f"{style}, -j {jobs}", lambda src=src, out=out, jobs=jobs:
                                      h.sphinx_build(src, out, jobs=jobs), prepare=h.clean(out)))
    return h.alternate(variants, runs, label="parallel: ")


def incremental(src, root, page, runs: int) -> tuple[dict, dict]:
    full_out, inc_out = root / "out-full", root / "out-incremental"
    written = {name: Written(out) for name, out in
               [("full build (-E)", full_out), ("touch one page", inc_out), ("edit one model", inc_out)]}

    def touch():
        stamp = time.time() + 1  # later than the environment's record of the page, whatever the clock's grain
        os.utime(page, (stamp, stamp))

    def edit():
        # Toggle the last layer's size between two values, so every edit changes the counts.
        text = page.read_text()
        units = int(re.findall(r"Dense\((\d+)", text)[-1])
        changed = 7 if units != 7 else 5
        head, _, tail = text.rpartition(f"Dense({units}")
        page.write_text(f"{head}Dense({changed}{tail}")

    def prepared(name, change):
        def prepare():
            change()
            written[name].snapshot()
        return prepare

    variants = [
        h.Variant("full build (-E)", lambda: h.sphinx_build(src, full_out),
                  prepare=prepared("full build (-E)", h.clean(full_out)), after=written["full build (-E)"].count),
        h.Variant("touch one page", lambda: h.sphinx_build(src, inc_out, fresh=False),
                  prepare=prepared("touch one page", touch), after=written["touch one page"].count),
        h.Variant("edit one model", lambda: h.sphinx_build(src, inc_out, fresh=False),
                  prepare=prepared("edit one model", edit), after=written["edit one model"].count),
    ]
    h.run(h.sphinx_build(src, inc_out))  # the build an incremental build starts from
    return h.alternate(variants, runs, label="incremental: "), written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 pages, the minimum 5 runs")
    parser.add_argument("--runs", type=int, help="counted runs per variant (at least 5)")
    parser.add_argument("--pages", type=int, help="site size (default 200)")
    parser.add_argument("--with-floor", action="store_true",
                        help="also build the same content written by hand with -j 1 and -j 2, to tell Sphinx's "
                             "parallel speed-up from ours")
    parser.add_argument("--only", choices=["parallel", "incremental"], help="measure only one of the two")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the extension to import")
    parser.add_argument("--no-machine", action="store_true", help="do not print the machine (run_all prints it once)")
    args = parser.parse_args(argv)
    runs = args.runs or (h.QUICK_RUNS if args.quick else h.RUNS)
    pages = args.pages or (50 if args.quick else 200)
    if not h.wait_for_extension(args.wait):
        print("skipped: sphinxext_params.extension does not import yet", flush=True)
        return 1
    if not args.no_machine:
        h.print_machine()

    root = h.tmpdir("parallel-incremental")
    ms = h.models(pages)
    src = h.write_site(root, ms, "directive")
    cores = os.cpu_count() or 1

    if args.only != "incremental":
        sites = {"directive": src}
        if args.with_floor:
            sites["by hand"] = h.write_site(root, ms, "by_hand")
        par = parallel(sites, root, runs)
        rows = []
        for v in par.values():
            serial = h.median(par[v.name.replace("-j 2", "-j 1")].times)
            rows.append([v.name, f"{h.median(v.times):.2f} s", f"{serial / h.median(v.times):.2f}×",
                         f"{h.median(v.cpu):.2f} s", h.spread(v.times), runs])
        h.print_table(f"Parallel build: {pages} pages, sphinx-build -E -b html ({cores} logical cores; "
                      f"load average now {h.load()})",
                      ["site, jobs", "wall", "speed-up", "CPU", "wall range (s)", "runs"], rows, align="lrrrrr")
    if args.only == "parallel":
        shutil.rmtree(root, ignore_errors=True)
        return 0

    inc, written = incremental(src, root, src / f"{ms[0].name}.rst", runs)
    full = h.median(inc["full build (-E)"].times)
    rows = [[v.name, f"{h.median(v.times):.2f} s", f"{h.median(v.times) / full:.2f}",
             f"{h.median(v.cpu):.2f} s", f"{int(h.median(written[v.name].counts))} of {written[v.name].total}",
             h.spread(v.times), runs] for v in inc.values()]
    h.print_table(f"Incremental build: {pages} pages with the directive, sphinx-build -b html after a full build",
                  ["build", "wall", "vs full", "CPU", "HTML pages written", "wall range (s)", "runs"], rows,
                  align="lrrrrrr")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
