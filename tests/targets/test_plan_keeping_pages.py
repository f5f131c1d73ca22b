"""Keeping plans on pages (#24): city and district staff create a plan, fill its indicators and targets in
the editor, revise it (each save audited and kept as a version, so a past month reads the plan as it then
stood), copy last year's and retire one. Every form is posted the way the page posts it: the fields the page
rendered, with only what a user would change changed."""

import datetime as dt
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.orgs.models import OrgUnit
from kuochan.targets import services
from kuochan.targets.models import Actual, Indicator, Plan
from kuochan.targets.selectors import plan_get

pytestmark = pytest.mark.django_db

WORK_PLAN = "huzhou-2025"
FIVE_YEAR = "huzhou-2026-2030"


# The page's own forms ---------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every <form> of a page with what a browser would send: text inputs and hidden fields as rendered,
    checkboxes only when checked, each select's chosen option (else its first), each textarea's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: tuple[str, list[tuple[str, bool, str]]] | None = None
        self._option: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"attrs": a, "fields": [], "selects": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select[1].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = next((o for o in options if o[1]), options[0] if options else None)
            if chosen is not None:
                value = chosen[0] if chosen[0] is not None else chosen[2]
                self.forms[-1]["fields"].append((name, value))
            self.forms[-1]["selects"][name] = [(o[0], o[2].strip()) for o in options]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append(tuple(self._textarea))
            self._textarea = None


class PageForm:
    """One form of a rendered page: its fields by name (in order), changed as a user would."""

    def __init__(self, parsed: dict) -> None:
        self.action = parsed["attrs"].get("action", "")
        self.fields = dict(parsed["fields"])
        self.options = parsed["selects"]

    def __getitem__(self, name: str) -> str:
        return self.fields[name]

    def __setitem__(self, name: str, value: str) -> None:
        assert name in self.fields or name.endswith("-DELETE"), f"the page has no field “{name}”"
        self.fields[name] = value

    def choose(self, name: str, label: str) -> None:
        """Pick the option of a select by its visible label."""
        self[name] = next(value for value, text in self.options[name] if text == label)

    def codes(self, prefix: str) -> dict[str, str]:
        """{a formset row's name prefix ("i-3"): its code}, in the page's order."""
        found = (re.fullmatch(rf"({prefix}-\d+)-code", name) for name in self.fields)
        return {match[1]: self.fields[match[0]] for match in found if match}

    def row_of(self, prefix: str, code: str) -> str:
        """The name prefix ("i-3") of the formset row whose code is `code`."""
        return next(row for row, value in self.codes(prefix).items() if value == code)

    def blank_row(self, prefix: str) -> str:
        """The first empty extra row of a formset, for a new item."""
        return next(row for row, value in self.codes(prefix).items() if not value)


def page_form(response, wanted: dict[str, str]) -> PageForm:
    """The form of the page whose attributes include `wanted` (e.g. {"data-testid": "plan-form"})."""
    assert response.status_code == 200, response.status_code
    parser = _Forms()
    parser.feed(response.content.decode())
    found = [f for f in parser.forms if all(f["attrs"].get(k) == v for k, v in wanted.items())]
    assert len(found) == 1, f"{len(found)} forms match {wanted}"
    return PageForm(found[0])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def editor(client, code: str) -> PageForm:
    return page_form(client.get(f"/targets/plans/{code}/edit/"), {"data-testid": "plan-form"})


def save(client, code: str, form: PageForm):
    return client.post(f"/targets/plans/{code}/edit/", form.fields, follow=True)


