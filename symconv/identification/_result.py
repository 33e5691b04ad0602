r"""What :func:`~symconv.identify` found: the :class:`Identification`, per axis and with its evidence.

Per axis the identified operation is symconv's own (``symconv.core.formula``):

.. math::

    y[n] = \sum_{k=0}^{K-1} \tilde x[s\,n + d\,k - p_{lo}]\; w[k \text{ or } K-1-k]
    \quad (\overline{w} \text{ when conjugated}), \qquad 0 \le n < M,

where :math:`\tilde x` is ``x`` extended by the boundary rule and :math:`p_{lo}`, :math:`p_{hi}`
are rules in the kernel size ``K``. ``offset`` is where ``y[0]`` sits in the full output
(stride 1, padding :math:`d(K-1)` on both sides): :math:`d(K-1) - p_{lo}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sympy

from symconv.identification._render import BOUNDARY_NAMES, formula_latex, formula_text, markdown, rule_text, summary

__all__ = ["BOUNDARY_NAMES", "AxisInfo", "Evidence", "Identification"]


@dataclass(frozen=True)
class Evidence:
    """One probe that decided something: the call, what came back, and what that shows."""

    decides: str
    probe: str
    observed: str
    shows: str

    def to_dict(self) -> dict[str, str]:
        """The four fields as a dict (for JSON)."""
        return {"decides": self.decides, "probe": self.probe, "observed": self.observed, "shows": self.shows}


@dataclass(frozen=True)
class AxisInfo:
    """What one spatial axis does.

    ``pad_lo``/``pad_hi``/``offset`` are sympy expressions in the kernel size ``K`` (an integer
    when constant), ``None`` when no rule fits every probed size.
    """

    axis: int
    operation: str | None
    flip: bool | None
    stride: int | None
    dilation: int | None
    pad_lo: sympy.Expr | None
    pad_hi: sympy.Expr | None
    offset: sympy.Expr | None
    mode: str | None
    boundary: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (expressions as text such as ``⌊(K - 1)/2⌋``)."""
        return {
            "axis": self.axis,
            "operation": self.operation,
            "flip": self.flip,
            "stride": self.stride,
            "dilation": self.dilation,
            "pad_lo": rule_text(self.pad_lo),
            "pad_hi": rule_text(self.pad_hi),
            "offset": rule_text(self.offset),
            "mode": self.mode,
            "boundary": self.boundary,
        }


@dataclass(frozen=True)
class Identification:
    """The result of :func:`~symconv.identify`: which operation ``fn`` computes, exactly, or why none.

    ``operation`` is ``'correlation'``, ``'convolution'`` or ``None`` (not bilinear, not exact,
    mixing entries, a flip on some axes only, or a window that follows no rule in the sizes —
    ``description`` and ``evidence`` say which). ``mode`` is ``'valid'``, ``'same'``, ``'full'`` or
    ``None`` (the window is then described by ``offset`` and the per-axis paddings). ``boundary`` is
    symconv's name (``'zeros'``, ``'reflect'``, ``'symmetric'``, ``'replicate'``, ``'circular'``),
    ``'none'`` when the function never reads outside ``x``, or ``None`` when unknown.
    ``conjugate`` is whether a complex kernel is conjugated (``None`` when ``fn`` rejects complex
    input or treats it otherwise). ``stride``, ``dilation`` and ``offset`` are one value when every
    axis agrees, else a tuple per axis; ``operation``, ``mode`` and ``boundary`` are ``None`` when the
    axes disagree (``axes`` then has the details). Rules in ``K`` mean, per axis, that axis' kernel size.

    >>> import numpy as np
    >>> from symconv.identification import identify
    >>> r = identify(np.convolve)
    >>> r.identified, r.offset, r.to_dict()["axes"][0]["pad_lo"]
    (True, 0, 'K - 1')
    >>> print(r.latex())
    y[n] \\mathrel{+}= x[n + k - K + 1] \\cdot w[K - 1 - k], \\quad 0 \\le n < N + K - 1
    """

    target: str
    ndim: int
    operation: str | None
    mode: str | None
    offset: Any
    stride: Any
    dilation: Any
    conjugate: bool | None
    boundary: str | None
    flip_every_axis: bool | None
    bilinear: bool | None
    exact: bool | None
    axes: tuple[AxisInfo, ...]
    evidence: tuple[Evidence, ...]
    description: str
    sizes: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    formula: Any = field(default=None, repr=False, compare=False)

    @property
    def identified(self) -> bool:
        """True when one correlation or convolution (one rule for all sizes) reproduces every probe."""
        return self.operation is not None

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready data (expressions as text, evidence as dicts)."""

        def value(v: Any) -> Any:
            if isinstance(v, tuple):
                return [value(t) for t in v]
            if isinstance(v, sympy.Expr):
                return int(v) if v.is_Integer else rule_text(v)
            return v

        return {
            "target": self.target,
            "ndim": self.ndim,
            "operation": self.operation,
            "mode": self.mode,
            "offset": value(self.offset),
            "stride": value(self.stride),
            "dilation": value(self.dilation),
            "conjugate": self.conjugate,
            "boundary": self.boundary,
            "flip_every_axis": self.flip_every_axis,
            "bilinear": self.bilinear,
            "exact": self.exact,
            "formula": self.text_formula(),
            "latex": self.latex(),
            "description": self.description,
            "axes": [a.to_dict() for a in self.axes],
            "evidence": [e.to_dict() for e in self.evidence],
            "sizes": [{"x": list(n), "w": list(k)} for n, k in self.sizes],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def latex(self) -> str | None:
        r"""LaTeX of the identified formula (``None`` when nothing was identified)."""
        return formula_latex(self)

    def text_formula(self) -> str | None:
        """The identified formula as plain text, e.g. ``y[n] += x[n + k]·w[K - 1 - k],  0 ≤ n < N + K - 1``."""
        return formula_text(self)

    def __str__(self) -> str:
        return summary(self)

    def _repr_markdown_(self) -> str:
        return markdown(self)
