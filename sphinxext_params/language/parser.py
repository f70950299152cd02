"""Parse a layer list with :mod:`ast` into the inert tree of :mod:`.nodes`.

The text is parsed, never executed: only a whitelist of syntax is accepted
(calls, names, literals, lists, integer arithmetic), everything else is refused
with a located :class:`~sphinxext_params.errors.ParamsError`.  Limits on size,
nesting and integers keep any text, however hostile, cheap to reject.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import itertools
import re
import textwrap
import warnings

from ..errors import Location, ParamsError
from . import nodes

#: Longest accepted layer list, in characters.
MAX_CHARS = 1_000_000
#: Deepest accepted nesting of calls, lists and arithmetic.
MAX_DEPTH = 64
#: Largest accepted integer anywhere (literal or the result of arithmetic).
MAX_INT = 10**12
#: Most tokens (names, numbers, words of strings, punctuation marks) in one layer list.
#: CPython's parser needs a few microseconds per token, so a megabyte of ``[1,1,1,...]``
#: would take seconds; a 10,000-layer model written ``x = Dense(8, activation="relu")(x)``
#: has 150,000.
MAX_TOKENS = 200_000
#: Most calls in one layer list: two per layer (``x = Dense(8)(x)``, ``model.add(Dense(8))``)
#: for the 10,000 layers of ``core.limits.MAX_LAYERS``, and some to spare.
MAX_CALLS = 21_000
#: Most values in one literal tuple or list (a shape, a list of axes): far more than any
#: argument needs, and few enough that no shape computation over them can be slow.
MAX_ITEMS = 1_000
#: A long list is parsed in pieces of about this many lines, each cut before a line that
#: starts a statement (see :func:`_parse_in_pieces`): CPython's parser costs more per line
#: the longer the text (10,000 lines took 1.3 to 1.5 times as long as 20 pieces of 500), and
#: each piece's syntax tree is freed as soon as it is converted.
PIECE_LINES = 500
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

#: Built-in functions that run or reach into code; a layer list never needs them.  (They
#: would only ever be looked up as unknown layers, but saying why is clearer.)
UNSAFE_NAMES = frozenset({"eval", "exec", "compile", "getattr", "setattr", "delattr", "globals", "locals",
                          "vars", "open", "breakpoint", "exit", "quit"})

_new_tuple = tuple.__new__

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
    _check_encodable(text, lines)
    _check_token_count(text, lines)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParamsError("the layer list contains a NUL character", kind="syntax",
                          location=Location(line, 0, lines[line - 1]))
    if len(lines) > PIECE_LINES:
        program = _parse_in_pieces(lines)
        if program is not None:
            return program
    try:
        with _quiet_parser():
            tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        line = exc.lineno or 1
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        message = exc.msg or "invalid syntax"
        if "integer string conversion" in message:  # CPython refuses literals of over 4,300 digits
            raise ParamsError(f"an integer has too many digits; the limit is {MAX_INT:,}", kind="limit",
                              location=Location(line, 0, source),
                              hint="layer sizes are far smaller than this") from None
        if "detected at line" in message:
            message = message.split(" (", 1)[0]
        raise ParamsError(f"not valid Python syntax: {message}", kind="syntax",
                          location=Location(line, exc.offset or 0, source),
                          hint="check brackets, quotes and commas; " + LAYER_LIST_HINT) from None
    except (RecursionError, MemoryError, ValueError):
        # CPython's own parser gives up on absurd nesting (a chain of 10,000 operators) this way.
        line = _first_unreadable_line(lines)
        raise ParamsError(f"the layer list is nested more than {MAX_DEPTH} levels deep", kind="limit",
                          location=Location(line, 0, lines[line - 1]),
                          hint="a layer list needs only a few levels of nesting") from None
    return _Converter(lines).program(tree)


@contextlib.contextmanager
def _quiet_parser():
    """CPython's remarks on the text ("invalid escape sequence", "invalid decimal literal")
    stay unsaid: they are not the reader's business, and ``-W error`` would turn them into
    SyntaxErrors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _cuts(lines: tuple[str, ...]) -> list[int]:
    """Line indexes where the text may be cut into pieces: about every PIECE_LINES lines,
    before a line that starts with a name at column 0 (a new statement, if the lines before
    it are complete, which parsing the piece then proves)."""
    cuts, index = [0], PIECE_LINES
    while index < len(lines):
        first = lines[index][:1]
        if first.isalpha() or first == "_":
            cuts.append(index)
            index += PIECE_LINES
        else:
            index += 1
    cuts.append(len(lines))
    return cuts


