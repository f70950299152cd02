"""Keras EinsumDense: a dense layer whose contraction is an einsum equation.

``EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")`` multiplies the
input ``abc`` with a kernel ``cd``.  Each kernel letter takes its size from the output
shape if the output has that letter, else from the input; the bias spans the output
from the first bias letter to the end, with size 1 on the letters not in ``bias_axes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import args as a
from ..expr import Num, Step, Sym, product, total
from ..layer import Arg, ArgError, Weight, format_shape
from .base import KerasLayer, activation_value, register

# The three equation forms Keras accepts, with "..." written as "0" (Keras matches a
# prefix of the equation, so trailing text is ignored as it is in Keras).
_PLAIN = re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)")
_LEFT_ELLIPSIS = re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)")
_RIGHT_ELLIPSIS = re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0")


@dataclass(frozen=True)
class Equation:
    inputs: str
    kernel: str
    outputs: str
    left_elided: bool  # "...ab,bc->...ac": the ellipsis stands for leading axes


def parse_equation(text) -> Equation:
    if not isinstance(text, str):
        raise ArgError(f"must be an einsum equation string such as 'ab,bc->ac', not {text!r}")
    dotted = text.replace("...", "0")
    for pattern, left in ((_PLAIN, False), (_LEFT_ELLIPSIS, True), (_RIGHT_ELLIPSIS, False)):
        match = pattern.match(dotted)
        if match:
            return Equation(*match.groups(), left_elided=left)
    raise ArgError(f"{text!r} is not of the form 'ab,bc->ac', '...b,bc->...c' or 'ab...,bc->ac...'",
                   hint="EinsumDense takes one input and one kernel: input,kernel->output")


def partial_output_shape(v):
    if isinstance(v, int) and not isinstance(v, bool):
        v = (v,)
    try:
        return a.shape(v)
    except ArgError as exc:
        raise ArgError(f"{exc}", hint="the output shape without the batch axis, None for sizes kept "
                                      "from the input") from None


def optional_letters(v):
    if v is None:
        return None
    if not isinstance(v, str) or not v:
        raise ArgError(f"must be a string of output letters such as 'd', not {v!r}")
    return v


@dataclass(frozen=True)
class Analysis:
    output_shape: tuple
    kernel: tuple  # sizes of the kernel letters (None where unknown)
    bias: tuple | None  # (letter or "", size) per bias axis; "" for a broadcast axis of size 1


@register
class EinsumDense(KerasLayer):
    equation = Arg(parse_equation)
    partial_shape = Arg(partial_output_shape, keyword="output_shape")
    activation = Arg(activation_value, None)
    bias_axes = Arg(optional_letters, None)
    kernel_initializer = Arg(a.anything, "glorot_uniform")
    bias_initializer = Arg(a.anything, "zeros")
    kernel_regularizer = Arg(a.anything, None)
    bias_regularizer = Arg(a.anything, None)
    kernel_constraint = Arg(a.anything, None)
    bias_constraint = Arg(a.anything, None)
    lora_rank = Arg(a.optional(a.positive_int), None)
    lora_alpha = Arg(a.anything, None)
    gptq_unpacked_column_size = Arg(a.anything, None)
    quantization_config = Arg(a.anything, None)

    def check(self) -> None:
        if self.lora_rank and self.kernel_constraint:
            self.fail("LoRA cannot be combined with a kernel constraint", kind="argument", arg="lora_rank")

    def analyze(self, shape) -> Analysis:
        """Keras's reading of the equation against one input shape."""
        eq = self.equation
        elided = len(shape) - len(eq.inputs)
        out = [shape[0], *self.partial_shape]  # the batch axis comes from the input
        if elided > 0 and eq.left_elided:
            for i in range(1, elided):
                out.insert(1, shape[i])  # (Keras inserts each at position 1, reversing them)
        elif elided > 0:
            out += shape[len(shape) - elided:]
        offset = elided if eq.left_elided else 0
        # Where each letter sits: input letters index the input (from its end when the
        # ellipsis leads), output letters index the full output shape.
        in_pos = {c: (i + elided - len(shape)) if eq.left_elided else i for i, c in enumerate(eq.inputs)}
        out_pos = {c: i + offset for i, c in enumerate(eq.outputs)}

        def size_at(sizes, pos, what):
            if not -len(sizes) <= pos < len(sizes):
                self.fail(f"the equation {self.equation_text()} has more {what} letters than the "
                          f"{what} shape {format_shape(tuple(sizes))} has axes", arg="equation")
            return sizes[pos]

        for c in eq.inputs:
            n = size_at(shape, in_pos[c], "input")
            if c in out_pos:
                m = size_at(out, out_pos[c], "output")
                if m is not None and m != n:
                    self.fail(f"the letter {c!r} has size {n} in the input but {m} in output_shape",
                              arg="output_shape", hint=f"give None or {n} for that axis")
        for c in eq.outputs:
            if c not in eq.inputs and c not in eq.kernel:
                self.fail(f"the output letter {c!r} is in neither the input nor the kernel", arg="equation")
        kernel = []
        for c in eq.kernel:
            if c in out_pos:
                kernel.append(size_at(out, out_pos[c], "output"))
            elif c in in_pos:
                kernel.append(size_at(shape, in_pos[c], "input"))
            else:
                self.fail(f"the kernel letter {c!r} is in neither the input nor the output", arg="equation",
                          hint="every kernel axis must take its size from the input or the output")
        bias = None
        if self.bias_axes is not None:
            for c in self.bias_axes:
                if c not in eq.outputs:
                    self.fail(f"the bias letter {c!r} is not an output letter of {self.equation_text()}",
                              arg="bias_axes")
            first = min(eq.outputs.find(c) for c in self.bias_axes)
            bias = [(c, size_at(out, eq.outputs.find(c) + offset, "output")) if c in self.bias_axes else ("", 1)
                    for c in eq.outputs[first:]]
            if not eq.left_elided and elided > 0:
                bias += [("", 1)] * elided
            bias = tuple(bias)
        return Analysis(tuple(out), tuple(kernel), bias)

    def equation_text(self) -> str:
        eq = self.equation
        dots = "..."
        if eq.left_elided:
            return f"{dots}{eq.inputs},{eq.kernel}->{dots}{eq.outputs}"
        return f"{eq.inputs},{eq.kernel}->{eq.outputs}"

    def output_shape(self, shape):
        return self.analyze(shape).output_shape

    def _known(self, sizes, what: str) -> tuple[int, ...]:
        if None in sizes:
            self.fail(f"needs known sizes for the {what}, got {format_shape(tuple(sizes))}",
                      hint="give the sizes in Input(shape=...) or in output_shape")
        return tuple(sizes)

    def weights(self, shape):
        found = self.analyze(shape)
        kernel = self._known(found.kernel, "kernel")
        out = [Weight("kernel", kernel)]
        if found.bias is not None:
            out.append(Weight("bias", self._known([n for _, n in found.bias], "bias")))
        if self.lora_rank:
            out[0] = out[0].frozen()
            out += [Weight("lora_kernel_a", (*kernel[:-1], self.lora_rank)),
                    Weight("lora_kernel_b", (self.lora_rank, kernel[-1]))]
        return out

    def derivation(self, shape):
        if self.lora_rank:
            return super().derivation(shape)
        found = self.analyze(shape)
        kernel = product([Sym(c, n) for c, n in zip(self.equation.kernel, found.kernel)])
        if found.bias is None:
            return [Step("N", kernel, f"kernel {self.equation.kernel}")]
        factors = [Sym(c, n) for c, n in found.bias if c]
        bias = product(factors) if factors else Num(1)
        return [Step("N_kernel", kernel, f"kernel {self.equation.kernel}"),
                Step("N_bias", bias, f"bias {self.bias_axes}"),
                Step("N", total([Sym("N_kernel", kernel.value), Sym("N_bias", bias.value)]))]
