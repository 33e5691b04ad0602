"""Chapter 6's library map is measured, recorded and rendered cell for cell.

The committed data (``derivations/data/library_conventions.json``) must be what ``identify``
measures now, library by library, wherever that library is installed (all of them in CI, where
``SYMCONV_REQUIRE_PEERS=all`` turns a missing one into a failure); chapter 6 must show every
recorded cell and nothing typed beside them. What ``identify`` cannot measure — the argument that
chooses the window and its default, the option asking for 'same', the boundary default, the
kernel layout (chapter 6's ``STATED``) — is checked here against each library: its signature, and
calls with and without the argument. The expected values are the stated facts; the libraries answer.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import peers
import pytest

from symconv.writing.notes import _load, chapter_paths

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "derivations" / "data" / "library_conventions.json"
RECORD = "python -m derivations.record_libraries"
ROWS = json.loads(DATA.read_text(encoding="utf-8"))["rows"]
LIBRARIES = ("numpy", "scipy", "torch", "jax", "tensorflow", "keras")
#: the peer (tests/peers.py) each library's rows need
PEER = {"numpy": "numpy", "scipy": "scipy", "torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}


@functools.cache
def ch6() -> Any:
    return _load(next(p for p in chapter_paths() if p.name.startswith("ch6_")))


@functools.cache
def recorder() -> Any:
    return _load(REPO / "derivations" / "record_libraries.py")


def require(library: str) -> None:
    """Skip (fail in CI) unless ``library`` is installed; Keras comes with TensorFlow."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if library == "keras":
        peers.module("tensorflow")
        peers.module("keras", "tensorflow")
    else:
        peers.module(PEER[library])


def row_of(function: str) -> dict[str, Any]:
    return next(r for r in ROWS if r["function"] == function)


# -- the data is what identify measures ------------------------------------------------------------------------


def differences(recorded: list[dict[str, Any]], measured: list[dict[str, Any]]) -> list[str]:
    """Every cell where the recorded rows and the measured ones differ (and rows only one side has)."""
    rec, now = {r["function"]: r for r in recorded}, {r["function"]: r for r in measured}
    out = [f"  {f}: recorded, not measured" for f in rec if f not in now]
    out += [f"  {f}: measured, not recorded" for f in now if f not in rec]
    for f in rec.keys() & now.keys():
        out += [
            f"  {f}: {k}: recorded {rec[f].get(k)!r}, measured {now[f].get(k)!r}"
            for k in sorted(rec[f].keys() | now[f].keys())
            if rec[f].get(k) != now[f].get(k)
        ]
    if not out and [r["function"] for r in recorded] != [r["function"] for r in measured]:
        out.append("  the rows are in another order")
    return sorted(out)


@pytest.mark.parametrize("library", LIBRARIES)
def test_recorded_rows_are_what_identify_measures_now(library):
    require(library)
    data = ch6().library_data()
    recorded = [r for r in data["rows"] if r["library"] == library]
    assert recorded, f"no recorded row for {library}"
    found = differences(recorded, recorder().measure([library]))
    if found:
        was, now = data["measured_with"][library], recorder().installed_versions([library]).get(library)
        why = (
            f"the data was recorded with {library} {was}, this is {library} {now}"
            if was != now
            else f"same {library} {was}: the data file was edited by hand, or identify changed"
        )
        pytest.fail(
            f"derivations/data/library_conventions.json is not what identify measures now ({why}):\n"
            + "\n".join(found)
            + f"\nRe-record with `{RECORD}` where all libraries are installed, review the diff, then regenerate "
            "the notes (`symconv notes --out docs/notes`).",
            pytrace=False,
        )


def test_a_hand_edited_cell_is_a_difference():
    """The comparison above names the cell: numpy.correlate's conjugation flipped by hand (numpy is always here)."""
    measured = recorder().measure(["numpy"])
    edited = copy.deepcopy(measured)
    edited[1]["conjugates"] = "no"
    assert differences(measured, measured) == []
    assert differences(edited, measured) == ["  numpy.correlate: conjugates: recorded 'no', measured 'yes'"]
    assert differences(edited[:1], measured) == ["  numpy.correlate: measured, not recorded"]


