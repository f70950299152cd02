"""The one exception type every layer of the project raises for bad input.

It carries where the problem is (line and column in the layer list), the offending
source line and a hint, so that the CLI can print it and the Sphinx glue can turn it
into a warning at the right ``docname:line``.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

#: The kinds of error; the Sphinx glue emits them as ``params.<kind>`` warnings.
KINDS = (
    "syntax",  # not parseable as Python, or Python that is not a layer list
    "unsafe",  # code that tries to do more than describe layers
    "unknown",  # unknown layer, argument or variable
    "argument",  # a known argument with a bad value
    "shape",  # shapes that do not fit together, missing input shape
    "limit",  # text, integers, nesting or layer count beyond the limits
    "expect",  # a drift guard (:expect-total:) that does not hold
    "reference",  # a role that names an unknown model or layer
    "option",  # a bad directive option or config value
)


class Location(NamedTuple):
    """A place in the layer list: 1-based line, 1-based column (0 when unknown).

    A named tuple rather than a frozen dataclass: the parser makes one per syntax node,
    and a tuple is made three times faster.
    """

    line: int
    column: int = 0
    source_line: str = ""


class ParamsError(Exception):
    """Bad input, located in the layer list.

    ``line`` and ``column`` are 1-based and relative to the layer list's text.
    """

    def __init__(self, message: str, *, kind: str = "syntax", location: Location | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        assert kind in KINDS, kind
        self.message = message
        self.kind = kind
        self.location = location
        self.hint = hint

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None

    @property
    def column(self) -> int | None:
        return self.location.column if self.location else None

    def located(self, location: Location | None) -> ParamsError:
        """This error, placed at ``location`` unless it already knows its place."""
        if self.location is None and location is not None:
            self.location = location
        return self

    def format(self, source_name: str = "<layers>") -> str:
        """The full message: place, problem, the source line with a caret, the hint."""
        where = source_name
        if self.location:
            where += f":{self.location.line}"
            if self.location.column:
                where += f":{self.location.column}"
        text = [f"{where}: {self.message}"]
        if self.location and self.location.source_line:
            source = self.location.source_line.rstrip()
            if len(source) > 200:  # a pasted 1 MB line must not flood the build log
                start = max(0, self.location.column - 100)
                source = source[start:start + 200]
                caret = self.location.column - start
            else:
                caret = self.location.column
            text.append(f"    {source}")
            if caret:
                text.append("    " + " " * (caret - 1) + "^")
        if self.hint:
            text.append(f"  hint: {self.hint}")
        return "\n".join(text)

    def __str__(self) -> str:
        return self.format()


def did_you_mean(word: str, choices) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f"did you mean {lowered[word.lower()]!r}? (names are case-sensitive)"
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)]
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return None
