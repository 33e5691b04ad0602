r"""A theorem of the library with its parameters, and how it is proved, instanced and refuted.

Every theorem builds its two sides independently: the DERIVATION side from
the one definition (:func:`symconv.core.formula.forward` /
:func:`~symconv.core.formula.transpose` with symbolic sizes), the CLAIM side from
the named operation it states (full convolution, transposed convolution,
valid correlation with stride and dilation swapped, …). So a wrong claim
(:meth:`Theorem.variant`) really fails.

>>> from symconv.proofs._theorem import theorem
>>> p = theorem("correlate_grad_input_is_full_convolution").prove()
>>> p.holds, [s.rule for s in p.steps][:2]
(True, ['differentiate_under_sum', 'collapse_kronecker_delta'])
>>> theorem("correlate_grad_input_is_full_convolution").variant("no_flip").prove().holds
False
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from symconv.core.errors import SymconvError
from symconv.core.public import public
from symconv.engines.instance import DEFAULT_PRIME
from symconv.proofs._cost import guard_circular, guard_instance, guard_trials
from symconv.proofs._instances import (
    ENGINE_GROUP_RING,
    _engines,
    _instance_part,
    _instance_sizes,
    _refute,
    _satisfies,
)
from symconv.proofs._params import _int, _plain
from symconv.proofs._parts import Deriver, Part
from symconv.proofs._proof import Proof, check_notation
from symconv.proofs._registry import (
    _LIBRARY,
    Plan,
    _info,
    build_plan,
    shared_plan,
)
from symconv.proofs._rules import RuleError
from symconv.proofs._sizes import derive_sizes

__all__ = ["Theorem", "theorem"]


@public
def theorem(name: str, **params: Any) -> Theorem:
    r"""A theorem of the library with its parameters (``ndim``, ``stride``, ``dilation``, ``padding``, …).

    .. math:: \frac{\partial L}{\partial x[m]} = \sum_k g[m-k]\, w[k]

    (for example ``correlate_grad_input_is_full_convolution``).

    >>> theorem("conv_grad_weight_swaps_stride_and_dilation", stride=2, dilation=3).prove().holds
    True

    Parameters
    ----------
    name : str
        One of :func:`theorems`.
    **params
        The theorem's parameters; unknown ones are an error.

    See also
    --------
    theorems, symconv.Proof
    """
    _info(name)
    t = Theorem(name, {k: _plain(v) for k, v in params.items()})
    t._shared_plan()  # validate now (and build the plan the instance checks use)
    return t


@dataclass
class Theorem:
    """A theorem with its parameters; :meth:`prove` establishes (or refutes) it."""

    name: str
    params: dict[str, Any]
    variant_name: str | None = None

    @property
    def statement(self) -> str:
        """The one-line statement."""
        return _LIBRARY[self.name].statement

    @property
    def parameters(self) -> list[str]:
        """The parameters this theorem takes (``theorem(name, **params)``), e.g. ``ndim``, ``stride``.

        >>> theorem("conv_grad_input_is_transposed_conv").parameters
        ['ndim', 'stride', 'dilation', 'padding', 'in_channels', 'out_channels', 'groups', 'output_padding']
        """
        return list(_LIBRARY[self.name].params)

    @property
    def variants(self) -> dict[str, str]:
        """The FALSE variants this theorem knows (name → what is wrong), for :meth:`variant`.

        >>> theorem("full_correlation_swap_is_flip").variants
        {'no_flip': 'claimed without the flip'}
        """
        return dict(_LIBRARY[self.name].variants)

    def variant(self, name: str) -> Theorem:
        """A FALSE variant of the claim (for soundness checks): ``no_flip``, ``off_by_one``, …"""
        if name not in _LIBRARY[self.name].variants:
            raise SymconvError(f"{self.name}: `variant` must be one of {sorted(self.variants)}; got {name!r}")
        return Theorem(self.name, dict(self.params), name)

    def plan(self) -> Plan:
        """Build the statement's parts (validates the parameters)."""
        return build_plan(self.name, self.params, self.variant_name)

    def _shared_plan(self) -> Plan:
        """The plan built once per theorem, parameters and variant (read only: instance checks never change it);
        a subclass that builds its own plan (:meth:`plan` overridden) gets that one, every time."""
        if type(self).plan is not Theorem.plan:
            return self.plan()
        return shared_plan(self.name, self.params, self.variant_name)

    def prove(
        self,
        method: str = "general",
        *,
        input_size: Sequence[int] | None = None,
        kernel_size: Sequence[int] | None = None,
        trials: int = 3,
        seed: int = 0,
        notation: str = "bracket",
    ) -> Proof:
        r"""Prove the theorem: ``general`` (all sizes), ``instance`` (exact, given sizes) or ``randomized``.

        ``general`` rewrites the statement with the named rules, the solver
        deciding every side condition, for every size at once; ``instance``
        compares both sides as exact polynomials at ``input_size`` /
        ``kernel_size``; ``randomized`` evaluates them ``trials`` times at
        random points modulo the engine's prime :math:`p` (error
        :math:`\le (\deg/p)^{\mathrm{trials}}`, ``deg`` the identity's
        degree). Without sizes, the instance methods (and the exact checks
        that complete a general proof) use sizes DERIVED from the statement's
        assumptions: the smallest GENERIC ones — every size ≥ 2, unequal along
        axes and between operands, several sets — where a wrong claim cannot
        hide (:mod:`symconv.proofs._sizes`). Where the statement is a
        contraction of the one definition (gradients, full/transposed
        convolutions, flips, the Jacobian of the Toeplitz theorem, symmetry
        hypotheses as ``structure``), both go through
        :func:`symconv.check_exact` / :func:`symconv.check_randomized`;
        otherwise (associativity, the "only if" rank, the DFT theorems, a few
        false variants) through the exact expansion of the statement.
        ``engine`` and each instance check say which. Every instance check is
        costed first: beyond the limits of :func:`symconv.limits` it is
        refused before it runs.

        A false :meth:`variant` that comes out holding — its parameters or the
        given sizes make it say what the theorem says (no channels to swap, a
        stride of 1, a kernel of size 1 that no flip can change) — gets the
        status ``'coincides'``: it is not refuted, and not "proved" either.

        >>> theorem("full_convolution_commutes").prove().status
        'proved'
        >>> p = theorem("full_convolution_commutes").prove("instance", input_size=[6], kernel_size=[3])
        >>> p.holds, p.engine
        (True, 'coefficient engine (check_exact)')
        >>> theorem("conv_grad_input_is_transposed_conv").variant("no_stride").prove().status
        'coincides'
        """
        if method not in ("general", "instance", "randomized"):
            raise SymconvError(f"prove: `method` must be 'general', 'instance' or 'randomized'; got {method!r}")
        check_notation("prove", notation)
        _int("prove", "trials", trials, 1)
        _int("prove", "seed", seed, 0)
        guard_trials(trials)
        if method == "general" and (input_size is not None or kernel_size is not None):
            raise SymconvError(
                "prove: `input_size`/`kernel_size` go with method='instance' or 'randomized'; a general proof has no "
                f"sizes (got input_size={input_size!r}, kernel_size={kernel_size!r})"
            )
        symbolic = sorted(k for k, v in self.params.items() if isinstance(v, str))
        if method != "general" and symbolic and (input_size is not None or kernel_size is not None):
            raise SymconvError(
                f"prove: an instance check at given sizes needs numeric {', '.join(f'`{k}`' for k in symbolic)}; got "
                f"{', '.join(f'{k}={self.params[k]!r}' for k in symbolic)} (a symbol is proved by method='general')"
            )
        t0 = time.perf_counter()
        # a general proof records its steps in its parts: a fresh plan; instance checks only read theirs
        plan = self.plan() if method == "general" else self._shared_plan()
        name = self.name + (f" [variant {self.variant_name}]" if self.variant_name else "")
        proof = Proof(
            name,
            plan.statement or self.statement,
            dict(self.params),
            method,
            "unproved",
            not_covered=plan.not_covered,
            notes=plan.notes,
            notation=notation,
        )
        if self.variant_name is not None and _same_statement(plan, shared_plan(self.name, self.params, None)):
            proof.status = "coincides"
            proof.message = (
                f"the variant {self.variant_name!r} ({self.variants[self.variant_name]}) states exactly what the "
                f"theorem states at these parameters ({_show_params(self.params)}): it is not false here, so it "
                "shows nothing; choose parameters where it differs (see `theorem.variants`)"
            )
            proof.not_covered = "nothing is claimed: the variant coincides with the theorem"
            proof.seconds = time.perf_counter() - t0
            return proof
        if method == "general" and not plan.instance_only:
            checks = [(part, sz) for part, _ in plan.parts for sz in _derived(plan, part, 2)]
            for part, sz in checks:  # cost the completing checks before any work
                guard_instance(part, sz, "instance", 1, plan.recipes.get(part.title), completing=True)
            self._general(plan, proof, checks)
        else:
            if method == "general":
                proof.method = "instance"
            self._instances(
                plan, proof, method if method != "general" else "instance", input_size, kernel_size, trials, seed
            )
        if self.variant_name is not None and proof.status == "proved":
            where = "for every size" if proof.method == "general" else f"at every size checked ({_show_checks(proof)})"
            proof.status = "coincides"
            proof.message = (
                f"the variant {self.variant_name!r} ({self.variants[self.variant_name]}) holds {where}: there it "
                "coincides with the theorem (a degenerate size, such as a kernel of size 1 that no flip changes, "
                "hides what it gets wrong), so it shows nothing; leave the sizes out for derived generic ones, or "
                "give sizes ≥ 2, unequal along axes and between operands"
            )
            proof.not_covered = "nothing is claimed: the variant coincides with the theorem at the sizes checked"
        proof.seconds = time.perf_counter() - t0
        return proof

    # -- general ---------------------------------------------------------------------
    def _general(self, plan: Plan, proof: Proof, checks: Sequence[tuple[Part, dict[sympy.Symbol, int]]]) -> None:
        proof.engine = "rules + z3 (all sizes)"
        for part, strategy in plan.parts:
            proof.parts.append(part)
            dv = Deriver(part)
            try:
                strategy(dv)
            except RuleError as exc:
                proof.status = "unproved"
                proof.message = f"{part.title}: {exc}"
                refutation = _refute(part, exc.counterexample)
                if refutation:
                    proof.status = "refuted"
                    proof.message += f"; refuted: {refutation}"
                return
        proof.status = "proved"
        bounded = [(part.title, c) for part, _ in plan.parts for s in part.steps for c in s.conditions]
        bounded = [(t, c) for t, c in bounded if c.status == "unknown"]
        if bounded:  # the solver said "unknown": a bounded check stood in, and that is all we claim
            proof.status = "bounded"
            what = "; ".join(f"{t}: {c.text} [{c.bounded}]" for t, c in bounded)
            proof.message = (
                f"the solver answered 'unknown' on {len(bounded)} side condition(s); each holds within its bounded "
                f"check only: {what}"
            )
            outside = f"sizes outside the bounded check of {len(bounded)} side condition(s) ({bounded[0][1].bounded})"
            proof.not_covered = outside if plan.not_covered == "—" else f"{plan.not_covered}; {outside}"
        for part, sz in checks:  # exact instance checks at derived generic sizes complete the certificate
            ok, msg, extra = _instance_part(part, sz, "instance", 1, 0, plan.recipes.get(part.title))
            proof.instance_checks.append(
                {
                    "part": part.title,
                    "sizes": {k.name: v for k, v in sz.items()},
                    "holds": ok,
                    "method": "instance",
                    **extra,
                }
            )
            if not ok:  # pragma: no cover - a rule bug would show here
                proof.status = "refuted"
                proof.message = f"{part.title}: exact instance check fails at {sz}: {msg}"
        proof.engine = "rules + z3 (all sizes); instance checks: " + _engines(proof.instance_checks)

    # -- instances -------------------------------------------------------------------
    def _instances(
        self,
        plan: Plan,
        proof: Proof,
        method: str,
        input_size: Sequence[int] | None,
        kernel_size: Sequence[int] | None,
        trials: int,
        seed: int,
    ) -> None:
        proof.method = method
        if plan.instance is not None:
            self._circular_runs(plan, proof, input_size, kernel_size)
            return
        sizes = _instance_sizes(self.name, plan, input_size, kernel_size)
        runs = [
            (part, sz)
            for part, _ in plan.parts
            for sz in (sizes or _derived(plan, part, 3))
            if _satisfies(part, sz)  # given sizes: a part whose assumptions they miss is not about them
        ]
        for part, sz in runs:  # cost every check before any runs
            guard_instance(part, sz, method, trials, plan.recipes.get(part.title))
        ok_all = True
        for part, sz in runs:
            ok, msg, extra = _instance_part(part, sz, method, trials, seed, plan.recipes.get(part.title))
            proof.instance_checks.append(
                {
                    "part": part.title,
                    "sizes": {k.name: v for k, v in sz.items()},
                    "holds": ok,
                    "method": method,
                    **extra,
                }
            )
            if not ok:
                ok_all = False
                proof.message = f"{part.title} at {', '.join(f'{k}={v}' for k, v in sz.items())}: {msg}"
        if ok_all and not proof.instance_checks:
            texts = "; ".join(t for part, _ in plan.parts for t in part.assumptions_text)
            raise SymconvError(
                f"{self.name}: `input_size` (={list(input_size or ())}) and `kernel_size` (={list(kernel_size or ())}) "
                f"must satisfy the theorem's assumptions ({texts})"
            )
        proof.status = "proved" if ok_all else "refuted"
        proof.engine = _engines(proof.instance_checks)
        if method == "randomized":
            deg = max(int(c.get("degree", 1)) for c in proof.instance_checks)
            proof.not_covered = (
                f"randomized: each check may miss a difference with probability ≤ (deg/p)^{trials}, "
                f"p = {DEFAULT_PRIME}, deg = {deg} (the identity's degree)"
            )
        else:
            proof.not_covered = "sizes other than those checked"

    def _circular_runs(
        self, plan: Plan, proof: Proof, input_size: Sequence[int] | None, kernel_size: Sequence[int] | None
    ) -> None:
        """The DFT theorems: exact group-ring checks at the given size, or at generic sizes (≥ 3, unequal axes)."""
        assert plan.instance is not None
        nd = int(self.params.get("ndim", 1))
        given = [] if input_size is None else [tuple(_int(self.name, "input_size", v, 1) for v in input_size)]
        if given and len(given[0]) != nd:
            raise SymconvError(f"{self.name}: `input_size` must have {nd} entries (ndim={nd}); got {list(given[0])}")
        if kernel_size is not None and (input_size is None or list(kernel_size) != list(input_size)):
            raise SymconvError(
                f"{self.name}: the kernel of a circular theorem has the input's size (the DFTs are multiplied entry "
                f"by entry); leave `kernel_size` out or make it equal `input_size`; got kernel_size={list(kernel_size)}"
                f", input_size={None if input_size is None else list(input_size)}"
            )
        # 3, 4, 5 cyclically along the axes: a size ≤ 2 has a real root of unity, where a conjugate is invisible
        runs = given or [tuple(3 + (a + k) % 3 for a in range(nd)) for k in range(3)]
        for r in runs:
            guard_circular(self.name, r)
        ok_all = True
        for r in runs:
            ok, msg, terms = plan.instance({"input": r})
            proof.instance_checks.append({"sizes": {"N": list(r)}, "holds": ok, "terms": terms, "method": "instance"})
            if not ok:
                ok_all = False
                proof.message = f"N={list(r)}: {msg}"
        proof.status = "proved" if ok_all else "refuted"
        proof.engine = ENGINE_GROUP_RING
        for c in proof.instance_checks:
            c["engine"] = ENGINE_GROUP_RING


