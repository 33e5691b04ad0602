"""The library values printed in the notes agree with the libraries themselves.

The chapters compute every value with symconv; here numpy, scipy, torch and jax recompute them.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import warnings

import numpy as np
import peers
import pytest

from symconv.writing.notes import _load, chapter_paths


@functools.cache
def chapter(prefix: str):
    path = next(p for p in chapter_paths() if p.name.startswith(prefix))
    return _load(path)


# TensorFlow runs in a subprocess (slow, noisy import; no symconv code inside the script).
_TF_SCRIPT = r"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf


def conv1d(x, w, stride=1, padding="VALID"):
    xt = tf.constant(np.asarray(x, dtype=np.float64).reshape(1, -1, 1))
    wt = tf.constant(np.asarray(w, dtype=np.float64).reshape(-1, 1, 1))
    return tf.nn.conv1d(xt, wt, stride=stride, padding=padding).numpy().reshape(-1).tolist()


def main() -> None:
    out: dict = {"version": tf.__version__}
    # the seed's snippet: f, h as in the Q&A
    out["seed"] = conv1d([2.0, 1.0, 3.0, 5.0, 4.0], [1.0, -1.0])
    out["same_even"] = conv1d([1, 2, 3, 4, 5], [1, 10], padding="SAME")
    out["same_stride"] = {
        f"{n},{k},{s}": conv1d(np.arange(1, n + 1), np.ones(k), stride=s, padding="SAME")
        for n, k, s in ((5, 3, 2), (6, 3, 2), (7, 4, 3), (8, 2, 2))
    }
    # chapter 4's numbers: L = sum(g * conv1d(x, w))
    x = tf.Variable(np.array([2, 1, 3, 5, 4], dtype=np.float64).reshape(1, 5, 1))
    w = tf.Variable(np.array([1, -1, 2], dtype=np.float64).reshape(3, 1, 1))
    g = tf.constant(np.array([1, 2, -1], dtype=np.float64).reshape(1, 3, 1))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(g * tf.nn.conv1d(x, w, stride=1, padding="VALID"))
    dx, dw = tape.gradient(loss, [x, w])
    out["grad"] = [dx.numpy().reshape(-1).tolist(), dw.numpy().reshape(-1).tolist()]
    # output lengths of unpadded, strided, dilated convolutions (explicit padding by zeros)
    lengths = {}
    for i, k, s, p, d in ((4, 3, 1, 0, 1), (5, 4, 1, 2, 1), (5, 3, 1, 1, 1), (5, 3, 1, 2, 1), (5, 3, 2, 0, 1),
                          (5, 3, 2, 1, 1), (6, 3, 2, 1, 1), (7, 3, 1, 0, 2), (8, 3, 2, 1, 2)):
        xt = tf.constant(np.pad(np.ones(i), p).reshape(1, -1, 1))
        wt = tf.constant(np.ones((k, 1, 1)))
        lengths[f"{i},{k},{s},{p},{d}"] = int(tf.nn.conv1d(xt, wt, stride=s, padding="VALID", dilations=d).shape[1])
    out["lengths"] = lengths
    # transposed convolution x=[1,2,3], w=[1,2,5], stride 2 (the gradient of a strided correlation)
    xt = tf.constant(np.array([1.0, 2.0, 3.0]).reshape(1, 3, 1))
    wt = tf.constant(np.array([1.0, 2.0, 5.0]).reshape(3, 1, 1))
    ct = tf.nn.conv1d_transpose(xt, wt, [1, 7, 1], strides=2, padding="VALID")
    out["conv_transpose"] = ct.numpy().reshape(-1).tolist()
    print(json.dumps(out))


main()
"""