def test_data_file_is_exactly_what_the_recorder_writes():
    """Sorted keys, one layout, the recorder's row order: recording again gives the same bytes."""
    text = DATA.read_text(encoding="utf-8")
    data = json.loads(text)
    rec = recorder()
    assert text == rec.dumps(data)
    assert data["about"] == rec.ABOUT
    assert sorted(data["measured_with"]) == sorted(rec.LIBRARIES) == sorted(LIBRARIES)
    assert all(r["library"] == rec.library_of(r["function"]) for r in data["rows"])
    order = [LIBRARIES.index(r["library"]) for r in data["rows"]]
    assert order == sorted(order)
    assert [tuple(sorted(r)) for r in data["rows"]] == [tuple(sorted(ch6().FIELDS))] * len(data["rows"])


def test_recording_twice_gives_the_same_bytes():
    """Seeded probes, sorted keys: two recordings serialize identically (numpy's rows: numpy is always here)."""
    rec = recorder()
    assert rec.dumps({"rows": rec.measure(["numpy"])}) == rec.dumps({"rows": rec.measure(["numpy"])})


# -- the map shows the data --------------------------------------------------------------------------------------


def table(md: str) -> tuple[list[str], dict[str, list[str]]]:
    """Header and rows of the map, by function: a shared row ```m.f`, `g``` stands for ``m.f`` and ``m.g``.

    The map is printed as several tables (one per question) whose first column names the functions: their
    columns are joined, function by function, into one header and one row per function.
    """
    lines = [ln for ln in md.splitlines() if ln.startswith("| ") or ln.startswith("|---")]
    tables: list[tuple[list[str], dict[str, list[str]]]] = []
    for i, ln in enumerate(lines):
        if ln.startswith("|---"):
            continue
        cells = [c.strip() for c in ln.strip().strip("|").split(" | ")]
        if i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            tables.append((cells, {}))
            continue
        first, *more = (n.strip("`") for n in cells[0].split(", "))
        module = first.rsplit(".", 1)[0]
        for name in (first, *(f"{module}.{n}" for n in more)):
            assert name not in tables[-1][1], f"{name} has two rows"
            tables[-1][1][name] = cells
    header = ["function"] + [h for head, _ in tables for h in head[1:]]
    names = tables[0][1].keys()
    assert all(t[1].keys() == names for t in tables), "every table of the map lists the same functions"
    rows = {n: [tables[0][1][n][0]] + [c for _, r in tables for c in r[n][1:]] for n in names}
    return header, rows


def test_the_map_shows_every_recorded_cell_and_only_those_functions():
    data = ch6().library_data()
    md = ch6().library_map().markdown()
    header, rows = table(md)
    assert sorted(rows) == sorted(r["function"] for r in data["rows"]), "the map's functions are the data's"
    col = {name: header.index(name) for name in header}
    for r in data["rows"]:
        cells, name = rows[r["function"]], r["function"]
        assert cells[col["operation"]].startswith(r["operation"] + " "), name
        assert ("flips $w$" if r["flip_every_axis"] else "no flip") in cells[col["operation"]], name
        assert re.search(rf"\b{r['default_mode']}\b", cells[col["default mode"]]), name
        side = r["same_even_kernel"].replace("extra zero at the ", "").lower()  # 'END' in the data: no capitals
        assert cells[col["'same', even kernel: extra zero at"]].startswith(side + " ("), name
        assert cells[col["conjugates complex $w$"]] == r["conjugates"], name
        assert cells[col["default boundary"]].split(" (")[0] == r["boundary"], name
        assert ch6().layout_cell(r) in cells[col["kernel layout"]].split("; "), name
    versions = ", ".join(f"{k} {data['measured_with'][k]}" for k in LIBRARIES)
    assert f"recorded with {versions}" in md
    assert f"measured with {versions}" in ch6().checks().markdown()


