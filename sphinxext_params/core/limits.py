"""Limits that keep any layer list, however hostile, cheap to count."""

#: Most layers one model may have (a 10,000-layer directive must still build).
MAX_LAYERS = 10_000

#: Largest dimension a layer's output may have: the language's integer limit
#: (``language.MAX_INT``), so that sizes stay far below what any number formatting
#: refuses, however many layers multiply them (Flatten, UpSampling, ...).
MAX_DIMENSION = 10**12


def check_output_shape(layer, shape) -> None:
    """Refuse an output shape with a dimension beyond MAX_DIMENSION (or below zero), located at the layer."""
    if type(shape) is tuple and all(d is None or (type(d) is int and 0 <= d <= MAX_DIMENSION) for d in shape):
        return  # the usual case, without the walk below
    for dim in _dimensions(shape):
        if dim < 0:
            layer.fail(f"the output would have a negative size ({dim})",
                       hint="the input is too small for this layer's kernel, strides or cropping")
        if dim > MAX_DIMENSION:
            size = f"{dim:,}" if dim < 10**30 else f"about 10^{int(dim.bit_length() * 0.30103)}"
            layer.fail(f"an output dimension of {size} is larger than the limit of {MAX_DIMENSION:,}",
                       kind="limit", hint="no real model has tensors this large")


def _dimensions(shape):
    if isinstance(shape, (list, tuple)):
        for item in shape:
            yield from _dimensions(item)
    elif isinstance(shape, int) and not isinstance(shape, bool):
        yield shape
