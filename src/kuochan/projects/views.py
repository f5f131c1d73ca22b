"""Pages of the project pipeline: list with lights, detail, light board, 破五未, the three lists, data
quality, edit forms, and the light rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.core.forms import FilterForm, IdField, MonthField, add_service_errors, filter_values, page_of
from kuochan.core.scope import scoped
from kuochan.imports.models import ImportBatch
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.orgs.selectors import org_units
from kuochan.projects import selectors, services
from kuochan.projects.models import (
    ApprovalTrack,
    ConstructionNature,
    LightRuleSet,
    Milestone,
    Project,
    ProjectStatus,
    ProjectType,
)
from kuochan.projects.rules import (
    MILESTONE_LABELS,
    QUALITY_KINDS,
    Light,
    light_rule_words,
    light_summary,
    quality_findings,
    wan,
)
from kuochan.registry.models import Enterprise, IndustryTag
from kuochan.registry.rules import normalise_code
from kuochan.web.exports import xlsx_response

LIGHTS = [(light.value, light.label) for light in Light]


EXPORT_XLSX = [("", "—"), ("xlsx", "Excel")]


class AsOfForm(FilterForm):
    """A page showing lights on a date: today unless the query string names another."""

    as_of = forms.DateField(label="截至日期", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()


class ProjectFilterForm(AsOfForm):
    """The project list's query string."""

    q = forms.CharField(label="关键词", max_length=100, required=False)
    district = IdField(label="区县")
    light = forms.ChoiceField(label="亮灯", choices=[("", "—"), *LIGHTS], required=False)
    stage = forms.ChoiceField(
        label="当前节点", choices=[("", "—"), *MILESTONE_LABELS.items()], required=False
    )
    stall = forms.CharField(label="破五未类别", max_length=40, required=False)
    chain = IdField(label="产业链")
    type = forms.ChoiceField(label="项目类型", choices=[("", "—"), *ProjectType.choices], required=False)
    large = forms.ChoiceField(label="亿元以上", choices=[("", "—"), ("1", "亿元以上")], required=False)
    export = forms.ChoiceField(label="导出", choices=EXPORT_XLSX, required=False)
    new_red = forms.ChoiceField(
        label="本月新亮红灯", choices=[("", "—"), ("1", "本月新亮红灯")], required=False
    )

    def clean_stall(self) -> str:
        stall = self.cleaned_data["stall"]
        if stall and stall not in set(selectors.light_rules().stall_labels.values()):
            raise ValidationError("不是亮灯规则中的破五未类别。")
        return stall

    def filters(self) -> selectors.ProjectFilter:
        v = self.values
        return selectors.ProjectFilter(
            query=v["q"], district=v["district"], light=v["light"], stage=v["stage"], stall=v["stall"],
            chain=v["chain"], project_type=v["type"], large=v["large"] == "1",
        )  # fmt: skip


def _districts(actor: Any) -> Any:
    return org_units(actor=actor).filter(kind__in=REPORTING_KINDS)