def test_the_issue_13_corrections_are_in_the_map():
    """scipy.ndimage.correlate conjugates; tf.nn.conv2d has no default padding; ndimage's boundary is 'reflect'."""
    md = ch6().library_map().markdown()
    header, rows = table(md)
    conj, mode, boundary, layout = (
        header.index(h) for h in ("conjugates complex $w$", "default mode", "default boundary", "kernel layout")
    )
    assert rows["scipy.ndimage.correlate"][conj] == "yes"
    assert rows["scipy.ndimage.convolve"][conj] == "no"
    assert rows["jax.numpy.correlate"][conj] == "yes"
    assert rows["tensorflow.nn.conv2d"][mode].startswith("none: `padding` is required")
    assert rows["tensorflow.keras.layers.Conv2D"][mode] == "valid"
    assert "the Keras `Conv2D` layer has the default `padding` = `'valid'`" in md
    for f in ("convolve", "correlate", "convolve1d", "correlate1d"):
        assert rows[f"scipy.ndimage.{f}"][boundary] == "symmetric (`mode` = `'reflect'`)", f
    assert rows["tensorflow.nn.conv2d_transpose"][layout] == "`HWOI`"


@pytest.mark.parametrize(
    "field", ["operation", "flip_every_axis", "default_mode", "same_even_kernel", "conjugates", "boundary"]
)
def test_every_cell_comes_from_the_data(field):
    """Change one recorded value: the map changes with it (nothing in it is typed by hand)."""
    data = copy.deepcopy(ch6().library_data())
    row = next(r for r in data["rows"] if r["function"] == "scipy.ndimage.correlate")
    before = table(ch6().library_map(data).markdown())[1]["scipy.ndimage.correlate"]
    row[field] = (not row[field]) if field == "flip_every_axis" else "EDITED"
    after = table(ch6().library_map(data).markdown())[1]["scipy.ndimage.correlate"]
    assert after != before
    data["measured_with"]["numpy"] = "0.0.1"
    assert "numpy 0.0.1" in ch6().library_map(data).markdown()


def test_a_data_file_that_does_not_fit_the_map_is_refused(tmp_path):
    from symconv import SymconvError

    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["rows"] = data["rows"][1:]
    bad = tmp_path / "data.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SymconvError, match="one row per function of the map"):
        ch6().library_data(bad)


# -- the stated facts hold for the libraries -----------------------------------------------------------------------

Call = Callable[..., np.ndarray]


def _torch_call(name: str) -> Call:
    torch = peers.module("torch")
    f = getattr(torch.nn.functional, name.rsplit(".", 1)[1])

    def call(x: np.ndarray, w: np.ndarray, **kw: Any) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Using padding='same'", UserWarning)
            out = f(torch.tensor(x[None, None]), torch.tensor(w[None, None]), **kw)
        return out[0, 0].numpy()

    return call


def _tf_call(name: str) -> Call:
    tf = peers.module("tensorflow")
    f = getattr(tf.nn, name.rsplit(".", 1)[1])
    if name.endswith("_transpose"):

        def call(x: np.ndarray, w: np.ndarray, **kw: Any) -> np.ndarray:
            valid = kw.get("padding", "SAME") == "VALID"
            shape = [n + k - 1 for n, k in zip(x.shape, w.shape)] if valid else list(x.shape)
            return f(x[None, ..., None], w[..., None, None], [1, *shape, 1], 1, **kw).numpy()[0, ..., 0]

        return call
    return lambda x, w, **kw: f(x[None, ..., None], w[..., None, None], 1, **kw).numpy()[0, ..., 0]


def _keras_call(name: str) -> Call:
    tf = peers.module("tensorflow")

    def call(x: np.ndarray, w: np.ndarray, **kw: Any) -> np.ndarray:
        layer = tf.keras.layers.Conv2D(1, w.shape, use_bias=False, dtype="float64", **kw)
        layer.build((1, *x.shape, 1))
        layer.set_weights([w[..., None, None]])
        return layer(x[None, ..., None]).numpy()[0, ..., 0]

    return call


def _jax_call(name: str) -> Call:
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    f32 = np.float32
    if name == "jax.lax.conv_general_dilated":
        return lambda x, w, **kw: np.asarray(
            jax.lax.conv_general_dilated(x[None, None].astype(f32), w[None, None].astype(f32), (1,) * x.ndim, **kw)
        )[0, 0]
    if name == "jax.lax.conv_transpose":
        return lambda x, w, **kw: np.asarray(
            jax.lax.conv_transpose(x[None, :, None].astype(f32), w[:, None, None].astype(f32), (1,), **kw)
        )[0, :, 0]
    f = getattr(jnp, name.rsplit(".", 1)[1])
    return lambda x, w, **kw: np.asarray(f(x.astype(f32), w.astype(f32), **kw))


