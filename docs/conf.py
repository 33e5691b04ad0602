"""Sphinx configuration of the symconv documentation site (``make docs`` → docs/_build/html).

The build is strict in CI (``sphinx-build -W --keep-going -n``): every warning and every broken
reference fails it. Pages are MyST Markdown; ``example.ipynb`` is executed at every build (myst-nb);
the API reference is autodoc + napoleon (numpy docstring style) over the public names, whose
docstring examples are the ones pytest runs with ``--doctest-modules``.

No network at build time: intersphinx reads the small inventories committed in ``docs/_inv/``
(written by ``docs/_inv/make_inventories.py`` with sphobjinv, holding the real URLs of the
numpy, scipy, sympy, torch and Python objects these pages link to), and MathJax is served from the
``sphinx-mathjax-offline`` package instead of a CDN.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # this checkout's symconv, even without `pip install -e`

import symconv  # noqa: E402

project = "symconv"
author = "the symconv authors"
copyright = "the symconv authors"
release = version = symconv.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "symconv_sphinx",
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "notes/notes.tex", "_inv", "_ext", "_static"]
suppress_warnings: list[str] = []

# Nitpicky (-n) on, with one exception: docstrings may name the internal layers (symconv.core,
# symconv.engines, ..., private modules ``_x``), which are not part of the public API and so have no page.
nitpick_ignore_regex = [
    (r"py:.*", r"symconv\.(core|engines|arrays|gradients|writing|cli|display\.tree)\..*"),
    (r"py:.*", r"symconv\..*\._\w+.*"),
    (r"py:.*", r"BackwardRow"),  # symconv.gradients.backward.BackwardRow, named in BackwardRule docstrings
]

# --- MyST / myst-nb -------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True  # the notes write $$…$$ inside a sentence too
nb_execution_mode = "force"  # the notebook runs at every build: its outputs cannot go stale
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_merge_streams = True

# --- autodoc / napoleon ---------------------------------------------------------------------
autodoc_typehints = "none"  # the numpy-style "Parameters" sections say the types
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_param = False  # types as text: "array-like or Array" is prose, not a cross-reference
napoleon_use_keyword = False

# --- intersphinx: committed inventories, real URLs ------------------------------------------
_INV = HERE / "_inv"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(_INV / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(_INV / "numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy/", str(_INV / "scipy.inv")),
    "sympy": ("https://docs.sympy.org/latest/", str(_INV / "sympy.inv")),
    "torch": ("https://docs.pytorch.org/docs/stable/", str(_INV / "torch.inv")),
}
intersphinx_disabled_reftypes = ["std:doc"]

# --- HTML -----------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"symconv {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_show_sourcelink = False
html_last_updated_fmt = None
nb_render_markdown_format = "myst"  # Markdown outputs (a proof's rendering) with the pages' math syntax
