"""Keras attention, merge and EinsumDense layers against real Keras 3."""

from __future__ import annotations

import random

import pytest

from sphinxext_params import summarize
from tests.keras.oracle_compare import agree, check, check_error, oracle

QKV = "q = Input(shape=(5, 16))\nv = Input(shape=(7, 12))\nk = Input(shape=(7, 10))\n"


# -- MultiHeadAttention ----------------------------------------------------------------------
@pytest.mark.parametrize("options", [
    "2, 4", "num_heads=3, key_dim=5, value_dim=7", "2, 4, use_bias=False", "2, 4, output_shape=8",
    "2, 4, output_shape=(2, 3)", "2, 4, use_gate=True", "1, 8, value_dim=2, use_gate=True, use_bias=False",
    "4, 2, dropout=0.1", "2, 4, trainable=False",
])
@pytest.mark.parametrize("call", ["(q, v)", "(q, v, k)", "(query=q, value=v)", "(q, value=v, key=k)",
                                  "(q, v, return_attention_scores=True)", "(q, v, k, use_causal_mask=True)"])
def test_multi_head_attention(options, call):
    check(f"{QKV}y = MultiHeadAttention({options}){call}\n")


@pytest.mark.parametrize("shape,axes", [((4, 5, 16), "(1, 2)"), ((4, 5, 16), "2"), ((4, 5, 16), "None"),
                                        ((3, 4, 5, 8), "(2, 3)"), ((3, 4, 5, 8), "-1")])
def test_multi_head_attention_axes(shape, axes):
    check(f"x = Input(shape={shape!r})\ny, s = MultiHeadAttention(2, 3, attention_axes={axes})"
          f"(x, x, return_attention_scores=True)\n")


def test_multi_head_attention_derivation_and_names():
    row = summarize(f"{QKV}y = MultiHeadAttention(2, 4)(q, v, k)").layers[-1]
    assert [w.name for w in row.weights] == [
        "query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
        "attention_output/kernel", "attention_output/bias"]
    assert [s.text() for s in row.derivation] == [
        "N_query = h k (d_q + 1) = 2 × 4 × (16 + 1) = 136",
        "N_key = h k (d_k + 1) = 2 × 4 × (10 + 1) = 88",
        "N_value = h v (d_v + 1) = 2 × 4 × (12 + 1) = 104",
        "N_output = d_out (h v + 1) = 16 × (2 × 4 + 1) = 144",
        "N = N_query + N_key + N_value + N_output = 136 + 88 + 104 + 144 = 472"]


def test_multi_head_attention_uses_up_softmax_and_dropout_names():
    # Building MultiHeadAttention makes an unnamed Softmax and Dropout inside it.
    out = check("x = Input(shape=(5, 16))\nd0 = Dropout(0.1)\ny = MultiHeadAttention(2, 4)(x, x)\n"
                "y = Dropout(0.1)(y)\ny = d0(Softmax()(y))\n")
    assert {r["name"] for r in out["layers"]} >= {"dropout", "dropout_2", "softmax_1"}


@pytest.mark.parametrize("text", [
    "q = Input(shape=(5, 16))\nv = Input(shape=(7, 12))\nk = Input(shape=(6, 12))\n"
    "y = MultiHeadAttention(2, 4)(q, v, k)",  # key and value lengths differ
    "q = Input(shape=(5, None))\ny = MultiHeadAttention(2, 4)(q, q)",
    "q = Input(shape=(5, 16))\ny = MultiHeadAttention(0, 4)(q, q)",
    "q = Input(shape=(5, 16))\ny = MultiHeadAttention(2, 4)(q)",
    "q = Input(shape=(5, 16))\ny = MultiHeadAttention(2, 4, flash_attention=True, dropout=0.2)(q, q)",
])
def test_multi_head_attention_errors(text):
    check_error(text)


# -- GroupQueryAttention ----------------------------------------------------------------------
@pytest.mark.parametrize("options", ["4, 4, 2", "3, 6, 3, use_bias=False", "2, 4, 4, use_gate=True",
                                     "head_dim=8, num_query_heads=2, num_key_value_heads=1"])
