"""`kuochan cultivation library`: fill a title's library by rule and print it in the candidates' JSON shape,
`status` being the entry's."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kuochan.cultivation.models import Entry
from tests.cultivation.conftest import MUYE_GAP, THIS_YEAR

pytestmark = pytest.mark.django_db


def run(verb, *options):
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("cultivation", verb, *options, "--format", "json", stdout=Sink())
    return json.loads("".join(out))


def test_fill_then_print_the_library_as_json(srdi):
    report = run("library", "--title", "srdi_sme", "--year", str(THIS_YEAR), "--fill")
    assert list(report) == ["title", "year", "enterprises"]
    assert (report["title"], report["year"]) == ("srdi_sme", THIS_YEAR)
    rows = report["enterprises"]
    assert [r["name"] for r in rows] == ["湖州织里童装有限公司", "南浔木业有限公司"]
    assert rows[0] == {
        "uscc": srdi["tongzhuang"].uscc, "name": "湖州织里童装有限公司", "district": "吴兴区", "status": "入库",
        "met": True, "missing": [],
    }  # fmt: skip
    assert rows[1]["missing"] == [
        {
            "criterion": "近两年研发费用（较低一年）不小于 100万元（含本数）",
            "value": 90.0,
            "threshold": 100.0,
            "gap": MUYE_GAP,
        }
    ]
    assert set(Entry.objects.values_list("source", flat=True)) == {"rule"}
    Entry.objects.filter(enterprise=srdi["tongzhuang"]).update(status="applied")
    again = run("library", "--title", "srdi_sme", "--year", str(THIS_YEAR), "--fill")
    assert [r["status"] for r in again["enterprises"]] == ["申报", "入库"] and Entry.objects.count() == 2


def test_without_fill_it_only_prints(srdi):
    assert run("library", "--title", "srdi_sme", "--year", str(THIS_YEAR))["enterprises"] == []
    assert not Entry.objects.exists()


def test_candidates_still_work_beside_the_library(srdi):
    rows = run("candidates", "--title", "srdi_sme", "--year", str(THIS_YEAR))["enterprises"]
    assert [r["status"] for r in rows] == ["符合", "接近"]


def test_fill_as_a_district_user_is_refused_with_exit_code_2(srdi, users):
    with pytest.raises(CommandError) as refused:
        run("library", "--title", "srdi_sme", "--year", str(THIS_YEAR), "--fill", "--user", "wuxing")
    assert refused.value.returncode == 2 and "按条件遴选入库由市级工作人员进行" in str(refused.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--title", "nope", "--year", str(THIS_YEAR)], "没有代码为“nope”的称号"),
        (["--title", "srdi_sme", "--year", "２０２６"], "--year 应为 2000 至"),
        (["--title", "srdi_sme", "--year", str(THIS_YEAR), "--margin", "-1"], "--margin 应为 0 至 100"),
        (["--title", "eagle", "--year", str(THIS_YEAR), "--fill"], "的条件均待主管部门明确"),
    ],
)
def test_bad_input_is_refused(huzhou, options, message):
    with pytest.raises(CommandError) as refused:
        run("library", *options)
    assert refused.value.returncode == 2 and message in str(refused.value)
