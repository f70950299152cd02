"""What the benchmark scripts share: the machine, the timing loop, the tables, the sites.

Not a benchmark itself.  Every script in this folder imports it (they run as
``python benchmarks/NAME.py``, so this folder is on ``sys.path``).

Timing rules, from the benchmarks issue: wall-clock ``time.perf_counter`` around a
``python -m sphinx`` subprocess, each variant built in a fresh temporary folder, the
baseline measured in the same run, variants alternated (A B, then B A, ...) so that
a slow minute of a shared machine falls on both, one warm-up build of each that is
not counted, and the median of at least five counted runs.
"""

from __future__ import annotations

import atexit
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the package is imported from the work tree, installed or not

#: Where the builds keep their compiled bytecode.  An installed package has its .pyc files
#: (pip compiles them); a work tree may not (``PYTHONDONTWRITEBYTECODE``, a fresh checkout),
#: and then every build would recompile this package from source, which no user's build
#: does.  So every build gets a bytecode cache outside the work tree, filled by the warm-up
#: builds, the same for every variant.
_pycache: list[Path] = []  # made on the first build, removed at exit


def build_env() -> dict:
    if not _pycache:
        _pycache.append(Path(tempfile.mkdtemp(prefix="sphinxext-params-bench-pycache-")))
        atexit.register(shutil.rmtree, _pycache[0], True)
    return {"PYTHONPYCACHEPREFIX": str(_pycache[0])}

#: Counted runs per variant: the issue asks for medians over at least five.
RUNS = 7
QUICK_RUNS = 5


# ---------------------------------------------------------------- the machine
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 ** 2
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    except (ValueError, OSError, AttributeError):
        return None


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    """What the figures depend on: CPU, cores, RAM, OS, Python and the documentation stack."""
    ram = _ram_gib()
    info = {
        "CPU": _cpu_model(),
        "cores (logical)": str(os.cpu_count()),
        "RAM": f"{ram:.1f} GiB" if ram else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "Sphinx": _version("sphinx"),
        "docutils": _version("docutils"),
    }
    if hasattr(os, "getloadavg"):
        info["load average (1, 5, 15 min) at start"] = load()
    return info


def load() -> str:
    """The load average: above the core count, other work shared the CPU with the builds."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def print_machine(title: str = "Machine") -> None:
    print_table(title, ["", ""], [[k, v] for k, v in machine().items()], align="ll")


# ---------------------------------------------------------------- tables
def print_table(title: str, heads: list[str], rows: list[list], align: str | None = None) -> None:
    """A GitHub-markdown table (so it pastes into the README and reads in a console)."""
    align = align or "l" + "r" * (len(heads) - 1)
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(heads)]

    def line(values):
        return "| " + " | ".join(v.ljust(w) if a == "l" else v.rjust(w)
                                 for v, w, a in zip(values, widths, align)) + " |"

    print(f"\n### {title}\n")
    print(line(heads))
    print("| " + " | ".join(("-" * (w - 1) + ":") if a == "r" else ("-" * w)
                           for w, a in zip(widths, align)) + " |")
    for r in cells:
        print(line(r))
    print(flush=True)


def seconds(t: float) -> str:
    return f"{t:.2f} s" if t >= 0.1 else f"{t * 1000:.1f} ms"


def median(times: list[float]) -> float:
    return statistics.median(times)


def spread(times: list[float]) -> str:
    """The range of the counted runs, so a reader sees how noisy a median is."""
    return f"{min(times):.2f}–{max(times):.2f}"


# ---------------------------------------------------------------- timing
@dataclass
class Variant:
    """One thing to time: ``prepare`` (untimed) then the command; ``after`` (untimed) checks it."""

    name: str
    command: Callable[[], list[str]]
    prepare: Callable[[], None] = lambda: None
    after: Callable[[], None] = lambda: None
    env: dict | None = None
    times: list[float] = field(default_factory=list)  # wall-clock seconds
    cpu: list[float] = field(default_factory=list)    # CPU seconds (user + system) of the build's processes


class BuildFailed(RuntimeError):
    pass


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command, return (wall seconds, CPU seconds, its stderr); raise if it fails.

    The CPU time (user + system of the command and every process it waited for) is
    the figure to trust when the machine is shared: the wall time of a build grows
    with other people's load, its CPU time hardly does.
    """
    full_env = {**os.environ, **build_env(), **(env or {})}
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=full_env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if proc.returncode:
        raise BuildFailed(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-3000:]}"
                          f"\n{proc.stderr[-3000:]}")
    return elapsed, cpu, proc.stderr


