"""backward_rule: the backward table, derived, named, proved, rendered."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import peers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles.reference_conv import conv_layer, conv_transpose_layer, linear_grad

from symconv import BackwardRule, SymconvError, backward_rule, latex_preamble
from symconv.engines.terms import evaluate
from symconv.gradients import backward as bw

THEOREMS = {
    ("correlate", "dL/dx"): "correlate_grad_input_is_full_convolution",
    ("correlate", "dL/dw"): "correlate_grad_weight_is_valid_correlation",
    ("convolve", "dL/dx"): "convolve_grad_input_is_full_correlation",
    ("convolve", "dL/dw"): "convolve_grad_weight_is_flipped_valid_correlation",
}


@pytest.mark.parametrize("op", ["correlate", "convolve"])
@pytest.mark.parametrize("nd", [1, 2])
def test_plain_rules_name_the_folk_rule_correctly(op, nd):
    rule = backward_rule(op, input_size=(6,) * nd, kernel_size=(3,) * nd)
    assert isinstance(rule, BackwardRule) and rule.holds
    names = {r.gradient: r.operation for r in rule.rows}
    if op == "correlate":
        assert names == {"dL/dx": "full convolution of g with w", "dL/dw": "valid correlation of x with g"}
    else:
        assert names == {"dL/dx": "full correlation of g with w", "dL/dw": "flipped valid correlation of x with g"}
    for r in rule.rows:
        assert r.theorem == THEOREMS[(op, r.gradient)]
        assert r.verified.startswith("exact instance check at input sizes")


def test_stride_dilation_padding_give_transposed_conv_and_swapped_roles():
    rule = backward_rule("correlate", input_size=10, kernel_size=3, stride=3, dilation=2, padding=((2, 1),))
    dx, dw = rule.rows
    assert dx.operation == "transposed convolution of g with w"
    assert dx.parameters["output_padding"] == ((10 + 3 - 2 * 2 - 1) % 3,)
    assert dx.parameters["crop"] == ((2, 1),)
    assert dx.theorem == "conv_grad_input_is_transposed_conv"
    assert dw.parameters["stride"] == (2,) and dw.parameters["dilation"] == (3,)
    assert dw.theorem == "conv_grad_weight_swaps_stride_and_dilation"
    assert "stride and dilation swapped" in dw.operation
    assert rule.holds


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_layer_rules_with_channels_groups_bias(mode):
    rule = backward_rule(
        "conv2d",
        input_size=(5, 6),
        kernel_size=(2, 3),
        stride=(2, 1),
        padding=1,
        channels=(4, 2),
        groups=2,
        batch=2,
        padding_mode=mode,
    )
    assert rule.holds, rule.text()
    assert [r.gradient for r in rule.rows] == ["dL/dx", "dL/dw", "dL/db"]
    assert rule.rows[2].operation == "sum of g over batch and positions"
    if mode == "zeros":
        assert "swapped per group" in rule.rows[0].parameters["channels"]


def test_conv1d_and_conv3d():
    assert backward_rule("conv1d", input_size=7, kernel_size=3, dilation=2, channels=(1, 3), bias=False).holds
    r3 = backward_rule("conv3d", input_size=(3, 4, 3), kernel_size=2, stride=(1, 2, 1), channels=(2, 2))
    assert r3.holds and len(r3.rows) == 3


def test_named_operations_compute_the_reference_gradients():
    """The NAMED contractions, evaluated, equal the loop reference's gradients (independent oracle)."""
    rng = np.random.default_rng(5)
    kw = {"stride": (2,), "dilation": (1,), "pad": ((1, 1),), "groups": 2}
    rule = backward_rule("conv1d", input_size=7, kernel_size=3, stride=2, padding=1, channels=(2, 4), groups=2)
    xv, wv, gv = rng.integers(-4, 5, (1, 2, 7)), rng.integers(-4, 5, (4, 1, 3)), rng.integers(-4, 5, (1, 4, 4))
    arrays = {"x": xv, "w": wv, "g": gv}
    dx, dw, db = (evaluate(list(r.named), arrays, dtype=object) for r in rule.rows)
    assert (dx == linear_grad(lambda e: conv_layer(e, wv, **kw), xv.shape, gv)).all()
    assert (dw == linear_grad(lambda e: conv_layer(xv, e, **kw), wv.shape, gv)).all()
    assert (db == gv.sum(axis=(0, 2))).all()
    # and dL/dx is PyTorch's transposed convolution of g (weight layout (in, out/groups, K))
    ct = conv_transpose_layer(gv, wv, stride=(2,), dilation=(1,), pad=(1,), output_padding=(0,), groups=2)
    assert (dx == ct).all()


