"""The model-summary directive: tables, totals, derivations, options, rST and MyST alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docutils import nodes

from sphinxext_params import summarize
from sphinxext_params.extension.nodes import params_details
from sphinxext_params.render.docutils_nodes import aligned_latex, format_count

ROOTS = Path(__file__).parent.parent / "roots"


@pytest.fixture
def root(params_root):
    return params_root


def tables(doctree) -> list[nodes.table]:
    return [t for t in doctree.findall(nodes.table) if "params-summary" in t["classes"]]


def table_named(doctree, name: str) -> nodes.table:
    for t in tables(doctree):
        if name in t["names"]:
            return t
    raise AssertionError(f"no table named {name}")


def rows(table: nodes.table) -> list[list[str]]:
    return [[e.astext() for e in row.findall(nodes.entry)] for row in table.findall(nodes.row)]


def directive_body(docname: str, name: str) -> str:
    """The layer list of the directive named ``name`` in a source file of the test-params root."""
    lines = (ROOTS / "test-params" / docname).read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if line.strip() == f":name: {name}")
    while lines[i].strip().startswith(":"):  # the rest of the options
        i += 1
    body = []
    for line in lines[i:]:
        if line.startswith("```") or (line.strip() and docname.endswith(".rst") and not line.startswith("   ")):
            break
        body.append(line)
    return "\n".join(body).strip("\n")


SEEDS = [
    # docname, name, input shape option, the numbers the seed questions ask about
    ("index.rst", "six", None, {"dense": 6}, 6),
    ("index.rst", "mnist", None, {"dense": 7850}, 7850),
    ("index.rst", "regression", None, {"dense": 264710, "dense_1": 132355}, 397065),
    ("index.rst", "two-three-two", None, {"dense": 9, "dense_1": 8}, 17),
    ("index.rst", "conv-stack", None, {"conv2d": 896, "conv2d_1": 18496, "conv2d_2": 73856, "dense": 1290}, None),
    ("index.rst", "simple-rnn", None, {"simple_rnn": 120}, None),
    ("index.rst", "lstm", None, {"lstm": 53200}, 53200),
    ("quotes.md", "torch-mlp", "(784,)", {}, None),
]


@pytest.mark.parametrize("docname, name, input_shape, layer_counts, total", SEEDS,
                         ids=[s[1] for s in SEEDS])
def test_table_matches_the_core_and_the_seed_answers(root, docname, name, input_shape, layer_counts, total):
    table = table_named(root.doctree(docname.rsplit(".", 1)[0]), name)
    summary = summarize(directive_body(docname, name), input_shape=input_shape)
    body = rows(table)
    assert body[0][:3] == ["Layer (type)", "Output Shape", "Param #"]
    layer_rows = body[1:1 + len(summary.layers)]
    assert layer_rows == [[f"{r.name} ({r.type})", r.output_shape_text, format_count(r.params),
                           *([format_count(r.buffers)] if len(body[0]) == 4 else [])]
                          for r in summary.layers]
    footer = [r[0] for r in body[1 + len(summary.layers):]]
    expected_footer = [f"Total params: {summary.total_params:,} ({summary.memory(summary.total_params)})",
                       f"Trainable params: {summary.trainable_params:,} ({summary.memory(summary.trainable_params)})",
                       f"Non-trainable params: {summary.non_trainable_params:,} "
                       f"({summary.memory(summary.non_trainable_params)})"]
    if summary.framework == "pytorch":
        expected_footer.append(f"Buffers: {summary.buffers:,} ({summary.memory(summary.buffers)})")
    assert footer == expected_footer
    # The numbers the seed questions ask about, as the page shows them.
    shown = {r[0].split(" (")[0]: r[2] for r in layer_rows}
    for layer, count in layer_counts.items():
        assert shown[layer] == format_count(count)
    if total is not None:
        assert footer[0].startswith(f"Total params: {total:,} ")


def test_mnist_footer_is_keras_like(root):
    table = table_named(root.doctree("index"), "mnist")
    assert rows(table)[-3:] == [["Total params: 7,850 (30.66 KB)"], ["Trainable params: 7,850 (30.66 KB)"],
                                ["Non-trainable params: 0 (0.00 B)"]]
    # the footer spans the table
    assert all(e.get("morecols") == 2 for row in table.findall(nodes.row) if "params-footer" in row["classes"]
               for e in row.findall(nodes.entry))


def test_counts_are_right_aligned(root):
    table = table_named(root.doctree("index"), "mnist")
    for row in table.findall(nodes.row):
        entries = list(row.findall(nodes.entry))
        if "params-footer" not in row["classes"]:
            assert "params-num" in entries[2]["classes"] and "params-num" not in entries[0]["classes"]
    html = root.read("index.html")
    assert 'class="params-col-params params-num"' in html
    css = (root.outdir / "_static" / "params.css").read_text()
    assert ".params-num" in css and "text-align: right" in css


def test_caption_is_the_numbered_table_title(root):
    doctree = root.doctree("index")
    table = table_named(doctree, "mnist")
    assert table[0].astext() == "MNIST softmax regression"
    html = root.read("index.html")
    assert re.search(r'<table class="params-summary[^"]*" id="mnist">\s*<caption><span class="caption-number">'
                     r'Table \d+ </span><span class="caption-text">MNIST softmax regression', html)


def test_derivation_math_for_every_layer_with_parameters(root):
    doctree = root.doctree("index")
    summary = summarize(directive_body("index.rst", "regression"))
    table = table_named(doctree, "regression")
    container = table.parent.parent
    details = next(container.findall(params_details))
    maths = list(details.findall(nodes.math_block))
    with_params = [r for r in summary.layers if r.params]
    assert len(maths) == len(with_params) == 2
    for math, row in zip(maths, with_params):
        assert math.astext() == "\n\n".join(aligned_latex(row.derivation, ","))
        assert math.astext().startswith("N &= ")
        assert row.derivation[-1].value == row.params
        assert math.astext().endswith(format_count(row.params).replace(",", "{,}"))
    assert "514" in maths[0].astext() and "264{,}710" in maths[0].astext()


def test_rows_link_to_their_derivations_and_back(root):
    doctree = root.doctree("index")
    table = table_named(doctree, "mnist")
    link = next(r for r in table.findall(nodes.reference))
    assert link.astext() == "dense"
    target = link["refid"]
    back = next(r for r in doctree.findall(nodes.reference) if target in r["ids"])
    assert back["refid"] in link["ids"]
    html = root.read("index.html")
    assert f'href="#{target}"' in html and f'id="{target}"' in html
    assert "<details class=\"params-derivations\"><summary>" in html


def test_shape_derivations_with_all(root):
    table = table_named(root.doctree("index"), "conv-stack")
    details = next(table.parent.parent.findall(params_details))
    classes = [m["classes"] for m in details.findall(nodes.math_block)]
    assert ["params-math-shapes"] in classes and ["params-math-params"] in classes
    text = details.astext()
    assert "h_{\\mathrm{out}}" in text and "222" in text


def test_mathjax_only_on_pages_with_math(root):
    assert "mathjax" in root.read("index.html").lower()
    assert "mathjax" not in root.read("other.html").lower()  # derivations: none


def test_no_warnings_in_the_root(root):
    assert root.warning_lines() == []


RST_SNIPPET = """\
    Page
    ====

    .. model-summary:: MNIST *softmax* regression
       :derivations: all
       :columns: layer, type, output, params, trainable, weights

       Input(shape=(28, 28))
       Flatten()
       Dense(10, activation="softmax")
    """
MYST_BACKTICKS = """\
    # Page

    ```{model-summary} MNIST *softmax* regression
    :derivations: all
    :columns: layer, type, output, params, trainable, weights

    Input(shape=(28, 28))
    Flatten()
    Dense(10, activation="softmax")
    ```
    """
MYST_COLON_YAML = """\
    # Page

    :::{model-summary} MNIST *softmax* regression
    ---
    derivations: all
    columns: layer, type, output, params, trainable, weights
    ---
    Input(shape=(28, 28))
    Flatten()
    Dense(10, activation="softmax")
    :::
    """


def _normalized(doctree) -> str:
    """The summary container's pformat, without the ids that embed the document name."""
    container = next(n for n in doctree.findall(nodes.container) if "params-model" in n["classes"])
    return re.sub(r'(ids|refid)="[^"]*"', r'\1="…"', container.pformat())


