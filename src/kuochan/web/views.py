from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kuochan.accounts.models import ADMIN_ROLES, SecurityEvent
from kuochan.accounts.security import security_event_record
from kuochan.core.forms import FilterForm, filter_values
from kuochan.orgs.models import OrgUnit
from kuochan.reference import data_file
from kuochan.web.selectors import FIGURE_LABELS, home_map, reporting_unit_figures
from kuochan.web.todo import todo_for


class HomeFilter(FilterForm):
    """The home page's query string: the day the to-do is for (today unless it names another)."""

    as_of = forms.DateField(label="日期", required=False)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The actor's to-do (待办) on a day, most urgent first; below it, the scope on the map with a figure per
    reporting unit, and the zones beside the map. The three administrators see only their queues."""
    user = request.user
    if user.is_enterprise_user:  # the enterprise contact's home is its own to-do list
        return redirect("portal:home")
    as_of = filter_values(request, HomeFilter)[1]["as_of"] or timezone.localdate()
    todo = todo_for(actor=user, as_of=as_of)
    if user.role in ADMIN_ROLES:
        return render(request, "web/home.html", {"todo": todo, "as_of": as_of, "administrator": True})
    rows = reporting_unit_figures(actor=user)
    map_unit = home_map(actor=user)
    on_map = [row for row in rows if row.unit.map_name]
    beside_map = [row for row in rows if not row.unit.map_name]
    map_data = {
        "map_url": f"/maps/{map_unit.pk}.geojson" if map_unit else None,
        "map_key": map_unit.code if map_unit else None,
        "figure_labels": FIGURE_LABELS,
        "regions": [
            {
                "name": row.unit.map_name,
                "unit": row.unit.name,
                "url": row.unit.get_absolute_url(),
                **row.figures,
            }
            for row in on_map
        ],
    }
    return render(
        request,
        "web/home.html",
        {
            "todo": todo,
            "as_of": as_of,
            "rows": rows,
            "beside_map": beside_map,
            "map_unit": map_unit,
            "map_data": map_data,
            "figure_labels": FIGURE_LABELS,
        },
    )


@login_required
def unit_map(request: HttpRequest, unit_id: int) -> FileResponse:
    """The GeoJSON map of a unit's sub-areas: for units in the user's scope and for their ancestors, since a
    district user's map is the city's (geography is not business data; the figures on it are scoped)."""
    user = request.user
    unit = OrgUnit.objects.filter(pk=unit_id).exclude(map_file="").first()
    path = user.org_path
    if unit is None or path is None or user.is_enterprise_user:
        raise Http404("没有该地图。")
    if not (unit.path.startswith(path) or path.startswith(unit.path)):
        raise Http404("没有该地图。")
    try:
        return FileResponse(data_file(unit.map_file).open("rb"), content_type="application/geo+json")
    except FileNotFoundError as exc:
        raise Http404("地图文件不存在。") from exc


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A refused page: the reason in Chinese, and a line in the security log (越权访问)."""
    reason = str(exception) if exception and str(exception) else "无权访问此页面。"
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    security_event_record(SecurityEvent.Kind.DENIED, request=request, user=user, detail=reason)
    return render(request, "web/403.html", {"reason": reason}, status=403)
