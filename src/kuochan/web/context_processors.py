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
    ("policies", "政策直达", "policies:catalogue"),
    ("resources", "要素保障", "resources:pools"),
    ("outreach", "服务企业", "outreach:tickets"),
    ("cockpit", "驾驶舱", "cockpit:cockpit"),
)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.sees_business_data:
        return {"nav_modules": []}  # the three administrators' pages are in the account menu
    current = (
        request.resolver_match.app_name or request.resolver_match.url_name if request.resolver_match else ""
    )
    modules = [
        {"key": key, "label": label, "url": reverse(url_name) if url_name else None, "active": key == current}
        for key, label, url_name in MODULES
    ]
    return {"nav_modules": modules}
