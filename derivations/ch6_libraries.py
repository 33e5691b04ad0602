"""Chapter 6 — what each library computes: conventions and 'same' alignment side by side.

The library map is MEASURED: ``symconv.identify`` probed every function where all the libraries
are installed, and ``derivations/record_libraries.py`` recorded the result, with the library
versions, in ``derivations/data/library_conventions.json``; this chapter renders that file (so the
notes do not depend on what the reader has installed), adding the facts identify cannot measure
(argument defaults, kernel layouts: :data:`STATED`). ``tests/test_notes_libraries.py`` measures
every row again and checks every stated fact against the libraries. The other values are computed
with symconv (``symconv.compat`` adapters, core operations) and checked against the real
libraries by ``tests/test_notes_oracles.py``.

Run alone: ``python derivations/ch6_libraries.py`` prints the chapter's Markdown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from symconv import Array, SymconvError, asarray, correlate, symbols
from symconv.compat import numpy as snp
from symconv.compat import scipy as ssp
from symconv.compat import torch as storch
from symconv.core.formula import ConvSpec, forward
from symconv.display.tree import Vector
from symconv.engines.terms import evaluate
from symconv.writing.document import Chapter, Code, Figure, Section, Table, Text
from symconv.writing.figures import legend
from symconv.writing.pictures import same_alignment

X, W = [1, 2, 3, 4, 5], [1, 10]


def _ints(a: Array) -> list[int]:
    return [int(v) for v in np.asarray(a.tolist(), dtype=object).reshape(-1)]


def tf_same_padding(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow/JAX 'SAME': output ⌈n/s⌉, total padding split with the smaller half first (documented rule)."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


#: PyTorch's error message for 'same' with a stride (the test-suite checks it is the one torch raises)
TORCH_SAME_STRIDE = "padding='same' is not supported for strided convolutions"
#: the key of PyTorch's row in :func:`same_even`
TORCH_SAME = "torch conv1d(padding='same')"


def same_even() -> dict[str, list[int]]:
    """'same' with the even kernel [1, 10] on [1..5], per library (values by symconv)."""
    lo, hi = tf_same_padding(len(X), len(W), 1)
    x3, w3 = asarray([[X]]), asarray([[W]])
    return {
        "numpy.correlate": _ints(snp.correlate(X, W, "same")),
        "numpy.convolve": _ints(snp.convolve(X, W, "same")),
        "scipy.signal.correlate": _ints(ssp.correlate(X, W, "same")),
        "scipy.signal.correlate2d": _ints(ssp.correlate2d([X], [W], "same")),
        TORCH_SAME: _ints(storch.conv1d(x3, w3, padding="same")),
        "tf.nn.conv1d / jax.lax 'SAME'": _ints(correlate(X, W, padding=((lo, hi),))),
    }


# -- the library map: measured by ``identify``, recorded in derivations/data, rendered here -----------------

#: what ``identify`` measured, recorded where every library is installed (derivations/record_libraries.py)
LIBRARY_DATA = Path(__file__).resolve().parent / "data" / "library_conventions.json"
RECORD_COMMAND = "python -m derivations.record_libraries"
#: the libraries of the map, in its order (PyPI distribution names)
LIBRARIES = ("numpy", "scipy", "torch", "jax", "tensorflow", "keras")
#: the recorded fields of a row
FIELDS = (
    "function",
    "library",
    "ndim",
    "operation",
    "flip_every_axis",
    "default_mode",
    "same_even_kernel",
    "conjugates",
    "boundary",
)


@dataclass(frozen=True)
class Arg:
    """A keyword argument of a library function and its value: the default, or (``required``) what was passed."""

    name: str
    value: object
    required: bool = False

    def code(self) -> str:
        """``name = value`` as code, with spaces where a narrow table column may break it."""
        return f"`{self.name}` = `{self.value!r}`"


@dataclass(frozen=True)
class Stated:
    """What ``identify`` cannot measure about a function; ``tests/test_notes_libraries.py`` checks each against it.

    ``window``: the argument choosing the output window and its default (``required``: it has none,
    ``value`` is what the measurement passed); ``same``: the argument value asking for 'same';
    ``boundary``: the boundary argument and its default; ``layout``: ``'1-D'``, ``'2-D'``, ``'N-D'``
    (plain arrays), ``'axis'`` (a 1-D kernel along one axis of ``x``) or the weight's axes, ``O``/``I``
    output/input channels and ``*`` the kernel's spatial axes.
    """

    window: Arg | None
    same: Arg | None
    boundary: Arg | None
    layout: str


def _stated() -> dict[str, Stated]:
    mode, same, fill = Arg("mode", "full"), Arg("mode", "same"), Arg("boundary", "fill")
    reflect, origin, zero_pad = Arg("mode", "reflect"), Arg("origin", 0), Arg("padding", 0)
    valid_pad, same_pad = Arg("padding", "VALID", required=True), Arg("padding", "SAME")
    out = {
        "numpy.convolve": Stated(mode, same, None, "1-D"),
        "numpy.correlate": Stated(Arg("mode", "valid"), same, None, "1-D"),
        **{f"scipy.signal.{f}": Stated(mode, same, None, "N-D") for f in ("convolve", "correlate", "fftconvolve")},
        "scipy.signal.oaconvolve": Stated(mode, same, None, "N-D"),
        **{f"scipy.signal.{f}": Stated(mode, same, fill, "2-D") for f in ("convolve2d", "correlate2d")},
        **{f"scipy.ndimage.{f}": Stated(None, origin, reflect, "N-D") for f in ("convolve", "correlate")},
        **{f"scipy.ndimage.{f}1d": Stated(None, origin, reflect, "axis") for f in ("convolve", "correlate")},
        **{f"torch.nn.functional.conv{d}d": Stated(zero_pad, Arg("padding", "same"), None, "OI*") for d in (1, 2, 3)},
        **{f"torch.nn.functional.conv_transpose{d}d": Stated(zero_pad, None, None, "IO*") for d in (1, 2)},
        "jax.lax.conv_general_dilated": Stated(valid_pad, same_pad, None, "OI*"),
        "jax.numpy.convolve": Stated(mode, same, None, "1-D"),
        "jax.numpy.correlate": Stated(Arg("mode", "valid"), same, None, "1-D"),
        "jax.lax.conv_transpose": Stated(valid_pad, same_pad, None, "*IO"),
        **{f"tensorflow.nn.conv{d}d": Stated(valid_pad, same_pad, None, "*IO") for d in (1, 2)},
        "tensorflow.nn.conv2d_transpose": Stated(same_pad, same_pad, None, "*OI"),
        "tensorflow.keras.layers.Conv2D": Stated(Arg("padding", "valid"), Arg("padding", "same"), None, "*IO"),
    }
    return out


#: the stated facts of every function of the map
STATED = _stated()


def library_data(path: Path = LIBRARY_DATA) -> dict[str, Any]:
    """The recorded measurements; a file that does not fit the map is refused with what is wrong."""
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    rows = data.get("rows")
    versions = data.get("measured_with")
    if not isinstance(rows, list) or not isinstance(versions, dict) or set(versions) != set(LIBRARIES):
        raise SymconvError(f"notes: {path} must hold 'rows' and 'measured_with' ({', '.join(LIBRARIES)}); re-record")
    for row in rows:
        if not isinstance(row, dict) or set(row) != set(FIELDS):
            raise SymconvError(f"notes: {path}: each row must have the fields {', '.join(FIELDS)}; got {row!r}")
    names = [r["function"] for r in rows]
    if sorted(names) != sorted(STATED):
        raise SymconvError(
            f"notes: {path} must have one row per function of the map ({', '.join(STATED)}); got {', '.join(names)}"
        )
    return data


def measured_with(data: dict[str, Any] | None = None) -> str:
    """``numpy 2.4.6, scipy 1.17.1, …``: the versions the map was measured with."""
    versions = (data or library_data())["measured_with"]
    return ", ".join(f"{name} {versions[name]}" for name in LIBRARIES)


_OPERATION = {"correlation": "correlation $\\star$", "convolution": "convolution $\\ast$"}
_FLIP = {True: "flips $w$", False: "no flip"}
_PLAIN = {"1-D": "1-D", "2-D": "2-D", "N-D": "N-D", "axis": "1-D $w$ along `axis`"}
_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}
_EXTRA = "extra zero at the "

LIBRARY_HEADER = [
    "function",
    "operation",
    "default mode",
    "'same', even kernel: extra zero at",
    "conjugates complex $w$",
    "default boundary",
    "kernel layout",
]
#: the map is printed as two tables, one per question a reader asks (columns of :data:`LIBRARY_HEADER`)
COMPUTES = (0, 1, 2, 4)  # what does the function compute?
EDGES = (0, 3, 5, 6)  # where do the edges and the kernel's axes go?


def _side(value: str) -> str:
    """The recorded 'same' side (``extra zero at the END``) as the map's cell says it: ``end`` (plain case)."""
    return value.replace(_EXTRA, "").replace("END", "end")


