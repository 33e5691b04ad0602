"""docs/example.ipynb executes, and its outputs carry text/latex from symconv objects."""

from __future__ import annotations

import peers
from notes_build import REPO


def test_example_notebook_executes_with_latex_outputs():
    nbclient = peers.module("nbclient")
    nbformat = peers.module("nbformat", "nbclient")
    peers.module("ipykernel", "nbclient")
    nb = nbformat.read(REPO / "docs" / "example.ipynb", as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    ).execute()
    latex = [
        out["data"]["text/latex"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "data" in out and "text/latex" in out["data"]
    ]
    assert len(latex) >= 3
    assert any("[(-1) \\cdot 2 + 1 \\cdot 1," in s and "[-1,\\ 2,\\ 2,\\ -1]" in s for s in latex)
    assert any("\\sum_{k=0}^{K - 1} x[n + k] \\cdot w[k]" in s for s in latex)
