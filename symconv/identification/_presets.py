"""Presets: thin wrappers that give a library's convolution the ``fn(x, w) -> y`` signature.

Each wrapper takes plain numpy arrays ``x`` (the input, ``ndim`` axes) and ``w`` (the kernel, same
number of axes), adds what the library needs (batch and channel axes of size 1, TensorFlow's
``NWC``/``NHWC`` input and ``WIO``/``HWIO`` filters, float32 for JAX), calls the library and returns
the spatial output as a numpy array. The library is imported only when the preset is built; a
missing library is a :class:`~symconv.SymconvError`.

``MODULE:FUNCTION`` imports the module the user named (that is the request) and looks the function
up by attribute; no other text is ever evaluated.

>>> p = preset("numpy.convolve")
>>> p.name, p.ndim
('numpy.convolve', 1)
>>> p.fn([1.0, 2.0], [1.0, 10.0]).tolist()
[1.0, 12.0, 20.0]
>>> preset("numpy.correlate", mode="same").name
'numpy.correlate (mode=same)'
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError

__all__ = ["PRESETS", "Preset", "Resolved", "preset", "resolve"]

Fn = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Preset:
    """A library function by name: its library, supported ``ndim``, and output-mode/boundary options.

    ``modes`` are symconv's names (``'valid'``, ``'same'``, ``'full'``) of the output windows the
    preset can ask for, the library's default first (empty: no such option); ``boundaries`` are
    the library's own boundary names, default first (empty: no such option).
    """

    name: str
    package: str
    ndims: tuple[int, ...]
    modes: tuple[str, ...]
    boundaries: tuple[str, ...]
    make: Callable[[int, str | None, str | None], Fn]


@dataclass(frozen=True)
class Resolved:
    """A function ready to probe: the callable, its display name and its natural ``ndim``."""

    fn: Fn
    name: str
    ndim: int
    #: entered around all calls of ``fn`` (PyTorch: one intra-op thread, restored afterwards)
    session: Callable[[], contextlib.AbstractContextManager[None]] = field(default=contextlib.nullcontext)


def _import(package: str, name: str) -> ModuleType:
    if package == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return importlib.import_module(package)
    except ImportError as exc:
        dist = {"scipy.signal": "scipy", "scipy.ndimage": "scipy"}.get(package, package.split(".")[0])
        raise SymconvError(
            f"identify: preset {name!r} needs {dist}, which is not installed ({exc}); "
            f"install it, e.g. pip install {dist}"
        ) from None


def _f64(a: Any) -> np.ndarray:
    a = np.asarray(a)
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _numpy(fname: str, name: str, default: str) -> Callable[[int, str | None, str | None], Fn]:
    def make(nd: int, mode: str | None, boundary: str | None) -> Fn:
        f = getattr(_import("numpy", name), fname)
        m = mode or default
        return lambda x, w: f(_f64(x), _f64(w), mode=m)

    return make


def _signal(fname: str, name: str, default: str) -> Callable[[int, str | None, str | None], Fn]:
    def make(nd: int, mode: str | None, boundary: str | None) -> Fn:
        f = getattr(_import("scipy.signal", name), fname)
        m = mode or default
        if boundary is not None:
            return lambda x, w: f(_f64(x), _f64(w), mode=m, boundary=boundary)
        return lambda x, w: f(_f64(x), _f64(w), mode=m)

    return make


def _ndimage(fname: str, name: str) -> Callable[[int, str | None, str | None], Fn]:
    def make(nd: int, mode: str | None, boundary: str | None) -> Fn:
        f = getattr(_import("scipy.ndimage", name), fname)
        b = boundary or "reflect"
        return lambda x, w: f(_f64(x), _f64(w), mode=b)

    return make


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """PyTorch with one intra-op thread: tiny convolutions are ~100 times faster than with a contended pool."""
    torch = importlib.import_module("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _torch(fname: str, name: str) -> Callable[[int, str | None, str | None], Fn]:
    def make(nd: int, mode: str | None, boundary: str | None) -> Fn:
        torch = _import("torch", name)
        f = getattr(torch.nn.functional, fname)
        pad: Any = "same" if mode == "same" else 0

        def fn(x: Any, w: Any) -> np.ndarray:
            tx = torch.from_numpy(np.ascontiguousarray(_f64(x)))[None, None]
            tw = torch.from_numpy(np.ascontiguousarray(_f64(w)))[None, None]
            with warnings.catch_warnings():
                # even kernels with padding='same' warn that torch pads a copy of the input (a performance note)
                warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
                out = f(tx, tw) if fname.startswith("conv_transpose") else f(tx, tw, padding=pad)
            return np.asarray(out[0, 0].numpy())

        return fn

    return make


def _f32(a: Any) -> np.ndarray:
    a = np.asarray(a)
    return a.astype(np.complex64 if a.dtype.kind == "c" else np.float32)


def _lax(nd: int, mode: str | None, boundary: str | None) -> Fn:
    jax = _import("jax", "jax.lax.conv_general_dilated")
    pad = "SAME" if mode == "same" else "VALID"

    def fn(x: Any, w: Any) -> np.ndarray:
        x32, w32 = _f32(x), _f32(w)
        out = jax.lax.conv_general_dilated(x32[None, None], w32[None, None], (1,) * x32.ndim, pad)
        return np.asarray(out)[0, 0]

    return fn


def _jnp(fname: str, name: str, default: str) -> Callable[[int, str | None, str | None], Fn]:
    def make(nd: int, mode: str | None, boundary: str | None) -> Fn:
        jnp = _import("jax.numpy", name)
        f = getattr(jnp, fname)
        m = mode or default
        return lambda x, w: np.asarray(f(jnp.asarray(_f32(x)), jnp.asarray(_f32(w)), mode=m))

    return make


def _tf(fname: str, name: str) -> Callable[[int, str | None, str | None], Fn]:
    def make(nd: int, mode: str | None, boundary: str | None) -> Fn:
        tf = _import("tensorflow", name)
        f = getattr(tf.nn, fname)
        pad = "SAME" if mode == "same" else "VALID"

        def fn(x: Any, w: Any) -> np.ndarray:
            xx, ww = _f64(x), _f64(w)
            out = f(xx[None, ..., None], ww[..., None, None], 1, pad)  # NWC/NHWC input, WIO/HWIO filters
            return np.asarray(out.numpy())[0, ..., 0]

        return fn

    return make


_ND_BOUNDARIES = ("reflect", "constant", "nearest", "mirror", "wrap", "grid-wrap", "grid-mirror", "grid-constant")
_FNS = "torch.nn.functional."


def _presets() -> dict[str, Preset]:
    full, valid = ("full", "same", "valid"), ("valid", "same", "full")
    out = [
        Preset("numpy.convolve", "numpy", (1,), full, (), _numpy("convolve", "numpy.convolve", "full")),
        Preset("numpy.correlate", "numpy", (1,), valid, (), _numpy("correlate", "numpy.correlate", "valid")),
    ]
    for f in ("convolve", "correlate", "fftconvolve", "oaconvolve"):
        n = f"scipy.signal.{f}"
        out.append(Preset(n, "scipy", (1, 2, 3), full, (), _signal(f, n, "full")))
    for f in ("convolve2d", "correlate2d"):
        n = f"scipy.signal.{f}"
        out.append(Preset(n, "scipy", (2,), full, ("fill", "wrap", "symm"), _signal(f, n, "full")))
    for f in ("convolve", "correlate"):
        n = f"scipy.ndimage.{f}"
        out.append(Preset(n, "scipy", (1, 2, 3), (), _ND_BOUNDARIES, _ndimage(f, n)))
        out.append(Preset(n + "1d", "scipy", (1,), (), _ND_BOUNDARIES, _ndimage(f + "1d", n + "1d")))
    for d in (1, 2, 3):
        out.append(Preset(f"{_FNS}conv{d}d", "torch", (d,), ("valid", "same"), (), _torch(f"conv{d}d", f"conv{d}d")))
    for d in (1, 2):
        f = f"conv_transpose{d}d"
        out.append(Preset(_FNS + f, "torch", (d,), (), (), _torch(f, _FNS + f)))
    out.append(Preset("jax.lax.conv_general_dilated", "jax", (1, 2, 3), ("valid", "same"), (), _lax))
    out.append(Preset("jax.numpy.convolve", "jax", (1,), full, (), _jnp("convolve", "jax.numpy.convolve", "full")))
    out.append(Preset("jax.numpy.correlate", "jax", (1,), valid, (), _jnp("correlate", "jax.numpy.correlate", "valid")))
    for d in (1, 2):
        n = f"tensorflow.nn.conv{d}d"
        out.append(Preset(n, "tensorflow", (d,), ("valid", "same"), (), _tf(f"conv{d}d", n)))
    return {p.name: p for p in out}


#: Every preset by name.
PRESETS: dict[str, Preset] = _presets()

#: Short prefixes accepted for preset names.
ALIASES = {"np.": "numpy.", "jnp.": "jax.numpy.", "tf.": "tensorflow.", "F.": _FNS, "lax.": "jax.lax."}


def _canonical(name: str) -> str:
    for short, full in ALIASES.items():
        if name.startswith(short):
            return full + name[len(short) :]
    return name


def preset(name: str, ndim: int | None = None, *, mode: str | None = None, boundary: str | None = None) -> Resolved:
    """The preset ``name`` as a probe-ready function (imports its library now).

    ``mode`` asks the library for another output window (``'same'``: ``padding='same'``/``'SAME'``
    or ``mode='same'``); ``boundary`` is the library's own boundary name (scipy.ndimage ``mode``,
    scipy.signal 2-D ``boundary``).

    >>> preset("np.correlate", mode="same").fn([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 10.0]).tolist()
    [10.0, 21.0, 32.0, 43.0, 54.0]
    """
    canon = _canonical(name)
    p = PRESETS.get(canon)
    if p is None:
        close = difflib.get_close_matches(canon, list(PRESETS), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise SymconvError(
            f"identify: unknown preset {name!r}{hint} (presets: symconv identify --list; "
            f"or give MODULE:FUNCTION for your own fn(x, w))"
        )
    nd = p.ndims[0] if ndim is None else ndim
    if nd not in p.ndims:
        want = " or ".join(str(d) for d in p.ndims)
        raise SymconvError(f"identify: preset {p.name!r} takes ndim={want}; got ndim={nd}")
    if mode is not None and mode not in p.modes:
        opts = ", ".join(map(repr, p.modes)) if p.modes else "none: its output window is fixed"
        raise SymconvError(f"identify: preset {p.name!r} `mode` must be one of {opts}; got {mode!r}")
    if boundary is not None and boundary not in p.boundaries:
        opts = ", ".join(map(repr, p.boundaries)) if p.boundaries else "none: it has no boundary option"
        raise SymconvError(f"identify: preset {p.name!r} `boundary` must be one of {opts}; got {boundary!r}")
    options = [f"{k}={v}" for k, v in (("mode", mode), ("boundary", boundary)) if v is not None]
    label = p.name + (f" ({', '.join(options)})" if options else "")
    session = _one_torch_thread if p.package == "torch" else contextlib.nullcontext
    return Resolved(p.make(nd, mode, boundary), label, nd, session)


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def _user(target: str) -> Resolved:
    module, _, attr = target.partition(":")
    if not _DOTTED.match(module) or not _DOTTED.match(attr):
        raise SymconvError(
            f"identify: TARGET must be a preset name or MODULE:FUNCTION with dotted Python names "
            f"(e.g. mypkg.filters:smooth); got {target!r}"
        )
    cwd = os.getcwd()
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise SymconvError(f"identify: cannot import module {module!r} from TARGET {target!r}: {exc}") from None
    finally:
        if added:
            sys.path.remove(cwd)
    obj: Any = mod
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise SymconvError(f"identify: module {module!r} has no attribute {attr!r} (TARGET {target!r})")
        obj = getattr(obj, part)
    if not callable(obj):
        raise SymconvError(f"identify: {target!r} must be a function fn(x, w); got a {type(obj).__name__}")
    return Resolved(obj, target, 1)


def resolve(target: str, ndim: int | None = None, *, mode: str | None = None, boundary: str | None = None) -> Resolved:
    """A preset name, or ``MODULE:FUNCTION`` (imported; never evaluated as code)."""
    if not isinstance(target, str) or not target:
        raise SymconvError(f"identify: TARGET must be a preset name or MODULE:FUNCTION; got {target!r}")
    if ":" in target:
        if mode is not None or boundary is not None:
            raise SymconvError("identify: `mode` and `boundary` are options of presets, not of MODULE:FUNCTION")
        r = _user(target)
        return Resolved(r.fn, r.name, 1 if ndim is None else ndim)
    return preset(target, ndim, mode=mode, boundary=boundary)
