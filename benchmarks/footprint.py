"""Footprint: the installed size of this extension and its dependencies vs Keras and a backend.

Sizes come from the installed distributions' RECORD files (``importlib.metadata``):
every file a distribution installed, measured on disk (or, for a file gone from
disk, the size its RECORD gives).  Dependencies are followed through each
distribution's ``Requires-Dist`` with environment markers evaluated for this
interpreter and no extras, so a set is what ``pip install X`` brings in.  The
``__pycache__`` files Python writes later are not counted (pip's own are).

If the package is not installed (or installed in editable mode), its size is that
of the ``sphinxext_params/`` folder of the work tree.

    python benchmarks/footprint.py
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path

import _harness as h

try:
    from packaging.requirements import Requirement
except ImportError:  # pragma: no cover - packaging comes with Sphinx
    Requirement = None

PACKAGE = "sphinxext-params"


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def distribution(name: str):
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def closure(roots: list[str]) -> tuple[dict, list[str]]:
    """The installed distributions ``roots`` pull in, by canonical name; and those required but missing."""
    found, missing, queue = {}, [], list(roots)
    while queue:
        name = canonical(queue.pop())
        if name in found or name in missing:
            continue
        dist = distribution(name)
        if dist is None:
            missing.append(name)
            continue
        found[name] = dist
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                queue.append(req.name)
    return found, missing


def installed_size(dist) -> tuple[int, int]:
    """(bytes, files) of what a distribution installed, from its RECORD."""
    size = files = 0
    for f in dist.files or []:
        path = dist.locate_file(f)
        try:
            size += path.stat().st_size
        except OSError:
            size += f.size or 0
        files += 1
    return size, files


def package_size() -> tuple[int, int, str]:
    """This package's own size: its RECORD if installed normally, else its work-tree folder."""
    dist = distribution(PACKAGE)
    editable = False
    if dist is not None:
        direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
        in_work_tree = Path(dist.locate_file("")).resolve() == h.REPO  # an egg-info beside the sources
        editable = direct_url.get("dir_info", {}).get("editable", False) or in_work_tree
    if dist is not None and not editable:
        size, files = installed_size(dist)
        return size, files, "installed"
    paths = [p for p in (h.REPO / "sphinxext_params").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sum(p.stat().st_size for p in paths), len(paths), "its folder in the work tree"


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def measure() -> list[dict]:
    own_size, own_files, how = package_size()
    sets = []

    def add(label, roots, extra=(0, 0)):
        dists, missing = closure(roots)
        sizes = {name: installed_size(d) for name, d in dists.items()}
        total = sum(s for s, _ in sizes.values()) + extra[0]
        files = sum(f for _, f in sizes.values()) + extra[1]
        biggest = sorted(sizes.items(), key=lambda kv: -kv[1][0])[:4]
        sets.append({"label": label, "dists": len(dists) + (1 if extra[1] else 0), "files": files, "bytes": total,
                     "biggest": ", ".join(f"{n} {mb(s)}" for n, (s, _) in biggest), "missing": missing})

    sets.append({"label": f"sphinxext-params alone ({how})", "dists": 1, "files": own_files, "bytes": own_size,
                 "biggest": "", "missing": []})
    add("sphinxext-params + its runtime dependencies (sphinx, docutils, ...)", ["sphinx", "docutils"],
        extra=(own_size, own_files))
    add("keras + torch (+ their dependencies)", ["keras", "torch"])
    if distribution("myst-nb") and distribution("ipykernel"):
        add("executing at build time: sphinx + myst-nb + ipykernel + keras + torch (+ dependencies)",
            ["sphinx", "myst-nb", "ipykernel", "keras", "torch"])
    return sets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="no effect (this measurement is quick)")
    parser.add_argument("--no-machine", action="store_true", help="do not print the machine (run_all prints it once)")
    args = parser.parse_args(argv)
    if Requirement is None:
        print("skipped: the packaging module is not installed", flush=True)
        return 0
    if not args.no_machine:
        h.print_machine()
    sets = measure()
    ours = sets[1]["bytes"]
    rows = [[s["label"], s["dists"], f"{s['files']:,}", mb(s["bytes"]), f"{s['bytes'] / ours:.1f}×" if i else "",
             s["biggest"]] for i, s in enumerate(sets)]
    h.print_table("Footprint: installed size (from the distributions' RECORD files)",
                  ["what", "distributions", "files", "size", "vs ours + deps", "largest distributions"],
                  rows, align="lrrrrl")
    for s in sets:
        if s["missing"]:
            print(f"note: {s['label']}: required but not installed: {', '.join(s['missing'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
