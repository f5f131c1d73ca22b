from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import (
    MAX_ID,
    FilterForm,
    IdField,
    NumberField,
    add_service_errors,
    filter_values,
    page_of,
    refusal,
)
from kuochan.core.scope import get_scoped_or_404, path_in_scope
from kuochan.cultivation.rules import share_pct
from kuochan.cultivation.selectors import enterprise_ladders
from kuochan.evaluation import carbon_selectors
from kuochan.evaluation.selectors import explained
from kuochan.imports.models import ImportBatch
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.orgs.selectors import org_units
from kuochan.outreach.selectors import enterprise_outreach
from kuochan.registry import selectors, services
from kuochan.registry.importers import EnterprisesImporter
from kuochan.registry.models import (
    Contact,
    Enterprise,
    HonourKind,
    IndustryTag,
    LandParcel,
    SizeClass,
    TagKind,
)
from kuochan.web.exports import xlsx_response

EXPORT_CHOICES = [("", "—"), ("xlsx", "Excel")]
# The annual figures the titles' criteria read, shown apart on the profile when any is recorded.
CULTIVATION_FIGURES = ("assets_wan", "liabilities_wan", "tech_staff", "ip_class1", "ip_class2", "srdi_score")


class EnterpriseFilterForm(FilterForm):
    """The registry list's query string."""

    q = forms.CharField(label="关键词", max_length=100, required=False)
    district = IdField(label="区县")
    tag = IdField(label="产业链")
    honour = forms.ChoiceField(label="荣誉", choices=[("", "—"), *HonourKind.choices], required=False)
    size = forms.ChoiceField(label="企业规模", choices=[("", "—"), *SizeClass.choices], required=False)
    above_scale = forms.ChoiceField(
        label="规上", choices=[("", "—"), ("1", "规上"), ("0", "规下")], required=False
    )
    export = forms.ChoiceField(label="导出", choices=EXPORT_CHOICES, required=False)

    def filters(self) -> selectors.EnterpriseFilter:
        v = self.values
        return selectors.EnterpriseFilter(
            query=v["q"], district=v["district"], tag=v["tag"], honour=v["honour"], size=v["size"],
            above_scale={"1": True, "0": False}.get(v["above_scale"]),
        )  # fmt: skip


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the registry; 导出 downloads exactly what the filters show."""
    form, values = filter_values(request, EnterpriseFilterForm)
    filters = form.filters()
    found = selectors.enterprises(actor=request.user, filters=filters)
    if values["export"] == "xlsx":
        rows = EnterprisesImporter(actor=request.user).export_rows(found)
        return xlsx_response("企业名单", EnterprisesImporter.headers(), rows)
    page = page_of(request, found)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/list.html",
        {
            "page": page,
            "filters": filters,
            "districts": org_units(actor=request.user).filter(kind__in=REPORTING_KINDS),
            "tags": IndustryTag.objects.all(),
            "honours": HonourKind.choices,
            "sizes": SizeClass.choices,
            "query": query.urlencode(),
            "can_edit": request.user.can_edit,
        },
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
    can_edit = request.user.can_edit and path_in_scope(enterprise.district.path, request.user)
    metrics = list(enterprise.annualmetrics.order_by("-year"))
    batches = ImportBatch.objects.in_bulk(
        {row.created_batch for row in (enterprise, *metrics) if row.created_batch is not None}
    )
    for metric in metrics:
        metric.source_batch = batches.get(metric.created_batch)
    cultivation_metrics = [
        m for m in metrics if any(getattr(m, name) is not None for name in CULTIVATION_FIGURES)
    ]
    for metric in cultivation_metrics:
        metric.debt_ratio_pct = share_pct(metric.liabilities_wan, metric.assets_wan)
        metric.tech_staff_share_pct = share_pct(metric.tech_staff, metric.employees)
    return render(
        request,
        "registry/detail.html",
        {
            "enterprise": enterprise,
            "created_by": batches.get(enterprise.created_batch),
            "honours": enterprise.honours.all(),
            "metrics": metrics,
            "cultivation_metrics": cultivation_metrics,
            "surveys": enterprise.surveys.order_by("-year"),
            "contacts": enterprise.contacts.all(),
            "projects": enterprise.projects.order_by("code"),
            "evaluations": explained(enterprise.evaluationresults.select_related("scheme").order_by("-year")),
            "tags": enterprise.tags.all(),
            "outreach": enterprise_outreach(enterprise, request.user),
            "chart": selectors.metric_series(enterprise),
            "trail": selectors.enterprise_trail(actor=request.user, enterprise=enterprise)[:50],
            "land": selectors.land_of(actor=request.user, enterprise=enterprise),
            "offsets": carbon_selectors.offsets(actor=request.user, enterprise=enterprise),
            "ladders": enterprise_ladders(enterprise, timezone.localdate()),
            "can_edit": can_edit,
        },
    )


class TagsField(forms.ModelMultipleChoiceField):
    """Industry tags by id. An id too large for the database is refused as an unknown tag here: Django's own
    field would hand it to the database inside an IN list, which fails on it."""

    def _check_values(self, value: object) -> object:
        for pk in value or ():
            try:
                too_large = abs(int(str(pk))) > MAX_ID
            except ValueError:
                continue  # not a number: Django's own check names it
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class EnterpriseForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)
    name = forms.CharField(label="企业名称", max_length=200)
    district = forms.ModelChoiceField(label="所属区县", queryset=OrgUnit.objects.none())
    town = forms.ModelChoiceField(label="所属乡镇（园区）", queryset=OrgUnit.objects.none(), required=False)
    address = forms.CharField(label="注册地址", max_length=200, required=False)
    established_on = forms.DateField(
        label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    industry_code = forms.CharField(label="行业代码（GB/T 4754）", max_length=8, required=False)
    size_class = forms.ChoiceField(label="企业规模", choices=[("", "—"), *SizeClass.choices], required=False)
    above_scale = forms.BooleanField(label="规上企业", required=False)
    above_scale_since = forms.DateField(
        label="规上起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    segment_since = forms.DateField(
        label="从事细分市场起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tags = TagsField(label="所属产业链", queryset=IndustryTag.objects.all(), required=False)

    def __init__(self, *args: object, actor: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        units = org_units(actor=actor)
        self.fields["district"].queryset = units.filter(kind__in=REPORTING_KINDS)
        self.fields["town"].queryset = units.exclude(kind__in=REPORTING_KINDS).filter(
            parent__kind__in=REPORTING_KINDS
        )


def _initial(enterprise: Enterprise) -> dict[str, object]:
    fields = services.ENTERPRISE_FIELDS
    return {
        **{name: getattr(enterprise, name) for name in fields},
        "tags": [tag.pk for tag in enterprise.tags.all()],
    }


@login_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    if not request.user.can_edit:
        raise PermissionDenied("您无权新增企业。")
    form = EnterpriseForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.enterprise_create(actor=request.user, source=Source.WEB, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增企业“{created.name}”。")
            return redirect(created)
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": "新增企业", "cancel_url": reverse("registry:list")},
    )


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
    if not (request.user.can_edit and path_in_scope(enterprise.district.path, request.user)):
        raise PermissionDenied("您无权修改该企业。")
    form = EnterpriseForm(request.POST or None, actor=request.user, initial=_initial(enterprise))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.enterprise_update(
                actor=request.user, source=Source.WEB, enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存“{saved.name}”。")
            return redirect(saved)
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": f"修改：{enterprise.name}", "cancel_url": enterprise.get_absolute_url()},
    )


def _problems(form: forms.Form) -> str:
    """A small inline form's problems as one Chinese message for the page it returns to."""
    return "；".join(
        f"{form.fields[name].label}：{'；'.join(errors)}" if name in form.fields else "；".join(errors)
        for name, errors in form.errors.items()
    )


class ContactForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    title = forms.CharField(label="职务", max_length=64, required=False)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    email = forms.EmailField(label="邮箱", required=False)


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return redirect(enterprise)
    try:
        services.contact_add(
            actor=request.user, source=Source.WEB, enterprise=enterprise, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(enterprise)


@login_required
@require_POST
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_scoped_or_404(Contact.objects.select_related("enterprise__district"), request.user, pk=pk)
    services.contact_remove(actor=request.user, source=Source.WEB, contact=contact)
    return redirect(contact.enterprise)


class TagForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=TagKind.choices)
    name = forms.CharField(label="名称", max_length=64)


@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    """The editable dictionary of industry chains and traditional industries, with how often each is used."""
    if request.method == "POST":
        form = TagForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_problems(form))
            services.tag_create(actor=request.user, source=Source.WEB, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("registry:tags")
    tags = IndustryTag.objects.annotate(used=Count("enterprises")).order_by("kind", "sort_order")
    groups = [(label, [tag for tag in tags if tag.kind == kind]) for kind, label in TagKind.choices]
    return render(request, "registry/tags.html", {"groups": groups, "kinds": TagKind.choices})


class TagChangeForm(forms.Form):
    name = forms.CharField(label="名称", max_length=64, required=False)
    action = forms.ChoiceField(label="操作", choices=[("", "改名"), ("delete", "删除")], required=False)


@login_required
@require_POST
def tag_change(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(IndustryTag, pk=pk)
    form = TagChangeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_problems(form))
        if form.cleaned_data["action"] == "delete":
            services.tag_delete(actor=request.user, source=Source.WEB, tag=tag)
        else:
            services.tag_rename(
                actor=request.user, source=Source.WEB, tag=tag, name=form.cleaned_data["name"]
            )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("registry:tags")


# Land: the profile's 用地 section -------------------------------------------------------------------------


def _ensure_can_edit(request: HttpRequest, enterprise: Enterprise) -> None:
    if not (request.user.can_edit and path_in_scope(enterprise.district.path, request.user)):
        raise PermissionDenied(services.LAND_REFUSAL)


def _land_back(enterprise: Enterprise) -> str:
    return f"{enterprise.get_absolute_url()}#land"


DATE = {"required": False, "widget": forms.DateInput(attrs={"type": "date"})}


class ParcelForm(forms.Form):
    code = forms.CharField(label="宗地编号", max_length=80)
    location = forms.CharField(label="坐落", max_length=200, required=False)
    area_mu = NumberField(label="面积（亩）")
    granted_on = forms.DateField(
        label="出让日期", help_text="土地出让合同签订日期，新增用地的不参评期从此起算", **DATE
    )


def _land_form_page(request: HttpRequest, form: forms.Form, title: str, back: str) -> HttpResponse:
    return render(request, "web/form_page.html", {"form": form, "title": title, "cancel_url": back})


@login_required
def parcel_create(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
    _ensure_can_edit(request, enterprise)
    form = ParcelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            parcel = services.parcel_create(
                actor=request.user, source=Source.WEB, enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记宗地 {parcel.code}。")
            return redirect(_land_back(enterprise))
    return _land_form_page(request, form, f"新增宗地：{enterprise.name}", _land_back(enterprise))


@login_required
def parcel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    parcel = selectors.parcel_get(actor=request.user, pk=pk)
    _ensure_can_edit(request, parcel.enterprise)
    initial = {name: getattr(parcel, name) for name in ("code", "location", "area_mu", "granted_on")}
    form = ParcelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.parcel_update(
                actor=request.user, source=Source.WEB, parcel=parcel, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存宗地 {saved.code}。")
            return redirect(_land_back(parcel.enterprise))
    return _land_form_page(request, form, f"修改宗地：{parcel.code}", _land_back(parcel.enterprise))


@login_required
@require_POST
def parcel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    parcel = selectors.parcel_get(actor=request.user, pk=pk)
    try:
        services.parcel_remove(actor=request.user, source=Source.WEB, parcel=parcel)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"已删除宗地 {parcel.code}。")
    return redirect(_land_back(parcel.enterprise))


class TenancyDatesForm(forms.Form):
    started_on = forms.DateField(label="起租日期", **DATE)
    ended_on = forms.DateField(label="止租日期", help_text="仍在租用则留空", **DATE)


class TenancyForm(TenancyDatesForm):
    """A tenancy of the enterprise on another's parcel, named by its code; the parcel is looked up in the
    actor's scope."""

    parcel = forms.CharField(label="宗地编号", max_length=80, help_text="出租方（宗地主）已登记的宗地编号")
    field_order = ["parcel", "started_on", "ended_on"]

    def __init__(self, *args: object, actor: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_parcel(self) -> LandParcel:
        code = self.cleaned_data["parcel"]
        parcel = selectors.parcel_by_code(actor=self.actor, code=code)
        if parcel is None:
            raise ValidationError(
                f"您的数据范围内没有编号为“{code.strip()[:80]}”的宗地，请先在宗地主的企业页登记该宗地。"
            )
        return parcel


@login_required
def tenancy_create(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
    _ensure_can_edit(request, enterprise)
    form = TenancyForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            tenancy = services.tenancy_create(
                actor=request.user, source=Source.WEB, enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记租用宗地 {tenancy.parcel.code}。")
            return redirect(_land_back(enterprise))
    return _land_form_page(request, form, f"登记租用厂房：{enterprise.name}", _land_back(enterprise))


@login_required
def tenancy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tenancy = selectors.tenancy_get(actor=request.user, pk=pk)
    _ensure_can_edit(request, tenancy.enterprise)
    initial = {"started_on": tenancy.started_on, "ended_on": tenancy.ended_on}
    form = TenancyDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tenancy_update(
                actor=request.user, source=Source.WEB, tenancy=tenancy, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存租用宗地 {tenancy.parcel.code} 的起止日期。")
            return redirect(_land_back(tenancy.enterprise))
    title = f"修改租用：{tenancy.enterprise.name} 租用宗地 {tenancy.parcel.code}"
    return _land_form_page(request, form, title, _land_back(tenancy.enterprise))


@login_required
@require_POST
def tenancy_remove(request: HttpRequest, pk: int) -> HttpResponse:
    tenancy = selectors.tenancy_get(actor=request.user, pk=pk)
    services.tenancy_remove(actor=request.user, source=Source.WEB, tenancy=tenancy)
    messages.success(request, f"已删除租用宗地 {tenancy.parcel.code} 的记录。")
    return redirect(_land_back(tenancy.enterprise))
