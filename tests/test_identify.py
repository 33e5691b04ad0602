"""``symconv.identify``: probing black-box functions, reported exactly, never forced.

The expected facts come from the libraries' documentation and from hand computation (see each
test), never from symconv: e.g. numpy's 'same' correlation of [1, 2, 3, 4, 5] with [1, 10] is
[10, 21, 32, 43, 54] (the window starts one sample before x: an even kernel's extra zero at the
START), PyTorch's is [21, 32, 43, 54, 5] (extra zero at the END).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import peers
import pytest
import sympy
from numpy.lib.stride_tricks import sliding_window_view

import symconv as sc
from symconv import SymconvError
from symconv.identification import PRESETS, Identification, identify, library_table
from symconv.testing import assert_computes

# -- independent oracles (plain numpy, no symconv) -------------------------------------------------


def corr_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """N-D valid cross-correlation, no flip, no conjugation: y[n] = Σ_k x[n + k] w[k]."""
    return (sliding_window_view(x, w.shape) * w).sum(axis=tuple(range(-w.ndim, 0)))


def padded_same(mode: str):
    """'same' correlation with an even kernel's extra sample at the END, numpy.pad's boundary ``mode``."""

    def fn(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        k = len(w)
        return corr_valid(np.pad(x, ((k - 1) // 2, k // 2), mode=mode), w)

    return fn


def at(expr: sympy.Expr, k: int) -> int:
    """A rule in the kernel size K, evaluated at K = k."""
    return int(expr.subs({s: k for s in expr.free_symbols}))


def side(r: Identification, axis: int = 0) -> str:
    """Where a 'same' window puts an even kernel's extra zero: start (p_lo = 1 at K = 2) or end (p_lo = 0)."""
    lo = r.axes[axis].pad_lo
    assert lo is not None
    return {0: "end", 1: "start"}[at(lo, 2)]


# -- presets ----------------------------------------------------------------------------------------

# name: (peer, operation, default mode, conjugates a complex kernel, boundary, 'same' even-kernel side)
# from each library's documentation: numpy.correlate and scipy.signal's correlations conjugate in2 /
# v, scipy.ndimage.correlate conjugates complex weights (scipy >= 1.6), PyTorch, TensorFlow and
# jax.lax correlate without conjugating (TensorFlow's conv rejects complex dtypes), scipy.ndimage's
# default mode 'reflect' is the edge-repeating ("symmetric") extension, conv_transpose with stride 1
# and no padding is the full convolution.
FACTS = {
    "numpy.convolve": ("numpy", "convolution", "full", False, "zeros", "start"),
    "numpy.correlate": ("numpy", "correlation", "valid", True, "none", "start"),
    "scipy.signal.convolve": ("scipy", "convolution", "full", False, "zeros", "start"),
    "scipy.signal.correlate": ("scipy", "correlation", "full", True, "zeros", "start"),
    "scipy.signal.fftconvolve": ("scipy", "convolution", "full", False, "zeros", "start"),
    "scipy.signal.oaconvolve": ("scipy", "convolution", "full", False, "zeros", "start"),
    "scipy.signal.convolve2d": ("scipy", "convolution", "full", False, "zeros", "start"),
    "scipy.signal.correlate2d": ("scipy", "correlation", "full", True, "zeros", "end"),
    "scipy.ndimage.convolve": ("scipy", "convolution", "same", False, "symmetric", "end"),
    "scipy.ndimage.correlate": ("scipy", "correlation", "same", True, "symmetric", "start"),
    "scipy.ndimage.convolve1d": ("scipy", "convolution", "same", False, "symmetric", "end"),
    "scipy.ndimage.correlate1d": ("scipy", "correlation", "same", True, "symmetric", "start"),
    "torch.nn.functional.conv1d": ("torch", "correlation", "valid", False, "none", "end"),
    "torch.nn.functional.conv2d": ("torch", "correlation", "valid", False, "none", "end"),
    "torch.nn.functional.conv3d": ("torch", "correlation", "valid", False, "none", None),
    "torch.nn.functional.conv_transpose1d": ("torch", "convolution", "full", False, "zeros", None),
    "torch.nn.functional.conv_transpose2d": ("torch", "convolution", "full", False, "zeros", None),
    "jax.lax.conv_general_dilated": ("jax", "correlation", "valid", False, "none", "end"),
    "jax.numpy.convolve": ("jax", "convolution", "full", False, "zeros", "start"),
    "jax.numpy.correlate": ("jax", "correlation", "valid", True, "none", "start"),
    "tensorflow.nn.conv1d": ("tensorflow", "correlation", "valid", None, "none", "end"),
    "tensorflow.nn.conv2d": ("tensorflow", "correlation", "valid", None, "none", "end"),
}


