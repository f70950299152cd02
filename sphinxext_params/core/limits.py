"""Limits that keep any layer list, however hostile, cheap to count."""

#: Most layers one model may have (a 10,000-layer directive must still build).
MAX_LAYERS = 10_000
