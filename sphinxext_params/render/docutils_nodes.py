"""A :class:`~sphinxext_params.core.summary.Summary` as standard docutils nodes.

The summary table is a plain ``nodes.table`` and every derivation a ``nodes.math_block``,
so every docutils/Sphinx writer (HTML, LaTeX, text, man, texinfo, ...) renders them
without help.  Nothing here imports Sphinx: the Sphinx glue
(:mod:`sphinxext_params.extension`) adds what only Sphinx knows (ids registered in the
document, the collapsible container, LaTeX column alignment).

All user text (layer names, captions) goes into ``nodes.Text``, never through a parser,
so it can never become markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from docutils import nodes

from ..core.expr import Num, Step
from ..core.summary import LayerSummary, Summary
from ..errors import ParamsError

#: Column key -> (header, right-aligned).  ``layer`` shows "name (Type)" unless ``type``
#: is a column of its own, when it shows the name only.
COLUMNS: dict[str, tuple[str, bool]] = {
    "layer": ("Layer (type)", False),
    "type": ("Type", False),
    "output": ("Output Shape", False),
    "params": ("Param #", True),
    "trainable": ("Trainable #", True),
    "weights": ("Weights", False),
    "buffers": ("Buffers #", True),
}
DEFAULT_COLUMNS = ("layer", "output", "params")
DERIVATION_MODES = ("none", "params", "shapes", "all")
#: Thousands separators a count may be written with (``7,850``, ``7 850``, ``7850`` ...).
SEPARATORS = (",", ".", " ", "\u202f", "\u2009", "'", "_", "")
#: Classes the Sphinx glue and the CSS rely on.
NUMBER_CLASS = "params-num"
#: Past this many derivation entries a summary writes them as plain text, not math: a browser
#: typesets thousands of equations slowly, even folded away.
MAX_MATH_ENTRIES = 500


def format_count(n: int, separator: str = ",") -> str:
    """``7850`` as ``7,850`` (or with another thousands separator)."""
    return f"{n:,}".replace(",", separator)


def _latex_separator(separator: str) -> str:
    """What stands for the thousands separator inside math (``{,}`` keeps TeX from spacing a comma)."""
    return {",": "{,}", ".": "{.}", " ": r"\,", "\u202f": r"\,", "\u2009": r"\,", "'": "{'}",
            "_": r"\_", "": ""}.get(separator, "{,}")


#: Signs of labels that are math: LaTeX writers get them as math commands (pdflatex knows
#: neither ``γ`` nor ``→`` in text); every other writer shows the Unicode character.
_MATH_SIGNS = {"\u00d7": r"\times", "\u00b7": r"\cdot", "\u2212": "-", "\u230a": r"\lfloor", "\u230b": r"\rfloor",
               "\u2308": r"\lceil", "\u2309": r"\rceil", "\u2264": r"\le", "\u2265": r"\ge", "\u2192": r"\to",
               "\u2190": r"\leftarrow", "\u2211": r"\sum", "\u221a": r"\surd", "\u2026": r"\ldots",
               "\u2248": r"\approx", "\u2260": r"\neq", "\u221e": r"\infty", "\u2208": r"\in"}
_SUBSCRIPTS = {chr(0x2080 + i): str(i) for i in range(10)}
_SUPERSCRIPTS = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3",
                 **{chr(0x2070 + i): str(i) for i in range(4, 10)}}
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


def math_sign(char: str) -> str | None:
    """The LaTeX math for a non-ASCII sign (``γ`` -> ``\\gamma``, ``₁`` -> ``_{1}``), or None."""
    if char in _MATH_SIGNS:
        return _MATH_SIGNS[char]
    if char in _SUBSCRIPTS:
        return "_{" + _SUBSCRIPTS[char] + "}"
    if char in _SUPERSCRIPTS:
        return "^{" + _SUPERSCRIPTS[char] + "}"
    name = unicodedata.name(char, "")
    if name.startswith("GREEK SMALL LETTER ") and name.count(" ") == 3:
        letter = name.rsplit(" ", 1)[1].lower().replace("lamda", "lambda")
        return "o" if letter == "omicron" else "\\" + letter
    if name.startswith("GREEK CAPITAL LETTER ") and name.count(" ") == 3:
        letter = name.rsplit(" ", 1)[1].capitalize().replace("Lamda", "Lambda")
        if letter in _GREEK_CAPITALS:
            return "\\" + letter
    return None


def with_math_signs(text: str) -> list[nodes.Node]:
    """``weight γ × C`` as Text and inline math nodes (``weight ``, ``\\gamma``, ...), for LaTeX."""
    out: list[nodes.Node] = []
    run: list[str] = []
    for char in text:
        sign = math_sign(char) if ord(char) > 127 else None
        if sign is None:
            run.append(char)
            continue
        if run:
            out.append(nodes.Text("".join(run)))
            run = []
        out.append(nodes.math(sign, sign))
    if run:
        out.append(nodes.Text("".join(run)))
    return out


def step_latex(step: Step, separator: str = ",") -> str:
    """One derivation step as LaTeX, with the chosen thousands separator."""
    return step.latex().replace("{,}", _latex_separator(separator))


def step_text(step: Step, separator: str = ",") -> str:
    """One derivation step as Unicode text, for writers without math (text, man, epub)."""
    return re.sub(r"(?<=\d),(?=\d{3})", separator, step.text())


def symbol_latex(symbol: str) -> str:
    """A step's symbol (``N_kernel``) as LaTeX, the way :meth:`Step.latex` writes it."""
    return Step(symbol, Num(0)).symbol_latex()


