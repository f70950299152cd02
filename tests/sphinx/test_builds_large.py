"""Builds that stay correct at the size of real sites (issue 5).

- ``sphinx-build -j 2`` writes the same bytes as ``-j 1``: the demo, and a generated site of
  200 pages whose roles quote models of other pages;
- two clean builds write the same bytes, in processes with different hash seeds (so no
  output depends on the iteration order of a set): the demo in HTML, text, LaTeX, epub and man;
- a 10,000-layer model builds, its derivations folded away as plain text;
- an incremental build re-reads only what an edit can change, and ends with the same output
  as a clean build of the same sources.

Timings are printed (``pytest -s``), never asserted.  Sphinx's own time-dependent output:
the epub's ``content.opf`` (dc:date, dcterms:modified) and the LaTeX ``\\date``, both of which
follow ``SOURCE_DATE_EPOCH``, and the file times inside the ``.epub`` archive; HTML, text and
man pages have none.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docutils import nodes
from sphinx.highlighting import PygmentsBridge

from sphinxext_params.extension.nodes import params_details, params_plain_math, visit_plain_math_html
from sphinxext_params.render.docutils_nodes import MAX_MATH_ENTRIES, format_count
from tests.sphinx.sitegen import Page, files, generate, quoted_numbers, write_site

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo_docs"
_COLORS = re.compile(r"\x1b\[[0-9;]*m")


def strip_colors(text: str) -> str:
    return _COLORS.sub("", text)


# -- sphinx-build in a subprocess ----------------------------------------------------------------
def sphinx_build(srcdir: Path, outdir: Path, *, jobs: int = 1, builder: str = "html", hashseed: int = 0,
                 env: dict | None = None) -> tuple[str, float, float]:
    """Build ``srcdir`` into ``outdir`` (doctrees beside it); its log, CPU and wall seconds.

    The build must succeed without a warning.  CPU time counts the ``-j`` workers too.
    """
    environ = {**os.environ, "PYTHONHASHSEED": str(hashseed), **(env or {}),
               "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-j", str(jobs), "-d",
               str(outdir.with_name(outdir.name + ".doctrees")), str(srcdir), str(outdir)]
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=environ, timeout=900)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0, proc.stderr
    assert strip_colors(proc.stderr).strip() == "", proc.stderr  # no warning
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return strip_colors(proc.stdout), cpu, wall


def ran_in_parallel(log: str) -> bool:
    """Whether Sphinx read and wrote in worker processes (it logs chunks of documents, ``a .. b``)."""
    return all(re.search(rf"{step}\.\.\. \[\s*\d+%\] \S+ \.\. \S+", log)
               for step in ("reading sources", "writing output"))


def tree(outdir: Path) -> dict[str, bytes]:
    """Every file of a build's output, by its path in the output directory."""
    return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def assert_same_output(a: Path, b: Path, *, but: tuple[str, ...] = ()) -> int:
    first, second = tree(a), tree(b)
    for name in but:
        del first[name], second[name]
    assert first.keys() == second.keys(), sorted(first.keys() ^ second.keys())
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], differing
    return len(first)


def copy_demo(dest: Path) -> Path:
    shutil.copytree(DEMO, dest, ignore=shutil.ignore_patterns("_build"))
    return dest


# -- 1 and 2: parallel = serial, and clean builds repeat, on the demo ------------------------------
def test_demo_parallel_and_clean_builds_are_identical(tmp_path):
    src = copy_demo(tmp_path / "demo")
    log, cpu1, wall1 = sphinx_build(src, tmp_path / "serial", hashseed=1)
    assert not ran_in_parallel(log)
    _, cpu_again, _ = sphinx_build(src, tmp_path / "again", hashseed=2)
    log, cpu2, wall2 = sphinx_build(src, tmp_path / "parallel", jobs=2, hashseed=3)
    assert ran_in_parallel(log)
    count = assert_same_output(tmp_path / "serial", tmp_path / "again")
    assert_same_output(tmp_path / "serial", tmp_path / "parallel")
    print(f"\ndemo ({count} files): -j 1 {cpu1:.1f} s CPU ({wall1:.1f} s), again {cpu_again:.1f} s, "
          f"-j 2 {cpu2:.1f} s CPU ({wall2:.1f} s)")


