"""Policies kept by staff: the city or a district issues a policy on a page, copies and closes one; a district's
policy matches, and takes applications from, its own district only; each city keeps its own policies."""

import datetime as dt
import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.orgs.models import OrgUnit
from kuochan.policies import selectors, services
from kuochan.policies.models import Application, Policy, PolicyState
from kuochan.policies.rules import applies_within, area_refusal
from kuochan.registry.models import Enterprise
from tests.conftest import TODAY

ABOVE_SCALE = {"all": [{"field": "enterprise.above_scale", "op": "is", "value": True}]}
NANXUN_GRANT = {
    "title": "南浔区规上企业增资扩产奖励",
    "document_number": "浔政办发〔2026〕8号",
    "clause": "对南浔区规上工业企业实施增资扩产的，给予一次性奖励10万元。",
    "lead": "南浔区经信局",
    "subject": "enterprise",
    "support_kind": "fixed",
    "support_text": "一次性奖励10万元",
    "fixed_wan": 10,
    "rule": ABOVE_SCALE,
}
SEED_THREE = (
    "聚焦市重点发展产业领域，支持企业组建创新联合体，实施核心技术“揭榜挂帅”项目，单个项目最高补助300万元。"
    "对国家级、省级科技项目，按照规定比例补助。分类实施市级重点研发计划、科技攻关计划，分别给予项目补助。"
    "支持人工智能赋能，市区联动发放算力券、模型券、数据券、场景券等。"
)


@pytest.fixture
def nanxun_policy(huzhou, users, registered):
    """南浔区's own policy for above-scale enterprises, issued and published by 南浔区's staff."""
    policy = services.policy_create(
        actor=users["nanxun"], source=Source.WEB, issuer=huzhou["330503"], **NANXUN_GRANT
    )
    return services.policy_publish(actor=users["nanxun"], source=Source.WEB, policy=policy)


def trail(policy: Policy):
    return AuditEntry.objects.filter(
        content_type__app_label="policies", content_type__model="policy", object_id=str(policy.pk)
    )


def form_data(issuer: OrgUnit, **changes) -> dict:
    data = {
        **NANXUN_GRANT, "issuer": issuer.pk, "rule": json.dumps(ABOVE_SCALE), "is_active": "on",
        "publicity_days": "5", "co_responsible": "南浔区财政局、南浔区税务局",
    }  # fmt: skip
    return {**data, **changes}


def test_a_district_policy_matches_enterprises_of_its_own_district_only(nanxun_policy, users, registered):
    # 两家吴兴区企业（一家规上）与一家南浔区规上企业：南浔区的政策只看南浔区的企业
    found = selectors.matching(actor=users["city_staff"], as_of=TODAY, chosen=[nanxun_policy])
    assert [(m.candidate.enterprise_name, m.outcome.status) for m in found[nanxun_policy.code]] == [
        ("南浔木业有限公司", "eligible")
    ]
    # a city policy with the same rule finds the 吴兴 above-scale enterprise too
    city = services.policy_copy(
        actor=users["city_staff"],
        source=Source.WEB,
        policy=nanxun_policy,
        issuer=OrgUnit.objects.get(code="330500"),
    )
    services.policy_publish(actor=users["city_staff"], source=Source.WEB, policy=city)
    found = selectors.matching(actor=users["city_staff"], as_of=TODAY, chosen=[city])[city.code]
    assert sorted(m.candidate.enterprise_name for m in found if m.outcome.status == "eligible") == [
        "南浔木业有限公司",
        "湖州织里童装有限公司",
    ]
    # 吴兴区's staff do not see 南浔区's policy; 南浔区's see it beside the city's
    assert nanxun_policy not in selectors.policies(actor=users["wuxing"])
    assert nanxun_policy in selectors.policies(actor=users["nanxun"])
    assert Policy.objects.get(code="scene-opening") in selectors.policies(actor=users["nanxun"])


def test_an_enterprise_outside_the_district_is_refused_with_the_reason(
    nanxun_policy, users, registered, enterprise_user
):
    with pytest.raises(ValidationError) as refused:
        services.application_create(
            actor=enterprise_user,
            source=Source.WEB,
            policy=nanxun_policy,
            enterprise=enterprise_user.enterprise,
        )
    assert refused.value.messages == [
        "“南浔区规上企业增资扩产奖励”是南浔区出台的政策，仅限南浔区范围内的企业和项目申报；"
        "湖州织里童装有限公司属于吴兴区，不能申报。"
    ]
    with pytest.raises(ValidationError, match="仅限南浔区范围内"):  # nor city staff on its behalf
        services.application_create(
            actor=users["city_staff"], source=Source.WEB, policy=nanxun_policy,
            enterprise=enterprise_user.enterprise,
        )  # fmt: skip
    assert not Application.objects.exists()
    muye = Enterprise.objects.get(uscc=registered[2])
    made = services.application_create(
        actor=users["nanxun"], source=Source.WEB, policy=nanxun_policy, enterprise=muye
    )
    assert made.district.name == "南浔区" and made.requested_wan == 10