def test_a_wrong_identification_is_reported_as_failed(monkeypatch):
    real = bw._input_gradient

    def unflipped(layer, n):
        name, _side, params, theorem = real(layer, n)
        from symconv.core.formula import ConvSpec, forward
        from symconv.gradients.grad import rename_operands

        out = layer.out(n)
        wrong = forward(ConvSpec(input_size=out, kernel_size=layer.k, pad_lo=(2,), output_size=n))[0]
        return name, [(1, rename_operands(wrong, {"x": "g"}))], params, theorem

    monkeypatch.setattr(bw, "_input_gradient", unflipped)
    rule = backward_rule("correlate", input_size=6, kernel_size=3)
    assert not rule.holds
    assert rule.rows[0].verified.startswith("FAILED at input size (6,): at result index")


def test_renderings():
    rule = backward_rule("correlate", input_size=5, kernel_size=3)
    text = rule.text()
    assert text.splitlines()[0] == "backward rule of correlate(input_size=(5,), kernel_size=(3,))"
    assert "dL/dx[n + k] += g[n]·w[k]" in text
    md = rule.markdown()
    assert md.splitlines()[0].startswith("| gradient | derived formula |")
    assert "`correlate_grad_weight_is_valid_correlation`" in md
    tex = rule.latex()
    assert r"\begin{tabularx}{\linewidth}" in tex and r"\toprule" in tex and r"\bottomrule" in tex
    data = json.loads(rule.to_json())
    assert data == rule.to_dict()
    assert data["rows"][0]["theorem"] == "correlate_grad_input_is_full_convolution"
    assert data["rows"][0]["parameters"] == {"mode": "full"}
    assert str(rule) == text


def test_latex_table_compiles(tmp_path):
    peers.program("latex", "pdflatex")
    rule = backward_rule("conv2d", input_size=4, kernel_size=2, stride=2, channels=(2, 2), padding_mode="circular")
    doc = (
        "\\documentclass{article}" + latex_preamble() + "\\begin{document}\\tiny " + rule.latex() + "\\end{document}\n"
    )
    (tmp_path / "t.tex").write_text(doc)
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"op": "conv4d"}, "`op` must be one of"),
        ({"op": "correlate", "channels": (2, 2)}, "layer options"),
        (
            {"op": "conv2d", "channels": (3, 2), "groups": 2},
            r"`in_channels` \(=3\) and `out_channels` \(=2\) must be divisible by `groups` \(=2\)",
        ),
        ({"op": "correlate", "input_size": 2, "kernel_size": 3}, "must fit in the padded input"),
        ({"op": "conv1d", "stride": 0}, "`stride` must be ≥ 1"),
        ({"op": "conv1d", "padding_mode": "mirror"}, "`padding_mode` must be one of"),
        ({"op": "conv2d", "ndim": 3}, r"`ndim` \(=3\) must be 2"),
        ({"op": "correlate", "padding_mode": "reflect"}, "needs a layer op"),
    ],
)
def test_errors(kwargs, message):
    op = kwargs.pop("op")
    with pytest.raises(SymconvError, match=message):
        backward_rule(op, **kwargs)


