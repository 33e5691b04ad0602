r"""Hypothesis strategies for convolution tests: signals, kernels (plain, symmetric, centrosymmetric)
and valid layer parameters.

Each function returns a Hypothesis strategy and imports Hypothesis only when called, so importing
:mod:`symconv.testing` does not need it. Arrays are numpy arrays; the default elements are small
integers, so sums of products stay exact in float64 and in every library.

- A *symmetric* kernel equals its transpose (1-D: a palindrome, :math:`w[k] = w[K-1-k]`; N-D:
  :math:`w[k_1, \dots, k_n] = w[k_n, \dots, k_1]`). In 2-D that does NOT make correlation and
  convolution agree — the seed's "symmetric ⇒ equal" needs
- a *centrosymmetric* kernel: :math:`w[k] = w[K-1-k]` on every axis at once (``anti=True``:
  :math:`w[k] = -w[K-1-k]`, so convolution is minus the correlation).

>>> from hypothesis import given, settings
>>> import numpy as np
>>> from symconv.testing import centrosymmetric_kernels, signals
>>> @settings(max_examples=20, database=None)
... @given(signals(ndim=2, min_size=3), centrosymmetric_kernels(ndim=2, max_size=3))
... def test_flip_does_not_matter(x, w):
...     assert (w == w[::-1, ::-1]).all()
>>> test_flip_does_not_matter()
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.numbers import shown
from symconv.core.validate import check_int

__all__ = ["centrosymmetric_kernels", "conv_params", "kernels", "signals", "symmetric_kernels"]


def _st() -> Any:
    import hypothesis.strategies as st

    return st


def _sizes(where: str, ndim: Any, min_size: Any, max_size: Any) -> tuple[int, int, int]:
    nd = check_int(where, "ndim", ndim, minimum=1)
    lo = check_int(where, "min_size", min_size, minimum=1)
    hi = check_int(where, "max_size", max_size, minimum=1)
    if nd > 8:
        raise SymconvError(f"{where}: `ndim` must be at most 8; got {nd}")
    if hi < lo:
        raise SymconvError(f"{where}: `max_size` (={shown(hi)}) must be at least `min_size` (={shown(lo)})")
    if hi**nd > 10**6:
        raise SymconvError(f"{where}: max_size**ndim = {hi}**{nd} entries is more than 10^6; draw smaller arrays")
    return nd, lo, hi


def _elements(elements: Any) -> Any:
    st = _st()
    if elements is None:
        return st.integers(-9, 9)
    if not isinstance(elements, st.SearchStrategy):
        raise SymconvError(f"strategies: `elements` must be a Hypothesis strategy; got {shown(elements)}")
    return elements


def _array(shape: tuple[int, ...], elements: Any) -> Any:
    st = _st()
    n = int(np.prod(shape))
    return st.lists(elements, min_size=n, max_size=n).map(lambda v: np.array(v).reshape(shape))


def _arrays(where: str, ndim: Any, min_size: Any, max_size: Any, elements: Any) -> Any:
    st = _st()
    nd, lo, hi = _sizes(where, ndim, min_size, max_size)
    el = _elements(elements)
    return st.tuples(*(st.integers(lo, hi) for _ in range(nd))).flatmap(lambda shape: _array(shape, el))


def signals(ndim: int = 1, *, min_size: int = 1, max_size: int = 8, elements: Any = None) -> Any:
    """Arrays of ``ndim`` axes, each of ``min_size``–``max_size`` entries (default: integers −9…9).

    >>> from hypothesis import find
    >>> find(signals(ndim=2, min_size=2), lambda a: a.shape[0] > 2).shape
    (3, 2)
    """
    return _arrays("signals", ndim, min_size, max_size, elements)


def kernels(ndim: int = 1, *, min_size: int = 1, max_size: int = 5, elements: Any = None) -> Any:
    """Kernels: like :func:`signals`, smaller by default (1–5 entries per axis)."""
    return _arrays("kernels", ndim, min_size, max_size, elements)


def symmetric_kernels(ndim: int = 1, *, min_size: int = 1, max_size: int = 5, elements: Any = None) -> Any:
    r"""Kernels equal to their transpose: :math:`w[k_1, \dots, k_n] = w[k_n, \dots, k_1]` (1-D: palindromes).

    Square in N-D. In 1-D this is centrosymmetry; in 2-D it is not (``[[1, 2], [2, 3]]``), which is
    why such a kernel separates correlation from convolution.
    """
    nd, lo, hi = _sizes("symmetric_kernels", ndim, min_size, max_size)
    el, st = _elements(elements), _st()

    def build(k: int) -> Any:
        return _array((k,) * nd, el).map(_symmetrize_transpose)

    return st.integers(lo, hi).flatmap(build)


def _symmetrize_transpose(a: np.ndarray) -> np.ndarray:
    if a.ndim == 1:
        out = a.copy()
        k = a.shape[0]
        out[k - (k // 2) :] = a[: k // 2][::-1]
        return out
    out = a.copy()
    reversed_axes = tuple(range(a.ndim))[::-1]
    for index in np.ndindex(*a.shape):
        mirror = index[::-1]
        if mirror < index:
            out[index] = out[mirror]
    assert (out == out.transpose(reversed_axes)).all()
    return out


def centrosymmetric_kernels(
    ndim: int = 1, *, min_size: int = 1, max_size: int = 5, elements: Any = None, anti: bool = False
) -> Any:
    r"""Kernels with :math:`w[k] = w[K-1-k]` on every axis at once (``anti=True``: :math:`w[k] = -w[K-1-k]`).

    For these, convolution equals correlation (anti: its negative) at every size, stride, dilation and
    padding — the N-D form of the seed's "symmetric kernel" claim.
    """
    if not isinstance(anti, bool):
        raise SymconvError(f"centrosymmetric_kernels: `anti` must be True or False; got {shown(anti)}")
    base = _arrays("centrosymmetric_kernels", ndim, min_size, max_size, elements)
    return base.map(lambda a: _centro(a, anti))


def _centro(a: np.ndarray, anti: bool) -> np.ndarray:
    out = a.copy()
    flat, mirror = out.reshape(-1), a[tuple(slice(None, None, -1) for _ in a.shape)].reshape(-1)
    n = flat.size
    for i in range(n):
        j = n - 1 - i  # the flat index of the point reflection of entry i
        if j < i:
            flat[i] = -flat[j] if anti else flat[j]
        elif j == i and anti:
            flat[i] = 0
    del mirror
    return out


def conv_params(
    input_size: Any,
    kernel_size: Any,
    *,
    in_channels: int | None = None,
    out_channels: int | None = None,
    max_stride: int = 3,
    max_dilation: int = 3,
    max_padding: int = 2,
) -> Any:
    r"""Valid ``stride``/``dilation``/``padding``/``groups`` for an input and a kernel of the given spatial sizes.

    Draws dictionaries ``{"stride": (...), "dilation": (...), "padding": (...), "groups": g}`` such that
    every spatial axis has at least one output,
    :math:`\lfloor (N + 2p - d(K-1) - 1)/s \rfloor + 1 \ge 1`, and ``groups`` divides both channel counts
    (1 when they are not given). Pass them to ``torch.nn.functional.conv*d`` or :func:`symconv.compat.torch.conv2d`.

    >>> from hypothesis import find
    >>> find(conv_params((5, 5), (3, 3), in_channels=4, out_channels=6), lambda p: p["groups"] > 1)["groups"]
    2
    """
    st = _st()
    n = (input_size,) if isinstance(input_size, (int, np.integer)) else tuple(input_size)
    k = (kernel_size,) if isinstance(kernel_size, (int, np.integer)) else tuple(kernel_size)
    n = tuple(check_int("conv_params", "input_size", v, minimum=1) for v in n)
    k = tuple(check_int("conv_params", "kernel_size", v, minimum=1) for v in k)
    if len(n) != len(k) or not n:
        raise SymconvError(f"conv_params: `input_size` and `kernel_size` must have one entry per axis; got {n} and {k}")
    for name, v in (("max_stride", max_stride), ("max_dilation", max_dilation)):
        check_int("conv_params", name, v, minimum=1)
    check_int("conv_params", "max_padding", max_padding, minimum=0)
    cin = 1 if in_channels is None else check_int("conv_params", "in_channels", in_channels, minimum=1)
    cout = 1 if out_channels is None else check_int("conv_params", "out_channels", out_channels, minimum=1)
    groups = [g for g in range(1, min(cin, cout) + 1) if cin % g == 0 and cout % g == 0]

    def axis(nk: tuple[int, int]) -> Any:
        size, ker = nk
        options = [
            (s, d, p)
            for s in range(1, max_stride + 1)
            for d in range(1, max_dilation + 1)
            for p in range(0, max_padding + 1)
            if size + 2 * p - d * (ker - 1) - 1 >= 0
        ]
        if not options:
            raise SymconvError(
                f"conv_params: no stride/dilation/padding within the limits gives an output for input size {size} "
                f"and kernel size {ker}"
            )
        return st.sampled_from(options)

    per_axis = [axis(nk) for nk in zip(n, k)]
    return st.tuples(st.tuples(*per_axis), st.sampled_from(groups)).map(
        lambda t: {
            "stride": tuple(a[0] for a in t[0]),
            "dilation": tuple(a[1] for a in t[0]),
            "padding": tuple(a[2] for a in t[0]),
            "groups": t[1],
        }
    )