def test_rst_and_myst_give_the_same_doctree(build):
    rst = build({"index.rst": RST_SNIPPET})
    expected = _normalized(rst.doctree("index"))
    assert "math_block" in expected and "<emphasis>" in expected
    for snippet in (MYST_BACKTICKS, MYST_COLON_YAML):
        myst = build({"index.md": snippet})
        assert myst.warning_lines() == []
        assert _normalized(myst.doctree("index")) == expected


def test_columns_option(build):
    result = build({"index.rst": RST_SNIPPET})
    table = tables(result.doctree("index"))[0]
    body = rows(table)
    assert body[0] == ["Layer", "Type", "Output Shape", "Param #", "Trainable #", "Weights"]
    assert body[2] == ["dense", "Dense", "(None, 10)", "7,850", "7,850", "kernel (784, 10), bias (10,)"]


def test_pytorch_buffers_in_footer_and_dtype(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::
           :framework: pytorch
           :input-shape: 16
           :dtype: float16

           nn.Linear(16, 8)
           nn.BatchNorm1d(8)
        """})
    assert result.warning_lines() == []
    body = rows(tables(result.doctree("index"))[0])
    assert body[-4:] == [["Total params: 152 (304.00 B)"], ["Trainable params: 152 (304.00 B)"],
                         ["Non-trainable params: 0 (0.00 B)"], ["Buffers: 17 (34.00 B)"]]


def test_thousands_separator_config(build):
    result = build({"index.rst": RST_SNIPPET}, conf="params_thousands_separator = '\\u202f'\n")
    body = rows(tables(result.doctree("index"))[0])
    assert body[2][3] == "7\u202f850"
    math = next(m for m in result.doctree("index").findall(nodes.math_block)
                if "params-math-params" in m["classes"])
    assert "7\\,850" in math.astext()


def test_derivations_none_and_open(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::
           :derivations: none

           Dense(2, input_dim=2)

        .. model-summary::

           Dense(2, input_dim=2)
        """}, conf="params_derivations_open = True\n")
    doctree = result.doctree("index")
    assert len(list(doctree.findall(params_details))) == 1
    assert "<details class=\"params-derivations\" open=\"open\">" in result.read("index.html")


