r"""Instance checks of multilinear identities: an exact engine and a randomized one.

A *side* is a weighted sum of concrete contractions,
:math:`\sum_i c_i\, C_i`, all with the same result shape. Operands are
shared between the two sides by name; results are compared by position.

* :func:`check_exact` decides equality exactly, by comparing canonical forms.
  Every term of a contraction is a monomial with an integer coefficient.
  First choice (``symconv.engines.dense``): a dense table keyed by all
  slots of a monomial but one, holding that one — built through strided views
  in time linear in the terms, and equal on both sides iff the polynomials
  are. Where a key would repeat (coefficients that add), or for boundary
  folds, conjugates and ``structure``, the general form decides: each
  monomial is encoded as an integer key (result position, then the variable
  ids; one or more int64 words, ``symconv.engines.keys``) and the keys are
  sorted and reduced, block by block (result positions are partitioned into
  ranges) so sorting memory stays bounded. The sorted form also names the
  first difference of a false claim.
* :func:`check_randomized` is Schwartz–Zippel: both sides are evaluated at
  random points modulo a prime :math:`p` with exact arithmetic — in float64
  through BLAS where every partial sum provably stays below :math:`2^{53}`
  (``symconv.engines.blas``), otherwise in int64. If the identity is
  false, one trial misses that with probability at most :math:`\deg/p`, so
  the error bound is :math:`(\deg/p)^{\mathrm{trials}}`.

Both are exact at any size of coefficient and refuse, before allocating,
checks beyond the limits ``engine_terms`` and ``memory_bytes``
(``symconv.engines.bounds``: where int64 is proven exact, and what a
check costs).

The term loops come from the index formula alone: the general paths
enumerate terms with :func:`symconv.engines.terms.iter_terms_separable`, the fast
ones read the same affine index maps (``symconv.engines.plan``) and clip
the loop box exactly; none builds a sympy expression.

>>> from symconv.core.formula import ConvSpec, forward, transpose
>>> from symconv.gradients.grad import grad_contraction, rename_operands
>>> gx = grad_contraction(forward(ConvSpec(input_size=(6,), kernel_size=(3,)))[0], "x")
>>> full = rename_operands(transpose(ConvSpec(input_size=(4,), kernel_size=(3,)))[0], {"x": "g"})
>>> check_exact([(1, gx)], [(1, full)]).holds
True
>>> r = check_randomized([(1, gx)], [(1, full)], trials=2)
>>> r.holds, r.error_bound < 1e-11
(True, True)
"""

from __future__ import annotations

from symconv.engines.exact import check_exact
from symconv.engines.randomized import check_randomized
from symconv.engines.space import DEFAULT_PRIME, InstanceResult, Side

__all__ = ["DEFAULT_PRIME", "InstanceResult", "Side", "check_exact", "check_randomized"]
