"""The custom nodes: a collapsible block, its always-visible heading, and plain derivations.

Everything else the directive makes is a standard docutils node.  HTML draws the first two
as ``<details>``/``<summary>``; every other writer draws the heading as a paragraph and the
block as just its children, so nothing is lost where there is nothing to collapse.
"""

from __future__ import annotations

import functools

from docutils import nodes



@functools.cache
def _pygments_escapes() -> dict[int, str]:
    """How the installed Pygments' HTML formatter escapes text, asked of Pygments itself
    (releases differ: 2.21 stopped escaping quotes), so that a plain block written here
    has exactly the bytes Sphinx's highlighter would write."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer

    table = {}
    for char in "&<>\"'":
        escaped = highlight(char, TextLexer(), HtmlFormatter(nowrap=True)).rstrip("\n")
        if escaped != char:
            table[ord(char)] = escaped
    return table


class params_details(nodes.General, nodes.Element):
    """A block that HTML shows collapsed (``open=True`` to show it expanded)."""


class params_summary(nodes.Part, nodes.TextElement):
    """The heading of a :class:`params_details`: what is folded inside."""


class params_plain_math(nodes.literal_block):
    """A derivation as plain text (the models with thousands of them): a ``text`` literal block.

    Every writer but HTML finds ``visit_literal_block`` through the class's MRO.
    """


# -- HTML (html, dirhtml, singlehtml, epub) ------------------------------------------------
def visit_details_html(self, node: params_details) -> None:
    attributes = {"open": "open"} if node.get("open") else {}
    self.body.append(self.starttag(node, "details", "", **attributes))


def depart_details_html(self, node: params_details) -> None:
    self.body.append("</details>\n")


def visit_summary_html(self, node: params_summary) -> None:
    self.body.append(self.starttag(node, "summary", ""))


def depart_summary_html(self, node: params_summary) -> None:
    self.body.append("</summary>\n")


def visit_plain_math_html(self, node: params_plain_math) -> None:
    """The markup Sphinx writes for a ``text`` literal block, without a Pygments pass.

    Sphinx makes a new Pygments formatter and lexer for every block (~0.4 ms): 4 s of a
    10,000-layer model's build went there.  Plain text needs no lexer: the lexer's newline
    handling and the formatter's escaping and wrapping are written out here, and
    tests/sphinx/test_builds_large.py checks the bytes against Sphinx's highlighter.
    """
    if self.config.highlight_options.get("text"):  # the project tuned Pygments: let it run
        return self.visit_literal_block(node)
    text = node.rawsource.replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"
    self.body.append(self.starttag(node, "div", suffix="", CLASS="highlight-text notranslate")
                     + '<div class="highlight"><pre><span></span>' + text.translate(_pygments_escapes()) + "</pre></div>\n</div>\n")
    raise nodes.SkipNode


def depart_plain_math_html(self, node: params_plain_math) -> None:
    self.depart_literal_block(node)


# -- every other writer: the heading is a paragraph, the block its children ------------------
def visit_transparent(self, node: nodes.Element) -> None:
    pass


def depart_transparent(self, node: nodes.Element) -> None:
    pass


def visit_summary_as_paragraph(self, node: params_summary) -> None:
    self.visit_paragraph(node)


def depart_summary_as_paragraph(self, node: params_summary) -> None:
    self.depart_paragraph(node)


HTML = {"details": (visit_details_html, depart_details_html), "summary": (visit_summary_html, depart_summary_html)}
OTHER = {"details": (visit_transparent, depart_transparent),
         "summary": (visit_summary_as_paragraph, depart_summary_as_paragraph)}
WRITERS = ("latex", "text", "man", "texinfo")


def add_nodes(app) -> None:
    app.add_node(params_details, html=HTML["details"], **{w: OTHER["details"] for w in WRITERS})
    app.add_node(params_summary, html=HTML["summary"], **{w: OTHER["summary"] for w in WRITERS})
    app.add_node(params_plain_math, html=(visit_plain_math_html, depart_plain_math_html))
