"""Converters for layer arguments: each checks a literal and returns the value to use.

They raise :class:`~.layer.ArgError`; the layer adds its name and the argument's place.
"""

from __future__ import annotations

import functools

from .layer import ArgError


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _describe(v) -> str:
    return f"{v!r} ({type(v).__name__})"


def anything(v):
    return v


def integer(v):
    if not _is_int(v):
        raise ArgError(f"must be an integer, not {_describe(v)}")
    return v


def positive_int(v):
    if not _is_int(v):
        raise ArgError(f"must be a positive integer, not {_describe(v)}")
    if v <= 0:
        raise ArgError(f"must be a positive integer, not {v}", hint="sizes start at 1")
    return v


def non_negative_int(v):
    if not _is_int(v) or v < 0:
        raise ArgError(f"must be an integer >= 0, not {_describe(v)}")
    return v


def boolean(v):
    if not isinstance(v, bool):
        raise ArgError(f"must be True or False, not {_describe(v)}")
    return v


def number(v):
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ArgError(f"must be a number, not {_describe(v)}")
    return v


def number_in(minimum=None, maximum=None):
    """A number within [minimum, maximum] (either bound may be open-ended): rates, slopes."""
    def convert(v):
        v = number(v)
        if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
            low = "" if minimum is None else f"{minimum} <= "
            high = "" if maximum is None else f" <= {maximum}"
            raise ArgError(f"must be a number with {low}x{high}, not {v!r}")
        return v
    return convert


def string(v):
    if not isinstance(v, str):
        raise ArgError(f"must be a string, not {_describe(v)}")
    return v


def one_of(*choices, lower: bool = False):
    def convert(v):
        key = v.lower() if lower and isinstance(v, str) else v
        if key not in choices:
            raise ArgError(f"must be one of {', '.join(repr(c) for c in choices)}, not {v!r}")
        return key
    return convert


def optional(convert):
    def optional_convert(v):
        return None if v is None else convert(v)
    return optional_convert


@functools.lru_cache(maxsize=None, typed=True)  # a few (n, minimum) pairs, asked for by every layer
def ints(n: int, *, minimum: int = 1, name: str = "integers"):
    """An int or a tuple of ``n`` ints, each >= ``minimum``: kernel sizes, strides, dilations."""
    def convert(v):
        if _is_int(v):
            values = (v,) * n
        elif isinstance(v, (tuple, list)) and len(v) == n and all(_is_int(x) for x in v):
            values = tuple(v)
        else:
            raise ArgError(f"must be an integer or a tuple of {n} integers, not {v!r}")
        if any(x < minimum for x in values):
            raise ArgError(f"must be >= {minimum}, got {v!r}")
        return values
    return convert


def pairs(n: int):
    """Padding/cropping: an int, a tuple of n ints (symmetric), or n (before, after) pairs."""
    def convert(v):
        if _is_int(v):
            out = ((v, v),) * n
        elif isinstance(v, (tuple, list)) and len(v) == n and all(_is_int(x) for x in v):
            out = tuple((x, x) for x in v)
        elif (isinstance(v, (tuple, list)) and len(v) == n and
              all(isinstance(p, (tuple, list)) and len(p) == 2 and all(_is_int(x) for x in p) for p in v)):
            out = tuple((p[0], p[1]) for p in v)
        elif n == 1 and isinstance(v, (tuple, list)) and len(v) == 2 and all(_is_int(x) for x in v):
            out = ((v[0], v[1]),)
        else:
            raise ArgError(f"must be an integer, a tuple of {n} integers or {n} (before, after) pairs, not {v!r}")
        if any(x < 0 for p in out for x in p):
            raise ArgError(f"must not be negative, got {v!r}")
        return out
    return convert


def shape(v, *, allow_none: bool = True, allow_minus_one: bool = False):
    """A shape tuple: positive ints (and None where allowed)."""
    if _is_int(v):
        v = (v,)
    if not isinstance(v, (tuple, list)):
        raise ArgError(f"must be a tuple of sizes, not {v!r}", hint="write e.g. shape=(28, 28)")
    out = []
    for d in v:
        if d is None and allow_none:
            out.append(None)
        elif _is_int(d) and (d > 0 or (allow_minus_one and d == -1)):
            out.append(d)
        else:
            raise ArgError(f"must hold positive sizes{' or None' if allow_none else ''}, got {d!r} in {tuple(v)!r}")
    return tuple(out)


def axis(v):
    if not _is_int(v):
        raise ArgError(f"must be an integer axis, not {_describe(v)}")
    return v


def axes(v):
    """An axis or a tuple/list of axes."""
    if _is_int(v):
        return (v,)
    if isinstance(v, (tuple, list)) and all(_is_int(x) for x in v):
        return tuple(v)
    raise ArgError(f"must be an axis or a tuple of axes, not {v!r}")
