"""The 厂房超市: listings registered, imported and exported with the import framework, their status audited,
photos checked, needs entered or taken from the survey, and matched to listings with a score and reasons."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from kuochan.audit.models import AuditEntry, Source
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise, Survey
from kuochan.resources import selectors, services
from kuochan.resources.models import Listing, SpaceNeed
from kuochan.resources.rules import Need, Space, best_spaces, space_fit
from tests.xlsx import exported_rows, write_xlsx

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

HEADER = ["房源编号", "所在园区（乡镇）", "地址", "面积（平方米）", "层高（米）", "承重（吨/平方米）", "行车（吨）",
          "配电容量（千伏安）", "租金（元/平方米·月）", "可入驻日期", "业主联系人", "联系电话", "状态"]  # fmt: skip


def space(i, area, height=None, load=None, crane=None, rent=None, district=1, day=None):
    return Space(i, district, D(area), height and D(height), load and D(load), crane and D(crane), None,
                 rent and D(rent), day)  # fmt: skip


def test_a_space_meeting_every_requirement_scores_100_with_a_reason_for_each():
    need = Need(
        min_area=D(2000), max_area=D(4000), min_height=D(8), min_load=D(3), district_id=1, max_rent=D(20)
    )
    fit = space_fit(space(1, 3200, height=9, load=3, rent=18), need)
    assert (fit.score, fit.fits) == (100, True)
    assert fit.reasons == (
        "面积 3200㎡符合要求 2000–4000㎡", "层高 9米 ≥ 要求 8米", "承重 3吨/㎡ ≥ 要求 3吨/㎡", "位于意向区县",
        "租金 18 元/㎡·月，在可承受的 20 元/㎡·月",
    )  # fmt: skip


def test_misses_lower_the_score_and_a_wrong_area_is_no_match():
    need = Need(min_area=D(2000), min_height=D(8), min_crane=D(10), district_id=1)
    low = space(1, 2500, height=6, crane=5, district=2)
    fit = space_fit(low, need)
    assert (fit.score, fit.fits) == (30 + 15 + 10 + 5 + 5, False)
    assert "层高 6米 低于要求 8米" in fit.reasons and "不在意向区县" in fit.reasons
    ranked = best_spaces([low, space(2, 1000), space(3, 3000, height=8, crane=10)], need)
    assert [f.space_id for f in ranked] == [3, 1]


def test_a_need_without_figures_matches_on_what_it_states(huzhou):
    fit = space_fit(space(1, 500), Need(district_id=1))
    assert fit.fits and fit.reasons == ("未填面积要求", "位于意向区县")


@pytest.fixture
def listings(huzhou, users, tmp_path, run_cli):
    rows = [
        HEADER,
        ["WX-001", "织里镇", "织里镇大港路 88 号", "3200㎡", 9, 3, 10, 630, 18, "2026-12-01", "张经理", "13800000001", "在租"],
        ["NX-001", "双林镇", "双林镇工业园 6 号", 1500, 6, 1.5, "", 400, 12, "", "李经理", "13800000002", ""],
    ]  # fmt: skip
    code, result = run_cli("factory-spaces", write_xlsx(tmp_path / "spaces.xlsx", rows))
    assert code == 0 and result["created"] == 2, result
    return {x.code: x for x in Listing.objects.all()}


def test_listings_are_imported_and_an_import_again_updates_their_status(listings, tmp_path, run_cli):
    assert listings["WX-001"].floor_area_m2 == D(3200) and listings["NX-001"].status == "available"
    rows = [
        HEADER,
        [
            "NX-001",
            "双林镇",
            "双林镇工业园 6 号",
            1500,
            6,
            1.5,
            "",
            400,
            12,
            "",
            "李经理",
            "13800000002",
            "已租",
        ],
    ]
    code, result = run_cli("factory-spaces", write_xlsx(tmp_path / "again.xlsx", rows))
    assert code == 0 and result["updated"] == 1
    assert Listing.objects.get(code="NX-001").status == "let"
    entry = AuditEntry.objects.filter(object_repr="NX-001").get()
    assert entry.changes["status"] == ["available", "let"]


def test_a_bad_row_names_the_row_the_column_and_the_value_and_nothing_is_written(huzhou, tmp_path, run_cli):
    rows = [HEADER, ["X-1", "不存在镇", "某地", 100, "", "", "", "", "", "", "王", "1", ""],
            ["X-2", "织里镇", "某地", "一千", "", "", "", "", "", "", "王", "1", "出租中"]]  # fmt: skip
    code, result = run_cli("factory-spaces", write_xlsx(tmp_path / "bad.xlsx", rows))
    assert code == 2 and not Listing.objects.exists()
    problems = {(e["row"], e["column"]) for e in result["errors"]}
    assert problems == {(2, "所在园区(乡镇)"), (3, "面积(平方米)"), (3, "状态")}


def test_a_status_change_by_hand_is_audited_and_kept_to_scope(listings, users):
    listing = listings["WX-001"]
    services.listing_save(actor=users["wuxing"], source=Source.WEB, listing=listing, status="withdrawn")
    assert AuditEntry.objects.filter(object_repr__startswith="WX-001", action="update").get().changes[
        "status"
    ] == ["available", "withdrawn"]
    with pytest.raises(PermissionDenied):
        services.listing_save(actor=users["nanxun"], source=Source.WEB, listing=listing, status="available")


def test_a_district_cannot_take_another_district_s_listing_by_moving_it_into_its_own_area(
    listings, users, huzhou
):
    shuanglin = OrgUnit.objects.get(name="双林镇")
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        services.listing_save(
            actor=users["nanxun"], source=Source.WEB, listing=listings["WX-001"], area=shuanglin
        )
    assert Listing.objects.get(code="WX-001").area.name == "织里镇"


def test_a_need_of_another_district_s_enterprise_cannot_be_changed_through_one_s_own(
    registered, users, huzhou
):
    zhili, nanxun = Enterprise.objects.get(uscc=registered[0]), Enterprise.objects.get(uscc=registered[2])
    theirs = services.need_save(actor=users["nanxun"], source=Source.WEB, enterprise=nanxun, note="需厂房")
    with pytest.raises(PermissionDenied):
        services.need_save(
            actor=users["wuxing"], source=Source.WEB, enterprise=zhili, need=theirs, is_open=False
        )
    theirs.refresh_from_db()
    assert theirs.is_open and theirs.enterprise == nanxun


def test_photos_must_be_real_images(listings, users):
    listing = listings["WX-001"]
    with pytest.raises(ValidationError, match=r"内容与扩展名 \.png 不符"):
        services.photo_add(
            actor=users["wuxing"], source=Source.WEB, listing=listing, name="厂房.png", content=b"GIF89a"
        )
    photo = services.photo_add(
        actor=users["wuxing"], source=Source.WEB, listing=listing, name="厂房.png", content=PNG
    )
    assert photo.file.name.endswith(".png") and photo.name == "厂房.png"


def test_needs_come_from_the_survey_and_are_matched_to_listings(listings, users, registered, login):
    enterprise = Enterprise.objects.get(uscc=registered[0])
    Survey.objects.create(
        enterprise=enterprise, year=2026, willingness="yes", needs="用地、用能", notes="需 3000 平方米厂房"
    )
    assert services.needs_from_surveys(actor=users["wuxing"], source=Source.WEB, year=2026) == 1
    assert (
        services.needs_from_surveys(actor=users["wuxing"], source=Source.WEB, year=2026) == 0
    )  # already open
    need = SpaceNeed.objects.get()
    assert need.from_survey == 2026 and need.note == "需 3000 平方米厂房"
    services.need_save(
        actor=users["wuxing"], source=Source.WEB, enterprise=enterprise, need=need, min_area_m2=D(2000),
        min_height_m=D(8), needed_by=dt.date(2027, 1, 1),
    )  # fmt: skip
    matches = selectors.spaces_for(need)
    assert [(x.code, fit.fits) for x, fit in matches] == [("WX-001", True)]
    page = login(users["wuxing"]).get(f"/resources/needs/{need.pk}/").content.decode()
    assert "WX-001" in page and "层高 9.00米 ≥ 要求 8.00米" in page
    assert login(users["nanxun"]).get(f"/resources/needs/{need.pk}/").status_code == 404


def test_the_market_is_open_to_everyone_and_exports_what_it_shows(listings, users, enterprise_user, login):
    page = login(enterprise_user).get("/resources/spaces/", {"min_area": "2000"}).content.decode()
    assert "WX-001" in page and "NX-001" not in page
    rows = exported_rows(
        login(users["city_staff"]).get("/resources/spaces/", {"status": "all", "export": "xlsx"})
    )
    assert [r[0] for r in rows[1:]] == ["NX-001", "WX-001"]


def test_an_export_comes_back_unchanged(listings, tmp_path, run_cli):
    path = tmp_path / "export.xlsx"
    call_command("export", "factory-spaces", "-o", str(path))
    code, result = run_cli("factory-spaces", path)
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)


def test_a_district_cannot_take_over_another_district_s_listing_by_import(listings, users, tmp_path, run_cli):
    rows = [HEADER, ["NX-001", "织里镇", "改到吴兴", 1500, "", "", "", "", "", "", "王", "1", ""]]
    code, result = run_cli("factory-spaces", write_xlsx(tmp_path / "grab.xlsx", rows), "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "该房源属于其他区县，您无权修改"
    assert Listing.objects.get(code="NX-001").address == "双林镇工业园 6 号"


def test_listing_values_beyond_their_columns_are_refused_in_chinese(listings, users):
    with pytest.raises(ValidationError) as refused:
        services.listing_save(
            actor=users["wuxing"], source=Source.WEB, listing=listings["WX-001"], floor_height_m=D(10000)
        )
    assert "floor_height_m" in refused.value.message_dict


def test_a_need_is_closed_once_space_is_found(listings, users, registered, login):
    enterprise = Enterprise.objects.get(uscc=registered[0])
    need = services.need_save(
        actor=users["wuxing"], source=Source.WEB, enterprise=enterprise, min_area_m2=D(1000)
    )
    login(users["wuxing"]).post(f"/resources/needs/{need.pk}/", {"is_open": "0"})
    need.refresh_from_db()
    assert not need.is_open and not selectors.needs(actor=users["wuxing"]).exists()
