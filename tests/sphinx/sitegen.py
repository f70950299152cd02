"""Generated Sphinx sites for the build tests: many pages whose roles quote each other's models.

:func:`generate` is deterministic (seeded), so a failure names a page that can be rebuilt by
hand::

    python -c "from tests.sphinx.sitegen import write_site; write_site('/tmp/site', 200)"
    python -m sphinx -j 2 /tmp/site /tmp/site/_build/html

Every page (every fifth in MyST) has a named model ``m<i>``, an unnamed one, and a few
roles quoting the models of other pages, one role per line; ``about`` has neither. The
:class:`Page` objects keep what the tests need to compute each quoted number themselves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from sphinxext_params import summarize
from sphinxext_params.render.docutils_nodes import format_count

#: conf.py of a generated site (standalone: it also builds with sphinx-build outside the tests).
#: No sidebars: alabaster's navigation sidebar renders the whole toctree on every page, which
#: for 200 pages is O(pages²) and most of the build's time, and has nothing to do with us.
CONF = """\
extensions = ["sphinxext_params", "myst_parser"]
myst_enable_extensions = ["colon_fence"]
project = "generated"
copyright = "2025, test"
version = release = "1.0"
numfig = True
html_sidebars = {"**": []}
"""

#: Layer lists, Keras and PyTorch; ``{a}``, ``{b}`` make each page's model its own.
MODELS = [
    ('Input(shape=({a}, {b}))', 'Flatten()', 'Dense({a}, name="hidden")', 'Dense(2, name="out")'),
    ('Input(shape=({b},))', 'Dense({a}, name="hidden")', 'BatchNormalization(name="norm")',
     'Dense(3, name="out")'),
    ('Input(shape=({a}, {b}))', 'LSTM({b}, name="hidden")', 'Dense(2, name="out")'),
    ('Input(shape=({b}, {b}, 3))', 'Conv2D({a}, 3, name="hidden")', 'GlobalAveragePooling2D()',
     'Dense(2, name="out")'),
    ('nn.Linear({b}, {a})', 'nn.BatchNorm1d({a})', 'nn.ReLU()', 'nn.Linear({a}, 2)'),
]
#: Layers each model above has that roles may quote (PyTorch names its modules "0", "1", ...).
LAYERS = [("hidden", "out"), ("hidden", "norm", "out"), ("hidden", "out"), ("hidden", "out"), ("0", "1", "3")]
FIELDS = ["", ":trainable", ":non_trainable", ":total"]


@dataclass
class Page:
    docname: str
    suffix: str  # ".rst" or ".md"
    model: str | None = None  # the name of its model (m<i>)
    layers: list[str] = field(default_factory=list)  # its model's layer list
    quotes: list[str] = field(default_factory=list)  # the role targets of its roles, in order

    @property
    def filename(self) -> str:
        return self.docname + self.suffix

    def role(self, target: str) -> str:
        return f"{{params}}`{target}`" if self.suffix == ".md" else f":params:`{target}`"

    def text(self) -> str:
        if self.model is None:
            return "About\n=====\n\nA page without models or quotes.\n"
        title = f"Page {self.docname[4:].lstrip('0') or '0'}"
        quotes = "".join(f"{self.role(q)},\n" for q in self.quotes)
        prose = f"This page's model has {self.role(self.model)} parameters;\nits neighbours have\n{quotes}and more.\n"
        a, b = len(self.layers), len(self.quotes)  # something for the unnamed model
        if self.suffix == ".md":
            return (f"# {title}\n\n```{{model-summary}} Model {self.model}\n:name: {self.model}\n\n"
                    + "".join(f"{line}\n" for line in self.layers) + "```\n\n"
                    + prose + f"\n## More\n\n```{{model-summary}}\nnn.Linear({a}, {b + 1})\n```\n")
        return (f"{title}\n{'=' * len(title)}\n\n.. model-summary:: Model {self.model}\n   :name: {self.model}\n\n"
                + "".join(f"   {line}\n" for line in self.layers)
                + "\n" + prose + "\nMore\n----\n\n"
                + f".. model-summary::\n\n   Input(shape=({a},))\n   Dense({b + 1})\n")


def generate(n: int = 200, seed: int = 0) -> list[Page]:
    rng = random.Random(seed)
    pages = []
    for i in range(n):
        a, b = rng.randint(1, 40), rng.randint(4, 12)
        kind = i % len(MODELS)
        page = Page(f"page{i:03d}", ".md" if i % 5 == 4 else ".rst", model=f"m{i}",
                    layers=[line.format(a=a, b=b) for line in MODELS[kind]])
        for _ in range(rng.randint(2, 5)):
            j = rng.choice([k for k in range(n) if k != i])
            target, what = f"m{j}", rng.random()
            if what < 0.4:
                target += "/" + rng.choice(LAYERS[j % len(MODELS)])
            elif what < 0.7:
                target += rng.choice(FIELDS)
            page.quotes.append(target)
        if i in (1, 4):  # m0's hidden layer is quoted from an rST page and a MyST page on every site
            page.quotes.insert(0, "m0/hidden")
        pages.append(page)
    pages.append(Page("about", ".rst"))
    return pages


def files(pages: list[Page]) -> dict[str, str]:
    index = "Generated site\n==============\n\n.. toctree::\n   :maxdepth: 1\n\n"
    out = {"index.rst": index + "".join(f"   {p.docname}\n" for p in pages)}
    out.update({p.filename: p.text() for p in pages})
    return out


def write_site(srcdir: str | Path, n: int = 200, seed: int = 0) -> list[Page]:
    """The generated site as a project directory (conf.py included); its pages."""
    srcdir = Path(srcdir)
    srcdir.mkdir(parents=True, exist_ok=True)
    (srcdir / "conf.py").write_text(CONF, encoding="utf-8")
    pages = generate(n, seed)
    for name, text in files(pages).items():
        (srcdir / name).write_text(text, encoding="utf-8")
    return pages


def quoted_numbers(pages: list[Page]) -> dict[str, str]:
    """Every quote's number as the site shows it (``m3/hidden`` -> ``1,234``), from the core directly."""
    counts: dict[str, int] = {}
    for page in pages:
        if page.model is None:
            continue
        summary = summarize("\n".join(page.layers)).to_dict()
        totals = {"": summary["total_params"], ":total": summary["total_params"],
                  ":trainable": summary["trainable_params"], ":non_trainable": summary["non_trainable_params"]}
        for suffix, n in totals.items():
            counts[page.model + suffix] = n
        for row in summary["layers"]:
            counts.setdefault(f"{page.model}/{row['name']}", row["params"])
    return {target: format_count(n) for target, n in counts.items()}
