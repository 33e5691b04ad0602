r"""Theorems in the course notes: a statement in mathematics and a short human proof in the body,
the machine proof (with the parameters it covers) in the appendix, linked both ways by one label.

The parameters of each printed machine proof are listed ONCE here (:data:`PRINTED`), so the body's
"what the printed proof covers" and the appendix cannot disagree.

>>> label("convolve_is_correlate_with_flipped_kernel", {"stride": "s", "dilation": "d", "padding": "p"})
'proof-convolve_is_correlate_with_flipped_kernel-stride-s-dilation-d-padding-p'
>>> covers({"stride": "s", "padding": "p"})
'1-D, symbolic stride s ≥ 1, symbolic padding p ≥ 1'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from symconv.core.errors import SymconvError
from symconv.writing.document import Block, Box, Math, ProofLink, Text

__all__ = ["PRINTED", "covers", "label", "stated"]

_GENERAL = {"stride": "s", "dilation": "d", "padding": "p"}

#: Every machine proof the appendix prints: (theorem name, parameters), in the order of the notes.
#: The theorems whose statements speak of N-D are printed in 1-D and in 2-D (2-D in multi-index form, bold
#: letters for tuples over the axes); the appendix states, computed when the notes are built, which other
#: 2-D versions are proved too.
PRINTED: tuple[tuple[str, dict[str, Any]], ...] = (
    ("convolve_is_correlate_with_flipped_kernel", {}),
    ("convolve_is_correlate_with_flipped_kernel", {"stride": "s", "dilation": "d"}),
    ("convolve_is_correlate_with_flipped_kernel", dict(_GENERAL)),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2}),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2, "stride": "s", "dilation": "d"}),
    ("convolve_is_correlate_with_flipped_kernel", {"ndim": 2, **_GENERAL}),
    ("full_convolution_commutes", {}),
    ("full_correlation_swap_is_flip", {}),
    ("full_convolution_associates", {}),
    ("convolve_equals_correlate_iff_centrosymmetric", {}),
    ("convolve_equals_correlate_iff_centrosymmetric", {"ndim": 2}),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {}),
    ("convolve_equals_minus_correlate_iff_anticentrosymmetric", {"ndim": 2}),
    ("correlation_matrix_is_toeplitz", {}),
    ("correlate_adjoint_is_full_convolution", {}),
    ("correlate_grad_input_is_full_convolution", {}),
    ("correlate_grad_input_is_full_convolution", {"padding": "p"}),
    ("correlate_grad_weight_is_valid_correlation", {}),
    ("correlate_grad_weight_is_valid_correlation", {"padding": "p"}),
    ("convolve_grad_input_is_full_correlation", {}),
    ("convolve_grad_weight_is_flipped_valid_correlation", {}),
    ("conv_grad_input_is_transposed_conv", {"stride": "s", "dilation": "d"}),
    ("conv_grad_input_is_transposed_conv", dict(_GENERAL)),
    ("conv_grad_input_is_transposed_conv", {"stride": "s", "dilation": "d", "output_padding": "a"}),
    ("conv_grad_input_is_transposed_conv", {**_GENERAL, "output_padding": "a"}),
    ("conv_grad_weight_swaps_stride_and_dilation", {"stride": "s", "dilation": "d"}),
    ("conv_grad_weight_swaps_stride_and_dilation", dict(_GENERAL)),
)


def label(name: str, params: Mapping[str, Any]) -> str:
    """The anchor of one printed machine proof (Markdown ``id``, LaTeX ``\\label``)."""
    if (name, dict(params)) not in [(n, dict(p)) for n, p in PRINTED]:
        raise SymconvError(f"notes: no printed machine proof of {name!r} with {dict(params)!r}; add it to PRINTED")
    return "-".join(["proof", name, *(f"{k}-{v}" for k, v in params.items())])


def covers(params: Mapping[str, Any]) -> str:
    """What a proof with these parameters covers, in words (a symbolic padding is proved for p ≥ 1, a symbolic
    output padding a for 1 ≤ a < s).

    >>> covers({"ndim": 2, "stride": "s", "output_padding": "a"})
    '2-D, symbolic stride s ≥ 1, symbolic output padding a with 1 ≤ a < s, no padding, the same s, a on every axis'
    """
    words = {"stride": "stride", "dilation": "dilation", "padding": "padding", "output_padding": "output padding"}
    rest = {k: v for k, v in params.items() if k != "ndim"}
    parts = [f"{params.get('ndim', 1)}-D"]
    for k, v in rest.items():
        if isinstance(v, str) and k == "output_padding":
            parts.append(f"symbolic output padding {v} with 1 ≤ {v} < {rest.get('stride', 's')}")
        elif isinstance(v, str):
            parts.append(f"symbolic {words.get(k, k)} {v} ≥ 1")
        else:
            parts.append(f"{words.get(k, k)} {v}")
    if not rest:
        parts.append("stride 1, dilation 1, no padding")
    elif "padding" not in rest:
        parts.append("no padding")
    symbols = [str(v) for v in rest.values() if isinstance(v, str)]
    if params.get("ndim", 1) != 1 and symbols:  # one symbol per parameter serves every axis
        parts.append(f"the same {', '.join(symbols)} on every axis")
    return ", ".join(parts)


def stated(
    title: str,
    statement: str,
    proof: Sequence[Block],
    name: str,
    printed: Sequence[Mapping[str, Any]] = ({},),
    hypotheses: str = "",
) -> list[Block]:
    r"""A theorem of the body: ``statement`` (LaTeX ``align*`` lines) under its ``hypotheses``, a short human
    ``proof``, and a link to each printed machine proof of ``name`` with what it covers.

    >>> thm, prf = stated("Flip", r"a &= a", [Text("Trivial.")], "convolve_is_correlate_with_flipped_kernel")
    >>> print(thm.markdown().splitlines()[0])
    > **Theorem (Flip).** For all sizes:
    >>> print(prf.markdown().splitlines()[-1].replace("convolve_is_correlate_with_flipped_kernel", "NAME"))
    > *Machine proof:* [appendix, `NAME`](ch8_machine_proofs.md#proof-NAME) — 1-D, stride 1, dilation 1, no padding. ∎
    """
    links: list[Block] = [ProofLink(label(name, p), name, covers(p)) for p in printed]
    head = Text((hypotheses or "For all sizes") + ":")
    return [Box("theorem", [head, Math(statement)], title=title), Box("proof", [*proof, *links])]
