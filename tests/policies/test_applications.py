"""Applications from 企业申报 to 拨付: allowed and refused transitions, amounts within the cap, the budget,
data scope, attachments and 免申即享."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kuochan.audit.models import AuditEntry, Source
from kuochan.policies import selectors, services
from kuochan.policies.models import Application, Attachment, Policy, PolicyBudget, Status
from kuochan.projects import services as project_services
from kuochan.registry.models import Enterprise
from tests.conftest import PDF, THIS_YEAR, attach

TODAY = timezone.localdate()


def apply_for(actor, grant, project, **values):
    return services.application_create(
        actor=actor, source=Source.WEB, policy=grant, enterprise=project.enterprise, project=project, **values
    )


def act(actor, application, action, **values):
    return services.application_act(
        actor=actor, source=Source.WEB, application=application, action=action, **values
    )


def submitted(actor, grant, project):
    application = apply_for(actor, grant, project)
    attach(actor, application)
    return act(actor, application, "submit")


@pytest.fixture
def approved_path(grant, equipped, users, enterprise_user):
    """The 童装 project's application, submitted by the enterprise itself and passed by 吴兴区."""
    application = submitted(enterprise_user, grant, equipped["red"])
    return act(users["wuxing"], application, "pass_district", opinion="材料齐全")


def test_an_application_goes_from_the_enterprise_to_payment_with_every_step_recorded(
    grant, equipped, users, enterprise_user
):
    application = apply_for(enterprise_user, grant, equipped["red"], description="新增智能吊挂线")
    assert application.status == Status.DRAFT
    assert application.computed_wan == Decimal("80.00")
    assert application.computation == "设备投资 800.00 万元 × 10% = 80.00 万元"
    attach(enterprise_user, application)
    application = act(enterprise_user, application, "submit")
    assert application.status == Status.DISTRICT_REVIEW
    assert application.eligibility["status"] == "eligible"
    assert "规上企业" in application.eligibility["met"]
    application = act(users["wuxing"], application, "pass_district", opinion="材料齐全，同意")
    application = act(users["city_staff"], application, "pass_city", opinion="同意", today=TODAY)
    assert application.status == Status.PUBLICITY
    assert application.approved_wan == Decimal("80.00")
    assert application.publicity_until == TODAY + dt.timedelta(days=4)
    with pytest.raises(ValidationError, match="期满后方可拨付"):
        act(users["city_staff"], application, "pay", today=TODAY + dt.timedelta(days=4))
    application = act(users["city_staff"], application, "pay", today=TODAY + dt.timedelta(days=5))
    assert application.status == Status.PAID and application.paid_wan == Decimal("80.00")
    steps = list(application.steps.values_list("action", "from_status", "to_status", "actor_name", "opinion"))
    assert steps == [
        ("create", "", "draft", "qiye", ""),
        ("submit", "draft", "district_review", "qiye", ""),
        ("pass_district", "district_review", "city_review", "wuxing", "材料齐全，同意"),
        ("pass_city", "city_review", "publicity", "city", "同意"),
        ("pay", "publicity", "paid", "city", ""),
    ]
    assert (
        AuditEntry.objects.filter(
            object_id=str(application.pk), object_repr__contains=application.number
        ).count()
        == 5
    )


@pytest.mark.parametrize(
    ("status", "who", "action", "message"),
    [
        ("district_review", "enterprise", "pass_district", "只有区县审核人员可以初审通过"),
        ("district_review", "wuxing", "pass_city", "申报当前为“待区县初审”，不能复审通过并公示"),
        ("city_review", "wuxing", "pass_city", "只有市级审核人员可以复审通过并公示"),
        ("city_review", "city_staff", "pay", "不能拨付（兑现）"),
        ("city_review", "enterprise", "withdraw", "不能撤回申报"),
        ("draft", "wuxing", "pass_district", "不能初审通过"),
        ("district_review", "leader", "reject", "只有区县审核人员可以不予支持"),
        ("district_review", "nanxun", "pass_district", "只有区县审核人员可以初审通过"),
        ("district_review", "city_staff", "submit", "不能提交申报"),
        ("district_review", "wuxing", "approve_all", "没有“approve_all”这一操作"),
        ("district_review", "city_staff", "pass_district", "只有区县审核人员可以初审通过"),
        ("district_review", "wuxing", "withdraw", "只有申报企业或代办人员可以撤回申报"),
    ],
)
def test_transitions_not_allowed_are_refused_and_change_nothing(
    grant, equipped, users, enterprise_user, status, who, action, message
):
    actor = enterprise_user if who == "enterprise" else users[who]
    application = apply_for(enterprise_user, grant, equipped["red"])
    if status != "draft":
        attach(enterprise_user, application)
        application = act(enterprise_user, application, "submit")
    if status == "city_review":
        application = act(users["wuxing"], application, "pass_district")
    steps = application.steps.count()
    with pytest.raises(PermissionDenied, match=message):
        act(actor, application, action, opinion="试图越权")
    application.refresh_from_db()
    assert application.status == status and application.steps.count() == steps


