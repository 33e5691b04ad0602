"""Appendix — the machine proofs behind the theorems of the body, with the rules and engines explained once.

Run alone: ``python derivations/ch8_machine_proofs.py`` prints the appendix's Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from symconv import SymconvError, theorem
from symconv.writing.document import APPENDIX, Chapter, ProofBlock, RenderContext, Section, Table, Text, markup_latex
from symconv.writing.stated import PRINTED, covers, label

#: Every rule a machine proof may use: its name as a printed proof shows it, and what the step does. The legend
#: of the appendix lists exactly the rules its printed proofs use (:func:`legend`), in this order.
RULES = {
    "definition": "replace an operation by its index formula (the one definition symconv has)",
    "differentiate under sum": "$\\partial/\\partial x[m]$ of a sum of products: each factor $x[i]$ becomes the guard "
    "$[i = m]$",
    "collapse kronecker delta": "a guard $[i = m]$ with a summation variable of coefficient $\\pm 1$ in $i$: sum that "
    "variable out",
    "reindex": "substitute a summation variable by a bijection of the integers, e.g. $k \\to K - 1 - k$",
    "swap sums": "exchange the order of two finite sums",
    "apply hypothesis": "use an assumption such as $w[k] = w[K-1-k]$ where the guard implies its domain",
    "equal": "the two sides have the same summand and equivalent guards (decided by the SMT solver)",
    "compare coefficients": "a sum that is 0 for every input $x$, each $x[i]$ read once: the factor beside each "
    "$x[i]$ is 0 (the entries of $x$ are independent)",
    "entails hypothesis": "the pointwise condition just obtained is the claimed symmetry of $w$ on its whole domain "
    "(the domain implication decided by the SMT solver)",
}


def rules_used(printed: list[Any]) -> set[str]:
    """The rule names (in words) the steps of these proofs use."""
    return {step.rule.replace("_", " ") for proof in printed for part in proof.parts for step in part.steps}


def legend(used: set[str]) -> Table:
    """The legend of the rules, generated from the rules the printed proofs use (so it cannot drift)."""
    unknown = sorted(used - set(RULES))
    if unknown:
        raise SymconvError(f"notes: the appendix's printed proofs use rules the legend does not explain: {unknown}")
    rows = [(name, what) for name, what in RULES.items() if name in used]
    return Table(["rule", "what the step does"], rows, caption="The rewrite rules of a machine proof.")


#: A short title for each theorem (its library name, too long for a heading, is printed below it).
TITLES = {
    "convolve_is_correlate_with_flipped_kernel": "The flip",
    "full_convolution_commutes": "Convolution commutes",
    "full_correlation_swap_is_flip": "Swapping a correlation reverses it",
    "full_convolution_associates": "Convolution associates",
    "convolve_equals_correlate_iff_centrosymmetric": "Convolution equals correlation",
    "convolve_equals_minus_correlate_iff_anticentrosymmetric": "Convolution is minus correlation",
    "correlation_matrix_is_toeplitz": "The matrix is Toeplitz",
    "correlate_adjoint_is_full_convolution": "The adjoint of a correlation",
    "correlate_grad_input_is_full_convolution": "Input gradient of a correlation",
    "correlate_grad_weight_is_valid_correlation": "Weight gradient of a correlation",
    "convolve_grad_input_is_full_correlation": "Input gradient of a convolution",
    "convolve_grad_weight_is_flipped_valid_correlation": "Weight gradient of a convolution",
    "conv_grad_input_is_transposed_conv": "Input gradient with stride and dilation",
    "conv_grad_weight_swaps_stride_and_dilation": "Weight gradient with stride and dilation",
}


_FLIP = r"(x \ast w)[n] &= (x \star \operatorname{rot180} w)[n], \quad (\operatorname{rot180} w)[k] = w[K - 1 - k]"
_CENTRO = r"x \ast w = {rhs} \ \text{{for every }} x \quad&\iff\quad w[k] = {sign}w[K - 1 - k]"
#: Each printed theorem's statement as mathematics (the body's), before the parameters of its proof are named.
STATEMENTS = {
    "convolve_is_correlate_with_flipped_kernel": _FLIP,
    "full_convolution_commutes": r"(a \ast b)[m] &= (b \ast a)[m] \quad \text{(full mode)}",
    "full_correlation_swap_is_flip": r"(a \star b)[m] &= (b \star a)[A + B - 2 - m] \quad \text{(full mode)}",
    "full_convolution_associates": r"((a \ast b) \ast c)[m] &= (a \ast (b \ast c))[m] \quad \text{(full mode)}",
    "convolve_equals_correlate_iff_centrosymmetric": _CENTRO.format(rhs=r"x \star w", sign=""),
    "convolve_equals_minus_correlate_iff_anticentrosymmetric": _CENTRO.format(rhs=r"-(x \star w)", sign="-"),
    "correlation_matrix_is_toeplitz": r"C[i + 1, m + 1] &= C[i, m], \quad C[i, m] = \partial y[i] / \partial x[m], "
    r"\ y = x \star w",
    "correlate_adjoint_is_full_convolution": r"\sum_n (x \star w)[n]\, g[n] &= "
    r"\sum_m x[m]\, (g \ast_{\text{full}} w)[m]",
    "correlate_grad_input_is_full_convolution": r"\frac{\partial L}{\partial x[m]} &= (g \ast_{\text{full}} w)[m{+p}], "
    r"\quad L = \sum_n g[n]\, y[n],\ y = x \star w",
    "correlate_grad_weight_is_valid_correlation": r"\frac{\partial L}{\partial w[k]} &= \sum_n g[n]\, x[n + k{-p}], "
    r"\quad y = x \star w",
    "convolve_grad_input_is_full_correlation": r"\frac{\partial L}{\partial x[m]} &= (g \star_{\text{full}} w)[m], "
    r"\quad y = x \ast w",
    "convolve_grad_weight_is_flipped_valid_correlation": r"\frac{\partial L}{\partial w[k]} &= "
    r"(x \star_{\text{valid}} g)[K - 1 - k], \quad y = x \ast w",
    "conv_grad_input_is_transposed_conv": r"\frac{\partial L}{\partial x} &= \operatorname{conv\_transpose}(g, w), "
    r"\quad y = x \star w",
    "conv_grad_weight_swaps_stride_and_dilation": r"\frac{\partial L}{\partial w[k]} &= \sum_n g[n]\, x[dk + sn{-p}], "
    r"\quad y = x \star w",
}


_INDEX = re.compile(r"\[([^\]]*)\]")
_LETTER = re.compile(r"(?<![\\a-zA-Z])([nkK])(?![a-zA-Z])")


def bold(math: str) -> str:
    r"""A 2-D statement in the appendix's multi-index notation: the indices and sizes in brackets in bold.

    >>> bold(r"(x \ast w)[n], \ w[K - 1 - k]")
    '(x \\ast w)[\\boldsymbol{n}], \\ w[\\boldsymbol{K} - 1 - \\boldsymbol{k}]'
    """
    return _INDEX.sub(lambda m: "[" + _LETTER.sub(r"\\boldsymbol{\1}", m.group(1)) + "]", math)


def statement(name: str, params: dict[str, Any]) -> str:
    """The statement of a printed proof as mathematics, for exactly its parameters (no $p$ without a padding);
    the parameters on a second line. A 2-D statement is in bold multi-index notation and says that one stride,
    dilation and padding serve both axes (what its machine proof covers)."""
    pad = params.get("padding")
    math = STATEMENTS[name].replace("{+p}", f" + {pad}" if pad else "").replace("{-p}", f" - {pad}" if pad else "")
    said = [
        rf"\text{{{word} }} {params[key]}"
        for key, word in (("stride", "stride"), ("dilation", "dilation"))
        if key in params
    ]
    said += [rf"\text{{padding }} {pad}" if pad else (r"\text{no padding}" if "stride" in params else "")]
    said += [rf"\text{{output padding }} {params['output_padding']}" if "output_padding" in params else ""]
    said += [r"\text{one channel}" if name.startswith("conv_grad") else ""]
    if params.get("ndim") == 2:
        math = bold(math)
        same = [str(v) for k, v in params.items() if k != "ndim" and isinstance(v, str)]
        said += [rf"\text{{2-D, the same }} {', '.join(same)} \text{{ on both axes}}" if same else r"\text{2-D}"]
    words = r",\ ".join(w for w in said if w)
    return math + (r" \\" + "\n" + r"&\qquad (" + words + ")" if words else "")


#: The library's name of the one flip, printed in the proofs' last steps, and the body's name of it.
_FLIP_NAME = (r"\operatorname{flip}(w)", r"(\operatorname{rot180} w)")


def _without(params: dict[str, Any], key: str, value: Any = None) -> dict[str, Any]:
    out = {k: v for k, v in params.items() if k != key}
    return out if value is None else {**out, key: value}


_GAPS = (
    # (what the library's "not covered" piece says, what the notes print, the parameters of the proof covering it,
    # that proof in words)
    (re.compile(r"^padding 0 \(.*\)$"), lambda m: "padding 0", lambda p: _without(p, "padding"), "without padding"),
    (
        re.compile(r"^N with output_padding a = \((.*)\) mod (\w+) ≠ 0 \(.*\)$"),
        lambda m: f"N with ({m.group(1)}) mod {m.group(2)} ≠ 0",
        lambda p: _without(p, "output_padding", "a"),
        "with a symbolic output padding a",
    ),
    (
        re.compile(r"^N with \((.*)\) mod (\w+) = 0 \(.*\)$"),
        lambda m: f"N with ({m.group(1)}) mod {m.group(2)} = 0",
        lambda p: _without(p, "output_padding"),
        "without output padding",
    ),
)


def _pieces(text: str) -> list[str]:
    """``text`` split at the ``"; "`` outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and text.startswith("; ", i):
            out.append(text[start:i])
            start = i + 2
    return [*out, text[start:]]


