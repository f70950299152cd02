"""The Keras Applications, built by real Keras 3 with ``weights=None``, translated into the
layer-list language and counted by ``summarize`` -- every row and total must match.

``weights=None`` downloads nothing; each application is built once per session (VGG16
allocates 138M floats, ~0.5 GB), summarized, translated, and dropped.

Not here, and why:

* ``NASNetMobile`` / ``NASNetLarge``: Keras refuses to build them on the torch backend
  ("not available with the torch backend at this time due to an outstanding bug").
* ``ConvNeXt*``: it nests Sequential models and uses a custom ``LayerScale``.
* ``EfficientNetB2``-``B7`` / ``EfficientNetV2*``: the same layers as ``B0`` and ``B1``, only
  more and wider.
* ``InceptionResNetV2`` (custom ``CustomScaleLayer``) and ``MobileNetV3*`` (``keras.ops``
  arithmetic on tensors, ``x + 3``): not expressible as a layer list at all.
* ``ResNet152`` / ``DenseNet169/201``: the same layers as ResNet101 / DenseNet121, only more.
"""

from __future__ import annotations

import gc

import pytest

from sphinxext_params import summarize
from tests.oracle.keras_oracle import get_keras, keras_summary, summarize_keras_model
from tests.oracle.keras_translate import compare_summaries, translate

#: (application, its parameter count as Keras documents it) -- the count checks the oracle.
APPLICATIONS = {
    "VGG16": 138_357_544,
    "VGG19": 143_667_240,
    "ResNet50": 25_636_712,
    "ResNet101": 44_707_176,
    "ResNet50V2": 25_613_800,
    "MobileNet": 4_253_864,
    "MobileNetV2": 3_538_984,
    "DenseNet121": 8_062_504,
    "InceptionV3": 23_851_784,
    "Xception": 22_910_480,
    # Rescaling, then a Normalization whose mean, variance and count adapt() would fill.
    "EfficientNetB0": 5_330_571,
    "EfficientNetB1": 7_856_239,
}


class Application:
    """One application, built once: Keras's own summary of it and our translation."""

    def __init__(self, name: str) -> None:
        keras = get_keras()
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=None)
        self.name = name
        self.layer_types = sorted({type(layer).__name__ for layer in model.layers})
        self.keras = summarize_keras_model(model)
        self.text = translate(model)
        self.full_text = translate(model, keep_defaults=True)  # every literal of every config
        del model
        gc.collect()


@pytest.fixture(scope="module")
def application():
    built: dict[str, Application] = {}

    def get(name: str) -> Application:
        if name not in built:
            built.clear()  # keep one application's summaries at a time
            built[name] = Application(name)
        return built[name]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("name", APPLICATIONS)
def test_application(application, name):
    app = application(name)
    # The oracle itself: Keras built the application we think it built.
    assert app.keras["total_params"] == APPLICATIONS[name]

    # The translator: its text, run by real Keras, rebuilds the same model, wired the same way.
    rebuilt = keras_summary(app.text)
    assert compare_summaries(app.keras, rebuilt, app.text) == []
    assert [r["connected_to"] for r in rebuilt["layers"]] == [r["connected_to"] for r in app.keras["layers"]]

    # Our count, from the text alone -- written as a person would, and with every argument.
    for text in (app.text, app.full_text):
        ours = summarize(text, framework="keras")
        problems = compare_summaries(app.keras, ours.to_dict(), text)
        assert problems == [], f"{name} ({', '.join(app.layer_types)}):\n" + "\n".join(problems[:20])
        # The footer's memory sizes, as Keras prints them (Normalization's count is an int32
        # variable on this backend: 4 bytes, as a float32).
        mine = ours.to_dict()
        for key in ("total_memory", "trainable_memory", "non_trainable_memory"):
            assert mine[key] == app.keras[key], (name, key)
        for row in ours.layers:
            if row.params:
                assert row.derivation and row.derivation[-1].value == row.params, row.name
