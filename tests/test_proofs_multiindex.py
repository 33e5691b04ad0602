"""N-D proofs printed in multi-index form (issue 13: the 2-D machine proofs printed, readable, exactly what
was checked).

A line prints with bold letters only when it is axis-uniform; the oracle here expands a bold line back over the
axes by plain string substitution (independent of the projection code) and compares it with the line the same
step prints axis by axis.
"""

from __future__ import annotations

import re

import peers
import pytest
import renderers
import sympy

import symconv as sc
from symconv.core.affine import Affine
from symconv.proofs._iverson import Constraint, Expr, Sum, Term
from symconv.proofs._multiindex import project
from symconv.proofs._render import _lines, side_latex

N0, N1, K0, K1 = (sympy.Symbol(n, integer=True, positive=True) for n in ("N_0", "N_1", "K_0", "K_1"))
n0, n1, k0, k1 = (Affine.var(v) for v in ("n0", "n1", "k0", "k1"))

PRINTED_2D = [
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2}),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2, "stride": "s", "dilation": "d", "padding": "p"}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2}),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {"ndim": 2}),
    ("full_convolution_associates", {"ndim": 2}),
    ("conv_grad_input_is_transposed_conv", {"ndim": 2, "stride": "s", "output_padding": "a"}),
]


def _sum(guard, index) -> Expr:
    return Expr((Sum(("n0", "n1", "k0", "k1"), tuple(guard), (Term("x", tuple(index)),)),))


def _uniform_guard():
    return [
        Constraint.le(0, n0),
        Constraint.le(0, n1),
        Constraint.le(n0, Affine.constant(N0 - K0)),
        Constraint.le(n1, Affine.constant(N1 - K1)),
    ]


def test_a_uniform_sum_projects_to_its_axis_0_part():
    got = project(_sum(_uniform_guard(), [n0 + k0, n1 + k1]), 2)
    assert got is not None
    assert side_latex(got, 0) == (
        r"\sum_{\boldsymbol{n}, \boldsymbol{k}} \left[0 \le \boldsymbol{n} \le \boldsymbol{N} - \boldsymbol{K}\right] "
        r"x[\boldsymbol{n} + \boldsymbol{k}]"
    )


@pytest.mark.parametrize(
    "guard, index",
    [
        (_uniform_guard(), [n1 + k1, n0 + k0]),  # axes swapped in the index
        (_uniform_guard(), [n0 + k0, n1 + k0]),  # axis 1 reads axis 0's tap
        (_uniform_guard(), [n0 + k0]),  # fewer indices than axes
        (_uniform_guard()[:-1], [n0 + k0, n1 + k1]),  # axis 1 lacks its upper bound
        (
            [*_uniform_guard()[:-1], Constraint.le(n1, Affine.constant(N1 - K1 - 1))],  # axis 1's bound differs
            [n0 + k0, n1 + k1],
        ),
        ([*_uniform_guard(), Constraint.le(n0, n1)], [n0 + k0, n1 + k1]),  # a condition mixing the axes
        ([*_uniform_guard(), Constraint.le(n0, Affine.constant(N1))], [n0 + k0, n1 + k1]),  # axis 0 vs size N_1
    ],
)
def test_a_sum_that_is_not_axis_uniform_is_never_printed_in_bold(guard, index):
    assert project(_sum(guard, index), 2) is None


def test_a_variable_without_its_other_axis_is_not_uniform():
    e = Expr((Sum(("n0", "n1", "k0"), tuple(_uniform_guard()), (Term("x", (n0 + k0, n1)),)),))
    assert project(e, 2) is None


_BOLD = re.compile(r"\\boldsymbol\{([A-Za-z]+)\}('*)")


def _expand(line: str, axis: int) -> str:
    """A bold line's axis-``axis`` reading: every bold letter gets the axis subscript (string substitution)."""
    return _BOLD.sub(lambda m: f"{m.group(1)}{m.group(2)}_{{{axis}}}", line)