def plan_row(client, code: str) -> str:
    """The plan's row of the plan list, as text."""
    html = client.get("/targets/plans/").content.decode()
    found = re.search(rf'<tr data-plan="{re.escape(code)}">(.*?)</tr>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def targets_json(month: str, plan: str = WORK_PLAN, capsys=None) -> dict[str, dict]:
    call_command("targets", "--as-of", month, "--plan", plan, "--format", "json")
    report = json.loads(capsys.readouterr().out)
    return {row["code"]: row for row in report["indicators"]}


# 1. A new plan -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("issuer", "code"), [("湖州市", "huzhou-2027-work"), ("吴兴区", "wuxing-2027-work")])
def test_city_staff_create_a_plan_add_two_indicators_and_see_it_listed_in_force(
    huzhou, users, login, issuer, code
):
    client = login(users["city_staff"])
    assert 'href="/targets/plans/new/"' in client.get("/targets/plans/").content.decode()
    new = page_form(client.get("/targets/plans/new/"), {"class": "card", "method": "post"})
    new["code"], new["name"] = code, f"{issuer}2027—2028年工业投资计划"
    new.choose("org_unit", issuer)
    new["period_start"], new["period_end"], new["baseline_year"] = "2027", "2028", "2026"
    response = client.post("/targets/plans/new/", new.fields, follow=True)
    assert response.redirect_chain[-1][0] == f"/targets/plans/{code}/edit/"
    assert any("请添加指标和目标" in m for m in messages_of(response))

    form = page_form(response, {"data-testid": "plan-form"})
    for row, (indicator, name, unit, targets) in zip(
        ("i-0", "i-1"),
        (
            ("renovation_investment", "技改投资", "亿元", ("320", "350.5")),
            ("projects_100m_started", "亿元以上项目开工", "个", ("60", "66")),
        ),
        strict=True,
    ):
        form[f"{row}-code"], form[f"{row}-name"], form[f"{row}-unit"] = indicator, name, unit
        form.choose(f"{row}-kind", "期间累计（分年目标合计）")
        form.choose(f"{row}-actual_source", "统计部门数据")
        form[f"{row}-y2027"], form[f"{row}-y2028"] = targets
    form["note"] = "首次录入指标"
    response = save(client, code, form)
    assert any("已保存" in m for m in messages_of(response)), messages_of(response)

    plan = Plan.objects.get(code=code)
    assert plan.org_unit.name == issuer
    assert [(i.code, i.yearly) for i in plan.indicators.order_by("sort_order")] == [
        ("renovation_investment", {"2027": "320", "2028": "350.5"}),
        ("projects_100m_started", {"2027": "60", "2028": "66"}),
    ]
    shown = client.get("/targets/", {"plan": code}).content.decode()
    assert "技改投资" in shown and "亿元以上项目开工" in shown and "350.5" in shown
    assert "2027 年目标" in shown and "2028 年目标" in shown
    row = plan_row(client, code)
    assert issuer in row and "2027—2028 年" in row and "2 项" in row
    assert "施行中" in row and "第 2 版" in row  # made, then its indicators saved
    entries = AuditEntry.objects.filter(object_repr=plan.name, content_type__model="plan")
    assert set(entries.values_list("action", flat=True)) == {Action.CREATE, Action.UPDATE}
    assert set(entries.values_list("actor_name", flat=True)) == {"city"}


# 2. A revision, and the months before it ----------------------------------------------------------------


def at(day: dt.date):
    """Frozen time at 10:00 on `day`, local time."""
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone()), tick=False
    )


