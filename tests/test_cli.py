"""The command line: ``python -m sphinxext_params summary FILE|-`` and ``sphinxext-params``.

In-process through ``cli.main(argv)`` for most cases (fast), and through a subprocess for
what only a real process shows: the exit status, stdin as bytes, stdout encodings, and
that no traceback ever reaches the user.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sphinxext_params import __version__, summarize
from sphinxext_params.cli import main
from sphinxext_params.core.expr import format_int

ROOT = Path(__file__).resolve().parent.parent

# The models users ask about in the seed questions (shared/seeds), as they paste them.
MNIST = 'Input(shape=(784,))\nDense(10, activation="softmax")\n'
SEED_514 = """\
from keras.models import Sequential
from keras.layers import Dense, Activation
predictivemodel = Sequential()
predictivemodel.add(Dense(514, input_dim=514))
predictivemodel.add(Activation("relu"))
predictivemodel.add(Dense(257))
predictivemodel.compile(loss="mean_squared_error", optimizer="adam", metrics=["accuracy"])
"""
SEED_RNN = ('model = Sequential()\nmodel.add(SimpleRNN(10, input_shape=(3, 1)))\n'
            'model.add(Dense(1, activation="linear"))\n')
SEED_LSTM = "Input(shape=(None, 32))\nLSTM(100)\n"
SEED_TWO = "model = tf.keras.models.Sequential()\nmodel.add(tf.keras.layers.Dense(2, input_dim=2))\n"
SEED_232 = "Dense(3, input_dim=2)\nDense(2)\n"
SEED_CONV = """\
Input(shape=(32, 32, 3))
Conv2D(32, (3, 3), activation="relu")
MaxPooling2D((2, 2))
Conv2D(64, (3, 3), activation="relu")
MaxPooling2D((2, 2))
Conv2D(128, (3, 3), activation="relu")
GlobalAveragePooling2D()
Dense(10)
"""
#: Each seed and the numbers its question is about, as the seed pages quote Keras.
SEEDS = {
    "mnist": (MNIST, ["7,850"]),
    "514": (SEED_514, ["264,710", "132,355", "397,065"]),
    "rnn": (SEED_RNN, ["120"]),
    "lstm": (SEED_LSTM, ["53,200"]),
    "two": (SEED_TWO, ["6"]),
    "232": (SEED_232, ["17"]),
    "conv": (SEED_CONV, ["896", "18,496", "73,856", "1,290"]),
}


def run_main(argv, capsys, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*args, stdin: bytes | None = None, env=None):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "sphinxext_params", *args], input=stdin, capture_output=True,
                          cwd=ROOT, env=environment, timeout=60)


@pytest.fixture
def layer_file(tmp_path):
    def write(text: str | bytes, name: str = "model.txt") -> str:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)
    return write


# -- the seeds ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_text_output_shows_the_seed_numbers(seed, layer_file, capsys):
    text, numbers = SEEDS[seed]
    code, out, err = run_main(["summary", layer_file(text)], capsys)
    assert code == 0 and err == ""
    for number in numbers:
        assert f" {number} " in out or f" {number}\n" in out or f"{number} (" in out, (number, out)
    summary = summarize(text)
    assert f"Total params: {format_int(summary.total_params)} ({summary.memory(summary.total_params)})" in out
    for row in summary.layers:
        assert f"{row.name} ({row.type})" in out or (row.name in out and f"({row.type})" in out)
        assert row.output_shape_text in out


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_numbers_are_what_keras_reports(seed):
    """The numbers the seed tests look for are Keras's own, not typed-in claims."""
    from tests.oracle.keras_oracle import keras_summary
    text, numbers = SEEDS[seed]
    truth = keras_summary(text)
    reported = {format_int(r["params"]) for r in truth["layers"]} | {format_int(truth["total_params"])}
    assert set(numbers) <= reported
    ours = summarize(text).to_dict()
    assert [r["params"] for r in ours["layers"]] == [r["params"] for r in truth["layers"]]