def test_the_enterprise_sees_only_the_policies_that_apply_to_it(nanxun_policy, enterprise_user, login):
    page = login(enterprise_user).get("/policies/").content.decode()
    assert "开放应用场景牵引扩产" in page and "南浔区规上企业增资扩产奖励" not in page
    assert login(enterprise_user).get(f"/policies/{nanxun_policy.code}/").status_code == 404


def test_district_staff_create_a_policy_for_their_own_district_on_the_page(huzhou, users, login):
    client = login(users["nanxun"])
    page = client.get("/policies/new/").content.decode()
    assert f'<option value="{huzhou["330503"].pk}" selected>南浔区</option>' in page
    assert "吴兴区</option>" not in page and "湖州市</option>" not in page
    refused = client.post("/policies/new/", form_data(huzhou["330500"])).content.decode()
    assert "选择一个有效的选项" in refused and not Policy.objects.filter(title=NANXUN_GRANT["title"]).exists()
    response = client.post("/policies/new/", form_data(huzhou["330503"]))
    policy = Policy.objects.get(title=NANXUN_GRANT["title"])
    assert response.status_code == 302 and response["Location"] == f"/policies/{policy.code}/"
    assert policy.state == PolicyState.DRAFT and policy.issuer == huzhou["330503"]
    assert policy.co_responsible == ["南浔区财政局", "南浔区税务局"] and policy.rule == ABOVE_SCALE
    created = trail(policy).get(action=Action.CREATE)
    assert created.actor == users["nanxun"] and created.scope_path == huzhou["330503"].path
    detail = client.get(f"/policies/{policy.code}/").content.decode()
    assert "南浔区发布 · 浔政办发〔2026〕8号" in detail and "草稿" in detail and "发布施行" in detail
    client.post(f"/policies/{policy.code}/publish/")
    policy.refresh_from_db()
    assert policy.state == PolicyState.IN_FORCE
    catalogue = client.get("/policies/").content.decode()
    assert '<td data-testid="issuer">南浔区</td>' in catalogue


def test_a_policy_form_with_gaps_is_shown_again_with_every_problem(huzhou, users, login):
    client = login(users["city_staff"])
    page = client.post(
        "/policies/new/",
        form_data(
            huzhou["330500"], title="", support_kind="share", fixed_wan="", share_pct="120", cap_wan="abc"
        ),
    ).content.decode()
    assert "这个字段是必填项" in page  # 政策名称
    assert "应为数字，收到“abc”" in page
    page = client.post(
        "/policies/new/", form_data(huzhou["330500"], support_kind="share", share_pct="120", cap_wan="50")
    ).content.decode()
    assert "补助比例应在 0 到 100% 之间" in page and "补助基数应为设备投资或项目总投资" in page
    assert not Policy.objects.filter(title=NANXUN_GRANT["title"]).exists()


