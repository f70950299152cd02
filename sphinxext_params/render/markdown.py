"""The summary as a GitHub-flavoured markdown table, with the totals and derivations.

Layer names are the user's text: every character markdown (or MyST) could read as
markup is escaped, so a name such as ``<script>`` or ``*bold*`` shows literally.
"""

from __future__ import annotations

import re

from ..core.expr import format_int
from ..core.summary import Summary
from .text import framework_label, printable, step_line, totals

#: ASCII punctuation with a meaning in GFM or MyST inline syntax, or in a table (the pipe).
#: (``( ) + - !`` mean something only after ``]`` or at a line's start, where a name never is.)
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#|~$&:])")


def escape(text: str) -> str:
    """Text that renders literally in a markdown paragraph or table cell."""
    return _MARKUP.sub(r"\\\1", printable(text))


def render_markdown(summary: Summary, *, derivations: bool = False) -> str:
    heads = ["Layer (type)", "Output Shape", "Param #"]
    align = [":--", ":--", "--:"]
    if summary.has_buffers:
        heads.append("Buffers")
        align.append("--:")
    name = f' "{escape(summary.name)}"' if summary.name else ""
    lines = [f"**Model{name}** ({framework_label(summary.framework)})", "",
             "| " + " | ".join(heads) + " |", "| " + " | ".join(align) + " |"]
    for row in summary.layers:
        # Shapes hold only digits, None, commas and brackets: nothing to escape.
        cells = [f"{escape(row.name)} ({escape(row.type)})", row.output_shape_text, format_int(row.params)]
        if summary.has_buffers:
            cells.append(format_int(row.buffers))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(f"- {t}" for t in totals(summary))
    if derivations:
        steps = []
        for row in summary.layers:
            rows = list(row.shape_derivation) + list(row.derivation)
            if not rows:
                continue
            steps.append(f"- **{escape(row.name)}** ({escape(row.type)})")
            # Derivations come from the core's own symbols; in code spans they need no escaping.
            steps.extend(f"  - `{_code(step_line(s))}`" for s in rows)
        if steps:
            lines += ["", "**Derivations**", "", *steps]
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    return text.replace("`", "'")  # a code span ends at a backtick
