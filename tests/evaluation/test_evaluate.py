"""`kuochan evaluate` and the evaluation run: stored results with the scheme version used, exemptions,
reproducing a past year, scope and refusals."""

import copy
import datetime as dt
from decimal import Decimal

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.evaluation import services
from kuochan.evaluation.models import (
    CarbonBenchmark,
    CarbonOffset,
    EvaluationResult,
    EvaluationRun,
    EvaluationScheme,
)
from kuochan.registry.models import Enterprise, LandParcel

pytestmark = pytest.mark.django_db

KEYS = {
    "uscc", "name", "district", "score", "class", "carbon_l", "carbon_level", "carbon_k", "carbon_grade",
    "treatment", "reasons",
}  # fmt: skip


def by_uscc(report):
    return {row["uscc"]: row for row in report["enterprises"]}


def test_json_has_exactly_the_documented_keys_and_the_verdicts_with_reasons(with_metrics, evaluate_cli):
    code, report = evaluate_cli("--year", "2025")
    assert code == 0
    assert set(report) == {"year", "enterprises"} and report["year"] == 2025
    assert all(set(row) == KEYS for row in report["enterprises"])
    rows = by_uscc(report)
    tongzhuang, xincailiao, muye = (rows[u] for u in with_metrics)
    # Classes are cut within each county: each above-scale firm is alone in its county, where A goes up to
    # rank round(0.2) = 0 and B up to round(0.6) = 1, so both are B though one scores less.
    assert (tongzhuang["class"], muye["class"], xincailiao["class"]) == ("B", "B", "B")
    assert tongzhuang["score"] > muye["score"]
    assert tongzhuang["reasons"][0].startswith("规上企业得分")
    assert "南浔区规上企业 1 家中排第 1 名，在前 60%（1 名）以内" in muye["reasons"][0]
    assert "清三低：规上企业亩均税收 4.00 万元/亩，在 6 万元/亩以下（含本数）" in muye["reasons"]
    assert "清三低：用地 12.00 亩，在 10 亩以上（含本数），仍未上规" in xincailiao["reasons"]
    # Carbon: no provincial average entered and each alone in its industry, so K = 1 and grade 3, flagged
    # as resting on fewer than 5 firms; below-scale firms get no code by default
    assert (tongzhuang["carbon_k"], tongzhuang["carbon_grade"], tongzhuang["carbon_level"]) == (1.0, 3, "mid")
    assert any("按本市同行业 1 家企业计算" in r and "不足 5 家，仅供参考" in r for r in tongzhuang["reasons"])
    assert tongzhuang["carbon_l"] == 0.8  # 2,000 t / 2,500 万元
    assert muye["carbon_l"] == round((2400 - 100 * 5.703) / 1600, 4)
    assert xincailiao["carbon_grade"] is None
    assert tongzhuang["treatment"].startswith("新锐壮腰")  # B, no survey answer, medium-sized


def test_results_are_stored_with_the_scheme_version_and_replaced_on_a_rerun(with_metrics, evaluate_cli):
    evaluate_cli("--year", "2025")
    evaluate_cli("--year", "2025")
    stored = EvaluationResult.objects.filter(year=2025)
    assert stored.count() == 3
    assert {r.scheme.version for r in stored} == {1}
    run = EvaluationRun.objects.get(year=2025)
    assert run.enterprises == 3 and "tax_per_mu" in run.context["benchmarks"]["above"]
    assert AuditEntry.objects.filter(object_repr="湖州市 2025 年评价").count() == 2


def test_results_are_keyed_by_enterprise_and_year_and_go_with_their_enterprise(with_metrics, evaluate_cli):
    evaluate_cli("--year", "2025")
    muye = Enterprise.objects.get(uscc=with_metrics[2])
    assert EvaluationResult.objects.get(pk=(muye.pk, 2025)).klass == "B"
    muye.delete()
    assert not EvaluationResult.objects.filter(enterprise_id=muye.pk).exists()
    assert EvaluationResult.objects.filter(year=2025).count() == 2


