"""The layer-list language (issue 2 §1 and §5): every form it accepts, every form it refuses.

Accepted forms are checked against real Keras 3 (the oracle builds the very same text),
so "accepted" means "counted as Keras counts it", not only "parsed".  Refused forms are
checked for their kind, line, column, message and hint.
"""

from __future__ import annotations

import pytest

from sphinxext_params import ParamsError, summarize
from sphinxext_params.language import MAX_DEPTH, MAX_INT, nodes, parse
from tests.oracle.keras_oracle import core_view, keras_summary

MNIST = "Input(shape=(784,))\nDense(10)\n"


def same_as_keras(text: str, input_shape=None) -> dict:
    ours = summarize(text, framework="keras", input_shape=input_shape).to_dict()
    assert core_view(ours) == core_view(keras_summary(text, input_shape)), text
    return ours


def refused(text: str, **options) -> ParamsError:
    with pytest.raises(ParamsError) as info:
        summarize(text, **options)
    return info.value


# -- accepted forms ------------------------------------------------------------------------------

def test_comments_blank_lines_and_trailing_comments():
    text = "# a model\n\nInput(shape=(784,))   # 28 x 28 pixels\n\n\n# the head:\nDense(10)  # ten classes\n# end\n"
    assert same_as_keras(text)["total_params"] == summarize(MNIST).total_params


def test_statements_spanning_lines():
    text = 'Input(\n    shape=(32,\n           16),\n)\nDense(\n    8,\n    activation="relu",  # comment inside\n)\n' \
           'Dense(4,\\\n      use_bias=False)\n'
    ours = same_as_keras(text)
    assert [r["output_shape"] for r in ours["layers"]] == [[None, 32, 8], [None, 32, 4]]


@pytest.mark.parametrize("prefix", ["", "keras.", "keras.layers.", "layers.", "tf.keras.", "tf.keras.layers."])
def test_module_prefixes_are_ignored(prefix):
    text = f"{prefix}Input(shape=(8, 8, 3))\n{prefix}Conv2D(4, 3)\n{prefix}Flatten()\n{prefix}Dense(2)\n"
    plain = "Input(shape=(8, 8, 3))\nConv2D(4, 3)\nFlatten()\nDense(2)"
    assert summarize(text).to_dict() == summarize(plain).to_dict()
    if prefix not in ("keras.", "tf.keras."):  # Keras 3 itself has no keras.Conv2D; the language forgives it
        same_as_keras(text)
    else:
        same_as_keras(plain)


@pytest.mark.parametrize("text", [
    "model = Sequential()\nmodel.add(Input(shape=(4,)))\nmodel.add(Dense(3))\nmodel.add(Dense(2))\n",
    "model = keras.Sequential()\nmodel.add(keras.Input(shape=(4,)))\nmodel.add(keras.layers.Dense(3))\n"
    "model.add(keras.layers.Dense(2))\n",
    "model = Sequential([Input(shape=(4,)), Dense(3), Dense(2)])\n",
    "model = keras.Sequential([\n    keras.Input(shape=(4,)),\n    layers.Dense(3),\n    layers.Dense(2),\n])\n",
    "Sequential([Input(shape=(4,)), Dense(3), Dense(2)])\n",
    "model = tf.keras.models.Sequential()\nmodel.add(tf.keras.layers.Dense(3, input_shape=(4,)))\n"
    "model.add(tf.keras.layers.Dense(2))\n",
])
def test_sequential_forms(text):
    ours = same_as_keras(text)
    assert [r["params"] for r in ours["layers"]] == [15, 8]


def test_import_lines_and_training_calls_are_ignored():
    text = """\
import keras
import tensorflow as tf
from keras import layers
from keras.layers import Dense, Conv2D
from tensorflow.keras.models import Sequential
model = Sequential()
model.add(Dense(3, input_dim=4))
model.add(Dense(2))
model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5, batch_size=32)
model.summary()
model.evaluate(x_test, y_test)
"""
    assert [r["params"] for r in same_as_keras(text)["layers"]] == [15, 8]