def versions_shown(client, code: str) -> list[str]:
    """The editor's 修订记录, a row a line: "第 2 版 | 2025-07-15 10:00 | city | 说明"."""
    html = client.get(f"/targets/plans/{code}/edit/").content.decode()
    table = re.search(r'data-testid="versions">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        " | ".join(cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S))
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


@pytest.mark.parametrize(
    ("history", "first"),
    [
        (
            "issued",
            "第 1 版 | 2025-04-17 00:00 | 系统 | 随参考数据加载",
        ),  # loaded when the document was issued
        ("unversioned", "第 1 版 | 最初加载 | 系统 | 原始版本"),  # loaded before plans kept versions
    ],
)
def test_a_revised_target_counts_from_the_month_it_was_saved_and_the_months_before_keep_the_old(
    huzhou, users, login, capsys, history, first
):
    plan = Plan.objects.get(code=WORK_PLAN)
    if history == "issued":
        issued = dt.datetime(2025, 4, 17, tzinfo=timezone.get_current_timezone())
        assert plan.versions.update(saved_at=issued) == 1
    else:
        plan.versions.all().delete()
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    row = form.row_of("i", "nev_chain_revenue")
    assert form[f"{row}-y2025"] == "1000"
    form[f"{row}-y2025"] = "1100"
    form["note"] = "按市政府常务会议意见调高新能源汽车产业链目标"
    with at(dt.date(2025, 7, 15)):
        response = save(client, WORK_PLAN, form)
    assert response.status_code == 200
    assert any("已保存" in m and "此前各月仍按原版本计算" in m for m in messages_of(response)), messages_of(
        response
    )

    client = login(users["city_staff"])  # the session was renewed in 2025
    assert "第 2 版" in plan_row(client, WORK_PLAN)
    assert versions_shown(client, WORK_PLAN) == [
        "第 2 版 | 2025-07-15 10:00 | city | 按市政府常务会议意见调高新能源汽车产业链目标",
        first,
    ]
    months = ("2025-03", "2025-06", "2025-07", "2025-12")
    targets = {
        month: targets_json(month, capsys=capsys)["nev_chain_revenue"]["year_target"] for month in months
    }
    assert targets == {"2025-03": 1000, "2025-06": 1000, "2025-07": 1100, "2025-12": 1100}
    assert Indicator.objects.get(plan__code=WORK_PLAN, code="nev_chain_revenue").yearly == {"2025": "1100"}
    entry = AuditEntry.objects.filter(content_type__model="plan", object_id=str(plan.pk)).latest("id")
    assert (entry.action, entry.actor_name, entry.at.date()) == (Action.UPDATE, "city", dt.date(2025, 7, 15))


def test_saving_the_editor_unchanged_but_one_target_changes_nothing_else(huzhou, users, login):
    """The five-year plan: what the editor does not show (the table's cells, the last period's totals, the
    measures) is kept as it stands."""
    plan = Plan.objects.get(code=FIVE_YEAR)
    before = services.plan_content(plan)
    client = login(users["city_staff"])
    form = editor(client, FIVE_YEAR)
    row = form.row_of("i", "renovation_investment")
    old = form[f"{row}-y2027"]
    form[f"{row}-y2027"] = str(Decimal(old) + 10)
    assert any("已保存" in m for m in messages_of(save(client, FIVE_YEAR, form)))
    after = services.plan_content(plan)
    changed = next(i for i in before["indicators"] if i["code"] == "renovation_investment")
    changed["yearly"] = {**changed["yearly"], "2027": str(Decimal(old) + 10)}
    assert differences(before, after) == []


def differences(before: dict, after: dict) -> list[str]:
    """Where two plan contents differ, as "indicator.field: old → new" (and the other parts whole)."""
    found = [
        f"{key}: {before[key]} → {after.get(key)}"
        for key in before
        if key != "indicators" and before[key] != after.get(key)
    ]
    old, new = ({i["code"]: i for i in c["indicators"]} for c in (before, after))
    found += [f"{code} dropped" for code in old.keys() - new.keys()]
    found += [f"{code} added" for code in new.keys() - old.keys()]
    for code in old.keys() & new.keys():
        found += [
            f"{code}.{key}: {value} → {new[code].get(key)}"
            for key, value in old[code].items()
            if value != new[code].get(key)
        ]
    if [i["code"] for i in before["indicators"]] != [i["code"] for i in after["indicators"]]:
        found.append("indicators reordered")
    return sorted(found)


# 3. Bad input: a message naming the row and field, nothing written ---------------------------------------


def refused(client, code: str, form: PageForm) -> str:
    """Post the editor; assert the page came back with an error and the plan, its versions and the audit
    trail are as they were; return the message."""
    plan = Plan.objects.get(code=code)
    before, versions, entries = services.plan_content(plan), plan.versions.count(), AuditEntry.objects.count()
    response = save(client, code, form)
    assert response.status_code == 200 and not response.redirect_chain
    shown = messages_of(response)
    assert len(shown) == 1 and "已保存" not in shown[0], shown
    plan.refresh_from_db()
    assert differences(before, services.plan_content(plan)) == []
    assert (plan.versions.count(), AuditEntry.objects.count()) == (versions, entries)
    return shown[0]


def row_number(row: str) -> int:
    return int(row.split("-")[1]) + 1


def test_letters_in_a_target_name_the_row_and_year_and_keep_what_was_typed(huzhou, users, login):
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    row = form.row_of("i", "nev_chain_revenue")
    form[f"{row}-y2025"] = "一千亿"
    message = refused(client, WORK_PLAN, form)
    assert f"指标第 {row_number(row)} 行：2025 年目标：" in message and "数字" in message
    again = page_form(
        client.post(f"/targets/plans/{WORK_PLAN}/edit/", form.fields), {"data-testid": "plan-form"}
    )
    assert again[f"{row}-y2025"] == "一千亿"  # what was typed stays, to be corrected


def test_letters_in_a_figure_of_the_text_name_its_row(huzhou, users, login):
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    form["s-2-value"] = "七点三"
    message = refused(client, WORK_PLAN, form)
    assert "正文数字第 3 行：数值：" in message


def test_a_new_indicator_with_a_code_already_used_is_refused(huzhou, users, login):
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    row = form.blank_row("i")
    form[f"{row}-code"], form[f"{row}-name"], form[f"{row}-unit"] = (
        "nev_chain_revenue",
        "新能源汽车产值",
        "亿元",
    )
    form.choose(f"{row}-kind", "年度值")
    form.choose(f"{row}-actual_source", "统计部门数据")
    message = refused(client, WORK_PLAN, form)
    assert "nev_chain_revenue" in message and "重复" in message


def test_an_indicator_with_official_figures_cannot_be_struck_out(huzhou, users, login):
    indicator = Indicator.objects.get(plan__code=WORK_PLAN, code="enterprises_10bn_new")
    Actual.objects.create(
        indicator=indicator, org_unit=OrgUnit.objects.get(code="330500"), month=dt.date(2025, 6, 1), value=1
    )
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    form[f"{form.row_of('i', 'enterprises_10bn_new')}-DELETE"] = "on"
    message = refused(client, WORK_PLAN, form)
    assert f"指标“{indicator.name}”已录入统计数据，不能删除" in message
    assert indicator.actuals.count() == 1


def test_moving_the_period_away_from_its_yearly_targets_is_refused(huzhou, users, login):
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    form["plan-period_start"], form["plan-period_end"], form["plan-baseline_year"] = "2026", "2026", "2025"
    message = refused(client, WORK_PLAN, form)
    assert "指标“新能源汽车及关键零部件产业链规上营业收入”的 2025 年目标不在规划期 2026—2026 年内" in message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("plan-period_end", "2024", "规划期 2025—2024 年不正确：截止年应不早于起始年"),
        ("plan-period_start", "二〇二五", "起始年："),
        ("plan-name", "", "名称："),
        ("i-0-kind", "bogus", "指标第 1 行：类型："),
        ("i-0-code", "规上 增速", "指标第 1 行：代码："),
        ("i-TOTAL_FORMS", "many", "ManagementForm"),
    ],
)
def test_a_bad_heading_or_row_is_named_and_nothing_is_saved(huzhou, users, login, field, value, expected):
    client = login(users["city_staff"])
    form = editor(client, WORK_PLAN)
    form[field] = value
    assert expected in refused(client, WORK_PLAN, form)