@pytest.mark.slow
@pytest.mark.parametrize("builder", ["text", "latex", "epub", "man"])
def test_demo_clean_builds_are_identical_with_other_builders(tmp_path, builder):
    src = copy_demo(tmp_path / "demo")
    epoch = {"SOURCE_DATE_EPOCH": "1735689600"}  # the epub's and LaTeX's build date
    sphinx_build(src, tmp_path / "first", builder=builder, hashseed=1, env=epoch)
    sphinx_build(src, tmp_path / "second", builder=builder, hashseed=2, env=epoch)
    # The .epub archive stores its files' modification times (Sphinx zips what it just wrote):
    # its members are compared instead.
    archive = ("sphinxext-params.epub",) if builder == "epub" else ()
    assert_same_output(tmp_path / "first", tmp_path / "second", but=archive)
    for name in archive:
        members = []
        for build in ("first", "second"):
            with zipfile.ZipFile(tmp_path / build / name) as epub:
                members.append({info.filename: epub.read(info) for info in epub.infolist()})
        assert members[0] == members[1]


# -- 1: a generated site of 200 pages --------------------------------------------------------------
def quotes_shown(html: str) -> list[tuple[str, str]]:
    """(model, number) of every resolved role of a page, in order: the links' titles."""
    return re.findall(r'<a class="reference internal" href="[^"]*" title="(m\d+): ([^"]*)">', html)


def assert_quotes_right(outdir: Path, pages: list[Page]) -> None:
    """Every role shows the number the core computes for its target, on every page."""
    numbers = quoted_numbers(pages)
    for page in pages:
        targets = ([page.model] + page.quotes) if page.model else []
        expected = [(re.split(r"[/:]", t)[0], numbers[t]) for t in targets]
        assert quotes_shown((outdir / f"{page.docname}.html").read_text(encoding="utf-8")) == expected, page.docname


@pytest.mark.slow
def test_generated_site_parallel_equals_serial(tmp_path):
    pages = write_site(tmp_path / "site", 200)
    _, cpu1, wall1 = sphinx_build(tmp_path / "site", tmp_path / "serial", hashseed=1)
    log, cpu2, wall2 = sphinx_build(tmp_path / "site", tmp_path / "parallel", jobs=2, hashseed=2)
    assert ran_in_parallel(log)
    count = assert_same_output(tmp_path / "serial", tmp_path / "parallel")
    assert count > 200
    assert_quotes_right(tmp_path / "serial", pages)
    print(f"\n200 pages ({sum(len(p.quotes) + 1 for p in pages if p.model)} roles): "
          f"-j 1 {cpu1:.1f} s CPU ({wall1:.1f} s wall), -j 2 {cpu2:.1f} s CPU ({wall2:.1f} s wall)")


