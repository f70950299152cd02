"""Every problem is a ``[params.<kind>]`` warning at the exact ``docname:line``, in rST and MyST.

Each source below is written out in full so that the expected line can be checked by eye;
the page still builds, shows an error box, and ``-W`` fails the build.
"""

from __future__ import annotations

import re

import pytest
from docutils import nodes

#: kind -> a layer list whose error is on its line ``line`` (1-based in the body)
BODIES = {
    "syntax": (["Input(shape=(4,))", "Dense(10", "Dense(2)"], 2),
    "unknown": (["Input(shape=(4,))", "Dense(3)", "Foo(3)"], 3),
    "argument": (["Input(shape=(4,))", "Dense(-3)"], 2),
    "shape": (["Input(shape=(4,))", "Dense(3)", "Conv2D(8, 3)"], 3),
    "unsafe": (["Input(shape=(4,))", '__import__("os").system("ls")'], 2),
    "limit": (["Input(shape=(4,))", "Dense(3)", "", "Dense(100000000000000000000000)"], 4),
}


def rst_page(body: list[str]) -> tuple[str, int]:
    """An rST page whose directive body starts on line 9 (options and a blank line before it)."""
    lines = ["Page", "====", "", "Some text.", "", ".. model-summary:: A caption", "   :name: m",
             "", *("   " + b if b else "" for b in body), "", "After."]
    return "\n".join(lines) + "\n", 9


def rst_page_no_options(body: list[str]) -> tuple[str, int]:
    """No options, two blank lines before the body: it starts on line 7."""
    lines = ["Page", "====", "", ".. model-summary::", "", "", *("   " + b if b else "" for b in body)]
    return "\n".join(lines) + "\n", 7


def rst_nested(body: list[str]) -> tuple[str, int]:
    """Inside a list item, indented by five: the body starts on line 8."""
    lines = ["Page", "====", "", "* An item", "", "  .. model-summary::", "",
             *("     " + b if b else "" for b in body)]
    return "\n".join(lines) + "\n", 8


def myst_backticks(body: list[str]) -> tuple[str, int]:
    """A backtick fence with ``:key:`` options and a blank line: the body starts on line 8."""
    lines = ["# Page", "", "Some text.", "", "```{model-summary} A caption", ":name: m", "", *body, "```"]
    return "\n".join(lines) + "\n", 8


def myst_yaml(body: list[str]) -> tuple[str, int]:
    """A colon fence with a YAML options block: the body starts on line 8."""
    lines = ["# Page", "", ":::{model-summary} A caption", "---", "name: m", "derivations: all", "---",
             *body, ":::"]
    return "\n".join(lines) + "\n", 8


def myst_no_options(body: list[str]) -> tuple[str, int]:
    """A colon fence, no options, a blank line first (the test adds a second): the body is on line 4."""
    lines = ["# Page", ":::{model-summary}", "", *body, ":::"]
    return "\n".join(lines) + "\n", 4


def myst_nested(body: list[str]) -> tuple[str, int]:
    """A fence inside a list item: the body starts on line 5."""
    lines = ["# Page", "", "- An item", "", "  ```{model-summary}", *("  " + b if b else "" for b in body),
             "  ```"]
    return "\n".join(lines) + "\n", 6


PAGES = {"rst": (rst_page, "rst"), "rst-no-options": (rst_page_no_options, "rst"),
         "rst-nested": (rst_nested, "rst"), "myst-backticks": (myst_backticks, "md"),
         "myst-yaml": (myst_yaml, "md"), "myst-no-options": (myst_no_options, "md"),
         "myst-nested": (myst_nested, "md")}


@pytest.mark.parametrize("page", PAGES)
def test_errors_at_the_exact_line(build, page):
    """One project per way of writing the directive, one document per kind of error."""
    make, suffix = PAGES[page]
    files, expected = {"index.rst": "Index\n=====\n"}, {}
    for kind, (body, error_line) in BODIES.items():
        if page == "myst-no-options":
            body = ["", *body]  # of two blank lines MyST drops the first and keeps the second in the body
            error_line += 1
        source, first = make(body)
        source = source.replace("name: m\n", f"name: m-{kind}\n")
        line = first + error_line - 1
        assert source.splitlines()[line - 1].strip() == body[error_line - 1].strip()  # the test itself
        files[f"{kind}.{suffix}"] = source
        expected[kind] = f"{kind}.{suffix}:{line}: WARNING: "
    result = build(files, conf='suppress_warnings = ["toc.not_included"]\n')
    warnings = sorted(w for w in result.warning_lines() if "[params." in w)
    assert len(warnings) == len(BODIES), result.warnings
    for kind, warning in zip(sorted(BODIES), warnings):
        assert warning.startswith(expected[kind]) and warning.endswith(f"[params.{kind}]"), warning
        # the page is still written, with a visible error box where the table would be
        doctree = result.doctree(kind)
        assert len(list(doctree.findall(nodes.error))) == 1
        assert not list(doctree.findall(nodes.table))
        assert "params-error" in result.read(f"{kind}.html")


def test_every_warning_fails_a_W_build(build):
    source, _ = rst_page(BODIES["unknown"][0])
    result = build({"index.rst": source}, warningiserror=True)
    assert result.app.statuscode == 1


