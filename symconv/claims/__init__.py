"""Claims about arrays of symbolic size: sizes, lazy expressions, and what the prover reads from them.

``symconv.sizes("N K")`` declares sizes; ``symconv.symbols("x", N)`` and the
public operations build lazy expressions (:class:`Node`); :func:`context` and
:meth:`Node.iverson` give the prover its statement, :meth:`Node.at` and
:meth:`Node.contractions` a concrete instance. docs/claims.md is the guide.
"""

from __future__ import annotations

from symconv.claims.context import context, structure
from symconv.claims.layers import Layer  # also registers the lazy conv{1,2,3}d of symconv.compat.torch
from symconv.claims.node import Leaf, Node
from symconv.claims.prove import prove
from symconv.claims.public import convolve, correlate, flip, grad, inner, sizes, sum, symbols
from symconv.claims.sizes import relation

__all__ = [
    "Layer",
    "Leaf",
    "Node",
    "context",
    "convolve",
    "correlate",
    "flip",
    "grad",
    "inner",
    "prove",
    "relation",
    "sizes",
    "structure",
    "sum",
    "symbols",
]
