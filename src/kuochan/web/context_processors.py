from django.http import HttpRequest
from django.urls import reverse

# The modules of the programme, in the order of the monthly cycle. A module without a url is not built yet
# and shows as such, so users see where the platform is going without dead links.
MODULES = (
    ("home", "首页", "home"),
    ("registry", "企业库", "registry:list"),
    ("projects", "项目管理", "projects:list"),
    ("targets", "目标进度", "targets:plan"),
    ("evaluation", "评价分类", "evaluation:results"),
    ("cultivation", "梯度培育", "cultivation:index"),
    ("policies", "政策直达", "policies:catalogue"),
    ("resources", "要素保障", "resources:pools"),
    ("outreach", "服务企业", "outreach:tickets"),
    ("digital", "数字化改造", "digital:overview"),
    ("cockpit", "驾驶舱", "cockpit:cockpit"),
)

# Apps whose pages sit under another module of the menu (工业经济月报 is a tab of 目标进度).
MODULE_OF = {"statistics": "targets"}

# The enterprise contact's own menu: only what an enterprise may use, about its own enterprise.
PORTAL = (
    ("portal:home", "我的待办", "portal:home"),
    ("portal:projects", "我的项目", "portal:projects"),
    ("portal:tickets", "我的诉求", "portal:tickets"),
    ("portal:policies", "政策", "portal:policies"),
    ("portal:applications", "我的申报", "portal:applications"),
    ("portal:evaluation", "我的评价", "portal:evaluation"),
)
# The portal pages a menu item stands for, besides its own (a ticket's page is under 我的诉求).
PORTAL_PAGES = {"portal:ticket": "portal:tickets", "portal:ticket-new": "portal:tickets"}


def _current(request: HttpRequest, enterprise: bool) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    if enterprise:
        return PORTAL_PAGES.get(match.view_name, match.view_name)
    current = match.app_name or match.url_name
    return MODULE_OF.get(current, current)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.sees_business_data:
        return {"nav_modules": []}  # the three administrators' pages are in the account menu
    enterprise = user.is_enterprise_user
    current = _current(request, enterprise)
    modules = [
        {"key": key, "label": label, "url": reverse(url_name) if url_name else None, "active": key == current}
        for key, label, url_name in (PORTAL if enterprise else MODULES)
    ]
    return {"nav_modules": modules}