def _paragraph(*children, classes=()) -> nodes.paragraph:
    return nodes.paragraph("", "", *children, classes=list(classes))


def _text(text: str) -> nodes.Text:
    return nodes.Text(text)


@dataclass
class Rendering:
    """How to render one summary: the choices a directive's options and the config make."""

    columns: tuple[str, ...] = DEFAULT_COLUMNS
    derivations: str = "params"
    separator: str = ","
    docname: str = ""  # stamped on math nodes, as Sphinx's math directive does
    #: The id of the summary; every other id is derived from it.
    base_id: str = "params-summary"
    caption: list[nodes.Node] | None = None  # already-parsed inline nodes of the caption
    #: layer name -> its slug in ids (filled by :func:`layer_slugs`).
    slugs: dict[str, str] = field(default_factory=dict)
    #: Derivations as plain text instead of math (set for very large models).
    plain_math: bool = False
    #: The node class of a plain-text derivation (the Sphinx glue gives HTML a faster one).
    plain_block: type[nodes.literal_block] = nodes.literal_block

    def fmt(self, n: int) -> str:
        return format_count(n, self.separator)

    def row_id(self, row: LayerSummary) -> str:
        # "--": make_id never makes it, so no layer's derivation id can equal another's row id.
        return f"{self.base_id}--{self.slugs[row.name]}"

    def derivation_id(self, row: LayerSummary) -> str:
        return f"{self.base_id}-{self.slugs[row.name]}"


def layer_slugs(summary: Summary, make_id: Callable[[str], str] = nodes.make_id) -> dict[str, str]:
    """A unique, deterministic id-safe slug per layer name (``dense_1`` -> ``dense-1``)."""
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for row in summary.layers:
        if row.name in slugs:
            continue
        base = make_id(row.name)
        if not base or not row.name[:1].isalpha():  # PyTorch's "0", "1": ids start with a letter
            base = make_id(f"layer-{row.name}") or "layer"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        slugs[row.name] = slug
    return slugs


def derivation_steps(row: LayerSummary, mode: str) -> tuple[list[Step], list[Step]]:
    """The parameter steps and the shape steps a derivation entry shows in ``mode``."""
    params = list(row.derivation) if mode in ("params", "all") and row.params else []
    shapes = list(row.shape_derivation) if mode in ("shapes", "all") else []
    return params, shapes


def has_entry(row: LayerSummary, mode: str) -> bool:
    params, shapes = derivation_steps(row, mode)
    return bool(params or shapes)


# -- the table ------------------------------------------------------------------------------
def _entry(*children, classes=(), morecols: int = 0) -> nodes.entry:
    entry = nodes.entry("", *children, classes=list(classes))
    if morecols:
        entry["morecols"] = morecols
    return entry


