"""Parse a layer list with :mod:`ast` into the inert tree of :mod:`.nodes`.

The text is parsed, never executed: only a whitelist of syntax is accepted
(calls, names, literals, lists, integer arithmetic), everything else is refused
with a located :class:`~sphinxext_params.errors.ParamsError`.  Limits on size,
nesting and integers keep any text, however hostile, cheap to reject.
"""

from __future__ import annotations

import ast
import textwrap

from ..errors import Location, ParamsError
from . import nodes

#: Longest accepted layer list, in characters.
MAX_CHARS = 1_000_000
#: Deepest accepted nesting of calls, lists and arithmetic.
MAX_DEPTH = 64
#: Largest accepted integer anywhere (literal or the result of arithmetic).
MAX_INT = 10**12
#: Modules whose import lines may appear (and are ignored) in pasted code.
ALLOWED_IMPORTS = ("keras", "tensorflow", "tf_keras", "torch")

_REFUSED = {
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.IfExp: "a conditional expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.Set: "a set",
    ast.Starred: "a starred argument",
    ast.Slice: "a slice",
}

_STATEMENT_WORDS = {
    ast.FunctionDef: "a function definition (def)",
    ast.AsyncFunctionDef: "a function definition (def)",
    ast.ClassDef: "a class definition",
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.If: "an if statement",
    ast.With: "a with statement",
    ast.AsyncWith: "a with statement",
    ast.Try: "a try statement",
    ast.Raise: "raise",
    ast.Delete: "del",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Return: "return",
    ast.AugAssign: "an augmented assignment",
    ast.AnnAssign: "an annotated assignment",
    ast.Assert: "assert",
    ast.Break: "break",
    ast.Continue: "continue",
}

LAYER_LIST_HINT = "a layer list holds one layer call per line, e.g. Dense(10, activation=\"relu\")"


