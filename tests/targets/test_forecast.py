"""The forecast: delays shift the pipeline's remaining investment and starts; P10/P50/P90 and the chance of
meeting each target; the platform's own history once it is long enough; reproducible for a seed."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from kuochan.targets.forecast import DEFAULT_DELAYS, MIN_HISTORY, PipelineProject, delays_of, forecast

YEARS = [2026, 2027, 2028, 2029, 2030]
AS_OF = dt.date(2026, 6, 30)


def run(projects, history, **options):
    return forecast(
        projects, as_of=AS_OF, years=YEARS, done_investment={2026: 50.0}, done_large={2026: 2.0},
        investment_targets={2026: 120.0, 2027: 100.0}, large_targets={2026: 3.0}, history=history, runs=400,
        seed=7, **options,
    )  # fmt: skip


def test_on_time_projects_land_in_their_planned_year():
    result = run(
        [PipelineProject({2026: 80.0, 2027: 100.0}, large_start=dt.date(2026, 9, 1))], [0] * MIN_HISTORY
    )
    assert result.investment[2026].p50 == 130.0  # 50 done + 80 to come
    assert result.investment[2026].probability == 1.0
    assert result.large_projects[2026].p50 == 3.0 and result.large_projects[2026].probability == 1.0


def test_a_year_of_delay_moves_the_investment_and_the_start_to_the_next_year():
    result = run([PipelineProject({2026: 80.0}, large_start=dt.date(2026, 9, 1))], [365] * MIN_HISTORY)
    assert (result.investment[2026].p50, result.investment[2027].p50) == (50.0, 80.0)
    assert result.investment[2026].probability == 0.0
    assert (result.large_projects[2026].p50, result.large_projects[2027].p50) == (2.0, 1.0)


def test_half_a_year_of_delay_splits_the_years_amount():
    result = run([PipelineProject({2026: 73.0})], [int(365 / 2)] * MIN_HISTORY)
    assert result.investment[2026].p50 == pytest.approx(50 + 73 * (1 - 182 / 365), abs=0.01)


def test_mixed_delays_give_a_spread_and_a_probability():
    history = [0] * 15 + [365] * 15  # half the milestones on time, half a year late
    result = run([PipelineProject({2026: 80.0})], history)
    band = result.investment[2026]
    assert (band.p10, band.p90) == (50.0, 130.0)
    assert 0.4 < band.probability < 0.6


def test_a_short_history_uses_the_stated_default():
    pool, used = delays_of([10, 20])
    assert list(pool) == list(DEFAULT_DELAYS) and "不足 30 个" in used
    pool, used = delays_of([-5] + [40] * 29)
    assert pool[0] == 0 and used == "本平台 30 个已发生节点的延误"


def test_the_command_is_reproducible_for_a_seed(pipeline, capsys):
    outputs = []
    for seed in ("11", "11"):
        call_command("forecast", "--as-of", "2026-10", "--runs", "200", "--seed", seed, "--format", "json")
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert set(data) == {"as_of", "runs", "seed", "method", "delays", "indicators"}
    assert [i["code"] for i in data["indicators"]] == ["renovation_investment", "projects_100m"]
    assert set(data["indicators"][0]["years"]["2026"]) == {"p10", "p50", "p90", "target", "probability"}
    assert "蒙特卡洛" in data["method"]