@pytest.mark.parametrize("first", ["Dense(3, input_shape=(4,))", "Dense(3, input_dim=4)"])
def test_keras2_input_shape_on_the_first_layer(first):
    ours = same_as_keras(f"{first}\nDense(2)\n")
    assert ours["layers"][0]["output_shape"] == [None, 3]
    # Keras 2's batch_input_shape (refused by Keras 3) means the same here.
    assert summarize("Dense(3, batch_input_shape=(None, 4))\nDense(2)\n").to_dict() == ours


def test_input_forms():
    for first in ("Input(shape=(4,))", "keras.Input(shape=(4,))", "layers.Input(shape=(4,))",
                  "keras.layers.Input(shape=(4,))", "InputLayer(shape=(4,))"):
        ours = summarize(f"{first}\nDense(2)\n").to_dict()
        assert [r["params"] for r in ours["layers"]] == [10], first
    same_as_keras("Input(shape=(4,))\nDense(2)\n")


def test_names_and_default_names():
    text = 'Input(shape=(4,))\nDense(3)\nDense(3, name="middle")\nDense(3)\nDropout(0.5)\nDense(2)\n'
    ours = same_as_keras(text)
    assert [r["name"] for r in ours["layers"]] == ["dense", "middle", "dense_1", "dropout", "dense_2"]


def test_default_names_are_numbered_per_model_not_per_process():
    first = summarize("Input(shape=(4,))\nDense(3)\nDense(2)").to_dict()
    second = summarize("Input(shape=(4,))\nDense(3)\nDense(2)").to_dict()
    assert [r["name"] for r in first["layers"]] == [r["name"] for r in second["layers"]] == ["dense", "dense_1"]


def test_trainable_false_freezes_a_layer():
    ours = same_as_keras("Input(shape=(4,))\nDense(3, trainable=False)\nDense(2)\n")
    assert ours["layers"][0]["non_trainable"] == ours["layers"][0]["params"] > 0
    assert ours["trainable_params"] == ours["layers"][1]["params"]


@pytest.mark.parametrize("expression", ["28 * 28", "1000 // 10 + 2 - 1", "(3 + 4) * 2", "-(-5)", "2 * 2 * 2 * 2"])
def test_integer_arithmetic(expression):
    ours = same_as_keras(f"Input(shape=({expression},))\nDense({expression})\n")
    assert ours["layers"][0]["output_shape"][-1] == parse(expression).statements[0].value.value


def test_wrappers():
    same_as_keras("Input(shape=(5, 8))\nBidirectional(LSTM(6))\n")
    same_as_keras("Input(shape=(5, 8))\nTimeDistributed(Dense(10))\n")


def test_functional_residual_graph_with_model_line():
    text = """\
inputs = Input(shape=(32, 32, 3))
x = Conv2D(16, 3, padding="same")(inputs)
y = Conv2D(16, 3, padding="same")(x)
z = Add()([x, y])
outputs = Dense(10)(GlobalAveragePooling2D()(z))
Model(inputs, outputs)                # optional
"""
    ours = same_as_keras(text)
    assert [r["type"] for r in ours["layers"]] == ["InputLayer", "Conv2D", "Conv2D", "Add",
                                                  "GlobalAveragePooling2D", "Dense"]
    assert ours == summarize(text.replace("Model(inputs, outputs)", "")).to_dict()


def test_functional_several_inputs_and_outputs():
    text = """\
a = Input(shape=(8,), name="a")
b = Input(shape=(4,), name="b")
h = Concatenate()([Dense(6)(a), Dense(6)(b)])
out1 = Dense(1, name="score")(h)
out2 = Dense(3, name="label")(h)
model = keras.Model(inputs=[a, b], outputs=[out1, out2])
"""
    same_as_keras(text)