@pytest.mark.parametrize("call", ["(q, v)", "(q, v, k)", "(q, v, return_attention_scores=True)"])
def test_group_query_attention(options, call):
    check("q = Input(shape=(5, 16))\nv = Input(shape=(7, 16))\nk = Input(shape=(7, 9))\n"
          f"y = GroupQueryAttention({options}){call}\n")


@pytest.mark.parametrize("text", [
    "q = Input(shape=(5, 16))\nv = Input(shape=(7, 12))\ny = GroupQueryAttention(4, 4, 2)(q, v)",
    "q = Input(shape=(5, 16))\ny = GroupQueryAttention(4, 4, 3)(q, q)",
])
def test_group_query_attention_errors(text):
    check_error(text)


@pytest.mark.parametrize("text", [
    "q = Input(shape=(5, 16))\ny = {gqa}(4, 4, 2)(q, q)\nz = {gqa}(2, 2, 1, use_gate=True)(y, q)",
    # The attention's own Softmax and Dropout, made when it is first called, use up those
    # default names: the layers after it are softmax_1 / dropout_1 in Keras.
    "q = Input(shape=(5, 16))\ny = {gqa}(4, 4, 2, dropout=0.1)(q, q)\ny = Dropout(0.2)(y)\n"
    "y = Softmax()(y)\nz = {gqa}(head_dim=8, num_query_heads=2, num_key_value_heads=2, name='named')(y, y)",
    "q = Input(shape=(5, 16))\ny = keras.layers.{gqa}(4, 4, 2)(q, q, return_attention_scores=True)",
])
@pytest.mark.parametrize("spelling", ["GroupQueryAttention", "GroupedQueryAttention"])
def test_group_query_attention_spellings(text, spelling):
    # keras.layers exports only GroupQueryAttention; its class, which the summary shows as the
    # type and which makes the default names, is GroupedQueryAttention. We read both.
    keras_text = text.format(gqa="GroupQueryAttention")
    mine = check(text.format(gqa=spelling), built=oracle(keras_text))
    rows = [r for r in mine["layers"] if r["type"] == "GroupedQueryAttention"]
    assert rows and rows[0]["name"] == "grouped_query_attention"


# -- Attention and AdditiveAttention ----------------------------------------------------------
@pytest.mark.parametrize("layer", ["Attention()", "Attention(use_scale=True)", "Attention(score_mode='concat')",
                                   "Attention(True, 'concat', 0.1)", "AdditiveAttention()",
                                   "AdditiveAttention(use_scale=False)", "AdditiveAttention(dropout=0.2)"])
@pytest.mark.parametrize("call", ["([q, v])", "([q, v, k])", "([q, v], return_attention_scores=True)",
                                  "([q, k, v], use_causal_mask=True, return_attention_scores=True)"])
def test_dot_attention(layer, call):
    check(f"q = Input(shape=(5, 16))\nv = Input(shape=(7, 16))\nk = Input(shape=(7, 12))\ny = {layer}{call}\n")


@pytest.mark.parametrize("text", [
    "q = Input(shape=(5, 16))\ny = Attention()([q])",
    "q = Input(shape=(5, 16))\ny = Attention()([q, q, q, q])",
    "q = Input(shape=(5, 16))\ny = Attention(score_mode='add')([q, q])",
    "q = Input(shape=(5, None))\ny = AdditiveAttention()([q, q])",
    "q = Input(shape=(5, 16))\ny = Attention()(q)",
])
def test_dot_attention_errors(text):
    check_error(text)


# -- merging --------------------------------------------------------------------------------------
ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


@pytest.mark.parametrize("kind", ELEMENTWISE)
@pytest.mark.parametrize("shapes", [
    [(3, 4), (3, 4)], [(3, 4), (1, 4)], [(3, 1), (1, 4)], [(3, 4), (4,)], [(None, 4), (3, 4)],
    [(3, 4), (3, 4), (3, 4)], [(2, 3, 4), (3, 1)], [(5,), (5,)],
])
def test_elementwise(kind, shapes):
    inputs = "".join(f"x{i} = Input(shape={s!r})\n" for i, s in enumerate(shapes))
    names = ", ".join(f"x{i}" for i in range(len(shapes)))
    agree(f"{inputs}y = {kind}()([{names}])\n")


