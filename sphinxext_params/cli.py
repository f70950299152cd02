"""The command line: ``sphinxext-params summary FILE|-`` (also ``python -m sphinxext_params``).

Bad input is reported as one located message on stderr with exit status 2, never a
traceback: the same :class:`~sphinxext_params.errors.ParamsError` text the Sphinx
extension turns into a warning.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .core import FRAMEWORKS, summarize
from .core.summary import DTYPE_BYTES
from .errors import Location, ParamsError
from .language import MAX_CHARS
from .render import render_markdown, render_text

#: Exit status for bad input (and bad options, as argparse uses it too).
EXIT_BAD_INPUT = 2
#: Bytes read at most: MAX_CHARS characters of up to 4 UTF-8 bytes each, and a BOM.
MAX_BYTES = 4 * MAX_CHARS + 3
STDIN_NAME = "<stdin>"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sphinxext-params",
        description="Count the parameters and output shapes of a Keras or PyTorch layer list, "
                    "without importing either framework.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    summary = commands.add_parser(
        "summary", help="print the summary of a layer list",
        description="Print what model.summary() would: each layer's output shape and parameter count, "
                    "and the totals.")
    summary.add_argument("file", metavar="FILE", help="the layer list; - reads standard input")
    summary.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                         help="text: a box table like Keras 3's model.summary() (default); "
                              "json: Summary.to_dict(); markdown: a GitHub table")
    summary.add_argument("--derivations", action="store_true",
                         help="also print how each count and output size is derived")
    summary.add_argument("--framework", choices=FRAMEWORKS, default=None,
                         help="the conventions to count by (default: detected from the text)")
    summary.add_argument("--input-shape", default=None, metavar="SHAPE",
                         help='the shape of one input sample when the list has no Input line, e.g. "(28, 28)"')
    summary.add_argument("--dtype", choices=tuple(DTYPE_BYTES), default="float32",
                         help="the dtype the memory sizes are computed for (default: float32)")
    summary.add_argument("--ascii", action="store_true",
                         help="draw the table with + - | and write the derivations in ASCII")
    return parser


def read_source(path: str) -> tuple[str, str]:
    """The layer list's text and the name to report it by; ParamsError when it cannot be read."""
    name = STDIN_NAME if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ParamsError(f"cannot read the file: {exc.strerror or exc}", kind="option") from None
    if len(data) > MAX_BYTES:
        raise ParamsError(f"the layer list is larger than the limit of {MAX_CHARS:,} characters",
                          kind="limit", location=Location(1), hint="split the model into smaller lists")
    return decode(data), name


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); undecodable bytes are reported at their line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        line_bytes = data[line_start:line_end if line_end >= 0 else len(data)]
        line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        raise ParamsError(f"the text is not UTF-8: byte 0x{data[start]:02x} at offset {start} cannot be decoded",
                          kind="syntax", location=Location(line, column, line_bytes.decode("utf-8", "replace")),
                          hint="save the layer list as UTF-8") from None


def can_encode(stream, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write(stream, text: str) -> None:
    """Write text a console may not be able to encode fully: unencodable characters become escapes."""
    if not can_encode(stream, text):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            text = text.encode(encoding, errors="backslashreplace").decode(encoding)
        except LookupError:
            text = text.encode("ascii", errors="backslashreplace").decode("ascii")
    stream.write(text)


def render(summary, options, stream) -> str:
    if options.format == "json":
        return json.dumps(summary.to_dict(), indent=2, ensure_ascii=not can_encode(stream, "×⌊")) + "\n"
    if options.format == "markdown":
        return render_markdown(summary, derivations=options.derivations)
    # A console that cannot draw the box characters gets the ASCII table.
    ascii = options.ascii or not can_encode(stream, "┏━┃│×⌊")
    return render_text(summary, derivations=options.derivations, ascii=ascii)


def summary_command(options) -> int:
    source_name = STDIN_NAME if options.file == "-" else options.file
    try:
        text, source_name = read_source(options.file)
        summary = summarize(text, framework=options.framework, input_shape=options.input_shape,
                            dtype=options.dtype)
    except ParamsError as exc:
        write(sys.stderr, exc.format(source_name) + "\n")
        return EXIT_BAD_INPUT
    write(sys.stdout, render(summary, options, sys.stdout))
    return 0


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        options = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if options.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    return summary_command(options)
