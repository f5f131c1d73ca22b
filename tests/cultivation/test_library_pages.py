"""The 培育库 pages: the index with counts, a title's library with its filters and export, nomination, fill by
rule, an entry's page with edit, removal and re-entry, the work list, posted as a browser posts them."""

import datetime as dt

import pytest
from django.urls import reverse

from kuochan.audit.models import Source
from kuochan.cultivation.models import Entry, Round
from kuochan.outreach.services import visit_create
from kuochan.policies.services import policy_create, policy_publish
from kuochan.registry.models import Enterprise
from tests.conftest import TODAY
from tests.cultivation.conftest import MUYE_GAP, THIS_YEAR, XINCAILIAO_GAPS, entry_of, fill
from tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db


def library_url(**query):
    text = "&".join(f"{k}={v}" for k, v in {"year": THIS_YEAR, **query}.items())
    return f"{reverse('cultivation:library', args=['srdi_sme'])}?{text}"


def test_index_counts_each_title_s_library_by_status(srdi, users, login):
    fill(users["city_staff"], srdi["title"], margin="40")
    Entry.objects.filter(enterprise=srdi["tongzhuang"]).update(status="applied")
    page = login(users["city_staff"]).get(reverse("cultivation:index"), {"year": THIS_YEAR}).content.decode()
    row = page[page.index("专精特新中小企业</a>") :].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[1:-1]]
    assert cells == ["省级", "2", "1", "0", "0", "0", "0", "3"]
    district = login(users["nanxun"]).get(reverse("cultivation:index"), {"year": THIS_YEAR}).content.decode()
    row = district[district.index("专精特新中小企业</a>") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:-1]][-1] == "1"


def test_library_page_shows_gaps_status_owner_most_urgent_first(srdi, users, login):
    fill(users["city_staff"], srdi["title"], margin="40")
    page = login(users["city_staff"]).get(library_url()).content.decode()
    table = page[page.index('data-testid="library-table"') :]
    assert (
        table.index("湖州织里童装有限公司")
        < table.index("南浔木业有限公司")
        < table.index("湖州吴兴新材料有限公司")
    )
    assert "可测算条件均已符合" in table and MUYE_GAP in table and "；".join(XINCAILIAO_GAPS) in table
    assert "按条件遴选入库" in page and "推荐入库" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"met": "1"}, ["湖州织里童装有限公司"], ["南浔木业有限公司"]),
        ({"met": "0"}, ["南浔木业有限公司", "湖州吴兴新材料有限公司"], ["湖州织里童装有限公司"]),
        ({"q": "木业"}, ["南浔木业有限公司"], ["湖州织里童装有限公司"]),
        ({"status": "removed"}, [], ["南浔木业有限公司"]),
        ({"responsible": "none"}, ["南浔木业有限公司"], []),
    ],
)
def test_library_filters_on_the_page(srdi, users, login, query, shown, hidden):
    fill(users["city_staff"], srdi["title"], margin="40")
    table = login(users["city_staff"]).get(library_url(**query)).content.decode()
    table = table[table.index('data-testid="library-table"') :]
    for name in shown:
        assert name in table
    for name in hidden:
        assert name not in table


def test_library_filter_by_district(srdi, users, login):
    fill(users["city_staff"], srdi["title"], margin="40")
    table = login(users["city_staff"]).get(library_url(district=srdi["muye"].district_id)).content.decode()
    table = table[table.index('data-testid="library-table"') :]
    assert "南浔木业有限公司" in table and "湖州织里童装有限公司" not in table


@pytest.mark.parametrize(
    "query",
    [{"met": "maybe"}, {"district": "²"}, {"responsible": "9" * 25}, {"status": "lost"}, {"year": "20x6"}],
)
def test_odd_filters_are_ignored_with_a_message(srdi, users, login, query):
    fill(users["city_staff"], srdi["title"])
    response = login(users["city_staff"]).get(library_url(**query))
    assert response.status_code == 200
    assert "已忽略" in response.content.decode()


def test_export_reads_back_with_gaps_status_district_and_owner(srdi, users, login):
    fill(users["city_staff"], srdi["title"], margin="40")
    entry = entry_of(srdi["muye"], srdi["title"])
    entry.responsible = users["nanxun"]
    entry.save()
    rows = exported_rows(login(users["city_staff"]).get(library_url(met="0", export="xlsx")))
    header = rows[0]
    assert header[:4] == ["企业名称", "统一社会信用代码", "所属区县", "状态"]
    got = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert list(got) == ["南浔木业有限公司", "湖州吴兴新材料有限公司"]
    muye = got["南浔木业有限公司"]
    assert (muye["所属区县"], muye["状态"], muye["责任人"], muye["差距（截至今日）"]) == (
        "南浔区", "入库", "nanxun", MUYE_GAP
    )  # fmt: skip
    assert got["湖州吴兴新材料有限公司"]["差距（截至今日）"] == "；".join(XINCAILIAO_GAPS)