def library_call(name: str) -> Call:
    """``name`` called on plain arrays (no batch or channel axes); keyword arguments go to the library."""
    library = row_of(name)["library"]
    if library == "numpy":
        return getattr(np, name.rsplit(".", 1)[1])
    if library == "scipy":
        mod = peers.module(name.rsplit(".", 1)[0], "scipy")
        return getattr(mod, name.rsplit(".", 1)[1])
    return {"torch": _torch_call, "jax": _jax_call, "tensorflow": _tf_call, "keras": _keras_call}[library](name)


def library_function(name: str) -> Any:
    """The library's own function (or layer class), for its signature."""
    top, *path = name.split(".")
    obj = peers.module(top, PEER.get(top, "tensorflow"))
    for attr in path:
        obj = getattr(obj, attr)
    return obj


def measuring_call(name: str, same: bool) -> Call:
    """The call ``identify`` measured the row with: the preset, or the recorder's wrapper."""
    from symconv.identification import PRESETS, preset

    if name in PRESETS:
        return preset(name, mode="same" if same and "same" in PRESETS[name].modes else None).fn
    extra = next(e for e in recorder().EXTRAS if e.name == name)
    return extra.make("same" if same and extra.same_option else None)


def library_default(name: str, arg: str) -> Any:
    """The default of ``arg`` in the library's signature (``inspect.Parameter.empty``: none).

    PyTorch's functional convolutions are builtins without a Python signature: their documented
    default (the ``Default: …`` of the argument's paragraph in the docstring), as text.
    """
    f = library_function(name)
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        m = re.search(rf"^\s*{arg}:.*?Default: (\S+)", f.__doc__ or "", re.S | re.M)
        assert m, f"{name} documents no default for {arg!r}"
        return m.group(1)
    assert arg in sig.parameters, f"{name} has no argument {arg!r}"
    return sig.parameters[arg].default


def probes(ndim: int) -> tuple[np.ndarray, np.ndarray]:
    """An input and an EVEN kernel (the 'same' windows differ) of small integers."""
    rng = np.random.default_rng(ndim)
    return rng.integers(-4, 5, (7, 6, 5)[:ndim]).astype(np.float64), rng.integers(-4, 5, (2, 4, 2)[:ndim]).astype(
        np.float64
    )


def same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.allclose(a, b, atol=1e-4)


@pytest.mark.parametrize("name", [r["function"] for r in ROWS])
def test_stated_arguments_are_the_librarys(name):
    """The window argument's default (or that it has none), the 'same' option and the boundary default."""
    require(row_of(name)["library"])
    stated = ch6().STATED[name]
    call = library_call(name)
    x, w = probes(row_of(name)["ndim"])
    measured = measuring_call(name, same=False)(x, w)
    if stated.window is None:
        assert call(x, w).shape == x.shape, "no window option: the output has the input's shape"
        assert same(call(x, w), measured)
    else:
        arg = stated.window
        assert same(call(x, w, **{arg.name: arg.value}), measured), f"the row was measured with {arg.code()}"
        default = library_default(name, arg.name)
        if arg.required:
            assert default is inspect.Parameter.empty, f"{arg.name} has a default: {default!r}"
            with pytest.raises(TypeError):
                call(x, w)
        else:
            assert default in (arg.value, str(arg.value)), f"the default is {default!r}, not {arg.value!r}"
            assert same(call(x, w), call(x, w, **{arg.name: arg.value}))
    if stated.same is None:
        assert row_of(name)["same_even_kernel"] == "—"
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            call(x, w, padding="same")
    else:
        y = call(x, w, **{stated.same.name: stated.same.value})
        assert y.shape == x.shape and same(y, measuring_call(name, same=True)(x, w))
    if stated.boundary is not None:
        b = stated.boundary
        assert library_default(name, b.name) == b.value
        assert same(call(x, w), call(x, w, **{b.name: b.value}))


