"""``identify``: probe, fit, verify against symconv's own operation, and report."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.core.errors import SymconvError
from symconv.core.public import public
from symconv.identification._candidate import AxisParams, build
from symconv.identification._conj import conjugation
from symconv.identification._fit import KERNEL, AxisFit, fit_axis, fit_rule, offset_rule, verify
from symconv.identification._presets import resolve
from symconv.identification._probe import DEFAULT_SIZES, MAX_CALLS, NotConvolutionError, Probed, probe_size
from symconv.identification._result import AxisInfo, Evidence, Identification

__all__ = ["identify"]

Sizes = tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]


def _name(fn: Any) -> str:
    mod = getattr(fn, "__module__", None)
    qual = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    return f"{mod}.{qual}" if mod and mod not in ("__main__", "builtins") else str(qual)


def _check_sizes(sizes: Any, ndim: int) -> Sizes:
    op = "identify"
    if sizes is None:
        if ndim not in DEFAULT_SIZES:
            raise SymconvError(f"{op}: `ndim` must be 1, 2 or 3 (or give `sizes`); got ndim={ndim}")
        return DEFAULT_SIZES[ndim]
    out = []
    try:
        pairs = list(sizes)
    except TypeError:
        raise SymconvError(
            f"{op}: `sizes` must be a list of (input shape, kernel shape) pairs; got {sizes!r}"
        ) from None
    if not pairs:
        raise SymconvError(f"{op}: `sizes` must hold at least one (input shape, kernel shape) pair; got none")
    calls = 0
    for pair in pairs:
        try:
            n, k = pair
            n = (n,) if isinstance(n, (int, np.integer)) else tuple(n)
            k = (k,) if isinstance(k, (int, np.integer)) else tuple(k)
        except (TypeError, ValueError):
            raise SymconvError(
                f"{op}: each entry of `sizes` must be an (input shape, kernel shape) pair; got {pair!r}"
            ) from None
        ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in n + k)
        if not ok or len(n) != ndim or len(k) != ndim:
            raise SymconvError(
                f"{op}: `sizes` entries must be pairs of {ndim}-axis shapes of positive integers; got {pair!r}"
            )
        calls += int(np.prod(n)) * int(np.prod(k))
        out.append((tuple(int(v) for v in n), tuple(int(v) for v in k)))
    if calls > MAX_CALLS:
        raise SymconvError(
            f"{op}: `sizes` need {calls} impulse calls of fn (input entries × kernel entries, summed); "
            f"at most {MAX_CALLS}; use smaller shapes"
        )
    return tuple(out)


def _common(values: Sequence[Any]) -> Any:
    first = values[0]
    return first if all(v == first for v in values) else None


def _per_axis(values: Sequence[Any]) -> Any:
    if all(v is None for v in values):
        return None
    c = _common(values)
    return c if c is not None else tuple(values)


def _mode(
    fit: AxisFit, lo: sympy.Expr | None, hi: sympy.Expr | None, probes: Sequence[Probed], axis: int
) -> str | None:
    if lo is None or hi is None:
        return None
    d = fit.windows[0].dilation
    span = d * (KERNEL - 1)
    if lo == 0 and hi == 0:
        return "valid"
    if sympy.expand(lo - span) == 0 and sympy.expand(hi - span) == 0:
        return "full"
    halves = (sympy.floor(span / 2), sympy.ceiling(span / 2))
    if fit.windows[0].stride == 1 and lo in halves and all(p.m[axis] == p.n[axis] for p in probes):
        return "same"
    return None


def _axis_info(axis: int, fit: AxisFit, probes: Sequence[Probed]) -> tuple[AxisInfo, str | None]:
    """The axis' rules in ``K``; the second value says why there is no rule (None: there is)."""
    ks = [p.k[axis] for p in probes]
    s = fit.windows[0].stride
    d = fit.windows[0].dilation
    lo = fit_rule(ks, [(int(w.lo), int(w.lo)) for w in fit.windows], d)
    hi = fit_rule(ks, [(int(w.hi), int(w.hi) + s - 1) for w in fit.windows], d)
    if lo is not None and hi is not None:
        # the hi rule must give the probed output sizes (it may be chosen within the stride's slack)
        from symconv.core.formula import output_size

        for p in probes:
            k = p.k[axis]
            m = output_size(p.n[axis], k, s, d, int(lo.subs(KERNEL, k)), int(hi.subs(KERNEL, k)))
            if int(m) != p.m[axis]:
                hi = None
                break
    op = None if fit.flip is None else ("convolution" if fit.flip else "correlation")
    why = None
    if lo is None or hi is None:
        pads = "; ".join(
            f"N={p.n[axis]}, K={p.k[axis]}: {p.m[axis]} outputs, p_lo={w.lo}, p_hi={w.hi}"
            for p, w in zip(probes, fit.windows)
        )
        side = "p_lo" if lo is None else "p_hi (the output length)"
        why = f"axis {axis}: {side} follows no rule in the kernel size ({pads})"
    offset = None if lo is None else offset_rule(lo, d)
    info = AxisInfo(
        axis=axis,
        operation=op,
        flip=fit.flip,
        stride=fit.stride if fit.stride is not None else None,
        dilation=fit.dilation,
        pad_lo=lo,
        pad_hi=hi,
        offset=offset,
        mode=_mode(fit, lo, hi, probes, axis),
        boundary=fit.boundary,
    )
    return info, why


