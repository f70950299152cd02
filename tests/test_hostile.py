"""Hostile layer lists (issue 5): each gives a located ParamsError or a correct summary,
within a second and bounded memory, and nothing in it is ever executed.

- *Nothing executed*: a Python audit hook records every runtime event while a text is
  counted (process spawns, file opens, imports, exec/eval of code, ...); only the events
  parsing itself raises are allowed.  The texts also try to create a marker file.
- *Under a second*: CPU seconds of the counting thread (``time.thread_time``), after a
  garbage collection of earlier texts' leftovers, so that other processes on a busy CI
  machine (or torch's worker threads) do not make the bound flaky; the requirement is
  about the work a text can cause.
- *Bounded memory*: the peak of ``tracemalloc`` during a second run, under 200 MB.
- *Correct summary*: where the text is a valid model, it must match real Keras.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from sphinxext_params import ParamsError, summarize
from sphinxext_params.core.limits import MAX_DIMENSION, MAX_LAYERS
from sphinxext_params.language import MAX_CHARS, MAX_DEPTH, MAX_INT, MAX_ITEMS, MAX_TOKENS

TIME_LIMIT = 1.0  # CPU seconds per text
MEMORY_LIMIT = 200 * 2**20  # bytes, the tracemalloc peak per text

MARKER = Path(__file__).resolve().parent / "HOSTILE_TEXT_WAS_EXECUTED"
TOUCH = f"touch {MARKER}"

# -- watching for execution ----------------------------------------------------------------------

#: Audit events that reading a text raises by itself: CPython's parser, and id() of our own code.
ALLOWED_EVENTS = {"compile", "builtins.id", "sys._getframe", "object.__getattr__"}
_watch = {"active": False, "events": []}


def _audit(event: str, args) -> None:
    if not _watch["active"] or event in ALLOWED_EVENTS:
        return
    if event == "import" and str(args[0]).startswith("sphinxext_params"):
        return  # a lazily imported module of the product itself
    if event == "open" and args[0] == "<unknown>":
        return  # CPython looks for the source of a SyntaxError in the (nonexistent) file it parsed
    _watch["events"].append((event, repr(args)[:200]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; inactive outside `attempt`


def attempt(text: str, **options):
    """Count ``text``; return (Summary or ParamsError, CPU seconds, forbidden events)."""
    gc.collect()  # the garbage of earlier texts is not this text's work
    _watch["events"] = []
    _watch["active"] = True
    start = time.thread_time()
    try:
        result = summarize(text, **options)
    except ParamsError as exc:
        result = exc
    finally:
        seconds = time.thread_time() - start
        _watch["active"] = False
    return result, seconds, list(_watch["events"])


def peak_memory(text: str, **options) -> int:
    tracemalloc.start()
    try:
        try:
            summarize(text, **options)
        except ParamsError:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    # Import everything counting needs (both frameworks), so lazy imports don't count as events.
    summarize("Input(shape=(4,))\nDense(2)")
    summarize("nn.Linear(4, 2)")
    MARKER.unlink(missing_ok=True)
    yield
    MARKER.unlink(missing_ok=True)


def check(text: str, *, error: bool | None = True, memory: bool = False, **options):
    """Assert the hostile-input contract for ``text``; return the Summary or ParamsError.

    ``error=True``: must be refused; ``False``: must be counted; ``None``: either.
    """
    result, seconds, events = attempt(text, **options)
    assert not MARKER.exists(), "the text was executed"
    assert events == [], f"runtime events while counting: {events}"
    assert seconds < TIME_LIMIT, f"{seconds:.2f} s of CPU"
    if isinstance(result, ParamsError):
        assert error is not False, result.format()
        assert result.line is not None and result.line >= 1, result.format()
        text_lines = text.split("\n")
        if result.line <= len(text_lines) and result.location.source_line:
            readable = text.lstrip("\ufeff").replace("\r\n", "\n").encode("utf-8", "replace").decode("utf-8")
            assert result.location.source_line.strip() in readable
        message = result.format("hostile.txt")
        assert message.startswith(f"hostile.txt:{result.line}")
        assert len(message) < 2000  # no text floods a build log, whatever it holds
    else:
        assert error is not True, f"expected an error, got a summary of {len(result.layers)} rows"
        result.to_dict()  # and it renders
    if memory:
        assert peak_memory(text, **options) < MEMORY_LIMIT
    return result


# -- code execution attempts ---------------------------------------------------------------------

EXECUTION = {
    "__import__": f'__import__("os").system("{TOUCH}")',
    "__import__ as an argument": f'Input(shape=(4,))\nDense(__import__("os").system("{TOUCH}"))',
    "eval": f"eval('__import__(\"os\").system(\"{TOUCH}\")')",
    "exec": f"exec('import os; os.system(\"{TOUCH}\")')",
    "eval as an argument": "Input(shape=(4,))\nDense(eval('3'))",
    "getattr": f"getattr(__builtins__, 'eval')('__import__(\"os\").system(\"{TOUCH}\")')",
    "getattr without dunders": "Input(shape=(4,))\nx = getattr(keras, 'layers')",
    "dunder attribute": "().__class__.__base__.__subclasses__()",
    "dunder on a layer": "Input(shape=(4,))\nDense(3).__init__.__globals__",
    "dunder keyword": "Input(shape=(4,))\nDense(3, __class__=1)",
    "lambda": f'Input(shape=(4,))\nDense(3, activation=lambda x: __import__("os").system("{TOUCH}"))',
    "list comprehension": f'[__import__("os").system("{TOUCH}") for _ in [1]]',
    "generator": f'Sequential(Dense(i) for i in (__import__("os").system("{TOUCH}"),))',
    "dict comprehension": "Input(shape=(4,))\nDense(3, name={k: k for k in 'ab'})",
    "f-string": f'Input(shape=(4,))\nDense(3, name=f"{{__import__(\'os\').system(\'{TOUCH}\')}}")',
    "walrus": 'Input(shape=(4,))\nDense((n := __import__("os")))',
    "decorator": f'@__import__("os").system\ndef f(): pass',
    "decorator on a class": "@dataclass\nclass Model:\n    units: int = 3",
    "class": f'class A:\n    x = __import__("os").system("{TOUCH}")',
    "def": f'def f():\n    __import__("os").system("{TOUCH}")\nf()',
    "async def": "async def f():\n    await g()",
    "import os": f'import os\nos.system("{TOUCH}")',
    "from os import": f'from os import system\nsystem("{TOUCH}")',
    "import subprocess": 'import subprocess\nsubprocess.run(["ls"])',
    "import inside keras": f'from keras import backend\nimport os.path',
    "open": f'open("{MARKER}", "w").write("x")',
    "os through a keras prefix": f'keras.os.system("{TOUCH}")',
    "attribute chain on unknown": f'os.system("{TOUCH}")',
    "method on a string": f'"{TOUCH}".format()',
    "globals": "globals()['x'] = 1",
    "breakpoint": "breakpoint()",
    "starred args": "Input(shape=(4,))\nDense(*[3])",
    "kwargs": "Input(shape=(4,))\nDense(**{'units': 3})",
    "yield": "yield Dense(3)",
    "raise": "raise SystemExit(1)",
    "del": "x = 1\ndel x",
    "global": "global x",
    "try": "try:\n    Dense(3)\nexcept Exception:\n    pass",
    "with": f'with open("{MARKER}", "w") as f:\n    pass',
    "assert": "assert False",
    "conditional": "Input(shape=(4,))\nDense(3 if __debug__ else 4)",
    "slice": "Input(shape=(4,))\nx = Dense(3)[0:1]",
    "keras load_model": 'keras.models.load_model("model.keras")',
    "keras get_file": 'keras.utils.get_file("x", "http://example.com/x")',
    "torch load": 'torch.load("model.pt")',
    "torch hub": 'torch.hub.load("pytorch/vision", "resnet18")',
    "pickle": 'import pickle\npickle.loads(b"")',
    "builtins module": "import builtins",
    "importlib": 'import importlib\nimportlib.import_module("os")',
    "print": 'Input(shape=(4,))\nDense(print("hello"))',
}


@pytest.mark.parametrize("name", sorted(EXECUTION))
def test_code_execution_attempts_are_refused(name):
    check(EXECUTION[name], error=True)


def test_nothing_ran_even_for_accepted_pasted_code(tmp_path):
    # Training calls are ignored, never run: the model summary is still the right one.
    text = f'model = Sequential([Input(shape=(4,)), Dense(2)])\nmodel.fit(x, y)\nmodel.save("{MARKER}")\n'
    summary = check(text, error=False)
    assert summary.total_params == summarize("Input(shape=(4,))\nDense(2)").total_params


# -- resource attacks ----------------------------------------------------------------------------------

def test_power_towers_are_never_evaluated():
    for text in ("Input(shape=(4,))\nDense(10**10**10)", "Input(shape=(4,))\nDense(9**9**9)",
                 "Input(shape=(4,))\nDense(2**63)", "Input(shape=(4,))\nReshape((10**6, 10**6, 10**6))"):
        error = check(text, memory=True)
        assert "operator ** is not allowed" in error.message and error.line == 2


def test_huge_integers():
    for number in (2**63, MAX_INT + 1, 10**100):
        error = check(f"Input(shape=(4,))\nDense({number})")
        assert error.kind == "limit" and error.line == 2
    error = check("Input(shape=(4,))\nDense(" + "9" * 5000 + ")", memory=True)
    assert error.kind == "limit" and error.line == 2
    error = check("Input(shape=(4,))\nDense(" + " * ".join(["1000000"] * 3) + ")")
    assert error.kind == "limit"


def test_arithmetic_that_grows():
    error = check("Input(shape=(4,))\nDense(" + " * ".join(["999"] * 60) + ")")
    assert error.kind == "limit" and error.line == 2
    error = check("Input(shape=(4,))\nDense(1" + " + 1" * 100_000 + ")", memory=True)
    assert error.kind == "limit" and error.line == 2


def test_a_one_megabyte_line():
    name = "a" * (2**20)
    error = check(f'Input(shape=(4,))\nDense(3, name="{name}")', memory=True)
    assert error.kind == "limit" and f"{MAX_CHARS:,}" in error.message
    # Just under the limit it is a valid model, counted at once.
    name = "a" * (MAX_CHARS - 100)
    summary = check(f'Input(shape=(4,))\nDense(3, name="{name}")', error=False, memory=True)
    assert summary.layers[0].name == name and summary.total_params == 15


@pytest.mark.parametrize("body", ["Dense(1),", "Dense(1, name='\u00e9'),", "1,", "(1, 1),", "x,", '"a",', "{1: 2},"])
def test_a_megabyte_of_tokens_on_one_line(body):
    text = "Input(shape=(4,))\nSequential([" + body * (MAX_CHARS // len(body) - 100) + "])"
    error = check(text, memory=True)
    assert error.kind == "limit" and error.line == 2


def test_a_hundred_thousand_layers():
    error = check("Input(shape=(4,))\n" + "Dense(4)\n" * 100_000, memory=True)
    assert error.kind == "limit"
    error = check("Input(shape=(4,))\nSequential([" + "Dense(4), " * 99_000 + "])", memory=True)
    assert error.kind == "limit" and error.line == 2
    error = check("Input(shape=(4,))\nSequential([" + "Dense(4), " * 100_000 + "])")
    assert error.kind == "limit" and f"{MAX_CHARS:,}" in error.message


def test_ten_thousand_layers_are_counted():
    text = "Input(shape=(4,))\n" + "Dense(4)\n" * MAX_LAYERS
    summary = check(text, error=False, memory=True)
    assert len(summary.layers) == MAX_LAYERS
    assert summary.total_params == MAX_LAYERS * summarize("Input(shape=(4,))\nDense(4)").total_params
    error = check(text + "Dense(4)\n")
    assert error.kind == "limit" and error.line == MAX_LAYERS + 2


def test_the_layer_limit_holds_for_every_form():
    functional = "x = Input(shape=(4,))\n" + "x = Dense(4)(x)\n" * (MAX_LAYERS + 1)
    assert check(functional).kind == "limit"
    added = "model = Sequential()\nmodel.add(Input(shape=(4,)))\n" + "model.add(Dense(4))\n" * (MAX_LAYERS + 1)
    assert check(added).kind == "limit"
    torch = "nn.Sequential(\n" + "    nn.Linear(4, 4),\n" * (MAX_LAYERS + 1) + ")"
    assert check(torch).kind == "limit"


@pytest.mark.parametrize("opening, closing", [("(", ")"), ("[", "]"), ("{1: ", "}"), ("Dense(", ")"),
                                              ("Sequential([", "])"), ("-", ""), ("not ", ""), ("lambda: ", ""),
                                              ("x.", "y"), ("f(", ")(x)")])
def test_nesting_ten_thousand_deep(opening, closing):
    text = "Input(shape=(4,))\nx = " + opening * 10_000 + "1" + closing * 10_000
    error = check(text, memory=True)
    assert error.kind in ("limit", "syntax", "unsafe") and error.line == 2


def test_nesting_just_beyond_the_limit():
    text = "Input(shape=(4,))\nDense(" + "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1) + ")"
    error = check(text)
    assert error.kind == "limit" and error.line == 2 and error.column


def test_deep_subscripts_and_attribute_chains():
    check("x = Input(shape=(4,))\ny = x" + "[0]" * 10_000)
    check("Input(shape=(4,))\nkeras" + ".layers" * 100_000 + ".Dense(3)", memory=True)


def test_reshape_to_a_quintillion_elements():
    # Reshape to 10**18 elements is a valid shape; the next layer that would need that many
    # values in one dimension is refused.
    text = "Input(shape=(1000000, 1000000, 1000000))\nReshape((1000000000000, 1000000))\nFlatten()\nDense(10)"
    error = check(text, memory=True)
    assert error.kind == "limit" and error.line == 3 and f"{MAX_DIMENSION:,}" in error.message
    error = check("Input(shape=(4,))\nReshape((1000000, 1000000, 1000000))")
    assert error.kind == "shape" and error.line == 2


def test_sizes_that_grow_layer_after_layer():
    text = "Input(shape=(8, 8, 3))\n" + "UpSampling2D(size=1000)\n" * 50
    error = check(text, memory=True)
    assert error.kind == "limit" and error.line == 5  # 8 × 1000⁴ = 8 × 10¹² is the first size too large
    text = "Input(shape=(" + ", ".join(["1000"] * 40) + "))\nFlatten()\nDense(10)"
    assert check(text).kind == "limit"


def test_big_but_finite_counts_are_exact():
    summary = check("Input(shape=(4,))\nEmbedding(1000000000000, 1000000000000)", error=False)
    assert summary.total_params == 10**24
    assert "1,000,000,000,000,000,000,000,000" in summary.layers[0].derivation[-1].text()


def test_long_literal_lists():
    error = check("Input(shape=(" + "1, " * (MAX_ITEMS + 1) + "))")
    assert error.kind == "limit" and error.line == 1
    check("Input(shape=(4,))\nDense(3, name=[" + "1, " * 60_000 + "])", memory=True)


def test_token_limit_is_checked_before_parsing():
    text = "x\n" * (MAX_TOKENS + 10)
    error = check(text)
    assert error.kind == "limit" and error.line == MAX_TOKENS + 1


# -- malformed text -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line", [
    ("Input(shape=(4,))\nDense(3", 2), ("Input(shape=(4,))\nDense(3))", 2), ("Input(shape=(4,)\nDense(3)", 1),
    ("Sequential([Dense(3)\nInput(shape=(4,))", 1), ("Input(shape=(4,))\nDense(3]", 2), ("]\n", 1),
    ('Input(shape=(4,))\nDense(3, name="x)', 2), ("Input(shape=(4,))\nDense(3, name='''x)", 2),
])
def test_unbalanced_brackets_and_quotes(text, line):
    error = check(text)
    assert error.kind == "syntax" and error.line == line, error.format()


def test_tabs_mixed_with_spaces():
    error = check("Input(shape=(4,))\nif x:\n\tDense(3)\n        Dense(4)\n")
    assert error.kind == "syntax" and error.line in (2, 4)
    error = check("Input(shape=(4,))\n\tDense(3)\n")
    assert error.kind == "syntax" and error.line == 2
    # Indentation common to every line (pasted from an indented block) is removed, tabs too.
    assert check("\tInput(shape=(4,))\n\tDense(3)\n", error=False).total_params == 15


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_other_line_endings(newline):
    text = newline.join(["Input(shape=(784,))", "# a comment", "Dense(10)", ""])
    assert check(text, error=False).to_dict() == summarize("Input(shape=(784,))\nDense(10)").to_dict()
    error = check(newline.join(["Input(shape=(784,))", "Dense(10)", "Denze(3)"]))
    assert error.line == 3


def test_byte_order_mark():
    summary = check("\ufeffInput(shape=(784,))\nDense(10)\n", error=False)
    assert summary.total_params == summarize("Input(shape=(784,))\nDense(10)").total_params
    error = check("\ufeffInput(shape=(784,))\nDenze(10)\n")
    assert (error.line, error.column) == (2, 1)


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "# only\n# comments\n", "\t\n  \n", '"""docstring"""', "pass"])
def test_empty_bodies(text):
    error = check(text)
    assert "holds no layers" in error.message and error.line == 1


def test_control_characters():
    error = check("Input(shape=(4,))\nDense(3)\x00\n")
    assert error.line == 2
    check("Input(shape=(4,))\n\x1b[31mDense(3)\n")
    summary = check("Input(shape=(4,))\nDense(3, name='\x1b[2J\x07')\n", error=False)
    from sphinxext_params.render import render_text
    assert "\x1b" not in render_text(summary) and "\\x1b[2J\\x07" in render_text(summary)


def test_lone_surrogates():
    error = check("Input(shape=(4,))\nDense(3, name='\udcff')")
    assert (error.line, error.column) == (2, 16)


def test_not_text():
    for value in (b"Dense(3)", None, 3, ["Dense(3)"]):
        with pytest.raises(ParamsError):
            summarize(value)


def test_non_utf8_bytes_through_the_cli(tmp_path, capsys):
    from sphinxext_params.cli import main
    path = tmp_path / "model.txt"
    path.write_bytes(b"Input(shape=(4,))\nDense(3, name='\xc3\x28')\n")
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:2:16: the text is not UTF-8") and "Traceback" not in err


# -- semantic nonsense ---------------------------------------------------------------------------------

NONSENSE = [
    "Input(shape=(4,))\nDense(-3)",
    "Input(shape=(4,))\nDense(0)",
    "Input(shape=(4, 3))\nLSTM(-1)",
    "Input(shape=(4,))\nEmbedding(0, 3)",
    "Input(shape=(8, 8, 3))\nConv2D(3, 0)",
    "Input(shape=(8, 8, 3))\nConv2D(0, 3)",
    "Input(shape=(8, 8, 3))\nConv2D(3, (3, 0))",
    "Input(shape=(4, 4, 3))\nConv2D(3, 3, dilation_rate=0)",
    "Input(shape=(4, 4, 3))\nAveragePooling2D(pool_size=0)",
    "Input(shape=(4, 4, 3))\nConv2D(3, 3, strides=10)",
    "Input(shape=(4, 4, 3))\nConv2D(3, 3, strides=10, padding='same')",
    "Input(shape=(4, 4, 3))\nMaxPooling2D(pool_size=2, strides=10)",
    "Input(shape=(5, 3))\nConv1D(2, 3, padding='causal', strides=10)",
    "Input(shape=(4, 4, 3))\nMaxPooling2D(pool_size=10)",
    "Input(shape=(4, 4, 3))\nConv2D(3, 5)",
    "Input(shape=(4, 4, 3))\nCropping2D(cropping=10)",
    "Input(shape=(4, 4, 3))\nConv2D(4, 3, groups=2)",
    "Input(shape=(4,))\nReshape((3, 3))",
    "Input(shape=(12,))\nReshape((-1, 5))",
    "Input(shape=(12,))\nReshape((-1, -1))",
    "Input(shape=(12,))\nReshape((0, 12))",
    "a = Input(shape=(4, 3))\nb = Input(shape=(5, 2))\nConcatenate(axis=1)([a, b])",
    "a = Input(shape=(4, 3))\nb = Input(shape=(4, 2))\nConcatenate(axis=5)([a, b])",
    "a = Input(shape=(4, 3))\nb = Input(shape=(4,))\nConcatenate()([a, b])",
    "a = Input(shape=(32,))\nb = Input(shape=(16,))\nAdd()([a, b])",
    "Input(shape=(4, 3))\nPermute((1, 1))",
    "Input(shape=(4,))\nRepeatVector(0)",
    "Input(shape=(4, 4, 3))\nUpSampling2D(size=0)",
    "x = Input(shape=(4, 8))\nMultiHeadAttention(num_heads=0, key_dim=2)(x, x)",
    "Input(shape=(-1,))\nDense(3)",
    "Input(shape=())\nDense(3)",
    "Input(shape=(4,))\nGlobalAveragePooling2D()",
    "Input(shape=(28, 28))\nConv2D(3, 3)",
    "Input(shape=(None,))\nFlatten()\nDense(3)",
    "Input(shape=(4, 4, 3))\nConv2DTranspose(3, 3, strides=2, output_padding=5)",
    "Input(shape=(4,))\nGroupNormalization(groups=3)",
    "Input(shape=(4,))\nBatchNormalization(axis=5)",
    "Input(shape=(4, 4))\nBidirectional(Dense(3))",
    "Input(shape=(4, 4, 3))\nZeroPadding2D(-1)",
    "Input(shape=(0,))\nDense(3)",
]


@pytest.mark.parametrize("text", NONSENSE)
def test_semantic_nonsense(text):
    """Refused with a located error, or, where Keras accepts the model too, counted as Keras counts it."""
    from tests.oracle.keras_oracle import core_view, keras_summary
    result = check(text, error=None)
    if not isinstance(result, ParamsError):
        assert core_view(result.to_dict()) == core_view(keras_summary(text))
    else:
        assert result.kind in ("argument", "shape", "limit"), result.format()
        assert result.line == len(text.split("\n")) or result.line >= 1