def normalize(text: str) -> str:
    """Undo what pasting and file encodings do: a BOM, CR/CRLF line ends, common indentation."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return textwrap.dedent(text)


def parse(text: str) -> nodes.Program:
    """Parse a layer list into a :class:`~.nodes.Program`; raise ParamsError on bad input."""
    if not isinstance(text, str):
        raise ParamsError("the layer list must be text", kind="syntax")
    if len(text) > MAX_CHARS:
        raise ParamsError(f"the layer list is {len(text):,} characters long; the limit is {MAX_CHARS:,}",
                          kind="limit", location=Location(1), hint="split the model into smaller lists")
    text = normalize(text)
    lines = tuple(text.split("\n"))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParamsError("the layer list contains a NUL character", kind="syntax",
                          location=Location(line, 0, lines[line - 1]))
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        line = exc.lineno or 1
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        message = (exc.msg or "invalid syntax").split(" (", 1)[0] if "detected at line" in (exc.msg or "") \
            else (exc.msg or "invalid syntax")
        raise ParamsError(f"not valid Python syntax: {message}", kind="syntax",
                          location=Location(line, exc.offset or 0, source),
                          hint="check brackets, quotes and commas; " + LAYER_LIST_HINT) from None
    except (RecursionError, MemoryError, ValueError):
        # CPython's own parser gives up on absurd nesting or integers this way.
        raise ParamsError("the layer list is nested too deeply or holds an integer too large to read",
                          kind="limit", location=Location(1, 0, lines[0] if lines else ""),
                          hint=f"nesting is limited to {MAX_DEPTH} levels") from None
    return _Converter(lines).program(tree)


class _Converter:
    def __init__(self, lines: tuple[str, ...]) -> None:
        self.lines = lines

    # -- locations ---------------------------------------------------------------
    def loc(self, node: ast.AST) -> Location:
        line = getattr(node, "lineno", 1) or 1
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        offset = getattr(node, "col_offset", 0) or 0
        # ast offsets count UTF-8 bytes; messages count characters.
        column = len(source.encode("utf-8")[:offset].decode("utf-8", errors="ignore")) + 1
        return Location(line, column, source)

    def fail(self, node: ast.AST, message: str, *, kind: str = "syntax", hint: str | None = None):
        raise ParamsError(message, kind=kind, location=self.loc(node), hint=hint)

    # -- statements --------------------------------------------------------------
    def program(self, tree: ast.Module) -> nodes.Program:
        statements = []
        for stmt in tree.body:
            converted = self.statement(stmt)
            if converted is not None:
                statements.append(converted)
        return nodes.Program(tuple(statements), self.lines)

    def statement(self, stmt: ast.stmt):
        where = self.loc(stmt)
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                return None  # a docstring or a stray string: harmless, ignored
            return nodes.Expression(where, self.expr(stmt.value, 0))
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1:
                self.fail(stmt, "chained assignment (a = b = ...) is not supported",
                          hint="assign each layer or tensor to one name")
            return nodes.Assign(where, self.targets(stmt.targets[0]), self.expr(stmt.value, 0))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return self.import_(stmt)
        if isinstance(stmt, ast.Pass):
            return None
        word = _STATEMENT_WORDS.get(type(stmt), f"a {type(stmt).__name__} statement")
        kind = "unsafe" if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else "syntax"
        self.fail(stmt, f"{word} is not allowed in a layer list", kind=kind, hint=LAYER_LIST_HINT)

    def import_(self, stmt):
        modules = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
        for module in modules:
            if module.split(".")[0] not in ALLOWED_IMPORTS:
                self.fail(stmt, f"importing {module!r} is not allowed", kind="unsafe",
                          hint="only keras, tensorflow and torch imports may appear; they are ignored")
        return nodes.Import(self.loc(stmt), modules[0], tuple(a.name for a in stmt.names))

    def targets(self, target: ast.expr) -> tuple[nodes.Node, ...]:
        if isinstance(target, (ast.Tuple, ast.List)):
            out = []
            for t in target.elts:
                out.extend(self.targets(t))
            return tuple(out)
        if isinstance(target, (ast.Name, ast.Attribute)):
            converted = self.expr(target, 0)
            if isinstance(converted, nodes.Name):
                return (converted,)
        self.fail(target, "only a name (x = ...), self.attribute = ... or a tuple of names can be assigned to",
                  hint="write e.g. x = Dense(10)(inputs)")

    # -- expressions -------------------------------------------------------------
    def expr(self, node: ast.expr, depth: int) -> nodes.Node:
        if depth > MAX_DEPTH:
            self.fail(node, f"the expression is nested more than {MAX_DEPTH} levels deep", kind="limit",
                      hint="a layer list needs only a few levels of nesting")
        depth += 1
        where = self.loc(node)
        if isinstance(node, ast.Constant):
            return nodes.Literal(where, self.constant(node))
        if isinstance(node, ast.Name):
            self.check_name(node, node.id)
            return nodes.Name(where, (node.id,))
        if isinstance(node, ast.Attribute):
            self.check_name(node, node.attr)
            base = self.expr(node.value, depth)
            if isinstance(base, nodes.Name):
                return nodes.Name(base.location, base.parts + (node.attr,))
            return nodes.Attribute(where, base, node.attr)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = tuple(self.expr(e, depth) for e in node.elts)
            kind = "tuple" if isinstance(node, ast.Tuple) else "list"
            if all(isinstance(i, nodes.Literal) for i in items):
                values = [i.value for i in items]
                return nodes.Literal(where, tuple(values) if kind == "tuple" else list(values))
            return nodes.Sequence(where, items, kind)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                self.fail(node, "**-unpacking in a dict is not allowed", kind="unsafe")
            keys = tuple(self.constant_of(k, depth) for k in node.keys)
            values = tuple(self.expr(v, depth) for v in node.values)
            if all(isinstance(v, nodes.Literal) for v in values):
                return nodes.Literal(where, dict(zip(keys, (v.value for v in values))))
            return nodes.Mapping(where, keys, values)
        if isinstance(node, ast.BinOp):
            return nodes.Literal(where, self.arithmetic(node, depth))
        if isinstance(node, ast.UnaryOp):
            operand = self.constant_of(node.operand, depth)
            if isinstance(node.op, (ast.USub, ast.UAdd)) and _is_number(operand):
                return nodes.Literal(where, -operand if isinstance(node.op, ast.USub) else operand)
            self.fail(node, "only a minus sign may stand before a number", hint="write a plain number")
        if isinstance(node, ast.Subscript):
            value = self.expr(node.value, depth)
            index = self.constant_of(node.slice, depth) if not isinstance(node.slice, ast.Slice) else None
            if not isinstance(index, int) or isinstance(index, bool):
                self.fail(node, "only an integer index such as outputs[0] is allowed",
                          hint="pick one output of a layer with [0], [1], ...")
            return nodes.Subscript(where, value, index)
        word = _REFUSED.get(type(node), f"a {type(node).__name__} expression")
        kind = "unsafe" if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
                                             ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                                             ast.JoinedStr, ast.Starred)) else "syntax"
        self.fail(node, f"{word} is not allowed in a layer list", kind=kind,
                  hint="arguments are numbers, strings, True/False/None, tuples and lists")

    def call(self, node: ast.Call, depth: int) -> nodes.Call:
        func = self.expr(node.func, depth)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                self.fail(a, "a starred argument (*args) is not allowed", kind="unsafe",
                          hint="write the arguments out")
            args.append(self.expr(a, depth))
        kwargs = []
        seen = set()
        for k in node.keywords:
            if k.arg is None:
                self.fail(k.value, "**kwargs is not allowed", kind="unsafe", hint="write the keyword arguments out")
            self.check_name(k, k.arg)
            if k.arg in seen:
                self.fail(k, f"the argument {k.arg!r} is given twice")
            seen.add(k.arg)
            kwargs.append((k.arg, self.expr(k.value, depth)))
        return nodes.Call(self.loc(node), func, tuple(args), tuple(kwargs))

    def check_name(self, node: ast.AST, name: str) -> None:
        if name.startswith("__") or name.endswith("__"):
            self.fail(node, f"the name {name!r} is not allowed (dunder names are refused)", kind="unsafe",
                      hint="a layer list uses layer names, variables and keyword arguments only")

    # -- literals and arithmetic ---------------------------------------------------
    def constant(self, node: ast.Constant):
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
            return value
        if isinstance(value, int):
            return self.bounded(node, value)
        self.fail(node, f"{type(value).__name__} literals are not allowed",
                  hint="arguments are numbers, strings, True/False/None, tuples and lists")

    def constant_of(self, node: ast.expr, depth: int):
        converted = self.expr(node, depth)
        if not isinstance(converted, nodes.Literal):
            self.fail(node, "a literal value is needed here", hint="write a number or a string")
        return converted.value

    def bounded(self, node: ast.AST, value):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            self.fail(node, f"the integer is larger than the limit of {MAX_INT:,}", kind="limit",
                      hint="layer sizes are far smaller than this")
        return value

    def arithmetic(self, node: ast.BinOp, depth: int):
        ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b}
        if type(node.op) not in ops:
            symbol = {ast.Pow: "**", ast.Div: "/", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                      ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}.get(type(node.op), "?")
            hint = "use // for integer division" if symbol == "/" else "only + - * // on numbers are evaluated"
            self.fail(node, f"the operator {symbol} is not allowed", kind="syntax", hint=hint)
        left = self.constant_of(node.left, depth)
        right = self.constant_of(node.right, depth)
        if not (_is_number(left) and _is_number(right)):
            self.fail(node, "arithmetic is allowed on numbers only", hint="only + - * // on numbers are evaluated")
        if isinstance(node.op, ast.FloorDiv) and right == 0:
            self.fail(node, "division by zero", kind="argument")
        if isinstance(node.op, ast.Mult) and isinstance(left, float) != isinstance(right, float):
            pass  # a float times an int stays small; ints are bounded below
        return self.bounded(node, ops[type(node.op)](left, right))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
