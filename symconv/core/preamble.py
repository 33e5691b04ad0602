r"""The LaTeX preamble under which every ``.latex()`` of symconv compiles and fits the text width.

:meth:`Proof.latex <symconv.Proof.latex>`, :meth:`BackwardRule.latex
<symconv.BackwardRule.latex>`, :meth:`Derivation.latex <symconv.Derivation.latex>`
and :meth:`Array.latex <symconv.Array.latex>` use only what this preamble loads
(amsmath's ``align*``/``multline*``/``bmatrix``, booktabs rules, ``tabularx``
columns that wrap). Paste it after ``\documentclass{article}``:

.. code-block:: latex

    \documentclass{article}
    % ... symconv.latex_preamble() ...
    \begin{document}
    \[ y = ... \]          % Array.latex() is math: put it in display (or inline) math
    ...                    % Proof / Derivation .latex() are complete displays; BackwardRule.latex() a table
    \end{document}

>>> print(latex_preamble().splitlines()[0])
% symconv.latex_preamble(): packages used by symconv's .latex() output
>>> "tabularx" in latex_preamble() and "amsmath" in latex_preamble()
True
"""

from __future__ import annotations

__all__ = ["latex_preamble"]

_PREAMBLE = r"""% symconv.latex_preamble(): packages used by symconv's .latex() output
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath, amssymb, mathtools}
\usepackage{booktabs, array, tabularx}
% long derivations and proofs may break across pages; matrices up to 20 columns
\allowdisplaybreaks
\setcounter{MaxMatrixCols}{20}
"""


def latex_preamble() -> str:
    r"""The preamble lines (``\usepackage`` …) that symconv's ``.latex()`` output needs.

    Everything symconv's ``.latex()`` methods write compiles with pdflatex in a
    plain ``article`` with this preamble, and fits the text width: long
    derivations break across aligned lines, wide tables wrap their columns,
    long arrays wrap or elide their middle entries.
    """
    return _PREAMBLE
