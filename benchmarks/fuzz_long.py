"""The long fuzz run (issue 5): at least 100,000 inputs through the parser and the core.

    python benchmarks/fuzz_long.py                      # 100,000 inputs, seed 0 (about 5 minutes)
    python benchmarks/fuzz_long.py --inputs 1000000 --seed 7
    python benchmarks/fuzz_long.py --atheris -runs=100000   # coverage-guided, if atheris is installed

The inputs are those of the suite's short run (``tests/test_fuzz.py``), drawn from a seeded
``random.Random``: random text, random mutations of valid layer lists, random layer calls over
the whole Keras and PyTorch catalogues with fitting or arbitrary argument values, and
mutations of those.  The invariant (``tests/fuzz_inputs.py:check_invariant``): the result is
a Summary (which renders as text, markdown and JSON, with every count's derivation ending in
the count) or a located ParamsError; never another exception, never more than a second of
CPU.  Prints the counts per kind of input and outcome; exits 1 when the invariant failed,
after writing each failing input to a temporary folder it names.

With ``--atheris`` the same invariant is checked on byte strings that atheris (libFuzzer)
mutates, guided by the coverage of ``sphinxext_params``; the remaining arguments go to
libFuzzer (``-runs=N``, ``-max_total_time=S``).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

import _harness as h  # noqa: F401  (puts the work tree on sys.path)

TIME_LIMIT = 1.0


def run(inputs: int, seed: int, report_every: int) -> int:
    from sphinxext_params import ParamsError
    from tests.fuzz_inputs import check_invariant, random_input

    rng = random.Random(seed)
    outcomes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures, slowest, times = [], (0.0, ""), []
    start = time.perf_counter()
    for number in range(1, inputs + 1):
        strategy, text, options = random_input(rng)
        try:
            result, seconds = check_invariant(text, **options)
        except Exception as exc:  # the invariant is broken: record the input and go on
            outcomes[strategy]["FAILED"] += 1
            failures.append({"strategy": strategy, "text": text, "options": options,
                             "error": "".join(traceback.format_exception(exc))})
            continue
        times.append(seconds)
        if seconds > slowest[0]:
            slowest = (seconds, text[:200])
        if seconds >= TIME_LIMIT:
            outcomes[strategy]["SLOW"] += 1
            failures.append({"strategy": strategy, "text": text, "options": options,
                             "error": f"took {seconds:.2f} s"})
        key = f"error: {result.kind}" if isinstance(result, ParamsError) else "summary"
        outcomes[strategy][key] += 1
        if report_every and number % report_every == 0:
            print(f"  {number:,} inputs, {time.perf_counter() - start:.0f} s, {len(failures)} failures", flush=True)
    took = time.perf_counter() - start

    kinds = sorted({k for c in outcomes.values() for k in c})
    rows = [[strategy, f"{sum(c.values()):,}", *(f"{c[k]:,}" for k in kinds)]
            for strategy, c in sorted(outcomes.items())]
    total = collections.Counter()
    for c in outcomes.values():
        total.update(c)
    rows.append(["all", f"{sum(total.values()):,}", *(f"{total[k]:,}" for k in kinds)])
    h.print_table(f"Fuzz run: {inputs:,} inputs, seed {seed}, {took:.0f} s", ["input", "count", *kinds], rows)
    times.sort()
    if times:
        print(f"CPU per input: median {times[len(times) // 2] * 1e3:.2f} ms, "
              f"99th percentile {times[int(len(times) * 0.99)] * 1e3:.2f} ms, max {slowest[0] * 1e3:.1f} ms "
              f"(on {slowest[1][:80]!r})")
    failed = total["FAILED"] + total["SLOW"]
    print(f"invariant: {'held for every input' if not failed else f'BROKEN by {failed} inputs'}")
    if failures:
        folder = Path(tempfile.mkdtemp(prefix="fuzz-failures-"))
        for k, failure in enumerate(failures[:100]):
            (folder / f"failure-{seed}-{k}.json").write_text(json.dumps(failure, indent=2), encoding="utf-8")
        print(f"the failing inputs are in {folder}/")
        print(failures[0]["error"])
    return 1 if failed else 0


def run_atheris(libfuzzer_args: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        print("skipped: atheris is not installed (python -m pip install atheris)")
        return 0
    with atheris.instrument_imports(include=["sphinxext_params"]):
        import sphinxext_params.core.keras  # noqa: F401  (both frameworks' layers, imported lazily otherwise)
        import sphinxext_params.core.pytorch  # noqa: F401
        import sphinxext_params.render  # noqa: F401
    from tests.fuzz_inputs import CORPUS, check_invariant

    def one_input(data: bytes) -> None:
        # Bytes become text the way a build reads a file, so that lone surrogates come through too.
        text = data.decode("utf-8", errors="surrogateescape")
        _, seconds = check_invariant(text)
        if seconds >= TIME_LIMIT:
            raise AssertionError(f"took {seconds:.2f} s")

    corpus = Path(tempfile.mkdtemp(prefix="fuzz-corpus-"))  # libFuzzer adds the inputs it finds here
    for k, text in enumerate(CORPUS):
        (corpus / f"seed-{k}.txt").write_text(text, encoding="utf-8")
    atheris.Setup([sys.argv[0], *libfuzzer_args, str(corpus)], one_input)
    atheris.Fuzz()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="how many inputs (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    parser.add_argument("--report-every", type=int, default=10_000, help="print progress every N inputs")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided fuzzing with atheris instead")
    args, rest = parser.parse_known_args(argv)
    if args.atheris:
        return run_atheris(rest)
    if rest:
        parser.error(f"unknown arguments: {' '.join(rest)}")
    return run(args.inputs, args.seed, args.report_every)


if __name__ == "__main__":
    sys.exit(main())
