"""Fuzzing the parser and the core (issue 5): whatever the text, the result is a Summary
or a located ParamsError, never another exception, and never more than a second.

A short run of each strategy is part of the suite; ``python benchmarks/fuzz_long.py``
runs the same generators over 100,000+ inputs.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_inputs import CORPUS, TOKENS, check_invariant, mutate
from tests.layer_calls import KERAS, KERAS_SPECIAL, TORCH, keras_model, torch_model

SHORT = settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow],
                 print_blob=True)


def holds(text: str, **options) -> None:
    _, seconds = check_invariant(text, **options)
    assert seconds < 1.0


@SHORT
@given(st.text(max_size=200))
def test_any_text(text):
    holds(text)


@SHORT
@given(st.text(alphabet="()[]{}.,:;=+-*/%@#'\"\\\n\r\t 0123456789abcdefxyzDenseInputLSTMnn_", max_size=200))
def test_python_looking_text(text):
    holds(text)


@SHORT
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup(tokens):
    holds("".join(tokens))


@SHORT
@given(st.sampled_from(CORPUS), st.randoms(use_true_random=False), st.integers(1, 6))
def test_mutations_of_valid_layer_lists(text, rng, count):
    holds(mutate(rng, text, count))


@SHORT
@given(st.sampled_from(sorted(set(KERAS) - KERAS_SPECIAL)), st.randoms(use_true_random=False),
       st.sampled_from((0.0, 0.15, 0.5, 1.0)))
def test_random_keras_layer_calls(name, rng, wild):
    text, options = keras_model(rng, name, wild=wild)
    holds(text, **options)


@SHORT
@given(st.sampled_from(sorted(TORCH)), st.randoms(use_true_random=False), st.sampled_from((0.0, 0.15, 0.5, 1.0)))
def test_random_pytorch_module_calls(name, rng, wild):
    text, options = torch_model(rng, name, wild=wild)
    holds(text, **options)


@SHORT
@given(st.randoms(use_true_random=False))
def test_random_calls_mutated(rng):
    text, options = (keras_model if rng.random() < 0.5 else torch_model)(rng)
    holds(mutate(rng, text, 1), **options)


@SHORT
@given(st.sampled_from(CORPUS), st.one_of(st.none(), st.text(max_size=20),
                                          st.tuples(st.integers(-2, 40), st.integers(-2, 40)).map(str)),
       st.sampled_from((None, "keras", "pytorch")), st.sampled_from(("float32", "float16", "int8", "bogus")))
def test_options(text, input_shape, framework, dtype):
    holds(text, input_shape=input_shape, framework=framework, dtype=dtype)


def test_every_catalogue_layer_is_reached():
    """The random calls produce valid models of every layer type, so the fuzz reaches all of them."""
    from sphinxext_params import ParamsError, summarize
    rng = random.Random(2024)
    for catalogue, make in ((sorted(set(KERAS) - KERAS_SPECIAL), keras_model), (sorted(TORCH), torch_model)):
        for name in catalogue:
            for _ in range(200):
                text, options = make(rng, name, wild=0.0)
                try:
                    summarize(text, **options)
                    break
                except ParamsError:
                    continue
            else:
                raise AssertionError(f"no valid model of {name} in 200 random calls")
