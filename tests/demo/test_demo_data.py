import json

import pytest
from django.core.management import CommandError, call_command

from kuochan.accounts.models import Role, User
from kuochan.demo.generators import DEMO_PASSWORD, province_tree
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.selectors import org_units

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> dict:
    call_command("demo_data", "--enterprises", "60", *args, "--format", "json")
    return json.loads(capsys.readouterr().out)


def test_demo_data_creates_one_user_per_role_who_can_log_in(huzhou, capsys, client):
    run(capsys)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert client.login(username="wuxing", password=DEMO_PASSWORD)
    assert User.objects.get(username="wuxing").org_unit.name == "吴兴区"


def test_demo_data_can_run_again(huzhou, capsys):
    run(capsys)
    run(capsys)
    assert User.objects.filter(username="admin").count() == 1


def test_demo_data_needs_the_reference_data_first(db):
    with pytest.raises(CommandError, match="load-reference"):
        call_command("demo_data")


def test_province_scale_puts_the_city_inside_a_deeper_tree_and_keeps_scopes(huzhou, capsys):
    summary = run(capsys, "--scale", "province", "--cities", "4", "--districts", "3", "--towns", "5")
    assert summary["org_units"]["created"] == 1 + 3 * (1 + 3 * (1 + 5))
    town = OrgUnit.objects.get(code="330502-T08")
    assert town.depth == 3
    wuxing = User.objects.get(username="wuxing")
    assert set(org_units(actor=wuxing).values_list("code", flat=True)) == {
        code for code in huzhou if code == "330502" or code.startswith("330502-")
    }
    city_staff = User.objects.get(username="city")
    assert org_units(actor=city_staff).count() == len(huzhou)


def test_the_same_seed_gives_the_same_data():
    sizes = {"cities": 3, "districts": 2, "towns": 4}
    assert province_tree(seed=7, **sizes) == province_tree(seed=7, **sizes)
    assert province_tree(seed=7, **sizes) != province_tree(seed=8, **sizes)


def test_demo_registry_is_plausible_and_links_the_enterprise_user(huzhou, capsys):
    from kuochan.registry.models import AnnualMetric, Enterprise
    from kuochan.registry.rules import uscc_problem

    summary = run(capsys)
    assert summary["registry"]["enterprises"] == 60
    assert all(uscc_problem(code) is None for code in Enterprise.objects.values_list("uscc", flat=True))
    assert Enterprise.objects.values("district").distinct().count() == 7
    assert AnnualMetric.objects.filter(year=2025).count() > 40
    assert not AnnualMetric.objects.filter(revenue_wan__lt=0).exists()
    qiye = User.objects.get(username="qiye")
    assert qiye.enterprise is not None and qiye.enterprise.district.code == "330502"
    again = run(capsys)
    assert again["registry"] == {"existing": 60}


def test_the_same_seed_gives_the_same_enterprises():
    from kuochan.demo.generators import enterprise_rows

    districts = [(1, "330502", [11, 12]), (2, "330503", [])]
    assert enterprise_rows(seed=3, count=20, districts=districts) == enterprise_rows(
        seed=3, count=20, districts=districts
    )