def test_a_policy_is_copied_as_a_draft_and_closed_with_its_reason(nanxun_policy, users, login, registered):
    client = login(users["nanxun"])
    response = client.post(f"/policies/{nanxun_policy.code}/copy/", {"issuer": nanxun_policy.issuer_id})
    copy = Policy.objects.get(title="南浔区规上企业增资扩产奖励（复制）")
    assert response["Location"] == f"/policies/{copy.code}/"
    assert copy.state == PolicyState.DRAFT and copy.rule == nanxun_policy.rule and copy.fixed_wan == 10
    assert AuditEntry.objects.filter(
        object_id=str(copy.pk), action=Action.CREATE, actor=users["nanxun"]
    ).exists()
    # a draft matches nobody
    assert selectors.matching(actor=users["nanxun"], as_of=TODAY, chosen=[copy])[copy.code] == []

    page = client.post(f"/policies/{nanxun_policy.code}/close/", {"reason": ""}, follow=True).content.decode()
    assert "关闭原因：这个字段是必填项" in page
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    page = client.post(
        f"/policies/{nanxun_policy.code}/close/", {"reason": "资金用完", "closed_on": yesterday}, follow=True
    ).content.decode()
    assert f"关闭日期不能早于今天（{TODAY}）" in page
    client.post(f"/policies/{nanxun_policy.code}/close/", {"reason": "年度资金已用完，改按新政策执行"})
    nanxun_policy.refresh_from_db()
    assert nanxun_policy.state == PolicyState.CLOSED and nanxun_policy.period_end == TODAY
    assert nanxun_policy.closed_reason == "年度资金已用完，改按新政策执行" and not nanxun_policy.is_active
    closed = trail(nanxun_policy).filter(action=Action.UPDATE).latest("id")
    assert closed.actor == users["nanxun"] and "closed_reason" in json.dumps(closed.changes)
    found = selectors.matching(actor=users["nanxun"], as_of=TODAY, chosen=[nanxun_policy])
    assert found[nanxun_policy.code] == []
    with pytest.raises(
        ValidationError, match=f"已于 {TODAY} 关闭（年度资金已用完，改按新政策执行），不再受理申报"
    ):
        services.application_create(
            actor=users["nanxun"], source=Source.WEB, policy=nanxun_policy,
            enterprise=Enterprise.objects.get(uscc=registered[2]),
        )  # fmt: skip
    detail = client.get(f"/policies/{nanxun_policy.code}/").content.decode()
    assert "年度资金已用完，改按新政策执行" in detail and "修改政策" not in detail
    with pytest.raises(ValidationError, match="已关闭，不能再修改"):
        services.policy_update(actor=users["nanxun"], source=Source.WEB, policy=nanxun_policy, title="重开")


def test_district_staff_may_not_keep_the_city_s_or_another_district_s_policies(nanxun_policy, users, login):
    wuxing = login(users["wuxing"])
    assert wuxing.get(f"/policies/{nanxun_policy.code}/").status_code == 404
    assert wuxing.get(f"/policies/{nanxun_policy.code}/edit/").status_code == 404
    assert wuxing.post(f"/policies/{nanxun_policy.code}/close/", {"reason": "x"}).status_code == 404
    refused = wuxing.get("/policies/scene-opening/edit/")
    assert (
        refused.status_code == 403
        and "只有市级工作人员可以修改政策（本政策由湖州市发布）" in refused.content.decode()
    )
    page = wuxing.post("/policies/scene-opening/close/", {"reason": "x"}, follow=True).content.decode()
    assert "只有市级工作人员可以关闭政策" in page
    assert Policy.objects.get(code="scene-opening").state == PolicyState.IN_FORCE
    with pytest.raises(PermissionDenied, match="南浔区的政策只能由南浔区或其所属市的工作人员修改"):
        services.policy_update(actor=users["wuxing"], source=Source.WEB, policy=nanxun_policy, title="改")
    # a district may copy the city's policy as its own version, not as the city's
    own = services.policy_copy(
        actor=users["wuxing"], source=Source.WEB, policy=Policy.objects.get(code="scene-opening"),
        issuer=users["wuxing"].org_unit,
    )  # fmt: skip
    assert own.issuer.name == "吴兴区" and own.state == PolicyState.DRAFT
    with pytest.raises(PermissionDenied):
        services.policy_copy(
            actor=users["wuxing"], source=Source.WEB, policy=own, issuer=OrgUnit.objects.get(code="330500")
        )
    # the city keeps its districts' policies; a leader keeps none
    services.policy_update(
        actor=users["city_staff"], source=Source.WEB, policy=nanxun_policy, lead="南浔区发改局"
    )
    assert login(users["leader"]).get("/policies/new/").status_code == 403


def test_each_city_keeps_its_own_policies(two_cities, nanxun_policy, users, login):
    b_staff = two_cities["b_staff"]
    assert list(selectors.policies(actor=b_staff)) == []
    assert login(b_staff).get("/policies/scene-opening/").status_code == 404
    b_policy = services.policy_create(
        actor=b_staff,
        source=Source.WEB,
        issuer=two_cities["b_district"],
        **{**NANXUN_GRANT, "title": "乙市甲区奖励"},
    )
    services.policy_publish(actor=b_staff, source=Source.WEB, policy=b_policy)
    with pytest.raises(PermissionDenied, match="只能修改本市及所辖区县的政策"):
        services.policy_update(
            actor=b_staff, source=Source.WEB, policy=Policy.objects.get(code="scene-opening"), title="改"
        )
    # Huzhou's staff see neither 乙市's policy nor its enterprise in Huzhou's policies
    assert b_policy not in selectors.policies(actor=users["city_staff"])
    found = selectors.matching(actor=None, as_of=TODAY, chosen=[b_policy, nanxun_policy])
    assert [m.candidate.enterprise_name for m in found[b_policy.code]] == ["乙市机械有限公司"]
    assert [m.candidate.enterprise_name for m in found[nanxun_policy.code]] == ["南浔木业有限公司"]


