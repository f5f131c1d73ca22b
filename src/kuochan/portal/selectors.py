"""Reads of the enterprise portal: what the enterprise contact must do, and what its own enterprise has in
each module, taken from the modules' own selectors and always within the user's own enterprise.

Every sentence here is addressed to the enterprise ("您的…", "请于…前填报"), never to staff."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from kuochan.accounts.models import User
from kuochan.cockpit.models import CycleSettings
from kuochan.core.figures import month_text
from kuochan.evaluation import selectors as evaluation_selectors
from kuochan.evaluation.models import EvaluationResult
from kuochan.evaluation.rules import CARBON_GAPS, CLASS_LABELS
from kuochan.outreach import selectors as outreach_selectors
from kuochan.outreach.models import Ticket
from kuochan.outreach.rules import OPEN_STATUSES, RESOLVED
from kuochan.policies import selectors as policy_selectors
from kuochan.policies.models import Application, Policy, Status, Subject
from kuochan.policies.rules import ELIGIBLE, FIELDS, NOT_ELIGIBLE, PENDING, UNKNOWN, fields_of, placeholders
from kuochan.projects import selectors as project_selectors
from kuochan.projects.models import Progress, Project
from kuochan.registry.models import Enterprise

# A negated condition ("不满足：列入清三低"), read as a situation the enterprise is not in.
_NEGATION = re.compile(r"不满足：((?:(?! 且 | 或 )[^；（）])+|（[^（）]*）)")
# Applications still on their way, in the order an enterprise meets them.
OPEN_APPLICATION_STATUSES = (
    Status.RETURNED,
    Status.DRAFT,
    Status.DISTRICT_REVIEW,
    Status.CITY_REVIEW,
    Status.PUBLICITY,
)
STAGE_WORDS = {
    Status.DRAFT: "草稿，请上传材料后提交",
    Status.RETURNED: "被退回修改，请按审核意见修改后重新提交",
    Status.DISTRICT_REVIEW: "已提交，区县正在初审",
    Status.CITY_REVIEW: "区县初审已通过，市级正在复审",
    Status.PUBLICITY: "已核准，正在公示",
    Status.PAID: "资金已拨付",
    Status.REJECTED: "未获支持",
    Status.WITHDRAWN: "已撤回",
}


def plain(text: str) -> str:
    """A condition's reading as the enterprise should see it: a negation names the situation it is not in.
    (A placeholder already reads "…（该条件待主管部门明确）" in the rule's own reading.)"""
    return _NEGATION.sub(r"不属于“\1”的情形", text)


def report_month(today: dt.date) -> dt.date:
    """The month whose progress is reported now: last month."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def report_due(today: dt.date) -> dt.date:
    """Reports are due before the monthly cycle runs (its day of this month), when the month is summed up."""
    settings = CycleSettings.objects.filter(name="default").first()
    return today.replace(day=settings.day if settings else CycleSettings._meta.get_field("day").default)


def own_enterprise(user: User) -> Enterprise | None:
    return user.enterprise if user.is_enterprise_user and user.enterprise_id else None


# Projects --------------------------------------------------------------------------------------------


@dataclass
class ProjectRow:
    project: Project
    reported: Progress | None  # this report month's figures, if sent
    due: bool  # it reports for the month and has not yet


def project_rows(*, user: User, today: dt.date) -> list[ProjectRow]:
    """The enterprise's projects, those still to report this month first."""
    month = report_month(today)
    found = list(project_selectors.projects(actor=user).select_related("district").order_by("code"))
    reporting = {p.pk for p in project_selectors.projects_to_report(actor=user, month=month)}
    reports, _ = project_selectors.month_reports(found, month)
    rows = [ProjectRow(p, reports.get(p.pk), p.pk in reporting and p.pk not in reports) for p in found]
    return sorted(rows, key=lambda row: (not row.due, row.project.code))


# Tickets ---------------------------------------------------------------------------------------------


def tickets(*, user: User) -> QuerySet[Ticket]:
    """The enterprise's tickets: those awaiting its evaluation first, then open ones, then closed."""
    return outreach_selectors.tickets(actor=user).select_related("department", "project")


def tickets_to_evaluate(*, user: User) -> QuerySet[Ticket]:
    return tickets(user=user).filter(status=RESOLVED)


def open_tickets(*, user: User) -> QuerySet[Ticket]:
    return tickets(user=user).filter(status__in=OPEN_STATUSES)


# Policies --------------------------------------------------------------------------------------------


@dataclass
class PolicyChance:
    """One policy for the enterprise (or one of its projects): whether it qualifies, in plain words."""

    policy: Policy
    status: str
    project_name: str
    met: list[str]
    not_met: list[str]
    pending: bool  # a condition awaits the authority
    missing: list[str]  # the data that would settle it
    applied: bool
    apply_url: str = ""
    reasons: list[str] = field(default_factory=list)


def _facts(enterprise: Enterprise, as_of: dt.date) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    of_enterprise = policy_selectors.enterprise_facts(Enterprise.objects.filter(pk=enterprise.pk), as_of)
    of_projects = policy_selectors.project_facts(
        Project.objects.filter(enterprise=enterprise), as_of, of_enterprise
    )
    return of_enterprise.get(enterprise.pk, {}), of_projects


def policy_chances(*, user: User, as_of: dt.date) -> list[PolicyChance]:
    """Every open policy the enterprise or its projects may use: those it qualifies for first, then those
    to verify (with what data would settle them); those it does not qualify for last."""
    enterprise = own_enterprise(user)
    if enterprise is None:
        return []
    chosen = list(policy_selectors.policies(actor=user, active_only=True))
    matched = policy_selectors.matching(actor=user, as_of=as_of, chosen=chosen, enterprise=enterprise)
    of_enterprise, of_projects = _facts(enterprise, as_of)
    open_ones = set(
        Application.objects.filter(enterprise=enterprise, year=as_of.year)
        .exclude(status__in=policy_selectors.CLOSED)
        .values_list("policy_id", "project_id")
    )
    chances = []
    for policy in chosen:
        rule = policy_selectors.policy_rule(policy)
        names, vague = fields_of(rule), bool(placeholders(rule))
        for match in matched[policy.code]:
            candidate, outcome = match.candidate, match.outcome
            facts = of_projects.get(candidate.project_id, {}) if candidate.project_id else of_enterprise
            missing = [FIELDS[name].label for name in names if facts.get(name) is None]
            query = f"?project={candidate.project_id}" if candidate.project_id else ""
            chances.append(
                PolicyChance(
                    policy=policy,
                    status=outcome.status,
                    project_name=candidate.project_name,
                    met=[plain(text) for text in outcome.met],
                    not_met=[plain(text) for text in outcome.not_met],
                    pending=vague and outcome.status == UNKNOWN,
                    missing=missing if outcome.status == UNKNOWN else [],
                    applied=(policy.pk, candidate.project_id) in open_ones,
                    apply_url=reverse("policies:apply", args=[policy.code]) + query,
                )
            )
    order = {ELIGIBLE: 0, UNKNOWN: 1, NOT_ELIGIBLE: 2}
    return sorted(chances, key=lambda c: (order[c.status], c.applied, c.policy.number))


def new_chances(chances: list[PolicyChance]) -> list[PolicyChance]:
    """Policies the enterprise qualifies for and has not applied for yet this year."""
    return [c for c in chances if c.status == ELIGIBLE and not c.applied]


def to_settle(chances: list[PolicyChance]) -> list[PolicyChance]:
    return [c for c in chances if c.status == UNKNOWN and not c.applied]


def subject_label(policy: Policy) -> str:
    return "项目" if policy.subject == Subject.PROJECT else "企业"


# Applications ----------------------------------------------------------------------------------------


def applications(*, user: User) -> QuerySet[Application]:
    return policy_selectors.applications(actor=user)


def open_applications(*, user: User) -> QuerySet[Application]:
    return applications(user=user).filter(status__in=OPEN_APPLICATION_STATUSES)


def stage_words(application: Application) -> str:
    return STAGE_WORDS.get(application.status, application.get_status_display())


# Evaluation ------------------------------------------------------------------------------------------


@dataclass
class Outlook:
    """The enterprise's latest evaluation and what would raise its class and its carbon grade."""

    result: EvaluationResult
    raise_class: list[str]
    raise_grade: list[str]


def _better_class(result: EvaluationResult, scheme: Any) -> str:
    """The next class up and what it takes, by the scheme's cut-offs (a score line with its bound, or the
    rank share within where classes are cut)."""
    cutoffs = scheme.group(result.group).cutoffs
    order = "ABCD"
    if result.klass not in order[1:]:
        return ""
    target = order[order.index(result.klass) - 1]
    index = order.index(target)
    if cutoffs.by == "score":
        line = f"{cutoffs.values[index]} 分{scheme.bound('score_cutoffs')}"
        return f"得分 {line}可评为{CLASS_LABELS[target]}（您的得分 {result.score}）。"
    share = sum(cutoffs.values[: index + 1])
    where = f"{result.segment}同类企业中" if result.segment else "全市同类企业中"
    return f"在{where}排名进入前 {share}% 可评为{CLASS_LABELS[target]}。"


def evaluations(*, user: User) -> list[EvaluationResult]:
    """The enterprise's results, latest year first."""
    enterprise = own_enterprise(user)
    return evaluation_selectors.result_history(actor=user, enterprise=enterprise) if enterprise else []


def outlook(*, user: User) -> Outlook | None:
    history = evaluations(user=user)
    if not history:
        return None
    [result] = evaluation_selectors.explained(history[:1])
    scheme = result.run.parsed[0] if result.run_id else None
    raise_class, raise_grade = [], []
    if scheme and result.group and not result.follows and (advice := _better_class(result, scheme)):
        raise_class.append(advice)
    points = getattr(result, "points", [])
    raise_class += [
        f"补报{name}数据：缺数据的指标不能为您得分。" for name, _, _, _, missing in points if missing
    ]
    if result.klass in ("B", "C", "D") and scheme and result.group:
        weights = {scheme.indicator(w.code).name: w.weight for w in scheme.group(result.group).indicators}
        scored = [row for row in points if not row[4] and row[2] is not None and weights.get(row[0])]
        if scored:  # the indicator furthest below its weight: where a gain counts most
            name, unit, value, _, _ = min(scored, key=lambda row: row[3] / float(weights[row[0]]))
            raise_class.append(
                f"{name}是您相对权重得分最低的指标（{value:.2f} {unit}），提高它最能提升得分。"
            )
    raise_class += [f"清三低：{reason}。" for reason in getattr(result, "low_reasons", [])]
    if result.carbon_grade and result.carbon_grade > 1 and scheme:
        bound = scheme.carbon_grades[result.carbon_grade - 2]
        raise_grade.append(
            f"碳效K值降至 {bound} {scheme.bound('carbon_grades')}可达 {result.carbon_grade - 1} 级（您的K值 {result.carbon_k}）："
            "节能降耗、使用零碳电力，以及登记碳汇、绿电、绿证、碳封存等碳抵消，都能降低K值。"
        )
    elif not result.carbon_grade and result.carbon_gap:
        raise_grade.append(f"未赋碳效码：{CARBON_GAPS.get(result.carbon_gap, '数据不足')}。")
    return Outlook(result, raise_class, raise_grade)


# The to-do list ---------------------------------------------------------------------------------------


@dataclass
class Todo:
    key: str
    title: str
    count: int
    url: str
    lines: list[str]


def todo(*, user: User, today: dt.date) -> list[Todo]:
    """What the enterprise must do, most urgent first; items with nothing to do are left out."""
    items = []
    month, due = report_month(today), report_due(today)
    to_report = [row.project for row in project_rows(user=user, today=today) if row.due]
    if to_report:
        when = (
            f"请于 {month_text(due)}{due.day}日前填报"
            if today <= due
            else f"已过 {due.month}月{due.day}日，请尽快填报"
        )
        items.append(
            Todo(
                "report", f"您有 {len(to_report)} 个项目待填报{month_text(month)}进展", len(to_report),
                reverse("portal:projects"), [f"{when}：{'、'.join(p.name for p in to_report[:5])}"],
            )
        )  # fmt: skip
    evaluate = list(tickets_to_evaluate(user=user)[:5])
    if evaluate:
        count = tickets_to_evaluate(user=user).count()
        items.append(
            Todo(
                "evaluate", f"您有 {count} 件诉求已办结，请评价办理结果", count,
                reverse("portal:tickets") + "?status=resolved", [f"{t.number} {t.title}" for t in evaluate],
            )
        )  # fmt: skip
    returned = applications(user=user).filter(status__in=(Status.RETURNED, Status.DRAFT))
    if returned.exists():
        count = returned.count()
        items.append(
            Todo(
                "drafts", f"您有 {count} 项政策申报待提交或修改", count, reverse("portal:applications"),
                [f"{a.policy.title}：{stage_words(a)}" for a in returned[:5]],
            )
        )  # fmt: skip
    chances = policy_chances(user=user, as_of=today)
    fresh = new_chances(chances)
    if fresh:
        items.append(
            Todo(
                "policies", f"您符合 {len(fresh)} 项政策的条件，尚未申报", len(fresh),
                reverse("portal:policies"),
                [f"{c.policy.title}{f'（{c.project_name}）' if c.project_name else ''}" for c in fresh[:5]],
            )
        )  # fmt: skip
    settle = to_settle(chances)
    if settle:
        items.append(
            Todo(
                "settle", f"{len(settle)} 项政策待核实", len(settle), reverse("portal:policies") + "#settle",
                [_settle_line(c) for c in settle[:5]],
            )
        )  # fmt: skip
    on_way = applications(user=user).filter(
        status__in=(Status.DISTRICT_REVIEW, Status.CITY_REVIEW, Status.PUBLICITY)
    )
    if on_way.exists():
        count = on_way.count()
        items.append(
            Todo(
                "applications", f"您有 {count} 项申报正在审核或公示", count, reverse("portal:applications"),
                [f"{a.policy.title}：{stage_words(a)}" for a in on_way[:5]],
            )
        )  # fmt: skip
    return items


def _settle_line(chance: PolicyChance) -> str:
    needs = []
    if chance.missing:
        needs.append(f"补充{'、'.join(chance.missing)}数据即可判定")
    if chance.pending:
        needs.append(PENDING)
    return f"{chance.policy.title}：{'；'.join(needs)}"