def weight_shape(shape) -> str:
    """A weight's shape as Python writes a tuple: ``(784, 10)``, ``(10,)``, ``()``."""
    dims = [str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _weights_cell(row: LayerSummary) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    for i, w in enumerate(row.weights):
        if i:
            parts.append(_text(", "))
        parts.append(nodes.literal(w.name, w.name))
        note = " buffer" if w.buffer else ("" if w.trainable else " frozen")
        parts.append(_text(f" {weight_shape(w.shape)}{note}"))
    return parts


def _cell(key: str, row: LayerSummary, r: Rendering, columns: tuple[str, ...], first: bool) -> nodes.entry:
    numeric = COLUMNS[key][1]
    classes = [f"params-col-{key}"] + ([NUMBER_CLASS] if numeric else [])
    if key == "layer":
        name: nodes.Node
        if has_entry(row, r.derivations):
            # The name links down to the layer's derivation, which links back up to its first row.
            name = nodes.reference(row.name, row.name, refid=r.derivation_id(row),
                                   ids=[r.row_id(row)] if first else [], internal=True,
                                   classes=["params-layer-link"])
        else:
            name = _text(row.name)
        children = [name] if "type" in columns else [name, _text(f" ({row.type})")]
        return _entry(_paragraph(*children), classes=classes)
    value = {
        "type": lambda: row.type,
        "output": lambda: row.output_shape_text,
        "params": lambda: r.fmt(row.params),
        "trainable": lambda: r.fmt(row.trainable),
        "buffers": lambda: r.fmt(row.buffers),
    }.get(key)
    if value is None:  # weights
        return _entry(_paragraph(*_weights_cell(row)), classes=classes)
    return _entry(_paragraph(_text(value())), classes=classes)


def _column_width(key: str, summary: Summary, r: Rendering, columns) -> int:
    """A width in characters that fits the column's content (writers like text use it)."""
    header = COLUMNS[key][0] if not (key == "layer" and "type" in columns) else "Layer"
    widths = [len(header)]
    for row in summary.layers:
        if key == "layer":
            widths.append(len(row.name) + (0 if "type" in columns else len(row.type) + 3))
        elif key == "type":
            widths.append(len(row.type))
        elif key == "output":
            widths.append(len(row.output_shape_text))
        elif key == "weights":
            widths.append(sum(len(w.name) + len(weight_shape(w.shape)) + 10 for w in row.weights))
        else:
            widths.append(len(r.fmt(getattr(row, key))))
    return max(1, min(max(widths), 60))


def footer_lines(summary: Summary, r: Rendering) -> list[tuple[str, int, str]]:
    """Keras's footer: (label, count, memory size) for total, trainable, non-trainable (+ buffers)."""
    lines = [("Total params", summary.total_params),
             ("Trainable params", summary.trainable_params),
             ("Non-trainable params", summary.non_trainable_params)]
    if summary.framework == "pytorch":
        lines.append(("Buffers", summary.buffers))
    return [(label, n, summary.memory(n)) for label, n in lines]


def summary_table(summary: Summary, r: Rendering) -> nodes.table:
    """The summary table: one row per layer, then the totals spanning the full width."""
    columns = tuple(r.columns) or DEFAULT_COLUMNS
    r.slugs = r.slugs or layer_slugs(summary)
    table = nodes.table(classes=["params-summary"])
    if r.caption:
        table += nodes.title("", "", *r.caption)
    tgroup = nodes.tgroup(cols=len(columns))
    table += tgroup
    for key in columns:
        tgroup += nodes.colspec(colwidth=_column_width(key, summary, r, columns),
                                classes=[f"params-col-{key}"])
    head_row = nodes.row()
    for key in columns:
        header, numeric = COLUMNS[key]
        if key == "layer" and "type" in columns:
            header = "Layer"
        head_row += _entry(_paragraph(_text(header)),
                           classes=[f"params-col-{key}"] + ([NUMBER_CLASS] if numeric else []))
    tgroup += nodes.thead("", head_row)
    body = nodes.tbody()
    seen: set[str] = set()
    for row in summary.layers:
        first = row.name not in seen
        seen.add(row.name)
        body += nodes.row("", *(_cell(key, row, r, columns, first) for key in columns), classes=["params-layer"])
    for i, (label, n, memory) in enumerate(footer_lines(summary, r)):
        text = _paragraph(_text(f"{label}: {r.fmt(n)} ({memory})"))
        classes = ["params-footer"] + (["params-footer-first"] if i == 0 else [])
        body += nodes.row("", _entry(text, morecols=len(columns) - 1), classes=classes)
    tgroup += body
    return table


# -- the derivations ------------------------------------------------------------------------
def footer_as_lines(table: nodes.table) -> nodes.line_block | None:
    """Take the totals rows out of ``table`` as a line block, for writers without cell spans (man)."""
    rows = [row for row in table.findall(nodes.row) if "params-footer" in row["classes"]]
    if not rows:
        return None
    block = nodes.line_block(classes=["params-footer"])
    for row in rows:
        block += nodes.line(row.astext(), row.astext())
        row.parent.remove(row)
    return block


def math_block(steps: list[Step], r: Rendering, classes=()) -> nodes.Element:
    """Derivation steps as one display-math block, one equation per step, aligned on ``=``.

    Sphinx's writers read blank-line separated parts as an aligned set of equations (HTML
    via MathJax, LaTeX via ``aligned``).  ``params_text`` keeps the Unicode form for
    writers without math.
    """
    text = "\n".join(step_text(s, r.separator) for s in steps)
    if r.plain_math:
        return r.plain_block(text, text, language="text", classes=list(classes))
    latex = "\n\n".join(aligned_latex(steps, r.separator))
    node = nodes.math_block(latex, latex, classes=list(classes), docname=r.docname, number=None,
                            label=None, nowrap=False)
    node["no-wrap"] = False
    node["params_text"] = text
    return node


def aligned_latex(steps: list[Step], separator: str) -> list[str]:
    """Each step as aligned lines: ``N &= u (i + 1)`` then ``&= 10 × (784 + 1) = 7,850``.

    The formula and its numbers on separate lines keep an equation narrow enough for a
    phone (MathJax does not break display math) and still read as one chain of ``=``.
    """
    sep = _latex_separator(separator)
    lines = []
    for step in steps:
        symbol, *forms = [form.replace("{,}", sep) for form in step.latex_parts()]
        if len(forms) <= 2:
            lines.append(f"{symbol} &= " + " = ".join(forms))
        else:
            lines.append(f"{symbol} &= {forms[0]}")
            lines.append("&= " + " = ".join(forms[1:]))
    return lines


def step_legend(steps: list[Step], plain: bool = False) -> nodes.Element | None:
    """What the steps' symbols stand for (``N_ff``: the feed-forward network), in words.

    Kept out of the equations so that they stay short enough for a page; the symbol is
    inline math (``params_text`` has its plain form).
    """
    labelled = [s for s in steps if s.label]
    if not labelled:
        return None
    legend = nodes.bullet_list(classes=["params-legend"], bullet="-")
    for step in labelled:
        if plain:
            symbol: nodes.Node = nodes.literal(step.symbol, step.symbol)
        else:
            symbol = nodes.math(symbol_latex(step.symbol), symbol_latex(step.symbol))
            symbol["params_text"] = step.symbol
        legend += nodes.list_item("", _paragraph(symbol, _text(": " + step.label), classes=["params-step-label"]))
    return legend


def derivation_entry(row: LayerSummary, r: Rendering) -> nodes.container | None:
    """One layer's derivation: a heading linking back to its row, then the math."""
    params, shapes = derivation_steps(row, r.derivations)
    if not (params or shapes):
        return None
    entry = nodes.container(classes=["params-derivation"])
    back = nodes.reference(row.name, row.name, refid=r.row_id(row), ids=[r.derivation_id(row)],
                           internal=True, classes=["params-layer-link"])
    # One text node after the link: a 10,000-layer model has 10,000 of these headings.
    after = f" ({row.type})" + (f": {r.fmt(row.params)} parameter{'s' if row.params != 1 else ''}" if params else "")
    entry += _paragraph(back, _text(after), classes=["params-derivation-title"])
    for steps, kind in ((params, "params"), (shapes, "shapes")):
        if not steps:
            continue
        if kind == "shapes":
            entry += _paragraph(_text("Output shape " + row.output_shape_text), classes=["params-derivation-shape"])
        entry += math_block(steps, r, classes=[f"params-math-{kind}"])
        legend = step_legend(steps, r.plain_math)
        if legend is not None:
            entry += legend
    return entry


def derivation_entries(summary: Summary, r: Rendering) -> list[nodes.container]:
    r.slugs = r.slugs or layer_slugs(summary)
    r.plain_math = sum(has_entry(row, r.derivations) for row in summary.layers) > MAX_MATH_ENTRIES
    entries = []
    seen: set[str] = set()
    for row in summary.layers:
        if row.name in seen:  # a layer shared by several calls has one derivation
            continue
        seen.add(row.name)
        entry = derivation_entry(row, r)
        if entry is not None:
            entries.append(entry)
    return entries


# -- errors ---------------------------------------------------------------------------------
def error_box(error: ParamsError, heading: str = "model-summary") -> nodes.error:
    """The visible box that takes the table's place when the layer list is wrong."""
    box = nodes.error(classes=["params-error"])
    where = f" (line {error.line} of the layer list)" if error.line else ""
    box += _paragraph(nodes.strong(heading, heading), _text(f"{where}: {error.message}"))
    loc = error.location
    if loc is not None and loc.source_line:
        source = loc.source_line.rstrip()
        column = loc.column
        if len(source) > 200:  # a pasted 1 MB line must not flood the page
            start = max(0, column - 100)
            source, column = source[start:start + 200], column - start
        text = source + ("\n" + " " * (column - 1) + "^" if column else "")
        box += nodes.literal_block(text, text, language="text", classes=["params-error-source"])
    if error.hint:
        box += _paragraph(_text(f"Hint: {error.hint}"), classes=["params-error-hint"])
    return box


__all__ = ["COLUMNS", "DEFAULT_COLUMNS", "DERIVATION_MODES", "SEPARATORS", "Rendering", "format_count",
           "summary_table", "derivation_entries", "derivation_entry", "math_block", "error_box",
           "layer_slugs", "has_entry", "step_latex", "step_text", "step_legend", "footer_lines",
           "with_math_signs", "math_sign", "aligned_latex"]