@pytest.mark.parametrize("kind", ELEMENTWISE)
def test_elementwise_incompatible(kind):
    check_error(f"a = Input(shape=(3, 4))\nb = Input(shape=(3, 5))\ny = {kind}()([a, b])", match="cannot combine")


def test_subtract_needs_two():
    check_error("a = Input(shape=(3,))\ny = Subtract()([a, a, a])", match="exactly 2")


def test_merge_batch_sizes():
    check_error("a = Input(shape=(3,), batch_size=2)\nb = Input(shape=(3,), batch_size=4)\ny = Add()([a, b])")
    check("a = Input(shape=(3,), batch_size=2)\nb = Input(shape=(3,))\ny = Add()([a, b])\n")


@pytest.mark.parametrize("axis,shapes", [
    (-1, [(3, 4), (3, 5)]), (1, [(3, 4), (2, 4)]), (1, [(3, 4), (None, 4)]), (-2, [(3, 4), (5, 4), (1, 4)]),
    (2, [(2, 3, 4), (2, 3, 1)]), (-1, [(3, None), (3, 2)]), (-1, [(None, 4), (3, 4)]), (0, [(3,), (3,)]),
    (-1, [(3, 4), (5, 4)]), (1, [(3, 4), (3, 4, 1)]), (3, [(3, 4), (3, 4)]), (-3, [(3,), (3,)]),
    (-1, [(3, 4)]), (1, [(3, 1), (2, 4)]),
])
def test_concatenate(axis, shapes):
    inputs = "".join(f"x{i} = Input(shape={s!r})\n" for i, s in enumerate(shapes))
    names = ", ".join(f"x{i}" for i in range(len(shapes)))
    agree(f"{inputs}y = Concatenate(axis={axis})([{names}])\n")


def test_concatenate_derivation():
    row = summarize("a = Input(shape=(3, 4))\nb = Input(shape=(3, 6))\ny = Concatenate()([a, b])").layers[-1]
    assert row.shape_derivation[0].text() == "n_out = n_1 + n_2 = 4 + 6 = 10"


@pytest.mark.parametrize("axes,shapes", [
    ("-1", [(4,), (4,)]), ("1", [(4,), (4,)]), ("(2, 2)", [(3, 4), (5, 4)]), ("(1, 1)", [(3, 4), (3, 5)]),
    ("[2, 1]", [(3, 4), (4, 5)]), ("-1", [(3, 4), (5, 4)]), ("(1, 2)", [(3, 4), (5, 3)]),
    ("-1", [(None,), (4,)]), ("1", [(3, 4), (5, 4)]), ("(-1, -2)", [(3, 4), (4, 6)]), ("2", [(4,), (4,)]),
])
@pytest.mark.parametrize("normalize", [False, True])
def test_dot(axes, shapes, normalize):
    inputs = "".join(f"x{i} = Input(shape={s!r})\n" for i, s in enumerate(shapes))
    agree(f"{inputs}y = Dot(axes={axes}, normalize={normalize})([x0, x1])\n")


def test_dot_needs_two():
    check_error("a = Input(shape=(3,))\ny = Dot(axes=1)([a, a, a])")


def test_merge_functions():
    # Keras's lower-case functional forms make the layer and apply it at once.
    check("""
a = Input(shape=(4,))
b = Input(shape=(4,))
x = layers.add([a, b])
y = keras.layers.concatenate([x, a], axis=-1, name='cat')
z = dot([a, b], normalize=True)
z2 = dot([a, b], 1)
w = subtract(inputs=[a, b])
m = maximum([a, b, x])
n = minimum([average([a, b]), multiply([a, b])])
""")


def test_merge_function_errors():
    check_error("a = Input(shape=(4,))\nb = Input(shape=(5,))\nx = add([a, b])", match="cannot combine")
    check_error("a = Input(shape=(4,))\nx = concatenate(axis=1)")