def test_policy_three_carries_the_seed_s_full_text(huzhou):
    assert Policy.objects.get(code="open-competition").clause == SEED_THREE


def test_a_database_loaded_before_the_fix_gets_the_full_text_unless_staff_reworded_it(huzhou):
    migration = importlib.import_module("kuochan.policies.migrations.0004_complete_policy_three")
    policy = Policy.objects.get(code="open-competition")
    Policy.objects.filter(pk=policy.pk).update(clause=migration.SHIPPED)
    migration.complete(apps, None)
    assert Policy.objects.get(pk=policy.pk).clause == SEED_THREE
    Policy.objects.filter(pk=policy.pk).update(clause="市级部门改写的条文。")
    migration.complete(apps, None)
    assert Policy.objects.get(pk=policy.pk).clause == "市级部门改写的条文。"
    call_command("load_reference", verbosity=0)  # a reload leaves staff's wording as it is
    assert Policy.objects.get(pk=policy.pk).clause == "市级部门改写的条文。"


def test_shipped_policies_are_the_city_s(huzhou):
    assert set(Policy.objects.values_list("issuer__code", flat=True)) == {"330500"}


def test_a_policy_s_area_is_its_issuing_unit_s_subtree_and_no_unit_with_a_similar_path():
    assert applies_within("1.5.23.", "1.5.") and applies_within("1.5.", "1.5.")
    assert not applies_within("1.55.", "1.5.") and not applies_within("1.", "1.5.")
    assert (
        area_refusal(
            title="奖励",
            issuer_name="南浔区",
            issuer_path="1.5.",
            applicant="甲公司",
            home_name="吴兴区",
            home_path="1.4.",
        )
        == "“奖励”是南浔区出台的政策，仅限南浔区范围内的企业和项目申报；甲公司属于吴兴区，不能申报。"
    )


def test_city_staff_edit_a_whole_policy_on_its_page(huzhou, users, login):
    client = login(users["city_staff"])
    policy = Policy.objects.get(code="open-competition")
    page = client.get("/policies/open-competition/edit/").content.decode()
    assert SEED_THREE in page and "市科技局" in page and "市经信局、市财政局" in page
    data = {
        "issuer": huzhou["330500"].pk, "title": policy.title, "document_number": "湖政办发〔2026〕1号",
        "number": policy.number, "section": policy.section, "clause": policy.clause, "lead": policy.lead,
        "co_responsible": "市经信局、市财政局", "subject": policy.subject, "support_kind": policy.support_kind,
        "support_text": policy.support_text, "cap_wan": "300", "rule": json.dumps(policy.rule),
        "documents": "\n".join(policy.documents), "publicity_days": "5", "is_active": "on",
    }  # fmt: skip
    response = client.post("/policies/open-competition/edit/", data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.document_number == "湖政办发〔2026〕1号" and policy.clause == SEED_THREE
    edited = trail(policy).filter(action=Action.UPDATE).latest("id")
    assert edited.actor == users["city_staff"] and "document_number" in json.dumps(edited.changes)
    assert "湖州市发布 · 湖政办发〔2026〕1号" in client.get("/policies/open-competition/").content.decode()


def test_a_districts_policy_is_funded_by_the_district(nanxun_policy, users, login):
    """The district's money: its staff set the budget (so do the city's); another district's are refused,
    and a city policy's budget stays with the city."""
    year = TODAY.year
    budget = services.budget_set(
        actor=users["nanxun"], source=Source.WEB, policy=nanxun_policy, year=year, amount_wan=Decimal(200)
    )
    assert budget.amount_wan == 200
    with pytest.raises(PermissionDenied, match="只有南浔区或其所属市的工作人员可以设置本政策的预算。"):
        services.budget_set(
            actor=users["wuxing"], source=Source.WEB, policy=nanxun_policy, year=year, amount_wan=Decimal(1)
        )
    services.budget_set(
        actor=users["city_staff"], source=Source.WEB, policy=nanxun_policy, year=year, amount_wan=Decimal(250)
    )
    city_policy = Policy.objects.filter(issuer__code="330500", support_kind="capped").first()
    with pytest.raises(PermissionDenied, match="只有市级工作人员可以设置本政策的预算。"):
        services.budget_set(
            actor=users["nanxun"], source=Source.WEB, policy=city_policy, year=year, amount_wan=Decimal(1)
        )
    page = login(users["nanxun"]).get(f"/policies/{nanxun_policy.code}/").content.decode()
    assert "250" in page and 'name="amount_wan"' in page  # the budget form is theirs to use
