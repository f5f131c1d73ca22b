"""Land on the enterprise profile: the parcels an enterprise owns (宗地) and the factory space it rents on
another's (租用厂房), kept by the district that keeps the enterprise, checked and audited; imported from Excel
all-or-nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.registry import services
from kuochan.registry.models import AnnualMetric, Enterprise, LandParcel, LandTenancy
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
WEB = Source.WEB
TODAY = timezone.localdate()


@pytest.fixture
def firms(registered):
    """童装 (吴兴, above-scale), 新材料 (吴兴, below-scale), 木业 (南浔, above-scale)."""
    return {
        name: Enterprise.objects.get(uscc=code)
        for name, code in zip(("tongzhuang", "xincailiao", "muye"), registered, strict=True)
    }


@pytest.fixture
def parcel(firms, users):
    """童装's parcel in 织里, rented in part by 新材料 since 2023."""
    made = services.parcel_create(
        actor=users["wuxing"], source=WEB, enterprise=firms["tongzhuang"], code="330502001001GB00001",
        location="织里镇大港路 88 号", area_mu=Decimal("35.5"), granted_on=dt.date(2012, 6, 18),
    )  # fmt: skip
    services.tenancy_create(
        actor=users["wuxing"], source=WEB, enterprise=firms["xincailiao"], parcel=made,
        started_on=dt.date(2023, 1, 1),
    )  # fmt: skip
    return made