def random_merge_case(rng: random.Random) -> str:
    rank = rng.randint(1, 3)
    base = [rng.choice([1, 2, 3, 4]) for _ in range(rank)]
    shapes = []
    for _ in range(rng.randint(2, 3)):
        shape = [d if rng.random() < 0.7 else rng.choice([1, None, d + 1]) for d in base]
        if rng.random() < 0.2 and len(shape) > 1:
            shape = shape[1:]
        shapes.append(tuple(shape))
    kind = rng.choice(ELEMENTWISE + ["Concatenate", "Concatenate", "Dot"])
    if kind == "Concatenate":
        layer = f"Concatenate(axis={rng.choice([-1, 1, rank, -rank])})"
    elif kind == "Dot":
        shapes = shapes[:2]
        layer = f"Dot(axes={rng.choice([-1, 1, (1, rank)])})"
    else:
        layer = f"{kind}()"
    inputs = "".join(f"x{i} = Input(shape={s!r})\n" for i, s in enumerate(shapes))
    names = ", ".join(f"x{i}" for i in range(len(shapes)))
    return f"{inputs}y = {layer}([{names}])\n"


def test_random_merges():
    rng = random.Random(1234)
    accepted = sum(agree(random_merge_case(rng)) for _ in range(60))
    assert 10 < accepted < 60  # both outcomes are exercised


# -- EinsumDense ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,layer", [
    ((5, 16), "EinsumDense('abc,cd->abd', output_shape=(None, 64), bias_axes='d')"),
    ((5, 16), "EinsumDense('abc,cd->abd', output_shape=(5, 64))"),
    ((16,), "EinsumDense('ab,bc->ac', output_shape=8, bias_axes='c', activation='relu')"),
    ((5, 16), "EinsumDense('...b,bc->...c', output_shape=64)"),
    ((3, 5, 16), "EinsumDense('...b,bc->...c', 64, None, 'c')"),
    ((3, 5, 16), "EinsumDense('...cd,de->...ce', output_shape=(5, 7))"),
    ((5, 16), "EinsumDense('abc,cde->abde', (5, 2, 8), bias_axes='de')"),
    ((5, 16), "EinsumDense('abc,cde->abde', (5, 2, 8), bias_axes='e')"),
    ((5, 16), "EinsumDense('abc,cd->abd', (5, 4), bias_axes='b')"),
    ((5, 16), "EinsumDense('ab...,bc->ac...', (3, 16), bias_axes='c')"),
    ((5, 16), "EinsumDense('abc,cd->abd', (None, 6), lora_rank=2)"),
    ((5, 16), "EinsumDense('abc,cd->abd', (None, 6), bias_axes='d', lora_rank=3, trainable=False)"),
    ((4, 5, 16), "EinsumDense('abcd,dce->abe', (4, 8), bias_axes='be')"),
])
def test_einsum_dense(shape, layer):
    out = check(f"Input(shape={shape!r})\n{layer}\n")
    assert out["layers"][-1]["derivation"]


def test_einsum_dense_derivation_uses_the_equation_letters():
    row = summarize("Input(shape=(5, 16))\nEinsumDense('abc,cde->abde', (5, 2, 8), bias_axes='de')").layers[-1]
    assert [s.text() for s in row.derivation] == [
        "N_kernel = c d e = 16 × 2 × 8 = 256", "N_bias = d e = 2 × 8 = 16",
        "N = N_kernel + N_bias = 256 + 16 = 272"]


@pytest.mark.parametrize("shape,layer", [
    ((5, 16), "EinsumDense('abc,cd->abd', output_shape=(4, 64))"),  # b is 5 in the input
    ((5, 16), "EinsumDense('abc,cd->abe', output_shape=(5, 64))"),  # e comes from nowhere
    ((5, 16), "EinsumDense('abc,cdf->abd', output_shape=(5, 64))"),  # f comes from nowhere
    ((5, 16), "EinsumDense('abc,cd->abd', output_shape=(5, 64), bias_axes='x')"),
    ((5, 16), "EinsumDense('abc*cd->abd', output_shape=(5, 64))"),
    ((5, 16), "EinsumDense('abc,cd->abd', output_shape=(5, None))"),  # an unknown kernel size
    ((5, None), "EinsumDense('abc,cd->abd', output_shape=(5, 8))"),
    ((5, 16), "EinsumDense('abcde,ef->abcdf', output_shape=(5, 8))"),  # more letters than axes
])
def test_einsum_dense_errors(shape, layer):
    check_error(f"Input(shape={shape!r})\n{layer}\n")