@functools.cache
def identified(name: str, mode: str | None = None) -> Identification:
    return identify(name, mode=mode)


def test_every_preset_has_its_facts():
    assert set(FACTS) == set(PRESETS)


@pytest.mark.parametrize("name", list(FACTS))
def test_every_preset_is_identified(name):
    peer, operation, mode, conjugate, boundary, same = FACTS[name]
    peers.module(peer)
    r = identified(name)
    assert r.operation == operation, r.description
    assert (r.mode, r.conjugate, r.boundary, r.stride, r.dilation) == (mode, conjugate, boundary, 1, 1), str(r)
    assert r.bilinear is True and r.exact is True
    assert r.flip_every_axis is (operation == "convolution")
    assert r.ndim == PRESETS[name].ndims[0] and len(r.axes) == r.ndim
    offsets = {"valid": [4, 3, 1, 2], "full": [0, 0, 0, 0]}  # y[0] = full[K - 1] (valid) or full[0] (full)
    if mode in offsets:
        assert [at(r.axes[0].offset, k) for k in (5, 4, 2, 3)] == offsets[mode]
    if same is not None:
        rs = r if mode == "same" else identified(name, "same")
        assert rs.mode == "same" and all(side(rs, a) == same for a in range(rs.ndim)), str(rs)


def test_numpy_and_scipy_same_windows_differ_for_even_kernels():
    """numpy.correlate(x, [1, 10], 'same') = [10, 21, …] starts before x; correlate2d's [21, …, 5] at x[0]."""
    peers.module("scipy")
    assert np.correlate([1, 2, 3, 4, 5], [1, 10], "same").tolist() == [10, 21, 32, 43, 54]
    assert side(identified("numpy.correlate", "same")) == "start"
    assert side(identified("scipy.signal.correlate2d", "same")) == "end"
    assert side(identified("scipy.signal.correlate", "same")) == "start"


def test_scipy_ndimage_correlate_conjugates_complex_weights():
    """The course notes' table says 'no'; the library: ndimage.correlate([0, 1, 0], [1j]) = [0, -1j, 0]."""
    ndimage = peers.module("scipy.ndimage", "scipy")
    assert ndimage.correlate(np.array([0, 1, 0], complex), np.array([1j]), mode="constant").tolist() == [0, -1j, 0]
    r = identified("scipy.ndimage.correlate")
    assert r.conjugate is True
    assert any(e.decides == "conjugate" and e.observed.endswith("= -1j") for e in r.evidence)


def test_numpy_correlate_conjugates_its_second_argument_and_torch_jax_tf_do_not():
    assert np.correlate([1j], [1j]).tolist() == [1]  # i·conj(i) = 1
    assert identified("numpy.correlate").conjugate is True
    peers.module("torch")
    assert identified("torch.nn.functional.conv1d").conjugate is False
    peers.module("jax")
    assert identified("jax.lax.conv_general_dilated").conjugate is False
    peers.module("tensorflow")
    tf = identified("tensorflow.nn.conv1d")
    assert tf.operation == "correlation" and tf.conjugate is None
    assert any(e.decides == "conjugate" and "raised" in e.observed for e in tf.evidence)


def test_preset_options_boundary():
    peers.module("scipy")
    pairs = [("mirror", "reflect"), ("nearest", "replicate"), ("wrap", "circular"), ("constant", "zeros")]
    for boundary, name in pairs:
        assert identify("scipy.ndimage.correlate1d", boundary=boundary).boundary == name
    assert identify("scipy.signal.correlate2d", mode="same", boundary="symm").boundary == "symmetric"


def test_missing_library_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    with pytest.raises(SymconvError, match=r"preset 'tensorflow.nn.conv1d' needs tensorflow, which is not installed"):
        identify("tensorflow.nn.conv1d")


# -- user functions, each reported exactly --------------------------------------------------------------