def _channels(name: str, layout: str, nd: int) -> int:
    """Call ``name`` with 2 input channels and a weight laid out as ``layout``: the output's channel count."""
    n, k = (7, 8, 9)[:nd], (4, 5, 6)[:nd]
    sizes = {"O": (3,), "I": (2,), "*": k}
    wshape = tuple(s for letter in layout for s in sizes[letter])
    library, fn = row_of(name)["library"], name.rsplit(".", 1)[1]
    if library == "torch":
        torch = peers.module("torch")
        return int(getattr(torch.nn.functional, fn)(torch.zeros(1, 2, *n), torch.zeros(wshape)).shape[1])
    if library == "jax":
        lax = peers.module("jax.lax", "jax")
        w = np.zeros(wshape, np.float32)
        if fn == "conv_general_dilated":  # channels first by default
            return int(lax.conv_general_dilated(np.zeros((1, 2, *n), np.float32), w, (1,) * nd, "VALID").shape[1])
        return int(lax.conv_transpose(np.zeros((1, *n, 2), np.float32), w, (1,) * nd, "VALID").shape[-1])
    tf = peers.module("tensorflow")
    x = np.zeros((1, *n, 2))
    if library == "keras":
        layer = tf.keras.layers.Conv2D(3, k, use_bias=False, dtype="float64")
        layer.build(x.shape)
        assert tuple(layer.kernel.shape) == wshape
        return int(layer(x).shape[-1])
    if fn.endswith("_transpose"):
        return int(getattr(tf.nn, fn)(x, np.zeros(wshape), [1, *n, 3], 1).shape[-1])
    return int(getattr(tf.nn, fn)(x, np.zeros(wshape), 1, "VALID").shape[-1])


@pytest.mark.parametrize("name", [r["function"] for r in ROWS])
def test_stated_kernel_layout_is_the_librarys(name):
    row = row_of(name)
    require(row["library"])
    layout, nd = ch6().STATED[name].layout, row["ndim"]
    call = library_call(name)
    arrays = {d: probes(d) for d in (1, 2, 3)}
    if layout == "1-D":
        assert nd == 1 and call(*arrays[1]).ndim == 1
        with pytest.raises(ValueError):
            call(*arrays[2])
    elif layout == "2-D":
        assert nd == 2 and call(*arrays[2]).ndim == 2
        for d in (1, 3):
            with pytest.raises(ValueError):
                call(*arrays[d])
    elif layout == "N-D":
        assert all(call(*arrays[d]).ndim == d for d in (1, 2, 3))
    elif layout == "axis":
        x, w = arrays[2][0], arrays[1][1]
        assert call(x, w, axis=0).shape == call(x, w, axis=-1).shape == x.shape
        assert not same(call(x, w, axis=0), call(x, w, axis=-1))
        with pytest.raises((ValueError, RuntimeError)):
            call(x, arrays[2][1])
    else:
        assert sorted(layout) == sorted("*IO"), layout
        assert _channels(name, layout, nd) == 3, f"{layout}: 2 input channels, 3 output channels"


def test_ndimage_convolve_is_correlate_of_the_flipped_kernel_with_origin_minus_one_for_even_kernels():
    """The map's explanation of scipy.ndimage's opposite 'same' sides, and that convolve does not conjugate."""
    ndimage = peers.module("scipy.ndimage", "scipy")
    x = np.array([3.0, -1, 4, 1, -5, 9, 2])
    for w in (np.array([1.0, 10]), np.array([2.0, -1, 7, 5])):
        assert same(ndimage.convolve(x, w), ndimage.correlate(x, w[::-1], origin=-1))
        assert not same(ndimage.convolve(x, w), ndimage.correlate(x, w[::-1]))
    w3 = np.array([1.0, 10, 4])
    assert same(ndimage.convolve(x, w3), ndimage.correlate(x, w3[::-1]))
    assert ndimage.convolve(np.array([0, 1, 0], complex), np.array([1j]), mode="constant").tolist() == [0, 1j, 0]
    assert ndimage.correlate(np.array([0, 1, 0], complex), np.array([1j]), mode="constant").tolist() == [0, -1j, 0]
