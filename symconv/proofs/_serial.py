"""JSON encoding of proofs: a whitelist tree encoder, no string is ever parsed as code.

Size expressions are encoded as trees (``{"add": [...]}``, ``{"s": "N"}``,
``{"i": 3}``, ``floor``, ``mod`` …) and rebuilt node by node; a symbol
always comes back as a positive integer symbol, the assumption every size
parameter carries.

>>> import sympy
>>> N, K = sympy.symbols("N K", integer=True, positive=True)
>>> e = sympy.floor((N - K) / 2) + 3
>>> decode_sym(encode_sym(e)) == e
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from symconv.core.affine import Affine, as_expr
from symconv.core.errors import SymconvError
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Side, Sum, Term

__all__ = ["MAX_EXPONENT", "MAX_INTEGER", "decode", "decode_sym", "encode", "encode_sym", "param_symbol"]

#: The largest exponent a certificate's size expression may carry (``1/s`` is ``s**-1``).
MAX_EXPONENT = 16
#: The largest integer a certificate may write (an index offset, a coefficient): far beyond any real one,
#: small enough that exact evaluation never meets Python's digit limit or numpy's int64.
MAX_INTEGER = 2**40


def param_symbol(name: str) -> sympy.Symbol:
    """The size parameter called ``name`` (a positive integer symbol)."""
    if not isinstance(name, str) or not name or not name[0].isalpha() or not name.replace("_", "").isalnum():
        raise SymconvError(f"certificate: malformed symbol name {name!r}")
    return sympy.Symbol(name, integer=True, positive=True)


def encode_sym(e: Any) -> Any:
    """A sympy expression over size parameters as a JSON tree."""
    e = as_expr(e)
    if e.is_Integer:
        return {"i": int(e)}
    if e.is_Rational:
        return {"q": [int(e.p), int(e.q)]}
    if e.is_Symbol:
        return {"s": e.name}
    if isinstance(e, sympy.Add):
        return {"add": [encode_sym(a) for a in e.args]}
    if isinstance(e, sympy.Mul):
        return {"mul": [encode_sym(a) for a in e.args]}
    if isinstance(e, sympy.Pow):
        return {"pow": [encode_sym(e.base), encode_sym(e.exp)]}
    if isinstance(e, sympy.floor):
        return {"floor": encode_sym(e.args[0])}
    if isinstance(e, sympy.Mod):
        return {"mod": [encode_sym(e.args[0]), encode_sym(e.args[1])]}
    raise SymconvError(f"certificate: cannot encode size expression {e}")


def decode_sym(d: Any) -> sympy.Expr:
    """Rebuild a size expression from :func:`encode_sym`'s tree (a finite expression, or a SymconvError)."""
    try:
        out = _decode_sym(d)
    except (ZeroDivisionError, TypeError, ValueError, OverflowError, RecursionError) as exc:
        if isinstance(exc, SymconvError):
            raise
        raise SymconvError(f"certificate: malformed size expression {str(d)[:80]!r} ({type(exc).__name__})") from None
    if not isinstance(out, sympy.Expr) or out.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise SymconvError(f"certificate: size expression {str(d)[:80]!r} is not finite")
    return out


def _decode_sym(d: Any) -> sympy.Expr:
    if not isinstance(d, Mapping) or len(d) != 1:
        raise SymconvError(f"certificate: malformed size expression {str(d)[:80]!r}")
    ((k, v),) = d.items()
    if k == "i":
        return sympy.Integer(_int(v))
    if k == "q":
        if _int(v[1]) == 0:
            raise SymconvError("certificate: a rational with denominator 0")
        return sympy.Rational(_int(v[0]), _int(v[1]))
    if k == "s":
        return param_symbol(v)
    if k == "add":
        return sympy.Add(*[_decode_sym(a) for a in v])
    if k == "mul":
        return sympy.Mul(*[_decode_sym(a) for a in v])
    if k == "pow":
        exp = _decode_sym(v[1])
        if not exp.is_Integer or abs(int(exp)) > MAX_EXPONENT:
            raise SymconvError(f"certificate: an exponent must be an integer of size ≤ {MAX_EXPONENT}; got {exp}")
        return sympy.Pow(_decode_sym(v[0]), exp)
    if k == "floor":
        return sympy.floor(_decode_sym(v))
    if k == "mod":
        return sympy.Mod(_decode_sym(v[0]), _decode_sym(v[1]))
    raise SymconvError(f"certificate: unknown size-expression node {k!r}")


def _aff(a: Affine) -> Any:
    return {"c": [[v, encode_sym(c)] for v, c in a.coeffs], "k": encode_sym(a.const)}