def test_a_shifted_same_window_is_reported_with_its_offset():
    def shifted(x, w):  # numpy's 'same' window moved one sample to the right
        k = len(w)
        full = np.correlate(x, w, "full")
        return full[(k - 1) // 2 + 1 : (k - 1) // 2 + 1 + len(x)]

    r = identify(shifted)
    assert r.operation == "correlation" and r.mode is None
    assert [at(r.offset, k) for k in (2, 3, 4, 5)] == [1, 2, 2, 3]  # numpy's 'same' offset (K-1)//2, plus 1
    assert "no standard mode" in r.description
    assert r.text_formula() == "y[n] += x[n + k - ⌈(K - 1)/2⌉ + 1]·conj(w)[k],  0 ≤ n < N"


def test_a_dropped_conjugation_is_reported():
    def no_conj(x, w):
        return np.correlate(x, np.conj(w), "valid")

    r = identify(no_conj)
    assert (r.operation, r.mode, r.conjugate) == ("correlation", "valid", False)
    with pytest.raises(AssertionError, match=r"conjugate: expected True, identified False"):
        assert_computes(no_conj, "correlation", mode="valid", conjugate=True)


def test_a_flip_on_one_axis_only_is_neither():
    def flip0(x, w):
        return corr_valid(x, w[::-1, :])

    r = identify(flip0, 2)
    assert r.operation is None and r.flip_every_axis is False
    assert [a.operation for a in r.axes] == ["convolution", "correlation"]
    assert [a.flip for a in r.axes] == [True, False]
    assert r.mode == "valid" and r.conjugate is False
    assert "flipped on axis 0 only" in r.description
    assert r.text_formula().startswith("y[n_0, n_1] += x[n_0 + k_0, n_1 + k_1]·w[K_0 - 1 - k_0, k_1]")


def test_a_flip_on_every_axis_is_convolution_in_3d():
    r = identify(lambda x, w: corr_valid(x, w[::-1, ::-1, ::-1]), 3)
    assert (r.operation, r.mode, r.flip_every_axis, r.boundary) == ("convolution", "valid", True, "none")
    assert r.text_formula() == (
        "y[n_0, n_1, n_2] += x[n_0 + k_0, n_1 + k_1, n_2 + k_2]·w[K_0 - 1 - k_0, K_1 - 1 - k_1, K_2 - 1 - k_2],  "
        "0 ≤ n_0 < N_0 - K_0 + 1, 0 ≤ n_1 < N_1 - K_1 + 1, 0 ≤ n_2 < N_2 - K_2 + 1"
    )


def test_a_moving_sum_that_ignores_the_kernel_is_not_bilinear():
    r = identify(lambda x, w: np.convolve(x, np.ones(len(w)), "valid"))
    assert r.operation is None and r.bilinear is False
    assert "ignores the kernel" in r.description
    assert r.evidence[-1].decides == "bilinear" and "fn(x, 0)" in r.evidence[-1].probe
    assert r.latex() is None and r.text_formula() is None


def test_a_nonlinear_function_is_reported_with_the_probe():
    r = identify(lambda x, w: np.correlate(x, w) ** 2)
    assert r.operation is None and r.bilinear is False
    assert r.description == "not a correlation or convolution: not homogeneous in x: fn(-2·x, w) ≠ -2·fn(x, w)"
    ev = r.evidence[-1]
    got, want = (int(v) for v in ev.observed.replace("[0] = ", "").split(", expected "))
    assert got == -2 * want  # (−2)² = 4 times the output, not −2 times


def test_a_bias_is_affine_not_linear():
    r = identify(lambda x, w: np.correlate(x, w) + 1)
    assert r.operation is None and "fn(0, w) ≠ 0" in r.description


def test_a_window_that_depends_on_the_input_length_is_not_forced():
    def parity(x, w):
        return np.correlate(x, w, "valid" if len(x) % 2 else "full")

    r = identify(parity)
    assert r.operation is None and r.mode is None and r.offset is None
    assert "depends on the sizes" in r.description and "p_lo follows no rule" in r.description


def test_an_output_length_fixed_regardless_of_sizes_is_not_forced():
    r = identify(lambda x, w: np.convolve(x, w, "valid")[:3])
    assert r.operation is None and "p_hi (the output length) follows no rule" in r.description


def test_a_scaled_correlation_is_not_a_correlation():
    r = identify(lambda x, w: 2 * np.correlate(x, w))
    assert r.operation is None and "2 times a correlation" in r.description


def test_a_mean_filter_is_not_exact():
    r = identify(lambda x, w: np.correlate(x, w) / len(w))
    assert r.operation is None and r.exact is False and "not exact" in r.description


def test_tight_tolerance_for_float_noise():
    assert identify(lambda x, w: np.correlate(x, w) + 1e-10).operation == "correlation"
    assert identify(lambda x, w: np.correlate(x, w) + 1e-3).exact is False


def test_mixing_entries_across_axes_is_not_one_operation():
    def shear(x, w):  # y[m0, m1] = Σ x[m0 + k0, m1 + k0 + k1] w[k0, k1]
        (n0, n1), (k0, k1) = x.shape, w.shape
        m0, m1 = n0 - k0 + 1, n1 - (k0 - 1) - (k1 - 1)
        y = np.zeros((m0, m1), dtype=np.result_type(x, w))
        for a in range(k0):
            for b in range(k1):
                y += x[a : a + m0, a + b : a + b + m1] * w[a, b]
        return y

    r = identify(shear, 2)
    assert r.operation is None and r.bilinear is True
    assert "several inputs" in r.description


def test_reversed_output_is_not_a_correlation():
    r = identify(lambda x, w: np.correlate(x, w)[::-1])
    assert r.operation is None and "backwards" in r.description


@pytest.mark.parametrize(
    ("pad", "boundary"),
    [
        ("constant", "zeros"),
        ("reflect", "reflect"),
        ("symmetric", "symmetric"),
        ("edge", "replicate"),
        ("wrap", "circular"),
    ],
)
def test_boundaries_from_numpy_pad(pad, boundary):
    r = identify(padded_same(pad))
    assert (r.operation, r.mode, r.boundary) == ("correlation", "same", boundary), str(r)
    assert side(r) == "end" and r.conjugate is False
    assert any(e.decides == "boundary" and "outside x" in e.observed for e in r.evidence)


def test_stride_and_dilation():
    assert identify(lambda x, w: np.correlate(x, w)[::2]).stride == 2

    def dilated(x, w):
        wd = np.zeros(2 * len(w) - 1, dtype=w.dtype)
        wd[::2] = w
        return corr_valid(x, wd)

    r = identify(dilated)
    assert (r.operation, r.mode, r.dilation, r.stride) == ("correlation", "valid", 2, 1)
    assert r.text_formula() == "y[n] += x[n + 2k]·w[k],  0 ≤ n < N - 2K + 2"


def test_per_axis_strides():
    r = identify(lambda x, w: corr_valid(x, w)[::2, :], 2)
    assert r.operation == "correlation" and r.stride == (2, 1) and r.mode == "valid"
    assert [a.stride for a in r.axes] == [2, 1]


def test_conjugating_the_input_instead_of_the_kernel():
    r = identify(lambda x, w: corr_valid(np.conj(x), w))
    assert r.operation == "correlation" and r.conjugate is None
    assert "the input x is conjugated" in r.description


def test_a_function_that_drops_the_imaginary_part():
    r = identify(lambda x, w: corr_valid(np.asarray(x, dtype=float), np.asarray(w, dtype=float)))
    assert r.operation == "correlation" and r.conjugate is None
    assert r.evidence[-1].decides == "conjugate"


def test_an_output_shape_that_depends_on_the_values():
    r = identify(lambda x, w: np.trim_zeros(np.correlate(x, w)))
    assert r.operation is None and "depends on the values" in r.description


# -- the result object -------------------------------------------------------------------------------


def test_json_markdown_latex():
    r = identify(np.convolve)
    d = json.loads(r.to_json())
    assert d["operation"] == "convolution" and d["mode"] == "full" and d["offset"] == 0
    assert d["conjugate"] is False and d["boundary"] == "zeros" and d["axes"][0]["pad_lo"] == "K - 1"
    assert {e["decides"] for e in d["evidence"]} >= {"bilinear", "operation", "stride", "boundary", "conjugate"}
    assert d["sizes"][0] == {"x": [9], "w": [5]}
    assert r.latex() == r"y[n] \mathrel{+}= x[n + k - K + 1] \cdot w[K - 1 - k], \quad 0 \le n < N + K - 1"
    md = r._repr_markdown_()
    assert "| operation | convolution |" in md and "$$" in md and "Evidence:" in md
    assert str(r).splitlines()[0].startswith("numpy.convolve: convolution (kernel flipped on every axis); mode 'full'")
    failed = identify(lambda x, w: np.correlate(x, w) ** 2)
    assert json.loads(failed.to_json())["latex"] is None and "Evidence" in failed._repr_markdown_()


def test_symconv_identify_is_exported():
    assert sc.identify is identify and "identify" in sc.__all__


def test_user_module_target(tmp_path, monkeypatch):
    (tmp_path / "symconv_user_filters_xyz.py").write_text(
        "import numpy as np\n\ndef smooth(x, w):\n    return np.convolve(x, w, 'same')\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "symconv_user_filters_xyz", raising=False)
    r = identify("symconv_user_filters_xyz:smooth")
    assert (r.target, r.operation, r.mode) == ("symconv_user_filters_xyz:smooth", "convolution", "same")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((42,), {}, r"`fn` must be a callable fn\(x, w\) or a preset name; got int"),
        ((np.convolve,), {"ndim": 0}, r"`ndim` must be a positive integer; got 0"),
        ((np.convolve,), {"ndim": 4}, r"`ndim` must be 1, 2 or 3 \(or give `sizes`\); got ndim=4"),
        ((np.convolve,), {"ndim": 2}, r"`fn` \(numpy.convolve\) must accept numpy arrays x of shape \(8, 7\)"),
        ((np.convolve,), {"sizes": []}, r"`sizes` must hold at least one"),
        ((np.convolve,), {"sizes": [((5,), (0,))]}, r"`sizes` entries must be pairs of 1-axis shapes"),
        ((np.convolve,), {"sizes": [((1000,), (1000,))]}, r"`sizes` need 1000000 impulse calls"),
        ((np.convolve,), {"mode": "same"}, r"`mode` and `boundary` are options of presets"),
        (("numpy.convolv",), {}, r"unknown preset 'numpy.convolv'; did you mean numpy.convolve"),
        (("numpy.convolve",), {"ndim": 2}, r"preset 'numpy.convolve' takes ndim=1; got ndim=2"),
        (("numpy.convolve",), {"mode": "circular"}, r"`mode` must be one of 'full', 'same', 'valid'"),
        (("numpy.convolve",), {"boundary": "wrap"}, r"`boundary` must be one of none"),
        (("no_such_module_symconv_xyz:f",), {}, r"cannot import module 'no_such_module_symconv_xyz'"),
        (("numpy:no_such_function",), {}, r"module 'numpy' has no attribute 'no_such_function'"),
        (("numpy:pi",), {}, r"'numpy:pi' must be a function fn\(x, w\); got a float"),
        (("os:system('echo hi')",), {}, r"MODULE:FUNCTION with dotted Python names"),
        ((lambda x, w: np.correlate(x, w)[:0],), {}, r"returned an empty array for x of shape \(9,\)"),
    ],
)
def test_bad_input_is_a_clear_error(args, kwargs, message):
    with pytest.raises(SymconvError, match=message):
        identify(*args, **kwargs)


