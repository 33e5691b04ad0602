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
    assert len(latex) >= 6
    assert any("[(-1) \\cdot 2 + 1 \\cdot 1," in s and "[-1,\\ 2,\\ 2,\\ -1]" in s for s in latex)
    assert any("\\sum_{k=0}^{K - 1} x[n + k] \\cdot w[k]" in s for s in latex)
    # the notation setting, the strided definition, hand arithmetic from the display layer
    assert any("x_{n + k} \\cdot w_{k}" in s for s in latex)
    assert any("x[2n + 2k]" in s and "\\left\\lfloor" in s for s in latex)
    assert any(s == "$(-1) \\cdot 2 + 2 \\cdot 1 + (-1) \\cdot 3$" for s in latex)
    assert not any("{x}_" in s for s in latex)
    printed = "".join(
        "".join(out.get("text", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )
    assert "full correlation of g with w" in printed  # the backward table of the convolution above
