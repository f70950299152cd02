"""The params_* config values: checked at config-inited, a bad one warns and falls back."""

from __future__ import annotations

from docutils import nodes

PAGE = {"index.rst": "Page\n====\n\n.. model-summary::\n\n   Dense(2, input_dim=2)\n"}


def header(result) -> list[str]:
    table = next(result.doctree("index").findall(nodes.table))
    return [e.astext() for e in next(table.findall(nodes.row)).findall(nodes.entry)]


def test_good_values_are_used(build):
    result = build(PAGE, conf="""\
        params_columns = "layer, params, output"
        params_derivations = "none"
        params_dtype = "float16"
        params_framework = "keras"
        """)
    assert result.warning_lines() == []
    assert header(result) == ["Layer (type)", "Param #", "Output Shape"]
    assert result.app.config.params_columns == ("layer", "params", "output")
    assert "Total params: 6 (12.00 B)" in result.doctree("index").astext()
    assert not list(result.doctree("index").findall(nodes.math_block))


def test_bad_values_warn_and_fall_back(build):
    result = build(PAGE, conf="""\
        params_columns = ["layer", "size"]
        params_derivations = 3
        params_dtype = "float128"
        params_framework = "jax"
        params_thousands_separator = "-"
        params_derivations_open = "yes"
        """, warningiserror=True)
    warnings = result.warning_lines()
    assert len(warnings) == 6 and all(w.endswith("[params.option]") for w in warnings)
    assert warnings[0].startswith("WARNING: config value params_framework: 'jax' is not one of 'keras', 'pytorch'")
    assert result.app.statuscode == 1
    config = result.app.config
    assert (config.params_framework, config.params_dtype, config.params_derivations, config.params_columns,
            config.params_thousands_separator, config.params_derivations_open) == (
        None, "float32", "params", ("layer", "output", "params"), ",", False)
    assert header(result) == ["Layer (type)", "Output Shape", "Param #"]


def test_setup_metadata():
    from sphinxext_params import __version__
    from sphinxext_params.extension import ENV_VERSION, setup

    class App:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    assert setup(App()) == {"version": __version__, "env_version": ENV_VERSION,
                            "parallel_read_safe": True, "parallel_write_safe": True}