def _fail(
    name: str,
    nd: int,
    sizes: Sizes,
    f: NotConvolutionError,
    axes: tuple[AxisInfo, ...] = (),
    extra: tuple[Evidence, ...] = (),
) -> Identification:
    return Identification(
        target=name,
        ndim=nd,
        operation=None,
        mode=None,
        offset=None,
        stride=None,
        dilation=None,
        conjugate=None,
        boundary=None,
        flip_every_axis=None,
        bilinear=f.bilinear if f.bilinear is not None else (None if f.exact is False else True),
        exact=f.exact if f.exact is not None else (None if f.bilinear is False else True),
        axes=axes,
        evidence=extra + (f.evidence,),
        description=f"not a correlation or convolution: {f.finding}",
        sizes=sizes,
    )


_BILINEAR = Evidence(
    "bilinear",
    "fn(0, w), fn(x, 0), fn(-2·x, w), fn(x, -3·w), fn(x + x', w), fn(x, w + w') on random integers, every size",
    "0, 0, -2·fn(x, w), -3·fn(x, w) and the sums; integer outputs",
    "bilinear and exact: the impulse responses fn(e_i, e_j) determine fn (and predict fn(x, w) exactly)",
)


@public
def identify(
    fn: Callable[[Any, Any], Any] | str,
    ndim: int | None = None,
    *,
    sizes: Sequence[tuple[Any, Any]] | None = None,
    mode: str | None = None,
    boundary: str | None = None,
) -> Identification:
    r"""Which operation does ``fn(x, w) -> y`` compute? Probed with unit impulses, decided exactly.

    A bilinear ``fn`` is known exactly from its impulse responses
    :math:`T[m, i, j] = \mathrm{fn}(e_i, e_j)[m]`. ``identify`` checks that ``fn`` is bilinear
    and exact, recovers ``T`` at several input and kernel sizes (odd and even), derives per axis a
    flip, stride, dilation, padding and boundary rule, and keeps them only if symconv's own
    operation

    .. math:: y[n] = \sum_{k} \tilde x[s\,n + d\,k - p_{lo}]\; w[k \text{ or } K-1-k]

    (the ONE definition in ``symconv.core.formula``) reproduces every coefficient at every size.
    Complex Gaussian-integer probes then decide whether ``w`` is conjugated. Nothing is forced:
    a function that is no correlation or convolution gets ``operation=None`` and the probe that
    shows it.

    >>> import numpy as np
    >>> import symconv as sc
    >>> r = sc.identify(np.convolve)
    >>> r.operation, r.mode, r.conjugate, r.boundary
    ('convolution', 'full', False, 'zeros')
    >>> r = sc.identify(lambda x, w: np.correlate(x, w, "same"))
    >>> r.operation, r.mode, r.offset, r.conjugate
    ('correlation', 'same', floor(K/2 - 1/2), True)
    >>> sc.identify(lambda x, w: np.correlate(x, w) ** 2).description
    'not a correlation or convolution: not homogeneous in x: fn(-2·x, w) ≠ -2·fn(x, w)'

    Parameters
    ----------
    fn : callable or str
        ``fn(x, w)`` taking numpy arrays (float64, or complex128 for the conjugation probes) and
        returning an array; or a preset name (``'numpy.convolve'``, ``'torch.nn.functional.conv2d'``,
        … see :data:`symconv.identification.PRESETS`) or ``'MODULE:FUNCTION'`` (the module is imported).
    ndim : int, optional
        Number of axes of ``x`` and ``w`` (1, 2 or 3 without ``sizes``); a preset's own by default.
    sizes : list of (input shape, kernel shape), optional
        Probe sizes instead of :data:`~symconv.identification._probe.DEFAULT_SIZES`.
    mode, boundary : str, optional
        Options of a preset: the output window (``'same'`` …) and the library's boundary name.
    """
    session: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext
    if isinstance(fn, str):
        r = resolve(fn, ndim, mode=mode, boundary=boundary)
        call, name, nd, session = r.fn, r.name, r.ndim, r.session
    else:
        if not callable(fn):
            raise SymconvError(f"identify: `fn` must be a callable fn(x, w) or a preset name; got {type(fn).__name__}")
        if mode is not None or boundary is not None:
            raise SymconvError("identify: `mode` and `boundary` are options of presets (give fn as a preset name)")
        call, name, nd = fn, _name(fn), 1 if ndim is None else ndim
    if not isinstance(nd, (int, np.integer)) or isinstance(nd, bool) or nd < 1:
        raise SymconvError(f"identify: `ndim` must be a positive integer; got {nd!r}")
    nd = int(nd)
    sz = _check_sizes(sizes, nd)
    with session():
        return _identify(call, name, nd, sz)


