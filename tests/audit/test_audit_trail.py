import pytest

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.services import org_unit_create, org_unit_update

pytestmark = pytest.mark.django_db


def test_an_update_records_who_when_where_and_each_field_before_and_after(huzhou, users):
    town = huzhou["330502-T08"]
    org_unit_update(
        actor=users["wuxing"], source=Source.WEB, unit=town, name="织里镇（童装名镇）", note="童装产业"
    )
    entry = AuditEntry.objects.get(
        content_type__model="orgunit", object_id=str(town.pk), action=Action.UPDATE
    )
    assert entry.actor == users["wuxing"] and entry.actor_name == "wuxing"
    assert entry.source == Source.WEB
    assert entry.changes == {"name": ["织里镇", "织里镇（童装名镇）"], "note": ["", "童装产业"]}
    assert entry.at is not None
    assert entry.scope_path == town.path


def test_an_update_that_changes_nothing_leaves_no_entry(huzhou, users):
    before = AuditEntry.objects.count()
    org_unit_update(actor=users["wuxing"], source=Source.API, unit=huzhou["330502-T08"], name="织里镇")
    assert AuditEntry.objects.count() == before


def test_a_create_records_the_new_values(huzhou, users):
    unit = org_unit_create(
        actor=users["city_staff"],
        source=Source.API,
        parent=huzhou["330503"],
        code="330503-T88",
        name="南浔智造园",
        kind="park",
    )
    entry = AuditEntry.objects.get(content_type__model="orgunit", object_id=str(unit.pk))
    assert entry.action == Action.CREATE and entry.source == Source.API
    assert entry.changes["name"] == [None, "南浔智造园"]
    assert entry.object_url == f"/orgs/{unit.pk}/"


def test_a_refused_write_changes_nothing_and_records_nothing(huzhou, users):
    from django.core.exceptions import ValidationError

    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        org_unit_update(
            actor=users["wuxing"], source=Source.WEB, unit=huzhou["330502-T08"], code="330502-T01", name=""
        )
    assert "已被其他单位使用" in error.value.message_dict["code"][0]
    assert "不能为空" in error.value.message_dict["name"][0]
    assert OrgUnit.objects.get(code="330502-T08").name == "织里镇"
    assert AuditEntry.objects.count() == before


def test_trail_page_lists_filters_and_links_to_the_object(huzhou, users, login):
    town = huzhou["330502-T08"]
    org_unit_update(actor=users["wuxing"], source=Source.WEB, unit=town, note="童装产业")
    client = login(users["city_admin"])
    page = client.get(
        "/audit/", {"model": "orgs.orgunit", "action": "update", "source": "web"}
    ).content.decode()
    assert "童装产业" in page and f'href="/orgs/{town.pk}/"' in page and "wuxing" in page
    assert "修改" in page and "网页" in page
    none_from_api = client.get("/audit/", {"source": "api"}).content.decode()
    assert "童装产业" not in none_from_api
    by_other_actor = client.get("/audit/", {"actor": "nanxun"}).content.decode()
    assert "童装产业" not in by_other_actor


def test_trail_is_scoped_like_the_data(huzhou, users, login):
    org_unit_update(actor=users["nanxun"], source=Source.WEB, unit=huzhou["330503-T02"], note="南浔的备注")
    org_unit_update(actor=users["wuxing"], source=Source.WEB, unit=huzhou["330502-T02"], note="吴兴的备注")
    page = login(users["wuxing"]).get("/audit/").content.decode()
    assert "吴兴的备注" in page and "南浔的备注" not in page


def test_the_object_page_shows_its_own_trail(huzhou, users, login):
    town = huzhou["330502-T08"]
    org_unit_update(actor=users["wuxing"], source=Source.WEB, unit=town, note="童装产业")
    page = login(users["wuxing"]).get(f"/orgs/{town.pk}/").content.decode()
    assert "变更记录" in page and "童装产业" in page and "备注" in page


def test_bulk_reference_load_writes_one_entry_per_unit(db):
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    assert (
        AuditEntry.objects.filter(
            content_type__model="orgunit", action=Action.CREATE, source=Source.CLI
        ).count()
        == OrgUnit.objects.count()
    )


def test_editing_through_the_web_form_is_audited_as_web(huzhou, users, login):
    town = huzhou["330502-T08"]
    response = login(users["wuxing"]).post(
        f"/orgs/{town.pk}/edit/",
        {"code": town.code, "name": "织里镇", "short_name": "织里", "kind": "town", "sort_order": 8},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        content_type__model="orgunit", object_id=str(town.pk), action=Action.UPDATE
    )
    assert entry.source == Source.WEB and entry.changes == {"short_name": ["", "织里"]}


def test_web_form_shows_chinese_errors_and_keeps_data(huzhou, users, login):
    town = huzhou["330502-T08"]
    response = login(users["wuxing"]).post(
        f"/orgs/{town.pk}/edit/", {"code": "330502-T01", "name": "织里镇", "kind": "town", "sort_order": 8}
    )
    assert response.status_code == 200
    assert "已存在" in response.content.decode() or "已被其他单位使用" in response.content.decode()
    assert OrgUnit.objects.get(pk=town.pk).code == "330502-T08"


def test_the_trail_exports_what_the_filters_show(huzhou, users, login):
    import io

    from python_calamine import CalamineWorkbook

    org_unit_update(actor=users["wuxing"], source=Source.WEB, unit=huzhou["330502-T08"], note="童装产业")
    org_unit_update(actor=users["wuxing"], source=Source.API, unit=huzhou["330502-T09"], note="接口修改")
    response = login(users["city_admin"]).get("/audit/", {"source": "web", "export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["时间", "操作人", "来源", "操作", "对象类型", "对象", "变更内容"]
    assert [row[5] for row in rows[1:]] == ["织里镇"] and "备注" in rows[1][6] and "童装产业" in rows[1][6]