def layout_cell(row: dict[str, Any]) -> str:
    """The stated kernel layout of a row, its spatial axes named for the row's ``ndim``."""
    layout = STATED[row["function"]].layout
    return _PLAIN.get(layout) or f"`{layout.replace('*', _SPATIAL[row['ndim']])}`"


def library_row(row: dict[str, Any]) -> list[str]:
    """The map's cells for one recorded row (the measured values, with the stated arguments and layout)."""
    s = STATED[row["function"]]
    operation = f"{_OPERATION.get(row['operation'], row['operation'])}, {_FLIP.get(row['flip_every_axis'], 'mixed')}"
    mode = row["default_mode"]
    if s.window is None:
        window = f"{mode} (always)"
    elif s.window.required:
        window = f"none: `{s.window.name}` is required ({mode} with `{s.window.value!r}`"
        window += f" {valid_transpose_note()})" if row["function"] == "jax.lax.conv_transpose" else ")"
    else:
        window = mode
    same = _side(row["same_even_kernel"])
    same += f" ({s.same.code()})" if s.same else " (no 'same' option)"
    boundary = row["boundary"] + (f" ({s.boundary.code()})" if s.boundary else "")
    return [f"`{row['function']}`", operation, window, same, row["conjugates"], boundary, layout_cell(row)]