@pytest.mark.parametrize("page", ["rst", "myst-backticks"])
def test_expect_total_mismatch_at_the_directive_line(build, page):
    make, suffix = PAGES[page]
    source, first = make(["Input(shape=(28, 28))", "Flatten()", "Dense(10)"])
    source = source.replace(":name: m", ":name: m\n" + ("   " if suffix == "rst" else "") + ":expect-total: 7,851")
    directive_line = next(i for i, line in enumerate(source.splitlines(), 1) if "model-summary" in line)
    result = build({f"index.{suffix}": source}, warningiserror=True)
    assert result.warning_lines() == [
        f"index.{suffix}:{directive_line}: WARNING: the model's total parameter count is 7,850, but "
        ":expect-total: says 7,851 (a difference of -1) [params.expect]"]
    assert result.app.statuscode == 1
    assert list(result.doctree("index").findall(nodes.table))  # the table is still shown


def test_expect_trainable(build):
    result = build({"index.rst": """\
        Page
        ====

        .. model-summary::
           :expect-trainable: 6
           :expect-total: 6

           Dense(2, input_dim=2)

        .. model-summary::
           :expect-trainable: 5

           Dense(2, input_dim=2)
        """})
    assert result.warning_lines() == [
        "index.rst:10: WARNING: the model's trainable parameter count is 6, but :expect-trainable: says 5 "
        "(a difference of +1) [params.expect]"]


def test_suppress_warnings_silences_exactly_one_kind(build):
    source, _ = rst_page(BODIES["unknown"][0])
    more = "\n.. model-summary::\n   :expect-total: 1\n\n   Dense(2, input_dim=2)\n"
    result = build({"index.rst": source + more}, conf='suppress_warnings = ["params.unknown"]\n',
                   warningiserror=True)
    warnings = result.warning_lines()
    assert len(warnings) == 1 and warnings[0].endswith("[params.expect]")
    result = build({"index.rst": source + more}, conf='suppress_warnings = ["params"]\n', warningiserror=True)
    assert result.warning_lines() == [] and result.app.statuscode == 0


def test_warning_message_has_the_hint(build):
    source, _ = rst_page(["Input(shape=(4,))", "Dense(3, unit=2)"])
    (warning,) = build({"index.rst": source}).warning_lines()
    assert "Dense() has no argument 'unit'" in warning and "did you mean 'units'" in warning


# -- every kind, in rST and MyST, located; suppress_warnings silences exactly one kind ----------
#: kind -> (directive options, layer list, prose after the directive) of a page that warns of it.
KINDS = {
    **{kind: ([], body, "") for kind, (body, _) in BODIES.items()},
    "expect": (["expect-total: 7"], ["Dense(2, input_dim=2)"], ""),
    "option": (["derivations: some", "input-shape: (4, x)"], ["Dense(2)"], ""),
    "reference": ([], ["Dense(2, input_dim=2)"], "Quotes {role}`nothing` and\n{role}`m-reference-{suffix}/nope`."),
}
#: kind -> where its warnings are: a line of the layer list (1-based), or a named place.
WHERE = {**{kind: [line] for kind, (_, line) in BODIES.items()},
         "expect": ["directive"], "option": ["directive", "directive"], "reference": ["prose", "prose+1"]}


def kind_page(kind: str, suffix: str) -> tuple[str, list[int]]:
    """A page with one model-summary that warns of ``kind``, and the lines its warnings must name."""
    options, body, prose = KINDS[kind]
    if suffix == "rst":
        lines = ["Page", "====", "", "Text.", "", ".. model-summary::", f"   :name: m-{kind}-{suffix}",
                 *(f"   :{option}" for option in options), "", *("   " + b if b else "" for b in body), ""]
        role = ":params:"
    else:
        lines = ["# Page", "", "Text.", "", "```{model-summary}", f":name: m-{kind}-{suffix}",
                 *(f":{option}" for option in options), "", *body, "```", ""]
        role = "{params}"
    directive = next(i for i, line in enumerate(lines, 1) if "model-summary" in line)
    body_start = directive + len(options) + 3  # after the name, the other options and a blank line
    places = {"directive": directive, "prose": len(lines) + 1, "prose+1": len(lines) + 2}
    lines += prose.format(role=role, suffix=suffix).splitlines()
    expected = [body_start + where - 1 if isinstance(where, int) else places[where] for where in WHERE[kind]]
    for line, where in zip(expected, WHERE[kind]):  # the test itself: the line is the one meant
        if isinstance(where, int):
            assert lines[line - 1].strip() == body[where - 1].strip()
    return "\n".join(lines) + "\n", expected


def kind_project() -> tuple[dict[str, str], list[str]]:
    files, expected = {"index.rst": "Index\n=====\n"}, []
    for kind in KINDS:
        for suffix in ("rst", "md"):
            source, lines = kind_page(kind, suffix)
            files[f"{kind}-{suffix}.{suffix}"] = source
            expected += [f"{kind}-{suffix}.{suffix}:{line} [params.{kind}]" for line in lines]
    return files, sorted(expected)


def located(warnings: list[str]) -> list[str]:
    """``file:line [type]`` of each warning: the part every kind must have."""
    return sorted(re.sub(r": WARNING: .* (\[params\.\w+\])$", r" \1", w) for w in warnings)


def test_every_kind_is_located_in_rst_and_myst(build):
    files, expected = kind_project()
    result = build(files, conf='suppress_warnings = ["toc.not_included"]\n')
    assert located(result.warning_lines()) == expected
    assert {w.rsplit("[params.", 1)[1].rstrip("]") for w in result.warning_lines()} == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_suppress_warnings_silences_exactly_that_kind(build, kind):
    files, expected = kind_project()
    result = build(files, conf=f'suppress_warnings = ["toc.not_included", "params.{kind}"]\n')
    assert located(result.warning_lines()) == [w for w in expected if not w.endswith(f"[params.{kind}]")]