def test_a_shared_layer_counts_once():
    text = "a = Input(shape=(8,))\nb = Input(shape=(8,))\nshared = Dense(4)\nx = shared(a)\ny = shared(b)\n" \
           "z = Add()([x, y])\nModel([a, b], z)\n"
    ours = same_as_keras(text)
    assert [r["name"] for r in ours["layers"]].count("dense") == 1
    assert ours["total_params"] == 8 * 4 + 4


def test_docstrings_pass_and_semicolons():
    same_as_keras('"""A model."""\nInput(shape=(4,)); Dense(3)\npass\nDense(2)\n')


def test_pasted_indentation_bom_and_crlf():
    text = "\ufeff    Input(shape=(784,))\r\n    Dense(10)\r\n"
    assert summarize(text).to_dict() == summarize(MNIST).to_dict()


def test_the_parser_only_records_what_was_written():
    program = parse('x = Dense(8, activation="relu", name="d")(inputs)\n')
    (stmt,) = program.statements
    assert isinstance(stmt, nodes.Assign) and stmt.targets[0].parts == ("x",)
    call = stmt.value
    assert isinstance(call, nodes.Call) and isinstance(call.func, nodes.Call)
    assert call.func.callee_name == "Dense"
    assert call.func.kwarg("activation").value == "relu"
    assert call.args[0].parts == ("inputs",)
    assert call.func.args[0].location == (1, 11, program.lines[0])


def test_columns_count_characters_not_bytes():
    error = refused("Input(shape=(4,))\nDense(3, name='\u00e9\u00e9\u00e9', unitz=3)")
    # The value of unitz= is the 28th character (the 31st byte: each é takes two).
    assert error.location.line == 2 and error.location.column == 28


# -- refused forms: each with its kind, place, message and hint -------------------------------------