def _merged(rows: list[list[str]], columns: tuple[int, ...] = tuple(range(len(LIBRARY_HEADER)))) -> list[list[str]]:
    """The ``columns`` of the map; rows of one module whose cells agree but for the layout's axes share a line:
    `m.f`, `g`, `h` (the layouts, when shown, are listed together)."""
    out: list[list[str]] = []
    key: dict[tuple[str, ...], int] = {}
    layout = len(LIBRARY_HEADER) - 1
    for full in rows:
        r = [full[c] for c in columns]
        module = r[0].strip("`").rsplit(".", 1)[0]
        k = (module, *(cell for c, cell in zip(columns[1:], r[1:]) if c != layout))
        if k not in key:
            key[k] = len(out)
            out.append(list(r))
            continue
        m = out[key[k]]
        m[0] += ", `" + r[0].strip("`").rsplit(".", 1)[1] + "`"
        if columns[-1] == layout and r[-1] not in m[-1].split("; "):
            m[-1] += "; " + r[-1]
    return out


def _default(arg: Arg | None) -> str:
    return "no default" if arg is None or arg.required else f"the default {arg.code()}"


def _reading(by: dict[str, dict[str, Any]]) -> str:
    """How to read the map: its less expected cells, quoted from the data and the stated facts."""

    def cell(function: str, field: str) -> str:
        return str(by[function][field])

    def side(function: str) -> str:
        return _side(cell(function, "same_even_kernel"))

    nd, tf, tft = "scipy.ndimage.", "tensorflow.nn.conv2d", "tensorflow.nn.conv2d_transpose"
    keras = "tensorflow.keras.layers.Conv2D"
    jct, jcgd = by["jax.lax.conv_transpose"], by["jax.lax.conv_general_dilated"]
    return (
        f"Does it conjugate a complex kernel? `{nd}correlate`: {cell(nd + 'correlate', 'conjugates')} "
        f"(`numpy.correlate`: {cell('numpy.correlate', 'conjugates')}, `jax.numpy.correlate`: "
        f"{cell('jax.numpy.correlate', 'conjugates')}); `{nd}convolve`: {cell(nd + 'convolve', 'conjugates')}. "
        f"An even kernel's extra sample: `{nd}correlate` at the {side(nd + 'correlate')}, `{nd}convolve` at the "
        f"{side(nd + 'convolve')}, because `convolve` both flips the kernel and moves its `origin` by one for "
        "even sizes: with an even kernel it is `correlate` of the flipped kernel with `origin=-1`. `tf.nn.conv2d`'s "
        f"`padding` has {_default(STATED[tf].window)}; the Keras `Conv2D` layer has {_default(STATED[keras].window)} "
        f"and `tf.nn.conv2d_transpose` {_default(STATED[tft].window)}. TensorFlow's transposed convolution takes "
        f"its filter as {layout_cell(by[tft])}, output channels before input channels: the layout of the `conv2d` "
        f"({layout_cell(by[tf])}) whose input gradient it is. `jax.lax.conv_transpose` computes a "
        f"{jct['operation']} ({_FLIP[jct['flip_every_axis']]}) laid out {layout_cell(jct)} by default; "
        f"`jax.lax.conv_general_dilated`: {jcgd['operation']}, {layout_cell(jcgd)}."
    )


