"""`kuochan lights` and `kuochan lists`: the JSON scripts rely on, and the readable table."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import TODAY, days_ago


def run(capsys, *args):
    """Runs a command as the CLI would: (exit code, stdout, the refusal message)."""
    try:
        call_command(*args)
    except CommandError as exc:
        return exc.returncode, capsys.readouterr().out, str(exc)
    return 0, capsys.readouterr().out, ""


def test_lights_json_has_exactly_the_documented_keys(pipeline, capsys):
    code, out, _ = run(capsys, "lights", "--as-of", TODAY.isoformat(), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"as_of", "projects", "summary"}
    assert data["as_of"] == TODAY.isoformat()
    assert data["summary"] == {"red": 1, "yellow": 1, "green": 1, "none": 1}
    by_code = {p["code"]: p for p in data["projects"]}
    red = by_code["2026-330502-26-03-000001"]
    assert set(red) == {"code", "name", "district", "stage", "light", "stall", "reasons"}
    assert red == {
        "code": "2026-330502-26-03-000001",
        "name": "童装智能工厂技改项目",
        "district": "吴兴区",
        "stage": "备案",
        "light": "red",
        "stall": "落地未开工",
        "reasons": [
            f"计划开工 {days_ago(120)}，至 {TODAY} 尚未开工，已逾期 120 天（逾期 1 天以上（含本数）亮黄灯；90 天以上（含本数）亮红灯）"
        ],
    }
    assert by_code["2026-330503-26-03-000004"]["light"] == "none"
    assert by_code["2026-330503-26-03-000004"]["stall"] is None


def test_lights_as_of_an_earlier_date_gives_that_dates_answer(pipeline, capsys):
    earlier = days_ago(115)  # the red project's start was then 5 days late: yellow
    _, out, _ = run(capsys, "lights", "--as-of", earlier.isoformat(), "--format", "json")
    by_code = {p["code"]: p for p in json.loads(out)["projects"]}
    assert by_code["2026-330502-26-03-000001"]["light"] == "yellow"
    # the green project had not started 115 days ago… it started 350 days ago, so it had
    assert by_code["2026-330503-26-03-000003"]["stage"] == "开工"


def test_lights_for_one_district(pipeline, capsys):
    _, out, _ = run(
        capsys, "lights", "--as-of", TODAY.isoformat(), "--district", "南浔区", "--format", "json"
    )
    data = json.loads(out)
    assert {p["district"] for p in data["projects"]} == {"南浔区"}
    assert data["summary"] == {"red": 0, "yellow": 0, "green": 1, "none": 1}


def test_lights_as_a_readable_table(pipeline, capsys):
    _, out, _ = run(capsys, "lights", "--as-of", TODAY.isoformat())
    assert "红灯\t2026-330502-26-03-000001\t童装智能工厂技改项目\t吴兴区\t备案\t落地未开工" in out
    assert out.strip().endswith("共 4 个项目，红灯 1，黄灯 1，绿灯 1，不亮灯 1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "--as-of 应为日期 YYYY-MM-DD"),
        (["--district", "杭州市"], "未知的区县“杭州市”"),
    ],
)
def test_lights_refuses_bad_options_with_exit_code_2(pipeline, capsys, args, message):
    code, _, err = run(capsys, "lights", *args)
    assert code == 2 and message in err


def test_lists_json_keys_and_entries(pipeline, capsys):
    start, end = days_ago(130), TODAY + dt.timedelta(days=365)
    code, out, _ = run(
        capsys, "lists", "--from", start.isoformat(), "--to", end.isoformat(), "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and set(data) == {"拟开工", "竣工", "升规"}
    to_start = {e["code"]: e for e in data["拟开工"]}
    assert set(to_start) == {"2026-330502-26-03-000001", "2026-330502-26-03-000002"}  # not the terminated one
    assert to_start["2026-330502-26-03-000001"] == {
        "code": "2026-330502-26-03-000001",
        "name": "童装智能工厂技改项目",
        "district": "吴兴区",
        "reasons": [f"计划 {days_ago(120)} 开工", "尚未开工"],
    }
    assert [e["code"] for e in data["竣工"]] == ["2026-330502-26-03-000001", "2026-330503-26-03-000003"]
    assert all(set(e) == {"uscc", "name", "district", "reasons"} for e in data["升规"])


def test_lists_refuses_a_period_that_ends_before_it_starts(pipeline, capsys):
    code, _, err = run(capsys, "lists", "--from", "2026-06-30", "--to", "2026-06-01")
    assert code == 2 and "早于" in err