REFUSED = [
    # (text, kind, line, column, words in the message, words in the hint)
    ("Input(shape=(4,))\nDenze(10)", "unknown", 2, 1, "unknown Keras layer 'Denze'", "did you mean 'Dense'?"),
    ("Input(shape=(4,))\ndense(10)", "unknown", 2, 1, "unknown Keras layer 'dense'", "case-sensitive"),
    ("Input(shape=(4,))\nConv2d(3, 3)", "unknown", 2, 1, "unknown Keras layer 'Conv2d'", "'Conv2D'"),
    ('Input(shape=(4,))\nDense(units="ten")', "argument", 2, 13, "units must be a positive integer, not 'ten'", None),
    ("Input(shape=(4,))\nDense(10, unitz=3)", "unknown", 2, 17, "Dense() has no argument 'unitz'", "'units'"),
    ("Dense(10)", "shape", 1, 1, "the model has no input shape", "add `Input(shape=...)` as the first line"),
    ("model = Sequential()\nmodel.add(Dense(3))", "shape", 2, 11, "no input shape", "add `Input(shape=...)`"),
    ("x = Input(shape=(4,))\ny = Dense(3)(z)", "unknown", 2, 14, "'z' is used before it is assigned", "assign it"),
    ("x = Dense(3)(inputs)\ninputs = Input(shape=(4,))", "unknown", 1, 14, "'inputs' is used before it is assigned",
     None),
    ("Input(shape=(4,))\nDense(10, activation=lambda x: x)", "unsafe", 2, 22, "a lambda is not allowed", None),
    ("import os", "unsafe", 1, 1, "importing 'os' is not allowed", "only keras, tensorflow and torch imports"),
    ("from os import system", "unsafe", 1, 1, "importing 'os' is not allowed", None),
    ("import numpy as np", "unsafe", 1, 1, "importing 'numpy' is not allowed", None),
    ("Input(shape=(4,))\nDense(10).__class__", "unsafe", 2, 1, "'__class__' is not allowed (dunder", None),
    ("Input(shape=(4,))\nDense(__name__)", "unsafe", 2, 7, "'__name__' is not allowed", None),
    ("Input(shape=(4,))\nfoo.bar.Dense(10)", "unknown", 2, 1, "'foo' is not a known module or variable",
     "keras.layers.Dense(...)"),
    ("Input(shape=(4,))\nos.path.join('a')", "unknown", 2, 1, "'os' is not a known module or variable", None),
    ("Input(shape=(4,))\nDense(f'{10}')", "unsafe", 2, 7, "an f-string is not allowed", None),
    ("Input(shape=(4,))\nSequential([Dense(i) for i in range(3)])", "unsafe", 2, 12, "a comprehension is not allowed",
     None),
    ("Input(shape=(4,))\nDense(**{'units': 3})", "unsafe", 2, 9, "**kwargs is not allowed", "keyword arguments out"),
    ("Input(shape=(4,))\nDense(*[3])", "unsafe", 2, 7, "a starred argument (*args) is not allowed", None),
    ("Input(shape=(4,))\nDense(10 / 2)", "argument", 2, 7, "units must be a positive integer, not 5.0", None),
    ("Input(shape=(4,))\nDense(10 // 0)", "argument", 2, 7, "division by zero", None),
    ("Input(shape=(4,))\nDense(2 ** 3)", "syntax", 2, 7, "the operator ** is not allowed", None),
    ("Input(shape=(4,))\nDense(3 if True else 4)", "syntax", 2, 7, "a conditional expression is not allowed", None),
    ("Input(shape=(4,))\nDense(1 < 2)", "syntax", 2, 7, "a comparison is not allowed", None),
    ("Input(shape=(4,))\nDense(10)[1:2]", "syntax", 2, 1, "only an integer index", None),
    ("def f():\n    pass", "unsafe", 1, 1, "a function definition (def) is not allowed", "one layer call per line"),
    ("class A:\n    pass", "unsafe", 1, 1, "a class definition is not allowed", None),
    ("for i in range(3):\n    Dense(3)", "syntax", 1, 1, "a for loop is not allowed", None),
    ("while True:\n    pass", "syntax", 1, 1, "a while loop is not allowed", None),
    ("with open('f') as f:\n    pass", "syntax", 1, 1, "a with statement is not allowed", None),
    ("Input(shape=(4,))\nDense((n := 3))", "unsafe", 2, 8, "an assignment expression (:=) is not allowed", None),
    ("Input(shape=(4,))\nDense(eval('3'))", "unsafe", 2, 7, "eval() is not allowed", None),
    ("Input(shape=(4,))\nDense(getattr(x, 'y'))", "unsafe", 2, 7, "getattr() is not allowed", None),
    ("x = y = Input(shape=(4,))", "syntax", 1, 1, "chained assignment", None),
    ("Input(shape=(4,))\nx += 1", "syntax", 2, 1, "an augmented assignment is not allowed", None),
    ("Input(shape=(4,))\nDense(b'abc')", "syntax", 2, 7, "bytes literals are not allowed", None),
    ("Input(shape=(4,))\nDense(3, x=1, x=2)", "syntax", 2, 15, "the argument 'x' is given twice", None),
    ("Input(shape=(4,))\nDense(3)\n\tDense(4)", "syntax", 3, 1, "not valid Python syntax: unexpected indent",
     "check brackets"),
    ("Input(shape=(4,))\nDense(3", "syntax", 2, 6, "not valid Python syntax: '(' was never closed", None),
    ("Input(shape=(4,))\nDense(3))", "syntax", 2, 9, "not valid Python syntax: unmatched ')'", None),
    ("Input(shape=(4,))\nDense(3, 'relu', units=4)", "argument", 2, 24, "'units' both by position and by name",
     None),
    ("Input(shape=(4,))\nDense(3, name=3)", "argument", 2, 15, "name must be a string", None),
    ("Input(shape=(4,))\nDense(3)\nDense(3, name='dense')", "argument", 3, 1, "the name 'dense' is used by two",
     None),
    ("Input(shape=(4,))\nDense(-3)", "argument", 2, 7, "units must be a positive integer, not -3", None),
    (f"Input(shape=(4,))\nDense({MAX_INT + 1})", "limit", 2, 7, "larger than the limit", None),
]


