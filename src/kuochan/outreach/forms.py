"""What the pages of 服务企业 read from query strings and posted forms, typed: an odd value (a date that is
not one, a number like ² or too long for the database, an unknown choice) is a Chinese message on the page,
never a server error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from kuochan.accounts.models import EDITOR_ROLES, User
from kuochan.core.forms import FilterForm, IdField, ModelIdsField, NumberField, choice, flag
from kuochan.core.scope import scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.outreach import selectors
from kuochan.outreach.models import Department, Event, Outcome, Participant
from kuochan.outreach.rules import CATEGORY_LABELS, SATISFACTION_LABELS, STATUS_LABELS, TRANSITIONS
from kuochan.projects.rules import LIGHT_LABELS
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code


def districts(actor: User) -> list[OrgUnit]:
    """The districts (and zones) the actor may pick in a filter."""
    return list(scoped(OrgUnit.objects.filter(kind__in=REPORTING_KINDS), actor).order_by("sort_order", "id"))


def staff_choices(actor: User) -> list[User]:
    """Staff the actor may name as visitors, owners or handlers: active editors in the actor's scope."""
    if actor.org_path is None:
        return []
    return list(
        User.objects.filter(is_active=True, role__in=EDITOR_ROLES, org_unit__path__startswith=actor.org_path)
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )


def scoped_enterprise(actor: User, value: str) -> Enterprise:
    """An enterprise in the actor's scope, by USCC or exact name."""
    value = value.strip()
    if "\x00" in value:  # a NUL byte is no name, and PostgreSQL refuses to compare with it
        raise ValidationError("企业名称或统一社会信用代码中含有无效字符。")
    found = scoped(Enterprise.objects.select_related("district"), actor)
    enterprise = found.filter(Q(uscc=normalise_code(value)) | Q(name=value)).first() if value else None
    if enterprise is None:
        raise ValidationError(f"您的数据范围内没有名称或统一社会信用代码为“{value[:60]}”的企业。")
    return enterprise