def test_a_new_plan_ending_before_it_starts_is_not_made(huzhou, users, login):
    client = login(users["city_staff"])
    new = page_form(client.get("/targets/plans/new/"), {"class": "card", "method": "post"})
    new["code"], new["name"] = "huzhou-2028", "2028年工作计划"
    new["period_start"], new["period_end"] = "2028", "2027"
    response = client.post("/targets/plans/new/", new.fields)
    assert response.status_code == 200
    assert any("规划期 2028—2027 年不正确" in m for m in messages_of(response)), messages_of(response)
    assert not Plan.objects.filter(code="huzhou-2028").exists()
    again = page_form(response, {"class": "card", "method": "post"})
    assert (again["code"], again["period_end"]) == ("huzhou-2028", "2027")


def test_a_new_plan_with_a_code_in_use_is_not_made(huzhou, users, login):
    client = login(users["city_staff"])
    new = page_form(client.get("/targets/plans/new/"), {"class": "card", "method": "post"})
    new["code"], new["name"] = WORK_PLAN, "另一份计划"
    response = client.post("/targets/plans/new/", new.fields)
    assert any(f"编号“{WORK_PLAN}”已被其他规划使用" in m for m in messages_of(response)), messages_of(
        response
    )
    assert Plan.objects.get(code=WORK_PLAN).name == "市经信局2025年工作计划"