EXPORT_HEADERS = [
    "项目代码", "项目名称", "企业名称", "所属区县", "项目类型", "总投资（万元）", "当前节点", "亮灯", "破五未类别", "亮灯原因",
]  # fmt: skip


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """Projects with their light on the as-of date; 导出 downloads exactly what the filters show."""
    form, values = filter_values(request, ProjectFilterForm)
    as_of, filters = values["as_of"], form.filters()
    rows = selectors.project_rows(actor=request.user, as_of=as_of, filters=filters)
    if values["new_red"] == "1":
        new = selectors.newly_red(actor=request.user, as_of=as_of)
        rows = [(f, v) for f, v in rows if f.id in new]
    if values["export"] == "xlsx":
        objects = Project.objects.in_bulk([f.id for f, _ in rows])
        return xlsx_response(
            f"项目亮灯清单（截至{as_of}）",
            EXPORT_HEADERS,
            (
                [
                    f.code, f.name, objects[f.id].enterprise.name, f.district,
                    objects[f.id].get_project_type_display(), objects[f.id].total_wan,
                    v.stage_label or "", v.light.label, v.stall or "", "；".join(v.reasons),
                ]
                for f, v in rows
            ),
        )  # fmt: skip
    page = page_of(request, rows)
    objects = Project.objects.select_related("enterprise", "district").in_bulk([f.id for f, _ in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "items": [(objects[f.id], v) for f, v in page],
            "items_projects": [objects[f.id] for f, _ in page],
            "filters": filters,
            "as_of": as_of,
            "summary": light_summary(v for _, v in rows),
            "districts": _districts(request.user),
            "chains": IndustryTag.objects.all(),
            "types": ProjectType.choices,
            "lights": LIGHTS,
            "stages": list(MILESTONE_LABELS.items()),
            "query": query.urlencode(),
            "can_edit": request.user.can_edit,
            "new_red": values["new_red"] == "1",
        },
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, pk=pk)
    as_of = filter_values(request, AsOfForm)[1]["as_of"]
    board = selectors.project_board(actor=request.user, as_of=as_of, queryset=Project.objects.filter(pk=pk))
    verdict = board.verdicts[0]
    progress = list(project.progress.order_by("-month"))
    plans = {plan.year: plan.planned_wan for plan in project.year_plans.all()}
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "verdict": verdict,
            "as_of": as_of,
            "milestones": project.milestone_dates(),
            "above_scale_since": project.enterprise.above_scale_since
            if project.enterprise.above_scale
            else None,
            "progress": progress,
            "plans": sorted(plans.items(), reverse=True),
            "timeline": _timeline(project, as_of),
            "progress_chart": _progress_chart(progress, plans),
            "no_progress_chart": _no_progress_chart(project, progress, as_of),
            "history": _history(project, selectors.project_trail(actor=request.user, project=project)),
            "can_edit": services.can_edit_project(request.user, project.district.path),
            "can_report": services.can_report_progress(request.user, project),
            "progress_form": ProgressForm(initial={"month": _last_month().strftime("%Y-%m")}),
        },
    )


@dataclass(frozen=True)
class HistoryLine:
    """One line of a project's history: who did what, in words; `entry` gives the time and the changes."""

    entry: AuditEntry
    who: str
    sentence: str
    batch: ImportBatch | None = None


def _history(project: Project, trail: QuerySet[AuditEntry], limit: int = 50) -> list[HistoryLine]:
    """The project's trail as sentences, newest first. Its creation is one line with its source or import
    batch: the year plans and monthly reports written with it (same import batch, or generated by the system
    with it) are counted on that line instead of listed one by one, and the created fields are not listed
    (the page shows them)."""
    entries = list(trail.select_related("actor")[:2000])
    created = next(
        (e for e in entries if e.action == Action.CREATE and e.content_type.model == "project"), None
    )
    folded: Counter[str] = Counter()
    lines: list[HistoryLine] = []
    for entry in entries:
        who = str(entry.actor) if entry.actor else entry.actor_name
        if created is not None and entry is not created and _created_with(entry, created):
            folded[entry.object_type_label] += 1
            continue
        entry.changes = {
            k: v for k, v in entry.changes.items() if k not in ("project", "month", "year")
        }  # in the name
        if entry is created:
            entry.changes = {}
            lines.append(HistoryLine(entry, who, "", ImportBatch.objects.filter(pk=entry.batch_id).first()))
            continue
        what = entry.object_repr.removeprefix(project.name).strip() or entry.object_type_label
        lines.append(HistoryLine(entry, who, f"{entry.get_action_display()}{what}"))
    if created is not None:
        line = next(line for line in lines if line.entry is created)
        also = "、".join(f"{label} {count} 条" for label, count in folded.items())
        sentence = f"新增项目（{'，'.join(_origin(line))}）" + (f"，同时录入{also}" if also else "")
        lines[lines.index(line)] = HistoryLine(line.entry, line.who, sentence, line.batch)
    return lines[:limit]


def _created_with(entry: AuditEntry, created: AuditEntry) -> bool:
    if entry.action != Action.CREATE:
        return False
    if created.batch_id is not None:
        return entry.batch_id == created.batch_id
    return (  # generated with it by the system (demo data, commands), not reported by a person afterwards
        created.source in (Source.SYSTEM, Source.CLI)
        and entry.source == created.source
        and entry.actor_name == created.actor_name
        and abs((entry.at - created.at).total_seconds()) < 60
    )