@pytest.mark.parametrize("text, kind, line, column, message, hint", REFUSED,
                         ids=[f"{i}-{r[4][:30]}" for i, r in enumerate(REFUSED)])
def test_refused_forms(text, kind, line, column, message, hint):
    error = refused(text)
    assert error.kind == kind, error.format()
    assert (error.line, error.column) == (line, column), error.format()
    assert message in error.message, error.format()
    if hint:
        assert error.hint and hint in error.hint, error.format()
    assert error.location.source_line == text.split("\n")[line - 1]
    formatted = error.format("model.txt").splitlines()
    assert formatted[0].startswith(f"model.txt:{line}:{column}: ")
    assert formatted[1] == "    " + error.location.source_line
    assert formatted[2] == "    " + " " * (column - 1) + "^"


def test_nesting_beyond_the_limit():
    deep = "Dense(" + "[" * (MAX_DEPTH + 5) + "3" + "]" * (MAX_DEPTH + 5) + ")"
    error = refused("Input(shape=(4,))\n" + "x = " + deep)
    assert error.kind == "limit" and error.line == 2 and f"more than {MAX_DEPTH} levels" in error.message


def test_input_shape_option_is_checked():
    error = refused("Dense(3)", input_shape="(4, 'a')")
    assert error.kind == "option" and "input shape" in error.message
    assert summarize("Dense(3)", input_shape="(4,)").total_params == 15
    assert summarize("Dense(3)", input_shape="4").total_params == 15


def test_unknown_framework_and_dtype():
    assert refused(MNIST, framework="caffe").kind == "option"
    assert refused(MNIST, dtype="float128").kind == "option"


def test_error_format_without_location_and_with_long_lines():
    error = ParamsError("bad", kind="option")
    assert error.format("f.txt") == "f.txt: bad"
    long_line = "Dense(3, name='" + "a" * 5000 + "', unitz=1)"
    error = refused("Input(shape=(4,))\n" + long_line)
    source, caret = error.format().splitlines()[1:3]
    assert len(source) <= 210 and source.strip().startswith("a") and "unitz" in source
    assert source[len(caret) - 1:] == "1)"  # the caret still points at the argument's value


@pytest.mark.parametrize("argument", [
    "kernel_regularizer=keras.regularizers.l2(0.01)",
    "kernel_initializer=initializers.HeNormal(seed=1)",
    "activation=tf.nn.relu",
    "activation=keras.activations.relu",
    "bias_constraint=constraints.MaxNorm(3)",
])
def test_framework_objects_in_count_neutral_arguments_are_named_not_evaluated(argument):
    # Pasted Keras code names initializers, regularizers and activation functions; no count
    # depends on them, so they are accepted by name (never looked up or called).
    plain = summarize("Input(shape=(4,))\nDense(10)")
    pasted = summarize(f"Input(shape=(4,))\nDense(10, {argument})")
    assert pasted.to_dict()["layers"] == plain.to_dict()["layers"]


def test_framework_objects_are_not_accepted_where_a_count_depends_on_them():
    with pytest.raises(ParamsError) as info:
        summarize("Input(shape=(4,))\nDense(units=tf.nn.relu)")
    assert info.value.line == 2


@pytest.mark.parametrize("text", [
    "Input(shape=(8, 8, 3))\nRescaling(1./255)",
    "Input(shape=(8, 8, 3))\nRescaling(scale=1 / 127.5, offset=-1)",
    "Input(shape=(8,))\nDropout(1 / 3)\nDense(4)",
])
def test_true_division_gives_floats_as_in_python(text):
    assert core_view(summarize(text).to_dict()) == core_view(keras_summary(text))
