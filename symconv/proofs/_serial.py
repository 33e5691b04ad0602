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

from symconv._affine import Affine
from symconv._errors import SymconvError
from symconv.proofs._iverson import Constraint, Context, Derivative, Expr, Hypothesis, Pointwise, Side, Sum, Term

__all__ = ["decode", "decode_sym", "encode", "encode_sym", "param_symbol"]


def param_symbol(name: str) -> sympy.Symbol:
    """The size parameter called ``name`` (a positive integer symbol)."""
    if not isinstance(name, str) or not name or not name[0].isalpha() or not name.replace("_", "").isalnum():
        raise SymconvError(f"certificate: malformed symbol name {name!r}")
    return sympy.Symbol(name, integer=True, positive=True)


def encode_sym(e: Any) -> Any:
    """A sympy expression over size parameters as a JSON tree."""
    e = sympy.sympify(e)
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
    """Rebuild a size expression from :func:`encode_sym`'s tree."""
    if not isinstance(d, Mapping) or len(d) != 1:
        raise SymconvError(f"certificate: malformed size expression {d!r}")
    ((k, v),) = d.items()
    if k == "i":
        return sympy.Integer(int(v))
    if k == "q":
        return sympy.Rational(int(v[0]), int(v[1]))
    if k == "s":
        return param_symbol(v)
    if k == "add":
        return sympy.Add(*[decode_sym(a) for a in v])
    if k == "mul":
        return sympy.Mul(*[decode_sym(a) for a in v])
    if k == "pow":
        return sympy.Pow(decode_sym(v[0]), decode_sym(v[1]))
    if k == "floor":
        return sympy.floor(decode_sym(v))
    if k == "mod":
        return sympy.Mod(decode_sym(v[0]), decode_sym(v[1]))
    raise SymconvError(f"certificate: unknown size-expression node {k!r}")


def _aff(a: Affine) -> Any:
    return {"c": [[v, encode_sym(c)] for v, c in a.coeffs], "k": encode_sym(a.const)}


def _unaff(d: Any) -> Affine:
    return Affine._make({str(v): decode_sym(c) for v, c in d["c"]}, decode_sym(d["k"]))


def _con(c: Constraint) -> Any:
    return {"e": _aff(c.expr), "op": c.op}


def _uncon(d: Any) -> Constraint:
    if d["op"] not in (">=", "=="):
        raise SymconvError(f"certificate: unknown constraint operator {d['op']!r}")
    return Constraint(_unaff(d["e"]), d["op"]).canonical()


def _term(t: Term) -> Any:
    return {"a": t.operand, "i": [_aff(a) for a in t.index], "conj": t.conjugate}


def _unterm(d: Any) -> Term:
    return Term(str(d["a"]), tuple(_unaff(a) for a in d["i"]), bool(d["conj"]))


def _sum(s: Sum) -> Any:
    return {"v": list(s.variables), "g": [_con(c) for c in s.guard], "f": [_term(t) for t in s.factors], "c": s.coeff}


def _unsum(d: Any) -> Sum:
    return Sum(
        tuple(map(str, d["v"])), tuple(_uncon(c) for c in d["g"]), tuple(_unterm(t) for t in d["f"]), int(d["c"])
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
        int(d["sign"]),
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
            tuple((int(c), tuple(_unterm(t) for t in f)) for c, f in v["t"]),
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