def _parse_in_pieces(lines: tuple[str, ...]) -> nodes.Program | None:
    """The program of a long text, parsed and converted piece by piece; None when a piece
    does not parse on its own, so that the whole text is parsed and any syntax error is
    CPython's own, for the whole text.

    A piece that parses is a run of complete statements: it starts at column 0 after
    complete statements (no open bracket, string or continuation line can cross the cut,
    or the piece before would not have parsed), so the whole text's tree is the pieces'
    trees one after another, their line numbers shifted.
    """
    cuts = _cuts(lines)
    converter = _Converter(lines)
    statements: list[nodes.Statement] = []
    for start, end in zip(cuts, cuts[1:]):
        tree = _parse_piece(lines, start, end)
        if tree is None:
            return None
        converter.offset = start
        try:
            statements.extend(converter.statements(tree))
        except ParamsError:
            # The whole text's syntax errors come before any other: only when every later
            # piece parses is this the first error of the text.
            if any(_parse_piece(lines, a, b) is None for a, b in zip(cuts, cuts[1:]) if a > start):
                return None
            raise
        del tree  # free this piece's syntax tree before parsing the next
    return nodes.Program(tuple(statements), lines)


def _parse_piece(lines: tuple[str, ...], start: int, end: int):
    try:
        with _quiet_parser():
            return ast.parse("\n".join(lines[start:end]), mode="exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None


def _check_encodable(text: str, lines: tuple[str, ...]) -> None:
    """Refuse lone surrogates (text decoded with ``surrogateescape``): CPython's parser cannot read them."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        raise ParamsError(f"the layer list contains {text[exc.start]!r}, which is not a character",
                          kind="syntax", location=Location(line, column, lines[line - 1].encode(
                              "utf-8", "replace").decode("utf-8")),
                          hint="the text was probably decoded from bytes that are not UTF-8") from None


#: What counts as a token for MAX_TOKENS: a run of word characters or one other visible character.
#: Inside strings and comments this over-counts, which only matters near the limit.
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _check_token_count(text: str, lines: tuple[str, ...]) -> None:
    """Refuse, before CPython parses it, a text whose parse alone could take longer than a second."""
    if len(text) <= MAX_TOKENS:  # every token is at least one character long
        return
    if _TOKEN.subn("", text)[1] <= MAX_TOKENS:
        return
    past = next(itertools.islice(_TOKEN.finditer(text), MAX_TOKENS, None))
    line = text.count("\n", 0, past.start()) + 1
    raise ParamsError(f"the layer list has more than {MAX_TOKENS:,} tokens", kind="limit",
                      location=Location(line, 0, lines[line - 1]), hint="split the model into smaller lists")


def _first_unreadable_line(lines: tuple[str, ...]) -> int:
    """The first line that CPython's parser cannot read on its own for its nesting (else 1).

    Only called after the whole text failed that way; each line is parsed once more, so
    this costs about as much as the first attempt.
    """
    for number, line in enumerate(lines, 1):
        try:
            ast.parse(line.strip())
        except (RecursionError, MemoryError, ValueError):
            return number
        except SyntaxError:
            pass  # a line of a statement spanning several lines
    return 1


class _Converter:
    def __init__(self, lines: tuple[str, ...]) -> None:
        self.lines = lines
        #: Per line number: its text, and for a line with non-ASCII text the UTF-8 byte offset at
        #: which each character starts (None for ASCII, where bytes are characters).
        self.line_info: dict[int, tuple[str, list[int] | None]] = {}
        self.calls = 0
        #: Lines before the piece of text being converted (see _parse_in_pieces).
        self.offset = 0

    # -- locations ---------------------------------------------------------------
    def loc(self, node: ast.AST) -> Location:
        """Where a node is, in characters (ast counts UTF-8 bytes; messages count characters).

        The column comes in O(log n) from a table made once per line, so that a 1 MB line
        holding 100,000 calls costs no more than 100,000 short lines.
        """
        line = node.lineno + self.offset  # every statement, expression and keyword has a lineno
        info = self.line_info.get(line)
        if info is None:
            info = self.line_info[line] = self.describe_line(line)
        source, starts = info
        offset = node.col_offset
        column = offset + 1 if starts is None else bisect.bisect_right(starts, offset)
        return _new_tuple(Location, (line, column, source))  # Location(...) without its Python-level __new__

    def describe_line(self, line: int) -> tuple[str, list[int] | None]:
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if source.isascii():
            return source, None
        starts, position = [], 0
        for char in source:
            starts.append(position)
            position += len(char.encode("utf-8"))
        return source, starts

    def fail(self, node: ast.AST, message: str, *, kind: str = "syntax", hint: str | None = None):
        raise ParamsError(message, kind=kind, location=self.loc(node), hint=hint)

    # -- statements --------------------------------------------------------------
    def program(self, tree: ast.Module) -> nodes.Program:
        return nodes.Program(tuple(self.statements(tree)), self.lines)

    def statements(self, tree: ast.Module) -> list[nodes.Statement]:
        statements = []
        for stmt in tree.body:
            converted = self.statement(stmt)
            if converted is not None:
                statements.append(converted)
        return statements

    def statement(self, stmt: ast.stmt):
        where = self.loc(stmt)
        if type(stmt) is ast.Assign:  # first: x = Dense(8)(x) is the most common statement
            if len(stmt.targets) != 1:
                self.fail(stmt, "chained assignment (a = b = ...) is not supported",
                          hint="assign each layer or tensor to one name")
            return nodes.Assign(where, self.targets(stmt.targets[0]), self.expr(stmt.value, 0))
        if isinstance(stmt, ast.Expr) and _is_super_init(stmt.value):
            return None  # ``super().__init__()`` from a pasted ``__init__``: nothing to count
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                return None  # a docstring or a stray string: harmless, ignored
            return nodes.Expression(where, self.expr(stmt.value, 0))
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
        if type(target) is ast.Name:  # x = ..., by far the most common
            return (self.expr(target, 0),)
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
        # Exact types, most frequent first: ast.parse makes no subclasses, and this runs
        # for every name, number and call of the list.
        node_type = type(node)
        if node_type is ast.Constant:
            return nodes.Literal(self.loc(node), self.constant(node))
        if node_type is ast.Call:
            return self.call(node, depth)
        if node_type is ast.Name:
            self.check_name(node, node.id)
            if node.id in UNSAFE_NAMES:
                self.fail(node, f"{node.id}() is not allowed: a layer list is read, never run", kind="unsafe",
                          hint="a layer list uses layer names, variables and keyword arguments only")
            return nodes.Name(self.loc(node), (node.id,))
        if isinstance(node, ast.Attribute):
            self.check_name(node, node.attr)
            base = self.expr(node.value, depth)
            if isinstance(base, nodes.Name):
                return nodes.Name(base.location, base.parts + (node.attr,))
            return nodes.Attribute(self.loc(node), base, node.attr)
        if isinstance(node, (ast.Tuple, ast.List)):
            elements = node.elts
            if len(elements) <= MAX_ITEMS and all(type(e) is ast.Constant for e in elements):
                # A shape or a kernel size, such as (3, 3): no node per item is needed.
                values = [self.constant(e) for e in elements]
                return nodes.Literal(self.loc(node), tuple(values) if isinstance(node, ast.Tuple) else values)
            items = tuple([self.expr(e, depth) for e in elements])
            kind = "tuple" if isinstance(node, ast.Tuple) else "list"
            if all([type(i) is nodes.Literal for i in items]):
                if len(items) > MAX_ITEMS:
                    self.fail(node, f"a {kind} of {len(items):,} values is longer than the limit of {MAX_ITEMS:,}",
                              kind="limit", hint="shapes and axes have a few values each")
                values = [i.value for i in items]
                return nodes.Literal(self.loc(node), tuple(values) if kind == "tuple" else list(values))
            return nodes.Sequence(self.loc(node), items, kind)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                self.fail(node, "**-unpacking in a dict is not allowed", kind="unsafe")
            keys = tuple(self.constant_of(k, depth) for k in node.keys)
            values = tuple(self.expr(v, depth) for v in node.values)
            if all(isinstance(v, nodes.Literal) for v in values):
                return nodes.Literal(self.loc(node), dict(zip(keys, (v.value for v in values))))
            return nodes.Mapping(self.loc(node), keys, values)
        if isinstance(node, ast.BinOp):
            return nodes.Literal(self.loc(node), self.arithmetic(node, depth))
        if isinstance(node, ast.UnaryOp):
            operand = self.constant_of(node.operand, depth)
            if isinstance(node.op, (ast.USub, ast.UAdd)) and _is_number(operand):
                return nodes.Literal(self.loc(node), -operand if isinstance(node.op, ast.USub) else operand)
            self.fail(node, "only a minus sign may stand before a number", hint="write a plain number")
        if isinstance(node, ast.Subscript):
            value = self.expr(node.value, depth)
            index = self.constant_of(node.slice, depth) if not isinstance(node.slice, ast.Slice) else None
            if not isinstance(index, int) or isinstance(index, bool):
                self.fail(node, "only an integer index such as outputs[0] is allowed",
                          hint="pick one output of a layer with [0], [1], ...")
            return nodes.Subscript(self.loc(node), value, index)
        word = _REFUSED.get(type(node), f"a {type(node).__name__} expression")
        kind = "unsafe" if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
                                             ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                                             ast.JoinedStr, ast.Starred)) else "syntax"
        self.fail(node, f"{word} is not allowed in a layer list", kind=kind,
                  hint="arguments are numbers, strings, True/False/None, tuples and lists")

    def call(self, node: ast.Call, depth: int) -> nodes.Call:
        self.calls += 1
        if self.calls > MAX_CALLS:
            self.fail(node, f"the layer list makes more than {MAX_CALLS:,} calls", kind="limit",
                      hint="split the model into smaller lists")
        func = self.expr(node.func, depth)
        args = []
        for a in node.args:
            if type(a) is ast.Starred:
                self.fail(a, "a starred argument (*args) is not allowed", kind="unsafe",
                          hint="write the arguments out")
            args.append(self.expr(a, depth))
        if not node.keywords:
            return nodes.Call(self.loc(node), func, tuple(args))
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
        if type(value) is int and -MAX_INT <= value <= MAX_INT:
            return value
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
        # ``/`` gives a float, as in Python: ``Rescaling(1./255)``, ``Dropout(1 / 3)``; where a
        # size is needed the layer's own check refuses a float.
        ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b,
               ast.Div: lambda a, b: a / b}
        if type(node.op) not in ops:
            symbol = {ast.Pow: "**", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                      ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}.get(type(node.op), "?")
            self.fail(node, f"the operator {symbol} is not allowed", kind="syntax",
                      hint="only + - * / // on numbers are evaluated")
        left = self.constant_of(node.left, depth)
        right = self.constant_of(node.right, depth)
        if not (_is_number(left) and _is_number(right)):
            self.fail(node, "arithmetic is allowed on numbers only", hint="only + - * / // on numbers are evaluated")
        if isinstance(node.op, (ast.FloorDiv, ast.Div)) and right == 0:
            self.fail(node, "division by zero", kind="argument")
        return self.bounded(node, ops[type(node.op)](left, right))


def _is_super_init(node: ast.expr) -> bool:
    """``super().__init__(...)`` or ``super(Net, self).__init__(...)``, and nothing else."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
            and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "super"
            and all(isinstance(a, ast.Name) for a in node.func.value.args))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