def test_paid_rejected_and_withdrawn_applications_are_final(grant, equipped, users, enterprise_user):
    application = submitted(enterprise_user, grant, equipped["red"])
    act(enterprise_user, application, "withdraw")
    for action in ("submit", "pass_district", "reject", "withdraw"):
        with pytest.raises(PermissionDenied, match="已撤回"):
            act(users["city_staff"], application, action, opinion="x")


def test_sent_back_for_changes_needs_a_reason_and_comes_back_to_the_district(
    grant, equipped, users, enterprise_user
):
    application = submitted(enterprise_user, grant, equipped["red"])
    with pytest.raises(ValidationError, match="退回修改须填写意见"):
        act(users["wuxing"], application, "return")
    application = act(users["wuxing"], application, "return", opinion="发票清单不清晰，请重新扫描")
    assert application.status == Status.RETURNED
    attach(enterprise_user, application)
    application = act(enterprise_user, application, "submit")
    assert application.status == Status.DISTRICT_REVIEW
    assert application.steps.filter(action="return").get().opinion == "发票清单不清晰，请重新扫描"


def test_submission_is_refused_without_the_required_files(grant, equipped, enterprise_user):
    application = apply_for(enterprise_user, grant, equipped["red"])
    with pytest.raises(ValidationError, match="缺少申报材料：设备购置发票清单"):
        act(enterprise_user, application, "submit")
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_submission_is_refused_with_the_conditions_not_met(grant, equipped, users):
    """新材料 is below-scale: the rule says so, in Chinese."""
    application = apply_for(users["wuxing"], grant, equipped["yellow"])
    attach(users["wuxing"], application)
    with pytest.raises(ValidationError, match="不符合申报条件：规上企业"):
        act(users["wuxing"], application, "submit")


def test_staff_may_apply_on_an_enterprise_s_behalf_in_their_scope_only(grant, equipped, users):
    application = apply_for(users["wuxing"], grant, equipped["red"])
    assert application.steps.get().opinion == "代为申报"
    with pytest.raises(PermissionDenied):
        apply_for(users["nanxun"], grant, equipped["yellow"])
    with pytest.raises(PermissionDenied):
        apply_for(users["leader"], grant, equipped["red"])


def test_an_enterprise_applies_only_for_itself_and_only_once(grant, equipped, enterprise_user):
    with pytest.raises(PermissionDenied, match="只能为本企业"):
        apply_for(enterprise_user, grant, equipped["green"])
    apply_for(enterprise_user, grant, equipped["red"])
    with pytest.raises(ValidationError, match=r"已有.*年度“技改设备补助”的申报"):
        apply_for(enterprise_user, grant, equipped["red"])


def test_the_share_is_capped_and_reviewers_adjust_only_with_a_reason_and_never_above_the_cap(
    grant, equipped, users
):
    application = submitted(users["city_admin"], grant, equipped["green"])
    assert application.computed_wan == Decimal(100)
    assert "超过上限，按上限 100.00 万元" in application.computation
    with pytest.raises(ValidationError, match="调整金额须写明理由"):
        act(users["nanxun"], application, "pass_district", amount_wan=Decimal(90))
    with pytest.raises(ValidationError, match=r"超过本政策上限 100\.00 万元"):
        act(users["nanxun"], application, "pass_district", amount_wan=Decimal(120), opinion="多给")
    application = act(
        users["nanxun"], application, "pass_district", amount_wan=Decimal(90), opinion="部分设备不在补助范围"
    )
    assert application.amount_wan == Decimal(90)
    assert application.steps.get(action="pass_district").amount_wan == Decimal(90)