def test_custom_sizes():
    r = identify(np.correlate, sizes=[(9, 3), (8, 2), (10, 4)])
    assert r.sizes == (((9,), (3,)), ((8,), (2,)), ((10,), (4,))) and r.mode == "valid"


# -- assert_computes and the library table -----------------------------------------------------------------


def test_assert_computes_passes_and_fails_readably():
    assert_computes(np.convolve, "convolution", mode="full", offset=0, stride=1, conjugate=False, boundary="zeros")
    assert_computes("numpy.correlate", "correlation", mode="valid", offset=sympy.Symbol("K") - 1, conjugate=True)
    with pytest.raises(AssertionError) as info:
        assert_computes(lambda x, w: np.correlate(x, w, "same"), "correlation", mode="same", offset=1)
    text = str(info.value)
    assert "offset: expected 1, identified '⌊(K - 1)/2⌋'" in text and "identified: correlation" in text
    with pytest.raises(AssertionError, match=r"operation: expected 'correlation', identified None"):
        assert_computes(lambda x, w: np.correlate(x, w) ** 2, "correlation")
    with pytest.raises(SymconvError, match=r"`operation` must be one of 'correlation', 'convolution'; got 'conv'"):
        assert_computes(np.convolve, "conv")
    with pytest.raises(SymconvError, match=r"`mode` must be one of"):
        assert_computes(np.convolve, "convolution", mode="SAME")


def test_testing_imports_without_hypothesis():
    code = "import sys; sys.modules['hypothesis'] = None; import symconv.testing; print(symconv.testing.__all__)"
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "'assert_computes'" in out.stdout and "'signals'" in out.stdout


def test_library_table_rows_are_measured():
    rows = {r.function: r for r in library_table(["numpy.convolve", "numpy.correlate"])}
    assert rows["numpy.correlate"].cells() == [
        "numpy.correlate",
        "correlation",
        "valid",
        "extra zero at the start",
        "yes",
        "none",
    ]
    assert rows["numpy.convolve"].default_mode == "full" and rows["numpy.convolve"].conjugates == "no"
    peers.module("scipy")
    nd = library_table(["scipy.ndimage.correlate", "scipy.signal.correlate2d"])
    assert [r.conjugates for r in nd] == ["yes", "yes"]
    assert nd[1].same_even_kernel == "extra zero at the END"


def test_library_table_skips_missing_libraries(monkeypatch):
    from symconv.identification import _table as table

    monkeypatch.setattr(table, "_installed", lambda package: package == "numpy")
    assert [r.function for r in library_table()] == ["numpy.convolve", "numpy.correlate"]
