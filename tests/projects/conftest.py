import datetime as dt
from decimal import Decimal

import pytest

from kuochan.audit.models import Source
from kuochan.projects import services
from kuochan.registry.models import Enterprise

TODAY = dt.date.today()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def pipeline(registered, users):
    """Four projects of the registered enterprises, as city staff would enter them by hand:
    red (start missed by 120 days), yellow (start missed by 10 days), green (started, on pace), and a
    terminated one with no light. Returns {label: project}."""
    actor = users["city_admin"]
    wuxing_a, wuxing_b = (
        Enterprise.objects.get(uscc=registered[0]),
        Enterprise.objects.get(uscc=registered[1]),
    )
    nanxun = Enterprise.objects.get(uscc=registered[2])

    def make(name, enterprise, code="", total="12000", **dates):
        project = services.project_create(
            actor=actor, source=Source.WEB, code=code, name=name, enterprise=enterprise,
            project_type="renovation", is_renovation=True, total_wan=Decimal(total), status="active",
        )  # fmt: skip
        return services.milestones_update(actor=actor, source=Source.WEB, project=project, **dates)

    projects = {
        "red": make(
            "童装智能工厂技改项目", wuxing_a, "2026-330502-26-03-000001",
            signed_actual=days_ago(300), registered_actual=days_ago(200), started_planned=days_ago(120),
            completed_planned=TODAY + dt.timedelta(days=300),
        ),
        "yellow": make(
            "新材料扩产项目", wuxing_b, "2026-330502-26-03-000002",
            signed_actual=days_ago(100), registered_actual=days_ago(60), started_planned=days_ago(10),
        ),
        "green": make(
            "木业新建厂房项目", nanxun, "2026-330503-26-03-000003", total="300",
            signed_actual=days_ago(400), registered_actual=days_ago(380), started_actual=days_ago(350),
            completed_planned=TODAY + dt.timedelta(days=200),
        ),
        "terminated": make("已终止项目", nanxun, "2026-330503-26-03-000004", started_planned=days_ago(500)),
    }  # fmt: skip
    services.project_update(
        actor=actor, source=Source.WEB, project=projects["terminated"], status="terminated"
    )
    return projects