def small_plan(unit: str, code: str, **changes) -> Plan:
    """A one-year plan of `unit` with two indicators, as a plan file would give it."""
    content = {
        "code": code, "name": f"{code} 工作计划", "org_unit": unit, "period": [2026, 2026], "baseline_year": 2025,
        "indicators": [
            {"code": "renovation_investment", "name": "技改投资", "unit": "亿元", "kind": "period_total",
             "actual_source": "statistics", "yearly": {"2026": "80"}},
            {"code": "smart_factories", "name": "智能工厂", "unit": "家", "kind": "period_total",
             "actual_source": "statistics", "note": "按省经信厅认定名单计。"},
        ],
    } | changes  # fmt: skip
    return services.plan_create(actor=None, source=Source.CLI, content=content)


def test_a_stored_text_the_editor_cannot_take_is_named_when_another_row_is_saved(huzhou, users, login):
    """A plan file may hold what the editor's fields refuse (here a note over 1,000 characters on a row
    without figures): saving another change names that row and field, never an empty message."""
    small_plan("330500", "huzhou-2026-smart")
    Indicator.objects.filter(code="smart_factories").update(note="说明" * 501)
    client = login(users["city_staff"])
    form = editor(client, "huzhou-2026-smart")
    form["i-0-y2026"] = "90"
    message = refused(client, "huzhou-2026-smart", form)
    assert "指标第 2 行：说明：" in message


# 4. Copy last year's, retire one --------------------------------------------------------------------------


def list_form(client, code: str, verb: str) -> PageForm:
    """The copy or retire form of a plan's row on the plan list."""
    return page_form(client.get("/targets/plans/"), {"action": f"/targets/plans/{code}/{verb}/"})


def test_copy_the_2025_work_plan_as_2026s(huzhou, users, login):
    source = Plan.objects.get(code=WORK_PLAN)
    old = services.plan_content(source)
    client = login(users["city_staff"])
    form = list_form(client, WORK_PLAN, "copy")
    assert form["years"] == "1"
    form["code"], form["name"] = "huzhou-2026", "市经信局2026年工作计划"
    response = client.post(form.action, form.fields, follow=True)
    assert response.redirect_chain[-1][0] == "/targets/plans/huzhou-2026/edit/"
    assert any(
        "已由“市经信局2025年工作计划”复制出“市经信局2026年工作计划”" in m for m in messages_of(response)
    )

    copy = services.plan_content(Plan.objects.get(code="huzhou-2026"))
    assert (copy["period"], copy["baseline_year"], copy["org_unit"]) == ([2026, 2026], 2025, "330500")
    assert [i["code"] for i in copy["indicators"]] == [i["code"] for i in old["indicators"]]
    assert {i["code"]: i["yearly"] for i in copy["indicators"] if i["yearly"]} == {
        i["code"]: {"2026": i["yearly"]["2025"]} for i in old["indicators"] if i["yearly"]
    }
    assert {i["baseline"] for i in copy["indicators"]} == {None}
    assert [(m["title"], m["text"]) for m in copy["measures"]] == [
        (m["title"], m["text"]) for m in old["measures"]
    ]
    assert not {m["code"] for m in copy["measures"]} & {m["code"] for m in old["measures"]}
    assert services.plan_content(source) == old  # last year's stays as it was
    editor_page = page_form(response, {"data-testid": "plan-form"})
    assert editor_page[f"{editor_page.row_of('i', 'nev_chain_revenue')}-y2026"] == "1000"
    row = plan_row(client, "huzhou-2026")
    assert "施行中" in row and "第 1 版" in row


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (WORK_PLAN, f"编号“{WORK_PLAN}”已被其他规划使用"),
        ("huzhou 2026", "新规划编号："),
        ("x" * 65, "新规划编号："),  # longer than a plan's code holds
    ],
)
def test_a_copy_refused_says_why_and_makes_nothing(huzhou, users, login, code, expected):
    client = login(users["city_staff"])
    count = Plan.objects.count()
    form = list_form(client, WORK_PLAN, "copy")
    form["code"], form["name"] = code, "复制的计划"
    response = client.post(form.action, form.fields, follow=True)
    assert response.redirect_chain[-1][0] == "/targets/plans/"
    shown = messages_of(response)
    assert len(shown) == 1 and expected in shown[0] and "已由" not in shown[0], shown
    assert Plan.objects.count() == count


