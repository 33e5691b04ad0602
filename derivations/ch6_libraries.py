"""Chapter 6 — what each library computes: conventions and 'same' alignment side by side.

numpy, scipy and PyTorch rows are computed with the ``symconv.compat`` adapters; TensorFlow and JAX
rows reproduce their documented conventions with symconv's core operations. The test-suite
(``tests/test_notes_oracles.py``) checks every computed value against the real libraries where
they are installed.

Run alone: ``python derivations/ch6_libraries.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import importlib.metadata
import math
from typing import Any

import numpy as np
import sympy

from symconv import Array, SymconvError, asarray, convolve, correlate, symbols
from symconv._display import Vector
from symconv._document import Chapter, Section, Table, Text
from symconv._engine import evaluate
from symconv._formula import ConvSpec, forward
from symconv.compat import numpy as snp
from symconv.compat import scipy as ssp
from symconv.compat import torch as storch

X, W = [1, 2, 3, 4, 5], [1, 10]


def _ints(a: Array) -> list[int]:
    return [int(v) for v in np.asarray(a.tolist(), dtype=object).reshape(-1)]


def tf_same_padding(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow/JAX 'SAME': output ⌈n/s⌉, total padding split with the smaller half first (documented rule)."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def same_even() -> dict[str, list[int]]:
    """'same' with the even kernel [1, 10] on [1..5], per library (values by symconv)."""
    lo, hi = tf_same_padding(len(X), len(W), 1)
    x3, w3 = asarray([[X]]), asarray([[W]])
    return {
        "numpy.correlate": _ints(snp.correlate(X, W, "same")),
        "numpy.convolve": _ints(snp.convolve(X, W, "same")),
        "scipy.signal.correlate": _ints(ssp.correlate(X, W, "same")),
        "scipy.signal.correlate2d": _ints(ssp.correlate2d([X], [W], "same")),
        "torch conv1d(padding='same')": _ints(storch.conv1d(x3, w3, padding="same")),
        "tf.nn.conv1d / jax.lax 'SAME'": _ints(correlate(X, W, padding=((lo, hi),))),
    }


def _side(y: Array, flipped: bool) -> str:
    """Where the extra zero of an even-kernel 'same' result went (computed by comparison)."""
    op = convolve if flipped else correlate
    if y.equals(op(X, W, padding=((1, 0),))):
        return "extra zero at the start"
    if y.equals(op(X, W, padding=((0, 1),))):
        return "extra zero at the END"
    return "other"


def _classify(f: Any) -> str:
    x, w = symbols("x", 5, real=True), symbols("w", 3, real=True)
    y = f(x, w)
    if y.equals(correlate(x, w)):
        return "correlation $\\star$"
    if y.equals(convolve(x, w)):
        return "convolution $\\ast$"
    return "other"


def library_map() -> Section:
    ops = {
        "numpy.convolve": (lambda x, w: snp.convolve(x, w, "valid")),
        "numpy.correlate": (lambda x, w: snp.correlate(x, w, "valid")),
        "scipy.signal.convolve": (lambda x, w: ssp.convolve(x, w, "valid")),
        "scipy.signal.correlate": (lambda x, w: ssp.correlate(x, w, "valid")),
        "torch.nn.functional.conv1d": (lambda x, w: storch.conv1d(x.reshape(1, 1, 5), w.reshape(1, 1, 3)).reshape(-1)),
    }
    computed = {name: _classify(f) for name, f in ops.items()}
    same = {
        "numpy.convolve": _side(snp.convolve(X, W, "same"), True),
        "numpy.correlate": _side(snp.correlate(X, W, "same"), False),
        "scipy.signal.convolve": _side(ssp.convolve(X, W, "same"), True),
        "scipy.signal.correlate": _side(ssp.correlate(X, W, "same"), False),
        "scipy.signal.correlate2d": _side(ssp.correlate2d([X], [W], "same").reshape(-1), False),
        "torch": _side(storch.conv1d([[X]], [[W]], padding="same").reshape(-1), False),
    }
    rows = [
        ["`numpy.convolve`", computed["numpy.convolve"], "'full'", same["numpy.convolve"], "no", "1-D only"],
        [
            "`numpy.correlate`",
            computed["numpy.correlate"],
            "'valid'",
            same["numpy.correlate"],
            "yes ($\\bar v$)",
            "1-D only",
        ],
        [
            "`scipy.signal.convolve`",
            computed["scipy.signal.convolve"],
            "'full'",
            same["scipy.signal.convolve"],
            "no",
            "N-D",
        ],
        [
            "`scipy.signal.correlate`",
            computed["scipy.signal.correlate"],
            "'full'",
            same["scipy.signal.correlate"],
            "yes",
            "N-D",
        ],
        [
            "`scipy.signal.correlate2d`",
            "correlation $\\star$",
            "'full'",
            same["scipy.signal.correlate2d"],
            "yes",
            "2-D",
        ],
        [
            "`scipy.ndimage.correlate`",
            "correlation $\\star$ (documented)",
            "output = input size",
            "extra zero at the start (`origin=0`)",
            "no",
            "N-D, boundary `mode`",
        ],
        [
            "`torch.nn.functional.conv1d/2d`",
            computed["torch.nn.functional.conv1d"],
            "padding=0 ('valid')",
            same["torch"],
            "no",
            "(C_out, C_in/g, k...)",
        ],
        [
            "`tf.nn.conv2d`, Keras `Conv2D`",
            "correlation $\\star$ (documented)",
            "'VALID'",
            "extra zero at the END",
            "no",
            "HWIO",
        ],
        ["`jax.numpy.convolve`", "convolution $\\ast$ (documented, as numpy)", "'full'", "as numpy", "no", "1-D"],
        [
            "`jax.lax.conv_general_dilated`",
            "correlation $\\star$ (documented)",
            "explicit",
            "'SAME': extra zero at the END",
            "no",
            "`dimension_numbers`, default OIH",
        ],
    ]
    return Section(
        "The library map",
        [
            Text(
                "Operation column: for numpy, scipy.signal and PyTorch it is COMPUTED: symconv runs the library's "
                "convention (`symconv.compat`) on symbolic $x$, $w$ and compares with $x \\star w$ and $x \\ast w$. "
                "Rows marked 'documented' restate the library's documentation; the test-suite "
                "(`tests/test_notes_oracles.py`) checks their values against the library itself: TensorFlow, JAX "
                "and scipy.ndimage."
            ),
            Table(["function", "operation", "default mode", "'same', even kernel", "conjugates", "layout"], rows),
        ],
        items=(4, 33),
    )


def same_section() -> Section:
    vals = same_even()
    rows = [[f"`{k}`", str(v)] for k, v in vals.items()]
    return Section(
        "'same' with an even kernel",
        [
            Text(
                "An even kernel needs an odd total padding; libraries disagree on which side gets the extra zero. "
                f"With $x = {X}$, $w = {W}$ ('same'):"
            ),
            Table(["function", "result"], rows),
            Text(
                "numpy and scipy.signal's N-D `correlate` put the extra zero at the start; PyTorch, TensorFlow, "
                "`jax.lax` and scipy's `correlate2d` at the end. The flip of numpy's `convolve` moves the window too."
            ),
        ],
        items=(11,),
    )


def same_stride() -> Section:
    rows = []
    for n, k, s in ((5, 3, 2), (6, 3, 2), (7, 4, 3), (8, 2, 2)):
        lo, hi = tf_same_padding(n, k, s)
        y = correlate(list(range(1, n + 1)), [1] * k, stride=s, padding=((lo, hi),))
        rows.append([str(n), str(k), str(s), str(math.ceil(n / s)), f"({lo}, {hi})", str(len(y)), str(_ints(y))])
    try:
        storch.conv1d([[[1, 2, 3, 4, 5]]], [[[1, 1, 1]]], stride=2, padding="same")
        refusal = "accepted"
    except SymconvError as exc:
        refusal = str(exc).replace("`", "")
    return Section(
        "SAME with stride",
        [
            Text(
                "TensorFlow and JAX define 'SAME' for any stride: the output size is $\\lceil n/s \\rceil$ "
                "and the total "
                "padding $\\max((o - 1)s + d(k-1) + 1 - n, 0)$ is split with the smaller half first — so it depends "
                "on the input size and can be asymmetric. symconv reproduces the rule with explicit padding, on "
                "$x = [1, 2, \\dots, n]$ and the all-ones kernel of size $k$ (each row checked against "
                "`tf.nn.conv1d` and `jax.lax.conv_general_dilated` with `padding='SAME'` in the test-suite):"
            ),
            Table(
                ["$n$", "$k$", "$s$", "$\\lceil n/s \\rceil$", "$(p_{lo}, p_{hi})$", "length", "result (all-ones w)"],
                rows,
            ),
            Text(
                "PyTorch refuses `padding='same'` with a stride above 1; symconv's adapter refuses it the same way: "
                f"`{refusal}`."
            ),
        ],
        items=(12,),
    )


#: the boundary example: padding 2 on each side tells 'replicate' from 'symmetric' (padding 1 would not)
BX, BW = [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]


def boundary_values() -> dict[str, list[int]]:
    """'same' correlation of ``BX`` with ``BW`` under each boundary mode (core formula)."""
    out = {}
    p = (len(BW) - 1) // 2
    for mode in ("zeros", "reflect", "replicate", "circular", "symmetric"):
        spec = ConvSpec(input_size=(len(BX),), kernel_size=(len(BW),), pad_lo=(p,), pad_hi=(p,), padding_mode=mode)
        out[mode] = [int(v) for v in evaluate(forward(spec), {"x": np.array(BX), "w": np.array(BW)})]
    return out


def boundaries() -> Section:
    vals = boundary_values()
    names = {
        "zeros": ("`padding_mode='zeros'`", "`mode='constant'`", "`boundary='fill'`"),
        "reflect": ("`'reflect'`", "`'mirror'`", "—"),
        "replicate": ("`'replicate'`", "`'nearest'`", "—"),
        "circular": ("`'circular'`", "`'wrap'`", "`'wrap'`"),
        "symmetric": ("—", "`'reflect'`", "`'symm'`"),
    }
    rows = [[f"`{m}`", *names[m], str(v)] for m, v in vals.items()]
    return Section(
        "Non-zero boundaries",
        [
            Text(
                "Padding need not be zeros. The same boundary has different names per library; symconv's core "
                f"(`ConvSpec.padding_mode`) computes the 'same' correlation of $x = {BX}$ with $w = {BW}$ "
                "(2 padded entries on each side) under each; the test-suite compares every row with PyTorch "
                "(`padding_mode`) and `scipy.ndimage.correlate1d` (`mode`). 'reflect' mirrors about the edge entry "
                "(3 2 | 1 2 3 …), 'symmetric' repeats it (2 1 | 1 2 3 …). Circular padding turns the matrix of "
                "chapter 4 into a circulant."
            ),
            Table(["symconv", "PyTorch", "scipy.ndimage", "scipy.signal.convolve2d", "result"], rows),
        ],
        items=(13,),
    )


def layouts() -> Section:
    x = symbols("x", (1, 2, 4))
    w_ok = symbols("w", (3, 2, 2))
    y = storch.conv1d(x, w_ok)
    try:
        storch.conv1d(x, symbols("w", (2, 3, 2)))
        msg = "accepted"
    except SymconvError as exc:
        msg = str(exc).replace("`", "")
    yt = storch.conv_transpose1d(symbols("x", (1, 3, 2)), symbols("w", (3, 2, 2)))
    return Section(
        "Weight layouts",
        [
            Text(
                "PyTorch's `Conv` weight is $(C_{out}, C_{in}/g, k\\ldots)$ but its `ConvTranspose` weight is "
                "$(C_{in}, C_{out}/g, k\\ldots)$ — the transposed layer keeps the layout of the convolution it is the "
                "adjoint of. TensorFlow stores HWIO ($k_h, k_w, C_{in}, C_{out}$); JAX's `conv_general_dilated` takes "
                "`dimension_numbers` (default `('NCH', 'OIH', 'NCH')` in 1-D). With `symconv.compat.torch`: an input "
                f"$(1, 2, 4)$ and weight $(3, 2, 2)$ give output shape {tuple(y.shape)}; `conv_transpose1d` with input "
                f"$(1, 3, 2)$ and weight $(3, 2, 2)$ gives {tuple(yt.shape)}; a conv weight of shape $(2, 3, 2)$ "
                f"is refused: `{msg}`."
            ),
        ],
        items=(31,),
    )


def jax_transpose_values() -> dict[str, list[int]]:
    """jax.lax.conv_transpose on x=[1, 2, 3], w=[1, 2, 5], stride 2, 'VALID', by its documented convention."""
    x, w, s = [1, 2, 3], [1, 2, 5], 2
    k = len(w)
    z = []
    for j, v in enumerate(x):
        z.append(v)
        if j < len(x) - 1:
            z += [0] * (s - 1)
    pad_len = k + s - 2 + max(k - s, 0)
    lo = k - 1
    no_flip = correlate(z, w, padding=((lo, pad_len - lo),))
    flip = correlate(z, asarray(w).flip(), padding=((lo, pad_len - lo),))
    torch_ct = storch.conv_transpose1d([[x]], [[w]], stride=s).reshape(-1)
    return {
        "jax.lax.conv_transpose (transpose_kernel=False)": _ints(no_flip),
        "jax.lax.conv_transpose (transpose_kernel=True)": _ints(flip),
        "torch conv_transpose1d": _ints(torch_ct),
    }


def jax_transpose() -> Section:
    vals = jax_transpose_values()
    return Section(
        "jax.lax.conv_transpose flips nothing by default",
        [
            Text(
                "`jax.lax.conv_transpose(x, w, strides, padding)` dilates the input and CORRELATES it with `w` as "
                "given: with the default `transpose_kernel=False` it is not the gradient of a correlation (not "
                "PyTorch's or TensorFlow's transposed convolution); `transpose_kernel=True` rotates the kernel (and "
                "swaps its channel axes). $x = [1, 2, 3]$, $w = [1, 2, 5]$, stride 2, 'VALID':"
            ),
            Table(["function", "result"], [[f"`{k}`", str(v)] for k, v in vals.items()]),
        ],
        items=(32,),
    )


#: the libraries the test-suite checks the notes against (PyPI distribution names)
LIBRARIES = ("numpy", "scipy", "torch", "jax", "tensorflow")


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries the notes are checked against (``'not installed'`` if absent)."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name).split("+")[0]
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def checks() -> Section:
    rows = [
        ["numbers of chapters 1, 2, 3 (numpy conventions, complex input)", "numpy, scipy", "`test_notes_oracles.py`"],
        ["the seed's snippets (chapter 2)", "numpy, tensorflow, torch, jax", "`test_notes_oracles.py`"],
        ["'same' alignment, SAME with stride", "numpy, scipy, torch, tensorflow, jax", "`test_notes_oracles.py`"],
        ["boundaries, complex kernels", "torch, scipy.ndimage, numpy", "`test_notes_oracles.py`"],
        ["gradients of chapter 4", "torch autograd, jax.grad, tf.GradientTape", "`test_notes_oracles.py`"],
        ["sizes, transposed convolution, output_padding", "torch, tensorflow", "`test_notes_oracles.py`"],
        ["conv_transpose flips", "jax, torch", "`test_notes_oracles.py`"],
        ["statements of the checklist items", "numpy, scipy, torch", "`test_notes_checklist.py`"],
        ["every adapter in `symconv.compat`", "numpy, scipy, torch", "the adapters' own tests"],
    ]
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    i = sympy.I
    return Section(
        "Executable checks",
        [
            Text(
                "Every library value in these notes is computed by symconv and checked against at least two "
                "independent implementations in the test-suite (`tests/`; with `SYMCONV_REQUIRE_PEERS=all`, as in "
                "CI, a missing library fails instead of skipping). These notes were generated, and checked, with "
                f"{versions} (the test-suite asserts that these are the installed versions). For example, the "
                "conjugation of chapter 1 is checked as `np.correlate([1+1j, 2], [1j])` = "
                f"${Vector(snp.correlate([1 + i, 2], [i]).expand().tolist()).latex()}$."
            ),
            Table(["what", "checked against", "where"], rows),
        ],
        items=(34,),
    )


def build() -> Chapter:
    """Chapter 6 as a :class:`~symconv._document.Chapter`."""
    return Chapter(
        "ch6_libraries",
        "6. What each library computes",
        [library_map(), same_section(), same_stride(), boundaries(), layouts(), jax_transpose(), checks()],
        intro="Conventions of numpy, scipy, PyTorch, TensorFlow and JAX, side by side.",
    )


if __name__ == "__main__":
    print(build().markdown())
