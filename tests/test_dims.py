"""Symbolic dimensions agree with integer arithmetic for every value of their symbol."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archlint import min_length
from archlint.dims import (
    Sym,
    ceil_div,
    dim_max,
    dim_min,
    evaluate,
    floor_div,
    requirement,
)
from archlint.layers.base import ShapeError
from archlint.layers.shape_utils import (
    conv_output_length,
    deconv_output_length,
    pooling_output_length,
)
from archlint.min_length import min_common_value, min_symbol_value
from archlint.unknown import Unknown

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
    assert isinstance(minimum, int)  # these chains grow without bound
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


# One conv or pooling layer along the time axis, as the layer formulas compute it.
windows = st.one_of(
    st.tuples(st.just("conv"), st.integers(1, 9), st.sampled_from(["valid", "same", "causal"]),
              st.integers(1, 8), st.integers(1, 4)),
    st.tuples(st.just("pool"), st.integers(1, 9), st.sampled_from(["valid", "same"]),
              st.integers(1, 8), st.just(1)),
    st.tuples(st.just("deconv"), st.integers(1, 5), st.sampled_from(["valid", "same"]),
              st.integers(1, 3), st.just(1)),
)


def run_windows(length, chain) -> list:
    """Every length the chain produces, the input's first; a concrete length <= 0 raises
    ShapeError, as the layer refuses it."""
    lengths = [length]
    for kind, size, padding, stride, dilation in chain:
        if kind == "conv":
            length = conv_output_length(length, size, padding, stride, dilation)
        elif kind == "pool":
            length = pooling_output_length(length, size, padding, stride)
        else:
            length = deconv_output_length(length, size, padding, stride)
        lengths.append(length)
    return lengths


def accepts(length: int, chain) -> bool:
    try:
        return all(n >= 1 for n in run_windows(length, chain))
    except ShapeError:
        return False


@settings(max_examples=300, deadline=None)
@given(chain=st.lists(windows, min_size=1, max_size=24))
def test_minimum_of_a_conv_pool_chain_is_exact(chain) -> None:
    """The engine's bound (the largest minimum over every size in the chain) is accepted by
    the layers, and one step less is refused, however deep the chain (up to 8**24)."""
    sizes = [d for d in run_windows(T, chain) if not isinstance(d, int)]
    minima = [min_symbol_value(d, "T") for d in sizes]
    assert all(isinstance(m, int) for m in minima)
    minimum = max(minima)
    assert accepts(minimum, chain)
    assert minimum == 1 or not accepts(minimum - 1, chain)


def test_sixteen_strided_blocks_need_their_exact_length() -> None:
    chain = [("conv", 3, "valid", 3, 1), ("pool", 2, "same", 2, 1)] * 16
    sizes = [d for d in run_windows(T, chain) if not isinstance(d, int)]
    minimum = max(min_symbol_value(d, "T") for d in sizes)
    assert minimum > 2**40  # where the search used to give up
    assert accepts(minimum, chain) and not accepts(minimum - 1, chain)


# Non-decreasing expressions of T: sums of atoms, floors, ceilings, min and max.
def _grow(children):
    return st.one_of(
        st.tuples(children, st.integers(1, 5)).map(lambda p: floor_div(p[0], p[1])),
        st.tuples(children, st.integers(1, 5)).map(lambda p: ceil_div(p[0], p[1])),
        st.tuples(children, st.integers(-20, 20)).map(lambda p: p[0] + p[1]),
        st.tuples(children, st.integers(1, 3)).map(lambda p: p[0] * p[1]),
        st.tuples(children, children).map(lambda p: p[0] + p[1]),
        st.tuples(children, children).map(lambda p: dim_min(p[0], p[1])),
        st.tuples(children, children).map(lambda p: dim_max(p[0], p[1])),
    )


growing = st.recursive(st.one_of(st.just(T), st.integers(-5, 30)), _grow, max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(expr=growing, target=st.integers(-5, 60))
def test_minimum_of_any_growing_expression_is_the_first_length_that_works(expr, target):
    if isinstance(expr, int):
        return
    minimum = min_symbol_value(expr, "T", at_least=target)
    first = next((n for n in range(1, 5000) if expr.evaluate({"T": n}) >= target), None)
    if first is not None:
        assert minimum == first
    else:  # either no length works, or only one beyond the brute force
        assert minimum is None or (isinstance(minimum, int) and
                                   expr.evaluate({"T": minimum}) >= target and
                                   expr.evaluate({"T": minimum - 1}) < target)


def test_no_length_reaches_a_bounded_size() -> None:
    assert min_symbol_value(dim_min(T, 3), "T", at_least=4) is None
    assert min_symbol_value(dim_min(T, 3) + dim_min(T - 1, 2), "T", at_least=6) is None
    assert min_symbol_value(dim_min(T, 3) + dim_min(T - 1, 2), "T", at_least=5) == 3


def test_a_minimum_that_cannot_be_worked_out_is_unknown_with_a_reason(monkeypatch) -> None:
    odd = min_symbol_value(T - 2 * floor_div(T, 2), "T")
    assert isinstance(odd, Unknown) and "does not grow with T" in odd.reason
    # A sum of sizes has no closed-form inverse; its search stops at MAX_SEARCH.
    monkeypatch.setattr(min_length, "MAX_SEARCH", 1 << 20)
    beyond = floor_div(T, 1 << 21) + floor_div(T, 3 << 21)
    found = min_symbol_value(beyond, "T")
    assert isinstance(found, Unknown) and "search for it stops at 2**20" in found.reason
    assert min_symbol_value(floor_div(T, 3 << 21), "T") == 3 << 21  # closed form: no search


def test_common_minimum_of_sums_and_floors() -> None:
    U = Sym("U")
    for dim in (floor_div(T, 7) + floor_div(U, 5) - 1, floor_div(T + 3 * U, 4) - 9):
        found = min_common_value(dim)
        assert dim.evaluate({"T": found, "U": found}) >= 1
        assert dim.evaluate({"T": found - 1, "U": found - 1}) < 1
    assert min_common_value(dim_min(T, U) + 100) == 1
    assert min_common_value(dim_min(T, 2) + dim_min(U, 2), at_least=5) is None


def test_sizes_past_max_int_bits_are_refused_not_printed_wrong() -> None:
    with pytest.raises(OverflowError):
        floor_div(floor_div(T, 1 << 5000), 1 << 5000)
    with pytest.raises(OverflowError):
        T + (1 << 9000)