def test_keras_box_table_layout(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(SEED_CONV)], capsys)
    lines = out.splitlines()
    assert lines[0] == "Model (Keras)"
    assert lines[1].startswith("┏━") and lines[1].endswith("┓") and "┳" in lines[1]
    assert lines[2].startswith("┃ Layer (type)") and "┃ Output Shape" in lines[2] and lines[2].endswith("Param # ┃")
    assert lines[3].startswith("┡") and "╇" in lines[3]
    assert lines[4].startswith("│ conv2d (Conv2D)")
    assert lines[4].endswith(" 896 │")  # counts are right-aligned
    assert "├" in lines[5] and "┼" in lines[5]
    table = [line for line in lines if line[:1] in "┏┃┡│├└"]
    assert len({len(line) for line in table}) == 1  # every row as wide as the rules
    assert table[-1].startswith("└") and table[-1].endswith("┘")
    footer = lines[len(table) + 1:]
    assert footer[0].startswith(" Total params: ")
    assert footer[1].startswith(" Trainable params: ")
    assert footer[2].startswith(" Non-trainable params: ")


def test_long_layer_names_wrap_like_keras(capsys, layer_file):
    text = "Input(shape=(8,))\nBatchNormalization()\nDense(4, name='a_layer_name_much_longer_than_the_column_is')\n"
    code, out, _ = run_main(["summary", layer_file(text)], capsys)
    assert code == 0
    assert "│ batch_normalization " in out and "│ (BatchNormalization) " in out
    assert "│ a_layer_name_much_longer_than_the_column_is │" in out


def test_ascii_table(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(SEED_CONV), "--ascii", "--derivations"], capsys)
    assert code == 0
    assert out.isascii(), [c for c in out if not c.isascii()]
    assert "+---" in out and "| Layer (type)" in out and "+===" in out
    assert "floor(" in out and " * " in out


# -- formats -----------------------------------------------------------------------------------------

def test_json_has_the_issue_keys(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(MNIST), "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data == summarize(MNIST).to_dict()
    assert {"framework", "layers", "total_params", "trainable_params", "non_trainable_params"} <= set(data)
    row = data["layers"][0]
    assert {k: row[k] for k in ("name", "type", "output_shape", "params", "trainable", "non_trainable")} == \
        {"name": "dense", "type": "Dense", "output_shape": [None, 10], "params": 7850, "trainable": 7850,
         "non_trainable": 0}
    assert (data["framework"], data["total_params"], data["trainable_params"], data["non_trainable_params"]) == \
        ("keras", 7850, 7850, 0)
    assert '"output_shape": [\n        null,' in out  # batch dimension as JSON null


def test_json_several_outputs_give_a_list_of_shapes(layer_file, capsys):
    text = "x = Input(shape=(5, 3))\nouts = LSTM(4, return_state=True)(x)\nModel(x, outs)\n"
    code, out, _ = run_main(["summary", layer_file(text), "--format", "json"], capsys)
    assert code == 0
    lstm = json.loads(out)["layers"][1]
    assert lstm["output_shape"] == [[None, 4], [None, 4], [None, 4]]


def test_markdown_table(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(SEED_514), "--format", "markdown", "--derivations"], capsys)
    assert code == 0
    assert "| Layer (type) | Output Shape | Param # |" in out
    assert "| :-- | :-- | --: |" in out
    assert "| dense (Dense) | (None, 514) | 264,710 |" in out
    assert "| dense\\_1 (Dense) | (None, 257) | 132,355 |" in out
    assert "- Total params: 397,065 (1.51 MB)" in out
    assert "`N = u (i + 1) = 514 × (514 + 1) = 264,710`" in out


def test_markdown_escapes_names(layer_file, capsys):
    text = "Input(shape=(4,))\nDense(2, name='<script>alert(1)</script>|*x*')\n"
    code, out, _ = run_main(["summary", layer_file(text), "--format", "markdown"], capsys)
    assert code == 0
    assert "<script>" not in out
    assert "\\<script\\>alert(1)\\</script\\>\\|\\*x\\* (Dense)" in out


def test_derivations_in_text(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(SEED_CONV), "--derivations"], capsys)
    assert code == 0
    assert "Derivations:" in out
    for row in summarize(SEED_CONV).layers:
        for step in (*row.shape_derivation, *row.derivation):
            assert step.text() in out
    assert "N = u (i + 1) = 10 × (128 + 1) = 1,290" in out


def test_without_derivations_none_are_printed(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(MNIST)], capsys)
    assert "Derivations" not in out and "784 + 1" not in out


