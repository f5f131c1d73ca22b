"""Scope at province scale: a city's staff compute and replace their own city's evaluation only, choose and
remove their own city's key enterprises only, and the services refuse what lies outside the actor's subtree
whoever calls them. "City-level" is a place in the org tree, not only a role."""

import copy

import pytest
from django.core.exceptions import PermissionDenied

from kuochan.accounts.models import Role
from kuochan.audit.models import Source
from kuochan.evaluation import services
from kuochan.evaluation.models import EvaluationResult, EvaluationRun, KeyEnterprise
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def ranks(year=2025):
    return dict(EvaluationResult.objects.filter(year=year).values_list("enterprise__name", "rank_city"))


def test_a_citys_run_leaves_another_citys_results_untouched(two_cities):
    a_run, _ = services.evaluation_run(actor=two_cities["a_staff"], source=Source.WEB, year=2025)
    assert a_run.org_unit.code == "330500" and a_run.enterprises == 3
    huzhou = ranks()
    assert "乙市机械有限公司" not in huzhou  # city A's run evaluates city A's enterprises only
    b_run, _ = services.evaluation_run(actor=two_cities["b_staff"], source=Source.WEB, year=2025)
    assert b_run.org_unit.code == "B" and b_run.enterprises == 1
    after = ranks()
    assert after.pop("乙市机械有限公司") == 1  # ranked among its own city's enterprises
    assert after == huzhou  # city A's results are still city A's
    assert set(EvaluationRun.objects.filter(year=2025).values_list("org_unit__code", flat=True)) == {
        "330500",
        "B",
    }
    assert set(EvaluationResult.objects.filter(year=2025).values_list("run__org_unit__code", flat=True)) == {
        "330500",
        "B",
    }


def test_a_command_line_run_without_a_user_evaluates_each_city_on_its_own(two_cities, evaluate_cli):
    code, report = evaluate_cli("--year", "2025")
    assert code == 0 and len(report["enterprises"]) == 4
    runs = EvaluationRun.objects.filter(year=2025)
    assert sorted((run.org_unit.code, run.enterprises) for run in runs) == [("330500", 3), ("B", 1)]
    assert ranks()["乙市机械有限公司"] == 1  # ranked among its own city's enterprises only


def test_each_city_evaluates_with_its_own_scheme_and_keeps_its_results_apart(two_cities, users):
    huzhou_before = services.evaluation_run(actor=two_cities["a_staff"], source=Source.WEB, year=2025)[0]
    b_admin = make_user("b_admin", Role.CITY_ADMIN, OrgUnit.objects.get(code="B"))
    definition = copy.deepcopy(huzhou_before.scheme.definition)
    definition["groups"]["above"]["cutoffs"] = {"by": "score", "A": 200, "B": 150, "C": 60}
    own = services.scheme_save(
        actor=b_admin, source=Source.WEB, year=2025, definition=definition, note="乙市方案"
    )
    assert own.org_unit.code == "B" and own.version == 2  # numbered on from the default it replaces
    huzhou = ranks()
    b_run, _ = services.evaluation_run(actor=two_cities["b_staff"], source=Source.WEB, year=2025)
    assert b_run.scheme == own
    firm = EvaluationResult.objects.get(year=2025, enterprise=two_cities["b_enterprise"])
    # Score 100 (alone, so every indicator equals its benchmark): C by 乙市's score lines, where Huzhou's
    # rank shares would have made it B.
    assert (float(firm.score), firm.klass) == (100.0, "C")
    # Huzhou keeps the default scheme and its results.
    again, _ = services.evaluation_run(actor=two_cities["a_staff"], source=Source.WEB, year=2025)
    assert again.scheme == huzhou_before.scheme
    assert {k: v for k, v in ranks().items() if k != "乙市机械有限公司"} == huzhou


def test_each_city_sees_the_run_that_computed_its_results(two_cities, login):
    services.evaluation_run(actor=None, source=Source.CLI, year=2025)
    services.evaluation_run(actor=two_cities["b_staff"], source=Source.WEB, year=2025)
    page = login(two_cities["b_staff"]).get("/evaluation/", {"year": 2025}).content.decode()
    assert "乙市机械有限公司" in page and "湖州织里童装有限公司" not in page
    assert "2025 年评价（乙市）：共 1 家企业" in page  # its own city's run, not the whole database's


