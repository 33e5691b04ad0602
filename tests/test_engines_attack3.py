"""Adversarial tests of the exact engine's equality rules (mirrored cancellation, canonical layouts,
coefficient tables) against an oracle written here.

Oracle: every contraction is expanded by plain loops over its loop box (an index read out of range drops the
term), into a Counter ``(result position, sorted monomial) -> coefficient``; a ``structure`` entry is replaced
by its signed label. Contractions are built by hand from random affine index maps (any coefficients, constants,
extents 1…4), and rewritten into TRUE variants (loop variables permuted, reflected ``v -> E - 1 - v``, a
structured operand read through its mirror) and perturbed ones (a constant moved by one); the sides take random
integer coefficients, including ones at the int8/int16/int64 boundaries and ones that cancel.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import SymconvError, check_exact
from symconv.core.affine import Affine
from symconv.core.formula import Boundary, Contraction, ConvSpec, Factor, Operand, Var, forward
from symconv.gradients.grad import grad_contraction

# -- building contractions from integer maps ------------------------------------------------------------------

# a map: (coefficients per loop variable, constant); a spec: (extents, {array name: (shape, [maps per axis])})


def _affine(coef, const, names):
    out = Affine.constant(const)
    for c, n in zip(coef, names):
        if c:
            out = out + Affine.var(n) * c
    return out


def _bounds(spec_bounds):
    if not spec_bounds or all(b is None for b in spec_bounds):
        return None
    return tuple(None if b is None else Boundary(b[0], _int(b[1]), _int(b[2])) for b in spec_bounds)


def build(extents, arrays, bounds=None):
    """A concrete contraction: ``arrays[""]`` is the result, the others the factors (in order); ``bounds``
    maps an array name to one ``(mode, lo, hi)`` or None per axis (a padded, folded axis)."""
    bounds = bounds or {}
    names = [f"v{j}" for j in range(len(extents))]
    rshape, rmaps = arrays[""]
    factors, operands = [], []
    for name, (shape, maps) in arrays.items():
        if name == "":
            continue
        factors.append(
            Factor(
                name,
                tuple(_affine(c, k, names) for c, k in maps),
                conjugate=name in bounds.get("conj", ()),
                boundary=_bounds(bounds.get(name)),
            )
        )
        operands.append(Operand(name, tuple(map(_int, shape))))
    return Contraction(
        "t",
        Operand("y", tuple(map(_int, rshape))),
        tuple(_affine(c, k, names) for c, k in rmaps),
        tuple(Var(n, _int(e)) for n, e in zip(names, extents)),
        tuple(factors),
        tuple(operands),
        result_boundary=_bounds(bounds.get("")),
    )


def _int(v):
    return sympy.Integer(int(v))


def fold_one(i, n, mode):
    """A padded position folded into [0, n), by cases (written here, not symconv's)."""
    while not 0 <= i < n:
        if mode == "circular":
            i = i + n if i < 0 else i - n
        elif mode == "replicate":
            i = 0 if i < 0 else n - 1
        elif mode == "reflect":
            if n == 1:
                return 0
            i = -i if i < 0 else 2 * (n - 1) - i
        else:  # symmetric
            i = -1 - i if i < 0 else 2 * n - 1 - i
    return i


def expand(extents, arrays, structure=None, bounds=None):
    """The oracle: the contraction's monomials by plain loops (folds and structure substituted)."""
    out: Counter = Counter()
    structure = structure or {}
    bounds = bounds or {}
    for point in itertools.product(*(range(e) for e in extents)):
        reads = {}
        ok = True
        for name, (shape, maps) in arrays.items():
            bnd = bounds.get(name) or (None,) * len(shape)
            idx = []
            for (coef, k), n, b in zip(maps, shape, bnd):
                i = k + sum(c * v for c, v in zip(coef, point))
                if b is None:
                    ok = ok and 0 <= i < n
                else:
                    ok = ok and n > 0 and -b[1] <= i < n + b[2]  # an empty axis has nothing to fold into
                    i = fold_one(i, n, b[0]) if ok else i
                idx.append(i)
            if not ok:
                break
            reads[name] = tuple(idx)
        if not ok:
            continue
        sign, mono = 1, []
        for name, idx in reads.items():
            if name == "":
                continue
            var = f"conj({name})" if name in bounds.get("conj", ()) else name  # conj(w): a variable of its own
            if name in structure:
                lab = int(structure[name][idx])
                sign *= int(np.sign(lab))
                mono.append((var, ("label", abs(lab))))
            else:
                mono.append((var, idx))
        if sign:
            out[(reads[""], tuple(sorted(mono)))] += sign
    return out


def oracle(lhs, rhs, structure=None):
    total: Counter = Counter()
    for sgn, side in ((1, lhs), (-1, rhs)):
        for c, spec in side:
            for k, v in expand(spec[0], spec[1], structure, spec[2]).items():
                total[k] += sgn * c * v
    return all(v == 0 for v in total.values())


def engine(lhs, rhs, structure=None):
    left = [(c, build(*spec)) for c, spec in lhs]
    right = [(c, build(*spec)) for c, spec in rhs]
    res = check_exact(left, right, structure=structure, progress=False)
    if not res.holds and not structure:
        named_difference(lhs, rhs, res.counterexample)
    return res.holds


_MESSAGE = re.compile(
    r"at result index \(([-\d, ]*)\): coefficient of (\S+) is (-?\d+) on the left, (-?\d+) on the right"
)


def named_difference(lhs, rhs, message):
    """A refutation names a monomial whose two coefficients are the oracle's, and differ."""
    m = _MESSAGE.fullmatch(message or "")
    assert m, message
    at = tuple(int(t) for t in m.group(1).replace(" ", "").split(",") if t)
    mono = []
    for part in m.group(2).split("*"):
        name, idx = part[:-1].split("[", 1) if part.endswith("]") else (part, "")
        mono.append((name, tuple(int(t) for t in idx.split(",") if t)))
    key = (at, tuple(sorted(mono)))
    got = []
    for side in (lhs, rhs):
        total = 0
        for c, spec in side:
            total += c * expand(spec[0], spec[1], None, spec[2]).get(key, 0)
        got.append(total)
    assert got == [int(m.group(3)), int(m.group(4))] and got[0] != got[1], (message, got)


# -- true rewrites ----------------------------------------------------------------------------------------------


def permute(spec, perm):
    """Loop variable j becomes variable perm[j]: the same terms."""
    extents, arrays, bounds = spec
    new_ext = [0] * len(extents)
    for j, p in enumerate(perm):
        new_ext[p] = extents[j]

    def mv(coef):
        out = [0] * len(coef)
        for j, p in enumerate(perm):
            out[p] = coef[j]
        return tuple(out)

    return tuple(new_ext), {n: (s, [(mv(c), k) for c, k in maps]) for n, (s, maps) in arrays.items()}, bounds


def reflect(spec, j):
    """v_j -> E_j - 1 - v_j: the same terms."""
    extents, arrays, bounds = spec
    e = extents[j]

    def rf(coef, k):
        return tuple(-c if i == j else c for i, c in enumerate(coef)), k + coef[j] * (e - 1)

    return extents, {n: (s, [rf(c, k) for c, k in maps]) for n, (s, maps) in arrays.items()}, bounds


def mirror(spec, name, axes):
    """Operand ``name`` read through ``size - 1 - index`` on ``axes``: equal when its structure is symmetric."""
    extents, arrays, bounds = spec
    shape, maps = arrays[name]
    new = [(tuple(-c for c in coef), shape[a] - 1 - k) if a in axes else (coef, k) for a, (coef, k) in enumerate(maps)]
    out = dict(arrays)
    out[name] = (shape, new)
    bnd = dict(bounds)
    if bnd.get(name):  # a mirrored padded axis: the padding mirrored too
        bnd[name] = tuple((b[0], b[2], b[1]) if b is not None and a in axes else b for a, b in enumerate(bnd[name]))
    return extents, out, bnd


def swap_read(spec, name, i, j):
    """Array ``name`` reads v_i where it read v_j and back (the others unchanged)."""
    extents, arrays, bounds = spec
    shape, maps = arrays[name]
    out = dict(arrays)
    out[name] = (
        shape,
        [(tuple(c[j] if t == i else c[i] if t == j else x for t, x in enumerate(c)), k) for c, k in maps],
    )
    return extents, out, bounds


def reflect_read(spec, name, j):
    """Array ``name`` reads v_j reflected, the others straight."""
    extents, arrays, bounds = spec
    shape, maps = arrays[name]
    e = extents[j]
    out = dict(arrays)
    out[name] = (shape, [(tuple(-x if t == j else x for t, x in enumerate(c)), k + c[j] * (e - 1)) for c, k in maps])
    return extents, out, bounds


def shift(spec, name, axis, by):
    extents, arrays, bounds = spec
    shape, maps = arrays[name]
    new = [(c, k + by) if a == axis else (c, k) for a, (c, k) in enumerate(maps)]
    out = dict(arrays)
    out[name] = (shape, new)
    return extents, out, bounds


# -- random specs -------------------------------------------------------------------------------------------------


@st.composite
def specs(draw, nvars=None):
    nv = nvars if nvars is not None else draw(st.integers(1, 4))
    extents = tuple(draw(st.integers(0, 4)) for _ in range(nv))
    coefs = st.integers(-2, 2)

    def amap():
        return tuple(draw(coefs) for _ in range(nv)), draw(st.integers(-2, 4))

    if draw(st.booleans()):  # a convolution-like contraction: result reads v0, w reads the others, x both
        arrays = _convlike(draw, extents)
        return extents, arrays, _padding(draw, arrays)
    arrays = {}
    for name, naxes in (("", draw(st.integers(0, 2))), ("x", draw(st.integers(0, 2))), ("w", draw(st.integers(0, 2)))):
        shape = tuple(draw(st.integers(1, 5)) for _ in range(naxes))
        arrays[name] = (shape, [amap() for _ in range(naxes)])
    return extents, arrays, _padding(draw, arrays)


def _padding(draw, arrays):
    """Sometimes a folded (padded) axis on x or on the result."""
    out = {}
    for name in ("x", ""):
        if draw(st.integers(0, 2)) == 0:
            shape = arrays[name][0]
            mode = st.sampled_from(["reflect", "replicate", "circular", "symmetric"])
            out[name] = tuple(
                (draw(mode), draw(st.integers(0, 2)), draw(st.integers(0, 2))) if draw(st.booleans()) else None
                for _ in shape
            )
    return out


def _convlike(draw, extents):
    nv = len(extents)
    steps = st.sampled_from([1, 1, 2, -1, 3])
    s, ds = draw(steps), [draw(steps) for _ in range(nv)]
    xcoef = (s, *ds[1:])
    xsize = draw(st.integers(1, 7))
    wcoef = [(tuple(draw(st.sampled_from([0, 1, 1, -1])) if i == j else 0 for i in range(nv)), 0) for j in range(1, nv)]
    wcoef = [(c, (extents[j + 1] - 1) if any(x < 0 for x in c) else 0) for j, (c, _) in enumerate(wcoef)]
    return {
        "": ((draw(st.integers(1, 5)),), [((1, *([0] * (nv - 1))), draw(st.integers(-1, 1)))]),
        "x": ((xsize,), [(xcoef, draw(st.integers(-2, 2)))]),
        "w": (tuple(extents[1:]) or (1,), wcoef or [((0,) * nv, 0)]),
    }


COEFS = st.sampled_from(
    [1, -1, 2, -2, 3, 5, -7, 63, 64, 127, -127, -128, 128, 255, 32767, -32768, 2**31, 2**62, -(2**62), 2**63 - 1]
)


KINDS = ["centro", "anti", "random", "nearly", "axis0", "anti0"]


def labels(shape, kind, rng):
    if kind == "random":
        return rng.integers(-3, 4, size=shape)
    if kind == "nearly":  # centrosymmetric but for one entry
        lab = labels(shape, "centro", rng)
        if lab.size:
            lab.reshape(-1)[int(rng.integers(lab.size))] = lab.size + 1
        return lab
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    axes = min(1, len(shape)) if kind in ("axis0", "anti0") else len(shape)  # symmetric along the first axis only
    mirror_ = flat[(slice(None, None, -1),) * axes]
    lab = np.minimum(flat, mirror_) + 1
    anti = kind in ("anti", "anti0")
    return lab * np.where(flat < mirror_, 1, np.where(flat == mirror_, 0, -1)) if anti else lab


# -- properties -----------------------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(specs(), st.data())
def test_rewritten_layouts_agree_with_the_oracle(spec, data):
    """Permuted/reflected copies of a contraction (true) and perturbed ones, with random coefficients."""
    nv = len(spec[0])
    variants = [spec]
    for _ in range(data.draw(st.integers(1, 3))):
        base = data.draw(st.sampled_from(variants))
        how = data.draw(
            st.sampled_from(["perm", "reflect", "reflect2", "shift", "swapread", "reflectread", "conj", "dropw"])
        )
        name = data.draw(st.sampled_from(sorted(base[1])))
        if how == "swapread":  # one array reads two variables of equal extent swapped: other terms in general
            pairs = [(i, j) for i in range(nv) for j in range(i + 1, nv) if base[0][i] == base[0][j]]
            new = swap_read(base, name, *data.draw(st.sampled_from(pairs))) if pairs else base
        elif how == "reflectread":  # one array reads a variable reflected, the others straight
            new = reflect_read(base, name, data.draw(st.integers(0, nv - 1)))
        elif how == "conj":  # one factor conjugated: a different variable
            new = (base[0], base[1], {**base[2], "conj": (data.draw(st.sampled_from(["x", "w"])),)})
        elif how == "dropw":  # another signature (x alone) on the same side
            new = (base[0], {n: a for n, a in base[1].items() if n != "w"}, base[2])
        elif how == "perm":
            new = permute(base, data.draw(st.permutations(range(nv))))
        elif how == "reflect":
            new = reflect(base, data.draw(st.integers(0, nv - 1)))
        elif how == "reflect2":
            new = reflect(reflect(base, 0), nv - 1)
        else:
            new = shift(base, name, 0, data.draw(st.sampled_from([-1, 1])))
        variants.append(new)
    lhs = [(data.draw(COEFS), data.draw(st.sampled_from(variants))) for _ in range(data.draw(st.integers(1, 3)))]
    rhs = [(data.draw(COEFS), data.draw(st.sampled_from(variants))) for _ in range(data.draw(st.integers(1, 3)))]
    if data.draw(st.booleans()):  # the left coefficients on rewritten copies: often true
        rhs = [(c, data.draw(st.sampled_from(variants))) for c, _ in lhs]
    structure = None
    if data.draw(st.integers(0, 2)) == 0:  # a structure hypothesis (pinned layouts) on w or x
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
        present = sorted({n for _, sp in lhs + rhs for n in sp[1] if n})
        name = data.draw(st.sampled_from(present))
        structure = {name: labels(spec[1][name][0], data.draw(st.sampled_from(KINDS)), rng)}
    assert engine(lhs, rhs, structure) == oracle(lhs, rhs, structure), (lhs, rhs, structure)


@settings(max_examples=300, deadline=None)
@given(specs(), st.data())
def test_mirrored_reads_of_structured_operands_agree_with_the_oracle(spec, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    kind = data.draw(st.sampled_from(KINDS))
    name = data.draw(st.sampled_from(["w", "x"]))
    shape = spec[1][name][0]
    structure = {name: labels(shape, kind, rng)}
    naxes = len(shape)
    axes = data.draw(st.sets(st.integers(0, naxes - 1), min_size=1)) if naxes else set()
    target = data.draw(st.sampled_from(["w", "x"]))  # the mirrored read may be of the NON-structured operand
    other = mirror(spec, target, axes)
    if data.draw(st.booleans()):
        other = reflect(other, data.draw(st.integers(0, len(spec[0]) - 1)))
    c = data.draw(COEFS)
    d = data.draw(st.sampled_from([c, -c, 2 * c, c + 1]))
    lhs = [(c, spec)]
    rhs = [(d, other)]
    if data.draw(st.booleans()):
        extra = data.draw(st.sampled_from([spec, other]))
        e = data.draw(COEFS)
        lhs.append((e, extra))
        rhs.append((e, data.draw(st.sampled_from([spec, other]))))
    assert engine(lhs, rhs, structure) == oracle(lhs, rhs, structure), (lhs, rhs, structure)


# -- pinned cases at the boundaries ---------------------------------------------------------------------------------

CORR = ((4, 2), {"": ((4,), [((1, 0), 0)]), "x": ((5,), [((1, 1), 0)]), "w": ((2,), [((0, 1), 0)])}, {})
CORR3 = ((3, 3), {"": ((3,), [((1, 0), 0)]), "x": ((5,), [((1, 1), 0)]), "w": ((3,), [((0, 1), 0)])}, {})


def test_merged_coefficients_at_the_integer_type_boundaries():
    """Reflected copies merge into one layout with coefficients added: 127 + 1, -128 - 1, 2^62 + 2^62."""
    flipped = reflect(permute(CORR, (1, 0)), 0)  # the same terms, written another way
    for a, b in [(127, 1), (-128, -1), (2**62, 2**62), (2**63 - 1, 1), (32767, 1)]:
        wrapped = (a + b + 2**63) % 2**64 - 2**63  # the sum as int64 would hold it
        for total in (a + b, a + b - 1, -(a + b), wrapped, np.int8(a + b) if -128 <= a + b < 128 else a + b + 256):
            lhs, rhs = [(a, CORR), (b, flipped)], [(total, CORR)]
            assert engine(lhs, rhs) == oracle(lhs, rhs) == (total == a + b), (a, b, total)


def test_mirrored_reads_need_the_structure_on_the_mirrored_operand():
    """conv vs corr cancels under a centrosymmetric w, not when the structure is on x or is anti with c = d."""
    conv = mirror(CORR3, "w", {0})
    centro, anti = np.array([1, 2, 1]), np.array([1, 0, -1])
    cases = [
        ([(1, CORR3)], [(1, conv)], {"w": centro}, True),
        ([(1, CORR3)], [(-1, conv)], {"w": centro}, False),
        ([(1, CORR3)], [(-1, conv)], {"w": anti}, True),
        ([(1, CORR3)], [(1, conv)], {"w": anti}, False),  # a centre entry 0, but the others change sign
        ([(1, CORR3)], [(1, conv)], {"x": np.array([1, 2, 3, 2, 1])}, False),  # x symmetric, w not
        ([(1, CORR3)], [(1, mirror(CORR3, "x", {0}))], {"w": centro}, False),  # x read mirrored, not structured
        ([(3, CORR3), (-3, conv)], [], {"w": centro}, True),
        ([(2**62, CORR3), (2**62, conv)], [(-(2**63), CORR3)], {"w": centro}, False),
    ]
    for lhs, rhs, structure, expected in cases:
        assert oracle(lhs, rhs, structure) == expected
        assert engine(lhs, rhs, structure) == expected, (lhs, rhs, structure)


# -- the library's own contractions (ConvSpec: padding modes, stride, dilation, channels, gradients) ---------------


def to_spec(c):
    """A concrete contraction as the integer maps the oracle reads."""
    names = [v.name for v in c.variables]
    extents = tuple(int(v.extent) for v in c.variables)

    def maps(index):
        return [(tuple(int(a.coeff(n)) for n in names), int(a.const)) for a in index]

    def bnd(b):
        return None if b is None else tuple(None if x is None else (x.mode, int(x.lo), int(x.hi)) for x in b)

    arrays = {"": (tuple(int(s) for s in c.result.shape), maps(c.result_index))}
    bounds = {"": bnd(c.result_boundary)} if c.result_boundary else {}
    conj = []
    for f in c.factors:
        arrays[f.operand] = (tuple(int(s) for s in c.operand(f.operand).shape), maps(f.index))
        if f.boundary:
            bounds[f.operand] = bnd(f.boundary)
        if f.conjugate:
            conj.append(f.operand)
    if conj:
        bounds["conj"] = tuple(conj)
    return extents, arrays, bounds


@st.composite
def library_contractions(draw):
    nd = draw(st.integers(1, 2))
    n = tuple(draw(st.integers(2, 5)) for _ in range(nd))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular", "symmetric"]))
    pad = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    if mode != "zeros":
        pad = tuple(min(p, ni - 1) for p, ni in zip(pad, n))
    spec = ConvSpec(
        input_size=n,
        kernel_size=k,
        stride=tuple(draw(st.integers(1, 2)) for _ in range(nd)),
        dilation=tuple(draw(st.integers(1, 2)) for _ in range(nd)),
        pad_lo=pad,
        pad_hi=tuple(draw(st.integers(0, p)) for p in pad),
        padding_mode=mode,
        conjugate_kernel=draw(st.booleans()),
    )
    try:
        base = forward(spec)[0]
    except SymconvError:
        return None
    if any(int(v.extent) <= 0 for v in base.variables) or any(int(s) <= 0 for s in base.result.shape):
        return None
    out = [base]
    for name in ("x", "w"):
        with contextlib.suppress(SymconvError):
            out.append(grad_contraction(base, name))
    return spec, out


@settings(max_examples=150, deadline=None)
@given(library_contractions(), st.data())
def test_library_contractions_agree_with_the_oracle(found, data):
    """Sums of forward/gradient contractions and their flipped / reflected-padding variants."""
    if found is None:
        return
    spec, cs = found
    c = data.draw(st.sampled_from(cs))
    i = cs.index(c)
    pool = [to_spec(c)]
    for change in ({"flip": not spec.flip}, {"pad_lo": spec.pad_hi, "pad_hi": spec.pad_lo}):
        try:
            other = forward(replace(spec, **change))[0]
            other = other if i == 0 else grad_contraction(other, ("x", "w")[i - 1])
        except (SymconvError, IndexError):
            continue
        if other.result.shape == c.result.shape and all(
            o.shape == c.operand(o.name).shape for o in other.operands if o.name in {p.name for p in c.operands}
        ):
            pool.append(to_spec(other))
    pool.append(reflect(pool[0], data.draw(st.integers(0, len(pool[0][0]) - 1))))
    lhs = [(data.draw(COEFS), data.draw(st.sampled_from(pool))) for _ in range(data.draw(st.integers(1, 3)))]
    rhs = [(data.draw(COEFS), data.draw(st.sampled_from(pool))) for _ in range(data.draw(st.integers(0, 3)))]
    structure = None
    if data.draw(st.booleans()):
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
        name = data.draw(st.sampled_from(sorted(n for n in pool[0][1] if n)))
        structure = {name: labels(pool[0][1][name][0], data.draw(st.sampled_from(KINDS)), rng)}
    assert engine(lhs, rhs, structure) == oracle(lhs, rhs, structure), (lhs, rhs, structure)


def test_a_structured_scalar_operand():
    """A 0-d structured operand (a scalar weight): its labels stay 0-d when pinned (was an IndexError)."""
    spec = ((2,), {"": ((2,), [((1,), 0)]), "x": ((2,), [((1,), 0)]), "w": ((), [])}, {})
    for value in (1, 2, 0, -1):
        structure = {"w": np.array(value)}
        for lhs, rhs in [([(1, spec)], [(2, spec)]), ([(2, spec)], [(1, spec), (1, spec)]), ([(1, spec)], [])]:
            assert engine(lhs, rhs, structure) == oracle(lhs, rhs, structure), (value, lhs, rhs)


@pytest.mark.parametrize("where", ["", "x"])
def test_a_padded_axis_of_size_zero_is_refused_by_name(where):
    """A boundary folds an out-of-range index onto the axis' entries; an axis with none has nothing to fold onto
    (it crashed in ``np.mod(index, 0)``): a clear SymconvError naming the contraction and the shape."""
    arrays = {"": ((0,), [((1,), 0)]) if where == "" else ((1,), [((1,), 0)]), "x": ((0,), [((1,), 0)])}
    arrays["w"] = ((), [])
    c = build((1,), arrays, {where: (("circular", 0, 1),)})
    with pytest.raises(SymconvError, match=r"boundary \(padding\).*at least 1 entry.*got shape \(0,\)"):
        check_exact([(1, c)], [(2, c)])
