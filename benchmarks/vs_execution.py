"""Versus executing the framework: the directive against myst-nb running Keras at build time.

The alternative to this extension is to execute the model while the docs build:
a notebook (here MyST-NB text notebooks) whose code cell builds the model in Keras
(torch backend) and calls ``model.summary()``.  This builds the same 10-page site
(same models, same order) both ways, alternating, with ``python -m sphinx -E -b html -q``:

  directive            the model-summary directive, with derivations and roles (as in build_overhead.py)
  myst-nb, executed    nb_execution_mode = "force": every build starts a kernel per page and runs Keras,
                       which is what a fresh checkout (CI, Read the Docs) or any edit costs
  myst-nb, cached      nb_execution_mode = "cache" with a warm jupyter-cache: nothing re-executes, the
                       cheapest case for the alternative (shown for fairness, not as the comparison)

Needs myst-nb, ipykernel, keras and torch in this interpreter; otherwise it prints
"skipped: ..." and exits 0.  They are not test dependencies of the package: install
them yourself (``python -m pip install myst-nb ipykernel``) to measure this.

    python benchmarks/vs_execution.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import sys

import _harness as h

PAGES = 10

NB_CONF = '''\
project = "sphinxext-params benchmark (myst-nb)"
extensions = ["myst_nb"]
html_theme = "alabaster"
nb_execution_mode = {mode!r}
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_cache_path = {cache!r}
exclude_patterns = ["_build"]
'''

NB_PAGE = '''\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# {title}

```{{code-cell}} python
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
from keras import Sequential
from keras.layers import {imports}

model = Sequential([
{layers}
])
model.summary()
```
'''


def notebook_page(m: h.Model) -> str:
    """The page as a notebook: the same layer lines, as Keras code that builds and summarises the model."""
    imports = sorted({re.match(r"(\w+)\(", line).group(1) for line in m.lines})
    layers = "\n".join(f"    {line}," for line in m.lines)
    return NB_PAGE.format(title=m.title, imports=", ".join(imports), layers=layers)


def write_notebook_site(root, ms, mode: str):
    src = root / f"src-myst-nb-{mode}"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(NB_CONF.format(mode=mode, cache=str(root / f"jupyter-cache-{mode}")))
    for m in ms:
        (src / f"{m.name}.md").write_text(notebook_page(m))
    toc = "\n".join(f"   {m.name}" for m in ms)
    (src / "index.rst").write_text(f"Benchmark site\n==============\n\n.. toctree::\n   :maxdepth: 1\n\n{toc}\n")
    return src


def missing() -> list[str]:
    return [name for module, name in [("myst_nb", "myst-nb"), ("ipykernel", "ipykernel"), ("keras", "keras"),
                                      ("torch", "torch")] if importlib.util.find_spec(module) is None]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the minimum 5 runs")
    parser.add_argument("--runs", type=int, help="counted runs per variant (at least 5)")
    parser.add_argument("--pages", type=int, default=PAGES, help=f"site size (default {PAGES})")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the extension to import")
    parser.add_argument("--no-machine", action="store_true", help="do not print the machine (run_all prints it once)")
    args = parser.parse_args(argv)
    runs = args.runs or (h.QUICK_RUNS if args.quick else h.RUNS)

    lacking = missing()
    if lacking:
        print(f"\n### Versus executing Keras with myst-nb\n\nskipped: {', '.join(lacking)} not installed "
              f"(python -m pip install myst-nb ipykernel keras torch)", flush=True)
        return 0
    if not h.wait_for_extension(args.wait):
        print("skipped: sphinxext_params.extension does not import yet", flush=True)
        return 1
    if not args.no_machine:
        h.print_machine()
    from importlib.metadata import version

    root = h.tmpdir("vs-execution")
    ms = h.models(args.pages)
    src_a = h.write_site(root, ms, "directive")
    src_force = write_notebook_site(root, ms, "force")
    src_cache = write_notebook_site(root, ms, "cache")
    outs = {name: root / f"out-{name}" for name in ("directive", "force", "cache")}
    env = {"KERAS_BACKEND": "torch"}
    variants = [
        h.Variant("directive", lambda: h.sphinx_build(src_a, outs["directive"]), prepare=h.clean(outs["directive"])),
        h.Variant("myst-nb, executed", lambda: h.sphinx_build(src_force, outs["force"]),
                  prepare=h.clean(outs["force"]), env=env),
        # The warm-up build fills the cache; the output folder is cleaned, the cache is not.
        h.Variant("myst-nb, cached", lambda: h.sphinx_build(src_cache, outs["cache"]),
                  prepare=h.clean(outs["cache"]), env=env),
    ]
    h.alternate(variants, runs, label=f"{args.pages} pages: ")
    a, a_cpu = h.median(variants[0].times), h.median(variants[0].cpu)
    rows = []
    for v in variants:
        m, c = h.median(v.times), h.median(v.cpu)
        rows.append([v.name, f"{m:.2f} s", f"{m / args.pages * 1000:.0f} ms", f"{m / a:.1f}×", f"{c:.2f} s",
                     f"{c / a_cpu:.1f}×", h.spread(v.times), runs])
    h.print_table(f"Versus executing Keras ({version('keras')}, torch {version('torch')} backend) with myst-nb "
                  f"{version('myst-nb')}: {args.pages} pages, sphinx-build -E -b html",
                  ["site", "wall", "wall per page", "wall vs directive", "CPU", "CPU vs directive", "wall range (s)",
                   "runs"], rows, align="lrrrrrrr")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
