"""The optimiser and the repayment lights as pure rules: optimal answers checked against hand solutions and
exhaustive search, the exclusions with their reasons, and the lights at their boundaries."""

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kuochan.resources.rules import Claim, Weights, allocate, claim_weights, repayment_light

D = Decimal


def claim(i, amount, minimum, tax, output, **more):
    return Claim(i, f"项目{i}", D(amount), D(minimum), D(tax), D(output), **more)


def test_the_denser_project_is_filled_and_the_other_takes_what_is_left_above_its_minimum():
    """B = 150. Project 2 brings 1.25 per unit, project 1 brings 1.0: 2 gets its 80, 1 the remaining 70
    (≥ its minimum 60). Funding 1 fully (100) would leave 50 < 80 for 2: worse (100 against 170)."""
    found = allocate([claim(1, 100, 60, 50, 500), claim(2, 80, 80, 60, 400)], D(150))
    assert [g.amount for g in found.grants] == [D(70), D(80)]
    assert found.total == D(150)
    assert "部分分配 70.00（申请 100，不低于最低可行量 60）" in found.grants[0].reasons
    assert "足额分配 80" in found.grants[1].reasons[-1]


def test_a_request_whose_minimum_does_not_fit_is_left_out_and_told_what_it_needed():
    """B = 100: the denser project takes its 80; the 20 left is below the other's minimum of 60."""
    found = allocate([claim(1, 100, 60, 40, 400), claim(2, 80, 80, 60, 400)], D(100))
    assert [g.amount for g in found.grants] == [D(0), D(80)]
    assert (
        found.grants[0]
        .reasons[-1]
        .startswith("未获分配：需池中再有 40.00 方可获得最低可行量 60，或单位要素效益须高于 1.208")
    )
    assert any("要素池余额" in line for line in found.binding)


def test_skipping_the_best_project_can_be_optimal():
    """B = 100. A: 100 units at weight 1.2 (all or nothing). B and C: 50 each at weight 1.3. Greedy by
    weight fills B and C: 130 against A alone 120."""
    claims = [claim(1, 100, 100, 120, 1200), claim(2, 50, 50, 65, 650), claim(3, 50, 50, 65, 650)]
    found = allocate(claims, D(100))
    assert [g.amount for g in found.grants] == [D(0), D(50), D(50)]


def test_class_d_and_low_efficiency_get_nothing_unless_the_city_overrides():
    claims = [
        claim(1, 10, 10, 100, 1000, klass="D"),
        claim(2, 10, 10, 100, 1000, low_efficiency=True),
        claim(3, 10, 10, 100, 1000, low_efficiency=True, override=True),
    ]
    found = allocate(claims, D(100))
    assert [g.amount for g in found.grants] == [D(0), D(0), D(10)]
    assert found.grants[0].reasons == ("企业亩均评价为 D 类，不予保障",)
    assert found.grants[1].reasons == ("企业列入清三低，未经市级同意不参与分配",)
    assert "企业列入清三低，经市级同意参与分配" in found.grants[2].reasons


def test_class_and_carbon_grade_weigh_in():
    same = dict(amount=10, minimum=10, tax=100, output=1000)
    weights = claim_weights(
        [claim(1, **same, klass="A", carbon_grade=1), claim(2, **same, klass="C", carbon_grade=5)], Weights()
    )
    assert weights[0][0] > weights[1][0]
    assert "A类系数 1.3；碳效 1 级系数 1.3" in weights[0][1][0]


