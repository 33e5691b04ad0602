"""Write docs/example.ipynb — the tour of symconv in a notebook — executed, with its outputs saved.

The cells are listed here; the script executes them in a fresh kernel (nbclient, no timing metadata)
and saves the notebook with its outputs, so GitHub and readers see the results without running it.
Every output is deterministic: ``tests/test_notebook.py`` executes the saved cells again and compares.
Needs the test extras and torch (the last section identifies torch's layer). From the repository root::

    python -m derivations.notebook            # rewrite docs/example.ipynb with fresh outputs
    python -m derivations.notebook --check    # execute and compare only; exit 1 on a difference
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"

#: (cell type, source) in order; code cells are executed.
CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        "# symconv in a notebook\n\nA tour: the operations, the seed's example by hand, gradients, the backward "
        "rule of a layer, a proof for every size, a claim of your own, and torch's layer identified. Every cell "
        "displays a symconv object; Jupyter renders its `text/latex` or Markdown. The outputs below were saved by "
        "`python -m derivations.notebook`.",
    ),
    ("markdown", "## The operations\n\nCross-correlation does not flip the kernel; convolution does."),
    (
        "code",
        "import numpy as np\nimport symconv\n\nx, w = [2, 1, 3, 5, 4], [1, -1]\n"
        'print("correlate:", symconv.correlate(x, w).tolist(), " numpy:", np.correlate(x, w).tolist())\n'
        'print("convolve: ", symconv.convolve(x, w).tolist(), " numpy:", np.convolve(x, w, "valid").tolist())',
    ),
    (
        "markdown",
        "## The seed's Example 1, by hand\n\n`derive` writes the definition, the expansion, the numbers and "
        "the result.",
    ),
    (
        "code",
        'd = symconv.derive("convolve", [2, 1, 3, 5, 4], [1, -1], kernel_first=True)\nd',
    ),
    ("markdown", "## Symbolic definitions\n\nWith symbolic inputs only the definition and the expansion remain."),
    ("code", 'symconv.derive("correlate", symconv.symbols("x", 5), symconv.symbols("w", 3))'),
    ("markdown", "Indexing notation is a setting: `x[n + k]` (default) or `x_{n + k}`."),
    ("code", 'symconv.derive("correlate", symconv.symbols("x", 4), symconv.symbols("w", 2), notation="subscript")'),
    ("markdown", "## Stride and dilation\n\nThe definition shows the index map and the output range with its floor."),
    ("code", 'symconv.derive("correlate", symconv.symbols("x", 9), symconv.symbols("w", 3), stride=2, dilation=2)'),
    ("markdown", "## Arrays, the matrix form, hand arithmetic"),
    ("code", 'symconv.correlate(symconv.symbols("x", 4), symconv.symbols("w", 2))'),
    ("code", "d.matrix()"),
    ("code", "from symconv.display import Product, Sum\nSum([Product([-1, 2]), Product([2, 1]), Product([-1, 3])])"),
    (
        "markdown",
        "## Gradients\n\nWith $L = \\sum_n g[n]\\, y[n]$, the gradient with respect to the kernel is a "
        "correlation of $x$ with $g$ — no flip.",
    ),
    (
        "code",
        'xs, ws, g = symconv.symbols("x", 5), symconv.symbols("w", 2), symconv.symbols("g", 4)\n'
        "y = symconv.correlate(xs, ws)\nsymconv.grad(y, ws, upstream=g)",
    ),
    (
        "markdown",
        "## The backward table\n\nDerived from the same forward formula and checked by exact instances.",
    ),
    ("code", "print(d.backward())"),
    ("markdown", "The backward rule of a strided 2-D layer (it prints within 100 columns):"),
    ("code", 'print(symconv.backward_rule("conv2d", stride=2))'),
    (
        "markdown",
        "## A proof for every size\n\nThe input gradient of a correlation is a full convolution with the "
        "kernel, for all sizes $N \\ge K \\ge 1$: proved by rewriting rules and checked by z3. The proof "
        "states every hypothesis it uses.",
    ),
    (
        "code",
        "from IPython.display import Markdown\n\n"
        'proof = symconv.theorem("correlate_grad_input_is_full_convolution").prove()\n'
        'print(proof.status, "-", proof.method)\nMarkdown(proof.markdown())',
    ),
    (
        "markdown",
        "## Your own claim, for every size\n\nState an identity with sizes that are symbols; `symconv.prove` "
        "proves it for all sizes, or refutes it with the smallest counterexample. The seed's \"correlation "
        'forward, convolution backward" holds for $\\partial L/\\partial x$ ...',
    ),
    (
        "code",
        'N, K = symconv.sizes("N K", assume="N >= K")\n'
        'x, w, g = symconv.symbols("x", N), symconv.symbols("w", K), symconv.symbols("g", N - K + 1)\n'
        "y = symconv.correlate(x, w)\n"
        'claim = symconv.prove(symconv.grad(y, x, g), symconv.convolve(g, w, mode="full"))\n'
        "print(claim.status, claim.method, claim.check().ok)",
    ),
    ("markdown", "... and not for $\\partial L/\\partial w$, which is a correlation of $x$ with $g$:"),
    (
        "code",
        "wrong = symconv.prove(symconv.grad(y, w, g), symconv.convolve(x, g))\nprint(wrong.status)\n"
        "print(wrong.message)\n"
        "print(symconv.prove(symconv.grad(y, w, g), symconv.correlate(x, g)).status)",
    ),
    (
        "markdown",
        "## Torch's layer, identified\n\n`identify` probes a function with unit impulses and says what it "
        "computes: `torch.nn.functional.conv2d` is a cross-correlation.",
    ),
    ("code", 'print(symconv.identify("torch.nn.functional.conv2d"))'),
]


def build() -> Any:
    """The notebook with no outputs (cell ids fixed, so saving twice gives the same bytes)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    for i, (kind, src) in enumerate(CELLS):
        cell = nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


def execute(nb: Any, root: Path) -> Any:
    """A copy of ``nb`` executed in a fresh kernel in ``root`` (no timing metadata: deterministic)."""
    import nbclient

    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(
        out, timeout=300, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(root)}}
    )
    client.execute()
    out.metadata = nb.metadata  # the kernel's language_info depends on the machine: keep ours
    return out


def outputs(nb: Any) -> list[list[dict[str, Any]]]:
    """The outputs of each code cell, as plain data (what the comparison reads)."""
    return [[dict(o) for o in cell.get("outputs", [])] for cell in nb.cells if cell.cell_type == "code"]


def main(argv: list[str] | None = None) -> int:
    import nbformat

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare the saved outputs with a fresh execution")
    args = ap.parse_args(argv)
    root = NOTEBOOK.parent.parent
    if args.check:
        saved = nbformat.read(NOTEBOOK, as_version=4)
        fresh = execute(saved, root)
        if outputs(fresh) != outputs(saved):
            print(f"{NOTEBOOK}: saved outputs differ from a fresh execution", file=sys.stderr)
            return 1
        return 0
    nb = execute(build(), root)
    nbformat.write(nb, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
