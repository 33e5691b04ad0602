"""docs/example.ipynb executes, its outputs carry text/latex from symconv objects, it covers the tour,
and it is saved WITH its outputs, which equal a fresh execution (derivations/notebook.py writes it)."""

from __future__ import annotations

import importlib.util

import peers
from notes_build import REPO

NOTEBOOK = REPO / "docs" / "example.ipynb"


def test_example_notebook_executes_with_latex_outputs():
    nbclient = peers.module("nbclient")
    nbformat = peers.module("nbformat", "nbclient")
    peers.module("ipykernel", "nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if importlib.util.find_spec("torch") is None:  # a machine without torch runs the rest of the tour
        nb.cells = [c for c in nb.cells if "torch" not in c.source]
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


def _code_outputs(nb):
    """Each code cell's outputs, consecutive prints to one stream joined (as Jupyter shows them: how the
    kernel happens to split a cell's printing into messages depends on timing)."""
    cells = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        outs: list[dict] = []
        for o in c.get("outputs", []):
            o = dict(o)
            last = outs[-1] if outs else None
            if (
                o.get("output_type") == "stream"
                and last
                and last.get("output_type") == "stream"
                and (last.get("name") == o.get("name"))
            ):
                last["text"] = "".join(last["text"]) + "".join(o["text"])
                continue
            if o.get("output_type") == "stream":
                o["text"] = "".join(o["text"])
            outs.append(o)
        cells.append(outs)
    return cells


def test_saved_outputs_equal_a_fresh_execution():
    peers.module("nbclient")
    peers.module("ipykernel", "nbclient")
    peers.module("torch")  # the last section identifies torch's layer
    nbformat = peers.module("nbformat", "nbclient")
    from derivations.notebook import execute

    saved = nbformat.read(NOTEBOOK, as_version=4)
    fresh = execute(saved, REPO)
    assert _code_outputs(fresh) == _code_outputs(saved), "run `python -m derivations.notebook` and commit"


def test_the_notebook_is_saved_with_outputs_and_covers_the_tour():
    nbformat = peers.module("nbformat", "nbclient")
    from derivations.notebook import build

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for c in code:
        assert c.outputs, f"cell without saved output: {c.source[:60]!r}"
        assert c.execution_count is not None
        assert not any(o.get("output_type") == "error" for o in c.outputs), c.source[:60]
    assert [c.source for c in nb.cells] == [c.source for c in build().cells], "cells differ from the builder"
    text = "\n".join(c.source for c in code)
    for piece in (
        "symconv.correlate(",
        "symconv.convolve(",
        "symconv.grad(",
        "symconv.backward_rule(",
        ".prove()",
        "symconv.sizes(",
        "symconv.prove(",
        'symconv.identify("torch.nn.functional.conv2d")',
    ):
        assert piece in text, piece
    printed = "".join("".join(o.get("text", "")) for c in code for o in c.outputs)
    assert "proved general True" in printed and "refuted at K=2, N=3" in printed  # the user claim, both ways
    assert "torch.nn.functional.conv2d: correlation (no kernel flip)" in printed
    assert "proved - general" in printed
    rules = "".join("".join(o.get("text", "")) for c in code if "backward" in c.source for o in c.outputs)
    assert max(len(line) for line in rules.splitlines()) <= 100  # a printed backward rule fits 100 columns
