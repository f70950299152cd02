"""The ``params`` domain: every named model of the project, and who quotes it.

Directives record a named model's counts here while reading; ``:params:`` roles record
which models their page quotes and leave a ``pending_xref`` that is resolved at write
time, so a role may quote a model from any page, in any order, in a parallel build.

The data is plain dicts of str and int (it pickles), kept per document so that
``clear_doc`` and ``merge_domaindata`` are exact, and looked up in sorted document
order so that a duplicate name resolves the same way in every build.
"""

from __future__ import annotations

from typing import Any, Iterable

from docutils import nodes
from docutils.nodes import fully_normalize_name
from sphinx.domains import Domain
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from ..render.docutils_nodes import format_count

logger = logging.getLogger(__name__)

#: What ``model:<field>`` may ask for, and the record key that holds it.
FIELDS = {"": "params", "total": "params", "params": "params", "trainable": "trainable",
          "non_trainable": "non_trainable", "non-trainable": "non_trainable", "buffers": "buffers"}


def parse_target(target: str) -> tuple[str, str | None, str]:
    """``mnist/dense:trainable`` -> (``mnist``, ``dense``, ``trainable``); the field is ``params`` by default."""
    field = ""
    head, sep, tail = target.rpartition(":")
    if sep and tail.strip().lower() in FIELDS:
        target, field = head, tail.strip().lower()
    model, sep, layer = target.partition("/")
    return fully_normalize_name(model), (layer.strip() if sep else None), FIELDS[field]


class ParamsDomain(Domain):
    name = "params"
    label = "Parameter counts"
    data_version = 1
    initial_data: dict[str, Any] = {
        "models": {},  # docname -> {model name -> record}
        "quotes": {},  # docname -> sorted model names its roles quote
    }
    #: name -> its definitions in document order, built on first look-up after a change
    #: (not domain data: it is derived from it, and dropped whenever the models change).
    _index: dict[str, list[tuple[str, dict]]] | None = None

    # -- recording (read time) ---------------------------------------------------------------
    @property
    def models(self) -> dict[str, dict[str, dict]]:
        return self.data["models"]

    @property
    def quotes(self) -> dict[str, list[str]]:
        return self.data["quotes"]

    def note_model(self, docname: str, name: str, record: dict) -> None:
        self.models.setdefault(docname, {})[name] = record
        self._index = None

    def note_quote(self, docname: str, model: str) -> None:
        quoted = self.quotes.setdefault(docname, [])
        if model not in quoted:
            quoted.append(model)
            quoted.sort()

    def clear_doc(self, docname: str) -> None:
        self.models.pop(docname, None)
        self.quotes.pop(docname, None)
        self._index = None

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["models"]:
                self.models[docname] = otherdata["models"][docname]
            if docname in otherdata["quotes"]:
                self.quotes[docname] = otherdata["quotes"][docname]
        self._index = None

    # -- looking up ----------------------------------------------------------------------------
    def definitions(self, name: str) -> list[tuple[str, dict]]:
        """Every (docname, record) defining ``name``, in document order."""
        return self.definitions_by_name().get(name, [])

    def definitions_by_name(self) -> dict[str, list[tuple[str, dict]]]:
        """Every model name's definitions, in document order.

        Built once, not per look-up: every role looks a name up, and scanning every page
        for each would make a site's build quadratic in its number of pages.
        """
        if self._index is None:
            index: dict[str, list[tuple[str, dict]]] = {}
            for doc in sorted(self.models):
                for name, record in self.models[doc].items():
                    index.setdefault(name, []).append((doc, record))
            self._index = index
        return self._index

    def find(self, name: str) -> tuple[str, dict] | None:
        found = self.definitions(name)
        return found[0] if found else None

    def all_names(self) -> set[str]:
        return set(self.definitions_by_name())

    def check_consistency(self) -> None:
        """After reading: a model name defined twice is ambiguous for roles."""
        for name in sorted(self.all_names()):
            found = self.definitions(name)
            first_doc, first = found[0]
            for doc, record in found[1:]:
                logger.warning("duplicate model name %r, also defined at %s:%s; roles quote the first",
                               name, first_doc, first["lineno"],
                               type="params", subtype="reference", location=(doc, record["lineno"]))

    def outdated_quoters(self, touched: set[str]) -> set[str]:
        """Documents to re-read because a model they quote may have changed.

        A model defined (before this build) in a touched document may have changed or gone;
        a quote of an unknown model may now resolve, as any touched document may define it.
        """
        names = {name for doc in touched for name in self.models.get(doc, {})}
        known = self.all_names()
        out = set()
        for doc, quoted in self.quotes.items():
            if doc in touched:
                continue
            if any(q in names or q not in known for q in quoted):
                out.add(doc)
        return out

    # -- resolving (write time) ----------------------------------------------------------------
    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        return self.resolve_quote(fromdocname, builder, target, node, warn=True)

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode):
        resolved = self.resolve_quote(fromdocname, builder, target, node, warn=False)
        return [("params:params", resolved)] if resolved is not None else []

    def resolve_quote(self, fromdocname, builder, target, node, *, warn: bool):
        model, layer, field = parse_target(target)
        found = self.find(model)
        problem = None
        if found is None:
            known = sorted(self.all_names())
            problem = f"unknown model {model!r} in :params:`{target}`" + (
                f" (the named models are {', '.join(known[:8])}{', ...' if len(known) > 8 else ''})"
                if known else " (no model-summary has a :name: yet)")
        else:
            docname, record = found
            if record.get("error"):
                # The directive already reported its error; quoting it must not add another.
                return self.unresolved(node, "?")
            counts, anchor = record, record["anchor"]
            if layer is not None:
                counts = record["layers"].get(layer)
                if counts is None:
                    names = list(record["layers"])
                    problem = (f"model {model!r} has no layer {layer!r} in :params:`{target}`; its layers are "
                               + ", ".join(names[:10]) + (", ..." if len(names) > 10 else ""))
                else:
                    anchor = counts.get("anchor") or anchor
        if problem is not None:
            if not warn:
                return None
            logger.warning(problem, type="params", subtype="reference", location=node)
            return self.unresolved(node, target)
        number = format_count(counts[field], self.env.config.params_thousands_separator)
        text = number
        if node.get("refexplicit"):
            title = node["params_title"]
            text = title.replace("{}", number) if "{}" in title else title
        inner = nodes.inline(text, text, classes=["params-count"])
        return make_refnode(builder, fromdocname, docname, anchor, inner, title=f"{model}: {number}")

    @staticmethod
    def unresolved(node, text: str) -> nodes.Node:
        return nodes.inline(text, text, classes=["params-count", "params-unresolved"])