def test_a_capped_request_above_the_cap_is_refused(huzhou, users, registered):
    """揭榜挂帅: up to 300万元 a project, as the applicant states."""

    enterprise = Enterprise.objects.get(uscc=registered[0])
    project = project_services.project_create(
        actor=users["wuxing"], source=Source.WEB, code="", name="创新联合体攻关项目", enterprise=enterprise
    )
    policy = Policy.objects.get(code="open-competition")
    with pytest.raises(ValidationError, match=r"超过本政策上限 300\.00 万元"):
        apply_for(users["wuxing"], policy, project, requested_wan=Decimal(350))
    assert apply_for(users["wuxing"], policy, project, requested_wan=Decimal(300)).amount_wan == Decimal(300)


def test_approval_beyond_the_budget_is_refused_with_the_figures(approved_path, grant, equipped, users):
    other = submitted(users["city_admin"], grant, equipped["green"])
    other = act(users["nanxun"], other, "pass_district")
    act(users["city_staff"], other, "pass_city")  # 100 of 150
    with pytest.raises(ValidationError) as refused:
        act(users["city_staff"], approved_path, "pass_city")
    assert refused.value.messages == [
        f"“技改设备补助”{THIS_YEAR} 年度预算 150.00 万元，已核准 100.00 万元，剩余 50.00 万元，本次 80.00 万元超出预算，不能核准。"
    ]
    approved_path.refresh_from_db()
    assert approved_path.status == Status.CITY_REVIEW and approved_path.approved_wan is None
    with pytest.raises(ValidationError, match="预算不能低于此数"):
        services.budget_set(
            actor=users["city_staff"], source=Source.WEB, policy=grant, year=THIS_YEAR, amount_wan=Decimal(90)
        )
    funds = {f.policy.code: f for f in selectors.funds(actor=users["city_staff"], year=THIS_YEAR)}[
        "equipment-grant"
    ]
    assert (funds.budget_wan, funds.approved_wan, funds.requested_wan, funds.remaining_wan) == (
        Decimal(150),
        Decimal(100),
        Decimal(80),
        Decimal(50),
    )


def test_a_policy_without_a_budget_for_the_year_approves_no_money(approved_path, users):
    PolicyBudget.objects.all().delete()
    with pytest.raises(ValidationError, match=r"尚未设置 .* 年度预算"):
        act(users["city_staff"], approved_path, "pass_city")


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_the_same_moment_never_overspend(
    grant, equipped, users, enterprise_user, monkeypatch
):
    """Each application alone fits the 150万元 budget, both together (80 + 100) do not. Reading the
    approved total is slowed down so that, without the lock on the budget, both would read 0 and pass."""
    first = act(users["wuxing"], submitted(enterprise_user, grant, equipped["red"]), "pass_district")
    second = act(users["nanxun"], submitted(users["city_admin"], grant, equipped["green"]), "pass_district")
    slow = selectors.approved_total

    def approved_total_slowly(policy_id, year):
        total = slow(policy_id, year)
        time.sleep(0.5)
        return total

    monkeypatch.setattr(services, "approved_total", approved_total_slowly)
    barrier = threading.Barrier(2)
    outcomes = {}

    def approve(application):
        barrier.wait()
        try:
            act(users["city_staff"], application, "pass_city")
            outcomes[application.pk] = "approved"
        except ValidationError as exc:
            outcomes[application.pk] = exc.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values(), key=len)[0] == "approved"
    assert "超出预算，不能核准" in sorted(outcomes.values(), key=len)[1]
    assert selectors.approved_total(grant.pk, THIS_YEAR) <= Decimal(150)
    assert Application.objects.filter(status=Status.PUBLICITY).count() == 1


def test_applications_are_seen_only_within_scope(approved_path, grant, equipped, users, enterprise_user):
    other = submitted(users["nanxun"], grant, equipped["green"])
    seen = {
        name: set(selectors.applications(actor=users[name]).values_list("pk", flat=True)) for name in users
    }
    assert seen["city_staff"] == seen["leader"] == {approved_path.pk, other.pk}
    assert seen["wuxing"] == {approved_path.pk}
    assert seen["nanxun"] == {other.pk}
    assert set(selectors.applications(actor=enterprise_user).values_list("pk", flat=True)) == {
        approved_path.pk
    }
    queue = {
        name: set(selectors.review_queue(actor=users[name])[0].values_list("pk", flat=True)) for name in users
    }
    assert queue["nanxun"] == {other.pk} and queue["wuxing"] == set()
    assert queue["city_staff"] == {approved_path.pk}


