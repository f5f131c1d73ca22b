"""培育称号 on pages: the list, a title's criteria read in Chinese, and a criterion edited with the rule builder
and saved through the form as a browser posts it (city staff only; audited; a bad rule refused in Chinese)."""

import html
import json
import re

import pytest
from django.utils import timezone

from kuochan.audit.models import AuditEntry
from kuochan.cultivation.models import Title
from kuochan.cultivation.title_services import staff_edited_codes, title_save
from kuochan.registry.models import AnnualMetric, Enterprise

pytestmark = pytest.mark.django_db
EDIT = "/cultivation/titles/high_tech/criteria/tech_staff/edit/"


def criterion(code, name):
    return next(c for c in Title.objects.get(code=code).criteria if c["code"] == name)


def posted(rule, **changes):
    """The form as the page posts it: the rule builder's JSON in `rule`, the other fields as typed."""
    stored = criterion("high_tech", "tech_staff")
    return {
        "text": stored["text"], "source": stored["source"], "inclusive": "1", "verified": "on",
        "rule": json.dumps(rule, ensure_ascii=False), **changes,
    }  # fmt: skip


def cells(page: str, title: str) -> list[str]:
    """The texts of a title's row in the list."""
    row = page[page.index(f'data-title="{title}"') :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_list_shows_each_title_with_its_ladder_and_how_much_is_pending(huzhou, users, login):
    page = login(users["leader"]).get("/cultivation/titles/").content.decode()
    # 科技型中小企业: 7 条; 居民企业、禁限类、信用 are placeholders and so is a part of 第八条; all checked
    name, ladder, level, count, pending, unverified = cells(page, "tech_sme")
    assert (name, level, count, pending, unverified) == ("科技型中小企业", "省级", "7", "4", "0")
    assert ladder.startswith("科技企业梯度") and ladder.endswith("第 1 层")
    # 专精特新中小企业: 11 条; 守法合规 and 市场占有率 placeholders, 营业收入 and 知识产权 hold one as an
    # alternative; none checked against the original (2号文)
    assert cells(page, "srdi_sme")[3:] == ["11", "4", "11"]


def test_a_title_page_reads_each_criterion_with_its_source(huzhou, users, login):
    page = login(users["wuxing"]).get("/cultivation/titles/innovative_sme/").content.decode()
    assert "创新型中小企业评价得分不小于 60分（含本数）" in page
    assert "工信部企业〔2022〕63号" in page and "未核实原文" in page and "已核对原文" in page
    assert "修改" not in page.split('data-testid="criteria-table"')[1]  # district staff read only
    table = html.unescape(page[page.index('data-testid="scoring-table"') :])
    assert "≥ 5% 得 20 分；≥ 3% 得 15 分；≥ 2% 得 10 分；≥ 1% 得 5 分；其余 得 0 分" in table
    assert "≤ 55% 得 10 分；< 75% 得 5 分；其余 得 0 分" in table  # 55% in A, 75% in C
    city = login(users["city_staff"]).get("/cultivation/titles/innovative_sme/").content.decode()
    assert "/cultivation/titles/innovative_sme/criteria/direct_or_score/edit/" in city


def test_enterprise_users_and_unknown_titles_are_refused(huzhou, users, login):
    assert login(users["enterprise"]).get("/cultivation/titles/").status_code == 403
    assert login(users["city_staff"]).get("/cultivation/titles/nope/").status_code == 404
    assert (
        login(users["city_staff"]).get("/cultivation/titles/high_tech/criteria/nope/edit/").status_code == 404
    )


def test_city_staff_change_a_threshold_and_it_is_saved_and_audited(huzhou, users, login):
    client = login(users["city_staff"])
    form = client.get(EDIT).content.decode()
    assert (
        'id="rule-json"' in form and "上年科技人员占职工总数比重" in form
    )  # the builder, given the title fields
    assert '<h4 id="rule-builder-title" class="mb-1">认定条件</h4>' in form and "申报条件" not in form
    response = client.post(
        EDIT, posted({"field": "enterprise.tech_staff_share_pct", "op": ">=", "value": 12})
    )
    assert response.status_code == 302 and response["Location"] == "/cultivation/titles/high_tech/"
    saved = criterion("high_tech", "tech_staff")
    assert saved["rule"] == {"field": "enterprise.tech_staff_share_pct", "op": ">=", "value": 12}
    assert saved["verified"] is True and saved["inclusive"] is True
    entry = AuditEntry.objects.get(object_repr="高新技术企业", actor=users["city_staff"])
    assert "criteria" in entry.changes
    assert staff_edited_codes() == {"high_tech"}
    page = client.get("/cultivation/titles/high_tech/").content.decode()
    assert "上年科技人员占职工总数比重不小于 12%（含本数）" in page


def test_a_bad_rule_is_refused_in_chinese_naming_the_criterion_and_nothing_changes(huzhou, users, login):
    client = login(users["city_staff"])
    before = Title.objects.get(code="high_tech").criteria
    unknown = client.post(EDIT, posted({"field": "enterprise.nope", "op": ">=", "value": 1}))
    assert unknown.status_code == 200
    text = unknown.content.decode()
    assert "未知的字段“enterprise.nope”" in text and "企业从事研发和相关技术创新活动的科技人员" in text
    broken = client.post(EDIT, posted({}) | {"rule": "{不是 JSON"})
    assert broken.status_code == 200 and "不是有效的 JSON" in broken.content.decode()
    no_source = client.post(
        EDIT, posted({"field": "enterprise.tech_staff_share_pct", "op": ">=", "value": 10}, source="")
    )
    assert no_source.status_code == 200 and "这个字段是必填项" in no_source.content.decode()
    assert Title.objects.get(code="high_tech").criteria == before
    assert not AuditEntry.objects.filter(actor=users["city_staff"]).exists()


def test_only_city_staff_may_edit(huzhou, users, login):
    rule = {"field": "enterprise.tech_staff_share_pct", "op": ">=", "value": 12}
    for who in ("wuxing", "leader"):
        assert login(users[who]).post(EDIT, posted(rule)).status_code == 403
    with pytest.raises(Exception, match="只有市级管理员和市级工作人员"):
        title_save(actor=users["wuxing"], title=Title.objects.get(code="high_tech"), criteria=[])
    assert criterion("high_tech", "tech_staff")["rule"]["value"] == 10


def test_the_live_check_counts_enterprises_in_scope(registered, users, login, tmp_path):
    # 童装 and 新材料 (吴兴区) and 木业 (南浔区): last year's 科技人员 / 职工 = 20%, 8%, unknown
    last = Enterprise.objects.get(uscc=registered[0])
    year = timezone.localdate().year - 1
    AnnualMetric.objects.create(enterprise=last, year=year, employees=100, tech_staff=20)
    AnnualMetric.objects.create(
        enterprise=Enterprise.objects.get(uscc=registered[1]), year=year, employees=100, tech_staff=8
    )
    rule = json.dumps({"field": "enterprise.tech_staff_share_pct", "op": ">=", "value": 10})
    check = "/cultivation/titles/high_tech/rule-check/"
    page = login(users["city_staff"]).post(check, {"rule": rule}).content.decode()
    assert "上年科技人员占职工总数比重不小于 10%（含本数）" in page
    assert (
        '"met">符合 1<' in page
        and '"not_met">不符合 1<' in page
        and '"unknown">待核实（数据缺失） 1<' in page
    )
    bad = login(users["city_staff"]).post(check, {"rule": '{"field": "x"}'}).content.decode()
    assert "条件尚需修改" in bad
    assert login(users["wuxing"]).post(check, {"rule": rule}).status_code == 403