def alternate(variants: list[Variant], runs: int, warmup: bool = True, label: str = "") -> dict[str, Variant]:
    """Time the variants in alternating order (A B, B A, A B, ...); every variant gets ``runs`` times.

    Warnings a build prints are shown once per variant: a benchmark of a build that
    warns measures something other than it claims to.
    """
    warned = set()

    def once(v: Variant) -> tuple[float, float]:
        v.prepare()
        elapsed, cpu, err = run(v.command(), env=v.env)
        v.after()
        if err.strip() and v.name not in warned:
            warned.add(v.name)
            print(f"  [{v.name}] the build wrote to stderr:\n    " + "\n    ".join(err.strip().splitlines()[:10]),
                  file=sys.stderr)
        return elapsed, cpu

    if warmup:
        for v in variants:
            once(v)
    for i in range(runs):
        order = variants if i % 2 == 0 else list(reversed(variants))
        for v in order:
            wall, cpu = once(v)
            v.times.append(wall)
            v.cpu.append(cpu)
        progress = ", ".join(f"{v.name} {v.times[-1]:.2f}s (cpu {v.cpu[-1]:.2f}s)" for v in variants)
        print(f"  {label}run {i + 1}/{runs}: {progress}", file=sys.stderr, flush=True)
    print(f"  {label}load average after: {load()}", file=sys.stderr, flush=True)
    return {v.name: v for v in variants}


def contention_note(variants) -> str | None:
    """A warning when the builds waited for the CPU: single-process builds whose wall time is well
    above their CPU time were sharing the machine, and their wall-clock ratios are not to be trusted."""
    waits = [median(v.times) / median(v.cpu) for v in variants if v.cpu and median(v.cpu) > 0]
    if waits and max(waits) > 1.15:
        return (f"note: the machine was busy (wall time up to {max(waits):.2f}x the CPU time of a build, load "
                f"average {load()}): read the CPU columns, which other work hardly changes.")
    return None


def sphinx_build(src: Path, out: Path, *, builder: str = "html", fresh: bool = True, jobs: int | None = None,
                 quiet: bool = True) -> list[str]:
    """``python -m sphinx -E -b html -q SRC OUT`` (the issue's build command) as an argument list."""
    cmd = [sys.executable, "-m", "sphinx", "-b", builder]
    if fresh:
        cmd.append("-E")
    if quiet:
        cmd.append("-q")
    if jobs:
        cmd += ["-j", str(jobs)]
    return cmd + [str(src), str(out)]


def clean(path: Path) -> Callable[[], None]:
    """A ``prepare`` step that removes a build's output, so every build starts from nothing."""
    return lambda: shutil.rmtree(path, ignore_errors=True)


def tmpdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"sphinxext-params-bench-{prefix}-"))


# ---------------------------------------------------------------- the models
# A model is a list of layer-list lines.  The same lines are the directive's body,
# and, joined inside Sequential([...]), runnable Keras code for the notebook site.

def vgg16(classes: int = 1000) -> list[str]:
    """VGG16 as Keras builds it (138,357,544 parameters for 1000 classes)."""
    lines = ["Input(shape=(224, 224, 3))"]
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        for c in range(1, convs + 1):
            lines.append(f'Conv2D({filters}, (3, 3), activation="relu", padding="same", name="block{block}_conv{c}")')
        lines.append(f'MaxPooling2D((2, 2), strides=(2, 2), name="block{block}_pool")')
    lines += ['Flatten(name="flatten")', 'Dense(4096, activation="relu", name="fc1")',
              'Dense(4096, activation="relu", name="fc2")', f'Dense({classes}, activation="softmax", name="predictions")']
    return lines