class ScopedFilter(FilterForm):
    """A list filter whose district is one of the actor's."""

    district = IdField(label="区县")

    def __init__(self, data: object = None, *, actor: User, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(data, **kwargs)

    def clean_district(self) -> OrgUnit | None:
        pk = self.cleaned_data.get("district")
        if pk is None:
            return None
        unit = scoped(OrgUnit.objects.all(), self.actor).filter(pk=pk).first()
        if unit is None:
            raise ValidationError("不在您的数据范围内。")
        return unit


class TicketFilter(ScopedFilter):
    as_of = forms.DateField(label="截至日期", required=False)
    queue = flag("待我处理")
    status = choice("状态", STATUS_LABELS.items())
    category = choice("类别", CATEGORY_LABELS.items())
    escalated = flag("仅看升级至市级")
    light = choice("亮灯", LIGHT_LABELS.items())
    export = choice("导出", (("xlsx", "Excel"),))
    open = flag("仅看未办结")


class VisitFilter(ScopedFilter):
    start = forms.DateField(label="起始日期", required=False)
    end = forms.DateField(label="截止日期", required=False)
    q = forms.CharField(label="企业", max_length=200, required=False)
    export = choice("导出", (("xlsx", "Excel"),))


class CalendarFilter(ScopedFilter):
    month = forms.DateField(label="月份", required=False, input_formats=["%Y-%m"])


class TaskFilter(FilterForm):
    mine = flag("我负责的")
    open = flag("仅看未完成", initial=True)
    export = choice("导出", (("xlsx", "Excel"),))
    due = flag("仅看已逾期和即将到期")
    as_of = forms.DateField(label="截至日期", required=False)


class EventFilter(FilterForm):
    start = forms.DateField(label="起始日期", required=False)
    end = forms.DateField(label="截止日期", required=False)
    kind = choice("类型", Event.Kind.choices)
    export = choice("导出", (("xlsx", "活动清单"), ("totals", "汇总")))


class PrefillQuery(FilterForm):
    """What a link may fill in on a new ticket or visit: the enterprise, and the visit it came from."""

    enterprise = forms.CharField(label="企业", max_length=200, required=False)
    visit = IdField(label="走访记录")


# Posted forms ---------------------------------------------------------------------------------------


class TicketForm(forms.Form):
    enterprise = forms.CharField(label="企业", max_length=200, required=False)
    visit = IdField(label="走访记录")
    category = forms.ChoiceField(label="诉求类别", choices=list(CATEGORY_LABELS.items()))
    title = forms.CharField(label="诉求事项", max_length=200)
    description = forms.CharField(label="具体情况", max_length=5000, required=False)


class TicketStepForm(forms.Form):
    action = forms.ChoiceField(
        label="操作", choices=[("comment", "留言"), *((k, t.label) for k, t in TRANSITIONS.items())]
    )
    text = forms.CharField(label="留言", max_length=2000, required=False, strip=False)
    note = forms.CharField(label="说明", max_length=2000, required=False)
    department = forms.ModelChoiceField(label="承办部门", queryset=Department.objects.all(), required=False)
    handler = forms.ModelChoiceField(label="承办人", queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label="办理期限", required=False)
    satisfaction = forms.ChoiceField(
        label="满意度", choices=[("", "—"), *SATISFACTION_LABELS.items()], required=False
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors.departments()
        self.fields["handler"].queryset = User.objects.filter(pk__in=[u.pk for u in staff_choices(actor)])


class TaskFields(forms.Form):
    """Up to three follow-up tasks: text, owner and due date each (task1_text, task1_owner, task1_due…)."""

    def __init__(self, *args: Any, actor: User, rows: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        owners = User.objects.filter(pk__in=[u.pk for u in staff_choices(actor)])
        self.task_rows = range(1, rows + 1)
        for n in self.task_rows:
            self.fields[f"task{n}_text"] = forms.CharField(
                label=f"第 {n} 项跟进事项", max_length=500, required=False
            )
            self.fields[f"task{n}_owner"] = forms.ModelChoiceField(
                label=f"第 {n} 项跟进事项的责任人", queryset=owners, required=False
            )
            self.fields[f"task{n}_due"] = forms.DateField(
                label=f"第 {n} 项跟进事项的完成期限", required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for n in self.task_rows:
            if (
                data.get(f"task{n}_text")
                and not data.get(f"task{n}_due")
                and f"task{n}_due" not in self.errors
            ):
                self.add_error(f"task{n}_due", "请填写完成期限，如 2026-06-01。")
        return data

    def tasks(self) -> list[Any]:
        from kuochan.outreach.services import TaskInput

        data = self.cleaned_data
        return [
            TaskInput(data[f"task{n}_text"], data[f"task{n}_owner"] or self.actor, data[f"task{n}_due"])
            for n in self.task_rows
            if data.get(f"task{n}_text")
        ]


class VisitForm(TaskFields):
    enterprise = forms.CharField(label="企业", max_length=200)
    date = forms.DateField(label="走访日期")
    purpose = forms.CharField(label="走访目的", max_length=200)
    findings = forms.CharField(label="了解情况", max_length=5000, required=False)
    visitors = ModelIdsField(label="走访人员", queryset=User.objects.none(), required=False)
    departments = ModelIdsField(label="参加部门", queryset=Department.objects.all(), required=False)
    companions = forms.CharField(label="其他参加人员", max_length=200, required=False)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["visitors"].queryset = User.objects.filter(pk__in=[u.pk for u in staff_choices(actor)])
        self.fields["departments"].queryset = selectors.departments()


class VisitStepForm(TaskFields):
    """The forms on a visit's page: add a task, mark one done, or correct the visit."""

    action = forms.ChoiceField(
        label="操作", choices=[("task", "添加跟进事项"), ("done", "完成"), ("save", "保存")]
    )
    task = IdField(label="跟进事项")
    note = forms.CharField(label="完成情况", max_length=2000, required=False)
    date = forms.DateField(label="走访日期", required=False)
    purpose = forms.CharField(label="走访目的", max_length=200, required=False)
    findings = forms.CharField(label="了解情况", max_length=5000, required=False)

    def __init__(self, data: Any, *, actor: User) -> None:
        data = data.copy()
        data.setdefault("action", "save")
        super().__init__(data, actor=actor, rows=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action == "task" and not data.get("task1_text"):
            raise ValidationError("请写明跟进事项。")
        if action == "done" and not data.get("task"):
            self.add_error("task", "请选择要完成的事项。")
        if action == "save" and not data.get("date") and "date" not in self.errors:
            self.add_error("date", "请填写走访日期，如 2026-06-01。")
        return data


class EventForm(forms.Form):
    unit = forms.ModelChoiceField(label="举办单位", queryset=OrgUnit.objects.none(), required=False)
    kind = forms.ChoiceField(label="类型", choices=Event.Kind.choices)
    title = forms.CharField(label="活动名称", max_length=200)
    date = forms.DateField(label="日期")
    organiser = forms.CharField(label="主办单位", max_length=200)
    place = forms.CharField(label="地点", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=2000, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def event_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("kind", "title", "date", "organiser", "place", "note")
        }


class ParticipantsForm(forms.Form):
    role = forms.ChoiceField(label="参加身份", choices=Participant.Role.choices)
    names = forms.CharField(label="参加单位", max_length=20000)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label="成果类型", choices=Outcome.Kind.choices)
    enterprise = forms.CharField(label="企业", max_length=200)
    amount_wan = NumberField(label="金额（万元）")
    counterpart = forms.CharField(label="对方", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=2000, required=False)


class ServiceRulesForm(forms.Form):
    """The timers as typed; their ranges are the service's to check."""

    triage_days = forms.IntegerField(label="受理后交办时限（天）", max_value=10000)
    due_soon_days = forms.IntegerField(label="到期前提醒（天）", max_value=10000)
    escalate_after_days = forms.IntegerField(label="逾期升级至市级（天）", max_value=10000)
    visit_window_days = forms.IntegerField(label="重复走访提醒期（天）", max_value=10000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CATEGORY_LABELS.items():
            self.fields[f"deadline_{key}"] = forms.IntegerField(
                label=f"{label}办理时限（天）", max_value=10000
            )

    def rule_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{
                n: data[n]
                for n in ("triage_days", "due_soon_days", "escalate_after_days", "visit_window_days")
            },
            "deadline_days": {key: data[f"deadline_{key}"] for key in CATEGORY_LABELS},
        }