# -- 3: a 10,000-layer model -----------------------------------------------------------------------
@pytest.mark.slow
def test_ten_thousand_layers(build):
    layers, units = 10_000, 8
    body = "".join(f"   Dense({units})\n" for _ in range(layers - 1))
    page = (f"Big\n===\n\n.. model-summary:: Ten thousand layers\n   :name: big\n\n   Input(shape=({units},))\n"
            f"{body}\nIt has :params:`big` parameters, :params:`big/dense_9998` in its last layer.\n")
    start = time.process_time()
    result = build({"index.rst": page})
    seconds = time.process_time() - start
    assert result.warning_lines() == []

    # Dense: u (i + 1) weights and biases, a count checked against Keras elsewhere.
    per_layer = units * (units + 1)
    total = format_count(per_layer * (layers - 1))
    html = result.read("index.html")
    assert f"Total params: {total} (" in html
    assert f'<span class="params-count">{total}</span>' in html
    assert f'<span class="params-count">{per_layer}</span>' in html
    assert html.count('<tr class="params-layer') == layers - 1

    # Usable: the derivations are folded away, as plain text (no math for the browser to typeset).
    doctree = result.doctree("index")
    (details,) = doctree.findall(params_details)
    assert not details["open"] and '<details class="params-derivations">' in html
    assert layers - 1 > MAX_MATH_ENTRIES and not list(doctree.findall(nodes.math_block))
    blocks = list(doctree.findall(params_plain_math))
    assert len(blocks) == layers - 1
    assert "mathjax" not in html.lower()
    # ... written exactly as Sphinx's highlighter writes a text block
    highlighted = PygmentsBridge("html", result.app.config.pygments_style).highlight_block(blocks[0].astext(), "text")
    assert f'<div class="params-math-params highlight-text notranslate">{highlighted}</div>' in html
    print(f"\n10,000 layers: {seconds:.1f} s CPU in-process, HTML page {len(html.encode()) / 1e6:.1f} MB")


@pytest.mark.parametrize("highlight_options", [{}, {"text": {"stripnl": False}}])
def test_plain_derivations_are_written_as_sphinx_writes_text_blocks(build, highlight_options):
    """The fast HTML visitor of plain derivations writes the bytes of Sphinx's own, for any text."""
    result = build({"index.rst": "Page\n====\n\nText.\n"}, confoverrides={"highlight_options": highlight_options})
    builder = result.app.builder
    doctree = result.resolved("index")
    doctree.settings = builder.docsettings
    translator = builder.create_translator(doctree, builder)
    for text in ["N = u (i + 1) = 8 × (8 + 1) = 72", "a < b & 'c' \"d\" \\ {}\n\n", "\nx\r\ny\n\n", "γ₁ → ⌊n / 2⌋"]:
        written = []
        for node_class, visit in ((params_plain_math, visit_plain_math_html),
                                  (nodes.literal_block, type(translator).visit_literal_block)):
            translator.body = []
            try:
                visit(translator, node_class(text, text, language="text", classes=["params-math-params"], ids=["x"]))
            except nodes.SkipNode:
                pass
            written.append("".join(translator.body))
        assert written[0] == written[1], text


# -- 4: incremental builds -------------------------------------------------------------------------
def docs_read(build) -> list[str]:
    return re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", strip_colors(build.app.status.getvalue()))


def docs_written(build) -> list[str]:
    return re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", strip_colors(build.app.status.getvalue()))


def role_lines(srcdir: Path, model: str, only: str | None = None) -> list[str]:
    """``file:line`` of every role quoting ``model`` (or exactly the target ``only``), in file order."""
    out = []
    for path in sorted(srcdir.glob("*.*[!y]")):  # the pages, not conf.py
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for target in re.findall(r"(?::params:|\{params\})`([^`]+)`", line):
                if (target == only) if only else re.split(r"[/:]", target)[0] == model:
                    out.append(f"{path.name}:{number}")
    return out


def warning_places(build) -> list[str]:
    return sorted(w.split(": WARNING: ")[0] for w in build.warning_lines())


def search_index(outdir: Path, drop_empty: bool = False) -> dict:
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    if drop_empty:
        for key in ("terms", "titleterms"):
            index[key] = {term: docs for term, docs in index[key].items() if docs != []}
    return index


