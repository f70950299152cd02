"""Derivations: small arithmetic expressions over named quantities.

A layer states its parameter count as an expression such as ``u * (i + 1)`` built
from :class:`Sym` objects that carry both a symbol and its value.  The same tree
gives the value (so the count and its derivation can never disagree), the symbolic
form ``u (i + 1)``, the substituted form ``10 × (784 + 1)`` and LaTeX for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

# Binding strength, for parentheses: sums < products < atoms.
_SUM, _PRODUCT, _ATOM = 1, 2, 3


def _as_expr(x) -> Expr:
    if isinstance(x, Expr):
        return x
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"derivations hold integers and expressions, not {x!r}")
    return Num(x)


def format_int(n: int) -> str:
    """An integer with thousands separators, as Keras prints counts: ``7,850``."""
    return f"{n:,}"


def _latex_int(n: int) -> str:
    return f"{n:,}".replace(",", "{,}")


class Expr:
    """An arithmetic expression whose leaves are numbers and named quantities."""

    precedence = _ATOM

    @property
    def value(self) -> int:
        raise NotImplementedError

    def text(self) -> str:
        """Symbolic plain text: ``u (i + 1)``."""
        raise NotImplementedError

    def numbers(self) -> str:
        """The same with every symbol replaced by its value: ``10 × (784 + 1)``."""
        raise NotImplementedError

    def latex(self) -> str:
        raise NotImplementedError

    def latex_numbers(self) -> str:
        raise NotImplementedError

    def is_leaf(self) -> bool:
        return False

    # Operators build trees; numbers on either side are wrapped as Num.
    def __add__(self, other):
        return Add(self, _as_expr(other))

    def __radd__(self, other):
        return Add(_as_expr(other), self)

    def __sub__(self, other):
        return Sub(self, _as_expr(other))

    def __rsub__(self, other):
        return Sub(_as_expr(other), self)

    def __mul__(self, other):
        return Mul(self, _as_expr(other))

    def __rmul__(self, other):
        return Mul(_as_expr(other), self)

    def __truediv__(self, other):
        return Div(self, _as_expr(other))

    def __floordiv__(self, other):
        return Floor(Div(self, _as_expr(other)))


@dataclass(frozen=True, eq=False)
class Num(Expr):
    n: int

    @property
    def value(self) -> int:
        return self.n

    def text(self) -> str:
        return format_int(self.n)

    numbers = text

    def latex(self) -> str:
        return _latex_int(self.n)

    latex_numbers = latex

    def is_leaf(self) -> bool:
        return True


@dataclass(frozen=True, eq=False)
class Sym(Expr):
    """A named quantity: ``Sym("u", 10)`` is the number of units, 10."""

    name: str
    n: int

    @property
    def value(self) -> int:
        return self.n

    def text(self) -> str:
        return self.name

    def numbers(self) -> str:
        return format_int(self.n)

    def latex(self) -> str:
        base, _, sub = self.name.partition("_")
        base = base if len(base) == 1 else rf"\mathrm{{{base}}}"
        if not sub:
            return base
        sub = sub if len(sub) == 1 else rf"\mathrm{{{sub}}}"
        return f"{base}_{{{sub}}}"

    def latex_numbers(self) -> str:
        return _latex_int(self.n)

    def is_leaf(self) -> bool:
        return True


@dataclass(frozen=True, eq=False)
class _Binary(Expr):
    left: Expr
    right: Expr
    op_text = ""
    op_latex = ""

    def _wrap(self, side: Expr, render, *, right: bool, latex: bool) -> str:
        inner = render(side)
        # Right operands of - and / need parentheses at equal precedence too.
        strict = right and isinstance(self, (Sub, Div))
        if side.precedence < self.precedence or (strict and side.precedence == self.precedence):
            return rf"\left({inner}\right)" if latex else f"({inner})"
        return inner

    def _render(self, render, op, *, latex: bool) -> str:
        left = self._wrap(self.left, render, right=False, latex=latex)
        right = self._wrap(self.right, render, right=True, latex=latex)
        return f"{left} {op} {right}"

    def text(self) -> str:
        return self._render(lambda e: e.text(), self.op_text, latex=False)

    def numbers(self) -> str:
        return self._render(lambda e: e.numbers(), self.op_text, latex=False)

    def latex(self) -> str:
        return self._render(lambda e: e.latex(), self.op_latex, latex=True)

    def latex_numbers(self) -> str:
        return self._render(lambda e: e.latex_numbers(), self.op_latex, latex=True)


class Add(_Binary):
    precedence = _SUM
    op_text = "+"
    op_latex = "+"

    @property
    def value(self) -> int:
        return self.left.value + self.right.value


class Sub(_Binary):
    precedence = _SUM
    op_text = "\u2212"  # the minus sign, not a hyphen
    op_latex = "-"

    @property
    def value(self) -> int:
        return self.left.value - self.right.value


class Mul(_Binary):
    """A product; symbolically written by juxtaposition (``u i``, ``2H``, ``4 · (…)``)."""

    precedence = _PRODUCT

    @property
    def value(self) -> int:
        return self.left.value * self.right.value

    def _symbolic(self, render, *, latex: bool) -> str:
        left = self._wrap(self.left, render, right=False, latex=latex)
        right = self._wrap(self.right, render, right=True, latex=latex)
        if isinstance(self.left, Num) and isinstance(self.right, Sym):
            return f"{left}{right}"  # a coefficient: 2H
        if isinstance(self.left, Num) or isinstance(self.right, Num):
            return f"{left} \\cdot {right}" if latex else f"{left} \u00b7 {right}"
        return f"{left}\\,{right}" if latex else f"{left} {right}"

    def text(self) -> str:
        return self._symbolic(lambda e: e.text(), latex=False)

    def latex(self) -> str:
        return self._symbolic(lambda e: e.latex(), latex=True)

    def numbers(self) -> str:
        return self._render(lambda e: e.numbers(), "\u00d7", latex=False)

    def latex_numbers(self) -> str:
        return self._render(lambda e: e.latex_numbers(), r"\times", latex=True)


class Div(_Binary):
    """An exact division (``c / g`` for grouped convolutions); see Floor and Ceil."""

    precedence = _PRODUCT
    op_text = "/"
    op_latex = "/"

    @property
    def exact(self) -> Fraction:
        return Fraction(self.left.value, self.right.value)

    @property
    def value(self) -> int:
        q = self.exact
        if q.denominator != 1:
            raise ValueError(f"{self.numbers()} is not a whole number")
        return int(q)


@dataclass(frozen=True, eq=False)
class _Rounded(Expr):
    inner: Div
    marks = ("", "")
    latex_marks = ("", "")

    def _render(self, body: str, latex: bool) -> str:
        a, b = self.latex_marks if latex else self.marks
        return f"{a}{body}{b}"

    def text(self) -> str:
        return self._render(self.inner._render(lambda e: e.text(), "/", latex=False), False)

    def numbers(self) -> str:
        return self._render(self.inner._render(lambda e: e.numbers(), "/", latex=False), False)

    def latex(self) -> str:
        return self._render(self.inner._render(lambda e: e.latex(), "/", latex=True), True)

    def latex_numbers(self) -> str:
        return self._render(self.inner._render(lambda e: e.latex_numbers(), "/", latex=True), True)


class Floor(_Rounded):
    marks = ("\u230a", "\u230b")
    latex_marks = (r"\left\lfloor ", r"\right\rfloor")

    @property
    def value(self) -> int:
        return self.inner.left.value // self.inner.right.value


class Ceil(_Rounded):
    marks = ("\u2308", "\u2309")
    latex_marks = (r"\left\lceil ", r"\right\rceil")

    @property
    def value(self) -> int:
        return -(-self.inner.left.value // self.inner.right.value)


def ceil_div(a, b) -> Ceil:
    return Ceil(Div(_as_expr(a), _as_expr(b)))


def total(terms) -> Expr:
    """The sum of several expressions (at least one)."""
    terms = [_as_expr(t) for t in terms]
    result = terms[0]
    for t in terms[1:]:
        result = result + t
    return result


def product(factors) -> Expr:
    factors = [_as_expr(f) for f in factors]
    result = factors[0]
    for f in factors[1:]:
        result = result * f
    return result


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``N = u (i + 1) = 10 × (784 + 1) = 7,850``.

    ``symbol`` names what is derived (``N``, ``N_kernel``, ``h_out``); ``label``
    says it in words (``kernel``, ``output height``).
    """

    symbol: str
    expr: Expr
    label: str = ""

    @property
    def value(self) -> int:
        return self.expr.value

    def parts(self) -> list[str]:
        """The distinct forms, left to right: symbol, symbolic, substituted, value."""
        forms = [self.symbol]
        for form in (self.expr.text(), self.expr.numbers(), format_int(self.value)):
            if form != forms[-1]:
                forms.append(form)
        return forms

    def text(self) -> str:
        return " = ".join(self.parts())

    def latex_parts(self) -> list[str]:
        """The distinct forms as LaTeX, like :meth:`parts`; the first is the symbol."""
        forms = [self.symbol_latex()]
        for form in (self.expr.latex(), self.expr.latex_numbers(), _latex_int(self.value)):
            if form != forms[-1]:
                forms.append(form)
        return forms

    def symbol_latex(self) -> str:
        return Sym(self.symbol, 0).latex()

    def latex(self) -> str:
        return " = ".join(self.latex_parts())