def _identify(call: Callable[[Any, Any], Any], name: str, nd: int, sz: Sizes) -> Identification:
    probes: list[Probed] = []
    try:
        for n, k in sz:
            probes.append(probe_size(call, name, n, k))
        fits = [fit_axis(probes, a) for a in range(nd)]
    except NotConvolutionError as f:
        return _fail(name, nd, sz, f)
    infos = [_axis_info(a, f, probes) for a, f in enumerate(fits)]
    axes = tuple(i for i, _ in infos)
    evidence = (_BILINEAR,) + tuple(e for f in fits for e in f.evidence)
    try:
        params = verify(probes, fits)
    except NotConvolutionError as f:
        return _fail(name, nd, sz, f, axes, evidence)
    conj, conj_text, conj_ev = conjugation(call, probes, params)
    return _success(name, nd, sz, axes, infos, fits, evidence + conj_ev, conj, conj_text)


def _formula(nd: int, axes: tuple[AxisInfo, ...], fits: Sequence[AxisFit], conj: bool | None) -> Any:
    from symconv.display.tree import size_symbols

    ns, ks = size_symbols(nd)
    params = []
    for a, (info, fit) in enumerate(zip(axes, fits)):
        if info.pad_lo is None or info.pad_hi is None:
            return None
        w = fit.windows[0]
        params.append(
            AxisParams(
                w.flip,
                w.stride,
                w.dilation,
                info.pad_lo.subs(KERNEL, ks[a]),
                info.pad_hi.subs(KERNEL, ks[a]),
                w.boundary,
            )
        )
    return build(ns, ks, params, conjugate=bool(conj))


def _success(
    name: str,
    nd: int,
    sz: Sizes,
    axes: tuple[AxisInfo, ...],
    infos: Sequence[tuple[AxisInfo, str | None]],
    fits: Sequence[AxisFit],
    evidence: tuple[Evidence, ...],
    conj: bool | None,
    conj_text: str,
) -> Identification:
    flips = [a.flip for a in axes]
    every = None if any(f is None for f in flips) else all(flips) or not any(flips)
    irregular = [why for _, why in infos if why]
    op: str | None
    if irregular:
        op = None
        desc = "at every probed size a correlation or convolution, but its window depends on the sizes in no one way: "
        desc += "; ".join(irregular)
    elif every is False:
        op = None
        flipped = [a.axis for a in axes if a.flip]
        desc = (
            f"neither: the kernel is flipped on axis {', '.join(map(str, flipped))} only "
            "(a convolution flips every axis, a correlation none)"
        )
    else:
        op = "convolution" if all(flips) else "correlation"
        desc = _describe(op, axes, conj_text)
    modes = [a.mode for a in axes]
    return Identification(
        target=name,
        ndim=nd,
        operation=op,
        mode=_common(modes),
        offset=_per_axis([a.offset for a in axes]),
        stride=_per_axis([a.stride for a in axes]),
        dilation=_per_axis([a.dilation for a in axes]),
        conjugate=conj,
        boundary=_common([a.boundary for a in axes]),
        flip_every_axis=None if any(f is None for f in flips) else all(flips),
        bilinear=True,
        exact=True,
        axes=axes,
        evidence=evidence,
        description=desc if op is not None or irregular else desc + f"; {conj_text}",
        sizes=sz,
        formula=None if irregular else _formula(nd, axes, fits, conj),
    )


def _describe(op: str, axes: tuple[AxisInfo, ...], conj_text: str) -> str:
    from symconv.identification._render import axis_window

    flip = "kernel flipped on every axis" if op == "convolution" else "no kernel flip"
    parts = [f"{op} ({flip})"]
    windows = [axis_window(a) for a in axes]
    if len(set(windows)) == 1:
        parts.append(windows[0])
    else:
        parts += [f"axis {a.axis}: {w}" for a, w in zip(axes, windows)]
    parts.append(conj_text)
    return "; ".join(parts)
