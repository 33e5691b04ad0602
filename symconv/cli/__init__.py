"""The ``symconv`` command line.

Each sub-command lives in its own module exposing ``register(subparsers)``,
which adds a parser whose ``handler`` default takes the parsed arguments and
returns the exit status. Bad input raises :class:`~symconv.SymconvError`:
the message goes to stderr and the exit status is 2, with no traceback.

Exit statuses (each has one meaning):

* ``0`` — done (for ``prove``: the theorem holds; for ``check``: the claim holds);
* ``1`` — ``prove`` ran and the claim was not established, or ``check`` refuted
  the claim (and nothing else);
* ``2`` — bad input: a one-line ``symconv: error: …`` on stderr;
* ``3`` — ``check`` could not decide the claim (unknown), or a ``prove
  --variant`` coincides with its theorem;
* ``74`` — the output could not be written (stdout closed, disk full:
  ``EX_IOERR`` of ``sysexits.h``), with a one-line message on stderr — left
  out when the reader of a pipe went away (``symconv theorems | head``);
* ``130`` — interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from symconv.core.errors import SymconvError

__all__ = ["main"]

#: Modules that register sub-commands, in the order ``--help`` lists them.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "symconv.cli.ops",
    "symconv.cli.check",
    "symconv.cli.notes",
    "symconv.cli.prove",
    "symconv.cli.shapes",
    "symconv.cli.identify",
    "symconv.cli.derivations",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are :class:`SymconvError` (exit 2, no traceback)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("symconv").strip()
        raise SymconvError(f"{command}: {message}" if command else message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    from symconv import __version__

    parser = _Parser(prog="symconv", description="Convolution vs cross-correlation, exactly.")
    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


#: Exit status when the output could not be written (``EX_IOERR``).
EXIT_OUTPUT = 74
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class _OutputError(Exception):
    """Writing to stdout failed; ``quiet`` when the reader of a pipe went away."""

    def __init__(self, reason: str, *, quiet: bool = False) -> None:
        super().__init__(reason)
        self.quiet = quiet


class _Stdout:
    """stdout while :func:`main` runs: a failed write or flush becomes :class:`_OutputError`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _do(self, op: str, *args: Any) -> Any:
        if self._stream is None:
            raise _OutputError("stdout is closed")
        try:
            return getattr(self._stream, op)(*args)
        except BrokenPipeError:
            raise _OutputError("the reader closed the pipe", quiet=True) from None
        except OSError as exc:
            raise _OutputError(exc.strerror or str(exc)) from None
        except ValueError as exc:  # a closed file object
            raise _OutputError(str(exc)) from None

    def write(self, text: str) -> Any:
        return self._do("write", text)

    def flush(self) -> Any:
        return self._do("flush")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _output_guarded() -> Iterator[None]:
    """Route stdout through :class:`_Stdout`, and let integers as long as symconv's bounded results print."""
    real = sys.stdout
    set_digits = getattr(sys, "set_int_max_str_digits", None)
    old_digits = sys.get_int_max_str_digits() if set_digits else 0
    sys.stdout = _Stdout(real)  # type: ignore[assignment]
    try:
        if set_digits and old_digits:
            from symconv.core.limits import current

            # results multiply at most a few literals of `literal_digits` digits each
            set_digits(max(old_digits, 4 * current().literal_digits + 64))
        yield
    finally:
        sys.stdout = real
        if set_digits:
            set_digits(old_digits)


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's last flush at exit cannot fail (no second error)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _error(message: str) -> None:
    print(f"symconv: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 claim false, 2 bad input, 74 output failed, 130 interrupted)."""
    try:
        with _output_guarded():
            try:
                args = build_parser().parse_args(argv)
            except SystemExit:  # --help: what it printed must reach the reader too
                sys.stdout.flush()
                raise
            status = int(args.handler(args))
            sys.stdout.flush()
            return status
    except SymconvError as exc:
        _error(str(exc).replace("\n", " "))
        return 2
    except _OutputError as exc:
        _silence_stdout()
        if not exc.quiet:
            _error(f"could not write the output: {exc}")
        return EXIT_OUTPUT
    except RecursionError:
        _error("the input is nested too deeply to process (Python's recursion limit)")
        return 2
    except MemoryError:
        _error("out of memory; use smaller sizes, or lower SYMCONV_LIMIT_MEMORY_BYTES so symconv refuses earlier")
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except OSError as exc:  # a file other than stdout (e.g. a full disk under `notes --out`)
        if exc.errno == errno.EPIPE:
            _silence_stdout()
        _error(
            f"could not read or write a file: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        )
        return EXIT_OUTPUT


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