@pytest.mark.parametrize("name, params", PRINTED_2D)
def test_every_bold_line_is_the_axis_by_axis_line_read_per_axis(name, params):
    """Each printed bold line, read on axis 0 and on axis 1, is made of exactly the conditions and indices
    that the same line printed axis by axis contains (no condition added, none lost)."""
    proof = sc.theorem(name, **params).prove()
    for part in proof.parts:
        bold = _lines(part, 2, "brackets", True)
        plain = {expr for _, expr, _ in _lines(part, 2, "brackets", False)}
        for _, expr, _ in bold:
            if "boldsymbol" not in expr:
                assert expr in plain
                continue
            full = [e for e in plain if _atoms(e, None) == _atoms(_expand(expr, 0), 0) | _atoms(_expand(expr, 1), 1)]
            assert full, (name, expr)


def _atoms(line: str, axis: int | None) -> frozenset[str]:
    """The conditions of every bracket and the index lists of ``line``, split at the axis-by-axis separators."""
    out = set()
    guards = r"\\(?:bigl|left)\[(.*?)\\(?:bigr|right)\]"
    for guard in re.findall(guards, line):
        out |= {c.strip() for c in guard.split(r"\wedge")}
    for idx in re.findall(r"[a-z]\[([^\[\]]*)\]", re.sub(guards, "", line)):
        parts = [p.strip() for p in idx.split(", ")]
        out |= {f"idx{i if axis is None else axis}:{p}" for i, p in enumerate(parts)}
    for head in re.findall(r"\\sum_\{([^}]*(?:\}[^}]*)*?)\} ", line):
        out |= {f"var:{v.strip()}" for v in head.split(", ")}
    return frozenset(out)


@pytest.mark.parametrize("name, params", PRINTED_2D)
def test_2d_proofs_print_in_bold_and_fit_katex(name, params):
    md = sc.theorem(name, **params).prove().markdown()
    assert "boldsymbol" in md and "*Notation:*" in md
    assert max(len(line) for line in md.splitlines()) <= 400


def test_a_1d_proof_prints_no_bold_letter():
    assert "boldsymbol" not in sc.theorem("convolve_equals_correlate_iff_centrosymmetric").prove().markdown()


def test_the_axis_by_axis_form_is_still_available():
    proof = sc.theorem("full_convolution_commutes", ndim=2).prove()
    from symconv.proofs._render import proof_markdown

    assert "boldsymbol" not in proof_markdown(proof, vectors=False)


def test_2d_proofs_compile_and_fit(tmp_path):
    peers.program("latex", "latexmk", "pdflatex")
    bodies = [sc.theorem(name, **params).prove().latex() for name, params in PRINTED_2D]
    doc = (
        "\\documentclass{article}\n"
        + sc.latex_preamble()
        + "\\begin{document}\n"
        + "\n\n\\bigskip\n\n".join(bodies)
        + "\n\\end{document}\n"
    )
    (tmp_path / "proofs2d.tex").write_text(doc, encoding="utf-8")
    log = renderers.latexmk(tmp_path, "proofs2d.tex")
    over = [float(m) for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(over, default=0.0) <= 5.0, sorted(over)[-5:]


def test_a_long_line_is_cut_between_conjuncts_and_after_the_guard_never_at_a_sign_inside_it():
    """The 2-D proofs once printed ``… \\le N_{1} \\\\ &\\qquad - 1\\bigr]``: a cut inside a guard's term."""
    from symconv.core.fit import break_line

    guard = r" \wedge ".join(f"0 \\le n_{{{i}}} + k_{{{i}}} \\le N_{{{i}}} - 1" for i in range(4))
    line = rf"\sum_{{n, k}} \left[{guard}\right] x[n_{{0}} + k_{{0}}, n_{{1}} + k_{{1}}] \, w[K_{{0}} - 1 - k_{{0}}]"
    out = break_line(line, 40)
    pieces = out.split(r" \\ &\qquad ")
    assert len(pieces) > 2
    for piece in pieces[1:]:
        assert piece.startswith((r"\wedge", "x[", r"\,")), piece
    assert any(p.rstrip().endswith(r"\bigr]") for p in pieces)
    # a sum of two Iverson sums is cut before the second sum's sign first
    two = line + " - " + line
    assert r"\\ &\qquad - \sum" in break_line(two, 40)
