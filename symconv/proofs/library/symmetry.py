"""The flip: convolution is correlation with the flipped kernel; the two agree exactly for centro-symmetric
kernels (are opposite for anti-centro-symmetric ones)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from symconv.core.affine import Affine
from symconv.core.formula import (
    flip_index,
    forward,
)
from symconv.gradients.grad import reindex_operand
from symconv.proofs._contract import Read, Recipe
from symconv.proofs._iverson import (
    Constraint,
    Context,
    Expr,
    Hypothesis,
    Sum,
    Term,
    contraction_sum,
)
from symconv.proofs._parts import Deriver, Part
from symconv.proofs._registry import _CONV, Plan, register
from symconv.proofs.library._common import (
    _Conv,
    _conv_params,
    _in,
    _names,
    _primed,
    _rename,
    _standard,
    _vars,
)

# -- the flip -------------------------------------------------------------------------


def _flip_body(cv: _Conv, axes: Sequence[int], at: Sequence[str]) -> Sum:
    q = [Affine.var(a) for a in at]
    lead = len(q) - cv.nd
    guard: list[Constraint] = []
    idx: list[Affine] = list(q[:lead])
    if cv.channels:
        assert cv.cin is not None and cv.cout is not None
        guard += _in(q[0], cv.cout) + _in(q[1], cv.cin_g)
    for i in range(cv.nd):
        a = q[lead + i]
        guard += _in(a, cv.K[i])
        idx.append(cv.K[i] - 1 - a if i in axes else a)
    return Sum((), tuple(guard), (Term("w", tuple(idx)),))


@register(
    "convolve_is_correlate_with_flipped_kernel",
    "convolve(x, w) = correlate(x, flip(w)), flip reversing EVERY spatial axis (any stride, dilation, padding, groups)",
    _CONV,
    {"no_flip": "flip(w) is taken to be w", "one_axis": "flip(w) reverses only the first axis (ndim ≥ 2)"},
)
def _t_flip(params: Mapping[str, Any], variant: str | None) -> Plan:
    name = "convolve_is_correlate_with_flipped_kernel"
    cv = _conv_params(name, params, _CONV)
    i = _vars("i", cv.nd)
    free = list(_names("i", cv.nd))
    assume = cv.size_assumptions() + [c for a, o in zip(i, cv.out_size) for c in _in(a, o)]
    index: tuple[Affine, ...] = i
    if cv.channels:
        co = Affine.var("co")
        free.insert(0, "co")
        assume += _in(co, cv.cout)
        index = (co, *i)
    ctx = Context(cv.params, tuple(free), tuple(assume))
    lhs = contraction_sum(forward(cv.spec(flip=True))[0], index)
    cc = _rename(forward(cv.spec(flip=False))[0], {"w": "flip(w)"})
    rhs = contraction_sum(cc, index, rename=_primed(cc))
    axes = () if variant == "no_flip" else ((0,) if variant == "one_axis" else tuple(range(cv.nd)))
    at = (
        tuple(f"q{a}" for a in range(len(index) - cv.nd + cv.nd))
        if False
        else tuple([*(["qo", "qc"] if cv.channels else []), *_names("q", cv.nd)])
    )
    body = _flip_body(cv, axes, at)
    fidx = [t.operand for t in rhs.factors].index("flip(w)")

    def strategy(dv: Deriver) -> None:
        dv.apply("definition", "rhs", sum=0, factor=fidx, body=body, at=list(at))
        _standard(dv)

    part = Part("flip", ctx, Expr.of(lhs), Expr.of(rhs), "=", [], tuple(cv.text()), (("flip(w)", body, at),))
    lead = 2 if cv.channels else 0

    def flip_w(ix: tuple[Affine, ...]) -> tuple[Affine, ...]:
        return (*ix[:lead], *(flip_index(cv.K[a], ix[lead + a]) if a in axes else ix[lead + a] for a in range(cv.nd)))

    corr_flipped = reindex_operand(forward(cv.spec(flip=False))[0], "w", flip_w)
    recipe = Recipe((Read(1, forward(cv.spec(flip=True))[0], index),), (Read(1, corr_flipped, index),))
    return Plan(
        "convolve(x, w)[n] = correlate(x, flip(w))[n] with flip(w)[k] = w[K−1−k]",
        [(part, strategy)],
        size_params={"input": cv.N, "kernel": cv.K},
        recipes={part.title: recipe},
    )


# -- centro-symmetry -----------------------------------------------------------------


def _symmetry(cv: _Conv, sign: int, axes: Sequence[int], domain_extra: int = 0) -> Hypothesis:
    """``w[(o, c,) u] = sign · w[(o, c,) K−1−u]`` on the kernel's domain (with channels: every kernel slice)."""
    u = _vars("u", cv.nd)
    dom = [c for i, (a, k) in enumerate(zip(u, cv.K)) for c in _in(a, k + (domain_extra if i == 0 else 0))]
    rhs = tuple(k - 1 - a if i in axes else a for i, (a, k) in enumerate(zip(u, cv.K)))
    names = _names("u", cv.nd)
    lead: tuple[Affine, ...] = ()
    if cv.channels:
        assert cv.cin is not None and cv.cout is not None
        lead = (Affine.var("uo"), Affine.var("uc"))
        dom = _in(lead[0], cv.cout) + _in(lead[1], cv.cin_g) + dom
        names = ("uo", "uc", *names)
    name = "centrosymmetric" if sign == 1 else "anticentrosymmetric"
    return Hypothesis(name, names, tuple(dom), "w", (*lead, *u), (*lead, *rhs), sign)


