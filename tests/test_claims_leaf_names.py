"""Any valid leaf name works in a claim: a leaf named ``result`` was refused by ``check_exact`` (the engine's
contractions named their result ``result`` too: "reads 'result', which is the name of its result")."""

from __future__ import annotations

import pytest

import symconv as sc

NAMES = [("result", "w", "g"), ("x", "result", "g"), ("x", "w", "result"), ("result_1", "result", "y")]


def _sides(xn, wn, gn):
    N, K = sc.sizes("N K", assume="N >= K")
    x, w, g = sc.symbols(xn, N), sc.symbols(wn, K), sc.symbols(gn, N - K + 1)
    return {
        "flip": (sc.correlate(x, w), sc.convolve(x, sc.flip(w)), True),
        "grad": (sc.grad(sc.correlate(x, w), x, g), sc.convolve(g, w, mode="full"), True),
        "false": (sc.correlate(x, w), sc.convolve(x, w), False),
    }


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("claim", ["flip", "grad", "false"])
def test_the_instance_engine_takes_any_leaf_name(names, claim):
    lhs, rhs, true = _sides(*names)[claim]
    p = sc.prove(lhs, rhs, method="instance")
    assert p.status == ("unknown" if true else "refuted"), p.message
    assert "check_exact" in p.engine  # the coefficient engine ran (it is not the slower fallback)


@pytest.mark.parametrize("names", NAMES[:2])
def test_concrete_sizes_with_a_leaf_named_result(names):
    xn, wn, _ = names
    N, K = sc.sizes("N K")
    x, w = sc.symbols(xn, N), sc.symbols(wn, K)
    assert sc.prove(sc.correlate(x, w), sc.convolve(x, sc.flip(w)), method="instance").status == "unknown"
    false = sc.prove(sc.correlate(x, w), sc.convolve(x, w), method="auto")
    assert false.status == "refuted" and "check_exact" in false.engine


def test_assert_identity_with_a_leaf_named_result():
    from symconv.testing import assert_identity

    N, K = sc.sizes("N K", assume="N >= K")
    x, w = sc.symbols("result", N), sc.symbols("w", K)
    assert_identity(sc.correlate(x, w), sc.convolve(x, sc.flip(w)))
    with pytest.raises(AssertionError):
        assert_identity(sc.correlate(x, w), sc.convolve(x, w))