# -- options -------------------------------------------------------------------------------------------

def test_input_shape_option(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file("Dense(10)\n"), "--input-shape", "(784,)"], capsys)
    assert code == 0 and "7,850" in out


def test_dtype_option_sizes_the_memory(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file(MNIST), "--dtype", "float16", "--format", "json"], capsys)
    data = json.loads(out)
    assert data["dtype"] == "float16"
    assert data["total_memory"] == summarize(MNIST, dtype="float16").memory(7850) == "15.33 KB"


def test_pytorch_framework_shows_buffers(layer_file, capsys):
    text = "nn.Linear(784, 10)\nnn.BatchNorm1d(10)\n"
    code, out, _ = run_main(["summary", layer_file(text), "--framework", "pytorch", "--input-shape", "(784,)"],
                            capsys)
    assert code == 0, out
    summary = summarize(text, framework="pytorch", input_shape="(784,)")
    assert out.splitlines()[0] == "Model (PyTorch)"
    assert out.splitlines()[2].endswith("Param # ┃       Buffers ┃")
    assert f" Buffers: {format_int(summary.buffers)}" in out
    assert "│ 1 (BatchNorm1d)" in out


def test_framework_detected_from_the_text(layer_file, capsys):
    code, out, _ = run_main(["summary", layer_file("nn.Linear(4, 2)\n"), "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["framework"] == "pytorch"


@pytest.mark.parametrize("argv", [["--framework", "caffe"], ["--format", "xml"], ["--dtype", "float128"]])
def test_bad_option_values_exit_2(argv, layer_file, capsys):
    code, out, err = run_main(["summary", layer_file(MNIST), *argv], capsys)
    assert code == 2 and out == "" and "invalid choice" in err


def test_bad_input_shape_is_a_located_message(layer_file, capsys):
    path = layer_file("Dense(10)\n")
    code, out, err = run_main(["summary", path, "--input-shape", "(28, -1)"], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{path}: the input shape ")


def test_version(capsys):
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and out.strip() == f"sphinxext-params {__version__}"


def test_no_command_prints_help(capsys):
    code, out, err = run_main([], capsys)
    assert code == 2 and "summary" in err


def test_console_script_is_declared():
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["sphinxext-params"] == "sphinxext_params.cli:main"


# -- bad input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, where, words", [
    ("Input(shape=(4,))\nDens(10)\n", ":2:1:", ["unknown Keras layer 'Dens'", "did you mean 'Dense'"]),
    ('Input(shape=(4,))\nDense(units="ten")\n', ":2:", ["units", "'ten'"]),
    ("Dense(10)\n", ":1:1:", ["no input shape", "add `Input(shape=...)`"]),
    ("Input(shape=(4,))\nDense(10\n", ":2:", ["not valid Python syntax"]),
    ("import os\n", ":1:1:", ["importing 'os' is not allowed"]),
])
def test_bad_input_is_one_located_message(text, where, words, layer_file, capsys):
    path = layer_file(text)
    code, out, err = run_main(["summary", path], capsys)
    assert code == 2 and out == ""
    assert err.startswith(path + where), err
    for word in words:
        assert word in err
    assert "Traceback" not in err


def test_bad_input_shows_the_source_line_and_a_caret(layer_file, capsys):
    path = layer_file("Input(shape=(4,))\nx = Dense(10)(y)\n")
    code, _, err = run_main(["summary", path], capsys)
    lines = err.splitlines()
    assert code == 2
    assert lines[0] == f"{path}:2:15: the name 'y' is used before it is assigned"
    assert lines[1] == "    x = Dense(10)(y)"
    assert lines[2] == "    " + " " * 14 + "^"
    assert lines[3].startswith("  hint: ")


def test_missing_file(tmp_path, capsys):
    path = str(tmp_path / "nope.txt")
    code, out, err = run_main(["summary", path], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{path}: cannot read the file: ")


def test_a_directory_is_not_a_file(tmp_path, capsys):
    code, _, err = run_main(["summary", str(tmp_path)], capsys)
    assert code == 2 and err.startswith(f"{tmp_path}: cannot read the file")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", '"""a docstring"""\n'])
def test_empty_file(text, layer_file, capsys):
    path = layer_file(text)
    code, out, err = run_main(["summary", path], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{path}:1: the layer list holds no layers")


def test_bom_and_crlf_are_read(layer_file, capsys):
    path = layer_file(b"\xef\xbb\xbfInput(shape=(784,))\r\nDense(10)\r\n")
    code, out, _ = run_main(["summary", path], capsys)
    assert code == 0 and "7,850" in out


def test_non_utf8_file_is_located(layer_file, capsys):
    path = layer_file(b"Input(shape=(784,))\nDense(10, name='caf\xe9')\n")
    code, out, err = run_main(["summary", path], capsys)
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first == f"{path}:2:20: the text is not UTF-8: byte 0xe9 at offset 39 cannot be decoded"
    assert "hint: save the layer list as UTF-8" in err


def test_non_utf8_after_a_bom(layer_file, capsys):
    path = layer_file(b"\xef\xbb\xbfDense(4)\n\xff\n")
    code, _, err = run_main(["summary", path], capsys)
    assert code == 2 and err.startswith(f"{path}:2:1: the text is not UTF-8: byte 0xff at offset 12")


def test_too_large_a_file_is_refused_without_reading_it_all(layer_file, capsys):
    path = layer_file(b"#" * (5 * 1024 * 1024))
    code, _, err = run_main(["summary", path], capsys)
    assert code == 2 and "larger than the limit" in err


# -- standard input -----------------------------------------------------------------------------------------

def test_stdin_in_process(capsys, monkeypatch):
    code, out, _ = run_main(["summary", "-"], capsys, stdin=MNIST.encode(), monkeypatch=monkeypatch)
    assert code == 0 and "7,850" in out


def test_stdin_errors_are_named_stdin(capsys, monkeypatch):
    code, out, err = run_main(["summary", "-"], capsys, stdin=b"Input(shape=(4,))\nDens(3)\n",
                              monkeypatch=monkeypatch)
    assert code == 2 and err.startswith("<stdin>:2:1: unknown Keras layer 'Dens'")


def test_stdin_subprocess():
    result = run_process("summary", "-", "--format", "json", stdin=SEED_232.encode())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_params"] == summarize(SEED_232).total_params


def test_non_utf8_stdin_subprocess():
    result = run_process("summary", "-", stdin=b"Input(shape=(4,))\nDense(\x80)\n")
    assert result.returncode == 2 and result.stdout == b""
    err = result.stderr.decode()
    assert err.startswith("<stdin>:2:7: the text is not UTF-8: byte 0x80 at offset 24")
    assert "Traceback" not in err


@pytest.mark.parametrize("text", [
    "Dense(10**10**10)", "lambda: 0", "__import__('os').system('echo HACKED_$((6*7))')", "Dense(" * 200,
    "Input(shape=(4,))\nReshape((1000000, 1000000, 1000000))\nFlatten()", "\t Dense(4)\n  Dense(3)",
])
def test_hostile_input_through_a_real_process(text):
    result = run_process("summary", "-", stdin=text.encode())
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and result.stdout == b""
    assert result.stderr.startswith(b"<stdin>:")
    assert b"HACKED_42" not in result.stdout + result.stderr  # what the shell would have printed


def test_module_entry_point_and_exit_status():
    ok = run_process("summary", "-", stdin=MNIST.encode())
    assert ok.returncode == 0 and "7,850".encode() in ok.stdout
    version = run_process("--version")
    assert version.returncode == 0 and version.stdout.decode().strip() == f"sphinxext-params {__version__}"


def test_console_that_cannot_draw_boxes_gets_ascii():
    result = run_process("summary", "-", "--derivations", stdin=SEED_CONV.encode(),
                         env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("ascii")
    assert "+---" in out and "| conv2d (Conv2D)" in out and "floor(" in out


def test_unencodable_names_on_an_ascii_console():
    text = "Input(shape=(4,))\nDense(2, name='caf\u00e9')\n"
    result = run_process("summary", "-", "--format", "json", stdin=text.encode(), env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0
    assert json.loads(result.stdout)["layers"][0]["name"] == "caf\u00e9"
    text_result = run_process("summary", "-", stdin=text.encode(), env={"PYTHONIOENCODING": "ascii"})
    assert text_result.returncode == 0 and b"caf\\xe9 (Dense)" in text_result.stdout
