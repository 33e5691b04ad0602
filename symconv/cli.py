"""The ``symconv`` command line.

Each sub-command lives in its own module exposing ``register(subparsers)``,
which adds a parser whose ``handler`` default takes the parsed arguments and
returns the exit status. Bad input raises :class:`~symconv.SymconvError`:
the message goes to stderr and the exit status is 2, with no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from symconv._errors import SymconvError

__all__ = ["main"]

#: Modules that register sub-commands, in the order ``--help`` lists them.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "symconv._cli_ops",
    "symconv._cli_notes",
    "symconv._cli_prove",
    "symconv._cli_shapes",
    "symconv._cli_identify",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are :class:`SymconvError` (exit 2, no traceback)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("symconv").strip()
        raise SymconvError(f"{command}: {message}" if command else message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = _Parser(prog="symconv", description="Convolution vs cross-correlation, exactly.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 claim false, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
        status = int(args.handler(args))
        sys.stdout.flush()
        return status
    except SymconvError as exc:
        print(f"symconv: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`symconv theorems | head`): no traceback, and no
        # second error when the interpreter flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
