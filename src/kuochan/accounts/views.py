from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kuochan.accounts import selectors, services
from kuochan.audit.models import Source
from kuochan.audit.selectors import audit_for_object


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


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_city_admin:
        raise PermissionDenied("只有市级管理员可以管理用户。")
    return render(request, "accounts/users.html", {"users": selectors.users(actor=request.user)})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.user_get(actor=request.user, pk=pk)
    trail = audit_for_object(actor=request.user, obj=shown)[:50]
    return render(request, "accounts/user_detail.html", {"shown": shown, "trail": trail})
