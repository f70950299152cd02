"""Helpers for building small Sphinx projects with the extension.

Sphinx's own fixtures (``app``, ``make_app``; ``pytest_plugins`` in tests/conftest.py)
find their roots through ``rootdir``; :func:`build` makes a throw-away project from
strings, so that a test shows the exact lines its warnings must point at.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

ROOTS = Path(__file__).parent.parent / "roots"

CONF = """\
extensions = ["sphinxext_params", "myst_parser"]
myst_enable_extensions = ["colon_fence"]
project = "test"
copyright = "2025, test"
version = release = "1.0"
numfig = True
"""

_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


def strip_colors(text: str) -> str:
    return _ESCAPES.sub("", text)


def write_project(srcdir: Path, files: dict[str, str], conf: str = "") -> Path:
    """A project in ``srcdir``: conf.py (CONF + ``conf``) and the given files (dedented)."""
    srcdir.mkdir(parents=True, exist_ok=True)
    (srcdir / "conf.py").write_text(CONF + textwrap.dedent(conf), encoding="utf-8")
    for name, text in files.items():
        path = srcdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return srcdir


def copy_root(name: str, dest: Path) -> Path:
    shutil.copytree(ROOTS / f"test-{name}", dest, dirs_exist_ok=True)
    return dest


class Build:
    """One finished build: the app, its warnings (colour codes stripped), its outputs."""

    def __init__(self, app: SphinxTestApp) -> None:
        self.app = app
        self.warnings = strip_colors(app.warning.getvalue())
        self.outdir = Path(app.outdir)
        self.srcdir = Path(app.srcdir)

    def warning_lines(self) -> list[str]:
        """Warnings as ``<path relative to srcdir>:<line>: <message> [type]``, one per line."""
        out = []
        for line in self.warnings.splitlines():
            if "WARNING" in line or "ERROR" in line:
                out.append(line.replace(str(self.srcdir) + "/", ""))
        return out

    def doctree(self, docname: str):
        return self.app.env.get_doctree(docname)

    def resolved(self, docname: str):
        try:
            return self.app.env.get_and_resolve_doctree(docname, self.app.builder, tags=self.app.tags)
        except TypeError:  # Sphinx < 9 has no tags argument
            return self.app.env.get_and_resolve_doctree(docname, self.app.builder)

    def read(self, name: str) -> str:
        return (self.outdir / name).read_text(encoding="utf-8")


def run_build(srcdir: Path, buildername: str = "html", *, builddir: Path | None = None,
              confoverrides: dict | None = None, parallel: int = 0, freshenv: bool = False,
              warningiserror: bool = False) -> Build:
    app = SphinxTestApp(buildername, srcdir=srcdir, builddir=builddir or srcdir / "_build",
                        confoverrides=confoverrides or {}, parallel=parallel, freshenv=freshenv,
                        warningiserror=warningiserror)
    try:
        app.build()
    finally:
        app.cleanup()
    return Build(app)


@pytest.fixture
def build(tmp_path):
    """``build(files, conf="", buildername="html", **kwargs)``: make a new project and build it.

    Each call makes its own project directory, so one test may build several.
    """
    count = iter(range(1000))

    def make(files: dict[str, str], conf: str = "", buildername: str = "html", **kwargs) -> Build:
        srcdir = write_project(tmp_path / f"src{next(count)}", files, conf)
        return run_build(srcdir, buildername, **kwargs)
    return make


@pytest.fixture
def project(tmp_path):
    """``project(files, conf="")`` -> a project directory, to build (and change, and rebuild) with ``rebuild``."""
    count = iter(range(1000))

    def make(files: dict[str, str], conf: str = "") -> Path:
        return write_project(tmp_path / f"project{next(count)}", files, conf)
    return make


@pytest.fixture
def rebuild():
    """``rebuild(srcdir, buildername="html", **kwargs)``: build an existing project (incrementally)."""
    return run_build


@pytest.fixture
def root_copy(tmp_path):
    """``root_copy(name)`` -> a fresh copy of ``tests/roots/test-<name>``."""
    return lambda name: copy_root(name, tmp_path / name)


@pytest.fixture(scope="session")
def params_root(tmp_path_factory) -> Build:
    """The test-params root, built once per session with the HTML builder."""
    srcdir = copy_root("params", tmp_path_factory.mktemp("params-root"))
    return run_build(srcdir, "html")