def _int(v: Any) -> int:
    """A JSON integer (never a float, a string or a boolean)."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise SymconvError(f"certificate: expected an integer; got {str(v)[:60]!r}")
    if abs(v) > MAX_INTEGER:
        raise SymconvError(f"certificate: an integer must be at most 2^40 in size; got one of {v.bit_length()} bits")
    return v


def _list(v: Any) -> list[Any]:
    if not isinstance(v, list):
        raise SymconvError(f"certificate: expected a list; got {str(v)[:60]!r}")
    return v


def _unaff(d: Any) -> Affine:
    return Affine._make({str(v): decode_sym(c) for v, c in _list(d["c"])}, decode_sym(d["k"]))


def _con(c: Constraint) -> Any:
    return {"e": _aff(c.expr), "op": c.op}


def _uncon(d: Any) -> Constraint:
    if d["op"] not in (">=", "=="):
        raise SymconvError(f"certificate: unknown constraint operator {d['op']!r}")
    return Constraint(_unaff(d["e"]), d["op"]).canonical()


def _term(t: Term) -> Any:
    return {"a": t.operand, "i": [_aff(a) for a in t.index], "conj": t.conjugate}


def _unterm(d: Any) -> Term:
    if not isinstance(d["conj"], bool):
        raise SymconvError(f"certificate: `conj` must be true or false; got {d['conj']!r}")
    return Term(str(d["a"]), tuple(_unaff(a) for a in _list(d["i"])), d["conj"])


def _sum(s: Sum) -> Any:
    return {"v": list(s.variables), "g": [_con(c) for c in s.guard], "f": [_term(t) for t in s.factors], "c": s.coeff}


def _unsum(d: Any) -> Sum:
    return Sum(
        tuple(map(str, _list(d["v"]))),
        tuple(_uncon(c) for c in _list(d["g"])),
        tuple(_unterm(t) for t in _list(d["f"])),
        _int(d["c"]),
    )


def _hyp(h: Hypothesis) -> Any:
    return {
        "name": h.name,
        "v": list(h.variables),
        "domain": [_con(c) for c in h.domain],
        "operand": h.operand,
        "lhs": [_aff(a) for a in h.lhs],
        "rhs": [_aff(a) for a in h.rhs],
        "sign": h.sign,
    }


def _unhyp(d: Any) -> Hypothesis:
    return Hypothesis(
        str(d["name"]),
        tuple(map(str, d["v"])),
        tuple(_uncon(c) for c in d["domain"]),
        str(d["operand"]),
        tuple(_unaff(a) for a in d["lhs"]),
        tuple(_unaff(a) for a in d["rhs"]),
        _int(d["sign"]),
    )


def encode(obj: Any) -> Any:
    """Encode a side, sum, affine map, hypothesis, context or plain value as JSON data."""
    if isinstance(obj, Affine):
        return {"affine": _aff(obj)}
    if isinstance(obj, Constraint):
        return {"constraint": _con(obj)}
    if isinstance(obj, Sum):
        return {"sum": _sum(obj)}
    if isinstance(obj, Expr):
        return {"expr": [_sum(s) for s in obj.sums]}
    if isinstance(obj, Derivative):
        return {
            "derivative": {
                "expr": [_sum(s) for s in obj.expr.sums],
                "a": obj.operand,
                "i": [_aff(a) for a in obj.index],
            }
        }
    if isinstance(obj, Pointwise):
        return {
            "pointwise": {
                "v": list(obj.variables),
                "g": [_con(c) for c in obj.guard],
                "t": [[c, [_term(t) for t in f]] for c, f in obj.terms],
            }
        }
    if isinstance(obj, Hypothesis):
        return {"hypothesis": _hyp(obj)}
    if isinstance(obj, Context):
        return {
            "context": {
                "params": [p.name for p in obj.params],
                "free": list(obj.free),
                "assumptions": [_con(c) for c in obj.assumptions],
                "hypotheses": [_hyp(h) for h in obj.hypotheses],
            }
        }
    if isinstance(obj, Mapping):
        return {"map": {str(k): encode(v) for k, v in obj.items()}}
    if isinstance(obj, (list, tuple)):
        return {"list": [encode(v) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, str)):
        return {"value": obj}
    raise SymconvError(f"certificate: cannot encode {type(obj).__name__}")


def decode(d: Any) -> Any:
    """Inverse of :func:`encode`."""
    if not isinstance(d, Mapping) or len(d) != 1:
        raise SymconvError(f"certificate: malformed node {str(d)[:80]!r}")
    ((k, v),) = d.items()
    if k == "affine":
        return _unaff(v)
    if k == "constraint":
        return _uncon(v)
    if k == "sum":
        return _unsum(v)
    if k == "expr":
        return Expr(tuple(_unsum(s) for s in v))
    if k == "derivative":
        return Derivative(Expr(tuple(_unsum(s) for s in v["expr"])), str(v["a"]), tuple(_unaff(a) for a in v["i"]))
    if k == "pointwise":
        return Pointwise(
            tuple(map(str, v["v"])),
            tuple(_uncon(c) for c in v["g"]),
            tuple((_int(c), tuple(_unterm(t) for t in f)) for c, f in _list(v["t"])),
        )
    if k == "hypothesis":
        return _unhyp(v)
    if k == "context":
        return Context(
            tuple(param_symbol(p) for p in v["params"]),
            tuple(map(str, v["free"])),
            tuple(_uncon(c) for c in v["assumptions"]),
            tuple(_unhyp(h) for h in v["hypotheses"]),
        )
    if k == "map":
        return {str(a): decode(b) for a, b in v.items()}
    if k == "list":
        return [decode(x) for x in v]
    if k == "value":
        return v
    raise SymconvError(f"certificate: unknown node {k!r}")


def side(d: Any) -> Side:
    """Decode a side (expression, derivative or pointwise identity)."""
    out = decode(d)
    if not isinstance(out, (Expr, Derivative, Pointwise)):
        raise SymconvError("certificate: expected a side")
    return out
