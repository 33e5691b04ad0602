r"""Probing a black-box ``fn(x, w) -> y``: bilinearity, exactness, and the impulse responses.

A bilinear map is known exactly from its values on unit impulses:

.. math::

    y = B(x, w) = \sum_{i, j} x[i]\, w[j]\; B(e_i, e_j),
    \qquad T[m, i, j] = B(e_i, e_j)[m],

so one call per pair ``(e_i, e_j)`` recovers the coefficient tensor ``T``. Before that, random
integer probes check that ``fn`` IS bilinear (zero on a zero argument, additive and homogeneous in
each argument); afterwards ``T`` must predict ``fn`` on random inputs. Library outputs are floats:
a value counts as the integer ``r`` only when it is within ``1e-6·max(1, |r|)`` of it.

>>> import numpy as np
>>> p = probe_size(lambda x, w: np.convolve(x, w), "np.convolve", (3,), (2,))
>>> p.m, p.tensor.shape, p.tensor[1].tolist()   # y[1] = x[1]·w[0] + x[0]·w[1]
((4,), (4, 3, 2), [[0, 1], [1, 0], [0, 0]])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.identification._result import Evidence

__all__ = [
    "DEFAULT_SIZES",
    "TOLERANCE",
    "NotConvolutionError",
    "Probed",
    "call",
    "exact",
    "probe_size",
    "show",
    "unit",
]

#: Default probe sizes per ``ndim``: ``(input shape, kernel shape)`` pairs. Every axis sees three
#: kernel sizes with consecutive spans (so a padding rule in ``K`` is pinned down: constant,
#: ``K-1``, ``⌊(K-1)/2⌋`` or ``⌈(K-1)/2⌉``), odd and even input and kernel sizes, and kernels of at
#: least 4 taps (so 'same' pads 2 on one side and the boundary rules differ at the edge).
DEFAULT_SIZES: dict[int, tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]] = {
    1: (((9,), (5,)), ((8,), (4,)), ((7,), (2,)), ((10,), (3,))),
    2: (((8, 7), (5, 2)), ((7, 9), (4, 3)), ((9, 8), (3, 5))),
    3: (((6, 6, 5), (4, 3, 2)), ((5, 6, 6), (3, 2, 4)), ((6, 5, 6), (2, 4, 3))),
}

#: Relative tolerance for reading a library's float output as an exact (Gaussian) integer.
TOLERANCE = 1e-6

#: Most calls of ``fn`` one identification may make (input entries × kernel entries, summed).
MAX_CALLS = 200_000

#: Most output entries one call may return.
MAX_OUTPUT = 100_000


class NotConvolutionError(Exception):
    """Internal: ``fn`` is not a correlation/convolution; carries the finding and the probe showing it."""

    def __init__(self, finding: str, evidence: Evidence, *, bilinear: bool | None = None, exact: bool | None = None):
        super().__init__(finding)
        self.finding = finding
        self.evidence = evidence
        self.bilinear = bilinear
        self.exact = exact


def show(a: np.ndarray) -> str:
    """A probe array as text: its entries when small, else its shape.

    >>> show(np.array([1.0, -2.0])), show(np.zeros((5, 5)))
    ('[1, -2]', 'an array of shape (5, 5)')
    """
    if a.size <= 12:
        return str(_plain(a.tolist()))
    return f"an array of shape {a.shape}"


def _plain(v: Any) -> Any:
    if isinstance(v, list):
        return [_plain(t) for t in v]
    if isinstance(v, complex):
        re, im = _plain(v.real), _plain(v.imag)
        return complex(re, im) if im else re
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def unit(flat: int, shape: tuple[int, ...]) -> str:
    """The unit impulse at flat position ``flat`` of ``shape``: ``e_4`` in 1-D, ``e_(6, 0)`` in N-D.

    >>> unit(4, (9,)), unit(42, (8, 7))
    ('e_4', 'e_(6, 0)')
    """
    idx = [int(v) for v in np.unravel_index(flat, shape)]
    return f"e_{idx[0]}" if len(idx) == 1 else "e_(" + ", ".join(map(str, idx)) + ")"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    msg = text[0] if text else ""
    return f"{type(exc).__name__}: {msg[:200]}" if msg else type(exc).__name__


def call(fn: Callable[[np.ndarray, np.ndarray], Any], name: str, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``fn(x, w)`` as a numeric numpy array; a crash or a non-array result is a :class:`SymconvError`."""
    try:
        out = fn(x, w)
    except SymconvError:
        raise
    except (Exception, SystemExit) as exc:  # a user's sys.exit() is not identify's exit status
        raise SymconvError(
            f"identify: `fn` ({name}) must accept numpy arrays x of shape {x.shape} and w of shape {w.shape} "
            f"({x.dtype}) and return an array; it raised {_first_line(exc)}"
        ) from None
    try:
        arr = np.asarray(out)
    except Exception as exc:
        raise SymconvError(
            f"identify: `fn` ({name}) must return an array; it returned {type(out).__name__} ({_first_line(exc)})"
        ) from None
    if arr.dtype.kind not in "biufc":
        raise SymconvError(
            f"identify: `fn` ({name}) must return a numeric array; it returned dtype {arr.dtype} "
            f"({type(out).__name__}) for x of shape {x.shape}, w of shape {w.shape}"
        )
    if arr.size > MAX_OUTPUT:
        raise SymconvError(
            f"identify: `fn` ({name}) returned {arr.size} entries for x of shape {x.shape} and w of shape "
            f"{w.shape}; at most {MAX_OUTPUT} are read"
        )
    return arr