def library_map(data: dict[str, Any] | None = None) -> Section:
    """The library map: every cell from the recorded measurements (``data``: the committed file)."""
    data = data or library_data()
    by = {r["function"]: r for r in data["rows"]}
    rows = [library_row(r) for r in data["rows"]]
    return Section(
        "The library map",
        [
            Text(
                "Every operation, window, alignment, conjugation and boundary below is measured, not copied from "
                "documentation: each function is called on unit impulses (an input or kernel that is 1 at one place "
                "and 0 elsewhere) at odd and even sizes, which shows exactly which entries of $x$ and $w$ each output "
                "multiplies; an answer is kept only if a plain correlation or convolution reproduces every number, "
                "and complex impulses show whether $w$ is conjugated. The measurements were recorded with "
                f"{measured_with(data)}, where all are installed (as in CI), so these notes read the same on every "
                "machine; the test-suite measures every row again with the installed libraries and fails if a cell "
                "changed. The arguments "
                "(which one asks for 'same', which boundary is the default, which padding is required) and the "
                "kernel layouts come from the libraries' signatures; the test-suite checks each against the library "
                "too. Functions that agree in every cell share a row."
            ),
            Table(
                [LIBRARY_HEADER[c] for c in COMPUTES],
                _merged(rows, COMPUTES),
                caption="What each function computes: the operation, the output window it gives without a mode "
                "argument, and whether a complex kernel is conjugated (measured).",
            ),
            Text(
                "Layouts name the weight's axes for one group: O and I the output and input channels of the "
                "function, H, W (D) the kernel's spatial axes. Boundary 'none' means the window never leaves $x$ "
                "('valid'); 'symmetric' repeats the edge entry, which scipy.ndimage calls `'reflect'` (the "
                "boundaries section below), so there the 'extra zero' of an even kernel is an extra mirrored entry. "
                + _reading(by)
            ),
            Table(
                [LIBRARY_HEADER[c] for c in EDGES],
                _merged(rows, EDGES),
                caption="Where each function puts the edges: the extra zero of 'same' with an even kernel "
                "(measured), the default boundary, and the kernel's axes.",
            ),
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
            Table(["function", "result"], rows, caption="'same' with an even kernel, per library."),
            Text(
                "numpy and scipy.signal's N-D `correlate` put the extra zero at the start; PyTorch, TensorFlow, "
                "`jax.lax` and scipy's `correlate2d` at the end. numpy's `convolve` also pads at the start "
                f"($y[0] = x[0] \\cdot w[0] = {vals['numpy.convolve'][0]}$), but reads the kernel reversed."
            ),
            Code(
                "import numpy as np, torch\n"
                f"x, w = {[float(v) for v in X]}, {[float(v) for v in W]}\n"
                f"np.correlate(x, w, 'same')   # {vals['numpy.correlate']}\n"
                f"np.convolve(x, w, 'same')    # {vals['numpy.convolve']}\n"
                "torch.nn.functional.conv1d(torch.tensor([[x]]), torch.tensor([[w]]), padding='same')\n"
                f"                             # {vals[TORCH_SAME]}",
                "python",
            ),
            Figure(
                "same_alignment",
                "'same' with an even kernel on the table's $x$ and $w$: each library's padding, the taps the "
                "window of $y[0]$ reads (flipped for a convolution) and the $y[0]$ that gives. Colours: "
                + legend(
                    {
                        "x": "$x$",
                        "zero": "padding (zeros, or the entry a mirror repeats)",
                        "hit": "the window of $y[0]$",
                        "w": "its kernel taps",
                    }
                )
                + ".",
                same_alignment(LIBRARY_DATA, X, W),
                size=(6.6, 6.8),
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
        refused = False
    except SymconvError:
        refused = True
    return Section(
        "SAME with stride",
        [
            Text(
                "TensorFlow and JAX define 'SAME' for any stride: the output size is $o = \\lceil N/s \\rceil$ "
                "and the total "
                "padding $\\max((o - 1)s + d(K-1) + 1 - N, 0)$ is split with the smaller half first — so it depends "
                "on the input size and can be asymmetric. The rule reproduced with explicit padding, on "
                "$x = [1, 2, \\dots, N]$ and the all-ones kernel of size $K$ (each row checked against "
                "`tf.nn.conv1d` and `jax.lax.conv_general_dilated` with `padding='SAME'` in the test-suite):"
            ),
            Table(
                ["$N$", "$K$", "$s$", "$\\lceil N/s \\rceil$", "$(p_{lo}, p_{hi})$", "length", "result (all-ones w)"],
                rows,
                caption="TensorFlow's and JAX's 'SAME' with a stride: the padding depends on $N$.",
            ),
            Text(
                "PyTorch refuses `padding='same'` with a stride above 1 (“"
                + TORCH_SAME_STRIDE
                + "”)"
                + ("; these notes' model of PyTorch refuses it too." if refused else ".")
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
                "Padding need not be zeros. The same boundary has different names per library. The table gives the "
                f"'same' correlation of $x = {BX}$ with $w = {BW}$ "
                "(2 padded entries on each side) under each; the test-suite compares every row with PyTorch "
                "(`padding_mode`) and `scipy.ndimage.correlate1d` (`mode`). 'reflect' mirrors about the edge entry "
                "(3 2 | 1 2 3 …), 'symmetric' repeats it (2 1 | 1 2 3 …). Circular padding turns the matrix of "
                "chapter 4 into a circulant."
            ),
            Table(
                ["boundary", "PyTorch", "scipy.ndimage", "scipy.signal.convolve2d", "result"],
                rows,
                caption="Boundary modes: one boundary, three names, and its 'same' correlation.",
            ),
        ],
        items=(13,),
    )


def layouts() -> Section:
    x = symbols("x", (1, 2, 4))
    w_ok = symbols("w", (3, 2, 2))
    y = storch.conv1d(x, w_ok)
    try:
        storch.conv1d(x, symbols("w", (2, 3, 2)))
        refused = False
    except SymconvError:
        refused = True
    yt = storch.conv_transpose1d(symbols("x", (1, 3, 2)), symbols("w", (3, 2, 2)))
    return Section(
        "Weight layouts",
        [
            Text(
                "With $G$ groups, PyTorch's `Conv` weight is $(C_{out}, C_{in}/G, K\\ldots)$ but its `ConvTranspose` "
                "weight is $(C_{in}, C_{out}/G, K\\ldots)$ — the transposed layer keeps the layout of the "
                "convolution it is the adjoint of. TensorFlow stores HWIO ($K_h, K_w, C_{in}, C_{out}$); JAX's "
                "`conv_general_dilated` takes `dimension_numbers`, by default channels first: OIW in 1-D in the "
                "letters of the map (JAX's own strings call the one spatial axis H: `('NCH', 'OIH', 'NCH')`). In "
                f"PyTorch: an input $(1, 2, 4)$ and weight $(3, 2, 2)$ give output shape {tuple(y.shape)}; "
                f"`conv_transpose1d` with input $(1, 3, 2)$ and weight $(3, 2, 2)$ gives {tuple(yt.shape)}; a conv "
                "weight of shape $(2, 3, 2)$ "
                + (
                    "is refused: its input-channel axis (3) does not match the input's 2 channels."
                    if refused
                    else "is accepted."
                )
            ),
            Text(
                "Transposed convolutions keep the layout of the convolution they are the adjoint of, with the "
                "channel roles swapped: TensorFlow's `conv2d_transpose` filter is HWOI ($K_h, K_w, C_{out}, C_{in}$). "
                "JAX's `conv_transpose` defaults to TensorFlow's channels-last `dimension_numbers` (WIO in 1-D, in "
                "the map's letters), "
                "unlike `conv_general_dilated`. The library map above lists every layout; the test-suite checks "
                "each against its library."
            ),
        ],
        items=(31,),
    )


def _jax_valid_transpose(x: list[int], w: list[int], s: int) -> list[int]:
    """``jax.lax.conv_transpose(x, w, (s,), 'VALID', transpose_kernel=True)`` by jax's documented padding rule
    (TensorFlow's 'VALID' for a transposed convolution: padding ``K + s - 2 + max(K - s, 0)``, ``K - 1`` before)."""
    k = len(w)
    z: list[int] = []
    for j, v in enumerate(x):
        z += [v] + ([0] * (s - 1) if j < len(x) - 1 else [])
    pad_len = k + s - 2 + max(k - s, 0)
    return _ints(correlate(z, asarray(w).flip(), padding=((k - 1, pad_len - k + 1),)))


def valid_transpose_extra(k: int = 2, strides: tuple[int, ...] = (1, 2, 3, 4, 5)) -> dict[int, int]:
    """Stride → how many entries jax's 'VALID' transposed convolution has beyond PyTorch's (full) one, for a
    kernel of size ``k`` (the common entries are checked equal; ``x = [1, 2, 3]``)."""
    x, w = [1, 2, 3], [1, 10, 100, 1000][:k]
    out = {}
    for s in strides:
        jax_valid = _jax_valid_transpose(x, w, s)
        full = _ints(storch.conv_transpose1d([[x]], [[w]], stride=s).reshape(-1))
        if jax_valid[: len(full)] != full or any(jax_valid[len(full) :]):
            raise SymconvError(f"notes: jax 'VALID' transposed convolution at stride {s} is not full plus zeros")
        out[s] = len(jax_valid) - len(full)
    return out


def valid_transpose_note(k: int = 2) -> str:
    """When 'VALID' is the full transposed convolution: computed by :func:`valid_transpose_extra`."""
    extra = valid_transpose_extra(k)
    if all(v == 0 for v in extra.values()):
        return "at every stride"
    if all(v == max(s - k, 0) for s, v in extra.items()):
        return "at stride $s \\le K$; for $s > K$ it adds $s - K$ zeros at the end"
    return "only at strides " + ", ".join(str(s) for s, v in extra.items() if v == 0)


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
                "`jax.lax.conv_transpose(x, w, strides, padding)` dilates the input and correlates it with `w` as "
                "given: with the default `transpose_kernel=False` it is not the gradient of a correlation (not "
                "PyTorch's or TensorFlow's transposed convolution); `transpose_kernel=True` rotates the kernel (and "
                "swaps its channel axes). $x = [1, 2, 3]$, $w = [1, 2, 5]$, stride 2, 'VALID':"
            ),
            Table(
                ["function", "result"],
                [[f"`{k}`", str(v)] for k, v in vals.items()],
                caption="`jax.lax.conv_transpose` against PyTorch's transposed convolution.",
            ),
            Code(
                "import jax, jax.numpy as jnp\n"
                "x, w = jnp.array([[[1., 2., 3.]]]), jnp.array([[[1., 2., 5.]]])\n"
                "dn = ('NCH', 'OIH', 'NCH')   # channels first, as in PyTorch\n"
                "jax.lax.conv_transpose(x, w, (2,), 'VALID', dimension_numbers=dn)\n"
                f"    # {vals['jax.lax.conv_transpose (transpose_kernel=False)']}\n"
                "jax.lax.conv_transpose(x, w, (2,), 'VALID', dimension_numbers=dn, transpose_kernel=True)\n"
                f"    # {vals['jax.lax.conv_transpose (transpose_kernel=True)']}   = PyTorch's conv_transpose1d",
                "python",
            ),
        ],
        items=(32,),
    )


