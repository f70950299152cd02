"""The summary as Keras 3's ``model.summary()`` prints it: a box table and the totals.

::

    Model (Keras)
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 10)             │         7,850 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 7,850 (30.66 KB)
     Trainable params: 7,850 (30.66 KB)
     Non-trainable params: 0 (0.00 B)

``ascii=True`` draws the same table with ``+ - = |`` and writes the derivations'
mathematical signs as ASCII, for consoles that cannot show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.expr import Step, format_int
from ..core.summary import LayerSummary, Summary

#: The content widths of Keras 3's columns (layer, output shape, counts); wider content widens them.
MIN_WIDTHS = (31, 22, 13)


@dataclass(frozen=True)
class Box:
    """The characters of one table style: each rule is (left, fill, junction, right)."""

    top: str
    header: str  # the vertical bars of the header row
    under_header: str
    body: str  # the vertical bars of body rows
    between: str
    bottom: str


UNICODE = Box(top="┏━┳┓", header="┃", under_header="┡━╇┩", body="│", between="├─┼┤", bottom="└─┴┘")
ASCII = Box(top="+-++", header="|", under_header="+=++", body="|", between="+-++", bottom="+-++")

#: Mathematical signs of the derivations and what stands for them in ASCII output.
ASCII_MATH = str.maketrans({"×": "*", "·": "*", "−": "-", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")"})


def printable(text: str) -> str:
    """User text (a layer name) with control characters shown as escapes, so no name can break a line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def framework_label(framework: str) -> str:
    return {"keras": "Keras", "pytorch": "PyTorch"}.get(framework, framework)


def title(summary: Summary) -> str:
    """``Model: "mnist" (Keras)``, or ``Model (Keras)`` for an unnamed summary."""
    name = f': "{printable(summary.name)}"' if summary.name else ""
    return f"Model{name} ({framework_label(summary.framework)})"


def columns(summary: Summary) -> list[str]:
    heads = ["Layer (type)", "Output Shape", "Param #"]
    if summary.has_buffers:
        heads.append("Buffers")
    return heads


def layer_cell(row: LayerSummary, width: int) -> list[str]:
    """``name (Type)`` on one line, or name and (Type) on two when it is too wide, as Keras wraps it."""
    name, kind = printable(row.name), printable(row.type)
    one_line = f"{name} ({kind})"
    return [one_line] if len(one_line) <= width else [name, f"({kind})"]


def row_cells(row: LayerSummary, summary: Summary, first_width: int) -> list[list[str]]:
    cells = [layer_cell(row, first_width), [row.output_shape_text], [format_int(row.params)]]
    if summary.has_buffers:
        cells.append([format_int(row.buffers)])
    return cells


def totals(summary: Summary) -> list[str]:
    """The lines under the table, as Keras prints them (with PyTorch's buffers when there are any)."""
    lines = [f"Total params: {format_int(summary.total_params)} ({summary.memory(summary.total_params)})",
             f"Trainable params: {format_int(summary.trainable_params)} "
             f"({summary.memory(summary.trainable_params)})",
             f"Non-trainable params: {format_int(summary.non_trainable_params)} "
             f"({summary.memory(summary.non_trainable_params)})"]
    if summary.framework == "pytorch":
        lines.append(f"Buffers: {format_int(summary.buffers)}")
    return lines


def step_line(step: Step, ascii: bool = False) -> str:
    line = f"{step.label}: {step.text()}" if step.label else step.text()
    return line.translate(ASCII_MATH) if ascii else line


def derivation_lines(summary: Summary, ascii: bool = False) -> list[str]:
    """Each layer's shape derivation then its count derivation, one step per line."""
    lines = []
    for row in summary.layers:
        steps = list(row.shape_derivation) + list(row.derivation)
        if not steps:
            continue
        lines.append(f"{printable(row.name)} ({printable(row.type)})")
        lines.extend("    " + step_line(step, ascii) for step in steps)
    return lines


def render_table(summary: Summary, ascii: bool = False) -> list[str]:
    box = ASCII if ascii else UNICODE
    heads = columns(summary)
    widths = [max(MIN_WIDTHS[min(i, 2)], len(h)) for i, h in enumerate(heads)]
    rows = [row_cells(r, summary, widths[0]) for r in summary.layers]
    for cells in rows:
        for i, cell in enumerate(cells):
            widths[i] = max(widths[i], *(len(line) for line in cell))

    def rule(chars: str) -> str:
        left, fill, junction, right = chars
        return left + junction.join(fill * (w + 2) for w in widths) + right

    def line(values: list[str], bar: str) -> str:
        # The first columns are left-aligned, the counts right-aligned, as in Keras.
        padded = [v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return bar + bar.join(f" {p} " for p in padded) + bar

    out = [rule(box.top), line(heads, box.header), rule(box.under_header)]
    for n, cells in enumerate(rows):
        if n:
            out.append(rule(box.between))
        for k in range(max(len(c) for c in cells)):
            out.append(line([c[k] if k < len(c) else "" for c in cells], box.body))
    out.append(rule(box.bottom))
    return out


def render_text(summary: Summary, *, derivations: bool = False, ascii: bool = False) -> str:
    """The whole text summary, ending with a newline."""
    lines = [title(summary), *render_table(summary, ascii)]
    lines.extend(" " + t for t in totals(summary))
    if derivations:
        steps = derivation_lines(summary, ascii)
        if steps:
            lines += ["", "Derivations:", *("  " + s for s in steps)]
    return "\n".join(lines) + "\n"
