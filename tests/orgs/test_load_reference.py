import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kuochan.accounts.models import Role, User
from kuochan.audit.models import AuditEntry
from kuochan.orgs.models import OrgKind, OrgUnit
from kuochan.orgs.services import flatten_tree, org_units_load

pytestmark = pytest.mark.django_db


def run_load(capsys) -> dict:
    call_command("load_reference", format="json")
    return json.loads(capsys.readouterr().out)


def test_huzhou_has_the_city_under_zhejiang_five_districts_and_two_zones(huzhou):
    city = huzhou["330500"]
    province = huzhou["330000"]
    assert (province.name, province.kind, province.parent, province.depth) == ("浙江省", "province", None, 0)
    assert city.parent == province and list(province.children.all()) == [city]
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


def _assert_paths_follow_the_tree() -> None:
    for unit in OrgUnit.objects.select_related("parent"):
        assert unit.path == (unit.parent.path if unit.parent else "") + f"{unit.pk}."
        assert unit.depth == (unit.parent.depth + 1 if unit.parent else 0)


def test_loading_over_a_city_rooted_tree_hangs_the_city_under_its_province(db, capsys):
    """A deployment loaded before the tree started at the province: the next load adds 浙江省 and re-hangs the
    city with its whole subtree (a district missing till now arrives with its towns), users keep their units."""
    from kuochan.reference import read_json

    (province,) = read_json("huzhou", "org_units.json")["units"]
    rows = [row for row in flatten_tree(province["children"]) if not row["code"].startswith("330503")]
    org_units_load(rows=rows)
    city = OrgUnit.objects.get(code="330500")
    assert city.parent is None and city.depth == 0
    staff = User.objects.create(username="city", role=Role.CITY_STAFF, org_unit=city)
    result = run_load(capsys)["org_units"]
    assert (result["created"], result["updated"]) == (1 + 1 + 10, 1)  # 浙江省; 南浔区 and its towns; the city
    zhejiang, city = OrgUnit.objects.get(code="330000"), OrgUnit.objects.get(code="330500")
    assert city.parent == zhejiang and zhejiang.parent is None
    assert OrgUnit.objects.get(code="330503-T01").path.startswith(city.path)
    _assert_paths_follow_the_tree()
    staff = User.objects.get(pk=staff.pk)
    assert staff.org_unit == city and staff.org_path == city.path
    assert run_load(capsys)["org_units"]["updated"] == 0


def test_the_trail_and_batches_written_before_the_city_was_re_hung_stay_in_scope(db, capsys):
    """The audit trail and import batches keep the paths they were written with (the trail is never
    rewritten): the city's and a district's staff still read them once 浙江省 is above the city."""
    from kuochan.audit.selectors import audit_entries
    from kuochan.core.scope import in_scope, scoped
    from kuochan.imports.models import ImportBatch
    from kuochan.reference import read_json

    (province,) = read_json("huzhou", "org_units.json")["units"]
    org_units_load(rows=flatten_tree(province["children"]))
    wuxing = OrgUnit.objects.get(code="330502")
    old_batch = ImportBatch.objects.create(kind="enterprises", file_name="企业.xlsx", file_sha256="0" * 64,
                                           actor_name="wuxing", source="web", scope_path=wuxing.path)  # fmt: skip
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    run_load(capsys)
    assert (
        ImportBatch.objects.get().scope_path
        == old_batch.scope_path
        != OrgUnit.objects.get(code="330502").path
    )
    city, wuxing = OrgUnit.objects.get(code="330500"), OrgUnit.objects.get(code="330502")
    staff = User.objects.create(username="city", role=Role.CITY_STAFF, org_unit=city)
    district = User.objects.create(username="wuxing", role=Role.DISTRICT_STAFF, org_unit=wuxing)
    nanxun = User.objects.create(
        username="nanxun", role=Role.DISTRICT_STAFF, org_unit=OrgUnit.objects.get(code="330503")
    )
    auditor = User.objects.create(username="auditor", role=Role.AUDITOR, org_unit=city)
    assert before <= set(audit_entries(actor=staff).values_list("pk", flat=True))
    assert before <= set(audit_entries(actor=auditor).values_list("pk", flat=True))
    created_wuxing = AuditEntry.objects.get(
        pk__in=before, content_type__model="orgunit", object_id=str(wuxing.pk)
    )
    assert audit_entries(actor=district).filter(pk=created_wuxing.pk).exists()
    assert not audit_entries(actor=nanxun).filter(pk=created_wuxing.pk).exists()
    assert not audit_entries(actor=district).filter(object_id=str(city.pk), pk__in=before).exists()
    assert list(scoped(ImportBatch.objects.all(), district)) == [old_batch]
    assert in_scope(staff, old_batch) and in_scope(district, old_batch) and not in_scope(nanxun, old_batch)
    assert not scoped(ImportBatch.objects.all(), nanxun).exists()


def test_moving_a_city_under_another_province_rewrites_its_whole_subtree(huzhou):
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
    assert OrgUnit.objects.filter(path__startswith=province.path).count() == len(huzhou)  # 浙江省 left behind
    _assert_paths_follow_the_tree()
