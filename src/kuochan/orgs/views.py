from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kuochan.audit.display import readable
from kuochan.audit.models import Source
from kuochan.audit.selectors import audit_for_object
from kuochan.core.forms import FilterForm, add_service_errors, filter_values, list_query, page_of
from kuochan.orgs import selectors, services
from kuochan.orgs.models import OrgKind, OrgUnit
from kuochan.web.exports import xlsx_response


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "short_name", "kind", "sort_order", "note"]


class UnitFilterForm(FilterForm):
    """The org-unit list's query string."""

    kind = forms.ChoiceField(label="类型", choices=[("", "—"), *OrgKind.choices], required=False)
    q = forms.CharField(label="名称或代码", max_length=100, required=False)
    export = forms.ChoiceField(label="导出", choices=[("", "—"), ("xlsx", "Excel")], required=False)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    values = filter_values(request, UnitFilterForm)[1]
    kind, query = values["kind"] or None, values["q"] or None
    units = selectors.org_units(actor=request.user, kind=kind, query=query)
    if values["export"] == "xlsx":
        rows = (
            [u.name, u.code, u.get_kind_display(), u.parent.name if u.parent else "", u.note] for u in units
        )
        return xlsx_response("组织单位", ["名称", "代码", "类型", "上级", "备注"], rows)
    return render(
        request,
        "orgs/list.html",
        {
            "page": page_of(request, units),
            # the tree drawn from the actor's own unit: Huzhou's city at the margin, not the province above it
            "indent": 1 - (request.user.org_unit.depth if request.user.org_unit_id else 0),
            "query": list_query(request),
            "kinds": OrgKind.choices,
            "kind": kind,
            "q": query or "",
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.org_unit_get(actor=request.user, pk=pk)
    return render(
        request,
        "orgs/detail.html",
        {
            "unit": unit,
            "ancestors": selectors.ancestors(unit),
            "children": selectors.org_units(actor=request.user).filter(parent=unit),
            "trail": readable(audit_for_object(actor=request.user, obj=unit)[:50]),
            "can_edit": services.can_edit_unit(request.user, unit),
            "can_add_child": services.can_add_child(request.user, unit),
        },
    )


def _save(form: OrgUnitForm, write: Callable[..., OrgUnit]) -> OrgUnit | None:
    """Run a service with the form's data; its Chinese messages land on the form's fields."""
    if not form.is_valid():
        return None
    try:
        return write(**form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.org_unit_get(actor=request.user, pk=pk)
    if not services.can_edit_unit(request.user, unit):
        raise PermissionDenied("您无权修改该单位。")
    form = OrgUnitForm(request.POST or None, instance=OrgUnit.objects.get(pk=unit.pk))
    if request.method == "POST":
        saved = _save(
            form,
            lambda **values: services.org_unit_update(
                actor=request.user, source=Source.WEB, unit=unit, **values
            ),
        )
        if saved:
            messages.success(request, f"已保存“{saved.name}”。")
            return redirect(saved)
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": f"修改：{unit.name}", "cancel_url": unit.get_absolute_url()},
    )


@login_required
def unit_add_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = selectors.org_unit_get(actor=request.user, pk=pk)
    if not services.can_add_child(request.user, parent):
        raise PermissionDenied("您无权在该单位下新增下级单位。")
    form = OrgUnitForm(request.POST or None, initial={"kind": OrgKind.TOWN})
    if request.method == "POST":
        saved = _save(
            form,
            lambda **values: services.org_unit_create(
                actor=request.user, source=Source.WEB, parent=parent, **values
            ),
        )
        if saved:
            messages.success(request, f"已新增“{saved.name}”。")
            return redirect(saved)
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": f"在“{parent.name}”下新增单位", "cancel_url": parent.get_absolute_url()},
    )
