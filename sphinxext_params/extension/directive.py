"""The ``model-summary`` directive: a layer list in, a summary table and derivations out.

.. code-block:: rst

   .. model-summary:: MNIST softmax regression
      :name: mnist
      :expect-total: 7850

      Input(shape=(28, 28))
      Flatten()
      Dense(10, activation="softmax")

Every problem becomes a ``params.<kind>`` warning at the exact ``docname:line`` of the
offending layer line, and a visible error box in place of the table; the page builds.
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.states import RSTState
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import summarize
from ..core.summary import DTYPE_BYTES, Summary
from ..errors import ParamsError
from ..render import docutils_nodes as render
from . import config as cfg
from .nodes import params_details, params_plain_math, params_summary

logger = logging.getLogger(__name__)

#: Each column's share of the line (in %) in LaTeX tables that show weights; the weights
#: column takes what is left.
LATEX_SHARES = {"layer": 27, "type": 13, "output": 17, "params": 12, "trainable": 12, "buffers": 11}


def parse_count(text: str) -> int:
    """``7850``, ``7,850``, ``7_850`` or ``7 850`` as an int."""
    cleaned = re.sub(r"(?<=\d)[,_ '\u202f\u2009](?=\d{3}(\D|$))", "", text.strip())
    if not re.fullmatch(r"\d+", cleaned):
        raise cfg.OptionError(f"{text!r} is not a whole number")
    return int(cleaned)


def register_id(document: nodes.document, wanted: str, node: nodes.Element) -> str:
    """Give ``node`` the id ``wanted`` (or ``wanted-2``, ... if taken) and note it in the document."""
    new, n = wanted, 1
    while new in document.ids:
        n += 1
        new = f"{wanted}-{n}"
    node["ids"].append(new)
    document.ids[new] = node
    return new


class ModelSummary(SphinxDirective):
    """``.. model-summary:: caption`` with a layer list as its body."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    # Every option is read as text and checked here, so a bad value is a located
    # params.option warning with a fallback rather than a docutils error.
    option_spec = {
        "framework": directives.unchanged,
        "input-shape": directives.unchanged,
        "name": directives.unchanged,
        "dtype": directives.unchanged,
        "derivations": directives.unchanged,
        "columns": directives.unchanged,
        "expect-total": directives.unchanged,
        "expect-trainable": directives.unchanged,
        "class": directives.unchanged,
    }

    # -- lines ---------------------------------------------------------------------------------
    def body_line(self, line: int | None) -> int:
        """The document line of ``line`` (1-based) of the layer list.

        docutils counts ``content_offset`` from the document's start (0-based: the first
        content line is document line ``content_offset + 1``); MyST counts it from the line
        after the directive's opening fence (``lineno``), after its options block.
        """
        if not self.content or not line:
            return self.lineno
        line = min(max(line, 1), len(self.content))
        if isinstance(self.state, RSTState):
            return self.content_offset + line
        return self.lineno + self.content_offset + line

    def warn(self, message: str, kind: str, line: int | None = None) -> None:
        logger.warning(message, type="params", subtype=kind,
                       location=(self.env.docname, line or self.lineno))

    # -- options -------------------------------------------------------------------------------
    def option(self, name: str, check, default):
        """The option's checked value, or ``default`` after a params.option warning."""
        if name not in self.options:
            return default
        try:
            return check(self.options[name])
        except cfg.OptionError as exc:
            self.warn(f"model-summary option :{name}: {exc}; using {default!r}", "option")
            return default

    def read_options(self) -> dict:
        config = self.config
        return {
            "framework": self.option("framework", cfg.framework, config.params_framework),
            "dtype": self.option("dtype", cfg.choice(tuple(DTYPE_BYTES)), config.params_dtype),
            "derivations": self.option("derivations", cfg.choice(render.DERIVATION_MODES),
                                       config.params_derivations),
            "columns": self.option("columns", cfg.columns, tuple(config.params_columns)),
            "expect-total": self.option("expect-total", parse_count, None),
            "expect-trainable": self.option("expect-trainable", parse_count, None),
            "class": self.options.get("class", "").split(),
        }

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> list[nodes.Node]:
        options = self.read_options()
        messages: list[nodes.Node] = []
        caption = None
        if self.arguments:
            caption, messages = self.parse_inline(self.arguments[0], lineno=self.lineno)

        # Straight quotes stay straight: the box quotes code, the table names and shapes.
        outer = nodes.container(classes=["params-model", *options["class"]], support_smartquotes=False)
        self.set_source_info(outer)
        name = self.options.get("name", "").strip()
        try:
            if not self.content:
                raise ParamsError("the model-summary directive has no layer list", kind="syntax",
                                  hint="write the layers in the directive's body, one per line")
            summary = summarize("\n".join(self.content), framework=options["framework"],
                                input_shape=self.options.get("input-shape"), dtype=options["dtype"])
        except ParamsError as error:
            outer += self.failed(error, name)
            return [outer, *messages]

        table_id, rendering = self.identify(summary, options, caption, name)
        table = render.summary_table(summary, rendering)
        table["ids"] = []
        self.set_source_info(table)
        if name:
            self.options["name"] = name
            self.add_name(table)  # a target for :ref: and :numref: (numbered like tables)
        if not table["ids"]:
            register_id(self.state.document, table_id, table)
        scroll = nodes.container(classes=["params-scroll"])
        scroll += self.latex_colspec(summary, options["columns"])
        scroll += table
        outer += scroll

        entries = render.derivation_entries(summary, rendering)
        if entries:
            details = params_details(classes=["params-derivations"], open=self.config.params_derivations_open)
            details += params_summary("", "", nodes.strong("Derivations", "Derivations"),
                                      nodes.Text(" of the counts" if options["derivations"] != "shapes"
                                                 else " of the output shapes"))
            details.extend(entries)
            outer += details
        for node in outer.findall(nodes.reference):
            for node_id in node["ids"]:
                self.state.document.ids.setdefault(node_id, node)

        self.check_expectations(summary, options)
        if name:
            self.env.get_domain("params").note_model(self.env.docname, nodes.fully_normalize_name(name),
                                                     self.record(summary, table["ids"][0], rendering, self.lineno))
        return [outer, *messages]

    def failed(self, error: ParamsError, name: str) -> nodes.Node:
        """A located warning, and the error box that takes the table's place."""
        line = self.body_line(error.line) if error.line else self.lineno
        self.warn(error.message + (f" (hint: {error.hint})" if error.hint else ""), error.kind, line)
        if name:
            # Quotes of a broken model stay quiet: its error is reported here, once.
            self.env.get_domain("params").note_model(
                self.env.docname, nodes.fully_normalize_name(name),
                {"lineno": self.lineno, "anchor": "", "error": True, "layers": {}})
        return render.error_box(error)

    def identify(self, summary: Summary, options: dict, caption, name: str):
        """The summary's id and the rendering choices; every id derives from the one id."""
        if name:
            base = "params-" + (nodes.make_id(name) or "model")
        else:
            serial = self.env.new_serialno("params")
            base = f"params-{nodes.make_id(self.env.docname) or 'doc'}-{serial}"
        rendering = render.Rendering(columns=options["columns"], derivations=options["derivations"],
                                     separator=self.config.params_thousands_separator,
                                     docname=self.env.docname, base_id=base, caption=caption,
                                     plain_block=params_plain_math)
        # Derived ids must not collide with others in the page (a section titled like a layer).
        while any(i.startswith(base + "-") for i in self.state.document.ids):
            base += "-x"
        rendering.base_id = base
        return base, rendering

    @staticmethod
    def latex_colspec(summary: Summary, columns) -> list[nodes.Node]:
        """LaTeX column types: counts right-aligned, every column at its natural width —
        unless a weights column is shown: it is the one too long for a line, so then every
        column gets a fixed share of the line and wraps (``\\X{share}{100}``)."""
        if "weights" not in columns:
            return [addnodes.tabular_col_spec(spec="".join("r" if render.COLUMNS[c][1] else "l"
                                                            for c in columns))]
        others = {c: LATEX_SHARES[c] for c in columns if c != "weights"}
        room = sum(others.values())
        if room > 70:  # many columns: the weights keep at least 30% of the line
            others = {c: v * 70 // room for c, v in others.items()}
        shares = {**others, "weights": 100 - sum(others.values())}
        spec = "".join((r">{\raggedleft\arraybackslash}" if render.COLUMNS[c][1] else
                        r">{\raggedright\arraybackslash}") + rf"\X{{{shares[c]}}}{{100}}" for c in columns)
        return [addnodes.tabular_col_spec(spec=spec)]

    def check_expectations(self, summary: Summary, options: dict) -> None:
        """The drift guards: a build warning when the documented count no longer holds."""
        fmt = render.format_count
        for option, actual, what in (("expect-total", summary.total_params, "total"),
                                     ("expect-trainable", summary.trainable_params, "trainable")):
            expected = options[option]
            if expected is not None and expected != actual:
                self.warn(f"the model's {what} parameter count is {fmt(actual)}, but :{option}: says "
                          f"{fmt(expected)} (a difference of {actual - expected:+,})", "expect")

    @staticmethod
    def record(summary: Summary, anchor: str, rendering: render.Rendering, lineno: int) -> dict:
        """What the domain keeps of a named model: plain numbers and anchors (it pickles)."""
        layers = {}
        for row in summary.layers:
            if row.name in layers:
                continue
            layers[row.name] = {
                "params": row.params, "trainable": row.trainable, "non_trainable": row.non_trainable,
                "buffers": row.buffers,
                "anchor": rendering.derivation_id(row) if render.has_entry(row, rendering.derivations) else "",
            }
        return {"lineno": lineno, "anchor": anchor, "error": False, "framework": summary.framework,
                "params": summary.total_params, "trainable": summary.trainable_params,
                "non_trainable": summary.non_trainable_params, "buffers": summary.buffers, "layers": layers}