def test_city_staff_fill_by_rule_from_the_page_districts_may_not(srdi, users, login):
    url = reverse("cultivation:fill", args=["srdi_sme"])
    response = login(users["nanxun"]).post(url, {"year": THIS_YEAR, "margin": "20"}, follow=True)
    assert "按条件遴选入库由市级工作人员进行" in response.content.decode()
    assert not Entry.objects.exists()
    assert "按条件遴选入库" not in login(users["wuxing"]).get(library_url()).content.decode()
    response = login(users["city_staff"]).post(url, {"year": THIS_YEAR, "margin": "20"}, follow=True)
    assert "按条件遴选入库 2 家企业" in response.content.decode()
    response = login(users["city_staff"]).post(url, {"year": THIS_YEAR, "margin": "abc"}, follow=True)
    assert "接近幅度（%）：应为数字，收到“abc”" in response.content.decode()
    assert Entry.objects.count() == 2


def test_a_district_finds_and_nominates_an_enterprise(srdi, users, login):
    client = login(users["wuxing"])
    url = reverse("cultivation:nominate", args=["srdi_sme"])
    found = client.get(url, {"year": THIS_YEAR, "q": "新材料"}).content.decode()
    results = found[found.index('data-testid="search-results"') :]
    assert "湖州吴兴新材料有限公司" in results and "南浔木业有限公司" not in results
    prefilled = client.get(url, {"year": THIS_YEAR, "uscc": srdi["xincailiao"].uscc}).content.decode()
    assert f'value="{srdi["xincailiao"].uscc}"' in prefilled
    response = client.post(
        url,
        {"year": THIS_YEAR, "uscc": srdi["xincailiao"].uscc, "responsible": users["wuxing"].pk,
         "planned_support": "研发费用补助", "note": ""},
        follow=True,
    )  # fmt: skip
    assert "已将“湖州吴兴新材料有限公司”推荐入库" in response.content.decode()
    entry = entry_of(srdi["xincailiao"], srdi["title"])
    assert (entry.source, entry.responsible, entry.gaps) == ("nomination", users["wuxing"], XINCAILIAO_GAPS)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"uscc": "muye"}, "不在您数据范围内的企业库中"),
        ({"uscc": "tongzhuang", "responsible": "nanxun"}, "选择一个有效的选项"),
        ({"uscc": ""}, "这个字段是必填项"),
        ({"uscc": "tongzhuang", "year": "²"}, "年度：输入整数"),
        ({"uscc": "tongzhuang", "responsible": "9" * 25}, "选择一个有效的选项"),
    ],
)
def test_odd_nominations_come_back_with_a_message(srdi, users, login, form, message):
    posted = {"year": THIS_YEAR, "planned_support": "", "note": ""}
    for key, value in form.items():
        posted[key] = srdi[value].uscc if value in srdi else users[value].pk if value in users else value
    response = login(users["wuxing"]).post(reverse("cultivation:nominate", args=["srdi_sme"]), posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_the_entry_page_edits_removes_and_enters_again(srdi, users, login):
    fill(users["city_staff"], srdi["title"])
    entry = entry_of(srdi["muye"], srdi["title"])
    client = login(users["nanxun"])
    url = reverse("cultivation:entry", args=[entry.pk])
    page = client.get(url).content.decode()
    assert MUYE_GAP in page[page.index('data-testid="gaps-now"') :]
    client.post(url, {"responsible": users["nanxun"].pk, "planned_support": "走访两次", "note": "重点跟进"})
    entry.refresh_from_db()
    assert (entry.responsible, entry.planned_support, entry.note) == (users["nanxun"], "走访两次", "重点跟进")
    refused = client.post(reverse("cultivation:entry-remove", args=[entry.pk]), {"reason": ""}, follow=True)
    assert "出库原因：这个字段是必填项" in refused.content.decode()
    client.post(reverse("cultivation:entry-remove", args=[entry.pk]), {"reason": "企业放弃申报"})
    entry.refresh_from_db()
    assert entry.status == "removed" and "出库原因：企业放弃申报" in entry.note
    assert 'data-testid="reenter"' in client.get(url).content.decode()
    client.post(reverse("cultivation:entry-reenter", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "entered"


def test_other_districts_entries_are_not_found_and_enterprise_users_are_refused(srdi, users, login):
    fill(users["city_staff"], srdi["title"])
    entry = entry_of(srdi["tongzhuang"], srdi["title"])
    client = login(users["nanxun"])
    assert client.get(reverse("cultivation:entry", args=[entry.pk])).status_code == 404
    assert (
        client.post(reverse("cultivation:entry-remove", args=[entry.pk]), {"reason": "x"}).status_code == 404
    )
    assert "湖州织里童装有限公司" not in client.get(library_url()).content.decode()
    assert login(users["enterprise"]).get(library_url()).status_code == 403
    assert login(users["enterprise"]).get(reverse("cultivation:index")).status_code == 403
    leader = login(users["leader"])
    assert leader.get(library_url()).status_code == 200
    assert leader.post(reverse("cultivation:entry", args=[entry.pk]), {"note": "x"}).status_code == 403
    assert leader.get(reverse("cultivation:nominate", args=["srdi_sme"])).status_code == 403
    assert login(users["city_staff"]).get(reverse("cultivation:library", args=["nope"])).status_code == 404


def test_the_work_list_page_and_its_export(srdi, users, login):
    fill(users["city_staff"], srdi["title"])
    client = login(users["nanxun"])
    page = client.get(reverse("cultivation:tasks"), {"year": THIS_YEAR}).content.decode()
    table = page[page.index('data-testid="task-table"') :]
    assert "南浔木业有限公司" in table and "未指定责任人" in table and "湖州织里童装有限公司" not in table
    mine = client.get(reverse("cultivation:tasks"), {"year": THIS_YEAR, "mine": "1"}).content.decode()
    assert "南浔木业有限公司" not in mine[mine.index('data-testid="task-table"') :]
    rows = exported_rows(client.get(reverse("cultivation:tasks"), {"year": THIS_YEAR, "export": "xlsx"}))
    assert rows[1][0] == "南浔木业有限公司" and "未指定责任人" in rows[1][6]


def test_the_entry_page_shows_the_policies_and_visits_that_could_support_it(srdi, users, login):
    fill(users["city_staff"], srdi["title"])
    entry = entry_of(srdi["muye"], srdi["title"])
    url = reverse("cultivation:entry", args=[entry.pk])
    nanxun = users["nanxun"]
    support = login(nanxun).get(url).content.decode()
    support = support[support.index('data-testid="entry-support"') :]
    assert "南浔区规上企业增资扩产奖励" not in support and "尚无走访记录" in support

    Enterprise.objects.filter(pk=srdi["muye"].pk).update(above_scale=True)
    policy = policy_create(
        actor=nanxun, source=Source.WEB, issuer=srdi["muye"].district, title="南浔区规上企业增资扩产奖励",
        document_number="浔政办发〔2026〕8号", clause="对南浔区规上工业企业给予一次性奖励10万元。",
        lead="南浔区经信局", subject="enterprise", support_kind="fixed", support_text="一次性奖励10万元",
        fixed_wan=10, rule={"all": [{"field": "enterprise.above_scale", "op": "is", "value": True}]},
    )  # fmt: skip
    policy_publish(actor=nanxun, source=Source.WEB, policy=policy)
    visit_create(actor=nanxun, source=Source.WEB, enterprise=srdi["muye"], date=TODAY, purpose="了解研发投入")
    support = login(nanxun).get(url).content.decode()
    support = support[support.index('data-testid="entry-support"') :]
    assert "南浔区规上企业增资扩产奖励" in support and "符合" in support
    assert "了解研发投入" in support


def test_the_entry_page_says_what_to_do_next(srdi, users, login):
    fill(users["city_staff"], srdi["title"])
    ready = entry_of(srdi["tongzhuang"], srdi["title"])  # meets the computable criteria
    short = entry_of(srdi["muye"], srdi["title"])  # 差 10 万元

    def next_step(user, entry):
        page = login(user).get(reverse("cultivation:entry", args=[entry.pk])).content.decode()
        return page[page.index('data-testid="next-step"') :].split("</div>")[0]

    assert "市里启动本年度申报批次后即可推荐申报" in next_step(users["wuxing"], ready)
    assert "尚有差距" in next_step(users["nanxun"], short)
    round_ = Round.objects.create(
        title=srdi["title"], year=THIS_YEAR, city=users["city_staff"].org_unit, opens_on=TODAY,
        nomination_deadline=TODAY + dt.timedelta(days=10), review_deadline=TODAY + dt.timedelta(days=30),
    )  # fmt: skip
    step = next_step(users["wuxing"], ready)
    assert f"可推荐申报：本年度区县推荐截止 {TODAY + dt.timedelta(days=10):%Y-%m-%d}（剩 10 天）" in step
    assert reverse("cultivation:round", args=[round_.pk]) in step
    Entry.objects.filter(pk=ready.pk).update(status="applied")
    assert "已申报，等待市级审核" in next_step(users["wuxing"], ready)