def test_a_year_without_a_scheme_gets_a_copy_of_the_closest_one(with_metrics, evaluate_cli):
    assert evaluate_cli("--year", "2024")[0] == 0
    copied = EvaluationScheme.objects.get(year=2024)
    assert copied.note == "沿用 2025 年评价方案第 1 版"
    assert copied.definition == EvaluationScheme.objects.get(year=2025).definition


def test_a_past_year_is_reproduced_with_its_own_scheme_after_the_scheme_changed(
    with_metrics, evaluate_cli, users
):
    _, first_2024 = evaluate_cli("--year", "2024")
    _, first_2025 = evaluate_cli("--year", "2025")
    changed = copy.deepcopy(EvaluationScheme.objects.get(year=2025).definition)
    changed["groups"]["above"]["indicators"] = [{"code": "rnd_share", "weight": 100, "benchmark": None}]
    services.scheme_save(
        actor=users["city_admin"], source=Source.WEB, year=2025, definition=changed, note="只看研发占比"
    )
    assert evaluate_cli("--year", "2024")[1] == first_2024  # 2024 keeps its own scheme
    _, second_2025 = evaluate_cli("--year", "2025")
    assert second_2025 != first_2025  # version 2: scores on R&D share only
    # R&D share 300 / 10,000 = 3 %; benchmark (300 + 80) / (10,000 + 8,000) = 2.111 %: 3 / 2.111 × 100
    assert by_uscc(second_2025)[with_metrics[0]]["score"] == 142.11
    assert evaluate_cli("--year", "2025", "--scheme-version", "1")[1] == first_2025


def test_the_change_from_last_year_is_shown(with_metrics, evaluate_cli, users, login):
    evaluate_cli("--year", "2024")
    _, report = evaluate_cli("--year", "2025")
    assert any(reason.startswith("较上年：B → B") for reason in by_uscc(report)[with_metrics[0]]["reasons"])
    results = login(users["city_staff"]).get("/evaluation/", {"year": 2025}).content.decode()
    assert "<td>B</td>" in results  # the 上年 column


def test_exemptions_by_staff_and_firms_on_land_granted_less_than_3_years_ago_are_class_t(
    with_metrics, evaluate_cli, users
):
    tongzhuang, xincailiao, muye = (Enterprise.objects.get(uscc=u) for u in with_metrics)
    services.exemption_set(
        actor=users["wuxing"], source=Source.WEB, enterprise=tongzhuang, year=2025, reason="整体搬迁过渡期"
    )
    # 2023-01-01 + 3 years = 2026-01-01, after 2025-12-31: still within the window. 2022-12-31 + 3 years is
    # the year's last day itself: the 3 years are up, so that firm is evaluated.
    LandParcel.objects.create(
        enterprise=muye, code="330503-2023-008", area_mu=Decimal("20"), granted_on=dt.date(2023, 1, 1)
    )
    LandParcel.objects.create(
        enterprise=xincailiao, code="330502-2022-031", area_mu=Decimal("12"), granted_on=dt.date(2022, 12, 31)
    )
    rows = by_uscc(evaluate_cli("--year", "2025")[1])
    assert rows[tongzhuang.uscc]["class"] == "T"
    assert rows[tongzhuang.uscc]["reasons"][0] == "不参评：整体搬迁过渡期"
    assert rows[muye.uscc]["class"] == "T"
    assert rows[muye.uscc]["reasons"][0] == (
        "不参评：新供地建设期内新企业（宗地 330503-2023-008 于 2023-01-01 出让，至 2025 年末不满 3 年）"
    )
    assert rows[muye.uscc]["carbon_grade"] == 3  # the carbon code does not depend on the per-mu evaluation
    assert rows[xincailiao.uscc]["class"] == "B"
    # The next year the window is over for the first firm too.
    assert by_uscc(evaluate_cli("--year", "2026")[1]).get(muye.uscc, {}).get("class") != "T"


