"""The Sphinx glue: ``extensions = ["sphinxext_params"]`` calls :func:`setup` here.

- ``model-summary`` directive (:mod:`.directive`), ``:params:`` role (:mod:`.role`),
  the ``params`` domain that connects them across pages (:mod:`.domain`);
- the ``params_*`` config values (:mod:`.config`);
- a collapsible block for HTML (:mod:`.nodes`), one small stylesheet for HTML builders;
- builds that stay correct: pages quoting a model are re-read when it changes
  (``env-get-outdated``), and writers without math get the derivations as plain text.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes as docutils_nodes  # not `nodes`: that name is our submodule .nodes

from .. import __version__
from .config import setup_config
from .directive import ModelSummary
from .domain import ParamsDomain
from ..render.docutils_nodes import footer_as_lines, with_math_signs
from .nodes import add_nodes
from .role import ParamsRole

STATIC = Path(__file__).parent / "static"
CSS_FILE = "params.css"
#: Bumped whenever what the extension stores in the environment changes shape.
ENV_VERSION = 1
#: Builders whose readers get derivations as Unicode text rather than LaTeX source
#: (no MathJax to draw it): plain text, man pages, texinfo and e-books.
PLAIN_MATH_FORMATS = {"text", "man", "texinfo"}
PLAIN_MATH_BUILDERS = {"epub"}
#: Writers that cannot span table cells and read a table's title as a section title.
MAN_FORMATS = {"man"}


def add_static_path(app, config) -> None:
    """``config-inited``: our static directory, where HTML builders copy their files from.

    Added here rather than when the builder starts: Sphinx compares the configuration with
    the one it pickled before the builder starts, and a path added later reads to it as a
    changed ``html_static_path`` on every incremental build.
    """
    static = str(STATIC)
    if static not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, static]  # conf.py may give a tuple


def add_stylesheet(app) -> None:
    """``builder-inited``: the stylesheet, for HTML builders only (html, dirhtml, singlehtml, epub)."""
    if app.builder.format == "html":
        app.add_css_file(CSS_FILE)


def reread_quoters(app, env, added, changed, removed):
    """``env-get-outdated``: pages quoting a model of a changed or removed page must be re-read."""
    domain = env.get_domain("params")
    touched = set(added) | set(changed) | set(removed)
    if not touched:
        return []
    return sorted(domain.outdated_quoters(touched))


def adapt_to_writer(app, doctree: docutils_nodes.document, docname: str) -> None:
    """``doctree-resolved``: what some writers need instead of the standard rendering.

    - text, man, texinfo and epub get derivations as Unicode text, not LaTeX source;
    - LaTeX gets the signs of the derivations' legends (``γ``, ``→``) as math;
    - man pages cannot span table cells, so the totals follow the table as lines, and
      the caption goes before it as a paragraph.
    """
    builder = app.builder
    if builder.format in PLAIN_MATH_FORMATS or builder.name in PLAIN_MATH_BUILDERS:
        plain_math(doctree)
    if builder.format == "latex":
        for paragraph in list(doctree.findall(docutils_nodes.paragraph)):
            if "params-step-label" in paragraph["classes"]:
                for text in [c for c in paragraph.children if isinstance(c, docutils_nodes.Text)]:
                    index = paragraph.index(text)
                    paragraph.remove(text)
                    for offset, node in enumerate(with_math_signs(str(text))):
                        paragraph.insert(index + offset, node)
    if builder.format in MAN_FORMATS:
        for table in list(doctree.findall(docutils_nodes.table)):
            if "params-summary" in table["classes"]:
                lines = footer_as_lines(table)
                if lines is not None:
                    table.parent.insert(table.parent.index(table) + 1, lines)
                # The man writer takes a table's title for the page's or a section's title.
                for title in list(table.findall(docutils_nodes.title)):
                    caption = docutils_nodes.paragraph("", "", *title.children, classes=["params-caption"])
                    title.parent.remove(title)
                    table.parent.insert(table.parent.index(table), caption)


def plain_math(doctree: docutils_nodes.document) -> None:
    """The extension's math (display and inline) as the Unicode text it keeps in ``params_text``."""
    for node in list(doctree.findall(docutils_nodes.math_block)):
        text = node.get("params_text")
        if text is not None:
            block = docutils_nodes.literal_block(text, text, language="text", classes=node["classes"])
            block.source, block.line = node.source, node.line
            node.replace_self(block)
    for node in list(doctree.findall(docutils_nodes.math)):
        text = node.get("params_text")
        if text is not None:
            node.replace_self(docutils_nodes.Text(text))


def setup(app) -> dict:
    setup_config(app)
    add_nodes(app)
    app.add_domain(ParamsDomain)
    app.add_directive("model-summary", ModelSummary)
    app.add_role("params", ParamsRole())
    app.connect("config-inited", add_static_path)
    app.connect("builder-inited", add_stylesheet)
    app.connect("env-get-outdated", reread_quoters)
    app.connect("doctree-resolved", adapt_to_writer)
    return {"version": __version__, "env_version": ENV_VERSION,
            "parallel_read_safe": True, "parallel_write_safe": True}