def gaps(name: str, params: dict[str, Any], not_covered: str) -> list[tuple[str, str | None, str]]:
    """The library's "not covered" text as statements: ``(what, label of the printed proof covering it, title)``
    per piece; a piece no printed proof covers keeps its words and no label."""
    out: list[tuple[str, str | None, str]] = []
    if not_covered.strip() in ("", "—"):
        return out
    for piece in _pieces(not_covered):
        for rx, what, other, words in _GAPS:
            m = rx.match(piece)
            if m:
                out.append((what(m), label(name, other(params)), f"the same statement {words}"))
                break
        else:
            out.append((piece, None, ""))
    return out


@dataclass(frozen=True)
class StatedProof(ProofBlock):
    """A machine proof whose plain-text library statement is replaced by :attr:`math` (typeset, both editions),
    its library name moved to a small line below the statement, the flip named as in the body (rot180), and
    its "not covered" line pointing to the printed proof that covers the rest (:attr:`gaps`)."""

    math: str = ""
    gaps: tuple[tuple[str, str | None, str], ...] = ()

    def _not_covered(self, latex: bool) -> str:
        said = []
        for what, where, title in self.gaps:
            if where is None:
                said.append(markup_latex(what) if latex else what)
            elif latex:
                said.append(f"{markup_latex(what)}, which Theorem~\\ref{{{where}}} (page~\\pageref{{{where}}}) covers")
            else:
                said.append(f"{what}, which [{title}]({APPENDIX}.md#{where}) covers")  # as the body links it
        return (
            "Not covered here: " + "; ".join(said) if said else "Not covered: nothing (every size its hypotheses allow)"
        ) + "."

    def markdown(self, ctx: RenderContext | None = None) -> str:
        head, _, rest = super().markdown(ctx).partition("**Theorem** ")
        line, _, tail = rest.partition("\n")
        name = line.partition(": ")[0]
        tail = tail.replace(*_FLIP_NAME)
        tail = re.sub(r"^Not covered: .*$", lambda _: self._not_covered(False), tail, flags=re.M)
        math = f"$$\\begin{{aligned}}\n{self.math}\n\\end{{aligned}}$$"
        return f"{head}**Theorem.**\n\n{math}\n\n*name:* {name}\n{tail}"

    def latex(self, ctx: RenderContext | None = None) -> str:
        stmt = str(self.proof.statement)
        old = markup_latex(stmt)
        out = super().latex(ctx).replace(*_FLIP_NAME)
        prefix = markup_latex(f"`{self.proof.theorem}`: ")
        name = "{\\footnotesize name: " + prefix.rstrip().rstrip(":") + "}"
        new = "\\begin{align*}\n" + self.math + "\n\\end{align*}\n" + name
        out = out.replace(prefix + old, new, 1)
        stated = markup_latex(f"Not covered: {self.proof.not_covered}") + "."
        return out.replace(stated, self._not_covered(True), 1)


