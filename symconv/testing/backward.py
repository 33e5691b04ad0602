r"""``assert_backward_rule``: your layer's backward pass is the gradient derived from its forward formula.

For a layer :math:`y = x \star w\,(+\,b)` and an upstream gradient :math:`g = \partial L/\partial y`,
symconv differentiates the layer's one index formula (:func:`symconv.backward_rule`):

.. math::

   \frac{\partial L}{\partial x} = \mathrm{conv\_transpose}(g, w), \qquad
   \frac{\partial L}{\partial w} = x \star_{\,\mathrm{stride}=d,\ \mathrm{dilation}=s} g, \qquad
   \frac{\partial L}{\partial b} = \textstyle\sum g,

and this helper compares your ``backward(x, w, g)`` with those gradients on random integer inputs
(so every value is exact in float64). It first checks that ``forward`` computes the layer at all.

>>> import numpy as np
>>> from symconv.testing import assert_backward_rule
>>> def forward(x, w):
...     return np.correlate(x, w, "valid")
>>> def backward(x, w, g):
...     return {"input": np.convolve(g, w, "full"), "weight": np.correlate(x, g, "valid")}
>>> rule = assert_backward_rule(forward, backward, "correlate", input_shape=7, weight_shape=3)
>>> def wrong(x, w, g):  # "convolution backward" for the weight too
...     return {"input": np.convolve(g, w, "full"), "weight": np.convolve(x, g, "valid")}
>>> assert_backward_rule(forward, wrong, "correlate", input_shape=7, weight_shape=3)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
AssertionError: backward's weight gradient is not the derived rule (dL/dw = valid correlation of x with g): ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from symconv.core.errors import SymconvError
from symconv.core.formula import forward as forward_terms
from symconv.core.numbers import shown
from symconv.core.validate import check_choice, check_int
from symconv.engines.terms import evaluate
from symconv.gradients.backward import OPS, BackwardRule, _parse, backward_rule

__all__ = ["assert_backward_rule"]

#: The names a backward result may use for each gradient.
_KEYS = {"input": ("input", "x", "dx"), "weight": ("weight", "w", "dw"), "bias": ("bias", "b", "db")}
_LABEL = {"input": "dL/dx", "weight": "dL/dw", "bias": "dL/db"}
_OPERAND = {"input": "x", "weight": "w", "bias": "b"}


def _shape(name: str, value: Any) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value),)
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise SymconvError(
            f"assert_backward_rule: `{name}` must be a shape (an int or a tuple of ints); got {shown(value)}"
        )
    return tuple(check_int("assert_backward_rule", name, v, minimum=1) for v in value)


def _gradients(result: Any, wanted: Sequence[str]) -> dict[str, np.ndarray]:
    if isinstance(result, Mapping):
        out = {}
        for wrt in wanted:
            key = next((k for k in _KEYS[wrt] if k in result), None)
            if key is None:
                raise AssertionError(
                    f"backward returned no {wrt} gradient: expected one of the keys {list(_KEYS[wrt])}; "
                    f"got {list(result)}"
                )
            out[wrt] = np.asarray(result[key])
        return out
    if isinstance(result, (tuple, list)) and len(result) >= len(wanted):
        return {wrt: np.asarray(v) for wrt, v in zip(wanted, result)}
    raise AssertionError(
        f"backward must return a mapping with keys among {[_KEYS[w][0] for w in wanted]} "
        f"or a tuple ({', '.join(wanted)}); got {type(result).__name__}"
    )


def _compare(what: str, got: np.ndarray, want: np.ndarray, rtol: float, atol: float, context: str) -> None:
    if got.shape != want.shape:
        raise AssertionError(f"{what} has shape {got.shape}; the derived rule gives shape {want.shape} ({context})")
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {want.size} entries differ; the first is index {index}: "
            f"got {got[index]!r}, derived {want[index]!r} ({context})"
        )


def assert_backward_rule(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    op: str = "conv2d",
    *,
    input_shape: Any,
    weight_shape: Any,
    stride: Any = 1,
    dilation: Any = 1,
    padding: Any = 0,
    padding_mode: str = "zeros",
    groups: int = 1,
    bias: bool = False,
    wrt: Sequence[str] = ("input", "weight"),
    trials: int = 3,
    seed: int = 0,
    rtol: float = 1e-9,
    atol: float = 1e-9,
) -> BackwardRule:
    """Assert that ``backward(x, w, g)`` returns the gradients derived from ``forward``'s layer; return the rule.

    Parameters
    ----------
    forward : callable
        ``forward(x, w)`` (or ``forward(x, w, b)`` when ``bias``) returning the layer's output as a numpy
        array (a torch tensor works through ``np.asarray``).
    backward : callable
        ``backward(x, w, g)`` (or ``(x, w, b, g)``) returning a mapping with keys ``'input'``/``'weight'``/
        ``'bias'`` (or ``x``/``w``/``b``, ``dx``/``dw``/``db``), or a tuple in the order of ``wrt``.
    op : {'conv1d', 'conv2d', 'conv3d', 'correlate', 'convolve'}
        The layer: PyTorch's ``convNd`` (cross-correlation; input ``(batch, C_in, *spatial)`` or
        ``(C_in, *spatial)``, weight ``(C_out, C_in/groups, *K)``) or a plain correlation/convolution.
    input_shape, weight_shape
        The shapes to test at.
    stride, dilation, padding, padding_mode, groups, bias
        The layer's options, as for :func:`symconv.backward_rule`.
    wrt
        The gradients ``backward`` returns, among ``'input'``, ``'weight'``, ``'bias'``.
    trials, seed
        How many random integer inputs, and the seed that draws them.
    rtol, atol
        Tolerances of the numeric comparison (integer inputs make the exact values representable).
    """
    where = "assert_backward_rule"
    check_choice(where, "op", op, OPS)
    trials = check_int(where, "trials", trials, minimum=1)
    if isinstance(wrt, str) or not all(isinstance(v, str) for v in wrt) or not wrt:
        raise SymconvError(f"{where}: `wrt` must be a sequence of 'input', 'weight', 'bias'; got {shown(wrt)}")
    for v in wrt:
        check_choice(where, "wrt", v, tuple(_KEYS))
    if "bias" in wrt and not bias:
        raise SymconvError(f"{where}: `wrt` asks for the bias gradient but `bias` is False")
    xs, ws = _shape("input_shape", input_shape), _shape("weight_shape", weight_shape)
    layer_op = op.startswith("conv") and op.endswith("d")
    if layer_op:
        nd = int(op[4])
        if len(ws) != nd + 2 or len(xs) not in (nd + 1, nd + 2):
            raise SymconvError(
                f"{where}: {op} takes input (batch, C_in, *{nd} spatial) or (C_in, *spatial) and weight "
                f"(C_out, C_in/groups, *{nd} kernel); got input_shape {xs} and weight_shape {ws}"
            )
        batch = xs[0] if len(xs) == nd + 2 else None
        cin, cout = xs[-nd - 1], ws[0]
        if ws[1] * groups != cin:
            raise SymconvError(
                f"{where}: weight_shape[1] * groups must be the input's channels {cin}; got {ws[1]} * {groups}"
            )
        options: dict[str, Any] = {
            "channels": (cin, cout),
            "groups": groups,
            "batch": batch,
            "bias": bias,
            "padding_mode": padding_mode,
        }
        spatial_x, spatial_w = xs[-nd:], ws[2:]
    else:
        if bias:
            raise SymconvError(f"{where}: `bias` is a layer option (conv1d/conv2d/conv3d); got op={op!r}")
        options = {}
        spatial_x, spatial_w = xs, ws
    rule = backward_rule(
        op, input_size=spatial_x, kernel_size=spatial_w, stride=stride, dilation=dilation, padding=padding, **options
    )
    layer = _parse(
        op,
        spatial_x,
        spatial_w,
        stride,
        dilation,
        padding,
        padding_mode,
        options.get("channels"),
        groups,
        options.get("batch"),
        options.get("bias"),
        None,
    )
    fwd = forward_terms(layer.spec())
    rows = {row.gradient: row for row in rule.rows}
    rng = np.random.default_rng(seed)
    for trial in range(trials):
        x = rng.integers(-3, 4, size=xs).astype(np.float64)
        w = rng.integers(-3, 4, size=ws).astype(np.float64)
        b = rng.integers(-3, 4, size=(ws[0],)).astype(np.float64) if bias else None
        operands: dict[str, np.ndarray] = {"x": x, "w": w}
        if b is not None:
            operands["bias"] = b
        want_y = evaluate(fwd, operands, np.float64)
        got_y = np.asarray(forward(x, w, b) if bias else forward(x, w), dtype=np.float64)
        context = f"trial {trial}, seed {seed}"
        _compare(
            f"forward is not {op} with these options, so its derived rule does not apply:",
            got_y,
            want_y,
            rtol,
            atol,
            context,
        )
        g = rng.integers(-3, 4, size=want_y.shape).astype(np.float64)
        got = _gradients(backward(x, w, b, g) if bias else backward(x, w, g), wrt)
        for name in wrt:
            row = rows[_LABEL[name]]
            want = evaluate(row.derived, {"g": g, "x": x, "w": w}, np.float64)
            _compare(
                f"backward's {name} gradient is not the derived rule ({row.gradient} = {row.operation})",
                np.asarray(got[name], dtype=np.float64),
                want,
                rtol,
                atol,
                context,
            )
    return rule