def best_by_search(claims, balance, weights):
    """Exhaustive: every subset funded at least at its minimum, the rest of the balance poured by weight."""
    best = 0.0
    for chosen in itertools.product([False, True], repeat=len(claims)):
        picked = [i for i, on in enumerate(chosen) if on]
        if any(weights[i] is None for i in picked):
            continue
        floor = sum(float(claims[i].minimum) for i in picked)
        if floor > float(balance) + 1e-9:
            continue
        left, value = float(balance) - floor, sum(weights[i] * float(claims[i].minimum) for i in picked)
        for i in sorted(picked, key=lambda i: -weights[i]):
            more = min(left, float(claims[i].amount - claims[i].minimum))
            value, left = value + weights[i] * more, left - more
        best = max(best, value)
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 200), st.integers(1, 100), st.integers(0, 500), st.integers(0, 5000),
            st.sampled_from(["A", "B", "C", "D", ""]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 600),
)  # fmt: skip
def test_the_answer_is_as_good_as_exhaustive_search(rows, balance):
    claims = [
        claim(i, amount, max(1, amount * share // 100), tax, output, klass=klass)
        for i, (amount, share, tax, output, klass) in enumerate(rows)
    ]
    found = allocate(claims, D(balance))
    weights = [w for w, _ in claim_weights(claims, Weights())]
    assert found.total <= D(balance)
    for g, c in zip(found.grants, claims, strict=True):
        assert g.amount == 0 or c.minimum <= g.amount <= c.amount
    cents_lost = 0.01 * sum(w for w in weights if w is not None)  # each amount is taken down to the cent
    assert found.benefit >= best_by_search(claims, D(balance), weights) - cents_lost - 1e-6


DAY = dt.date(2026, 6, 30)
SCHEDULE = [(dt.date(2026, 3, 31), D(100)), (dt.date(2026, 6, 30), D(100)), (dt.date(2026, 12, 31), D(100))]


def test_a_repayment_on_schedule_is_green_and_a_missed_one_turns_yellow_then_red():
    assert repayment_light(SCHEDULE, D(100), D(300), DAY).light == "green"
    late = repayment_light(SCHEDULE, D(50), D(300), dt.date(2026, 4, 1))
    assert (late.light, late.overdue) == ("yellow", D(50))
    assert late.reasons == ("逾期 1 天：2026-03-31 起应还未还，截至 2026-04-01 应还 100，已还 50，欠 50",)
    assert repayment_light(SCHEDULE, D(50), D(300), dt.date(2026, 4, 29)).light == "yellow"
    assert repayment_light(SCHEDULE, D(50), D(300), dt.date(2026, 4, 30)).light == "red"
    assert repayment_light(SCHEDULE, D(300), D(300), DAY).light == "none"


def test_a_pool_with_room_to_spare_names_no_binding_balance():
    found = allocate([claim(1, 95, 95, 10, 100)], D(100))
    assert found.grants[0].amount == D(95) and not any("要素池余额" in line for line in found.binding)


def test_a_better_request_that_does_not_fit_is_told_so_not_that_it_is_worse():
    """A (60, all or nothing) is denser than B and C (50 each), but B + C use the pool better."""
    found = allocate(
        [claim(1, 60, 60, 72, 720), claim(2, 50, 50, 50, 500), claim(3, 50, 50, 50, 500)], D(100)
    )
    assert [g.amount for g in found.grants] == [D(0), D(50), D(50)]
    assert found.grants[0].reasons[-1] == "未获分配：需池中再有 60.00 方可获得最低可行量 60"


def test_requests_a_billion_times_smaller_than_the_largest_are_not_lost():
    claims = [
        claim(1, 10**10, 10**10, 10**9, 10**10),
        claim(2, "0.50", "0.50", 1, 10),
        claim(3, "0.30", "0.30", 1, 10),
    ]
    found = allocate(claims, D("0.80"))
    assert [g.amount for g in found.grants] == [D(0), D("0.50"), D("0.30")]


def test_a_case_where_the_solver_fails_on_semi_continuous_columns_is_still_solved_exactly():
    """Found by the exhaustive-search test: HiGHS 1.16 reports a solve error on this one; the fallback model
    with on/off switches answers it."""
    rows = [(2, 1, 3, 1034, ""), (185, 100, 0, 328, "A"), (154, 100, 63, 370, "A"), (117, 40, 97, 92, "C")]
    claims = [
        claim(i, a, max(1, a * share // 100), t, o, klass=k) for i, (a, share, t, o, k) in enumerate(rows)
    ]
    found = allocate(claims, D(204))
    weights = [w for w, _ in claim_weights(claims, Weights())]
    assert found.benefit >= best_by_search(claims, D(204), weights) - 0.01 * sum(weights) - 1e-6
