"""Record what each library computes: the data of chapter 6's library map, measured by ``identify``.

``symconv.identification.library_table()`` probes every preset (numpy, scipy, PyTorch, JAX, TensorFlow)
with unit impulses; ``identify`` also probes three functions that are not presets, through the
wrappers below: ``tensorflow.nn.conv2d_transpose`` (its default ``padding='SAME'``), the Keras
``Conv2D`` layer (its default ``padding='valid'``) and ``jax.lax.conv_transpose`` (``'VALID'``).
Each row keeps the measured cells (operation, flip, default output window, where 'same' puts an
even kernel's extra zero, conjugation of a complex kernel, boundary); the file states the library
versions it was measured with. Chapter 6 renders the committed file, so the notes are the same on
every machine; ``tests/test_notes_libraries.py`` measures again wherever a library is installed
and compares.

Record (where ALL the libraries are installed, as in CI), from the repository root::

    python -m derivations.record_libraries            # rewrite derivations/data/library_conventions.json
    python -m derivations.record_libraries --check    # compare only; exit 1 on a difference

The output is deterministic (seeded probes, sorted keys): recording twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symconv.identification import PRESETS, LibraryRow, identify, library_table
from symconv.identification._table import _conj, _mode, _side

DATA = Path(__file__).resolve().parent / "data" / "library_conventions.json"

#: the libraries measured, in the table's order (PyPI distribution names; Keras rows need TensorFlow too)
LIBRARIES = ("numpy", "scipy", "torch", "jax", "tensorflow", "keras")

ABOUT = (
    "What each library computes, measured by symconv.identify (impulse probes) where all of numpy, scipy, "
    "torch, jax, tensorflow and keras are installed: library_table() on every preset, identify() on the "
    "wrappers of derivations/record_libraries.py for the other rows. Rendered by chapter 6 "
    "(derivations/ch6_libraries.py); checked by tests/test_notes_libraries.py. Do not edit by hand: run "
    "python -m derivations.record_libraries from the repository root"
)

Fn = Callable[[Any, Any], Any]


def _f64(a: Any) -> np.ndarray:
    a = np.asarray(a)
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _tensorflow() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return importlib.import_module("tensorflow")


def _tf_conv2d_transpose(mode: str | None) -> Fn:
    """``tf.nn.conv2d_transpose`` with its default padding ('SAME'), stride 1: output shape = input shape."""
    tf = _tensorflow()

    def fn(x: Any, w: Any) -> np.ndarray:
        xx, ww = _f64(x), _f64(w)
        # filters [k_h, k_w, out_channels, in_channels]; NHWC input
        out = tf.nn.conv2d_transpose(xx[None, ..., None], ww[..., None, None], [1, *xx.shape, 1], strides=1)
        return np.asarray(out.numpy())[0, ..., 0]

    return fn


def _keras_conv2d(mode: str | None) -> Fn:
    """A Keras ``Conv2D`` layer (one filter, no bias) with its default padding, or ``padding='same'``."""
    tf = _tensorflow()
    layers: dict[tuple[Any, ...], Any] = {}

    def layer(xshape: tuple[int, ...], wshape: tuple[int, ...]) -> Any:
        if (xshape, wshape) not in layers:
            options = {} if mode is None else {"padding": mode}
            conv = tf.keras.layers.Conv2D(1, wshape, use_bias=False, dtype="float64", **options)
            conv.build((1, *xshape, 1))
            layers[xshape, wshape] = conv
        return layers[xshape, wshape]

    def fn(x: Any, w: Any) -> np.ndarray:
        xx, ww = _f64(x), _f64(w)
        conv = layer(xx.shape, ww.shape)
        conv.set_weights([ww[..., None, None]])  # kernel (k_h, k_w, in, out)
        return np.asarray(conv(xx[None, ..., None]).numpy())[0, ..., 0]

    return fn


def _jax_conv_transpose(mode: str | None) -> Fn:
    """``jax.lax.conv_transpose`` with its default ``dimension_numbers`` (NHC, HIO) and transpose_kernel."""
    jax = importlib.import_module("jax")
    padding = "SAME" if mode == "same" else "VALID"

    def fn(x: Any, w: Any) -> np.ndarray:
        xx, ww = np.asarray(x), np.asarray(w)
        dt = np.complex64 if "c" in (xx.dtype.kind, ww.dtype.kind) else np.float32
        out = jax.lax.conv_transpose(xx.astype(dt)[None, :, None], ww.astype(dt)[:, None, None], (1,), padding)
        return np.asarray(out)[0, :, 0]

    return fn


@dataclass(frozen=True)
class Extra:
    """A function that is not an ``identify`` preset: its wrapper, ``ndim`` and whether 'same' is another call."""

    name: str
    library: str
    ndim: int
    make: Callable[[str | None], Fn]
    same_option: bool


EXTRAS = (
    Extra("jax.lax.conv_transpose", "jax", 1, _jax_conv_transpose, True),
    Extra("tensorflow.nn.conv2d_transpose", "tensorflow", 2, _tf_conv2d_transpose, False),
    Extra("tensorflow.keras.layers.Conv2D", "keras", 2, _keras_conv2d, True),
)


def _extra_row(e: Extra) -> LibraryRow:
    """``identify`` on the wrapper, cells as ``library_table`` makes them."""
    r = identify(e.make(None), e.ndim)
    same = identify(e.make("same"), e.ndim) if e.same_option else (r if r.mode == "same" else None)
    return LibraryRow(
        function=e.name,
        ndim=r.ndim,
        operation=r.operation or "neither",
        default_mode=_mode(r),
        same_even_kernel=_side(same),
        conjugates=_conj(r),
        boundary=r.boundary or "unknown",
        result=r,
        same_result=same,
    )


def library_of(function: str) -> str:
    """The distribution a row's function belongs to (``'tensorflow.keras…'`` → ``'keras'``)."""
    for e in EXTRAS:
        if e.name == function:
            return e.library
    return PRESETS[function].package.split(".")[0]