def mlp(rng: random.Random) -> list[str]:
    """A small MLP: a flat or image input, two to four Dense layers."""
    if rng.random() < 0.5:
        lines = [f"Input(shape=({rng.choice([8, 32, 64, 784])},))"]
    else:
        lines = [f"Input(shape=({rng.choice([28, 32])}, {rng.choice([28, 32])}))", "Flatten()"]
    for _ in range(rng.randint(1, 3)):
        lines.append(f'Dense({rng.choice([16, 32, 64, 128, 256, 512])}, activation="relu")')
    lines.append(f'Dense({rng.choice([1, 2, 10, 100])}, activation="softmax")')
    return lines


def cnn(rng: random.Random) -> list[str]:
    """A small CNN: two or three Conv2D + MaxPooling2D blocks, then a Dense head."""
    size = rng.choice([28, 32, 64])
    lines = [f"Input(shape=({size}, {size}, {rng.choice([1, 3])}))"]
    filters = rng.choice([8, 16, 32])
    for _ in range(rng.randint(2, 3)):
        kernel = rng.choice([3, 5])
        same = rng.random() < 0.5 or size - kernel + 1 < 2  # keep every size at least 1 after pooling
        padding = ', padding="same"' if same else ""
        size = (size if same else size - kernel + 1) // 2
        lines.append(f'Conv2D({filters}, ({kernel}, {kernel}), activation="relu"{padding})')
        lines.append("MaxPooling2D()")
        filters *= 2
    lines += ["Flatten()", f'Dense({rng.choice([10, 100])}, activation="softmax")']
    return lines


@dataclass
class Model:
    name: str   # the directive's :name:, the role's target
    title: str  # the directive's caption
    kind: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


#: One page in five holds a VGG16-sized model, the rest small MLPs and CNNs.
KINDS = ["mlp", "cnn", "mlp", "cnn", "vgg16"]


def models(pages: int, seed: int = 7) -> list[Model]:
    rng = random.Random(seed)
    out = []
    for i in range(pages):
        kind = KINDS[i % len(KINDS)]
        lines = {"mlp": lambda: mlp(rng), "cnn": lambda: cnn(rng), "vgg16": lambda: vgg16(rng.choice([10, 1000]))}[kind]()
        out.append(Model(name=f"model-{i:03d}", title=f"{kind.upper()} number {i}", kind=kind, lines=lines))
    return out


# ---------------------------------------------------------------- the sites
CONF = '''\
import sys
sys.path.insert(0, {repo!r})  # the package from the work tree, installed or not
project = "sphinxext-params benchmark ({style})"
extensions = {extensions!r}
html_theme = "alabaster"
{extra}
'''

PROSE = ("This page holds one model.  In the prose, the whole model has {total} parameters and its "
         "last layer {last}.")


def page_directive(m: Model, derivations: str) -> str:
    """The page as an author writes it with this extension: the directive and two roles."""
    body = "\n".join("   " + line for line in m.lines)
    from sphinxext_params import summarize
    last = summarize(m.text).layers[-1].name
    prose = PROSE.format(total=f":params:`{m.name}`", last=f":params:`{m.name}/{last}`")
    return (f"{m.title}\n{'=' * len(m.title)}\n\n{prose}\n\n"
            f".. model-summary:: {m.title}\n   :name: {m.name}\n   :framework: keras\n"
            f"   :derivations: {derivations}\n\n{body}\n")