def test_district_staff_cannot_exempt_outside_their_district(with_metrics, users):
    muye = Enterprise.objects.get(uscc=with_metrics[2])
    with pytest.raises(services.PermissionDenied):
        services.exemption_set(
            actor=users["wuxing"], source=Source.WEB, enterprise=muye, year=2025, reason="x"
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--year", "2025", "--user", "wuxing"], "只有市级工作人员可以计算评价结果"),
        (["--year", "2025", "--scheme-version", "9"], "2025 年评价方案没有第 9 版。"),
        (["--year", "25"], "--year 应为四位年份"),
    ],
)
def test_refusals_exit_with_code_2_and_change_nothing(with_metrics, evaluate_cli, users, options, message):
    code, error = evaluate_cli(*options)
    assert code == 2 and message in error
    assert not EvaluationResult.objects.exists()


def test_only_city_admins_change_the_scheme_and_invalid_schemes_are_refused(huzhou, users):
    definition = copy.deepcopy(EvaluationScheme.objects.get(year=2025).definition)
    with pytest.raises(services.PermissionDenied):
        services.scheme_save(actor=users["city_staff"], source=Source.WEB, year=2025, definition=definition)
    definition["groups"]["below"]["cutoffs"]["D"] = 50
    with pytest.raises(services.ValidationError) as refused:
        services.scheme_save(actor=users["city_admin"], source=Source.WEB, year=2025, definition=definition)
    assert refused.value.messages == ["规下企业按排名分档时 A、B、C、D 类比例之和应为 100%，现为 145%。"]
    assert EvaluationScheme.objects.filter(year=2025).count() == 1


def test_offsets_lower_l_and_make_the_neutral_rate_and_k_is_measured_against_the_provinces_average(
    with_metrics, evaluate_cli, users, login
):
    tongzhuang = Enterprise.objects.get(uscc=with_metrics[0])
    CarbonOffset.objects.create(
        enterprise=tongzhuang,
        year=2025,
        kind="sink",
        amount=Decimal("200"),
        source="湖州林业碳汇交易凭证 2025-017",
    )
    CarbonOffset.objects.create(
        enterprise=tongzhuang,
        year=2025,
        kind="green_certificate",
        amount=Decimal("10"),
        source="绿证 GEC-2025-88",
    )
    CarbonBenchmark.objects.create(
        year=2025, industry="18", average_l=Decimal("0.5"), source="浙江省 2025 年发布"
    )
    row = by_uscc(evaluate_cli("--year", "2025")[1])[tongzhuang.uscc]
    # Offsets: 200 t of 碳汇 + 10 万千瓦时 of 绿证 × 5.703 = 257.03 t. L = (2,000 − 257.03) / 2,500 = 0.6972
    # (中碳, above 0.6); K against the province's 0.5 = 1.3944: grade 4 (1.2 < K ≤ 2.0).
    assert (row["carbon_l"], row["carbon_level"], row["carbon_k"], row["carbon_grade"]) == (
        0.6972,
        "mid",
        1.3944,
        4,
    )
    reasons = row["reasons"]
    assert "行业大类 18 省级平均碳效值 0.5000（浙江省 2025 年发布），K = 1.3944，碳效码 4 级" in reasons
    # 碳中和率 = 257.03 / 2,000 = 12.85 %: from 10 % (inclusive) it is 中中和率.
    assert "碳中和率 12.85%（抵消 257.03 吨CO₂），中中和率" in reasons
    assert "扣除碳汇 200.00 吨CO₂（来源：湖州林业碳汇交易凭证 2025-017）" in reasons
    assert "扣除绿证 10.00 万千瓦时（来源：绿证 GEC-2025-88）" in reasons
    stored = EvaluationResult.objects.get(pk=(tongzhuang.pk, 2025))
    assert (stored.carbon_offset_t, stored.carbon_neutral_rate) == (Decimal("257.03"), Decimal("12.85"))
    profile = login(users["city_staff"]).get(tongzhuang.get_absolute_url()).content.decode()
    assert "12.85%" in profile and "中中和率" in profile
