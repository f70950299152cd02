"""The demo site as the browser and PDF tests see it: where it is, the themes it is checked in,
how it is built, and the local MathJax the HTML builds load instead of the CDN."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# $PARAMS_TEST_DEMO: check another Sphinx project the same way (used while developing these tests).
DEMO = Path(os.environ.get("PARAMS_TEST_DEMO", REPO / "demo_docs"))
# The README's screenshot is the one file these tests write into the repository.
README_SCREENSHOTS = DEMO / "_static" / "screenshots"

THEMES = ("alabaster", "furo", "sphinx_rtd_theme", "pydata_sphinx_theme", "sphinx_book_theme")

CHROMIUM = os.environ.get("PARAMS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PARAMS_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",  # screenshots the same with and without overflow
    "--force-color-profile=srgb",  # computed colours and screenshots agree
)

# MathJax 3 served from the build's _static (Sphinx resolves a relative mathjax_path there):
# the default is a CDN, and the tests must see equations typeset without the internet.
MATHJAX_DIR = "mathjax"
MATHJAX_PATH = f"{MATHJAX_DIR}/tex-mml-chtml.js"

BUILD_TIMEOUT = 300  # seconds, one sphinx-build


def fail_loudly(message: str) -> None:
    """Fail (never skip) with a message that stands out in the test report."""
    pytest.fail(f"\n{'=' * 70}\n{message}\n{'=' * 70}", pytrace=False)


def sphinx_build(builder: str, outdir: Path, *overrides: str) -> subprocess.CompletedProcess:
    """Build demo_docs/ with `builder` into `outdir` in a fresh process (themes register
    global state in the process that loads them, so each build gets its own)."""
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-E",
               "-d", str(outdir.parent / f"{outdir.name}.doctrees")]
    for override in overrides:
        command += ["-D", override]
    command += [str(DEMO), str(outdir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          cwd=REPO)


def mathjax_es5() -> Path:
    """The MathJax 3 distribution shipped by the `django-static-mathjax` wheel."""
    spec = importlib.util.find_spec("mathjax")
    root = Path(spec.origin).parent / "static" / "mathjax" / "es5" if spec and spec.origin else None
    if root is None or not (root / "tex-mml-chtml.js").is_file():
        fail_loudly("MathJax 3 is not installed: the browser tests serve it locally from the "
                    "`django-static-mathjax` wheel. Run: python -m pip install -e '.[test]'")
    return root


def build_theme(theme: str, root: Path) -> tuple[Path, subprocess.CompletedProcess]:
    outdir = root / theme
    result = sphinx_build("html", outdir, f"html_theme={theme}", f"mathjax_path={MATHJAX_PATH}")
    if result.returncode == 0:
        static = outdir / "_static" / MATHJAX_DIR
        if not static.exists():
            static.symlink_to(mathjax_es5(), target_is_directory=True)
    return outdir, result


def require_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        fail_loudly(f"PDF TEST CANNOT RUN: {', '.join(missing)} not found. Install Debian's "
                    f"latexmk, texlive-latex-recommended, texlive-latex-extra, "
                    f"texlive-fonts-recommended, tex-gyre and poppler-utils; .ci/run does this.")