def _origin(line: HistoryLine) -> list[str]:
    """Where the creation came from: its source, and its import batch by number and file."""
    parts = [f"来源：{line.entry.get_source_display()}"]
    if line.entry.batch_id:
        parts.append(f"导入批次 #{line.entry.batch_id}" + (f"“{line.batch.file_name}”" if line.batch else ""))
    return parts


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _timeline(project: Project, as_of: dt.date) -> dict[str, Any]:
    """Planned against actual date of each milestone, for the ECharts timeline, on an axis spanning the
    project's own dates. The enterprise's 上规 date is a point on it when it falls within them; an earlier
    one (the enterprise was above scale before the project) is said in `note` instead of stretching the axis
    back over years the project did not exist. A project still under way spans the as-of date too."""
    rows = [(label, planned, actual) for _, label, planned, actual, _ in project.milestone_dates()]
    own = [day for _, planned, actual in rows for day in (planned, actual) if day]
    note = ""
    since = project.enterprise.above_scale_since if project.enterprise.above_scale else None
    if since and own and since < min(own):
        note = f"企业已于 {since} 纳入规上，早于本项目各节点，不在图中标出。"
    elif since:
        rows.append(("上规", None, since))
        own.append(since)
    under_way = project.status != ProjectStatus.TERMINATED and not (
        project.at_capacity_actual and project.at_capacity_actual <= as_of
    )
    if under_way and own:
        own.append(as_of)  # how late an overdue milestone is shows against the as-of line
    pad = dt.timedelta(days=30)
    return {
        "milestones": [label for label, _, _ in rows],
        "planned": [planned.isoformat() if planned else None for _, planned, _ in rows],
        "actual": [actual.isoformat() if actual and actual <= as_of else None for _, _, actual in rows],
        "as_of": as_of.isoformat(),
        "start": (min(own) - pad).isoformat() if own else None,
        "end": (max(own) + pad).isoformat() if own else None,
        "note": note,
    }


def _progress_chart(progress: list[Any], plans: dict[int, Any]) -> dict[str, Any] | None:
    """Year-to-date investment against the year's plan by month; None when there is nothing to draw (no
    report with an amount and no plan), so the page says why instead of showing an empty chart."""
    ordered = sorted(progress, key=lambda p: p.month)
    if not any(p.ytd_wan for p in ordered) and not any(plans.get(p.month.year) for p in ordered):
        return None
    return {
        "months": [f"{p.month:%Y-%m}" for p in ordered],
        "ytd": [float(p.ytd_wan) for p in ordered],
        "plan": [float(plans[p.month.year]) if p.month.year in plans else None for p in ordered],
    }


def _no_progress_chart(project: Project, progress: list[Any], as_of: dt.date) -> str:
    """Why the page has no investment chart, in a sentence."""
    finished = next(
        (
            (label, actual)
            for value, label, _, actual, _ in reversed(project.milestone_dates())
            if value in ("completed", "producing", "at_capacity") and actual and actual <= as_of
        ),
        None,
    )
    if finished:
        label, day = finished
        held = "其月度进展中完成投资均为 0" if progress else "平台没有其建设期的月度投资数据"
        return f"项目已于 {day} {label}，{held}，不再按月填报，故无投资进度图。"
    if progress:
        return "已报送的月度进展中完成投资均为 0，且未填年度计划投资，暂无投资进度可画。"
    return "尚未报送月度进展。"


@login_required
def light_board(request: HttpRequest) -> HttpResponse:
    """District × light counts on the as-of date; each count links to the list behind it."""
    as_of = filter_values(request, AsOfForm)[1]["as_of"]
    board = selectors.project_board(actor=request.user, as_of=as_of)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for facts, verdict in zip(board.facts, board.verdicts, strict=True):
        counts[facts.district][verdict.light.value] += 1
    districts = list(_districts(request.user))
    table = [(d, [counts[d.name][value] for value, _ in LIGHTS]) for d in districts if d.name in counts]
    return render(
        request,
        "projects/board.html",
        {"as_of": as_of, "lights": LIGHTS, "table": table, "totals": light_summary(board.verdicts)},
    )


@login_required
def stall_board(request: HttpRequest) -> HttpResponse:
    """破五未: stall category × district on the as-of date, with drill-down to the projects."""
    as_of = filter_values(request, AsOfForm)[1]["as_of"]
    board = selectors.project_board(actor=request.user, as_of=as_of)
    categories = list(dict.fromkeys(board.rules.stall_labels.values()))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for facts, verdict in zip(board.facts, board.verdicts, strict=True):
        if verdict.stall:
            counts[verdict.stall][facts.district] += 1
    districts = list(_districts(request.user))
    table = [
        (category, [counts[category][d.name] for d in districts], sum(counts[category].values()))
        for category in categories
    ]
    return render(
        request,
        "projects/stalls.html",
        {"as_of": as_of, "districts": districts, "table": table},
    )  # fmt: skip