def reading(used: set[str]) -> Section:
    return Section(
        "How to read a machine proof",
        [
            Text(
                "A sum is written over all integers, $\\sum_{n, k} [\\text{guard}]\\, x[\\dots]\\, w[\\dots]$, where "
                "the guard in brackets (an Iverson bracket: 1 when the condition holds, 0 otherwise) carries every "
                "index range. This avoids the trap of sum bounds that run backwards. A proof rewrites the "
                "left-hand side step by step until it meets the right-hand side; a step marked (claim side) "
                "rewrites the right-hand side instead, and the two meet in the middle. Each step names its rule:"
            ),
            legend(used),
            Text(
                "Every side condition of a step (a guard implied by another, two guards equivalent, a map "
                "being a bijection) is linear integer arithmetic, decided by the SMT solver z3; a symbolic "
                "stride makes it non-linear, where z3 may answer unknown and the proof then fails rather than "
                "pass. A checker replays every step, re-runs the solver, and evaluates both sides of each step "
                "at small random sizes with random integers (the instance checks). The first line of a proof "
                "prints its hypotheses (the sizes assumed, e.g. $N \\ge K$); its last line says what the proof "
                "does not cover. A symbolic stride, dilation or padding stands for every integer $\\ge 1$, so a "
                "proof with a symbolic padding $p$ does not cover $p = 0$: every theorem printed with a symbolic "
                "padding is printed a second time without padding (with the same stride and dilation), and that "
                "proof covers $p = 0$. Likewise a symbolic output padding $a$ of a transposed convolution stands "
                "for $1 \\le a < s$, and the proof without output padding covers $a = 0$."
            ),
            Text(
                "A 2-D proof is printed in multi-index form: a bold letter is a pair over the two axes, "
                "$\\boldsymbol{n} = (n_0, n_1)$, $\\boldsymbol{N} = (N_0, N_1)$; a condition on bold letters holds "
                "on both axes, a sum over $\\boldsymbol{n}$ runs over $n_0$ and $n_1$, and "
                "$x[\\boldsymbol{n} + \\boldsymbol{k}]$ is $x[n_0 + k_0, n_1 + k_1]$. A line is printed so only "
                "when it is exactly the same condition and index on each axis (the printer checks it; otherwise "
                "the line is written axis by axis). The prover applies a rule to one axis at a time; a rule "
                "applied to both axes in a row is printed once, after its last application, tagged with the "
                "number of applications (collapse kronecker delta (twice)). A 2-D proof covers 2-D only: the 1-D "
                "and 2-D proofs together do not prove the statement for every number of axes; that step is the "
                "human argument of the body (the kernel is reversed on each axis separately)."
            ),
        ],
    )


