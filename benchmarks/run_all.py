"""Run every benchmark and print every table, after the machine they ran on.

    python benchmarks/run_all.py            # the full set (about 30 minutes with myst-nb installed)
    python benchmarks/run_all.py --quick    # smaller sites, fewer runs (about 15 minutes)

Each benchmark runs as its own process (``python benchmarks/NAME.py``), in this order:
core scaling, build overhead, versus executing Keras, parallel and incremental, footprint.
A benchmark that fails is reported and the others still run; the exit status is 1 then.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import _harness as h

HERE = Path(__file__).resolve().parent
#: (script, what it measures); core_scaling.py belongs to the counting core's benchmark.
SCRIPTS = [
    ("core_scaling.py", "summarize() on 10 ... 10,000-layer models"),
    ("build_overhead.py", "the directive vs the same content by hand"),
    ("vs_execution.py", "the directive vs executing Keras with myst-nb"),
    ("parallel_incremental.py", "-j 1 vs -j 2; incremental rebuilds"),
    ("footprint.py", "installed size vs Keras + torch"),
]

#: The scripts that build with the extension, and so can wait for it to import.
WAITS = {"build_overhead.py", "vs_execution.py", "parallel_incremental.py"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    parser.add_argument("--only", nargs="+", metavar="SCRIPT", help="run only these scripts (e.g. footprint.py)")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the extension to import")
    args = parser.parse_args(argv)

    print("# sphinxext-params benchmarks")
    print(f"\nstarted {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; `python benchmarks/run_all.py"
          f"{' --quick' if args.quick else ''}`")
    h.print_machine()
    failed = []
    for script, what in SCRIPTS:
        if args.only and script not in args.only:
            continue
        path = HERE / script
        if not path.exists():
            print(f"\n## {script}: {what}\n\nskipped: {script} is not in benchmarks/ yet", flush=True)
            continue
        print(f"\n## {script}: {what}", flush=True)
        cmd = [sys.executable, str(path)]
        if args.quick:
            cmd.append("--quick")
        cmd.append("--no-machine")
        if args.wait and script in WAITS:
            cmd += ["--wait", str(args.wait)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=h.REPO)  # output streams straight through
        took = time.perf_counter() - start
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"\n({script}: {status}, {took:.0f} s; load average now {h.load()})", flush=True)
        if proc.returncode:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