def test_a_retired_plan_is_no_longer_chosen_but_stays_listed(huzhou, users, login):
    city = users["city_staff"]
    assert plan_get(actor=city, year=2025).code == WORK_PLAN
    client = login(city)
    form = list_form(client, WORK_PLAN, "retire")
    response = client.post(form.action, form.fields, follow=True)
    assert any("已停用“市经信局2025年工作计划”" in m for m in messages_of(response))
    assert plan_get(actor=city, year=2025) is None
    assert plan_get(actor=users["wuxing"], year=2025) is None
    row = plan_row(client, WORK_PLAN)
    assert "已停用" in row and "施行中" not in row
    assert (
        f'action="/targets/plans/{WORK_PLAN}/retire/"' not in client.get("/targets/plans/").content.decode()
    )
    shown = client.get("/targets/", {"plan": WORK_PLAN}).content.decode()  # still readable, marked
    assert "已停用" in shown and "新能源汽车及关键零部件产业链规上营业收入" in shown
    plan = Plan.objects.get(code=WORK_PLAN)
    entry = AuditEntry.objects.filter(content_type__model="plan", object_id=str(plan.pk)).latest("id")
    assert (entry.action, entry.actor_name) == (Action.UPDATE, "city")
    again = client.post(form.action, form.fields, follow=True)  # a second click, from a stale page
    assert any("已于" in m and "停用" in m for m in messages_of(again))


# 5. Who keeps which plans ---------------------------------------------------------------------------------


def test_district_staff_keep_their_own_districts_plan_only(huzhou, users, login):
    small_plan("330502", "wuxing-2026")
    small_plan("330503", "nanxun-2026")
    client = login(users["wuxing"])
    listed = client.get("/targets/plans/").content.decode()
    assert 'data-plan="wuxing-2026"' in listed and 'data-plan="nanxun-2026"' not in listed
    assert 'href="/targets/plans/wuxing-2026/edit/"' in listed
    assert f'data-plan="{WORK_PLAN}"' in listed and f'href="/targets/plans/{WORK_PLAN}/edit/"' not in listed
    assert "由湖州市维护" in plan_row(client, WORK_PLAN)

    form = editor(client, "wuxing-2026")
    assert [label for _, label in form.options["plan-org_unit"]] == ["吴兴区"]  # cannot hand it to the city
    form["i-0-y2026"], form["note"] = "85", "区政府常务会议调整"
    assert any("已保存" in m for m in messages_of(save(client, "wuxing-2026", form)))
    assert Indicator.objects.get(plan__code="wuxing-2026", code="renovation_investment").yearly == {
        "2026": "85"
    }

    city_form = editor(login(users["city_staff"]), WORK_PLAN)
    city_form[f"{city_form.row_of('i', 'nev_chain_revenue')}-y2025"] = "1"
    client = login(users["wuxing"])
    before = {code: services.plan_content(Plan.objects.get(code=code)) for code in (WORK_PLAN, "nanxun-2026")}
    for code, status in ((WORK_PLAN, 403), (FIVE_YEAR, 403), ("nanxun-2026", 404)):
        assert client.get(f"/targets/plans/{code}/edit/").status_code == status, code
        assert client.post(f"/targets/plans/{code}/edit/", city_form.fields).status_code == status, code
        assert client.post(f"/targets/plans/{code}/retire/").status_code == status, code
        copy = {"code": "x-2026", "name": "x", "years": "1"}
        assert client.post(f"/targets/plans/{code}/copy/", copy).status_code == status, code
    assert not Plan.objects.filter(code="x-2026").exists()
    assert Plan.objects.filter(retired_at__isnull=False).count() == 0
    assert all(
        services.plan_content(Plan.objects.get(code=code)) == content for code, content in before.items()
    )


def test_district_staff_create_plans_for_their_district_only(huzhou, users, login):
    client = login(users["wuxing"])
    new = page_form(client.get("/targets/plans/new/"), {"class": "card", "method": "post"})
    assert [label for _, label in new.options["org_unit"]] == ["吴兴区"]
    new["code"], new["name"] = "wuxing-2027", "吴兴区2027年工业投资计划"
    assert client.post("/targets/plans/new/", new.fields).status_code == 302
    assert Plan.objects.get(code="wuxing-2027").org_unit.name == "吴兴区"
    new["code"], new["org_unit"] = (
        "huzhou-2027",
        str(OrgUnit.objects.get(code="330500").pk),
    )  # a forged choice
    response = client.post("/targets/plans/new/", new.fields)
    assert response.status_code == 200 and any("制定单位：" in m for m in messages_of(response))
    assert not Plan.objects.filter(code="huzhou-2027").exists()


