"""Huzhou's 2025 work plan as shipped (the bureau's 2024 summary and 2025 plan): every figure typed with the
sentence it comes from, the 2024 results as baselines, the 2025 targets the text states and no others, the
six 攻坚行动, and the codes it shares with the five-year plan meaning the same. Plain data: no database."""

import hashlib
import json
import re
from decimal import Decimal
from types import SimpleNamespace

from kuochan.reference import data_file
from kuochan.registry.models import HonourKind
from kuochan.targets.models import ActualSource, IndicatorKind
from kuochan.targets.selectors import _derivation


def _json(name: str) -> dict:
    return json.loads(data_file(name).read_text(encoding="utf-8"), parse_float=Decimal)


SOURCE = data_file("huzhou/plan_2025_source.txt").read_text(encoding="utf-8")
PLAN_AT = SOURCE.index("市经信局2025年工作计划")  # the summary comes before it, the plan after
PLAN = _json("huzhou/plan_2025.json")
INDICATORS = {i["code"]: i for i in PLAN["indicators"]}
FIVE_YEAR = {i["code"]: i for i in _json("huzhou/plan.json")["indicators"]}
STATISTICS = {i["code"] for i in _json("common/stat_indicators.json")["indicators"]}


def clauses(text: str) -> list[str]:
    """The document's sentences and clauses, each ending at 。 or a semicolon (the text uses ASCII ;)."""
    return re.findall(r"[^。;；\n]*[。;；]", text)


def written(value: Decimal) -> list[str]:
    """How the text may write a value: 7.3, 5336, 1.45万; and 1000 as 千亿 (突破千亿), the one word-number."""
    forms = [format(Decimal(value).normalize(), "f")]
    if value >= 10000:
        forms.append(format((Decimal(value) / 10000).normalize(), "f") + "万")
    if value == 1000:
        forms.append("千亿")
    return forms


def appears(value: Decimal, sentence: str) -> bool:
    """The value as a whole number in the sentence: 7 is not found in 17 or 7.3."""
    return any(re.search(rf"(?<![\d.]){re.escape(form)}(?![\d.])", sentence) for form in written(value))


def section_text(section: str) -> str:
    """The text under a statement's section: "2024年工作总结 三、聚焦扩投资,…" is that heading's paragraph
    of the summary; "2024年工作总结" alone is the summary's opening paragraph."""
    part, _, heading = section.partition(" ")
    text = SOURCE[:PLAN_AT] if part == "2024年工作总结" else SOURCE[PLAN_AT:]
    if not heading:
        return text.split("\n一、")[0]
    after = text[text.index(f"\n{heading}\n") :]
    return after.split("\n")[2]


def test_the_file_is_the_bureaus_2025_plan():
    assert (PLAN["code"], PLAN["org_unit"], PLAN["period"]) == ("huzhou-2025", "330500", [2025, 2025])
    assert PLAN["baseline_year"] == 2024
    assert PLAN["name"] in SOURCE
    assert "002564168/2025-00012" in PLAN["source"] and "002564168/2025-00012" in SOURCE
    assert (PLAN["table_title"], PLAN["table_columns"]) == ("", [])


def test_the_source_copy_is_the_seed_word_for_word():
    """The copy shipped beside the plan is seed 002 as the bureau published it (its SHA-256, taken from
    shared/seeds/002_b6077ec11820bf8b.txt), so a sentence quoted from it is the document's."""
    digest = hashlib.sha256(data_file("huzhou/plan_2025_source.txt").read_bytes()).hexdigest()
    assert digest == "b0b5b384ef051681bc726665553db13252332d3390a1f45b00471a0f97ed3785"


def test_every_sentence_is_a_whole_clause_copied_from_its_section():
    whole = set(clauses(SOURCE))
    for s in PLAN["statements"]:
        assert s["sentence"] in whole, s["sentence"]
        assert s["sentence"] in section_text(s["section"]), (s["section"], s["sentence"])


def test_every_figure_appears_in_its_sentence_as_written():
    for s in PLAN["statements"]:
        assert appears(s["value"], s["sentence"]), (s["indicator"], s["value"], s["sentence"])


