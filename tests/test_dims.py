"""Symbolic dimensions agree with integer arithmetic for every value of their symbol."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archlint.dims import (
    Sym,
    ceil_div,
    dim_max,
    dim_min,
    evaluate,
    floor_div,
    min_common_value,
    min_symbol_value,
    requirement,
)

T = Sym("T")

# A chain of the operations conv and pooling layers apply to a length.
steps = st.lists(st.tuples(st.sampled_from(["add", "floordiv", "ceildiv", "scale"]),
                           st.integers(min_value=-12, max_value=12)), max_size=8)


def apply(length, chain):
    for op, k in chain:
        if op == "add":
            length = length + k
        elif op == "floordiv":
            length = floor_div(length, abs(k) + 1)
        elif op == "ceildiv":
            length = ceil_div(length, abs(k) + 1)
        else:
            length = length * (abs(k) % 4 + 1)
    return length


@given(chain=steps, value=st.integers(min_value=1, max_value=5000))
def test_expression_evaluates_like_integers(chain, value) -> None:
    assert evaluate(apply(T, chain), {"T": value}) == apply(value, chain)


@given(chain=steps)
def test_minimum_length_is_the_smallest_that_works(chain) -> None:
    expr = apply(T, chain)
    if isinstance(expr, int):
        return
    minimum = min_symbol_value(expr, "T")
    if minimum is None:
        return
    assert evaluate(expr, {"T": minimum}) >= 1
    if minimum > 1:
        assert evaluate(expr, {"T": minimum - 1}) < 1


def test_printing_reads_like_keras_arithmetic() -> None:
    assert str(floor_div(T - 10 + 1, 2)) == "(T-9)//2"
    assert str(floor_div(floor_div(T - 9, 2) - 2, 3)) == "(T-13)//6"
    assert str(ceil_div(T, 4)) == "(T+3)//4"
    assert str(2 * T + 1) == "2*T+1"
    assert str(dim_min(T, 5)) == "min(T, 5)" and str(dim_max(T - 1, 0)) == "max(T-1, 0)"


def test_seed_time_axis() -> None:
    pooled = floor_div(T - 9, 2)
    assert min_symbol_value(pooled, "T") == 11
    assert evaluate(pooled, {"T": 20}) == 5


@given(st.integers(1, 5), st.integers(1, 5), st.integers(-30, 5), st.integers(1, 4))
def test_min_common_value_is_the_smallest_shared_length(a, b, const, den):
    dim = floor_div(a * Sym("T") + b * Sym("U") + const, den)
    found = min_common_value(dim)
    assert found is not None and dim.evaluate({"T": found, "U": found}) >= 1
    assert found == 1 or dim.evaluate({"T": found - 1, "U": found - 1}) < 1


def test_requirement_moves_the_constant_across():
    assert requirement(Sym("T") + Sym("U") - 2) == "T+U >= 3"
    assert requirement(floor_div(Sym("T") + Sym("U"), 2)) == "(T+U)//2 >= 1"
