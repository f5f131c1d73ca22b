import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kuochan.audit.models import Source
from kuochan.digital.services import task_save
from tests.conftest import TODAY


def run(capsys, *args):
    call_command("digital", *args)
    return json.loads(capsys.readouterr().out)


def test_coverage_json_by_district_and_industry(firms, capsys):
    report = run(capsys, "coverage", "--as-of", "2025-12-31", "--format", "json")
    assert report["as_of"] == "2025-12-31" and report["by"] == "district"
    rows = {row["name"]: row for row in report["rows"]}
    assert (rows["吴兴区"]["level_1"], rows["吴兴区"]["level_2"], rows["吴兴区"]["share_2"]) == (2, 1, 50.0)
    assert report["total"]["above_scale"] == 4
    industry = run(capsys, "coverage", "--as-of", "2025-12-31", "--by", "industry", "--format", "json")
    assert sum(row["above_scale"] for row in industry["rows"]) == 4


def test_coverage_as_a_district_user(firms, users, capsys):
    report = run(capsys, "coverage", "--as-of", "2025-12-31", "--format", "json", "--user", "wuxing")
    assert [row["name"] for row in report["rows"]] == ["吴兴区"]


def test_lists_json(pipeline, users, capsys):
    task_save(
        actor=users["city_staff"], source=Source.WEB, enterprise=pipeline["red"].enterprise, year=TODAY.year,
        target_level="2.0", responsible=users["wuxing"], projects=[pipeline["red"]],
    )  # fmt: skip
    report = run(capsys, "lists", "--year", str(TODAY.year), "--format", "json")
    assert report["enterprises"][0]["responsible"] == "wuxing"
    assert (
        report["projects"][0]["code"] == pipeline["red"].code
        and report["projects"][0]["total_wan"] == "12000.00"
    )
    assert report["responsible"] == [
        {"name": "wuxing", "phone": "", "username": "wuxing", "tasks": 1, "done": 0}
    ]


def test_bad_dates_and_years_exit_2(huzhou):
    for args in (("coverage", "--as-of", "2025-13-01"), ("lists", "--year", "二〇二五")):
        with pytest.raises(CommandError) as refused:
            call_command("digital", *args)
        assert refused.value.returncode == 2