def test_every_statement_names_an_indicator_of_the_plan():
    assert {s["indicator"] for s in PLAN["statements"]} <= set(INDICATORS)
    assert len(INDICATORS) == len(PLAN["indicators"])  # codes are unique


def test_every_baseline_is_the_2024_result_stated_in_the_summary():
    results = [s for s in PLAN["statements"] if s["claim"] == "result"]
    for s in results:
        assert s["year"] == 2024 and SOURCE.index(s["sentence"]) < PLAN_AT, s
        assert INDICATORS[s["indicator"]].get("baseline") == s["value"], s
    for code, indicator in INDICATORS.items():
        if "baseline" in indicator:
            assert any(s["indicator"] == code for s in results), code


def test_2025_targets_are_the_ones_the_plan_states_and_unwritten_ones_say_how_they_are_read():
    targets = [s for s in PLAN["statements"] if s["claim"] != "result"]
    for s in targets:
        assert s["year"] == 2025 and SOURCE.index(s["sentence"]) > PLAN_AT, s
        assert s["claim"] in ("level", "yearly_at_least", "period_total"), s
        assert INDICATORS[s["indicator"]]["yearly"] == {"2025": s["value"]}, s
    stated = {s["indicator"] for s in targets}
    for code, indicator in INDICATORS.items():
        assert "baseline" in indicator or "yearly" in indicator, code
        assert not {"threshold", "band", "period_target", "previous_period"} & set(indicator), code
        if "yearly" in indicator and code not in stated:  # 有新增、再突破: no number written
            assert indicator["yearly"] == {"2025": 1}, code
            assert "未写数字" in indicator["note"] and "理解" in indicator["note"], code


def test_kinds_sources_derivations_and_statistics_are_ones_the_code_knows():
    for code, i in INDICATORS.items():
        assert i["kind"] in IndicatorKind.values and i["actual_source"] in ActualSource.values, code
        assert i["lead"] == "市经信局", code
        if i["kind"] in ("min_avg_growth", "ratio_at_least", "ratio_near"):
            assert i["unit"] == "%", code
        derivation = i.get("derivation", "")
        assert (i["actual_source"] == "statistics") == (derivation == ""), code
        if derivation:
            name, _, kinds = derivation.partition(":")
            assert _derivation(SimpleNamespace(derivation=derivation)) is not None, code
            if name in ("honour", "honour_new"):
                assert set(kinds.split(",")) <= set(HonourKind.values), code
        if "statistic" in i:
            assert i["statistic"] in STATISTICS and i["actual_source"] == "statistics", code


def test_codes_shared_with_the_five_year_plan_mean_the_same():
    shared = set(INDICATORS) & set(FIVE_YEAR)
    assert {"manufacturing_share", "renovation_growth", "listed_companies", "tech_centres_new"} <= shared
    for code in shared:
        ours, theirs = INDICATORS[code], FIVE_YEAR[code]
        assert (ours["name"], ours["unit"], ours["kind"]) == (
            theirs["name"],
            theirs["unit"],
            theirs["kind"],
        ), code
    for (
        code,
        i,
    ) in INDICATORS.items():  # a newly recognised count names the held one, here or in the five-year plan
        if "relates_to" in i:
            assert i["relates_to"] in INDICATORS or i["relates_to"] in FIVE_YEAR, code


def test_the_six_actions_are_the_plans_sections_verbatim():
    measures = PLAN["measures"]
    assert [m["code"] for m in measures] == [f"huzhou-2025-action-{n}" for n in range(1, 7)]
    assert [m["number"] for m in measures] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    for m in measures:
        assert m["kind"] == "action" and m["title"].startswith("实施") and m["title"].endswith("攻坚战")
        assert f"\n{m['number']}{m['title']}\n{m['text']}" in SOURCE[PLAN_AT:], m["title"]
        assert m["text"] in SOURCE.splitlines()  # the whole section: it is one paragraph
        assert (m["lead"], m["co_responsible"]) == ("市经信局", [])
