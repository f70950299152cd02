"""Every builder writes the summaries without a warning; LaTeX compiles."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

BUILDERS = ["html", "dirhtml", "singlehtml", "latex", "text", "epub", "man", "texinfo"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One copy of the test-params root; every builder reuses its environment."""
    from pathlib import Path
    src = tmp_path_factory.mktemp("builders") / "src"
    shutil.copytree(Path(__file__).parent.parent / "roots" / "test-params", src)
    return src


@pytest.mark.parametrize("buildername", BUILDERS)
def test_every_builder_without_warnings(shared, rebuild, buildername):
    result = rebuild(shared, buildername, warningiserror=True)
    assert result.warning_lines() == []
    assert result.app.statuscode == 0


def test_text_output_is_a_readable_table(shared, rebuild):
    result = rebuild(shared, "text")
    text = result.read("index.txt")
    assert "| Layer (type)      | Output Shape | Param #" in text
    assert "| dense (Dense)     | (None, 10)   | 7,850" in text
    assert "| Total params: 7,850 (30.66 KB)" in text
    # derivations as Unicode arithmetic, not LaTeX source
    assert "N = u (i + 1) = 10 × (784 + 1) = 7,850" in text
    assert "\\left(" not in text


def test_man_page_has_no_spans_and_keeps_titles(shared, rebuild):
    result = rebuild(shared, "man")
    page = next(result.outdir.glob("*.1")).read_text()
    assert ".SH NAME\nparamstestroot" in page
    assert "Total params: 7,850 (30.66 KB)" in page
    assert "MNIST softmax regression\n.TS" in page


def test_latex_output(shared, rebuild):
    result = rebuild(shared, "latex")
    tex = next(result.outdir.glob("*.tex")).read_text()
    assert "\\begin{tabular}[t]{llr}" in tex  # counts right-aligned, natural widths
    assert "\\begin{align*}" in tex and "7{,}850" in tex  # derivations are real equations
    assert "\\sphinxcaption{MNIST softmax regression}\\label{\\detokenize{index:mnist}}" in tex
    assert "\\hyperref[\\detokenize{index:params-mnist-dense}]" in tex


def test_epub_gets_plain_text_derivations(shared, rebuild):
    result = rebuild(shared, "epub")
    xhtml = result.read("index.xhtml")
    assert "N = u (i + 1) = 10 × (784 + 1) = 7,850" in xhtml
    assert "params.css" in xhtml and (result.outdir / "_static" / "params.css").is_file()


def test_css_only_for_html_builders(shared, rebuild):
    assert "params.css" in rebuild(shared, "singlehtml").read("index.html")
    assert not (rebuild(shared, "text").outdir / "_static").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
                    reason="needs latexmk and pdflatex")
def test_latex_compiles(shared, rebuild):
    result = rebuild(shared, "latex")
    tex = next(result.outdir.glob("*.tex"))
    run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                         cwd=result.outdir, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert tex.with_suffix(".pdf").is_file()


def test_user_text_stays_text_in_every_output(shared, rebuild):
    html = rebuild(shared, "html").read("specials.html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    text = rebuild(shared, "text").read("specials.txt")
    assert "Specials _ % & # $ { } \\ ^ ~ <script>alert(1)</script> *emphasis*" in text
    assert "a_b%c&d#e$f{g}h\\i^j~k" in text and "<b>bold</b>" in text
    tex = next(rebuild(shared, "latex").outdir.glob("*.tex")).read_text()
    assert r"a\_b\%c\&d\#e\$f\{g\}h\textbackslash{}i\textasciicircum{}j\textasciitilde{}k" in tex


def test_latex_tables_with_weights_wrap_within_the_line(shared, rebuild):
    # A weights column is too long for one line: every column gets a share of the line and
    # the shares add up to the whole line, so the table cannot run into the margin.
    result = rebuild(shared, "latex")
    tex = next(result.outdir.glob("*.tex")).read_text()
    specs = re.findall(r"\\begin\{tabular\}\[t\]\{((?:>\{[^}]*\}\\X\{\d+\}\{100\})+)\}", tex)
    assert specs, "no table with weights in the test root"
    for spec in specs:
        shares = [int(n) for n in re.findall(r"\\X\{(\d+)\}\{100\}", spec)]
        assert sum(shares) == 100 and shares[-1] >= 30, spec