def exact(y: np.ndarray, *, complex_ok: bool = False) -> np.ndarray | None:
    """``y`` read as exact integers (``int64``) or Gaussian integers (``complex128``), or None.

    Each entry must lie within ``TOLERANCE·max(1, |r|)`` of an integer ``r`` (real and imaginary
    parts separately); without ``complex_ok`` the imaginary part must be 0.

    >>> exact(np.array([1.0000000001, -2.0])).tolist(), exact(np.array([0.5])) is None
    ([1, -2], True)
    >>> exact(np.array([1 + 2.0000000001j]), complex_ok=True).tolist()
    [(1+2j)]
    """
    y = np.asarray(y)
    if y.dtype.kind in "biu":
        return y.astype(np.int64)
    if not np.all(np.isfinite(y)):
        return None
    parts = []
    for part in (np.real(y).astype(np.float64), np.imag(y).astype(np.float64)):
        r = np.round(part)
        if np.any(np.abs(part - r) > TOLERANCE * np.maximum(1.0, np.abs(r))) or np.any(np.abs(r) > 2**52):
            return None
        parts.append(r)
    if complex_ok:
        return (parts[0] + 1j * parts[1]).astype(np.complex128)
    if np.any(parts[1] != 0):
        return None
    return parts[0].astype(np.int64)


@dataclass(frozen=True)
class Probed:
    """The impulse responses of ``fn`` at one pair of sizes: ``tensor[m, i, j] = fn(e_i, e_j)[m]`` (flat indices)."""

    n: tuple[int, ...]
    k: tuple[int, ...]
    m: tuple[int, ...]
    tensor: np.ndarray


def _sizes(n: tuple[int, ...], k: tuple[int, ...]) -> str:
    def shape(s: tuple[int, ...]) -> str:
        return str(s[0]) if len(s) == 1 else "×".join(map(str, s))

    return f"x of size {shape(n)}, w of size {shape(k)}"