def test_applications_pages_keep_to_the_scope(approved_path, users, login):
    client = login(users["nanxun"])
    assert client.get(f"/policies/applications/{approved_path.pk}/").status_code == 404
    attachment = approved_path.attachments.get()
    assert client.get(f"/policies/attachments/{attachment.pk}/").status_code == 404
    client = login(users["wuxing"])
    response = client.get(f"/policies/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("发票.exe", b"MZ\x90\x00", "类型不受理"),
        ("发票.pdf", b"<html>not a pdf</html>", "内容与扩展名 .pdf 不符"),
        ("发票.pdf", b"", "是空文件"),
        ("发票.png", b"%PDF-1.4", "内容与扩展名 .png 不符"),
    ],
)
def test_attachments_are_checked_by_type_and_content(
    grant, equipped, enterprise_user, name, content, message
):
    application = apply_for(enterprise_user, grant, equipped["red"])
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(
            actor=enterprise_user, source=Source.WEB, application=application, document="设备购置发票清单",
            name=name, content=content,
        )  # fmt: skip
    assert not Attachment.objects.exists()


def test_a_file_too_large_is_refused_and_a_path_in_its_name_is_dropped(
    grant, equipped, enterprise_user, monkeypatch
):
    application = apply_for(enterprise_user, grant, equipped["red"])
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 1024)
    with pytest.raises(ValidationError, match="超过 0 MB 上限"):
        services.attachment_add(
            actor=enterprise_user, source=Source.WEB, application=application, document="其他材料",
            name="big.pdf", content=PDF + b"0" * 2048,
        )  # fmt: skip
    stored = services.attachment_add(
        actor=enterprise_user, source=Source.WEB, application=application, document="其他材料",
        name="..\\..\\etc/说明.pdf", content=PDF,
    )  # fmt: skip
    assert stored.name == "说明.pdf" and "etc" not in stored.file.name and stored.file.name.endswith(".pdf")


def test_files_cannot_change_once_submitted(grant, equipped, enterprise_user):
    application = submitted(enterprise_user, grant, equipped["red"])
    with pytest.raises(PermissionDenied):
        attach(enterprise_user, application)


@pytest.fixture
def auto_grant(grant):
    grant.auto_award = True
    grant.documents = []
    grant.save()
    return grant


def test_auto_award_lists_the_eligible_and_confirmation_approves_them_at_once(auto_grant, equipped, users):
    listed = selectors.award_list(actor=users["city_staff"], policy=auto_grant, year=THIS_YEAR, as_of=TODAY)
    assert {m.candidate.project_code for m in listed} == {equipped["red"].code, equipped["green"].code}
    picked = [(equipped["red"].enterprise_id, equipped["red"].pk)]
    with pytest.raises(PermissionDenied):
        services.awards_confirm(
            actor=users["wuxing"], source=Source.WEB, policy=auto_grant, year=THIS_YEAR, picked=picked
        )
    made = services.awards_confirm(
        actor=users["city_staff"], source=Source.WEB, policy=auto_grant, year=THIS_YEAR, picked=picked
    )
    assert [(a.status, a.approved_wan, a.auto_award) for a in made] == [(Status.PUBLICITY, Decimal(80), True)]
    assert made[0].steps.get().opinion == "免申即享：系统匹配，市级确认"
    again = selectors.award_list(actor=users["city_staff"], policy=auto_grant, year=THIS_YEAR, as_of=TODAY)
    assert [m.candidate.project_code for m in again] == [equipped["green"].code]
    with pytest.raises(ValidationError, match="不在当前免申即享名单中"):
        services.awards_confirm(
            actor=users["city_staff"], source=Source.WEB, policy=auto_grant, year=THIS_YEAR, picked=picked)  # fmt: skip


def test_auto_awards_beyond_the_budget_are_refused_all_or_nothing(auto_grant, equipped, users):
    picked = [(equipped[k].enterprise_id, equipped[k].pk) for k in ("red", "green")]  # 80 + 100 > 150
    with pytest.raises(ValidationError, match="超出预算"):
        services.awards_confirm(
            actor=users["city_staff"], source=Source.WEB, policy=auto_grant, year=THIS_YEAR, picked=picked
        )
    assert not Application.objects.exists()


def test_applications_are_taken_only_while_the_policy_runs(grant, equipped, enterprise_user, users):
    services.policy_update(
        actor=users["city_staff"], source=Source.WEB, policy=grant, period_end=TODAY - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match=r"已于 .* 截止"):
        apply_for(enterprise_user, grant, equipped["red"])
    services.policy_update(
        actor=users["city_staff"], source=Source.WEB, policy=grant, period_end=None, is_active=False
    )
    with pytest.raises(ValidationError, match="目前不受理申报"):
        apply_for(enterprise_user, grant, equipped["red"])


