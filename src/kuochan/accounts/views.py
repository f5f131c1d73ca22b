import ipaddress

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.accounts import selectors, services
from kuochan.accounts.models import Role, SecurityEvent, User
from kuochan.audit.models import Source
from kuochan.audit.selectors import audit_for_object
from kuochan.core.forms import add_service_errors
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.selectors import org_units
from kuochan.web.exports import xlsx_response


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The user's own page: who they are, their scope, and their API tokens (a new one is shown once)."""
    issued = None
    error = None
    if request.method == "POST":
        try:
            issued = services.token_create(
                actor=request.user, source=Source.WEB, user=request.user, name=request.POST.get("name", "")
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    return render(
        request,
        "accounts/me.html",
        {"tokens": selectors.own_tokens(actor=request.user), "issued": issued, "error": error},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.own_tokens(actor=request.user), pk=pk)
    services.token_revoke(actor=request.user, source=Source.WEB, token=token)
    messages.success(request, f"已吊销令牌 {token}。")
    return redirect("accounts:me")


class UserCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=64, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org_unit = forms.ModelChoiceField(label="所属单位", queryset=OrgUnit.objects.none())
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)

    def __init__(self, *args: object, actor: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_units(actor=actor)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """City admins list the users in their scope and create new ones."""
    if not request.user.is_city_admin:
        raise PermissionDenied("只有市级管理员可以管理用户。")
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.user_create(actor=request.user, source=Source.WEB, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="password")
        else:
            messages.success(request, f"已创建用户 {created.username}（{created.get_role_display()}）。")
            return redirect("accounts:users")
    context = {"users": selectors.users(actor=request.user), "form": form}
    return render(request, "accounts/users.html", context)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.user_get(actor=request.user, pk=pk)
    trail = audit_for_object(actor=request.user, obj=shown)[:50]
    return render(request, "accounts/user_detail.html", {"shown": shown, "trail": trail})


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    """The login and security log, for city administrators: filter by event, account or address; export."""
    if not request.user.is_city_admin:
        raise PermissionDenied("只有市级管理员可以查看登录和安全日志。")
    found = SecurityEvent.objects.select_related("user")
    params = request.GET
    if params.get("kind") in SecurityEvent.Kind.values:
        found = found.filter(kind=params["kind"])
    if params.get("username"):
        found = found.filter(username=params["username"].strip())
    if params.get("ip"):
        found = found.filter(ip=params["ip"].strip()) if _is_ip(params["ip"].strip()) else found.none()
    if params.get("export") == "xlsx":
        return xlsx_response(
            "登录和安全日志",
            ["时间", "事件", "用户名", "来源地址", "说明"],
            ([timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.get_kind_display(), e.username, e.ip or "",
              e.detail] for e in found.iterator(chunk_size=2000)),
        )  # fmt: skip
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/security_log.html",
        {"page": Paginator(found, 100).get_page(params.get("page")), "kinds": SecurityEvent.Kind.choices,
         "filters": params, "query": query.urlencode()},
    )  # fmt: skip


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@login_required
def password_done(request: HttpRequest) -> HttpResponse:
    messages.success(request, "密码已修改。")
    return redirect("home")