def _also(name: str, params: dict[str, Any]) -> str:
    """The 2-D version of the same statement: printed below, or proved now and not printed."""
    if any(n == name and p == {"ndim": 2, **params} for n, p in PRINTED):
        return " Its 2-D version is printed below."
    try:
        proof = theorem(name, ndim=2, **params).prove()
    except Exception:  # a theorem without a 2-D form
        return ""
    return (
        f" The same statement in 2-D is {proof.status} too when the notes are built; that proof is not printed."
        if proof.holds
        else ""
    )


def proofs() -> tuple[list[Section], set[str]]:
    """The sections of the printed proofs, and the rules they use (for the legend)."""
    out = []
    done = []
    for name, params in PRINTED:
        proof = theorem(name, **params).prove()
        done.append(proof)
        what = covers(params)
        printed_2d = "ndim" not in params and any(n == name and p == {"ndim": 2, **params} for n, p in PRINTED)
        extra = _also(name, params) if not params or printed_2d else ""
        out.append(
            Section(
                f"{TITLES[name]} ({what})",
                [
                    Text(f"Printed for: {what}.{extra}"),
                    StatedProof(
                        proof,
                        label=label(name, params),
                        title=TITLES[name],
                        math=statement(name, params),
                        gaps=tuple(gaps(name, params, proof.not_covered)),
                    ),
                ],
            )
        )
    return out, rules_used(done)


def build() -> Chapter:
    """The appendix as a :class:`~symconv.writing.document.Chapter`."""
    sections, used = proofs()
    return Chapter(
        "ch8_machine_proofs",
        "Appendix. Machine proofs",
        [reading(used), *sections],
        intro=(
            "Each theorem of the body has a short human proof there and its machine proof here, produced by "
            "`symconv.theorem(name, **parameters).prove()` when the notes were built. Each proof below is "
            "printed for the parameters its heading names and for nothing wider."
        ),
        appendix=True,
    )


if __name__ == "__main__":
    print(build().markdown())