class Site:
    """A generated site being edited and rebuilt, and a clean build to check each result against."""

    def __init__(self, root: Path, rebuild, n: int) -> None:
        self.root, self.rebuild = root, rebuild
        self.pages = write_site(root / "src", n)
        self.clean_builds = 0

    def page(self, docname: str) -> Page:
        return next(p for p in self.pages if p.docname == docname)

    def write(self, page: Page, text: str | None = None) -> None:
        (self.root / "src" / page.filename).write_text(page.text() if text is None else text, encoding="utf-8")

    def build(self):
        return self.rebuild(self.root / "src")

    def assert_same_as_clean_build(self, result) -> None:
        """An incremental build ends where a clean build of the same sources does: no stale page."""
        self.clean_builds += 1
        clean_src = self.root / f"clean{self.clean_builds}"
        shutil.copytree(self.root / "src", clean_src, ignore=shutil.ignore_patterns("_build"))
        clean = self.rebuild(clean_src)
        assert warning_places(clean) == warning_places(result)
        assert_same_output(clean.outdir, result.outdir, but=("searchindex.js",))
        # Sphinx's incremental search index keeps the words no page has any more, with no pages.
        assert search_index(clean.outdir) == search_index(result.outdir, drop_empty=True)


@pytest.mark.slow
def test_incremental_builds_reread_only_what_an_edit_can_change(tmp_path, rebuild):
    site = Site(tmp_path, rebuild, 40)
    first = site.build()
    assert first.warning_lines() == [] and len(docs_read(first)) == 42
    assert_quotes_right(first.outdir, site.pages)

    # A page without models: only it is read; it and its toctree parent are written.
    about = site.page("about")
    site.write(about, about.text() + "\nOne more sentence.\n")
    result = site.build()
    assert docs_read(result) == ["about"] and docs_written(result) == ["about", "index"]
    assert "html_static_path" not in result.app.status.getvalue()  # the config did not "change"
    site.assert_same_as_clean_build(result)

    # A model's layers change: its page and exactly the pages quoting it are read and written.
    m0 = site.page("page000")
    quoters = sorted({p.docname for p in site.pages if any(re.split(r"[/:]", q)[0] == "m0" for q in p.quotes)})
    assert "page001" in quoters and "page004" in quoters  # rST and MyST
    m0.layers[2] = re.sub(r"Dense\((\d+)", lambda m: f"Dense({int(m[1]) + 3}", m0.layers[2])
    site.write(m0)
    result = site.build()
    assert docs_read(result) == ["page000", *quoters]
    assert set(docs_written(result)) - {"index"} == {"page000", *quoters}
    assert result.warning_lines() == []
    assert_quotes_right(result.outdir, site.pages)
    site.assert_same_as_clean_build(result)

    # Renaming a layer: each role quoting it, in rST and MyST, warns at its own line.
    original = list(m0.layers)
    m0.layers[2] = m0.layers[2].replace('name="hidden"', 'name="wider"')
    site.write(m0)
    result = site.build()
    places = role_lines(site.root / "src", "m0", only="m0/hidden")
    assert {p.split(".")[1].split(":")[0] for p in places} == {"rst", "md"}
    assert warning_places(result) == sorted(places)
    assert all("model 'm0' has no layer 'hidden'" in w and w.endswith("[params.reference]")
               for w in result.warning_lines())
    site.assert_same_as_clean_build(result)

    # Deleting the named model: every role quoting it warns at its own line.
    text = re.sub(r"\.\. model-summary:: Model m0\n.*?\n\n(?=This page)", "", m0.text(), flags=re.S)
    assert ":name: m0" not in text
    site.write(m0, text)
    result = site.build()
    assert warning_places(result) == sorted(role_lines(site.root / "src", "m0"))
    assert all("unknown model 'm0'" in w and w.endswith("[params.reference]") for w in result.warning_lines())
    site.assert_same_as_clean_build(result)

    # Back as it was: no warning, every number right again.
    m0.layers = original
    site.write(m0)
    result = site.build()
    assert result.warning_lines() == []
    assert_quotes_right(result.outdir, site.pages)
    site.assert_same_as_clean_build(result)


def test_generated_sites_are_deterministic():
    assert files(generate(30)) == files(generate(30)) != files(generate(30, seed=1))