class PeriodForm(FilterForm):
    """The three lists' period: this month unless the query string names another; either order."""

    start = forms.DateField(label="起始日期", required=False)
    end = forms.DateField(label="截止日期", required=False)
    export = forms.ChoiceField(
        label="导出", choices=[("", "—"), ("start", "拟开工"), ("complete", "竣工"), ("above_scale", "升规")],
        required=False,
    )  # fmt: skip
    show = forms.ChoiceField(
        label="清单",
        choices=[("start", "拟开工"), ("complete", "竣工"), ("above_scale", "升规")],
        required=False,
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The query string says from= and to=, which are Python keywords: renamed before parsing.
        data = {
            "start": data.get("from", ""), "end": data.get("to", ""), "export": data.get("export", ""),
            "show": data.get("show", ""),
        }  # fmt: skip
        super().__init__(data, **kwargs)
        first = timezone.localdate().replace(day=1)
        self.fields["start"].initial = first
        self.fields["end"].initial = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


LIST_TITLES = {"start": "拟开工", "complete": "竣工", "above_scale": "升规"}


@login_required
def three_lists(request: HttpRequest) -> HttpResponse:
    values = filter_values(request, PeriodForm)[1]
    start, end = sorted((values["start"], values["end"]))
    lists = selectors.project_lists(actor=request.user, start=start, end=end)
    groups = {"start": lists.to_start, "complete": lists.to_complete, "above_scale": lists.to_above_scale}
    if wanted := values["export"]:
        key = "统一社会信用代码" if wanted == "above_scale" else "项目代码"
        return xlsx_response(
            f"{LIST_TITLES[wanted]}清单（{start}至{end}）",
            [key, "名称", "所属区县", "原因"],
            ([e.key, e.name, e.district, "；".join(e.reasons)] for e in groups[wanted]),
        )
    shown = values["show"] or "start"
    period = f"from={start}&to={end}"
    return render(
        request,
        "projects/lists.html",
        {
            "start": start,
            "end": end,
            "groups": [(key, LIST_TITLES[key], len(entries)) for key, entries in groups.items()],
            "shown": shown,
            "title": LIST_TITLES[shown],
            "page": page_of(request, groups[shown]),
            "period": period,
            "query": f"{period}&show={shown}",
        },
    )


class QualityFilterForm(FilterForm):
    kind = forms.ChoiceField(label="问题类别", choices=[("", "—"), *QUALITY_KINDS.items()], required=False)
    export = forms.ChoiceField(label="导出", choices=EXPORT_XLSX, required=False)


@login_required
def data_quality(request: HttpRequest) -> HttpResponse:
    values = filter_values(request, QualityFilterForm)[1]
    today = timezone.localdate()
    facts = selectors.project_facts(actor=request.user, as_of=today, with_progress=False)
    findings = quality_findings(facts, today=today, rules=selectors.light_rules())
    kind = values["kind"]
    counts = Counter(f.kind for f in findings)
    if kind:
        findings = [f for f in findings if f.kind == kind]
    by_id = {f.id: f for f in facts}
    rank = selectors.district_rank()
    rows = sorted(
        ((by_id[f.project_id], f) for f in findings),
        key=lambda row: (rank.get(row[0].district, 99), row[0].code),
    )
    if values["export"] == "xlsx":
        return xlsx_response(
            "项目数据质量问题",
            ["项目代码", "项目名称", "所属区县", "问题类别", "问题"],
            ([p.code, p.name, p.district, QUALITY_KINDS[f.kind], f.message] for p, f in rows),
        )
    page = page_of(request, rows)
    return render(
        request,
        "projects/quality.html",
        {
            "page": page,
            "kinds": [(key, label, counts.get(key, 0)) for key, label in QUALITY_KINDS.items()],
            "kind": kind,
            "query": f"kind={kind}" if kind else "",
        },
    )


# Forms -----------------------------------------------------------------------------------------------


def _choices(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *choices.choices]


MONEY_FIELD = {"max_digits": 16, "decimal_places": 2, "required": False, "min_value": 0}


class ProjectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label="项目代码", max_length=40, required=False, help_text="统一项目代码；尚未赋码的留空，由平台编号"
    )
    name = forms.CharField(label="项目名称", max_length=200)
    enterprise = forms.CharField(label="企业（统一社会信用代码）", max_length=40)
    district = forms.ModelChoiceField(
        label="所属区县", queryset=OrgUnit.objects.none(), required=False, help_text="留空则取企业所属区县"
    )
    town = forms.ModelChoiceField(label="所属乡镇（园区）", queryset=OrgUnit.objects.none(), required=False)
    project_type = forms.ChoiceField(label="项目类型", choices=_choices(ProjectType), required=False)
    nature = forms.ChoiceField(label="建设性质", choices=_choices(ConstructionNature), required=False)
    is_renovation = forms.BooleanField(label="计入技改投资", required=False)
    chain = forms.ModelChoiceField(label="所属产业链", queryset=IndustryTag.objects.all(), required=False)
    total_wan = forms.DecimalField(label="总投资（万元）", **MONEY_FIELD)
    equipment_wan = forms.DecimalField(label="设备投资（万元）", **MONEY_FIELD)
    is_provincial_major = forms.BooleanField(label="省重大项目", required=False)
    is_ipo_funded = forms.BooleanField(label="募投项目", required=False)
    approval_track = forms.ChoiceField(label="审批通道", choices=_choices(ApprovalTrack), required=False)
    capacity_output_wan = forms.DecimalField(label="达产产值（万元）", **MONEY_FIELD)
    capacity_tax_wan = forms.DecimalField(label="达产税收（万元）", **MONEY_FIELD)
    land_mu = forms.DecimalField(label="用地需求（亩）", **MONEY_FIELD)
    zero_new_land = forms.BooleanField(label="零新增用地", required=False)
    energy_tce = forms.DecimalField(label="用能需求（吨标准煤）", **MONEY_FIELD)
    status = forms.ChoiceField(label="项目状态", choices=ProjectStatus.choices, initial=ProjectStatus.ACTIVE)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = org_units(actor=actor)
        self.fields["district"].queryset = units.filter(kind__in=REPORTING_KINDS)
        self.fields["town"].queryset = units.exclude(kind__in=REPORTING_KINDS).filter(
            parent__kind__in=REPORTING_KINDS
        )
        self.actor = actor

    def clean_enterprise(self) -> Enterprise:
        uscc = normalise_code(self.cleaned_data["enterprise"])
        enterprise = (
            scoped(Enterprise.objects.select_related("district"), self.actor).filter(uscc=uscc).first()
        )
        if enterprise is None:
            raise ValidationError(f"您的数据范围内没有统一社会信用代码为 {uscc} 的企业。")
        return enterprise