def test_folded_padding_modes_keep_the_channel_identification():
    rule = backward_rule(
        "conv1d", input_size=6, kernel_size=3, padding=2, channels=(2, 4), groups=2, padding_mode="reflect"
    )
    dx = rule.rows[0]
    assert rule.holds and dx.parameters["groups"] == 2
    assert dx.parameters["channels"] == "kernel in/out axes swapped per group"
    assert dx.parameters["padding_mode"] == "reflect" and dx.parameters["fold"] == ((2, 2),)


@pytest.mark.parametrize(("op", "padding", "pairs"), [("conv1d", "same", ((1, 1),)), ("correlate", "full", ((2, 2),))])
def test_named_padding(op, padding, pairs):
    kw = {"channels": (1, 1)} if op == "conv1d" else {}
    rule = backward_rule(op, input_size=5, kernel_size=3, padding=padding, **kw)
    assert rule.holds and rule.params["padding"] == pairs
    assert backward_rule(op, input_size=5, kernel_size=3, padding="valid", **kw).params.get("padding") is None


def test_output_padding_is_the_issues_formula():
    """(L + 2p − d(k−1) − 1) mod s, for every small case: the transposed convolution returns L (torch's own)."""
    torch = peers.module("torch")
    F = torch.nn.functional
    for n, k, s, d, p in [(7, 3, 2, 1, 1), (10, 3, 3, 2, 1), (9, 2, 4, 1, 0), (6, 1, 3, 1, 2), (8, 2, 3, 2, 1)]:
        dx = backward_rule("correlate", input_size=n, kernel_size=k, stride=s, dilation=d, padding=p).rows[0]
        assert dx.parameters["output_padding"] == ((n + 2 * p - d * (k - 1) - 1) % s,)
        (op,) = dx.parameters["output_padding"]
        y = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
        back = F.conv_transpose1d(y, torch.zeros(1, 1, k), stride=s, padding=p, output_padding=op, dilation=d)
        assert back.shape[-1] == n, (n, k, s, d, p)
        if op + 1 < max(s, d):  # one more is still legal for torch, and then returns L + 1: the value is pinned
            more = F.conv_transpose1d(y, torch.zeros(1, 1, k), stride=s, padding=p, output_padding=op + 1, dilation=d)
            assert more.shape[-1] == n + 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"op": "conv1d", "channels": 3}, r"`channels` must be a pair \(in_channels, out_channels\); got 3"),
        ({"op": "conv1d", "channels": (1, 2, 3)}, "`channels` must be a pair"),
        ({"op": "conv1d", "bias": "no"}, "`bias` must be True, False or None; got 'no'"),
        ({"op": "conv1d", "input_size": 3, "padding": 4, "padding_mode": "circular"}, r"`padding` \(=4\) ≤ input size"),
        ({"op": "conv1d", "input_size": 3, "padding": 3, "padding_mode": "reflect"}, r"`padding` \(=3\) < input size"),
        ({"op": "conv1d", "padding": "same", "stride": 2}, "padding='same' needs `stride` = 1"),
        ({"op": "conv1d", "padding": "full"}, "`padding` must be one of 'valid', 'same'"),
        ({"op": "correlate", "groups": 1.0}, "layer options"),
        ({"op": "correlate", "ndim": 1.0}, "`ndim` must be an integer"),
    ],
)
def test_more_errors(kwargs, message):
    op = kwargs.pop("op")
    with pytest.raises(SymconvError, match=message):
        backward_rule(op, **kwargs)


TORCH_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


