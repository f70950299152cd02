"""The ``:params:`` role: numbers quoted across documents, resolved at write time."""

from __future__ import annotations

import re

from docutils import nodes


def paragraph_with(doctree, text: str) -> str:
    return next(p.astext() for p in doctree.findall(nodes.paragraph) if text in p.astext())


def test_roles_across_documents_and_parsers(params_root):
    # rST quoting models of rST and MyST pages, MyST quoting models of rST pages
    index = params_root.resolved("index")
    assert paragraph_with(index, "The MNIST model") == (
        "The MNIST model has 7,850 parameters, 7,850 of them in its\n"
        "output layer; the PyTorch model keeps 257 buffers.")
    quotes = params_root.resolved("quotes")
    assert paragraph_with(quotes, "Quoted from") == (
        "Quoted from the rST page: 7,850 in total, 6 in one layer,\n"
        "17 trainable and the whole LSTM.")
    other = params_root.resolved("other")
    assert paragraph_with(other, "PyTorch MLP") == (
        "The PyTorch MLP of the MyST page has 102,026 parameters,\n"
        "256 of them in its batch normalization, which also keeps\n"
        "257 buffers; 0 are frozen.")


def test_roles_link_to_the_table_or_the_layer_derivation(params_root):
    html = params_root.read("other.html")
    assert re.search(r'<a class="reference internal" href="quotes.html#torch-mlp" title="torch-mlp: 102,026">'
                     r'<span class="params-count">102,026</span></a>', html)
    assert 'href="quotes.html#params-torch-mlp-layer-1"' in html  # torch-mlp/1: its derivation
    quotes = params_root.read("quotes.html")
    assert 'id="params-torch-mlp-layer-1"' in quotes


def test_unknown_model_and_layer_warn_at_the_role_line(build):
    result = build({
        "index.rst": """\
            Page
            ====

            .. toctree::

               other

            .. model-summary::
               :name: mnist

               Input(shape=(28, 28))
               Flatten()
               Dense(10)

            Fine: :params:`mnist`.
            Unknown model: :params:`minst`.

            Unknown layer:
            :params:`mnist/dense_7`.
            """,
        "other.md": """\
            # Other

            Fine: {params}`mnist/dense`.

            Unknown: {params}`mnist:trainable` and
            {params}`nothing/dense`.
            """})
    assert result.warning_lines() == [
        "index.rst:16: WARNING: unknown model 'minst' in :params:`minst` (the named models are mnist) "
        "[params.reference]",
        "index.rst:19: WARNING: model 'mnist' has no layer 'dense_7' in :params:`mnist/dense_7`; its layers are "
        "flatten, dense [params.reference]",
        "other.md:6: WARNING: unknown model 'nothing' in :params:`nothing/dense` (the named models are mnist) "
        "[params.reference]",
    ]
    html = result.read("index.html")
    assert '<span class="params-count params-unresolved">minst</span>' in html


def test_explicit_titles(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::
           :name: Six

           Dense(2, input_dim=2)

        A :params:`link to the model <six>`, :params:`{} weights and biases <SIX/dense>`,
        :params:`{} <six:non_trainable>`.
        """})
    assert result.warning_lines() == []
    assert paragraph_with(result.resolved("index"), "A link") == (
        "A link to the model, 6 weights and biases,\n0.")


def test_quoting_a_broken_model_adds_no_second_warning(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::
           :name: broken

           Dense(2)

        It has :params:`broken` parameters.
        """})
    (warning,) = result.warning_lines()
    assert warning.startswith("index.rst:7: WARNING: the model has no input shape") and warning.endswith("[params.shape]")
    assert paragraph_with(result.resolved("index"), "It has") == "It has ? parameters."


def test_duplicate_model_names_warn_and_resolve_to_the_first_document(build):
    files = {
        "index.rst": "Index\n=====\n\n.. toctree::\n\n   a\n   b\n\n:params:`twin`\n",
        "a.rst": "A\n=\n\n.. model-summary::\n   :name: twin\n\n   Dense(2, input_dim=2)\n",
        "b.rst": "B\n=\n\n.. model-summary::\n   :name: twin\n\n   Dense(3, input_dim=2)\n",
    }
    result = build(files)
    assert result.warning_lines() == [
        "b.rst:4: WARNING: duplicate model name 'twin', also defined at a:4; roles quote the first "
        "[params.reference]"]
    assert paragraph_with(result.resolved("index"), "6") == "6"


def test_empty_role(build):
    result = build({"index.rst": "Page\n====\n\nAn empty :params:`/dense` quote.\n"})
    (warning,) = result.warning_lines()
    assert warning.startswith("index.rst:4: WARNING: empty :params: role") and warning.endswith("[params.reference]")
