import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kuochan.audit.models import AuditEntry
from kuochan.orgs.models import OrgKind, OrgUnit
from kuochan.orgs.services import flatten_tree, org_units_load

pytestmark = pytest.mark.django_db


def run_load(capsys) -> dict:
    call_command("load_reference", format="json")
    return json.loads(capsys.readouterr().out)


def test_huzhou_has_the_city_five_districts_and_two_zones(huzhou):
    city = huzhou["330500"]
    reporting = OrgUnit.objects.filter(parent=city).order_by("sort_order")
    assert [unit.name for unit in reporting] == [
        "吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "南太湖新区", "长三角（湖州）产业合作区",
    ]  # fmt: skip
    assert all(unit.is_reporting_unit for unit in reporting)
    assert huzhou["330500-CHQ"].display_name == "长合区"
    assert {unit.kind for unit in reporting} == {OrgKind.DISTRICT, OrgKind.ZONE}
    assert huzhou["330502-T08"].name == "织里镇" and huzhou["330502-T08"].parent == huzhou["330502"]


def test_map_names_match_the_shipped_map(huzhou):
    from kuochan.reference import data_file

    geojson = json.loads(data_file(huzhou["330500"].map_file).read_text(encoding="utf-8"))
    regions = {feature["properties"]["name"] for feature in geojson["features"]}
    assert {unit.map_name for unit in huzhou.values() if unit.map_name} == regions


def test_loading_twice_changes_nothing(db, capsys):
    first = run_load(capsys)
    assert first["org_units"]["created"] == OrgUnit.objects.count() > 70
    entries = AuditEntry.objects.count()
    second = run_load(capsys)
    assert second["org_units"] == {"created": 0, "updated": 0, "unchanged": first["org_units"]["created"]}
    assert AuditEntry.objects.count() == entries


def test_load_restores_an_edited_reference_value_and_audits_it(huzhou, capsys):
    OrgUnit.objects.filter(code="330502").update(name="吴兴")
    result = run_load(capsys)
    assert result["org_units"]["updated"] == 1
    assert OrgUnit.objects.get(code="330502").name == "吴兴区"
    entry = AuditEntry.objects.filter(
        content_type__model="orgunit", object_id=str(huzhou["330502"].pk), action="update"
    ).get()
    assert entry.changes == {"name": ["吴兴", "吴兴区"]} and entry.source == "cli"


def test_paths_follow_the_tree(huzhou):
    for unit in huzhou.values():
        expected = (unit.parent.path if unit.parent else "") + f"{unit.pk}."
        assert unit.path == expected
        assert unit.depth == (unit.parent.depth + 1 if unit.parent else 0)


def test_bad_reference_rows_are_all_reported_in_chinese_and_nothing_is_written(db):
    rows = flatten_tree(
        [
            {"code": "X1", "name": "某市", "kind": "city", "children": [
                {"code": "X2", "name": "", "kind": "district"},
                {"code": "X1", "name": "重复", "kind": "district"},
                {"code": "X3", "name": "某县", "kind": "county"},
            ]},
            {"code": "X4", "name": "孤儿", "kind": "town", "parent_code": "NOPE"},
        ]
    )  # fmt: skip
    rows[-1]["parent_code"] = "NOPE"
    with pytest.raises(ValidationError) as error:
        org_units_load(rows=rows)
    messages = error.value.messages
    assert any("缺少名称" in m for m in messages)
    assert any("代码“X1”重复" in m for m in messages)
    assert any("类型“county”无效" in m for m in messages)
    assert any("上级代码“NOPE”不存在" in m for m in messages)
    assert OrgUnit.objects.count() == 0


def test_moving_a_city_under_a_province_rewrites_its_whole_subtree(huzhou):
    city = huzhou["330500"]
    rows = [
        {"code": "P", "name": "演示省", "kind": "province", "parent_code": None},
        {
            "code": city.code,
            "name": city.name,
            "kind": city.kind,
            "map_file": city.map_file,
            "parent_code": "P",
        },
    ]
    org_units_load(rows=rows)
    province = OrgUnit.objects.get(code="P")
    town = OrgUnit.objects.get(code="330502-T08")
    assert town.path == f"{province.pk}.{city.pk}.{huzhou['330502'].pk}.{town.pk}."
    assert town.depth == 3
    assert OrgUnit.objects.filter(path__startswith=province.path).count() == len(huzhou) + 1