@st.composite
def rule_cases(draw):
    """Random layer parameters for backward_rule: ndim, stride, dilation, per-side padding, mode, channels, groups."""
    nd = draw(st.integers(1, 2))
    op = draw(st.sampled_from(["correlate", "convolve", f"conv{nd}d"]))
    layer = op.startswith("conv") and op[-1] == "d"
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"])) if layer else "zeros"
    n = tuple(draw(st.integers(2, 6)) for _ in range(nd))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    cap = [v - 1 if mode == "reflect" else v for v in n]
    pad = tuple((draw(st.integers(0, min(2, c))), draw(st.integers(0, min(2, c)))) for c in cap)
    k = tuple(ki if di * (ki - 1) + 1 <= ni + a + b else 1 for ki, di, ni, (a, b) in zip(k, d, n, pad))
    kw = {"input_size": n, "kernel_size": k, "stride": s, "dilation": d, "padding": pad}
    if layer:
        g = draw(st.integers(1, 2))
        kw |= {
            "padding_mode": mode,
            "groups": g,
            "channels": (g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))),
            "batch": draw(st.integers(1, 2)),
        }
    return op, kw


@settings(max_examples=25, deadline=None)
@given(rule_cases(), st.integers(0, 2**31))
def test_named_operations_equal_torch_autograd(case, seed):
    """Every row's NAMED operation, evaluated, is torch's gradient (and the rule says it holds)."""
    torch = peers.module("torch")
    F = torch.nn.functional
    op, kw = case
    rule = backward_rule(op, **kw)
    assert rule.holds, rule.text()
    nd = len(kw["input_size"])
    B = kw.get("batch", 1)
    cin, cout = kw.get("channels", (1, 1))
    g_ = kw.get("groups", 1)
    rng = np.random.default_rng(seed)
    xv = rng.integers(-3, 4, (B, cin, *kw["input_size"]))
    wv = rng.integers(-3, 4, (cout, cin // g_, *kw["kernel_size"]))
    bv = rng.integers(-3, 4, (cout,))
    x = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(wv, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(bv, dtype=torch.float64, requires_grad=True)
    pads = [p for lo_hi in reversed(kw["padding"]) for p in lo_hi]
    xp = F.pad(x, pads, mode=TORCH_PAD[kw.get("padding_mode", "zeros")])
    wk = torch.flip(w, dims=list(range(2, 2 + nd))) if op == "convolve" else w
    y = getattr(F, f"conv{nd}d")(xp, wk, b, stride=kw["stride"], dilation=kw["dilation"], groups=g_)
    gv = rng.integers(-3, 4, tuple(y.shape))
    (y * torch.tensor(gv, dtype=torch.float64)).sum().backward()
    plain = not op.endswith("d")
    arrays = {"x": xv[0, 0] if plain else xv, "w": wv[0, 0] if plain else wv, "g": gv[0, 0] if plain else gv}
    want = {"dL/dx": x.grad, "dL/dw": w.grad, "dL/db": b.grad}
    for row in rule.rows:
        got = evaluate(list(row.named), arrays, dtype=object).astype(np.int64)
        expected = want[row.gradient].numpy()
        np.testing.assert_array_equal(got, expected[0, 0] if plain and row.gradient != "dL/db" else expected)


def test_formulas_print_in_loop_order_with_one_renderer():
    """Text and LaTeX come from the same scatter rendering: n before k, no group index at groups=1."""
    rule = backward_rule("conv1d", input_size=6, kernel_size=3, stride=2, channels=(2, 3), bias=True)
    dx, _, db = rule.rows
    assert dx.formula == r"\frac{\partial L}{\partial x}[b, c, 2n + k] \mathrel{+}= g[b, o, n] \cdot w[o, c, k]"
    text = rule.text()
    assert "dL/dx[b, c, 2n + k] += g[b, o, n]·w[o, c, k]" in text
    assert "dL/dw[o, c, k] += g[b, o, n]·x[b, c, 2n + k]" in text
    assert "dL/dbias[o] += g[b, o, n]" in text and "grp" not in text and "k + 2n" not in text
    assert r"\mathrm{bias}" in db.formula
    assert rule._repr_markdown_() == rule.markdown()
    grouped = backward_rule("conv1d", input_size=6, kernel_size=3, channels=(2, 4), groups=2)
    assert "2grp + o" in grouped.rows[0].formula