def _iff(name: str, sign: int, params: Mapping[str, Any], variant: str | None) -> Plan:
    cv = _conv_params(name, params, _CONV)
    axes = (0,) if variant == "one_axis" else tuple(range(cv.nd))
    hyp = _symmetry(cv, sign, axes)
    i = _vars("i", cv.nd)
    free = list(_names("i", cv.nd))
    assume = cv.size_assumptions() + [c for a, o in zip(i, cv.out_size) for c in _in(a, o)]
    index: tuple[Affine, ...] = i
    chan: list[Constraint] = []
    if cv.channels:  # one output channel `co` of the forward op
        co = Affine.var("co")
        free.insert(0, "co")
        chan = _in(co, cv.cout)
        assume += chan
        index = (co, *i)
    hyps = () if variant == "hypothesis_dropped" else (hyp,)
    ctx = Context(cv.params, tuple(free), tuple(assume), hyps)
    conv = contraction_sum(forward(cv.spec(flip=True))[0], index)
    cc = forward(cv.spec(flip=False))[0]
    corr = contraction_sum(cc, index, rename=_primed(cc)).scaled(sign)

    def if_strategy(dv: Deriver) -> None:
        dv.sift("lhs")
        dv.sift("rhs")
        if hyps:
            wi = [t.operand for t in dv.cur["lhs"].sums[0].factors].index("w")
            dv.apply("apply_hypothesis", "lhs", sum=0, factor=wi, hypothesis=hyp.name)
        dv.align("rhs")
        dv.close()

    kind = "centrosymmetric" if sign == 1 else "anti-centrosymmetric"
    rel = "" if sign == 1 else "−"
    part1 = Part(
        f"if w is {kind}",
        ctx,
        Expr.of(conv),
        Expr.of(corr),
        "=",
        [],
        (
            *cv.text(),
            f"w[{'o, c, ' if cv.channels else ''}k] = {rel}w[{'o, c, ' if cv.channels else ''}K−1−k] for 0 ≤ k < K "
            f"(all axes flipped together{'; every kernel slice w[o, c]' if cv.channels else ''})",
        ),
    )
    # only if: at the first output whose window lies inside the input
    nstar = tuple(-(-cv.p // cv.s) for _ in range(cv.nd))
    claim_h = _symmetry(cv, sign, tuple(range(cv.nd)), 1 if variant == "domain_off_by_one" else 0)
    inside = [
        Constraint.le(Affine.constant(cv.s * n0 - cv.p + cv.d * (k - 1) + 1), Affine.constant(n))
        for n0, n, k in zip(nstar, cv.N, cv.K)
    ]
    ctx2 = Context(cv.params, ("co",) if cv.channels else (), tuple(cv.size_assumptions() + inside + chan))
    at = (*index[: len(index) - cv.nd], *(Affine.constant(n0) for n0 in nstar))
    diff = Expr.of(contraction_sum(forward(cv.spec(flip=True))[0], at), contraction_sum(cc, at).scaled(-sign))

    def only_if_strategy(dv: Deriver) -> None:
        dv.sift("lhs")
        e = dv.cur["lhs"]
        if e.sums[0].factors != e.sums[1].factors or set(e.sums[0].variables) != set(e.sums[1].variables):
            dv.align("lhs", only=["x"], target=Expr.of(e.sums[0], e.sums[0]))
        dv.apply("compare_coefficients", "lhs", operand="x")
        dv.apply("entails_hypothesis", "lhs", claim=claim_h.name, hypothesis=claim_h)

    part2 = Part(
        f"only if: equality for every x forces w {kind}",
        ctx2,
        diff,
        claim_h,
        "⇒",
        [],
        (*cv.text(), f"the window at output {list(nstar)} lies inside the input"),
    )
    notes: tuple[str, ...] = ()
    if sign == -1:
        notes = (
            "complex kernels: numpy's correlate conjugates its second argument, so numpy's convolve(x, w) = "
            "−numpy.correlate(x, w) for every x iff w = −conj(flip(w)) (and = iff w = conj(flip(w))); "
            "CNN libraries do not conjugate and the statement above holds verbatim",
        )
    else:
        notes = (
            "complex kernels: against numpy's conjugating correlate the condition is w = conj(flip(w)); "
            "CNN libraries do not conjugate",
        )
    st = f"convolve(x, w) = {rel}correlate(x, w) for every x ⟺ w[k] = {rel}w[K−1−k] (N-D: all axes flipped together)"
    nc = "the 'only if' direction assumes some output window lies entirely inside the input (true in valid mode)"
    recipe = Recipe((Read(1, forward(cv.spec(flip=True))[0], index),), (Read(sign, cc, index),), hypothesis=bool(hyps))
    return Plan(
        st,
        [(part1, if_strategy), (part2, only_if_strategy)],
        nc,
        notes,
        {"input": cv.N, "kernel": cv.K},
        recipes={part1.title: recipe},
    )


_IFF_VARIANTS = {
    "hypothesis_dropped": "no symmetry hypothesis",
    "one_axis": "symmetry along the first axis only (ndim ≥ 2)",
    "domain_off_by_one": "the forced symmetry is claimed on 0 ≤ k ≤ K (one too many)",
}


@register(
    "convolve_equals_correlate_iff_centrosymmetric",
    "convolve(x, w) = correlate(x, w) for every x iff w is centrosymmetric (w = flip(w), all axes together)",
    _CONV,
    _IFF_VARIANTS,
)
def _t_centro(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _iff("convolve_equals_correlate_iff_centrosymmetric", 1, params, variant)


@register(
    "convolve_equals_minus_correlate_iff_anticentrosymmetric",
    "convolve(x, w) = −correlate(x, w) for every x iff w = −flip(w)",
    _CONV,
    _IFF_VARIANTS,
)
def _t_anti(params: Mapping[str, Any], variant: str | None) -> Plan:
    return _iff("convolve_equals_minus_correlate_iff_anticentrosymmetric", -1, params, variant)