def _random(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    a = rng.integers(-4, 5, size=shape).astype(np.float64)
    if not a.any():
        a.flat[0] = 1.0
    return a


class _Caller:
    """Calls ``fn`` at one pair of sizes, checks every result's shape and exactness."""

    def __init__(self, fn: Callable[[np.ndarray, np.ndarray], Any], name: str, n: tuple[int, ...], k: tuple[int, ...]):
        self.fn, self.name, self.n, self.k = fn, name, n, k
        self.m: tuple[int, ...] | None = None

    def __call__(self, x: np.ndarray, w: np.ndarray, what: str) -> np.ndarray:
        y = call(self.fn, self.name, x.copy(), w.copy())
        if self.m is None and y.size == 0:
            raise SymconvError(
                f"identify: `fn` ({self.name}) returned an empty array for x of shape {self.n} and w of shape "
                f"{self.k}; probe larger inputs with sizes=[(input shape, kernel shape), ...]"
            )
        if self.m is None:
            if y.ndim != len(self.n):
                raise NotConvolutionError(
                    f"returns {y.ndim} axes for {len(self.n)}-axis inputs",
                    Evidence(
                        "shape",
                        f"fn({what}) with {_sizes(self.n, self.k)}",
                        f"an array of shape {y.shape}",
                        f"a {len(self.n)}-D correlation returns {len(self.n)} axes",
                    ),
                )
            self.m = y.shape
        elif y.shape != self.m:
            raise NotConvolutionError(
                "the output shape depends on the values, not only on the sizes",
                Evidence(
                    "shape",
                    f"fn({what}) with {_sizes(self.n, self.k)}",
                    f"an array of shape {y.shape}, another call gave {self.m}",
                    "a correlation's output shape depends only on the input sizes",
                ),
            )
        e = exact(y)
        if e is None:
            bad = np.asarray(y).ravel()
            pos = next((i for i, v in enumerate(bad) if exact(np.array([v])) is None), 0)
            raise NotConvolutionError(
                "not exact: integer inputs give a non-integer output",
                Evidence(
                    "exact",
                    f"fn({what}) with {_sizes(self.n, self.k)}",
                    f"y[{_index(pos, y.shape)}] = {_plain(bad[pos].item())}",
                    "a correlation of integer arrays is an integer (within 1e-6); this is not",
                ),
                exact=False,
            )
        return e


def _index(flat: int, shape: tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) if shape else ""


def _differ(a: np.ndarray, b: np.ndarray) -> int | None:
    diff = np.flatnonzero(a.ravel() != b.ravel())
    return int(diff[0]) if diff.size else None


def _bilinear(c: _Caller, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random-integer checks of bilinearity; returns ``(x, w, fn(x, w))`` for the final consistency check."""
    n, k = c.n, c.k
    x1, x2, w1, w2 = _random(rng, n), _random(rng, n), _random(rng, k), _random(rng, k)
    y1 = c(x1, w1, "x, w")
    where = _sizes(n, k)

    def fail(finding: str, probe: str, got: np.ndarray, want: np.ndarray, shows: str) -> None:
        pos = _differ(got, want)
        if pos is None:
            return
        i = _index(pos, got.shape)
        raise NotConvolutionError(
            finding,
            Evidence(
                "bilinear",
                f"{probe} with random integers, {where}: x = {show(x1)}, w = {show(w1)}",
                f"[{i}] = {got.ravel()[pos]}, expected {want.ravel()[pos]}",
                shows,
            ),
            bilinear=False,
        )

    zx = c(np.zeros(n), w1, "0, w")
    fail(
        "not linear in x: fn(0, w) ≠ 0",
        "fn(0, w)",
        zx,
        np.zeros_like(zx),
        "a linear map sends 0 to 0: fn adds something that does not depend on x (a bias, a nonzero constant boundary?)",
    )
    zw = c(x1, np.zeros(k), "x, 0")
    if zw.any() and np.array_equal(c(x1, w2, "x, w'"), zw):
        fail(
            "ignores the kernel: fn(x, w) does not depend on w",
            "fn(x, 0) vs fn(x, w')",
            zw,
            np.zeros_like(zw),
            "fn(x, 0) = fn(x, w') ≠ 0 for two different kernels: the output does not depend on w",
        )
    fail(
        "not linear in w: fn(x, 0) ≠ 0",
        "fn(x, 0)",
        zw,
        np.zeros_like(zw),
        "a linear map sends 0 to 0: fn adds something that does not depend on w",
    )
    if y1.any() and np.array_equal(c(x2, w1, "x', w"), y1):
        fail(
            "ignores the input: fn(x, w) does not depend on x",
            "fn(x', w) vs fn(x, w)",
            y1,
            np.zeros_like(y1),
            "two different inputs give the same output: the output does not depend on x",
        )
    fail(
        "not homogeneous in x: fn(-2·x, w) ≠ -2·fn(x, w)",
        "fn(-2·x, w)",
        c(-2 * x1, w1, "-2·x, w"),
        -2 * y1,
        "a bilinear map scales with x",
    )
    fail(
        "not homogeneous in w: fn(x, -3·w) ≠ -3·fn(x, w)",
        "fn(x, -3·w)",
        c(x1, -3 * w1, "x, -3·w"),
        -3 * y1,
        "a bilinear map scales with w",
    )
    fail(
        "not additive in x: fn(x + x', w) ≠ fn(x, w) + fn(x', w)",
        "fn(x + x', w)",
        c(x1 + x2, w1, "x + x', w"),
        y1 + c(x2, w1, "x', w"),
        "a bilinear map is additive in x",
    )
    fail(
        "not additive in w: fn(x, w + w') ≠ fn(x, w) + fn(x, w')",
        "fn(x, w + w')",
        c(x1, w1 + w2, "x, w + w'"),
        y1 + c(x1, w2, "x, w'"),
        "a bilinear map is additive in w",
    )
    return x1, w1, y1


def probe_size(
    fn: Callable[[np.ndarray, np.ndarray], Any],
    name: str,
    n: tuple[int, ...],
    k: tuple[int, ...],
    seed: int = 0,
) -> Probed:
    """Check bilinearity at sizes ``(n, k)`` and recover the coefficient tensor from unit impulses.

    Raises :class:`NotConvolutionError` (with the probe that shows it) when ``fn`` is not bilinear, not exact,
    or not consistent with its own impulse responses.
    """
    rng = np.random.default_rng(seed)
    c = _Caller(fn, name, n, k)
    x1, w1, y1 = _bilinear(c, rng)
    assert c.m is not None
    m = c.m
    nx, nw, ny = int(np.prod(n)), int(np.prod(k)), int(np.prod(m))
    tensor = np.zeros((ny, nx, nw), dtype=np.int64)
    for i in range(nx):
        x = np.zeros(nx)
        x[i] = 1.0
        for j in range(nw):
            w = np.zeros(nw)
            w[j] = 1.0
            tensor[:, i, j] = c(x.reshape(n), w.reshape(k), f"{unit(i, n)}, {unit(j, k)}").ravel()
    predicted = np.einsum("mij,i,j->m", tensor, x1.ravel().astype(np.int64), w1.ravel().astype(np.int64))
    pos = _differ(predicted, y1)
    if pos is not None:
        raise NotConvolutionError(
            "not bilinear: fn(x, w) differs from the bilinear map its impulse responses define",
            Evidence(
                "bilinear",
                f"fn(x, w) with random integers, {_sizes(n, k)}: x = {show(x1)}, w = {show(w1)}",
                f"y[{_index(pos, m)}] = {y1.ravel()[pos]}, the impulse responses give {predicted[pos]}",
                "a bilinear map is the sum of its impulse responses Σ x[i] w[j] fn(e_i, e_j)",
            ),
            bilinear=False,
        )
    return Probed(n, k, m, tensor)
