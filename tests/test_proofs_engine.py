"""The coefficient-engine route of instance proofs states what the proof states.

Every theorem part with a recipe (its two sides as contractions of the one definition, read at the free
indices) must have, at random small sizes, exactly the values of the part's Iverson sums — evaluated here
by a plain loop over each contraction's box (not symconv's term enumerator) against the Iverson evaluator.
Then the certificate's completing checks must really re-run through the engine.
"""

from __future__ import annotations

import copy
import itertools
import json

import numpy as np
import pytest
from test_theorems import FALSE, GENERAL

from symconv import theorem
from symconv.proofs import Certificate
from symconv.proofs._contract import engine_sides, read_at
from symconv.proofs._evaluate import array_values, random_sizes, values
from symconv.proofs._instances import _unfold
from symconv.proofs._replay import _hyp_arrays
from symconv.proofs._theorem import Theorem


def _loop(c, arrays) -> dict[tuple[int, ...], int]:
    """Σ over the box of Π factors, added at the result index: a plain loop, every range checked."""
    shape = {o.name: tuple(int(s) for s in o.shape) for o in c.operands}
    rshape = tuple(int(s) for s in c.result.shape)
    out: dict[tuple[int, ...], int] = {}
    names = [v.name for v in c.variables]
    for point in itertools.product(*(range(max(0, int(v.extent))) for v in c.variables)):
        env = dict(zip(names, point))
        r = tuple(int(a.evaluate(env)) for a in c.result_index)
        if any(not 0 <= i < n for i, n in zip(r, rshape)):
            continue
        prod = 1
        for f in c.factors:
            idx = tuple(int(a.evaluate(env)) for a in f.index)
            if any(not 0 <= i < n for i, n in zip(idx, shape[f.operand])):
                prod = 0
                break
            prod *= arrays[f.operand](idx)
        if prod:
            out[r] = out.get(r, 0) + prod
    return out


def _side_values(side, arrays) -> dict[tuple[int, ...], int]:
    acc: dict[tuple[int, ...], int] = {}
    for coef, c in side:
        for k, v in _loop(c, arrays).items():
            acc[k] = acc.get(k, 0) + coef * v
    return {k: v for k, v in acc.items() if v}


CASES = [(n, p, None) for n, p in GENERAL] + FALSE


@pytest.mark.parametrize(("name", "params", "variant"), CASES, ids=[f"{n}-{p}-{v}" for n, p, v in CASES])
def test_engine_sides_have_the_values_of_the_iverson_statement(name, params, variant):
    plan = Theorem(name, dict(params), variant).plan()
    rng = np.random.default_rng(7)
    for part, _ in plan.parts:
        recipe = plan.recipes.get(part.title)
        if recipe is None:
            continue
        checked = 0
        for _ in range(4):
            sizes = random_sizes(part.ctx, rng, max_size=4)
            sides = engine_sides(recipe, part.ctx, sizes)
            if sides is None:
                continue
            lhs, rhs, structure = sides
            seed = int(rng.integers(1 << 30))
            fns = {**_hyp_arrays(part.ctx, sizes, seed)}

            def entry(op, idx, seed=seed, fns=fns):
                cols = [np.array([i]) for i in idx]  # 1-D: the hash wraps around in arrays, never in scalars
                vals = fns[op](cols) if op in fns else array_values(op, seed, cols)
                return int(np.asarray(vals).reshape(-1)[0])

            ops = {o.name for _, c in (*lhs, *rhs) for o in c.operands}
            arrays = {op: (lambda idx, op=op: entry(op, idx)) for op in ops}
            for side_engine, side_iverson in ((lhs, part.lhs), (rhs, part.rhs)):
                unfolded = _unfold(side_iverson, part)  # flip(w), a∗b: by the definitions the statement declares
                want = {k: v for k, v in values(unfolded, part.ctx, sizes, seed, fns).items() if v}
                got = _side_values(side_engine, arrays)
                assert got == want, (part.title, sizes)
            if structure is not None:  # the structure says what the hypothesis says, entry by entry
                ((op, st),) = structure.items()
                for u in np.ndindex(*st.shape):
                    lab = abs(int(st[u]))
                    same = [v for v in np.ndindex(*st.shape) if abs(int(st[v])) == lab and lab]
                    for v in same:  # one orbit: equal up to the structure's signs in the hypothesis arrays
                        assert arrays[op](u) * int(np.sign(st[v])) == arrays[op](v) * int(np.sign(st[u]))
                    if lab == 0:
                        assert arrays[op](u) == 0
            checked += 1
        # the one known exception: a claim reading w with its channel axes swapped, C_in ≠ C_out, reads an array of
        # another shape — no shared operand for the engines, so the exact Iverson expansion decides it
        # (the transposed convolution keeps the forward layout: its wrong reading has the right shape)
        mis_shaped = (
            variant == "wrong_channel_transpose"
            and params.get("in_channels") != params.get("out_channels")
            and name != "conv_grad_input_is_transposed_conv"
        )
        # and the Jacobian read at (n + 1, m − s): m − s leaves the input's range, a guard a re-indexed result loses;
        # likewise the transposed convolution read at m − a (its output padding put first)
        mis_shaped = mis_shaped or variant in ("anti_diagonal", "output_padding_first")
        assert checked or mis_shaped, f"{part.title}: no size where the recipe applies"
        if mis_shaped:
            assert not checked


