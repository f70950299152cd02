"""The ``:params:`` role: a number quoted in prose from a named model.

``:params:`mnist``` is the model's total, ``:params:`mnist/dense``` one layer's count,
``:params:`mnist:trainable``` (``non_trainable``, ``buffers``) a footer line;
``:params:`the total <mnist>``` links the words to the table, and a ``{}`` in the
title stands for the number (``:params:`{} weights <mnist>```).

The role only records the quote; the number is filled in at write time by
:class:`~sphinxext_params.extension.domain.ParamsDomain`, which knows every page's models.
"""

from __future__ import annotations

import re
import weakref
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst.states import Inliner as RSTInliner
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import split_explicit_title

from .domain import parse_target

logger = logging.getLogger(__name__)

#: Per document being read: the source files' lines, and how often each (file, paragraph line,
#: role text) has been seen, to place the n-th identical role of a paragraph on its own line.
_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _source_lines(seen: dict, source: str, encoding: str) -> list[str] | None:
    if source not in seen["lines"]:
        try:
            seen["lines"][source] = Path(source).read_text(encoding=encoding).splitlines()
        except (OSError, UnicodeError, ValueError):
            seen["lines"][source] = None
    return seen["lines"][source]


class ParamsRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        explicit, title, target = split_explicit_title(self.text)
        target = target.strip()
        model, _, _ = parse_target(target)
        if not model:
            logger.warning("empty :params: role; write :params:`model`, :params:`model/layer` or "
                           ":params:`model:trainable`", type="params", subtype="reference",
                           location=f"{self.get_source_info()[0]}:{self.exact_line()}")
            return [nodes.inline(self.rawtext, self.text, classes=["params-count", "params-unresolved"])], []
        self.env.get_domain("params").note_quote(self.env.docname, model)
        placeholder = nodes.inline(target, target, classes=["params-count"])
        node = addnodes.pending_xref(self.rawtext, placeholder, refdomain="params", reftype="params",
                                     reftarget=target, refexplicit=explicit, refwarn=False,
                                     refdoc=self.env.docname, params_title=title if explicit else "")
        source, _ = self.get_source_info()
        node.source, node.line = source, self.exact_line()
        return [node], []

    def exact_line(self) -> int | None:
        """The line the role is on.

        docutils and MyST both tell roles the line where their paragraph starts, so the
        role's text is looked for in the source from that line on (the n-th identical role
        of a paragraph being its n-th occurrence); the paragraph's line when not found.
        """
        source, line = self.get_source_info()
        document = getattr(self.inliner, "document", None)
        if not source or not line or document is None:
            return line
        seen = _SEEN.setdefault(document, {"lines": {}, "count": {}})
        lines = _source_lines(seen, source, self.config.source_encoding)
        if not lines:
            return line
        if isinstance(self.inliner, RSTInliner):
            needle = re.compile(re.escape(self.rawtext))
        else:  # MyST: {params}`text`, with any number of backticks
            needle = re.compile(r"\{" + re.escape(self.name) + r"\}(`+)" + re.escape(self.text) + r"\1")
        key = (source, line, needle.pattern)
        nth = seen["count"].get(key, 0)
        seen["count"][key] = nth + 1
        text = "\n".join(lines[line - 1:])
        matches = needle.finditer(text)
        for _ in range(nth + 1):
            match = next(matches, None)
            if match is None:
                return line
        return line + text.count("\n", 0, match.start())
