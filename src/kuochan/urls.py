from django.contrib.auth import views as auth_views
from django.urls import include, path

from kuochan.accounts import views as accounts_views
from kuochan.core.api import api
from kuochan.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("login/", accounts_views.TwoStepLoginView.as_view(), name="login"),
    path("login/code/", accounts_views.login_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("maps/<int:unit_id>.geojson", web_views.unit_map, name="unit-map"),
    path("orgs/", include("kuochan.orgs.urls")),
    path("accounts/", include("kuochan.accounts.urls")),
    path("audit/", include("kuochan.audit.urls")),
    path("enterprises/", include("kuochan.registry.urls")),
    path("projects/", include("kuochan.projects.urls")),
    path("evaluation/", include("kuochan.evaluation.urls")),
    path("targets/", include("kuochan.targets.urls")),
    path("statistics/", include("kuochan.statistics.urls")),
    path("policies/", include("kuochan.policies.urls")),
    path("cultivation/", include("kuochan.cultivation.urls")),
    path("resources/", include("kuochan.resources.urls")),
    path("outreach/", include("kuochan.outreach.urls")),
    path("digital/", include("kuochan.digital.urls")),
    path("cockpit/", include("kuochan.cockpit.urls")),
    path("notifications/", include("kuochan.notifications.urls")),
    path("imports/", include("kuochan.imports.urls")),
    path("jobs/", include("kuochan.jobs.urls")),
    path("api/v1/", api.urls),
    path("my/", include("kuochan.portal.urls")),
]

handler403 = "kuochan.web.views.permission_denied"
