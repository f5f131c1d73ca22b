import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from kuochan.accounts import selectors, services
from kuochan.accounts.models import ADMIN_ROLES, Role, SecurityEvent, SecurityPolicy, User
from kuochan.accounts.security import (
    LockoutAuthenticationForm,
    OtpForm,
    lockout_check,
    security_event_record,
    totp_for,
)
from kuochan.audit.display import readable
from kuochan.audit.models import Source
from kuochan.audit.selectors import audit_for_object
from kuochan.core.forms import add_service_errors, chosen, date_or_none, form_refusal, list_query, page_of
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise
from kuochan.web.exports import xlsx_response


class TokenForm(forms.Form):
    name = forms.CharField(
        label="令牌用途", max_length=64, required=False
    )  # empty: the service says what to write


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The user's own page: who they are, their scope, and their API tokens (a new one is shown once)."""
    issued = None
    error = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            issued = services.token_create(
                actor=request.user, source=Source.WEB, user=request.user, name=form.cleaned_data["name"]
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
    phone = forms.CharField(label="手机", max_length=32, required=False)
    org_unit = forms.ModelChoiceField(label="所属单位", queryset=OrgUnit.objects.none())
    enterprise = forms.CharField(
        label="所属企业（企业用户填写统一社会信用代码）", max_length=32, required=False
    )
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text="请告知用户，并提醒其登录后在“修改密码”中改为自己的密码。",
    )

    def __init__(self, *args: object, actor: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(path__startswith=actor.org_path or "\0")

    def clean_enterprise(self) -> Enterprise | None:
        return selectors.enterprise_by_uscc(self.cleaned_data["enterprise"])


class UserEditForm(UserCreateForm):
    email = forms.EmailField(label="电子邮箱", required=False)
    is_active = forms.BooleanField(label="启用（停用后不能登录，历史记录保留）", required=False)

    field_order = ["full_name", "phone", "email", "org_unit", "enterprise", "is_active"]

    def __init__(self, *args: object, actor: User, **kwargs: object) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        del self.fields["username"], self.fields["password"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="临时密码", widget=forms.PasswordInput, help_text="用户下次登录时须先修改为自己的密码。"
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=[(r, Role(r).label) for r in services.ASSIGNABLE_ROLES])


def _account_admin(request: HttpRequest) -> None:
    if not (request.user.is_system_admin or request.user.is_security_admin):
        raise PermissionDenied("只有系统管理员和安全管理员可以管理账号。")


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """Accounts in the administrator's charge. The system administrator creates them (without a role);
    the security administrator assigns the roles (三员分立)."""
    _account_admin(request)
    form = UserCreateForm(request.POST or None, actor=request.user) if request.user.is_system_admin else None
    if request.method == "POST" and form is None:
        raise PermissionDenied("只有系统管理员可以创建账号。")
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            created = services.user_create(actor=request.user, source=Source.WEB, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="password")
        else:
            messages.success(request, f"已创建账号 {created.username}，请安全管理员为其分配角色。")
            return redirect("accounts:users")
    found = selectors.users(actor=request.user)
    if role := chosen(request.GET, "role", Role.values):
        found = found.filter(role=role)
    if chosen(request.GET, "locked", ["1"]):
        found = found.filter(pk__in=selectors.locked_users(actor=request.user, at=timezone.now()))
    return render(
        request,
        "accounts/users.html",
        {
            "page": page_of(request, found),
            "query": list_query(request),
            "form": form,
            "roles": Role.choices,
            "filters": request.GET,
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.user_get(actor=request.user, pk=pk)
    user = request.user
    forms_shown = {}
    if user.is_system_admin and shown.role not in ADMIN_ROLES:
        initial = {**model_to_dict(shown, services.ACCOUNT_FIELDS),
                   "enterprise": shown.enterprise.uscc if shown.enterprise_id else ""}  # fmt: skip
        forms_shown["edit"] = UserEditForm(initial=initial, actor=user)
        forms_shown["reset"] = PasswordResetForm()
    if user.is_security_admin and shown.role not in ADMIN_ROLES and shown.pk != user.pk:
        forms_shown["role"] = RoleForm(initial={"role": shown.role})
    if request.method == "POST":
        form = _user_action(request, shown, forms_shown)
        if form is None:
            return redirect("accounts:user-detail", pk=shown.pk)
    trail = readable(audit_for_object(actor=user, obj=shown, checked=user.role in ADMIN_ROLES)[:50])
    return render(request, "accounts/user_detail.html", {"shown": shown, "trail": trail, **forms_shown})


def _user_action(request: HttpRequest, shown: User, forms_shown: dict) -> forms.Form | None:
    """Apply the posted form (edit, reset, role or second factor); None when done, else the form with errors."""
    action = chosen(request.POST, "action", ["totp-reset", *forms_shown])
    if action == "totp-reset" and request.user.is_security_admin:
        services.totp_reset(actor=request.user, source=Source.WEB, user=shown)
        messages.success(request, f"已解除 {shown.username} 的身份验证器绑定，其下次登录后须重新绑定。")
        return None
    if action not in forms_shown:
        raise PermissionDenied("无权执行此操作。")
    form = {"edit": UserEditForm, "reset": PasswordResetForm, "role": RoleForm}[action](
        request.POST, **({"actor": request.user} if action == "edit" else {})
    )
    forms_shown[action] = form
    if not form.is_valid():
        return form
    run = {
        "edit": services.user_update,
        "reset": services.user_password_reset,
        "role": services.user_role_set,
    }
    try:
        run[action](actor=request.user, source=Source.WEB, user=shown, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    done = {"edit": "已保存账号信息。", "reset": "已重置密码，用户下次登录须先修改。", "role": "已分配角色。"}
    messages.success(request, done[action])
    return None


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = [
            "password_min_length", "password_classes", "password_days", "lockout_account_failures",
            "lockout_address_failures", "lockout_minutes", "idle_minutes", "admin_totp_required",
            "security_log_days",
        ]  # fmt: skip


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    """The security policy: the security administrator changes it, within the level-3 bounds."""
    if not request.user.is_security_admin:
        raise PermissionDenied("只有安全管理员可以修改安全策略。")
    current = selectors.security_policy()
    form = PolicyForm(request.POST or None, instance=SecurityPolicy.objects.first() or current)
    if request.method == "POST" and form.is_valid():
        services.policy_update(actor=request.user, source=Source.WEB, **form.cleaned_data)
        messages.success(request, "安全策略已保存并生效。")
        return redirect("accounts:policy")
    return render(request, "web/form_page.html", {"form": form, "title": "安全策略", "cancel_url": "/"})


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    """The login and security log, for the auditor: filter by event, account or address; export."""
    if not request.user.is_auditor:
        raise PermissionDenied("只有安全审计员可以查看登录和安全日志。")
    params = request.GET
    filters = selectors.SecurityLogFilter(
        kind=params.get("kind") if params.get("kind") in SecurityEvent.Kind.values else None,
        username=params.get("username") or None,
        ip=params.get("ip") or None,
        date_from=date_or_none(params.get("date_from")),
        date_to=date_or_none(params.get("date_to")),
    )
    found = selectors.security_events(actor=request.user, filters=filters)
    if params.get("export") == "xlsx":
        return xlsx_response(
            "登录和安全日志",
            ["时间", "事件", "用户名", "来源地址", "访问地址", "说明"],
            ([timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.get_kind_display(), e.username, e.ip or "",
              e.path, e.detail] for e in found.iterator(chunk_size=2000)),
        )  # fmt: skip
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/security_log.html",
        {"page": page_of(request, found), "kinds": SecurityEvent.Kind.choices,
         "filters": params, "query": query.urlencode(),
         "retention_days": selectors.security_policy().security_log_days},
    )  # fmt: skip


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, noted in the security log."""

    template_name = "accounts/password.html"
    success_url = reverse_lazy("accounts:password-done")

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        security_event_record(SecurityEvent.Kind.PASSWORD, request=self.request, user=self.request.user)
        return response


@login_required
def password_done(request: HttpRequest) -> HttpResponse:
    messages.success(request, "密码已修改。")
    return redirect("home")


PENDING_SIGN_IN = "otp-pending"
PENDING_SECONDS = 300


class TwoStepLoginView(auth_views.LoginView):
    """The password first; an account with an authenticator then gives a code on the next page before it
    is signed in (nothing is reachable in between)."""

    template_name = "web/login.html"
    authentication_form = LockoutAuthenticationForm

    def form_valid(self, form: forms.Form) -> HttpResponse:
        user = form.get_user()
        if not user.totp_enabled:
            return super().form_valid(form)
        self.request.session[PENDING_SIGN_IN] = {
            "user": user.pk, "backend": user.backend, "next": self.get_success_url(),
            "until": timezone.now().timestamp() + PENDING_SECONDS,
        }  # fmt: skip
        return redirect("login-code")


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the authenticator's code, counted against the lockout like a password."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not pending or pending["until"] < timezone.now().timestamp():
        request.session.pop(PENDING_SIGN_IN, None)
        messages.warning(request, "请重新输入用户名和密码。")
        return redirect("login")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lockout_check(request, user.username)
        except ValidationError as exc:
            request.session.pop(PENDING_SIGN_IN, None)
            messages.error(request, "；".join(exc.messages))
            return redirect("login")
        if services.totp_sign_in(user=user, code=form.cleaned_data["code"], request=request):
            del request.session[PENDING_SIGN_IN]
            auth_login(request, user, backend=pending["backend"])
            return redirect(pending["next"])
        form.add_error("code", "动态口令不正确，请输入验证器当前显示的 6 位数字。")
    return render(request, "accounts/login_code.html", {"form": form})


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Binding an authenticator (a QR code to scan, then a code to confirm), or turning it off."""
    user = request.user
    if not user.may_use_totp:
        raise PermissionDenied("双因素认证适用于管理员角色。")
    form = OtpForm(request.POST or None)
    action = chosen(request.POST, "action", ["begin", "disable"])
    if request.method == "POST" and action == "begin":
        services.totp_begin(user=user)
        return redirect("accounts:otp")
    if request.method == "POST" and form.is_valid():
        service = services.totp_disable if action == "disable" else services.totp_confirm
        try:
            service(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="code")
        else:
            messages.success(request, "已停用双因素认证。" if action == "disable" else "已启用双因素认证。")
            return redirect("accounts:otp")
    qr = None
    if user.totp_secret and not user.totp_enabled:
        uri = totp_for(user).provisioning_uri()
        qr = mark_safe(segno.make(uri, error="m").svg_inline(scale=4, omitsize=True))
    return render(
        request,
        "accounts/otp.html",
        {"form": form, "qr": qr, "required": selectors.security_policy().admin_totp_required},
    )