def test_city_staff_placed_in_a_district_cannot_compute(with_metrics, huzhou, login):
    misplaced = make_user("misplaced", Role.CITY_STAFF, huzhou["330503"])
    with pytest.raises(PermissionDenied):
        services.evaluation_run(actor=misplaced, source=Source.WEB, year=2025)
    page = login(misplaced).post("/evaluation/", {"year": 2025}, follow=True).content.decode()
    assert "只有市级工作人员可以计算评价结果" in page
    assert not EvaluationResult.objects.exists()


def test_another_citys_staff_neither_see_nor_remove_a_citys_key_enterprises(two_cities, login):
    tongzhuang = Enterprise.objects.get(name="湖州织里童装有限公司")
    key = services.key_enterprise_add(
        actor=two_cities["a_staff"], source=Source.WEB, enterprise=tongzhuang, reason="龙头企业"
    )
    client = login(two_cities["b_staff"])
    page = client.get("/evaluation/tracking/", {"year": 2025}).content.decode()
    assert "湖州织里童装有限公司" not in page and "龙头企业" not in page
    refused = client.post("/evaluation/tracking/", {"year": 2025, "remove": key.pk}, follow=True)
    assert "该重点企业已不存在" in refused.content.decode()
    assert KeyEnterprise.objects.filter(pk=key.pk).exists()
    own = login(two_cities["a_staff"]).get("/evaluation/tracking/", {"year": 2025}).content.decode()
    assert "湖州织里童装有限公司：龙头企业" in own


def test_a_district_placed_user_sees_only_its_own_key_enterprises(evaluated_keys, huzhou, login):
    nanxun_staff = make_user("nanxun_city_role", Role.CITY_STAFF, huzhou["330503"])
    page = login(nanxun_staff).get("/evaluation/tracking/", {"year": 2025}).content.decode()
    assert "南浔木业有限公司" in page
    assert "湖州织里童装有限公司" not in page and "龙头企业" not in page


@pytest.fixture
def evaluated_keys(with_metrics):
    """A key enterprise in 吴兴 and one in 南浔, chosen by the city."""
    for uscc, reason in ((with_metrics[0], "龙头企业"), (with_metrics[2], "链主企业")):
        KeyEnterprise.objects.create(enterprise=Enterprise.objects.get(uscc=uscc), reason=reason)
    services.evaluation_run(actor=None, source=Source.CLI, year=2025)


def test_the_key_enterprise_services_refuse_an_object_outside_the_actors_city(two_cities):
    a_staff, b_staff = two_cities["a_staff"], two_cities["b_staff"]
    tongzhuang = Enterprise.objects.get(name="湖州织里童装有限公司")
    with pytest.raises(PermissionDenied):
        services.key_enterprise_add(actor=b_staff, source=Source.API, enterprise=tongzhuang, reason="x")
    key = services.key_enterprise_add(actor=a_staff, source=Source.API, enterprise=tongzhuang, reason="x")
    with pytest.raises(PermissionDenied):
        services.key_enterprise_remove(actor=b_staff, source=Source.API, key=key)
    with pytest.raises(PermissionDenied):
        services.exemption_set(
            actor=b_staff, source=Source.API, enterprise=tongzhuang, year=2025, reason="停产"
        )
    assert KeyEnterprise.objects.filter(pk=key.pk).exists()


def test_a_province_user_sees_every_citys_results(two_cities, login):
    services.evaluation_run(actor=two_cities["a_staff"], source=Source.WEB, year=2025)
    services.evaluation_run(actor=two_cities["b_staff"], source=Source.WEB, year=2025)
    province = make_user("province", Role.CITY_STAFF, OrgUnit.objects.get(code="330000"))
    page = login(province).get("/evaluation/", {"year": 2025}).content.decode()
    assert "乙市机械有限公司" in page and "湖州织里童装有限公司" in page
