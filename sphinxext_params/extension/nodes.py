"""The two custom nodes: a collapsible block and its always-visible heading.

Everything else the directive makes is a standard docutils node.  HTML draws these as
``<details>``/``<summary>``; every other writer draws the heading as a paragraph and the
block as just its children, so nothing is lost where there is nothing to collapse.
"""

from __future__ import annotations

from docutils import nodes


class params_details(nodes.General, nodes.Element):
    """A block that HTML shows collapsed (``open=True`` to show it expanded)."""


class params_summary(nodes.Part, nodes.TextElement):
    """The heading of a :class:`params_details`: what is folded inside."""


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
