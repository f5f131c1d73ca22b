"""A district user can neither read nor change another district's data, through pages or the API,
even by guessing ids; city roles see everything; leaders only read; enterprise users see no org data."""

import pytest

from kuochan.accounts.models import Role
from kuochan.accounts.services import token_create
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.selectors import org_units, sees_whole_tree
from kuochan.orgs.services import org_units_load
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"Authorization": f"Bearer {token_create(actor=user, source=Source.CLI, user=user, name='t').raw}"}


def test_district_user_sees_only_its_own_subtree(huzhou, users):
    seen = set(org_units(actor=users["wuxing"]).values_list("code", flat=True))
    wuxing_subtree = {code for code in huzhou if code == "330502" or code.startswith("330502-")}
    assert seen == wuxing_subtree
    assert "330503" not in seen and "330500" not in seen


def test_city_roles_see_every_unit_of_the_city_and_not_the_province_above(huzhou, users):
    for role in ("city_admin", "city_staff", "leader"):
        assert set(org_units(actor=users[role]).values_list("code", flat=True)) == set(huzhou) - {"330000"}


def test_city_staff_see_the_whole_tree_until_the_province_has_a_second_city(huzhou, users):
    assert sees_whole_tree(users["city_staff"]) and sees_whole_tree(users["leader"])
    assert not sees_whole_tree(users["wuxing"]) and not sees_whole_tree(users["enterprise"])
    org_units_load(rows=[{"code": "B", "name": "乙市", "kind": "city", "parent_code": "330000"}])
    assert not sees_whole_tree(users["city_staff"])
    assert sees_whole_tree(make_user("province", Role.LEADER, huzhou["330000"]))


def test_enterprise_user_and_unassigned_user_see_no_org_units(huzhou, users):
    assert org_units(actor=users["enterprise"]).count() == 0
    users["wuxing"].org_unit = None
    users["wuxing"].save()
    fresh = type(users["wuxing"]).objects.get(pk=users["wuxing"].pk)
    assert org_units(actor=fresh).count() == 0


def test_inactive_user_sees_nothing(huzhou, users):
    users["wuxing"].is_active = False
    assert org_units(actor=users["wuxing"]).count() == 0


def test_other_district_page_is_not_found_even_with_a_guessed_id(huzhou, users, login):
    client = login(users["wuxing"])
    nanxun_town = huzhou["330503-T01"]
    assert client.get(f"/orgs/{huzhou['330502-T01'].pk}/").status_code == 200
    assert client.get(f"/orgs/{nanxun_town.pk}/").status_code == 404
    assert client.get(f"/orgs/{nanxun_town.pk}/edit/").status_code == 404
    response = client.post(
        f"/orgs/{nanxun_town.pk}/edit/", {"code": "X", "name": "改名", "kind": "town", "sort_order": 1}
    )
    assert response.status_code == 404
    assert OrgUnit.objects.get(pk=nanxun_town.pk).name == nanxun_town.name


def test_the_unit_list_starts_at_the_users_own_unit(huzhou, users, login):
    page = login(users["city_staff"]).get("/orgs/").content.decode()
    city, wuxing = huzhou["330500"], huzhou["330502"]
    assert f'padding-left: 1em"><a href="/orgs/{city.pk}/">湖州市' in page  # not indented below 浙江省
    assert f'padding-left: 2em"><a href="/orgs/{wuxing.pk}/">吴兴区' in page
    assert f'href="/orgs/{huzhou["330000"].pk}/"' not in page
    district = login(users["wuxing"]).get("/orgs/").content.decode()
    assert f'padding-left: 1em"><a href="/orgs/{wuxing.pk}/">吴兴区' in district


def test_other_district_is_invisible_in_lists(huzhou, users, login):
    page = login(users["wuxing"]).get("/orgs/").content.decode()
    assert "织里镇" in page
    assert "双林镇" not in page and "南浔区" not in page


def test_api_hides_and_refuses_other_districts_data(huzhou, users, client):
    headers = bearer(users["wuxing"])
    nanxun_town = huzhou["330503-T01"]
    listed = client.get("/api/v1/org-units?limit=1000", headers=headers).json()
    assert {item["code"] for item in listed["items"]} == {
        code for code in huzhou if code == "330502" or code.startswith("330502-")
    }
    assert client.get(f"/api/v1/org-units/{nanxun_town.pk}", headers=headers).status_code == 404
    patched = client.patch(
        f"/api/v1/org-units/{nanxun_town.pk}",
        {"name": "改名"},
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 404
    created = client.post(
        "/api/v1/org-units",
        {"parent_id": huzhou["330503"].pk, "code": "330503-T99", "name": "新园区", "kind": "park"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 404
    assert OrgUnit.objects.get(pk=nanxun_town.pk).name == nanxun_town.name
    assert not OrgUnit.objects.filter(code="330503-T99").exists()


def test_district_user_can_add_and_edit_towns_in_its_own_district(huzhou, users, client):
    headers = bearer(users["wuxing"])
    created = client.post(
        "/api/v1/org-units",
        {"parent_id": huzhou["330502"].pk, "code": "330502-T99", "name": "吴兴智造园", "kind": "park"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    unit = OrgUnit.objects.get(code="330502-T99")
    assert (
        unit.path == f"{huzhou['330502'].path}{unit.pk}." and unit.depth == 3
    )  # 浙江省 → 湖州市 → 吴兴区 → park
    patched = client.patch(
        f"/api/v1/org-units/{unit.pk}",
        {"name": "吴兴智能制造园"},
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json()["name"] == "吴兴智能制造园"


def test_district_user_cannot_rename_its_own_district(huzhou, users, client):
    response = client.patch(
        f"/api/v1/org-units/{huzhou['330502'].pk}",
        {"name": "改名区"},
        content_type="application/json",
        headers=bearer(users["wuxing"]),
    )
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]
    assert OrgUnit.objects.get(code="330502").name == "吴兴区"


def test_leader_reads_everything_but_changes_nothing(huzhou, users, client, login):
    town = huzhou["330503-T01"]
    headers = bearer(users["leader"])
    assert client.get(f"/api/v1/org-units/{town.pk}", headers=headers).status_code == 200
    refused = client.patch(
        f"/api/v1/org-units/{town.pk}", {"name": "改名"}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 403
    assert login(users["leader"]).get(f"/orgs/{town.pk}/edit/").status_code == 403
    assert OrgUnit.objects.get(pk=town.pk).name == town.name


def test_anonymous_requests_are_refused(huzhou, client):
    assert client.get("/api/v1/org-units").status_code == 401
    response = client.get(f"/orgs/{huzhou['330502'].pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_org_list_export_holds_only_the_users_scope(huzhou, users, login):
    import io

    from python_calamine import CalamineWorkbook

    response = login(users["wuxing"]).get("/orgs/", {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    names = {row[0] for row in rows[1:]}
    assert "织里镇" in names and "双林镇" not in names and len(rows) - 1 == 14