def test_bad_options_warn_and_fall_back(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::
           :framework: tensorflow
           :derivations: some
           :columns: layer, colour
           :dtype: float33
           :expect-total: many

           Dense(2, input_dim=2)
        """})
    warnings = result.warning_lines()
    assert [w.split(": WARNING:")[0] for w in warnings] == ["index.rst:4"] * 5
    assert all(w.endswith("[params.option]") for w in warnings)
    assert "'tensorflow' is not one of 'keras', 'pytorch'" in warnings[0]
    assert rows(tables(result.doctree("index"))[0])[1] == ["dense (Dense)", "(None, 2)", "6"]


def test_empty_directive_is_an_error_box(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary:: Nothing
        """})
    assert result.warning_lines() == [
        "index.rst:4: WARNING: the model-summary directive has no layer list "
        "(hint: write the layers in the directive's body, one per line) [params.syntax]"]
    assert len(list(result.doctree("index").findall(nodes.error))) == 1


def test_user_text_is_never_markup(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary:: <script>alert(1)</script> & $x_1$ {}

           Input(shape=(4,))
           Dense(2, name="<b>bold</b>&amp;")
        """})
    assert result.warning_lines() == []
    html = result.read("index.html")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;&amp;amp;" in html


def test_very_large_models_get_plain_text_derivations(build, monkeypatch):
    from sphinxext_params.render import docutils_nodes
    monkeypatch.setattr(docutils_nodes, "MAX_MATH_ENTRIES", 2)
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::

           Input(shape=(4,))
           Dense(4)
           Dense(4)
           Dense(4)
        """})
    doctree = result.doctree("index")
    assert not list(doctree.findall(nodes.math_block))
    blocks = [b.astext() for b in doctree.findall(nodes.literal_block)]
    assert blocks == ["N = u (i + 1) = 4 × (4 + 1) = 20"] * 3
    assert "mathjax" not in result.read("index.html").lower()


def test_error_messages_keep_straight_quotes(build):
    result = build({"index.rst": "Page\n====\n\n.. model-summary::\n\n   Input(shape=(4,))\n   Dense(3, unit=2)\n"})
    html = result.read("index.html")
    assert "Dense() has no argument 'unit'" in html or "Dense() has no argument &#39;unit&#39;" in html


@pytest.mark.sphinx("html", testroot="params", srcdir="params-with-sphinx-fixtures", freshenv=True)
def test_the_root_with_sphinx_own_fixtures(app):
    """The same root through Sphinx's ``app`` fixture (``rootdir`` is in tests/sphinx/conftest.py)."""
    app.build()
    assert app.statuscode == 0
    assert "WARNING" not in app.warning.getvalue()
    assert "Total params: 7,850 (30.66 KB)" in (app.outdir / "index.html").read_text()
