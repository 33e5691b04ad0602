"""The registry of theorems: each theorem of the library is a declaration (a name, its statement, its
parameters, its false variants and a builder of its :class:`Plan`) registered with :func:`register`.

The machinery (:mod:`symconv.proofs._theorem`) reads the registry and never imports the library
(:mod:`symconv.proofs.library`), which registers itself when :mod:`symconv.proofs` is imported.

>>> from symconv.proofs._registry import parameters
>>> parameters("full_convolution_commutes")
['ndim']
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from symconv.core.errors import SymconvError
from symconv.core.public import public
from symconv.proofs._contract import Recipe
from symconv.proofs._parts import Deriver, Part

__all__ = ["Plan", "build_plan", "parameters", "register", "shared_plan", "theorems", "variants"]


@dataclass
class Plan:
    """What a theorem builds: its parts with a strategy each, and what instance sizes mean."""

    statement: str
    parts: list[tuple[Part, Callable[[Deriver], None]]]
    not_covered: str = "—"
    notes: tuple[str, ...] = ()
    size_params: Mapping[str, tuple[sympy.Symbol, ...]] = field(default_factory=dict)
    instance_only: bool = False
    instance: Callable[[Mapping[str, tuple[int, ...]]], tuple[bool, str, int]] | None = None
    #: Per part title: its sides as contractions of the one definition, for the coefficient engines.
    recipes: Mapping[str, Recipe] = field(default_factory=dict)


# -- parameters ----------------------------------------------------------------------

_COMMON = ("ndim",)
_CONV = ("ndim", "stride", "dilation", "padding", "in_channels", "out_channels", "groups")


@dataclass(frozen=True)
class _Info:
    name: str
    statement: str
    params: tuple[str, ...]
    variants: Mapping[str, str]
    build: Callable[..., Plan]


_LIBRARY: dict[str, _Info] = {}


def register(
    name: str, statement: str, params: Sequence[str], variants: Mapping[str, str]
) -> Callable[[Callable[..., Plan]], Callable[..., Plan]]:
    def deco(fn: Callable[..., Plan]) -> Callable[..., Plan]:
        _LIBRARY[name] = _Info(name, statement, tuple(params), dict(variants), fn)
        return fn

    return deco


# -- the public face ------------------------------------------------------------------


@public
def theorems() -> list[tuple[str, str]]:
    """Every theorem of the library: ``(name, one-line statement)``.

    >>> names = [n for n, _ in theorems()]
    >>> "convolve_equals_correlate_iff_centrosymmetric" in names
    True
    """
    return [(i.name, i.statement) for i in _LIBRARY.values()]


def parameters(name: str) -> list[str]:
    """The parameters theorem ``name`` takes (``ndim``, ``stride``, …).

    >>> parameters("full_convolution_commutes")
    ['ndim']
    """
    return list(_info(name).params)


def variants(name: str) -> dict[str, str]:
    """The FALSE variants of theorem ``name`` (variant → what is wrong), for soundness checks.

    >>> sorted(variants("full_correlation_swap_is_flip"))
    ['no_flip']
    """
    return dict(_info(name).variants)


def _info(name: str) -> _Info:
    if not isinstance(name, str) or name not in _LIBRARY:
        raise SymconvError(
            f"theorem: `name` must be one of the library's theorems (see `symconv theorems`); got {name!r}"
        )
    return _LIBRARY[name]


def build_plan(name: str, params: Mapping[str, Any], variant: str | None) -> Plan:
    """The plan theorem ``name`` builds for ``params`` (and ``variant``), saying what a symbolic padding leaves out.

    A symbolic hyper-parameter stands for every integer ≥ 1 (the solver's assumption), so a symbolic
    ``padding`` does not cover padding 0: ``not_covered`` says so.

    >>> build_plan("correlate_grad_input_is_full_convolution", {"padding": "p"}, None).not_covered
    'padding 0 (a symbolic padding p is proved for every p ≥ 1; prove padding=0 for it)'
    """
    plan = _LIBRARY[name].build(params, variant)
    pad = params.get("padding")
    if isinstance(pad, str):
        gap = f"padding 0 (a symbolic padding {pad} is proved for every {pad} ≥ 1; prove padding=0 for it)"
        plan.not_covered = gap if plan.not_covered == "—" else f"{plan.not_covered}; {gap}"
    return plan


#: Plans built once per (theorem, parameters, variant): the instance checks' size-independent work.
_SHARED: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()
_SHARED_MAX = 128
_SHARED_LOCK = threading.Lock()


def shared_plan(name: str, params: Mapping[str, Any], variant: str | None) -> Plan:
    """:func:`build_plan`, built once per parameter set and shared: only for READING (the instance checks, the
    comparison of a variant with its theorem); a general proof, which records its steps in the parts, builds
    its own.

    >>> a = shared_plan("full_convolution_commutes", {"ndim": 2}, None)
    >>> a is shared_plan("full_convolution_commutes", {"ndim": 2}, None)
    True
    """
    try:
        key: tuple[Any, ...] = (name, tuple(sorted((k, _frozen(v)) for k, v in params.items())), variant)
        hash(key)
    except TypeError:  # an unhashable parameter: nothing to share (build_plan says what is wrong with it)
        return build_plan(name, params, variant)
    with _SHARED_LOCK:
        plan = _SHARED.get(key)
        if plan is not None:
            _SHARED.move_to_end(key)
            return plan
    plan = build_plan(name, params, variant)
    with _SHARED_LOCK:
        plan = _SHARED.setdefault(key, plan)  # two threads may build it: both use the first stored
        while len(_SHARED) > _SHARED_MAX:
            _SHARED.popitem(last=False)
    return plan


def _frozen(v: Any) -> Any:
    """A parameter value as a hashable key that tells apart what :func:`build_plan` tells apart (1 vs True)."""
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(_frozen(x) for x in v))
    return (type(v).__name__, v)
