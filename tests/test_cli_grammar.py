"""The claim grammar (symconv/cli/grammar.py): precedence, exact numbers, bounded input, never a crash.

Oracles: expression trees generated here and evaluated with Python's Fraction
arithmetic directly on the tree (never on the text); JSON for nested lists.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import SymconvError
from symconv.cli.claim import Bindings
from symconv.cli.grammar import MAX_DEPTH, MAX_LENGTH, parse_claim, parse_expr_text, parse_nested_list, parse_relation

# -- arithmetic: precedence and associativity against an independent evaluation ---------------------------

_leaf = st.integers(-20, 20).map(lambda n: ("num", n))


def _trees(children):
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("div"), children, st.integers(1, 9)),
    )


TREES = st.recursive(_leaf, _trees, max_leaves=12)


def _value(t):
    if t[0] == "num":
        return Fraction(t[1])
    if t[0] == "neg":
        return -_value(t[1])
    if t[0] == "div":
        return _value(t[1]) / t[2]
    a, b = _value(t[1]), _value(t[2])
    return a + b if t[0] == "+" else a - b if t[0] == "-" else a * b


def _text(t, rng_paren: bool):
    """Text with the fewest parentheses the usual precedence needs (or all of them)."""
    if t[0] == "num":
        return f"({t[1]})" if t[1] < 0 else str(t[1])
    if t[0] == "neg":
        return f"-({_text(t[1], rng_paren)})"
    if t[0] == "div":
        return f"({_text(t[1], rng_paren)}) / {t[2]}"
    a, b = _text(t[1], rng_paren), _text(t[2], rng_paren)
    if t[0] == "*" or rng_paren:
        return f"({a}) {t[0]} ({b})"
    if t[0] == "-":
        return f"{a} - ({b})"
    return f"{a} + {b}"


@settings(max_examples=200, deadline=None)
@given(TREES, st.booleans())
def test_arithmetic_is_exact_with_the_usual_precedence(tree, all_parens):
    import sympy

    text = _text(tree, all_parens)
    if len(text) > MAX_LENGTH:
        return
    value = Bindings().evaluate(parse_expr_text(text, "e"))
    want = _value(tree)
    assert value == sympy.Rational(want.numerator, want.denominator), text


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("1 - 2 - 3", -4),
        ("2 * 3 + 4 * 5", 26),
        ("-2 * 3", -6),
        ("--2", 2),
        ("2 - -3", 5),
        ("12 / 4 / 3", 1),
        ("1.5 * 2", 3),
        ("1e2 + 0.25e-1", Fraction(4001, 40)),
        ("3/2", Fraction(3, 2)),
        (".5", Fraction(1, 2)),
    ],
)
def test_number_literals_and_operators(text, want):
    import sympy

    assert Bindings().evaluate(parse_expr_text(text, "e")) == sympy.Rational(want)


# -- nested lists -----------------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(Fraction),
    st.fractions(max_denominator=10**6),
)


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.lists(NUMBERS, min_size=1, max_size=4), lambda c: st.lists(c, min_size=1, max_size=3), max_leaves=20
    )
)
def test_nested_lists_round_trip(values):
    text = json.dumps(values, default=str).replace('"', "")
    assert parse_nested_list(text, "W") == values


# -- bounded and total: any text ends in a parse tree or ONE SymconvError ------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("xyfw012.e/+-*=<>!()[],'\" _:;é\t")), max_size=60))
def test_any_text_parses_or_is_refused_cleanly(text):
    for parse in (parse_claim, lambda t: parse_relation(t, "--assume"), lambda t: parse_nested_list(t, "W")):
        try:
            parse(text)
        except SymconvError as err:
            assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1) + " == x", "nested more than"),
        ("[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1) + " == x", "nested more than"),
        ("f(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1) + " == x", "nested more than"),
        ("-" * (MAX_DEPTH + 1) + "x == x", "nested more than"),
        ("x" * (MAX_LENGTH + 1) + " == x", "characters long"),
        ("x == y\nz", "one line"),
        ("x == 'abc", "never closed"),
        ("x == 1x", "a number must end"),
        ("x == y ==", "unexpected '=='"),
        ("f(a=1, a=2) == x", "given twice"),
        ("f(a=1, 2) == x", "positional argument"),
        ("x == ", "expected an expression"),
        ("", "must not be empty"),
        ("_(", "expected an expression"),
        ("f(a", "expected ')'"),
        ("f(a=", "expected an expression"),
    ],
)
def test_refusals_name_the_place(text, needle):
    with pytest.raises(SymconvError) as err:
        parse_claim(text)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_long_flat_sum_is_not_deep():
    """`x + x + … + x` is one flat chain: its length, not its depth, is bounded."""
    tree = parse_claim(" + ".join(["x"] * 1000) + " == x")
    assert len(tree.lhs.rest) == 999


def test_the_column_pointer_marks_the_offending_token():
    with pytest.raises(SymconvError) as err:
        parse_claim("correlate(x, w]) == y")
    assert "at column 15: correlate(x, w‹]›) == y" in str(err.value)


def test_nesting_just_within_the_limit_parses():
    depth = MAX_DEPTH
    parse_claim("(" * depth + "x" + ")" * depth + " == x")
    parse_nested_list("[" * 32 + "1" + "]" * 32, "W")
