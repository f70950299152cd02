"""The ``params_*`` configuration values, checked once at ``config-inited``.

A bad value is a ``params.option`` warning and falls back to the default, so a typo in
``conf.py`` never crashes a build (and ``-W`` still fails it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sphinx.util import logging

from ..core import FRAMEWORKS
from ..core.summary import DTYPE_BYTES
from ..render.docutils_nodes import COLUMNS, DEFAULT_COLUMNS, DERIVATION_MODES, SEPARATORS

logger = logging.getLogger(__name__)


class OptionError(ValueError):
    """A bad option or config value; the message says what is allowed."""


def choice(values: tuple) -> Callable[[Any], Any]:
    def check(value):
        if isinstance(value, str):
            value = value.strip().lower()
        if value not in values:
            raise OptionError(f"{value!r} is not one of " + ", ".join(repr(v) for v in values))
        return value
    return check


def framework(value):
    """``keras``, ``pytorch``, or None / ``auto`` to detect it from the layer list."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "auto")):
        return None
    return choice(FRAMEWORKS)(value)


def columns(value) -> tuple[str, ...]:
    """A subset of the columns, in order: a list or a comma/space separated string."""
    if isinstance(value, str):
        items = [v for v in value.replace(",", " ").split()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise OptionError(f"{value!r} is not a list of columns")
    if not items:
        raise OptionError("no columns given")
    out: list[str] = []
    for item in items:
        key = str(item).strip().lower()
        if key not in COLUMNS:
            raise OptionError(f"{item!r} is not a column; the columns are " + ", ".join(COLUMNS))
        if key in out:
            raise OptionError(f"the column {key!r} is given twice")
        out.append(key)
    return tuple(out)


def separator(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or value not in SEPARATORS:
        raise OptionError(f"{value!r} is not a thousands separator; use one of "
                          + ", ".join(repr(s) for s in SEPARATORS))
    return value


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    raise OptionError(f"{value!r} is not True or False")


@dataclass(frozen=True)
class ConfigValue:
    name: str
    default: Any
    check: Callable[[Any], Any]
    doc: str


CONFIG_VALUES = (
    ConfigValue("params_framework", None, framework,
                "keras, pytorch, or None to tell from the layer list (nn.Linear(...) is PyTorch)"),
    ConfigValue("params_dtype", "float32", choice(tuple(DTYPE_BYTES)),
                "the dtype the memory sizes in the footer are computed for"),
    ConfigValue("params_derivations", "params", choice(DERIVATION_MODES),
                "which derivations to show under each table: none, params, shapes or all"),
    ConfigValue("params_columns", DEFAULT_COLUMNS, columns,
                "the table's columns, in order: " + ", ".join(COLUMNS)),
    ConfigValue("params_thousands_separator", ",", separator,
                "how counts are grouped: ',' gives 7,850; '' gives 7850"),
    ConfigValue("params_derivations_open", False, boolean,
                "HTML: show the derivations expanded instead of collapsed"),
)


def add_config_values(app) -> None:
    for value in CONFIG_VALUES:
        # No types= here: check_config below validates and falls back with a params.option warning.
        app.add_config_value(value.name, value.default, "env", description=value.doc)


def check_config(app, config) -> None:
    """``config-inited``: replace every bad params_* value by its default, with a warning."""
    for value in CONFIG_VALUES:
        given = getattr(config, value.name)
        try:
            checked = value.check(given)
        except OptionError as exc:
            logger.warning("config value %s: %s; using the default %r", value.name, exc, value.default,
                           type="params", subtype="option")
            checked = value.default
        setattr(config, value.name, checked)


def setup_config(app) -> None:
    add_config_values(app)
    # Before Sphinx's own type check (priority 800), so that it sees the corrected values.
    app.connect("config-inited", check_config, priority=400)