def _project_initial(project: Project) -> dict[str, Any]:
    values = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
    values["enterprise"] = project.enterprise.uscc
    values["version"] = project.version
    return values


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


class NewProjectForm(FilterForm):
    """A link from an enterprise's page names it for the new project."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=40, required=False)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _require(request.user.can_edit, "您无权新增项目。")
    initial = {"enterprise": filter_values(request, NewProjectForm)[1]["uscc"]}
    form = ProjectForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.project_create(actor=request.user, source=Source.WEB, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增项目“{created.name}”（{created.code}）。")
            return redirect(created)
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": "新增项目", "cancel_url": reverse("projects:list")},
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, pk=pk)
    _require(services.can_edit_project(request.user, project.district.path), "您无权修改该项目。")
    form = ProjectForm(request.POST or None, actor=request.user, initial=_project_initial(project))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.project_update(
                actor=request.user, source=Source.WEB, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存“{saved.name}”。")
            return redirect(saved)
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": f"修改：{project.name}", "cancel_url": project.get_absolute_url()},
    )


class MilestonesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Milestone.choices:
            date_input = forms.DateInput(attrs={"type": "date"})
            self.fields[f"{value}_planned"] = forms.DateField(
                label=f"计划{label}", required=False, widget=date_input
            )
            self.fields[f"{value}_actual"] = forms.DateField(
                label=f"实际{label}", required=False, widget=date_input
            )
            self.fields[f"{value}_evidence"] = forms.CharField(
                label=f"{label}佐证", max_length=200, required=False
            )

    def rows(self) -> list[tuple[str, Any, Any, Any]]:
        return [
            (label, self[f"{v}_planned"], self[f"{v}_actual"], self[f"{v}_evidence"])
            for v, label in Milestone.choices
        ]


@login_required
def milestones_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, pk=pk)
    _require(services.can_edit_project(request.user, project.district.path), "您无权修改该项目。")
    initial = {name: getattr(project, name) for name in services.MILESTONE_FIELDS} | {
        "version": project.version
    }
    form = MilestonesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestones_update(
                actor=request.user, source=Source.WEB, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存节点日期。")
            return redirect(project)
    return render(request, "projects/milestones.html", {"form": form, "project": project})


class ProgressForm(forms.Form):
    month = MonthField(label="年月", help_text="如 2026-06")
    ytd_wan = forms.DecimalField(
        label="本年累计完成投资（万元）", max_digits=16, decimal_places=2, min_value=0
    )
    year_plan_wan = forms.DecimalField(label="本年计划投资（万元）", **MONEY_FIELD)
    progress_note = forms.CharField(label="进展情况", required=False, widget=forms.Textarea)
    problems = forms.CharField(label="存在问题", required=False, widget=forms.Textarea)
    coordination = forms.CharField(label="需协调事项", required=False, widget=forms.Textarea)


@login_required
def progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report one month's progress from the project page (or correct a month already reported), beside the
    year's plan and the month before's figures; saving says how the light changed."""
    project = selectors.project_get(actor=request.user, pk=pk)
    _require(services.can_report_progress(request.user, project), "您无权填报该项目的进展。")
    month = _last_month()
    stored = project.progress.filter(month=month).first()
    plan = project.year_plans.filter(year=month.year).first()
    initial = {"month": month.strftime("%Y-%m"), "year_plan_wan": plan.planned_wan if plan else None}
    if stored:
        initial |= {name: getattr(stored, name) for name in GRID_FIELDS if name != "year_plan_wan"}
    form = ProgressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        before = _light_today(request.user, project)
        try:
            _, warnings = services.progress_record(
                actor=request.user, source=Source.WEB, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            saved = form.cleaned_data["month"]
            change = light_change(before, _light_today(request.user, project))
            messages.success(request, f"已保存 {saved.year}年{saved.month}月进展。{change}")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(project)
    earlier = (
        project.progress.filter(month__gte=month.replace(month=1), month__lt=month).order_by("-month").first()
    )
    return render(
        request,
        "projects/progress.html",
        {
            "form": form,
            "project": project,
            "month": month,
            "plan": plan,
            "stored": stored,
            "earlier": earlier,
            "done_share": earlier.ytd_wan / plan.planned_wan
            if earlier and plan and plan.planned_wan
            else None,
            "verdict": _light_today(request.user, project),
        },
    )


def _light_today(actor: Any, project: Project) -> Any:
    board = selectors.project_board(
        actor=actor, as_of=timezone.localdate(), queryset=Project.objects.filter(pk=project.pk)
    )
    return board.verdicts[0]


def light_change(before: Any, after: Any) -> str:
    """How a save moved a project's light, with the reasons of the light it has now."""
    reasons = "；".join(after.reasons)
    if before.light == after.light:
        return f"亮灯仍为{after.light.label}：{reasons}"
    return f"亮灯由{before.light.label}变为{after.light.label}：{reasons}"


def _includes_bound(label: str) -> forms.BooleanField:
    """The 含本数 checkbox beside a threshold: ticked, the light fires at the threshold itself (以上); not
    ticked, only beyond it (超过)."""
    return forms.BooleanField(label=f"{label}含本数", required=False)


class RulesForm(forms.Form):
    schedule_yellow_days = forms.IntegerField(label="节点逾期黄灯（天）", min_value=1)
    schedule_yellow_inclusive = _includes_bound("节点逾期黄灯")
    schedule_red_days = forms.IntegerField(label="节点逾期红灯（天）", min_value=1)
    schedule_red_inclusive = _includes_bound("节点逾期红灯")
    pace_yellow_points = forms.DecimalField(
        label="投资进度落后黄灯（百分点）", min_value=0, max_value=100, decimal_places=2
    )
    pace_yellow_inclusive = _includes_bound("投资进度落后黄灯")
    pace_red_points = forms.DecimalField(
        label="投资进度落后红灯（百分点）", min_value=0, max_value=100, decimal_places=2
    )
    pace_red_inclusive = _includes_bound("投资进度落后红灯")
    in_stats_min_total_wan = forms.DecimalField(
        label="入库规则起点（总投资，万元，含本数）", min_value=0, decimal_places=2
    )
    in_stats_yellow_after_days = forms.IntegerField(label="开工后未入库黄灯（天）", min_value=0)
    in_stats_yellow_inclusive = _includes_bound("开工后未入库黄灯")
    in_stats_red_after_days = forms.IntegerField(label="开工后未入库红灯（天）", min_value=0)
    in_stats_red_inclusive = _includes_bound("开工后未入库红灯")
    above_scale_revenue_wan = forms.DecimalField(
        label="规上标准（主营业务收入，万元）", min_value=0, decimal_places=2
    )
    milestone_order = forms.CharField(
        label="进度规则依次检查的节点",
        max_length=100,
        help_text="用“→”分隔，如 签约→备案→开工→竣工→投产→达产；可选：签约、备案、开工、入库、竣工、投产、达产",
    )
    basis = forms.CharField(label="依据", widget=forms.Textarea, required=False)

    def clean_milestone_order(self) -> list[str]:
        by_label = {label: value for value, label in MILESTONE_LABELS.items()}
        text = self.cleaned_data["milestone_order"]
        for separator in "、，,>＞ ":
            text = text.replace(separator, "→")
        labels = [part for part in text.split("→") if part]
        unknown = [label for label in labels if label not in by_label]
        if unknown:
            raise ValidationError(f"未知的节点“{'、'.join(unknown)}”。")
        return [by_label[label] for label in labels]


@login_required
def light_rules(request: HttpRequest) -> HttpResponse:
    """The rules in force, readable by all; city admins change them (every change is audited)."""
    stored = LightRuleSet.objects.filter(name="default").first()
    initial = {name: getattr(stored, name) for name in services.RULE_FIELDS} if stored else {}
    if stored:  # as the field takes it: 签约→备案→开工…
        initial["milestone_order"] = "→".join(MILESTONE_LABELS.get(n, n) for n in stored.milestone_order)
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require(request.user.is_city_admin, "只有市级管理员可以修改亮灯规则。")
        if form.is_valid():
            try:
                services.light_rules_update(actor=request.user, source=Source.WEB, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已保存亮灯规则，各页面即按新规则计算。")
                return redirect("projects:rules")
    rules = selectors.light_rules()
    bounds = set(services.BOUND_FIELDS.values())
    return render(
        request,
        "projects/rules.html",
        {
            "form": form,
            # each threshold with its 含本数 checkbox beside it
            "rows": [
                (
                    field,
                    form[services.BOUND_FIELDS[field.name]] if field.name in services.BOUND_FIELDS else None,
                )
                for field in form.visible_fields()
                if field.name not in bounds
            ],
            "words": light_rule_words(rules),
            "in_stats_from": wan(rules.in_stats_min_total),
            "above_scale_from": wan(rules.above_scale_revenue),
            "stored": stored,
            "order": [MILESTONE_LABELS[name] for name in rules.milestone_order],
            "stalls": [(MILESTONE_LABELS[name], label) for name, label in rules.stall_labels.items()],
            "can_change": request.user.is_city_admin,
        },
    )


class MonthFilterForm(FilterForm):
    """The monthly grid's query string: last month unless it names another."""

    month = MonthField(label="年月", required=False)
    district = IdField(label="区县")
    unreported = forms.ChoiceField(label="填报情况", choices=[("", "全部"), ("1", "未填报")], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = _last_month()


class AmountField(forms.DecimalField):
    """An amount in 万元 as officials type it, thousands separators allowed, rounded to the fen."""

    default_error_messages = {"invalid": "应为金额（万元），如 1200 或 1200.50"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=16, decimal_places=2, min_value=0, required=False, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        number = super().to_python(value.replace(",", "") if isinstance(value, str) else value)
        try:
            return None if number is None else number.quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


GRID_FIELDS = ("ytd_wan", "year_plan_wan", "progress_note", "problems", "coordination")
GRID_LABELS = {
    "ytd_wan": "本年累计完成投资", "year_plan_wan": "本年计划投资", "progress_note": "进展情况", "problems": "存在问题",
    "coordination": "需协调事项",
}  # fmt: skip


class ProgressGridForm(forms.Form):
    """One row of inputs per project on the page, named `<field>-<project id>`."""

    def __init__(self, data: Any, projects: list[Project]) -> None:
        super().__init__(data)
        for project in projects:
            for name in GRID_FIELDS:
                field = AmountField() if name.endswith("_wan") else forms.CharField(required=False)
                field.label = GRID_LABELS[name]
                self.fields[f"{name}-{project.pk}"] = field

    def row_problem(self, project: Project) -> str | None:
        """The first thing wrong in a project's row, said with what was typed."""
        for name in GRID_FIELDS:
            if errors := self.errors.get(key := f"{name}-{project.pk}"):
                typed = str(self.data.get(key, ""))[:40]
                return f"{project.name}：{GRID_LABELS[name]}“{typed}”{errors[0]}"
        return None


def _grid_entry(
    form: ProgressGridForm, project: Project, stored: Any
) -> tuple[dict[str, Any] | None, str | None]:
    """The posted row of one project: (entry for `progress_record_month`, or None if left as it was; a
    problem with what was typed)."""
    if problem := form.row_problem(project):
        return None, problem
    values = {name: form.cleaned_data[f"{name}-{project.pk}"] for name in GRID_FIELDS}
    if values["ytd_wan"] is None and not stored:
        return None, None
    if values["ytd_wan"] is None:
        return None, f"{project.name}：已报过本月进展，本年累计完成投资不能清空"
    if stored and all(values[name] == getattr(stored, name) for name in GRID_FIELDS):
        return None, None
    return {"project": project, **values}, None


@login_required
def progress_month(request: HttpRequest) -> HttpResponse:
    """One month's progress for all of a district's projects on one page, as easily as by file."""
    values = filter_values(request, MonthFilterForm)[1]
    month, district, unreported = values["month"], values["district"], values["unreported"] == "1"
    found = selectors.projects_to_report(
        actor=request.user, month=month, district=district, unreported=unreported
    )
    page = page_of(request, found)
    this_month, before = selectors.month_reports(list(page), month)
    as_of = _month_end(month)
    lights = selectors.project_board(
        actor=request.user, as_of=as_of, queryset=Project.objects.filter(pk__in=[p.pk for p in page])
    ).by_id()
    if request.method == "POST":
        _require(request.user.can_edit, "您无权填报进展。")
        form = ProgressGridForm(request.POST, list(page))
        form.is_valid()  # each row's problem is said below, by its project's name
        entries, problems = [], []
        for project in page:
            entry, problem = _grid_entry(form, project, this_month.get(project.pk))
            if problem:
                problems.append(problem)
            elif entry:
                entries.append(entry)
        if not problems:
            try:
                warnings = services.progress_record_month(
                    actor=request.user, source=Source.WEB, month=month, entries=entries
                )
            except ValidationError as exc:
                problems = exc.messages
            else:
                saved = [entry["project"] for entry in entries]
                messages.success(
                    request,
                    f"已保存 {month.year}年{month.month}月 {len(entries)} 个项目的进展。"
                    + _grid_light_changes(request.user, as_of, saved, lights),
                )
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect(request.get_full_path())
        for problem in problems:
            messages.error(request, problem)
    rows = [
        (p, _grid_values(request, p, this_month.get(p.pk)), before.get(p.pk), lights[p.pk][1]) for p in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/progress_month.html",
        {
            "month": month,
            "rows": rows,
            "page": page,
            "districts": _districts(request.user),
            "district": district,
            "unreported": unreported,
            "as_of": as_of,
            "query": query.urlencode(),
        },
    )


def _grid_light_changes(actor: Any, as_of: dt.date, saved: list[Project], before: dict[int, Any]) -> str:
    """Which of the saved projects' lights changed, by name: "亮灯变化：甲由红灯变为黄灯。"."""
    if not saved:
        return ""
    after = selectors.project_board(
        actor=actor, as_of=as_of, queryset=Project.objects.filter(pk__in=[p.pk for p in saved])
    ).by_id()
    changed = [
        f"{p.name}由{before[p.pk][1].light.label}变为{after[p.pk][1].light.label}"
        for p in saved
        if before[p.pk][1].light != after[p.pk][1].light
    ]
    return f"亮灯变化：{'；'.join(changed)}。" if changed else "各项目亮灯未变。"


def _month_end(month: dt.date) -> dt.date:
    """The day a month's lights are read on: its last day, or today while it is still running."""
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return min(end, timezone.localdate())


def _grid_values(request: HttpRequest, project: Project, stored: Any) -> dict[str, Any]:
    """What a row's inputs show: what was just typed (when it was refused), else what is stored."""
    if request.method == "POST":
        return {name: request.POST.get(f"{name}-{project.pk}", "") for name in GRID_FIELDS}
    return {name: (getattr(stored, name) if stored else "") for name in GRID_FIELDS}