def as_dict(row: LibraryRow) -> dict[str, Any]:
    """The recorded cells of one row."""
    return {
        "function": row.function,
        "library": library_of(row.function),
        "ndim": row.ndim,
        "operation": row.operation,
        "flip_every_axis": row.result.flip_every_axis,
        "default_mode": row.default_mode,
        "same_even_kernel": row.same_even_kernel,
        "conjugates": row.conjugates,
        "boundary": row.boundary,
    }


def measure(libraries: Sequence[str] = LIBRARIES) -> list[dict[str, Any]]:
    """The rows of ``libraries`` (Keras rows under ``'keras'``), in the table's order: measured now.

    The libraries must be installed (the caller checks; ``record`` refuses otherwise).
    """
    order = {lib: i for i, lib in enumerate(LIBRARIES)}
    names = [n for n, p in PRESETS.items() if p.package.split(".")[0] in libraries]
    rows = [as_dict(r) for r in library_table(names)]
    rows += [as_dict(_extra_row(e)) for e in EXTRAS if e.library in libraries]
    return sorted(rows, key=lambda r: order[r["library"]])  # stable: presets' order, then the extras


def installed_versions(libraries: Sequence[str] = LIBRARIES) -> dict[str, str]:
    """Installed version of each library (local suffixes such as ``+cpu`` dropped); absent ones left out."""
    out = {}
    for name in libraries:
        try:
            out[name] = importlib.metadata.version(name).split("+")[0]
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def record() -> dict[str, Any]:
    """The whole data file's content, measured now; every library must be installed."""
    versions = installed_versions()
    missing = [n for n in LIBRARIES if n not in versions]
    if missing:
        raise SystemExit(
            f"record_libraries: {', '.join(missing)} not installed; record where all of {', '.join(LIBRARIES)} are"
        )
    return {"about": ABOUT, "measured_with": versions, "rows": measure()}


def dumps(data: dict[str, Any]) -> str:
    """The file's text: sorted keys, two-space indent, UTF-8 characters kept, final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: Path = DATA) -> dict[str, Any]:
    """The committed data."""
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record chapter 6's library map (identify on every library).")
    parser.add_argument("--out", type=Path, default=DATA, help=f"the data file (default {DATA})")
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    args = parser.parse_args(argv)
    text = dumps(record())
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from a new recording'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
