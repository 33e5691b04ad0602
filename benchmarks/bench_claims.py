r"""Benchmark: users' own claims (``symconv.prove``) against the library's own proofs, and a concrete claim at scale.

Targets (issue 10), measured in ONE process:

* a user claim equivalent to a library theorem is proved for all sizes as
  fast as the theorem: ≤ 1 s, and reported as the ratio to
  ``theorem(name).prove()`` (median of ``--repeat`` runs each; both include
  the exact instance checks that complete the certificate; the centro-symmetry
  theorem also proves its "only if" half, which the claim — an equality — does not state);
* a concrete claim of about 10^6 terms per side is decided (exactly, by the
  coefficient engine on the sides' contractions) in under a second.

Run: ``python -m benchmarks --only claims`` (``--repeat 5`` for steadier medians).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import symconv as sc
from symconv.claims.node import Leaf
from symconv.claims.ops import Flip, conv
from symconv.proofs import theorem

TARGET_S = 1.0
#: "as fast as the theorem": the claim's median over the theorem's, with room for the noise of one machine
TARGET_RATIO = 1.5
TERMS = 10**6


def claims() -> list[tuple[str, Callable[[], Any]]]:
    """(library theorem, a function proving the same statement restated by a user)."""
    N, K = sc.sizes("N K", assume="N >= K")
    x, w, g = sc.symbols("x", N), sc.symbols("w", K), sc.symbols("g", N - K + 1)
    wc = sc.symbols("w", K, structure="centrosymmetric")
    A, B = sc.sizes("A B")
    a, b = sc.symbols("a", A), sc.symbols("b", B)
    cv, cr = sc.convolve, sc.correlate
    return [
        (
            "correlate_grad_input_is_full_convolution",
            lambda: sc.prove(sc.grad(cr(x, w), x, g), cv(g, w, mode="full")),
        ),
        ("correlate_grad_weight_is_valid_correlation", lambda: sc.prove(sc.grad(cr(x, w), w, g), cr(x, g))),
        ("convolve_is_correlate_with_flipped_kernel", lambda: sc.prove(cv(x, w), cr(x, sc.flip(w)))),
        ("convolve_equals_correlate_iff_centrosymmetric", lambda: sc.prove(cv(x, wc), cr(x, wc))),
        (
            "correlate_adjoint_is_full_convolution",
            lambda: sc.prove(sc.inner(cr(x, w), g), sc.inner(x, cv(g, w, mode="full"))),
        ),
        ("full_convolution_commutes", lambda: sc.prove(cv(a, b, mode="full"), cv(b, a, mode="full"))),
    ]


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_claims", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    args, _ = parser.parse_known_args(argv)
    rep = max(1, args.repeat)
    print(f"user claims vs the library's proofs (median of {rep}; both general, certificates included)")
    for name, prove in claims():
        t_lib, p_lib = _median(lambda name=name: theorem(name).prove(), rep)
        t_claim, p_claim = _median(prove, rep)
        ok = p_claim.status == "proved" and p_lib.status == "proved"
        ratio = t_claim / t_lib
        print(
            f"  {name}: claim {t_claim:.3f} s ({p_claim.status}, {len(p_claim.steps)} steps) vs theorem "
            f"{t_lib:.3f} s: {ratio:.2f}× (target ≤ {TARGET_S:.0f} s and ≤ {TARGET_RATIO}×) "
            f"{_mark(ok and t_claim <= TARGET_S and ratio <= TARGET_RATIO)}"
        )
    # a concrete claim of ~10^6 terms per side: convolve(x, w) = correlate(x, flip(w)) with |w| = 1000
    n, k = 2000, 1000
    x, w = Leaf("x", (n,)), Leaf("w", (k,))
    lhs, rhs = conv("convolve", x, w), conv("correlate", x, Flip(w))
    terms = (n - k + 1) * k
    t, p = _median(lambda: sc.prove(lhs, rhs), rep)
    print(
        f"  concrete claim convolve(x, w) = correlate(x, flip(w)) at |x|={n}, |w|={k} ({terms:,} terms a side): "
        f"{p.status} in {t:.3f} s by {p.engine} (target < {TARGET_S:.0f} s) {_mark(p.status == 'proved' and t < 1)}"
    )
    bad = conv("correlate", x, w)
    t, p = _median(lambda: sc.prove(lhs, bad), rep)
    print(
        f"  concrete false claim convolve(x, w) = correlate(x, w), same sizes: {p.status} in {t:.3f} s "
        f"(target < {TARGET_S:.0f} s) {_mark(p.status == 'refuted' and t < 1)}"
    )
    return 0