def test_another_citys_staff_neither_see_nor_reach_huzhous_plans(two_cities, login):
    client = login(two_cities["b_staff"])
    listed = client.get("/targets/plans/").content.decode()
    assert WORK_PLAN not in listed and FIVE_YEAR not in listed
    for code in (WORK_PLAN, FIVE_YEAR):
        assert client.get(f"/targets/plans/{code}/edit/").status_code == 404
        assert client.post(f"/targets/plans/{code}/retire/").status_code == 404
        copy = {"code": "b-2026", "name": "乙市计划", "years": "1"}
        assert client.post(f"/targets/plans/{code}/copy/", copy).status_code == 404
    assert not Plan.objects.filter(code="b-2026").exists() and not Plan.objects.filter(
        retired_at__isnull=False
    )


def test_enterprise_users_are_refused_the_plan_pages(huzhou, users, login):
    client = login(users["enterprise"])
    for path in ("/targets/plans/", "/targets/plans/new/", f"/targets/plans/{WORK_PLAN}/edit/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/targets/plans/{WORK_PLAN}/retire/").status_code == 403
    assert Plan.objects.get(code=WORK_PLAN).retired_at is None


def test_the_leader_reads_the_list_without_keeping_it(huzhou, users, login):
    client = login(users["leader"])
    listed = client.get("/targets/plans/")
    html = listed.content.decode()
    assert (
        listed.status_code == 200
        and f'data-plan="{WORK_PLAN}"' in html
        and f'data-plan="{FIVE_YEAR}"' in html
    )
    assert (
        "编辑</a>" not in html and "/edit/" not in html and "新建规划" not in html and "确认停用" not in html
    )
    assert "编辑</a>" not in client.get("/targets/", {"plan": WORK_PLAN}).content.decode()
    assert client.get(f"/targets/plans/{WORK_PLAN}/edit/").status_code == 403
    assert client.get("/targets/plans/new/").status_code == 403


def test_each_rows_copy_form_has_fields_of_its_own(huzhou, users, login):
    """Every plan's row holds a copy form: a label names the field of its own row, never the first row's."""
    html = login(users["city_staff"]).get("/targets/plans/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(re.findall(r'action="/targets/plans/[^"]+/copy/"', html)) == 2
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert f'for="copy-{WORK_PLAN}-code"' in html and f'id="copy-{WORK_PLAN}-code"' in html


def test_a_save_over_someone_elses_later_save_is_refused_not_undone(huzhou, users, login):
    small_plan("330500", "huzhou-2026-smart")
    staff = login(users["city_staff"])
    stale = editor(staff, "huzhou-2026-smart")
    admin = Client()
    admin.force_login(users["city_admin"])
    theirs = editor(admin, "huzhou-2026-smart")
    theirs["i-0-y2026"], theirs["note"] = "95", "区县汇总后调高"
    assert any("已保存" in m for m in messages_of(save(admin, "huzhou-2026-smart", theirs)))

    stale["i-1-y2026"] = "12"  # the staff member's own change, on the page opened before
    message = refused(staff, "huzhou-2026-smart", stale)
    assert "admin已于" in message and "第 2 版" in message and "请在最新版本上重新修改" in message
    assert Indicator.objects.get(plan__code="huzhou-2026-smart", code="renovation_investment").yearly == {
        "2026": "95"
    }

    fresh = editor(staff, "huzhou-2026-smart")
    assert fresh["i-0-y2026"] == "95"
    fresh["i-1-y2026"] = "12"
    assert any("已保存" in m for m in messages_of(save(staff, "huzhou-2026-smart", fresh)))
    assert [
        i.yearly for i in Indicator.objects.filter(plan__code="huzhou-2026-smart").order_by("sort_order")
    ] == [
        {"2026": "95"},
        {"2026": "12"},
    ]
