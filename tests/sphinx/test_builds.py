"""Builds that stay correct: parallel = serial, reproducible, incremental, and a pickled env."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

PAGES = 12


def generated_site(n: int = PAGES) -> dict[str, str]:
    """``n`` pages, each with a named model and roles quoting the models of other pages."""
    files = {"index.rst": "Index\n=====\n\n.. toctree::\n\n" + "".join(f"   page{i}\n" for i in range(n))}
    for i in range(n):
        quoted = [(i + 1) % n, (i + 5) % n, (i * 7 + 3) % n]
        quotes = ", ".join(f":params:`m{j}` (:params:`m{j}/dense:trainable`)" for j in quoted)
        files[f"page{i}.rst"] = (
            f"Page {i}\n{'=' * (5 + len(str(i)))}\n\n"
            f".. model-summary:: Model {i}\n   :name: m{i}\n   :derivations: all\n\n"
            f"   Input(shape=({i + 2}, {i + 3}))\n   Flatten()\n   Dense({i + 1})\n   Dense(2, name=\"out\")\n\n"
            f".. model-summary::\n\n   Input(shape=({i + 4},))\n   Dense(3)\n\n"
            f"Quotes: {quotes}.\n")
    return files


def html_files(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*.html"))}


def test_parallel_build_equals_serial(project, rebuild):
    serial = rebuild(project(generated_site()), "html")
    parallel = rebuild(project(generated_site()), "html", parallel=2)
    assert serial.warning_lines() == parallel.warning_lines() == []
    # it did run in parallel: every extension (ours, myst) declared itself parallel safe
    assert parallel.app.parallel == 2
    assert parallel.app.is_parallel_allowed("read") and parallel.app.is_parallel_allowed("write")
    a, b = html_files(serial.outdir), html_files(parallel.outdir)
    assert a.keys() == b.keys() and len(a) > PAGES
    for name in a:
        assert a[name] == b[name], name
    # and the numbers are right: page 0 quotes m1 (Input (3, 4) -> 12 values -> Dense(2) -> 26)
    assert '<span class="params-count">26</span>' in a["page0.html"].decode()


def test_two_clean_builds_are_identical(project, rebuild):
    files = generated_site(4)
    first = html_files(rebuild(project(files), "html").outdir)
    second = html_files(rebuild(project(files), "html").outdir)
    assert first == second


INDEX = "Index\n=====\n\n.. toctree::\n\n   a\n   b\n   c\n"
MODEL = ".. model-summary::\n   :name: m\n\n   Input(shape=(2,))\n   Dense({units}, name=\"{layer}\")\n"
QUOTE = "B\n=\n\nThe model has :params:`m` parameters,\n:params:`m/first` in its first layer.\n"


def _quote_paragraph(build) -> str:
    html = build.read("b.html")
    return re.search(r"<p>The model has (.*?)</p>", html, re.S).group(1)


def _numbers(build) -> list[str]:
    return re.findall(r'<span class="params-count[^"]*">([^<]*)</span>', _quote_paragraph(build))


def test_incremental_builds_follow_the_models(project, rebuild):
    srcdir = project({"index.rst": INDEX, "a.rst": "A\n=\n\n" + MODEL.format(units=2, layer="first"),
                      "b.rst": QUOTE, "c.rst": "C\n=\n\nNothing here.\n"})
    assert _numbers(rebuild(srcdir)) == ["6", "6"]

    # Changing the model re-reads and rewrites the page that quotes it.
    (srcdir / "a.rst").write_text("A\n=\n\n" + MODEL.format(units=3, layer="first"))
    result = rebuild(srcdir)
    assert "2 changed" in result.app.status.getvalue() or "1 changed" in result.app.status.getvalue()
    assert _numbers(result) == ["9", "9"]

    # Editing an unrelated page re-reads only that page.
    (srcdir / "c.rst").write_text("C\n=\n\nStill nothing here.\n")
    result = rebuild(srcdir)
    assert "0 added, 1 changed, 0 removed" in result.app.status.getvalue()
    assert _numbers(result) == ["9", "9"]

    # Renaming the layer turns the layer quote into a warning.
    (srcdir / "a.rst").write_text("A\n=\n\n" + MODEL.format(units=3, layer="second"))
    result = rebuild(srcdir)
    assert result.warning_lines() == [
        "b.rst:5: WARNING: model 'm' has no layer 'first' in :params:`m/first`; its layers are second "
        "[params.reference]"]
    assert _numbers(result) == ["9", "m/first"]

    # Deleting the model turns both quotes into warnings.
    (srcdir / "a.rst").write_text("A\n=\n\nNo model any more.\n")
    result = rebuild(srcdir)
    assert [w.split(": WARNING: ")[0] for w in result.warning_lines()] == ["b.rst:4", "b.rst:5"]
    assert _numbers(result) == ["m", "m/first"]

    # A model defined on another page (any page) resolves the quotes again.
    (srcdir / "c.rst").write_text("C\n=\n\n" + MODEL.format(units=4, layer="first"))
    result = rebuild(srcdir)
    assert result.warning_lines() == []
    assert _numbers(result) == ["12", "12"]

    # Removing that page warns again.
    (srcdir / "c.rst").unlink()
    (srcdir / "index.rst").write_text(INDEX.replace("   c\n", ""))
    result = rebuild(srcdir)
    assert [w.split(": WARNING: ")[0] for w in result.warning_lines()] == ["b.rst:4", "b.rst:5"]


def test_environment_pickles_and_is_reused(project, rebuild):
    srcdir = project(generated_site(3))
    first = rebuild(srcdir)
    env = pickle.loads(pickle.dumps(first.app.env))
    assert env.domaindata["params"]["models"]["page0"]["m0"]["params"] == (2 * 3 + 1) * 1 + (1 + 1) * 2
    again = rebuild(srcdir)
    assert "0 added, 0 changed, 0 removed" in again.app.status.getvalue()
    assert again.app.env.domaindata["params"] == first.app.env.domaindata["params"]
    assert html_files(first.outdir) == html_files(again.outdir)


@pytest.mark.parametrize("buildername", ["html", "text"])
def test_config_change_rebuilds_everything(project, rebuild, buildername):
    srcdir = project({"index.rst": "I\n=\n\n.. model-summary::\n\n   Input(shape=(999,))\n   Dense(1000)\n"})
    first = rebuild(srcdir, buildername)
    assert "1,000,000" in first.read(f"index.{'html' if buildername == 'html' else 'txt'}")
    second = rebuild(srcdir, buildername, confoverrides={"params_thousands_separator": "_"})
    assert "1_000_000" in second.read(f"index.{'html' if buildername == 'html' else 'txt'}")