def page_by_hand(m: Model, derivations: str) -> str:
    """The same page with the same table, totals and equations typed as plain reStructuredText.

    Generated from our own :class:`Summary` and the directive's own formatting helpers, so
    the numbers, shapes, captions and LaTeX are identical to what the directive shows (the
    totals follow the table as lines, since a list-table cannot span columns).  This is the
    floor: Sphinx rendering that content with nothing computed.
    """
    from sphinxext_params import summarize
    from sphinxext_params.render import docutils_nodes as render

    s = summarize(m.text, framework="keras")
    fmt = render.format_count
    prose = PROSE.format(total=fmt(s.total_params), last=fmt(s.layers[-1].params))
    out = [m.title, "=" * len(m.title), "", prose, "",
           f".. list-table:: {m.title}", "   :header-rows: 1", f"   :name: {m.name}", "   :class: params-summary", "",
           "   * - Layer (type)", "     - Output Shape", "     - Param #"]
    for row in s.layers:
        out += [f"   * - {row.name} ({row.type})", f"     - {row.output_shape_text}", f"     - {fmt(row.params)}"]
    out.append("")
    out += [f"| {label}: {fmt(n)} ({memory})" for label, n, memory in render.footer_lines(s, render.Rendering())]
    out.append("")

    def math(steps):
        # The directive's own LaTeX: each step as aligned lines (formula, then the numbers).
        lines = render.aligned_latex(steps, ",")
        return [".. math::", ""] + [part for line in lines for part in ("   " + line, "")]

    def legend(steps):
        # What the labelled symbols stand for, as the directive lists them under the math.
        return [f"- :math:`{render.symbol_latex(step.symbol)}`: {step.label}" for step in steps if step.label] + [""]

    entries = []
    for row in s.layers:
        params, shapes = render.derivation_steps(row, derivations)
        if not (params or shapes):
            continue
        heading = f"**{row.name}** ({row.type})"
        if params:
            heading += f": {fmt(row.params)} parameter{'s' if row.params != 1 else ''}"
        entries += [heading, ""]
        if params:
            entries += math(params) + legend(params)
        if shapes:
            entries += [f"Output shape {row.output_shape_text}", ""] + math(shapes) + legend(shapes)
    if entries:
        what = "of the counts" if derivations != "shapes" else "of the output shapes"
        out += [f".. rubric:: Derivations {what}", ""] + entries
    return "\n".join(out) + "\n"


def write_site(root: Path, ms: list[Model], style: str, derivations: str = "all") -> Path:
    """A site with an index and one page per model; ``style`` is ``directive`` or ``by_hand``."""
    src = root / f"src-{style}"
    src.mkdir(parents=True, exist_ok=True)
    extensions = ["sphinxext_params"] if style == "directive" else []
    (src / "conf.py").write_text(CONF.format(repo=str(REPO), style=style, extensions=extensions, extra=""))
    page = page_directive if style == "directive" else page_by_hand
    for m in ms:
        (src / f"{m.name}.rst").write_text(page(m, derivations))
    toc = "\n".join(f"   {m.name}" for m in ms)
    # The index quotes the first model, so changing that model has a second page to update.
    if style == "directive":
        quote = f":params:`{ms[0].name}`"
    else:
        from sphinxext_params import summarize
        from sphinxext_params.core.expr import format_int
        quote = format_int(summarize(ms[0].text, framework="keras").total_params)
    (src / "index.rst").write_text(f"Benchmark site\n==============\n\nThe first model has {quote} parameters.\n\n"
                                   f".. toctree::\n   :maxdepth: 1\n\n{toc}\n")
    return src


def wait_for_extension(timeout: float = 0) -> bool:
    """Whether ``sphinxext_params.extension`` imports (another contributor may still be writing it)."""
    deadline = time.monotonic() + timeout
    while True:
        proc = subprocess.run([sys.executable, "-c", "import sphinxext_params.extension"], cwd=REPO,
                              capture_output=True)
        if proc.returncode == 0:
            return True
        if time.monotonic() >= deadline:
            print(proc.stderr.decode()[-2000:], file=sys.stderr)
            return False
        time.sleep(10)
