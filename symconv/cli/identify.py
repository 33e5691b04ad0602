"""``symconv identify TARGET``: which operation does a library's (or your) function compute?

``TARGET`` is a preset name (``numpy.convolve``, ``torch.nn.functional.conv2d``, … see
``--list``) or ``MODULE:FUNCTION`` for a function ``fn(x, w)`` of yours; the module is imported
(from the current directory too), nothing typed is evaluated as code.
"""

from __future__ import annotations

import argparse
from typing import Any

from symconv.core.errors import SymconvError

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from symconv.identification import PRESETS, identify

    if args.list:
        for name, p in PRESETS.items():
            extra = [f"ndim {'/'.join(map(str, p.ndims))}"]
            if p.modes:
                extra.append(f"--mode {'|'.join(p.modes)}")
            if p.boundaries:
                extra.append(f"--boundary {'|'.join(p.boundaries)}")
            print(f"{name:<40}{'; '.join(extra)}")
        return 0
    if args.target is None:
        raise SymconvError("identify: give a TARGET (a preset name or MODULE:FUNCTION), or --list")
    result = identify(args.target, args.ndim, mode=args.mode, boundary=args.boundary)
    print(result.to_json() if args.json else result)
    return 0


def register(sub: Any) -> None:
    """Add the ``identify`` sub-command."""
    p = sub.add_parser("identify", help="probe a function fn(x, w): which convolution or correlation is it?")
    p.add_argument("target", nargs="?", metavar="TARGET", help="a preset (numpy.convolve, …) or MODULE:FUNCTION")
    p.add_argument("--ndim", type=int, help="number of axes of x and w (default: the preset's own, else 1)")
    p.add_argument("--mode", help="a preset's output window: valid, same or full (as the preset allows)")
    p.add_argument("--boundary", help="a preset's boundary option, in the library's names (e.g. mirror, wrap)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--list", action="store_true", help="list the presets and their options")
    p.set_defaults(handler=_run)
