"""The demo site as a printed book: the LaTeX build compiles with latexmk (Debian's TeX Live), the
PDF's text holds the seed totals and the derivations, and its pages render to PNG for a look."""

from __future__ import annotations

import re
import subprocess
import warnings

import pytest

from tests.browser.demo_site import fail_loudly, require_tools, sphinx_build

LATEX_TIMEOUT = 600  # seconds; a cold TeX Live font cache makes the first run slow

# Totals a reader of the demo looks for (MNIST softmax regression, LSTM, the 514 -> 257 model).
SEED_TOTALS = ("7,850", "53,200", "397,065")


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory, artifact_dir):
    require_tools("latexmk", "pdflatex", "pdftotext", "pdftoppm")
    outdir = tmp_path_factory.mktemp("latex") / "latex"
    build = sphinx_build("latex", outdir)
    if build.returncode != 0:
        pytest.fail(f"sphinx-build -b latex failed:\n{build.stderr}", pytrace=False)
    sources = sorted(outdir.glob("*.tex"))
    assert sources, f"the LaTeX build wrote no .tex file into {outdir}"
    pdfs = []
    for source in sources:
        # latexmk reads the latexmkrc Sphinx writes beside the sources.
        run = subprocess.run(
            ["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode", "-halt-on-error",
             "-file-line-error", source.name],
            cwd=outdir, capture_output=True, text=True, timeout=LATEX_TIMEOUT)
        if run.returncode != 0:
            log = source.with_suffix(".log")
            errors = _latex_errors(log.read_text(errors="replace")) if log.exists() else ""
            fail_loudly(f"latexmk -pdf {source.name} failed (exit {run.returncode}):\n"
                        f"{errors or run.stdout[-3000:]}")
        pdfs.append(source.with_suffix(".pdf"))
    return pdfs


def _latex_errors(log: str) -> str:
    """The lines of a LaTeX log that say what went wrong, with a little context."""
    lines = log.splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith("!") or ":error:" in line
            or re.match(r"^\S+\.tex:\d+:", line)]
    return "\n".join("\n".join(lines[i:i + 4]) for i in hits[:10])


def _pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_latex_log_has_no_errors_or_undefined_references(demo_pdf):
    for pdf in demo_pdf:
        log = pdf.with_suffix(".log").read_text(errors="replace")
        assert not _latex_errors(log), _latex_errors(log)
        undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation) `[^']+' .*undefined", log)
        assert not undefined, "\n".join(undefined)
        # Something sticking into the margin by more than a few points is visible on paper:
        # reported (not failed) with its source line, for a look at the rendered pages.
        overfull = [f"{m.group(1)}pt {m.group(2)}" for m in re.finditer(
            r"Overfull \\hbox \((\d+\.?\d*)pt too wide\) (.*)", log) if float(m.group(1)) > 10]
        if overfull:
            warnings.warn(f"{pdf.name}: {len(overfull)} lines stick into the margin: "
                          + "; ".join(overfull[:10]))


@pytest.mark.parametrize("total", SEED_TOTALS)
def test_pdf_text_holds_seed_totals(demo_pdf, total):
    text = "\n".join(_pdf_text(pdf) for pdf in demo_pdf)
    if total not in text:
        pytest.fail(f"{total} is not in the PDF's text", pytrace=False)


def test_pdf_text_holds_derivations(demo_pdf):
    """The MNIST derivation, units × (inputs + 1) = 10 × (784 + 1), typeset as an equation."""
    text = "\n".join(_pdf_text(pdf) for pdf in demo_pdf)
    flat = re.sub(r"\s+", " ", text)
    if not re.search(r"10 ?× ?\( ?784 ?\+ ?1 ?\)", flat):
        pytest.fail("the MNIST derivation 10 × (784 + 1) is not in the PDF's text", pytrace=False)
    # TeX source must not leak into the printed page.
    leaked = [raw for raw in (r"\times", r"\left", r"\frac", "\\(", "\\[") if raw in text]
    assert not leaked, f"raw TeX in the PDF's text: {leaked}"


def test_pdf_pages_render_to_png(demo_pdf, artifact_dir):
    for pdf in demo_pdf:
        prefix = artifact_dir / f"pdf-{pdf.stem}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(prefix)], check=True,
                       timeout=300)
        pages = sorted(artifact_dir.glob(f"pdf-{pdf.stem}-*.png"))
        assert pages, f"pdftoppm rendered no page of {pdf.name}"
        assert all(page.stat().st_size > 1000 for page in pages), "a rendered page is empty"
