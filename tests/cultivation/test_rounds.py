"""A title's yearly round end to end: districts nominate by the deadline, the city reviews, the official
result list is imported with its document number and date, the city closes the round; the registry's
honours and the plan's counts follow."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from kuochan.audit.models import Source
from kuochan.cultivation import round_services as services
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Round, Title
from kuochan.cultivation.round_selectors import round_results, title_forecast
from kuochan.registry.models import Honour
from kuochan.targets.selectors import plan_get
from tests.cultivation.round_setup import NOMINATION, NUMBER, PUBLISHED, YEAR, entry, make_smart_round
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
WEB = Source.WEB


@pytest.fixture
def smart_round(users, huzhou):
    return make_smart_round(huzhou)


def nominate(user, r, keys, today=NOMINATION):
    return services.entries_nominate(
        actor=user, source=WEB, round_=r["round"], entries=[r["entries"][k] for k in keys], today=today
    )


def review(user, r, keys, decision, reason=""):
    return services.entries_review(
        actor=user, source=WEB, round_=r["round"], entries=[r["entries"][k] for k in keys],
        decision=decision, reason=reason, today=dt.date(YEAR, 6, 20),
    )  # fmt: skip


def status(r, key):
    return Entry.objects.get(pk=r["entries"][key].pk).status


def result_list(tmp_path, r, name="认定名单.xlsx"):
    c = r["companies"]
    return write_xlsx(
        tmp_path / name,
        [
            [f"{YEAR}年度湖州市基础级智能工厂认定名单"],
            ["序号", "统一社会信用代码", "企业名称", "结果"],
            [1, c["甲"].uscc, c["甲"].name, "认定"],
            [2, "", c["丁"].name, "认定"],  # by name alone
            [3, c["己"].uscc, c["己"].name, ""],  # in no library: granted all the same (blank = 认定)
            [4, c["庚"].uscc, c["庚"].name, "撤销"],
            [5, c["戊"].uscc, c["戊"].name, "未通过"],
        ],
    )


def import_results(run_cli, path, r, *more):
    return run_cli(
        "title-results", path, "--user", "city", "--option", f"round={r['round'].pk}",
        "--option", f"document_number={NUMBER}", "--option", f"published_on={PUBLISHED}", *more,
    )  # fmt: skip


def test_a_whole_round(smart_round, users, tmp_path, run_cli, capsys):
    r = smart_round
    nominate(users["wuxing"], r, "甲乙丙")
    nominate(users["nanxun"], r, "丁戊")
    assert {status(r, k) for k in "甲乙丙丁戊"} == {EntryStatus.APPLIED}
    city = users["city_staff"]
    review(city, r, "甲乙丁", services.Decision.RECOMMEND)
    review(city, r, "丙", services.Decision.RETURN, "智能化改造投入证明不全")
    review(city, r, "戊", services.Decision.REJECT, "未达基础级要求")
    assert [status(r, k) for k in "甲乙丙丁戊"] == [
        "recommended",
        "recommended",
        "entered",
        "recommended",
        "rejected",
    ]
    assert "智能化改造投入证明不全" in Entry.objects.get(pk=r["entries"]["丙"].pk).note

    honours, entries = Honour.objects.count(), Entry.objects.count()
    code, result = import_results(run_cli, result_list(tmp_path, r), r)
    assert code == 0 and result["applied"], result
    assert (result["created"], result["updated"], result["unchanged"]) == (3, 1, 1)  # 戊 was rejected already
    assert Honour.objects.count() == honours + 3 and Entry.objects.count() == entries + 1
    c = r["companies"]
    for key in "甲丁己":
        honour = Honour.objects.get(enterprise=c[key], kind="smart_factory_basic", year_granted=YEAR)
        assert (honour.document_number, honour.granted_on) == (NUMBER, PUBLISHED)
    assert [status(r, k) for k in "甲乙丁"] == ["granted", "recommended", "granted"]
    imported = Entry.objects.get(enterprise=c["己"], title=r["title"], year=YEAR)
    assert (imported.status, imported.source) == (EntryStatus.GRANTED, EntrySource.IMPORT)
    assert Honour.objects.get(enterprise=c["庚"]).year_lost == YEAR
    stored = Round.objects.get(pk=r["round"].pk)
    assert (stored.result_document_number, stored.result_published_on) == (NUMBER, PUBLISHED)

    # the same list again changes nothing
    code, again = import_results(run_cli, result_list(tmp_path, r, "again.xlsx"), r)
    assert code == 0 and (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5), again
    assert Honour.objects.count() == honours + 3 and Entry.objects.count() == entries + 1

    # closing: 乙, recommended and not on the list, is not granted
    closed = services.round_close(actor=city, source=WEB, round_=stored, today=dt.date(YEAR, 7, 20))
    assert [e.enterprise.name for e in closed] == [c["乙"].name] and status(r, "乙") == EntryStatus.REJECTED
    outcomes = {(line.outcome, line.enterprise.name) for line in round_results(actor=city, round_=stored)}
    assert {("认定", c[k].name) for k in "甲丁己"} | {
        ("撤销", c["庚"].name),
        ("未通过", c["乙"].name),
    } <= outcomes

    # the plan counts the smart factories held: 甲 丁 己 (庚 lost the title this year)
    call_command("targets", "--as-of", f"{YEAR}-07", "--format", "json")
    rows = {row["code"]: row for row in json.loads(capsys.readouterr().out)["indicators"]}
    assert rows["smart_factories"]["actual"] == 3.0 and rows["excellent_factories"]["actual"] == 0.0


def test_a_district_sees_only_its_own_results(smart_round, users, tmp_path, run_cli):
    r = smart_round
    nominate(users["nanxun"], r, "丁")
    services.entries_review(
        actor=users["city_staff"], source=WEB, round_=r["round"], entries=[r["entries"]["丁"]],
        decision=services.Decision.RECOMMEND, reason="", today=dt.date(YEAR, 6, 1),
    )  # fmt: skip
    import_results(run_cli, result_list(tmp_path, r), r)
    names = {line.enterprise.name for line in round_results(actor=users["nanxun"], round_=r["round"])}
    assert names == {r["companies"]["丁"].name, r["companies"]["己"].name}  # 戊 never applied: left alone


def test_nominating_on_the_deadline_day_is_allowed_and_the_day_after_refused(smart_round, users):
    r = smart_round
    nominate(users["wuxing"], r, "甲", today=NOMINATION)
    with pytest.raises(ValidationError) as refused:
        nominate(users["wuxing"], r, "乙", today=NOMINATION + dt.timedelta(days=1))
    assert f"区县推荐已于 {NOMINATION} 截止" in refused.value.messages[0]
    assert status(r, "乙") == EntryStatus.ENTERED


def test_a_refusal_names_the_enterprise_and_its_status_and_moves_nothing(smart_round, users):
    r = smart_round
    nominate(users["wuxing"], r, "甲")
    with pytest.raises(ValidationError) as refused:
        nominate(users["wuxing"], r, "甲乙")
    assert refused.value.messages == [f"{r['companies']['甲'].name}当前为“申报”，不能推荐申报。"]
    assert status(r, "乙") == EntryStatus.ENTERED
    with pytest.raises(ValidationError) as refused:
        review(users["city_staff"], r, "乙", services.Decision.RECOMMEND)
    assert "当前为“入库”，不是待审核的申报" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        review(users["city_staff"], r, "甲", services.Decision.RETURN)
    assert refused.value.message_dict == {"reason": ["退回须写明理由。"]}


def test_scope_refusals(smart_round, users):
    r = smart_round
    with pytest.raises(PermissionDenied):  # 南浔 is not 吴兴's
        nominate(users["wuxing"], r, "丁")
    for user in ("enterprise", "leader", "city_staff"):
        with pytest.raises(PermissionDenied):
            nominate(users[user], r, "甲")
    nominate(users["wuxing"], r, "甲")
    for user in ("wuxing", "enterprise", "leader"):
        with pytest.raises(PermissionDenied):
            review(users[user], r, "甲", services.Decision.RECOMMEND)
        with pytest.raises(PermissionDenied):
            services.round_close(actor=users[user], source=WEB, round_=r["round"], today=dt.date(YEAR, 7, 1))
    assert status(r, "甲") == EntryStatus.APPLIED


def test_another_title_entry_is_not_the_rounds(smart_round, users):
    other = entry(Title.objects.get(code="little_giant"), smart_round["companies"]["甲"])
    with pytest.raises(ValidationError) as refused:
        services.entries_nominate(
            actor=users["wuxing"], source=WEB, round_=smart_round["round"], entries=[other], today=NOMINATION
        )
    assert "不在" in refused.value.messages[0]


def test_round_deadlines_in_order_and_once_per_title_and_year(users, huzhou):
    title = Title.objects.get(code="little_giant")
    kwargs = {"actor": users["city_staff"], "source": WEB, "title": title, "year": YEAR, "notice": ""}
    with pytest.raises(ValidationError) as refused:
        services.round_create(
            **kwargs, opens_on=dt.date(YEAR, 4, 1), nomination_deadline=dt.date(YEAR, 3, 1),
            review_deadline=dt.date(YEAR, 5, 1),
        )  # fmt: skip
    assert "区县推荐截止日" in refused.value.message_dict["nomination_deadline"][0]
    dates = {"opens_on": dt.date(YEAR, 3, 1), "nomination_deadline": dt.date(YEAR, 4, 1),
             "review_deadline": dt.date(YEAR, 5, 1)}  # fmt: skip
    made = services.round_create(**kwargs, **dates)
    assert made.city == huzhou["330500"]
    with pytest.raises(ValidationError) as refused:
        services.round_create(**kwargs, **dates)
    assert "已经存在" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.round_create(**{**kwargs, "actor": users["wuxing"]}, **dates)
    services.round_update(
        actor=users["city_staff"],
        source=WEB,
        round_=made,
        notice="通知",
        **{**dates, "review_deadline": dt.date(YEAR, 5, 20)},
    )
    assert Round.objects.get(pk=made.pk).review_deadline == dt.date(YEAR, 5, 20)


def test_closing_waits_for_the_review(smart_round, users):
    nominate(users["wuxing"], smart_round, "甲")
    with pytest.raises(ValidationError) as refused:
        services.round_close(
            actor=users["city_staff"], source=WEB, round_=smart_round["round"], today=REVIEW_DAY
        )
    assert "尚有 1 家企业的申报未经市级审核" in refused.value.messages[0]


REVIEW_DAY = dt.date(YEAR, 6, 30)


def test_the_forecast_counts_the_library_against_the_years_target(smart_round, users):
    """小巨人: 160 this year in the plan; one held, 甲 乙 recommended, 丁 applied, 丙 entered."""
    giant = Title.objects.get(code="little_giant")
    c = smart_round["companies"]
    c["庚"].honours.create(kind="little_giant", year_granted=YEAR - 1)
    for key, state in (("甲", "recommended"), ("乙", "recommended"), ("丁", "applied"), ("丙", "entered")):
        entry(giant, c[key], state)
    plan = plan_get(actor=users["city_staff"], year=YEAR)
    rows = {
        f.code: f for f in title_forecast(actor=users["city_staff"], plan=plan, year=YEAR, today=REVIEW_DAY)
    }
    giants = rows["little_giants"]
    assert (giants.counted, giants.recommended, giants.applied, giants.entered) == (1, 2, 1, 1)
    assert (
        giants.sentence
        == "已认定 1 家，推荐 2 家、申报 1 家，按全部通过可达 4 家，年度目标 160 家，差 156 家"
    )
    nanxun = {
        f.code: f for f in title_forecast(actor=users["nanxun"], plan=plan, year=YEAR, today=REVIEW_DAY)
    }
    assert (nanxun["little_giants"].counted, nanxun["little_giants"].applied) == (0, 1)
    smart = rows["smart_factories"]
    assert (smart.counted, smart.entered) == (1, 5) and smart.sentence.endswith("本年度未设目标")


def test_rolling_the_result_list_back_undoes_the_honours_and_the_moves(smart_round, users, tmp_path, run_cli):
    r = smart_round
    nominate(users["wuxing"], r, "甲")
    review(users["city_staff"], r, "甲", services.Decision.RECOMMEND)
    honours, entries = Honour.objects.count(), Entry.objects.count()
    code, result = import_results(run_cli, result_list(tmp_path, r), r)
    assert code == 0 and Honour.objects.count() == honours + 3
    assert Entry.objects.count() > entries  # granted without an entry: entered as imported
    call_command("import_rollback", str(result["batch"]))
    assert Entry.objects.count() == entries
    assert (
        Honour.objects.count() == honours
        and Honour.objects.get(enterprise=r["companies"]["庚"]).year_lost is None
    )
    assert status(r, "甲") == EntryStatus.RECOMMENDED
    assert Round.objects.get(pk=r["round"].pk).result_document_number == ""
