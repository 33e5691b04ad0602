"""Write the small intersphinx inventories of docs/_inv/ (run: ``python docs/_inv/make_inventories.py``).

The site is built without network access, so intersphinx cannot download numpy's, scipy's, sympy's,
torch's and Python's ``objects.inv``. These files hold the objects the pages and docstrings link
to, each with its real address in that project's documentation (the base URL is in
``intersphinx_mapping`` of docs/conf.py; the addresses below are relative to it, as in a real
inventory). A link to a name missing here fails the strict build (``-n``): add the name below, run
this script and commit the ``.inv`` files. Needs ``sphobjinv`` (the ``site`` extra).
"""

from __future__ import annotations

from pathlib import Path

import sphobjinv as soi

HERE = Path(__file__).resolve().parent

#: project -> (version, [(name, domain:role, uri relative to the project's base URL)])
OBJECTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "python": (
        "3",
        [
            ("json.dumps", "py:function", "library/json.html#json.dumps"),
            ("json.loads", "py:function", "library/json.html#json.loads"),
            ("fractions.Fraction", "py:class", "library/fractions.html#fractions.Fraction"),
            ("int", "py:class", "library/functions.html#int"),
            ("dict", "py:class", "library/stdtypes.html#dict"),
            ("AssertionError", "py:exception", "library/exceptions.html#AssertionError"),
            ("ValueError", "py:exception", "library/exceptions.html#ValueError"),
            ("IndexError", "py:exception", "library/exceptions.html#IndexError"),
            ("argparse.ArgumentParser", "py:class", "library/argparse.html#argparse.ArgumentParser"),
        ],
    ),
    "numpy": (
        "2",
        [
            (f"numpy.{n}", "py:function", f"reference/generated/numpy.{n}.html#numpy.{n}")
            for n in ("convolve", "correlate", "asarray")
        ]
        + [("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#numpy.ndarray")],
    ),
    "scipy": (
        "1",
        [
            (f"scipy.signal.{n}", "py:function", f"reference/generated/scipy.signal.{n}.html#scipy.signal.{n}")
            for n in ("convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve", "oaconvolve")
        ],
    ),
    "sympy": (
        "1",
        [
            ("sympy.core.expr.Expr", "py:class", "modules/core.html#sympy.core.expr.Expr"),
            ("sympy.core.symbol.Symbol", "py:class", "modules/core.html#sympy.core.symbol.Symbol"),
            ("sympy.core.basic.Basic", "py:class", "modules/core.html#sympy.core.basic.Basic"),
            ("sympy.matrices.dense.Matrix", "py:class", "modules/matrices/dense.html#sympy.matrices.dense.Matrix"),
            ("sympy.core.sympify.sympify", "py:function", "modules/core.html#sympy.core.sympify.sympify"),
        ],
    ),
    "torch": (
        "2",
        [
            (
                f"torch.nn.functional.{n}",
                "py:function",
                f"generated/torch.nn.functional.{n}.html#torch.nn.functional.{n}",
            )
            for n in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
        ]
        + [("torch.Tensor", "py:class", "tensors.html#torch.Tensor")],
    ),
}


def main() -> None:
    for project, (version, objects) in OBJECTS.items():
        inv = soi.Inventory()
        inv.project, inv.version = project, version
        for name, role, uri in objects:
            domain, kind = role.split(":")
            inv.objects.append(soi.DataObjStr(name=name, domain=domain, role=kind, priority="1", uri=uri, dispname="-"))
        soi.writebytes(HERE / f"{project}.inv", soi.compress(inv.data_file(contract=True)))
        print(f"{project}.inv: {len(objects)} objects")


if __name__ == "__main__":
    main()