def errors_of(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# Services ------------------------------------------------------------------------------------------------


def test_a_district_registers_a_parcel_and_the_trail_records_it(parcel, users):
    entry = AuditEntry.objects.get(content_type__model="landparcel", action=Action.CREATE)
    assert entry.actor == users["wuxing"] and entry.changes["area_mu"] == [None, "35.50"]
    assert entry.changes["granted_on"] == [None, "2012-06-18"]
    assert AuditEntry.objects.filter(content_type__model="landtenancy", action=Action.CREATE).count() == 1


def test_parcels_of_another_district_and_read_only_roles_are_refused(firms, users):
    for actor, firm in ((users["wuxing"], "muye"), (users["leader"], "tongzhuang")):
        with pytest.raises(PermissionDenied):
            services.parcel_create(
                actor=actor, source=WEB, enterprise=firms[firm], code="X-1", area_mu=Decimal(10)
            )
    assert not LandParcel.objects.exists() and not AuditEntry.objects.filter(content_type__model="landparcel")


def test_parcel_figures_and_dates_are_checked_in_chinese(parcel, firms, users):
    def create(**values):
        return lambda: services.parcel_create(
            actor=users["wuxing"], source=WEB, enterprise=firms["xincailiao"],
            **{"code": "WX-2", "area_mu": Decimal(10), **values},
        )  # fmt: skip

    assert errors_of(create(area_mu=Decimal(0))) == {"area_mu": ["面积应大于 0。"]}
    assert errors_of(create(area_mu=Decimal("1.234"))) == {"area_mu": ["面积最多 2 位小数。"]}
    tomorrow = TODAY + dt.timedelta(days=1)
    assert errors_of(create(granted_on=tomorrow)) == {
        "granted_on": [f"出让日期 {tomorrow} 晚于今天（{TODAY}）。"]
    }
    typed_again = "３３０５０２００１００１ＧＢ０００ ０１"  # full-width, with a space: the same code
    assert errors_of(create(code=typed_again)) == {"code": ["宗地编号 330502001001GB00001 已登记。"]}
    assert errors_of(create(code="  ")) == {"code": ["宗地编号不能为空"]}


def test_a_tenant_cannot_rent_its_own_parcel_nor_twice_at_once(parcel, firms, users):
    def rent(enterprise, **dates):
        return lambda: services.tenancy_create(
            actor=users["wuxing"], source=WEB, enterprise=firms[enterprise], parcel=parcel, **dates
        )

    assert errors_of(rent("tongzhuang")) == {
        "parcel": ["宗地 330502001001GB00001 是本企业自己的宗地，不能登记为租用。"]
    }
    assert errors_of(rent("xincailiao", started_on=dt.date(2024, 3, 1))) == {
        "started_on": ["与已登记的租用（2023-01-01 至 今）时间重叠。"]
    }
    assert errors_of(rent("xincailiao", started_on=dt.date(2020, 1, 1), ended_on=dt.date(2019, 1, 1))) == {
        "ended_on": ["止租日期 2019-01-01 早于起租日期 2020-01-01。"]
    }
    rent("xincailiao", started_on=dt.date(2020, 1, 1), ended_on=dt.date(2022, 12, 31))()  # an earlier lease
    assert LandTenancy.objects.filter(enterprise=firms["xincailiao"]).count() == 2


def test_a_tenancy_on_another_districts_parcel_is_for_city_staff(firms, users):
    muye_land = services.parcel_create(
        actor=users["nanxun"], source=WEB, enterprise=firms["muye"], code="NX-1", area_mu=Decimal(40)
    )
    with pytest.raises(PermissionDenied):
        services.tenancy_create(
            actor=users["wuxing"], source=WEB, enterprise=firms["xincailiao"], parcel=muye_land
        )
    services.tenancy_create(
        actor=users["city_staff"], source=WEB, enterprise=firms["xincailiao"], parcel=muye_land
    )
    assert LandTenancy.objects.get().parcel == muye_land


def test_a_rented_parcel_is_removed_only_after_its_tenancies(parcel, users):
    with pytest.raises(ValidationError, match="还有 1 条租用记录"):
        services.parcel_remove(actor=users["wuxing"], source=WEB, parcel=parcel)
    services.tenancy_remove(actor=users["wuxing"], source=WEB, tenancy=parcel.tenancies.get())
    services.parcel_remove(actor=users["wuxing"], source=WEB, parcel=parcel)
    assert not LandParcel.objects.exists()
    removed = AuditEntry.objects.filter(action=Action.DELETE).values_list("content_type__model", flat=True)
    assert sorted(removed) == ["landparcel", "landtenancy"]


def test_correcting_a_tenancy_records_before_and_after(parcel, users):
    tenancy = parcel.tenancies.get()
    services.tenancy_update(
        actor=users["wuxing"],
        source=WEB,
        tenancy=tenancy,
        started_on=tenancy.started_on,
        ended_on=dt.date(2025, 6, 30),
    )
    entry = AuditEntry.objects.get(content_type__model="landtenancy", action=Action.UPDATE)
    assert entry.changes == {"ended_on": [None, "2025-06-30"]}


# Pages ---------------------------------------------------------------------------------------------------


def test_the_profile_shows_owned_and_rented_land_with_links(parcel, firms, users, login):
    client = login(users["wuxing"])
    owner = client.get(f"/enterprises/{firms['tongzhuang'].pk}/").content.decode()
    assert "330502001001GB00001" in owner and "织里镇大港路 88 号" in owner and "35.5" in owner
    assert "2012-06-18" in owner and f'href="/enterprises/{firms["xincailiao"].pk}/"' in owner
    assert "2023-01-01 至 今" in owner and "新增宗地" in owner
    tenant = client.get(f"/enterprises/{firms['xincailiao'].pk}/").content.decode()
    assert f'href="/enterprises/{firms["tongzhuang"].pk}/#land"' in tenant and "仍在租用" in tenant
    leader = login(users["leader"]).get(f"/enterprises/{firms['tongzhuang'].pk}/").content.decode()
    assert "330502001001GB00001" in leader and "新增宗地" not in leader and "parcels/" not in leader


def test_a_parcel_added_on_its_form_with_a_message_for_odd_input(firms, users, login):
    client = login(users["wuxing"])
    url = f"/enterprises/{firms['tongzhuang'].pk}/parcels/new/"
    bad = client.post(url, {"code": "WX-9", "area_mu": "三十亩", "granted_on": "2019-02-30"})
    page = bad.content.decode()
    assert bad.status_code == 200 and "应为数字，收到“三十亩”" in page and not LandParcel.objects.exists()
    zero = client.post(url, {"code": "WX-9", "area_mu": "0"})
    assert "面积应大于 0。" in zero.content.decode()
    good = client.post(url, {"code": " wx-9 ", "area_mu": "1,200.5", "location": "八里店镇"})
    assert good.status_code == 302 and good["Location"].endswith("#land")
    assert LandParcel.objects.get().code == "WX-9" and LandParcel.objects.get().area_mu == Decimal("1200.50")
    assert login(users["nanxun"]).get(url).status_code == 404


def test_a_tenancy_names_a_parcel_in_scope_by_its_code(parcel, firms, users, login):
    client = login(users["wuxing"])
    url = f"/enterprises/{firms['tongzhuang'].pk}/tenancies/new/"
    unknown = client.post(url, {"parcel": "NO-SUCH"}).content.decode()
    assert "您的数据范围内没有编号为“NO-SUCH”的宗地" in unknown
    own = client.post(url, {"parcel": parcel.code}).content.decode()
    assert "是本企业自己的宗地，不能登记为租用" in own
    edit = client.post(
        f"/enterprises/tenancies/{parcel.tenancies.get().pk}/edit/",
        {"started_on": "2023-01-01", "ended_on": "2022-01-01"},
    )
    assert "止租日期 2022-01-01 早于起租日期 2023-01-01" in edit.content.decode()


def test_removing_a_rented_parcel_says_why_not(parcel, firms, users, login):
    client = login(users["wuxing"])
    response = client.post(f"/enterprises/parcels/{parcel.pk}/remove/", follow=True)
    assert "还有 1 条租用记录" in response.content.decode() and LandParcel.objects.exists()
    assert login(users["leader"]).post(f"/enterprises/parcels/{parcel.pk}/remove/").status_code == 403


# Imports -------------------------------------------------------------------------------------------------

PARCELS = ["宗地编号", "宗地主统一社会信用代码", "坐落", "面积（亩）", "出让日期"]
TENANCIES = ["承租企业统一社会信用代码", "宗地编号", "起租日期", "止租日期"]


def test_parcels_are_imported_and_a_second_file_corrects_them(registered, tmp_path, run_cli):
    tongzhuang, _, muye = registered
    rows = [
        PARCELS,
        ["330502001001GB00001", tongzhuang, "织里镇大港路 88 号", 35.5, dt.date(2012, 6, 18)],
        ["330503002001GB00007", muye, "双林镇", "40亩", "2024/3/1"],
    ]
    code, result = run_cli("land-parcels", write_xlsx(tmp_path / "parcels.xlsx", rows))
    assert code == 0 and result["created"] == 2, result
    assert LandParcel.objects.get(code="330503002001GB00007").granted_on == dt.date(2024, 3, 1)
    rows[2][3] = 42
    code, result = run_cli("land-parcels", write_xlsx(tmp_path / "again.xlsx", rows))
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    assert LandParcel.objects.get(code="330503002001GB00007").area_mu == Decimal("42.00")
    entry = AuditEntry.objects.get(content_type__model="landparcel", action=Action.UPDATE)
    assert entry.changes == {"area_mu": ["40.00", "42.00"]} and entry.batch_id == result["batch"]


def test_a_bad_parcel_row_names_row_column_and_value_and_nothing_is_written(registered, tmp_path, run_cli):
    tongzhuang, xincailiao, _ = registered
    tomorrow = TODAY + dt.timedelta(days=1)
    rows = [
        PARCELS,
        ["WX-1", tongzhuang, "", 10, ""],
        ["WX-2", xincailiao, "", 0, ""],
        ["WX-3", xincailiao, "", 12, tomorrow.isoformat()],
        ["WX-1", xincailiao, "", 8, ""],
    ]
    code, result = run_cli("land-parcels", write_xlsx(tmp_path / "bad.xlsx", rows))
    assert code == 2 and not LandParcel.objects.exists()
    problems = {(e["row"], e["column"], e["value"], e["message"]) for e in result["errors"]}
    assert (3, "面积(亩)", "0", "面积应大于 0") in problems
    assert (4, "出让日期", tomorrow.isoformat(), f"出让日期 {tomorrow} 晚于今天（{TODAY}）") in problems
    assert (5, "宗地编号", "WX-1", "宗地编号与第 2 行重复") in problems


def test_a_district_imports_parcels_only_of_its_own_enterprises(registered, users, tmp_path, run_cli):
    rows = [PARCELS, ["NX-1", registered[2], "", 10, ""]]
    code, result = run_cli("land-parcels", write_xlsx(tmp_path / "other.xlsx", rows), "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "不在您的数据范围内"


def test_tenancies_are_imported_with_their_rules(registered, tmp_path, run_cli):
    tongzhuang, xincailiao, _ = registered
    parcels = [PARCELS, ["WX-1", tongzhuang, "", 30, "2015-01-01"]]
    assert run_cli("land-parcels", write_xlsx(tmp_path / "p.xlsx", parcels))[0] == 0
    bad = [
        TENANCIES,
        [tongzhuang, "WX-1", "2020-01-01", ""],
        [xincailiao, "WX-404", "2020-01-01", ""],
        [xincailiao, "WX-1", "2021-01-01", "2020-12-31"],
        [xincailiao, "WX-1", "2022-01-01", ""],
        [xincailiao, "WX-1", "2023-06-01", "2024-05-31"],
    ]
    code, result = run_cli("land-tenancies", write_xlsx(tmp_path / "bad.xlsx", bad))
    assert code == 2 and not LandTenancy.objects.exists()
    problems = {(e["row"], e["column"], e["message"]) for e in result["errors"]}
    assert (2, "承租企业统一社会信用代码", "承租企业就是该宗地的宗地主，不能租用自己的宗地") in problems
    assert (3, "宗地编号", "没有该编号的宗地，请先导入宗地或在宗地主的企业页登记") in problems
    assert (4, "止租日期", "止租日期 2020-12-31 早于起租日期 2021-01-01") in problems
    assert (6, "起租日期", "与第 5 行的租期重叠") in problems
    good = [TENANCIES, [xincailiao, "wx-1", "2022-01-01", ""]]
    code, result = run_cli("land-tenancies", write_xlsx(tmp_path / "good.xlsx", good))
    assert code == 0 and result["created"] == 1
    ended = [TENANCIES, [xincailiao, "WX-1", "2022-01-01", "2025-12-31"]]
    code, result = run_cli("land-tenancies", write_xlsx(tmp_path / "ended.xlsx", ended))
    assert result["updated"] == 1 and LandTenancy.objects.get().ended_on == dt.date(2025, 12, 31)


def test_annual_metrics_take_rnd_spending(registered, tmp_path, run_cli, users, login):
    rows = [
        ["统一社会信用代码", "年度", "研发费用（万元）", "R&D经费支出（万元）"],
        [registered[0], 2025, 300, "320.5"],
    ]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows))
    assert code == 0, result
    metric = AnnualMetric.objects.get(enterprise__uscc=registered[0], year=2025)
    assert (metric.rnd_wan, metric.rnd_spending_wan) == (Decimal("300.00"), Decimal("320.50"))
    page = login(users["wuxing"]).get(metric.enterprise.get_absolute_url()).content.decode()
    assert "R&amp;D经费支出（万元）" in page and "320.50" in page


@pytest.mark.parametrize(
    ("kind", "sheet", "columns"),
    [
        ("land-parcels", "宗地", ["宗地编号", "宗地主统一社会信用代码", "坐落", "面积（亩）", "出让日期"]),
        ("land-tenancies", "租用厂房", ["承租企业统一社会信用代码", "宗地编号", "起租日期", "止租日期"]),
        ("carbon-offsets", "碳抵消", ["统一社会信用代码", "年度", "抵消方式", "数量", "来源凭证"]),
        (
            "carbon-benchmarks",
            "省级行业碳效基准",
            ["年度", "行业代码", "行业平均碳效值（吨CO₂/万元）", "发布来源"],
        ),
    ],
)
def test_each_land_and_carbon_template_has_the_usual_columns_an_example_and_notes(
    huzhou, users, login, kind, sheet, columns
):
    response = login(users["wuxing"]).get(f"/imports/template/{kind}.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == [sheet, "填表说明"]
    header, example = book.get_sheet_by_index(0).to_python()
    assert set(columns) <= set(header) and all(
        example[header.index(c)] != "" for c in columns if c != "止租日期"
    )
    notes = [row[0] for row in book.get_sheet_by_name("填表说明").to_python()]
    assert set(columns) <= set(notes)
