"""`kuochan cultivation candidates`: who could earn a title this year, and what each lacks."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuochan.cultivation.models import Title
from kuochan.registry.models import Enterprise
from tests.cultivation.conftest import LAST, THIS_YEAR, honour

pytestmark = pytest.mark.django_db


@pytest.fixture
def srdi(srdi):
    """The library tests' three enterprises (conftest), as their USCCs: 童装, 新材料, 木业."""
    return tuple(srdi[name].uscc for name in ("tongzhuang", "xincailiao", "muye"))


def run(*options):
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("cultivation", "candidates", *options, "--format", "json", stdout=Sink())
    return json.loads("".join(out))


def test_candidates_most_promising_first_with_their_gaps(srdi):
    tongzhuang, xincailiao, muye = srdi
    report = run("--title", "srdi_sme", "--year", str(THIS_YEAR), "--margin", "40")
    assert list(report) == ["title", "year", "enterprises"]
    assert report["title"] == "srdi_sme" and report["year"] == THIS_YEAR
    rows = report["enterprises"]
    assert [r["uscc"] for r in rows] == [tongzhuang, muye, xincailiao]
    assert rows[0] == {
        "uscc": tongzhuang, "name": "湖州织里童装有限公司", "district": "吴兴区", "status": "符合", "met": True,
        "missing": [],
    }  # fmt: skip
    assert rows[1]["status"] == "接近" and rows[1]["met"] is False
    assert rows[1]["missing"] == [
        {
            "criterion": "近两年研发费用（较低一年）不小于 100万元（含本数）",
            "value": 90.0,
            "threshold": 100.0,
            "gap": "近两年研发费用（较低一年） 90万元，差 10 万元",
        }
    ]
    assert [m["gap"] for m in rows[2]["missing"]] == [
        "上年营业收入 1,320万元，差 180 万元",
        "近两年研发费用（较低一年） 60万元，差 40 万元",
    ]


def test_the_default_margin_is_20_percent_of_each_threshold(srdi):
    tongzhuang, _, muye = srdi
    rows = run("--title", "srdi_sme", "--year", str(THIS_YEAR))["enterprises"]
    assert [r["uscc"] for r in rows] == [tongzhuang, muye]  # 新材料's 40万元 is 40% of 100万元
    assert [
        r["uscc"]
        for r in run("--title", "srdi_sme", "--year", str(THIS_YEAR), "--margin", "0")["enterprises"]
    ] == [tongzhuang]


def test_holders_of_the_title_are_not_candidates(srdi):
    tongzhuang, _, muye = srdi
    honour(tongzhuang, "provincial_srdi")
    assert [r["uscc"] for r in run("--title", "srdi_sme", "--year", str(THIS_YEAR))["enterprises"]] == [muye]


def test_an_earlier_year_uses_only_its_own_figures(srdi):
    # for last year's library, 上年 is the year before last: one year of figures, so 近两年 is unknown
    assert run("--title", "srdi_sme", "--year", str(LAST))["enterprises"] == []


def test_one_pass_with_few_queries(srdi):
    with CaptureQueriesContext(connection) as queries:
        run("--title", "srdi_sme", "--year", str(THIS_YEAR))
    few = len(queries)
    for serial in range(10, 30):
        Enterprise.objects.create(
            uscc=f"X{serial}", name=f"企业{serial}", district=Enterprise.objects.first().district
        )
    with CaptureQueriesContext(connection) as queries:
        run("--title", "srdi_sme", "--year", str(THIS_YEAR))
    assert len(queries) == few <= 12


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--title", "nope", "--year", str(THIS_YEAR)], "没有代码为“nope”的称号"),
        (["--title", "srdi_sme", "--year", "20x6"], "--year 应为 2000 至"),
        (["--title", "srdi_sme", "--year", str(THIS_YEAR + 1)], "--year 应为 2000 至"),
        (["--title", "srdi_sme", "--year", "1999"], "--year 应为 2000 至"),
        (["--title", "srdi_sme", "--year", str(THIS_YEAR), "--margin", "abc"], "--margin 应为 0 至 100"),
        (["--title", "eagle", "--year", str(THIS_YEAR)], "的条件均待主管部门明确"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2(huzhou, options, message):
    with pytest.raises(CommandError) as refused:
        run(*options)
    assert refused.value.returncode == 2
    assert message in str(refused.value)


def test_a_title_without_a_registry_honour_is_refused(huzhou):
    Title.objects.create(code="local_star", name="区县之星", level="city", criteria=[])
    with pytest.raises(CommandError) as refused:
        run("--title", "local_star", "--year", str(THIS_YEAR))
    assert refused.value.returncode == 2
    assert "在企业荣誉中尚无对应类别" in str(refused.value)