def _derived(plan: Plan, part: Part, count: int) -> list[dict[sympy.Symbol, int]]:
    """Generic sizes for ``part``: derived from its assumptions, every shape and loop of its contractions ≥ 2."""
    recipe = plan.recipes.get(part.title)
    extents: list[Any] = []
    for r in (*recipe.lhs, *recipe.rhs) if recipe is not None else ():
        for o in (*r.c.operands, r.c.result):
            extents += list(o.shape)
        extents += [v.extent for v in r.c.variables]
    return derive_sizes(part.ctx, count, extents)


def _same_statement(a: Plan, b: Plan) -> bool:
    """Whether two plans state the same thing, part by part (a variant that changes nothing at its parameters)."""
    if a.instance_only or b.instance_only or len(a.parts) != len(b.parts):
        return False
    for (pa, _), (pb, _) in zip(a.parts, b.parts):
        if (pa.title, pa.lhs, pa.rhs, pa.ctx, pa.relation, pa.definitions) != (
            pb.title,
            pb.lhs,
            pb.rhs,
            pb.ctx,
            pb.relation,
            pb.definitions,
        ):
            return False
    return dict(a.recipes) == dict(b.recipes)


def _show_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "the defaults"


def _show_checks(proof: Proof) -> str:
    return "; ".join(", ".join(f"{k}={v}" for k, v in c["sizes"].items()) for c in proof.instance_checks)