@functools.cache
def tf_values() -> dict:
    peers.module("tensorflow")
    proc = subprocess.run([sys.executable, "-c", _TF_SCRIPT], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ints(v) -> list[int]:
    return [round(t) for t in v]


def test_tensorflow_seed_snippet_same_and_gradients():
    tf = tf_values()
    assert _ints(tf["seed"]) == chapter("ch2_").correlate(chapter("ch2_").F, chapter("ch2_").H).tolist()
    seed = _ints(tf["seed"])
    assert f"`np.correlate` and `tf.nn.conv1d` do not (both give {seed})" in chapter("ch2_").snippets().markdown()
    assert chapter("ch6_").same_even()["tf.nn.conv1d / jax.lax 'SAME'"] == _ints(tf["same_even"])
    md = chapter("ch6_").same_stride().markdown()
    for key, vals in tf["same_stride"].items():
        n, k, s = key.split(",")
        assert f"| {n} | {k} | {s} |" in md and str(_ints(vals)) in md, key
    dx, dw = chapter("ch4_").numeric_gradients()
    assert [dx, dw] == [_ints(v) for v in tf["grad"]]


def test_tensorflow_sizes_and_transposed_convolution():
    tf = tf_values()
    md = chapter("ch5_").sizes().markdown()
    for key, length in tf["lengths"].items():
        i, k, s, p, d = key.split(",")
        assert f"| {i} | {k} | {s} | {p} | {d} | {int(d) * (int(k) - 1) + 1} | {length} | {length} |" in md, key
    assert chapter("ch6_").jax_transpose_values()["torch conv_transpose1d"] == _ints(tf["conv_transpose"])


def test_stated_library_versions_are_the_recorded_ones():
    """The notes state the versions their library facts were measured with: the recorded ones, the same on every
    machine (tests/test_notes_libraries.py measures the facts again with the installed versions)."""
    md = chapter("ch6_").checks().markdown()
    recorded = chapter("ch6_").library_data()["measured_with"]
    for name in ("numpy", "scipy", "torch", "jax", "tensorflow", "keras"):
        assert f"{name} {recorded[name]}" in md, name


def test_chapter1_complex_example_with_numpy_scipy_and_torch():
    torch = peers.module("torch")
    scipy_signal = peers.module("scipy.signal", "scipy")
    ch1 = chapter("ch1_")
    a, v = (np.array([complex(t) for t in vec]) for vec in (ch1.A_COMPLEX, ch1.V_COMPLEX))
    vals = {k: np.array([complex(t) for t in arr.tolist()]) for k, arr in ch1.complex_values().items()}
    assert np.allclose(vals["np.correlate(a, v)"], np.correlate(a, v, "full"))
    assert np.allclose(vals["np.correlate(a, v)"], scipy_signal.correlate(a, v, "full"))
    assert np.allclose(vals["np.correlate(v, a)"], np.correlate(v, a, "full"))
    layer = torch.nn.functional.conv1d(torch.tensor(a[None, None]), torch.tensor(v[None, None]), padding=1)
    assert np.allclose(vals["layer"], layer.flatten().numpy())
    md = ch1.complex_input().markdown()
    assert "= \\overline{\\operatorname{rot180} \\texttt{np.correlate}(a, v)}" in md
    assert np.allclose(np.correlate(v, a, "full"), np.conj(np.correlate(a, v, "full")[::-1]))

    def shown(c):  # as the snippet's comments print a complex vector
        return str([complex(round(t.real), round(t.imag)) for t in c])

    assert f"np.correlate(a, v, 'full')          # {shown(np.correlate(a, v, 'full'))}" in md
    assert f"np.correlate(v, a, 'full')          # {shown(np.correlate(v, a, 'full'))}" in md
    no_conj = np.correlate(a, v.conj(), "full")
    assert np.allclose(no_conj, layer.flatten().numpy())
    assert f"np.correlate(a, v.conj(), 'full')   # {shown(no_conj)}  (no conjugation)" in md


def test_seed_data_with_torch_and_jax_layers():
    torch = peers.module("torch")
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    ch2 = chapter("ch2_")
    t = torch.nn.functional.conv1d(
        torch.tensor([[ch2.F]], dtype=torch.float64), torch.tensor([[ch2.H]], dtype=torch.float64)
    )
    j = jax.lax.conv_general_dilated(
        jnp.array([[ch2.F]], jnp.float32), jnp.array([[ch2.H]], jnp.float32), (1,), "VALID"
    )
    expect = [int(v) for v in t.flatten().tolist()]
    assert expect == [int(v) for v in np.asarray(j).flatten()] == [1, -2, -2, 1]
    assert f"(both give {expect})" in ch2.snippets().markdown()


def test_size_table_lengths_with_torch():
    torch = peers.module("torch")
    md = chapter("ch5_").sizes().markdown()
    for i, k, s, p, d, _case in chapter("ch5_").CASES:
        y = torch.nn.functional.conv1d(torch.ones(1, 1, i), torch.ones(1, 1, k), stride=s, padding=p, dilation=d)
        n = y.shape[-1]
        assert f"| {i} | {k} | {s} | {p} | {d} | {d * (k - 1) + 1} | {n} | {n} |" in md


def test_seed_snippet_kernel_numbers_with_numpy():
    ch2 = chapter("ch2_")
    f, h2 = np.array(ch2.F), np.array(ch2.H2_SNIPPET)
    text = ch2.errata().markdown()
    assert str(np.convolve(f, h2, "valid").tolist()) in text
    assert str(np.correlate(f, h2, "valid").tolist()) in text
    assert ch2.claimed(ch2.passage("Example 1", "Notes")) == [
        np.convolve(ch2.F, ch2.H, "valid").tolist(),
        np.correlate(ch2.F, ch2.H, "valid").tolist(),
    ]


def test_same_alignment_with_numpy_and_scipy():
    scipy_signal = peers.module("scipy.signal", "scipy")
    vals = chapter("ch6_").same_even()
    x, w = np.array(chapter("ch6_").X), np.array(chapter("ch6_").W)
    assert vals["numpy.correlate"] == np.correlate(x, w, "same").tolist()
    assert vals["numpy.convolve"] == np.convolve(x, w, "same").tolist()
    assert vals["scipy.signal.correlate"] == scipy_signal.correlate(x, w, "same").tolist()
    assert vals["scipy.signal.correlate2d"] == scipy_signal.correlate2d([x], [w], "same")[0].tolist()


def test_same_alignment_with_torch_and_jax():
    torch = peers.module("torch")
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    vals = chapter("ch6_").same_even()
    x, w = chapter("ch6_").X, chapter("ch6_").W
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Using padding='same' with even kernel", UserWarning)
        t = torch.nn.functional.conv1d(
            torch.tensor([[x]], dtype=torch.float64), torch.tensor([[w]], dtype=torch.float64), padding="same"
        )
    assert vals["torch conv1d(padding='same')"] == [int(v) for v in t.flatten().tolist()]
    j = jax.lax.conv_general_dilated(
        jnp.array([[x]], dtype=jnp.float32), jnp.array([[w]], dtype=jnp.float32), window_strides=(1,), padding="SAME"
    )
    assert vals["tf.nn.conv1d / jax.lax 'SAME'"] == [int(v) for v in np.asarray(j).flatten().tolist()]
    assert vals["numpy.convolve"] == [int(v) for v in np.asarray(jnp.convolve(jnp.array(x), jnp.array(w), "same"))]


@pytest.mark.parametrize(("n", "k", "s"), [(5, 3, 2), (6, 3, 2), (7, 4, 3), (8, 2, 2)])
def test_same_with_stride_matches_jax(n, k, s):
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    ch6 = chapter("ch6_")
    lo, hi = ch6.tf_same_padding(n, k, s)
    x = np.arange(1, n + 1, dtype=np.float32)
    ref = jax.lax.conv_general_dilated(jnp.array([[x]]), jnp.ones((1, 1, k), jnp.float32), (s,), "SAME")
    explicit = jax.lax.conv_general_dilated(jnp.array([[x]]), jnp.ones((1, 1, k), jnp.float32), (s,), [(lo, hi)])
    assert np.asarray(ref).tolist() == np.asarray(explicit).tolist()
    assert f"({lo}, {hi})" in ch6.same_stride().markdown()


def test_boundary_modes_with_torch_and_ndimage():
    torch = peers.module("torch")
    ndimage = peers.module("scipy.ndimage", "scipy")
    scipy_signal = peers.module("scipy.signal", "scipy")
    vals = chapter("ch6_").boundary_values()
    x, w = np.arange(1, 6, dtype=np.float64), np.arange(1, 6, dtype=np.float64)
    assert (x.tolist(), w.tolist()) == (chapter("ch6_").BX, chapter("ch6_").BW)
    assert len(set(map(tuple, vals.values()))) == 5, "the example must tell every boundary mode apart"
    xt, wt = torch.tensor(x[None, None]), torch.tensor(w[None, None])
    for mode in ("zeros", "reflect", "replicate", "circular"):
        conv = torch.nn.Conv1d(1, 1, 5, padding=2, padding_mode=mode, bias=False, dtype=torch.float64)
        with torch.no_grad():
            conv.weight.copy_(wt)
            assert vals[mode] == [int(v) for v in conv(xt).flatten().tolist()], mode
    for ours, theirs in (
        ("zeros", "constant"),
        ("reflect", "mirror"),
        ("replicate", "nearest"),
        ("circular", "wrap"),
        ("symmetric", "reflect"),
    ):
        assert vals[ours] == ndimage.correlate1d(x, w, mode=theirs).astype(int).tolist(), ours
    for ours, boundary in (("zeros", "fill"), ("circular", "wrap"), ("symmetric", "symm")):
        got = scipy_signal.correlate2d([x], [w], "same", boundary=boundary)[0]
        assert vals[ours] == got.astype(int).tolist(), ours


def test_jax_conv_transpose_flips_nothing_by_default():
    torch = peers.module("torch")
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    vals = chapter("ch6_").jax_transpose_values()
    x, w = jnp.array([[[1.0, 2.0, 3.0]]]), jnp.array([[[1.0, 2.0, 5.0]]])
    dn = ("NCH", "OIH", "NCH")
    plain = jax.lax.conv_transpose(x, w, (2,), "VALID", dimension_numbers=dn)
    flipped = jax.lax.conv_transpose(x, w, (2,), "VALID", dimension_numbers=dn, transpose_kernel=True)
    assert vals["jax.lax.conv_transpose (transpose_kernel=False)"] == [int(v) for v in np.asarray(plain).flatten()]
    assert vals["jax.lax.conv_transpose (transpose_kernel=True)"] == [int(v) for v in np.asarray(flipped).flatten()]
    t = torch.nn.functional.conv_transpose1d(
        torch.tensor([[[1.0, 2.0, 3.0]]]), torch.tensor([[[1.0, 2.0, 5.0]]]), stride=2
    )
    assert vals["torch conv_transpose1d"] == [int(v) for v in t.flatten().tolist()]


def test_chapter4_gradients_with_torch_autograd_and_jax_grad():
    torch = peers.module("torch")
    jax = peers.module("jax")
    jnp = peers.module("jax.numpy", "jax")
    ch4 = chapter("ch4_")
    dx, dw = ch4.numeric_gradients()
    x = torch.tensor([[ch4.X]], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([[ch4.W]], dtype=torch.float64, requires_grad=True)
    (torch.nn.functional.conv1d(x, w) * torch.tensor([[ch4.G]], dtype=torch.float64)).sum().backward()
    assert dx == [int(v) for v in x.grad.flatten().tolist()]
    assert dw == [int(v) for v in w.grad.flatten().tolist()]

    def loss(xx, ww):
        y = jax.lax.conv_general_dilated(xx, ww, (1,), "VALID")
        return (y * jnp.array([[ch4.G]], dtype=jnp.float32)).sum()

    gx, gw = jax.grad(loss, argnums=(0, 1))(jnp.array([[ch4.X]], jnp.float32), jnp.array([[ch4.W]], jnp.float32))
    assert dx == [int(v) for v in np.asarray(gx).flatten()]
    assert dw == [int(v) for v in np.asarray(gw).flatten()]
    assert f"{dx}" in ch4.table().markdown() and f"{dw}" in ch4.table().markdown()


def test_complex_kernels_with_numpy_and_torch():
    torch = peers.module("torch")
    ch3 = chapter("ch3_")
    md = ch3.complex_kernels().markdown()
    x = np.array([1, 2j, 3, -1j])
    for v, np_equal, layer_equal in (([1 + 1j, 2, 1 - 1j], True, False), ([1j, 1, 1j], False, True)):
        v = np.array(v)
        assert np.allclose(np.convolve(x, v, "valid"), np.correlate(x, v, "valid")) == np_equal
        t = torch.nn.functional.conv1d(torch.tensor(x[None, None]), torch.tensor(v[None, None])).flatten().numpy()
        assert np.allclose(np.convolve(x, v, "valid"), t) == layer_equal
    assert "| yes | no |" in md and "| no | yes |" in md


def test_transposed_direct_form_rows_with_torch():
    torch = peers.module("torch")
    md = chapter("ch5_").transposed_conv().markdown()
    rng = np.random.default_rng(1)
    for n_in, k, s, p, d, op in ((3, 3, 2, 0, 1, 0), (3, 3, 2, 1, 1, 1), (4, 2, 3, 1, 2, 2), (2, 3, 1, 1, 1, 0)):
        x, w = rng.integers(-5, 6, n_in).astype(float), rng.integers(-5, 6, k).astype(float)
        ref = (
            torch.nn.functional.conv_transpose1d(
                torch.tensor(x[None, None]),
                torch.tensor(w[None, None]),
                stride=s,
                padding=p,
                output_padding=op,
                dilation=d,
            )
            .flatten()
            .numpy()
        )
        z = np.zeros((n_in - 1) * s + 1)
        z[::s] = x
        pad = d * (k - 1) - p
        zp = np.concatenate([np.zeros(pad), z, np.zeros(pad + op)])
        wd = np.zeros(d * (k - 1) + 1)
        wd[::d] = w[::-1]
        direct = np.correlate(zp, wd, "valid")
        assert np.allclose(direct, ref)
        assert f"| {n_in} | {k} | {s} | {p} | {d} | {op} | {len(ref)} | yes | no |" in md