def test_read_at_refuses_a_reindexing_that_would_drop_a_range_guard():
    """The transposed convolution's result is cropped (not a loop variable): reading it shifted is refused."""
    import sympy

    from symconv.core.affine import Affine
    from symconv.core.formula import ConvSpec, transpose

    c = transpose(ConvSpec(input_size=(3,), kernel_size=(3,), pad_lo=(1,), pad_hi=(1,)))[0]
    m = Affine.var("m")
    assert c.result.shape == (3,)
    assert read_at(c, (m,), ("m",), {"m": 3}) is not None  # the same range: the same guard
    assert read_at(c, (m,), ("m",), {"m": 5}) is None  # past the crop: the guard 0 ≤ m < 3 would be lost
    assert read_at(c, (m + 1,), ("m",), {"m": 3}) is None  # would read past the crop
    assert read_at(c, (m + 1,), ("m",), {"m": 2}) is not None  # stays inside [0, 3)
    assert read_at(c, (2 - m,), ("m",), {"m": 3}) is not None  # a flip of the range
    assert read_at(c, (Affine.constant(sympy.Integer(0)),), ("m",), {"m": 3}) is None  # not one to one


def _general_data(name, **params):
    return json.loads(theorem(name, **params).prove().certificate.to_json())


def test_the_certificate_completes_with_engine_checks_and_the_replay_reruns_them():
    data = _general_data("conv_grad_input_is_transposed_conv", stride=2, output_padding=1)
    checks = data["instance_checks"]
    assert checks and all(c["engine"] == "coefficient engine (check_exact)" for c in checks)
    assert Certificate(data).check().ok
    bad = copy.deepcopy(data)
    bad["instance_checks"][0]["engine"] = "Iverson-sum expansion (exact polynomials)"
    r = Certificate(bad).check()
    assert not r.ok and "stored engine" in r.message
    bad = copy.deepcopy(data)
    bad["instance_checks"][0]["terms"] += 1
    r = Certificate(bad).check()
    assert not r.ok and "terms" in r.message
    # a theorem that is not a contraction keeps the exact expansion, and says so
    assoc = _general_data("full_convolution_associates")
    assert {c["engine"] for c in assoc["instance_checks"]} == {"Iverson-sum expansion (exact polynomials)"}
    assert Certificate(assoc).check().ok
    toe = _general_data("correlation_matrix_is_toeplitz", ndim=2)  # the Jacobian as a contraction
    assert {c["engine"] for c in toe["instance_checks"]} == {"coefficient engine (check_exact)"}
    assert Certificate(toe).check().ok
    iff = _general_data("convolve_equals_correlate_iff_centrosymmetric")
    engines = {c["part"]: c["engine"] for c in iff["instance_checks"]}
    assert engines["if w is centrosymmetric"] == "coefficient engine (check_exact)"
    assert engines["only if: equality for every x forces w centrosymmetric"].startswith("exact rank")


def test_proof_names_its_engine_in_json():
    p = theorem("correlate_adjoint_is_full_convolution", ndim=2).prove(
        "instance", input_size=[9, 8], kernel_size=[3, 2]
    )
    d = p.to_dict()
    assert p.holds and d["engine"] == "coefficient engine (check_exact)"
    q = theorem("correlate_adjoint_is_full_convolution").variant("off_by_one").prove("instance")
    assert not q.holds and q.engine == "Iverson-sum expansion (exact polynomials)"  # x paired off: no contraction
    g = theorem("full_convolution_commutes").prove()
    assert g.engine == "rules + z3 (all sizes); instance checks: coefficient engine (check_exact)"