def checks() -> Section:
    rows = [
        ["numbers of chapters 1, 2, 3 (numpy conventions, complex input)", "numpy, scipy", "`test_notes_oracles.py`"],
        ["the seed's snippets (chapter 2)", "numpy, tensorflow, torch, jax", "`test_notes_oracles.py`"],
        ["'same' alignment, SAME with stride", "numpy, scipy, torch, tensorflow, jax", "`test_notes_oracles.py`"],
        ["the library map (cells, arguments, layouts)", ", ".join(LIBRARIES), "`test_notes_libraries.py`"],
        ["boundaries, complex kernels", "torch, scipy.ndimage, numpy", "`test_notes_oracles.py`"],
        ["gradients of chapter 4", "torch autograd, jax.grad, tf.GradientTape", "`test_notes_oracles.py`"],
        ["sizes, transposed convolution, output_padding", "torch, tensorflow", "`test_notes_oracles.py`"],
        ["conv_transpose flips", "jax, torch", "`test_notes_oracles.py`"],
        ["statements of the checklist items", "numpy, scipy, torch", "`test_notes_checklist.py`"],
        [
            "the models of numpy, scipy and PyTorch the notes compute with (chapter 7)",
            "numpy, scipy, torch",
            "their own tests",
        ],
    ]
    i = sympy.I
    return Section(
        "Executable checks",
        [
            Text(
                "Every library value in these notes is computed by symconv and checked against at least two "
                "independent implementations in the test-suite (`tests/`; with `SYMCONV_REQUIRE_PEERS=all`, as in "
                "CI, a missing library fails instead of skipping). The library facts were measured with "
                f"{measured_with()} (recorded, so the notes are the same on every machine); the test-suite checks "
                "them again with whatever versions are installed. For example, the "
                "conjugation of chapter 1 is checked as `np.correlate([1+1j, 2], [1j])` = "
                f"${Vector(snp.correlate([1 + i, 2], [i]).expand().tolist()).latex()}$."
            ),
            Table(["what", "checked against", "where"], rows, caption="Where each value of the notes is checked."),
        ],
        items=(34,),
    )


def build() -> Chapter:
    """Chapter 6 as a :class:`~symconv.writing.document.Chapter`."""
    return Chapter(
        "ch6_libraries",
        "6. What each library computes",
        [library_map(), same_section(), same_stride(), boundaries(), layouts(), jax_transpose(), checks()],
        intro="Conventions of numpy, scipy, PyTorch, TensorFlow and JAX, side by side.",
    )


if __name__ == "__main__":
    print(build().markdown())
