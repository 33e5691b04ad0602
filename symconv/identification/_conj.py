r"""Does ``fn`` conjugate a complex kernel? Probed with Gaussian integers, decided by symconv's formula.

With the real structure identified, ``fn`` is called on random Gaussian-integer ``x`` and ``w``
and compared exactly with symconv's operation evaluated four ways:

.. math:: \sum_k x[\cdot]\, w[\cdot], \quad \sum_k x[\cdot]\, \overline{w[\cdot]}, \quad
          \sum_k \overline{x[\cdot]}\, w[\cdot], \quad \sum_k \overline{x[\cdot]}\, \overline{w[\cdot]}

The kernel's conjugation is a flag of the formula (``ConvSpec.conjugate_kernel``); a conjugated
input is the same formula evaluated on ``conj(x)``. A function that raises on complex input, drops
the imaginary part, or matches none of the four is reported with ``conjugate = None``. A single
impulse pair ``fn(e_i, i·e_j)`` is kept as readable evidence: ``+i`` means not conjugated, ``−i``
conjugated.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from symconv.engines.terms import evaluate
from symconv.identification._candidate import AxisParams, build
from symconv.identification._probe import Probed, exact, show, unit
from symconv.identification._result import Evidence

__all__ = ["conjugation"]

_KINDS = {
    (False, False): "no conjugation",
    (False, True): "the kernel w is conjugated",
    (True, False): "the input x is conjugated, not the kernel",
    (True, True): "both x and w are conjugated (the output is conjugated)",
}


def _gauss(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    a = rng.integers(-3, 4, size=shape) + 1j * rng.integers(-3, 4, size=shape)
    a.flat[0] = a.flat[0] + 1j if a.flat[0].imag == 0 else a.flat[0]
    return a.astype(np.complex128)


def _call(fn: Callable[[np.ndarray, np.ndarray], Any], x: np.ndarray, w: np.ndarray) -> tuple[Any, str | None]:
    """``(output, None)`` or ``(None, why it is not a complex output)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = np.asarray(fn(x, w))
        except (Exception, SystemExit) as exc:
            text = str(exc).strip().splitlines()
            return None, f"raised {type(exc).__name__}" + (f": {text[0][:160]}" if text else "")
    for w_ in caught:
        if "complex" in str(w_.message).lower() and "discard" in str(w_.message).lower():
            return None, f"warned {w_.category.__name__}: {str(w_.message)[:160]}"
    if out.dtype.kind != "c":
        return None, f"returned a real array ({out.dtype}): the imaginary part is dropped"
    return out, None


def conjugation(
    fn: Callable[[np.ndarray, np.ndarray], Any],
    probes: Sequence[Probed],
    params: Sequence[tuple[AxisParams, ...]],
    seed: int = 1,
) -> tuple[bool | None, str, tuple[Evidence, ...]]:
    """``(conjugate, what happens, evidence)`` for complex inputs."""
    rng = np.random.default_rng(seed)
    found: set[tuple[bool, bool]] | None = None
    for p, axes in zip(probes, params):
        x, w = _gauss(rng, p.n), _gauss(rng, p.k)
        where = f"x of shape {p.n}, w of shape {p.k}"
        out, why = _call(fn, x, w)
        if why is not None:
            ev = Evidence(
                "conjugate",
                f"fn(x, w) with complex x = {show(x)}, w = {show(w)} ({where})",
                why,
                "fn does not compute with complex input: conjugation unknown",
            )
            return None, "rejects complex input", (ev,)
        got = exact(out, complex_ok=True)
        if got is None or out.shape != p.m:
            ev = Evidence(
                "conjugate",
                f"fn(x, w) with Gaussian integers ({where})",
                f"an array of shape {out.shape} that is not Gaussian integers",
                "complex input is not handled like real input",
            )
            return None, "complex output is not exact", (ev,)
        ok = set()
        for cx, cw in _KINDS:
            c = build(p.n, p.k, axes, m=p.m, conjugate=cw)
            want = evaluate((c,), {"x": np.conj(x) if cx else x, "w": w}, dtype=np.complex128)
            if np.array_equal(want, got):
                ok.add((cx, cw))
        found = ok if found is None else found & ok
        if not found:
            ev = Evidence(
                "conjugate",
                f"fn(x, w) with Gaussian integers x = {show(x)}, w = {show(w)} ({where})",
                f"y = {show(got)}",
                "none of x·w, x·conj(w), conj(x)·w, conj(x)·conj(w) in the identified formula gives this",
            )
            return None, "complex input is not handled like real input", (ev,)
    assert found is not None
    cx, cw = sorted(found)[0]
    return (None if cx else cw), _KINDS[(cx, cw)], (_impulse(fn, probes[0], cx, cw),)


def _impulse(fn: Callable[[np.ndarray, np.ndarray], Any], p: Probed, cx: bool, cw: bool) -> Evidence:
    mi, ii, ji = (int(v) for v in np.argwhere(p.tensor == 1)[0])
    x = np.zeros(p.n, dtype=np.complex128)
    w = np.zeros(p.k, dtype=np.complex128)
    x.flat[ii] = 1
    w.flat[ji] = 1j
    y = np.asarray(fn(x, w)).ravel()
    value = complex(np.round(y[mi].real), np.round(y[mi].imag))
    text = f"{int(value.imag)}j" if value.real == 0 else str(value)
    mx = ", ".join(str(int(v)) for v in np.unravel_index(mi, p.m))
    sign = "−i: w is conjugated" if value.imag < 0 else "+i: w is not conjugated"
    return Evidence(
        "conjugate",
        f"fn({unit(ii, p.n)}, 1j·{unit(ji, p.k)}), x of shape {p.n}, w of shape {p.k}",
        f"y[{mx}] = {text}",
        f"{sign}; random Gaussian-integer probes at every size agree: {_KINDS[(cx, cw)]}",
    )
