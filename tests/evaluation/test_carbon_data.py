"""The carbon data the evaluation reads: the province's published industry averages (省级行业碳效基准), kept
by city-level administrators on their own page and by import, and an enterprise's offsets (碳抵消) with their
sources, kept by its district on its profile and by import; every write checked and audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.evaluation import carbon_services as services
from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset
from kuochan.imports.engine import batch_rollback
from kuochan.imports.models import ImportBatch
from kuochan.registry.models import Enterprise
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
WEB = Source.WEB
THIS_YEAR = timezone.localdate().year
BASIS = "省经信厅《2024 年度工业行业碳效基准值》"


@pytest.fixture
def benchmark(huzhou, users):
    return services.benchmark_create(
        actor=users["city_admin"],
        source=WEB,
        year=2024,
        industry="26",
        average_l=Decimal("2.35"),
        basis=BASIS,
    )


@pytest.fixture
def tongzhuang(registered):
    return Enterprise.objects.get(uscc=registered[0])


def errors_of(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# Benchmarks ----------------------------------------------------------------------------------------------


def test_a_city_admin_records_a_benchmark_and_the_trail_keeps_it(benchmark, users):
    assert benchmark.average_l == Decimal("2.3500") and benchmark.source == BASIS
    entry = AuditEntry.objects.get(content_type__model="carbonbenchmark")
    assert entry.actor == users["city_admin"] and entry.changes["average_l"] == [None, "2.3500"]
    services.benchmark_update(
        actor=users["city_admin"], source=WEB, benchmark=benchmark, year=2024, industry="26",
        average_l=Decimal("2.3"), basis=BASIS,
    )  # fmt: skip
    update = AuditEntry.objects.get(content_type__model="carbonbenchmark", action=Action.UPDATE)
    assert update.changes == {"average_l": ["2.3500", "2.3000"]}


@pytest.mark.parametrize("role", ["city_staff", "wuxing", "leader", "enterprise"])
def test_only_city_admins_keep_the_benchmarks(huzhou, users, role):
    with pytest.raises(PermissionDenied, match="只有市级管理员"):
        services.benchmark_create(
            actor=users[role], source=WEB, year=2024, industry="26", average_l=Decimal(1), basis=BASIS
        )
    assert not CarbonBenchmark.objects.exists()


def test_a_benchmark_names_a_known_division_or_section(benchmark, users):
    def create(**values):
        return lambda: services.benchmark_create(
            actor=users["city_admin"], source=WEB,
            **{"year": 2024, "industry": "17", "average_l": Decimal("1.6"), "basis": BASIS, **values},
        )  # fmt: skip

    expected = "应为 GB/T 4754-2017 行业大类（2 位数字，如 26）或门类（1 个字母，如 C）。"
    assert errors_of(create(industry="2651")) == {"industry": [f"“2651”不是已知的行业代码，{expected}"]}
    assert errors_of(create(industry="00")) == {"industry": [f"“00”不是已知的行业代码，{expected}"]}
    assert errors_of(create(industry="２６")) == {"industry": ["2024 年行业 26 的基准已登记，请修改原记录。"]}
    assert errors_of(create(average_l=Decimal("0.12345"))) == {"average_l": ["行业平均碳效值最多 4 位小数。"]}
    assert errors_of(create(average_l=Decimal("-1"))) == {"average_l": ["行业平均碳效值应大于 0。"]}
    assert errors_of(create(year=THIS_YEAR + 1)) == {"year": [f"年度应在 1949–{THIS_YEAR} 之间。"]}
    assert errors_of(create(basis=" ")) == {"basis": ["请填写发布来源（文件名称或文号）。"]}
    assert create(industry="c")().industry == "C"  # a section (门类)


def test_the_benchmark_page_lists_a_year_and_only_admins_change_it(benchmark, users, login):
    services.benchmark_create(
        actor=users["city_admin"],
        source=WEB,
        year=2023,
        industry="17",
        average_l=Decimal("1.6123"),
        basis="2023 年发布",
    )
    admin = login(users["city_admin"]).get("/evaluation/benchmarks/").content.decode()
    assert "化学原料和化学制品制造业" in admin and "2.3500" in admin and BASIS in admin  # the latest year
    assert "1.6123" not in admin and f'href="/evaluation/benchmarks/{benchmark.pk}/edit/"' in admin
    assert 'href="/imports/template/carbon-benchmarks.xlsx"' in admin and "省级行业碳效基准</a>" in admin
    older = login(users["wuxing"]).get("/evaluation/benchmarks/", {"year": 2023}).content.decode()
    assert "纺织业" in older and "1.6123" in older and "/edit/" not in older and "新增基准" not in older
    assert login(users["wuxing"]).get("/evaluation/benchmarks/new/").status_code == 403
    assert (
        login(users["city_staff"]).post(f"/evaluation/benchmarks/{benchmark.pk}/remove/").status_code == 403
    )


def test_the_benchmark_form_says_what_is_wrong_and_odd_filters_are_ignored(huzhou, users, login):
    client = login(users["city_admin"])
    bad = client.post(
        "/evaluation/benchmarks/new/",
        {"year": "2024", "industry": "2651", "average_l": "二点三", "basis": "x"},
    )
    page = bad.content.decode()
    assert (
        bad.status_code == 200 and "应为数字，收到“二点三”" in page and not CarbonBenchmark.objects.exists()
    )
    good = client.post(
        "/evaluation/benchmarks/new/", {"year": "2024", "industry": "C", "average_l": "1.25", "basis": BASIS}
    )
    assert good.status_code == 302 and good["Location"] == "/evaluation/benchmarks/?year=2024"
    odd = client.get("/evaluation/benchmarks/", {"year": "二〇二四"})
    assert odd.status_code == 200 and "筛选条件「年度」的值“二〇二四”无效，已忽略" in odd.content.decode()


def test_removing_a_benchmark_is_audited(benchmark, users, login):
    response = login(users["city_admin"]).post(f"/evaluation/benchmarks/{benchmark.pk}/remove/")
    assert response.status_code == 302 and not CarbonBenchmark.objects.exists()
    assert AuditEntry.objects.filter(content_type__model="carbonbenchmark", action=Action.DELETE).exists()


BENCHMARKS = ["年度", "行业代码", "行业平均碳效值（吨CO₂/万元）", "发布来源"]


def test_benchmarks_are_imported_by_a_city_admin_only(huzhou, users, tmp_path, run_cli):
    rows = [BENCHMARKS, [2024, 26, 2.35, BASIS], [2024, "C", "1.1", BASIS], [2024, 6, "0.8532", BASIS]]
    path = write_xlsx(tmp_path / "benchmarks.xlsx", rows)
    code, result = run_cli("carbon-benchmarks", path, "--user", "city")
    assert code == 2 and not CarbonBenchmark.objects.exists()
    assert {(e["row"], e["column"]) for e in result["errors"]} == {
        (r, "行业平均碳效值(吨CO2/万元)") for r in (2, 3, 4)
    }
    assert result["errors"][0]["message"] == "只有市级管理员可以维护省级行业碳效基准"
    code, result = run_cli("carbon-benchmarks", path, "--user", "admin")
    assert code == 0 and result["created"] == 3, result
    assert CarbonBenchmark.objects.get(industry="06").average_l == Decimal("0.8532")  # 06 typed as a number
    assert run_cli("carbon-benchmarks", path, "--user", "city")[1]["unchanged"] == 3  # sent back unchanged
    rows[1][2] = 2.4
    code, result = run_cli("carbon-benchmarks", write_xlsx(tmp_path / "again.xlsx", rows), "--user", "admin")
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 2)
    entry = AuditEntry.objects.get(content_type__model="carbonbenchmark", action=Action.UPDATE)
    assert entry.changes == {"average_l": ["2.3500", "2.4000"]} and entry.batch_id == result["batch"]


def test_an_imported_batch_of_benchmarks_rolls_back(huzhou, users, tmp_path, run_cli):
    rows = [BENCHMARKS, [2024, 26, 2.35, BASIS], [2024, "C", 1.1, BASIS]]
    code, result = run_cli("carbon-benchmarks", write_xlsx(tmp_path / "b.xlsx", rows), "--user", "admin")
    assert code == 0 and CarbonBenchmark.objects.count() == 2
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch_rollback(actor=users["city_admin"], source=WEB, batch=batch).deleted == 2
    assert not CarbonBenchmark.objects.exists()


def test_a_bad_benchmark_row_names_row_column_and_value_and_nothing_is_written(huzhou, tmp_path, run_cli):
    rows = [
        BENCHMARKS,
        [2024, "26", 2.35, BASIS],
        [2024, "2651", 1.2, BASIS],
        [2024, "17", "1.23456", BASIS],
        [2024, "26", 2.4, BASIS],
    ]
    code, result = run_cli("carbon-benchmarks", write_xlsx(tmp_path / "bad.xlsx", rows))
    assert code == 2 and not CarbonBenchmark.objects.exists()
    problems = {(e["row"], e["column"], e["value"]) for e in result["errors"]}
    assert problems == {
        (3, "行业代码", "2651"),
        (4, "行业平均碳效值(吨CO2/万元)", "1.23456"),
        (5, "行业代码", "26"),
    }
    messages = {e["row"]: e["message"] for e in result["errors"]}
    assert messages[4] == "最多 4 位小数" and messages[5] == "同一年度同一行业与第 2 行重复"


# Offsets -------------------------------------------------------------------------------------------------


def test_a_district_records_an_offset_with_its_source(tongzhuang, users):
    offset = services.offset_add(
        actor=users["wuxing"], source=WEB, enterprise=tongzhuang, year=2025, kind="green_power",
        amount=Decimal("120.5"), evidence="绿电交易凭证 LD2025-00123",
    )  # fmt: skip
    assert str(offset) == "2025 年绿电 120.50 万千瓦时"
    entry = AuditEntry.objects.get(content_type__model="carbonoffset")
    assert entry.enterprise_id == tongzhuang.pk and entry.changes["source"] == [
        None,
        "绿电交易凭证 LD2025-00123",
    ]
    services.offset_remove(actor=users["wuxing"], source=WEB, offset=offset)
    assert AuditEntry.objects.filter(content_type__model="carbonoffset", action=Action.DELETE).exists()


def test_offsets_are_checked_and_scoped(tongzhuang, users):
    def add(actor="wuxing", **values):
        return lambda: services.offset_add(
            actor=users[actor], source=WEB, enterprise=tongzhuang,
            **{"year": 2025, "kind": "sink", "amount": Decimal(10), "evidence": "林业碳汇核证 2025-1", **values},
        )  # fmt: skip

    for actor in ("nanxun", "leader"):
        with pytest.raises(PermissionDenied):
            add(actor)()
    assert errors_of(add(amount=Decimal(0))) == {"amount": ["数量应大于 0。"]}
    assert errors_of(add(evidence="")) == {"evidence": ["请填写来源凭证（交易凭证、证书编号或核证文件）。"]}
    assert errors_of(add(year=THIS_YEAR + 1)) == {"year": [f"年度应在 1949–{THIS_YEAR} 之间。"]}
    assert errors_of(add(kind="trees")) == {"kind": ["抵消方式应为碳汇、绿电、绿证、碳封存之一。"]}
    add()()
    assert errors_of(add(amount=Decimal(5))) == {
        "evidence": ["2025 年已登记过该凭证的碳汇，如需更正请先删除原记录。"]
    }
    assert CarbonOffset.objects.count() == 1


def test_the_profile_lists_offsets_by_year_with_units(tongzhuang, users, login):
    client = login(users["wuxing"])
    url = f"/evaluation/enterprises/{tongzhuang.pk}/offsets/new/"
    bad = client.post(url, {"year": "2025", "kind": "storage", "amount": "-3", "evidence": "CCUS 核证"})
    assert bad.status_code == 200 and "数量应大于 0。" in bad.content.decode()
    for values in (
        {"year": "2025", "kind": "storage", "amount": "1,250", "evidence": "CCUS 核证 2025"},
        {"year": "2024", "kind": "green_certificate", "amount": "30", "evidence": "绿证 GEC-2024-9"},
    ):
        assert client.post(url, values).status_code == 302
    page = client.get(tongzhuang.get_absolute_url()).content.decode()
    assert page.index("2025年") < page.index("2024年")
    assert "碳封存 1,250 吨CO₂" in page and "绿证 30 万千瓦时" in page and "绿证 GEC-2024-9" in page
    assert login(users["nanxun"]).get(url).status_code == 404
    leader = login(users["leader"]).get(tongzhuang.get_absolute_url()).content.decode()
    assert "碳封存 1,250 吨CO₂" in leader and "登记碳抵消" not in leader


OFFSETS = ["统一社会信用代码", "年度", "抵消方式", "数量", "来源凭证"]


def test_offsets_are_imported_and_a_bad_row_writes_nothing(registered, tmp_path, run_cli):
    tongzhuang, xincailiao, muye = registered
    bad = [
        OFFSETS,
        [tongzhuang, 2025, "绿电", 120.5, "LD2025-00123"],
        [xincailiao, 2025, "植树", 10, "证书 1"],
        [muye, 2025, "碳汇", 0, "证书 2"],
        [muye, THIS_YEAR + 1, "碳汇", 5, "证书 3"],
    ]
    code, result = run_cli("carbon-offsets", write_xlsx(tmp_path / "bad.xlsx", bad))
    assert code == 2 and not CarbonOffset.objects.exists()
    problems = {(e["row"], e["column"], e["value"]) for e in result["errors"]}
    assert problems == {(3, "抵消方式", "植树"), (4, "数量", "0"), (5, "年度", str(THIS_YEAR + 1))}
    good = [OFFSETS, bad[1], [muye, 2025, "碳汇", 8, "证书 2"]]
    code, result = run_cli("carbon-offsets", write_xlsx(tmp_path / "good.xlsx", good))
    assert code == 0 and result["created"] == 2, result
    good[2][3] = 9
    code, result = run_cli("carbon-offsets", write_xlsx(tmp_path / "again.xlsx", good))
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    assert CarbonOffset.objects.get(enterprise__uscc=muye).amount == Decimal("9.00")


def test_a_district_imports_offsets_only_of_its_own_enterprises(registered, users, tmp_path, run_cli):
    rows = [OFFSETS, [registered[2], 2025, "碳汇", 8, "证书 2"]]
    code, result = run_cli("carbon-offsets", write_xlsx(tmp_path / "o.xlsx", rows), "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "不在您的数据范围内"
