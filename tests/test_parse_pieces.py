"""A long layer list is parsed in pieces (``language.parser.PIECE_LINES``): the result, and
every error, must be exactly what parsing the whole text at once gives."""

from __future__ import annotations

import random

import pytest

from sphinxext_params import ParamsError
from sphinxext_params.language import parser

LINES = [
    "x = Dense(8)(x)",
    'y = Conv2D(16, (3, 3), padding="same", name="c")(x)',
    "model.add(Dense(4))  # a comment",
    "# a line of comment",
    "",
    "z = Concatenate()([x,\ny])",  # a statement on two lines, the second at column 0
    "w = Add()([\n    x,\n    y,\n])",
    "s = 'text'\nt = \"\"\"a string\nover lines\nending here\"\"\"",
    "u = Dense(3,\n  activation='relu')(x)",
    "v = Dense(2) \\\n  (x)",
    "é = Dense(2)(x)  # ünïcödé",
    "Dense(28 * 28)",
    "Flatten()",
]


def random_text(seed: int, lines: int) -> str:
    rng = random.Random(seed)
    out = ["x = Input(shape=(8,))", "y = x"]
    while sum(part.count("\n") + 1 for part in out) < lines:
        out.append(rng.choice(LINES))
    return "\n".join(out)


def whole(text: str):
    old = parser.PIECE_LINES
    parser.PIECE_LINES = 10**9
    try:
        return parser.parse(text)
    finally:
        parser.PIECE_LINES = old


def outcome(parse, text):
    try:
        return parse(text)
    except ParamsError as exc:
        return ("error", str(exc), exc.kind, exc.location)


@pytest.mark.parametrize("seed", range(12))
def test_pieces_give_the_whole_texts_program(seed):
    text = random_text(seed, 1_800 + 97 * seed)
    pieces = parser._cuts(tuple(text.split("\n")))
    assert len(pieces) > 3  # the text is really cut
    assert outcome(parser.parse, text) == outcome(whole, text)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("fault", [
    "q = (",                       # a syntax error: the whole text's is reported
    "q = lambda v: v",             # refused by the converter
    "q = Dense(8)(x) +",
    "f'{x}'",
    "def f():\n    pass",
    "q = '''unterminated",
])
def test_pieces_give_the_whole_texts_errors(seed, fault):
    rng = random.Random(seed)
    lines = random_text(seed, 1_600).split("\n")
    lines.insert(rng.randrange(len(lines)), fault)
    if seed % 3 == 0:  # and a second fault elsewhere: which one is reported must not change
        lines.insert(rng.randrange(len(lines)), rng.choice(["r = lambda: 0", "r = (", "import os"]))
    text = "\n".join(lines)
    assert outcome(parser.parse, text) == outcome(whole, text)


def test_a_list_of_one_line_statements_is_parsed_in_pieces():
    text = "\n".join(["x = Input(shape=(8,))"] + ["x = Dense(8)(x)", "# ünïcödé", "Flatten()"] * 1_000)
    program = parser._parse_in_pieces(tuple(text.split("\n")))
    assert program is not None and program == whole(text)
    assert program.statements[-1].location.line == 3_001