def test_whoever_applied_on_an_enterprise_s_behalf_does_not_review_it(grant, equipped, users):
    application = submitted(users["wuxing"], grant, equipped["red"])
    with pytest.raises(PermissionDenied, match="只有区县审核人员可以初审通过"):
        act(users["wuxing"], application, "pass_district")
    application = submitted(users["city_admin"], grant, equipped["green"])
    application = act(users["nanxun"], application, "pass_district")
    with pytest.raises(PermissionDenied, match="只有市级审核人员可以复审通过并公示"):
        act(users["city_admin"], application, "pass_city")
    assert act(users["city_staff"], application, "pass_city").status == Status.PUBLICITY


def test_reviewers_never_raise_an_amount_above_what_was_asked(grant, equipped, enterprise_user, users):
    application = submitted(enterprise_user, grant, equipped["red"])
    with pytest.raises(ValidationError, match=r"审核金额不能高于申请金额 80\.00 万元"):
        act(users["wuxing"], application, "pass_district", amount_wan=Decimal(90), opinion="多给一些")
    with pytest.raises(ValidationError, match="最多保留两位小数"):
        act(users["wuxing"], application, "pass_district", amount_wan=Decimal("79.999"), opinion="x")


def test_a_project_s_application_belongs_to_the_project_s_district(grant, users, registered):
    """A 吴兴 enterprise's plant in 南浔: 南浔 applies for it and reviews it; 吴兴 sees nothing of it."""
    enterprise = Enterprise.objects.get(uscc=registered[0])
    project = project_services.project_create(
        actor=users["city_admin"], source=Source.WEB, code="", name="南浔分厂技改项目", enterprise=enterprise,
        district=users["nanxun"].org_unit, is_renovation=True, total_wan=Decimal(900), equipment_wan=Decimal(500),
    )  # fmt: skip
    application = apply_for(users["nanxun"], grant, project)
    assert application.district == users["nanxun"].org_unit and application.computed_wan == Decimal(50)
    assert not selectors.applications(actor=users["wuxing"]).exists()


def test_picking_the_same_subject_twice_awards_it_once(auto_grant, equipped, users):
    pair = (equipped["red"].enterprise_id, equipped["red"].pk)
    made = services.awards_confirm(
        actor=users["city_staff"], source=Source.WEB, policy=auto_grant, year=THIS_YEAR, picked=[pair, pair]
    )
    assert len(made) == 1 and selectors.approved_total(auto_grant.pk, THIS_YEAR) == Decimal(80)


def test_a_second_open_application_for_the_same_subject_is_refused_by_the_database(grant, equipped, users):
    """Two people applying at the same moment both pass the service's check; the database keeps one."""
    first = apply_for(users["wuxing"], grant, equipped["red"])
    twin = {"policy": grant, "year": first.year, "enterprise": first.enterprise, "project": first.project}
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(number="twin", district=first.district, **twin)
    act(users["wuxing"], first, "withdraw")
    assert apply_for(users["wuxing"], grant, equipped["red"]).status == Status.DRAFT


@pytest.mark.parametrize(("days", "ok"), [(0, False), (61, False), (1, True), (60, True)])
def test_publicity_lasts_one_to_sixty_days(grant, users, days, ok):
    if ok:
        services.policy_update(
            actor=users["city_staff"], source=Source.WEB, policy=grant, publicity_days=days
        )
        return
    with pytest.raises(ValidationError, match="公示天数应为 1 到 60 天"):
        services.policy_update(
            actor=users["city_staff"], source=Source.WEB, policy=grant, publicity_days=days
        )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("NaN", "应为不小于 0 的数字"),
        ("1e30", "超出合理范围"),
        ("0.001", "最多保留两位小数"),
        ("-5", "应为不小于 0 的数字"),
    ],
)
def test_a_budget_that_is_not_a_sum_of_money_is_refused(grant, users, amount, message):
    with pytest.raises(ValidationError, match=message):
        services.budget_set(
            actor=users["city_staff"],
            source=Source.WEB,
            policy=grant,
            year=THIS_YEAR,
            amount_wan=Decimal(amount),
        )
    assert PolicyBudget.objects.get(policy=grant, year=THIS_YEAR).amount_wan == Decimal(150)
