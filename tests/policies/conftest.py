import datetime as dt
from decimal import Decimal

import pytest

from kuochan.audit.models import Source
from kuochan.policies.models import Policy
from kuochan.policies.services import attachment_add, budget_set, policy_load
from kuochan.projects import services as project_services
from kuochan.registry.models import Enterprise

PDF = b"%PDF-1.4\n%test\n%%EOF\n"
THIS_YEAR = dt.date.today().year

# 技改设备补助: 10% of equipment investment, at most 100万元, for above-scale enterprises' renovation projects.
EQUIPMENT_GRANT = {
    "code": "equipment-grant",
    "number": "（测试）",
    "title": "技改设备补助",
    "clause": "对规上企业技术改造项目，按设备投资的10%给予补助，最高100万元。",
    "lead": "市经信局",
    "co_responsible": ["市财政局"],
    "subject": "project",
    "support": {"kind": "share", "cap_wan": 100, "share_pct": 10, "base": "equipment_wan", "text": "设备投资10%，最高100万元"},
    "rule": {"all": [
        {"field": "enterprise.above_scale", "op": "is", "value": True},
        {"field": "project.is_renovation", "op": "is", "value": True},
    ]},
    "documents": ["设备购置发票清单"],
    "publicity_days": 5,
}  # fmt: skip


@pytest.fixture
def grant(huzhou, users):
    """The equipment grant in the catalogue with a 150万元 budget this year."""
    policy_load(data={"source": "测试", "policies": [EQUIPMENT_GRANT]}, source=Source.CLI)
    policy = Policy.objects.get(code="equipment-grant")
    budget_set(
        actor=users["city_staff"], source=Source.WEB, policy=policy, year=THIS_YEAR, amount_wan=Decimal(150)
    )
    return policy


@pytest.fixture
def projects(pipeline, users):
    """The pipeline's projects with equipment investment: 童装 (吴兴, above-scale) 800万元 → 80万元,
    新材料 (吴兴, below-scale) and 木业 (南浔, above-scale) 1500万元 → capped at 100万元."""
    actor = users["city_admin"]
    for label, total, equipment in (
        ("red", "12000", "800"),
        ("yellow", "12000", "600"),
        ("green", "2000", "1500"),
    ):
        project_services.project_update(
            actor=actor, source=Source.WEB, project=pipeline[label], total_wan=Decimal(total),
            equipment_wan=Decimal(equipment),
        )  # fmt: skip
    return pipeline


@pytest.fixture
def enterprise_user(users, registered):
    """The enterprise user belongs to 湖州织里童装有限公司 (吴兴区)."""
    user = users["enterprise"]
    user.enterprise = Enterprise.objects.get(uscc=registered[0])
    user.save()
    return user


def attach(actor, application, document="设备购置发票清单"):
    return attachment_add(
        actor=actor,
        source=Source.WEB,
        application=application,
        document=document,
        name="发票清单.pdf",
        content=PDF,
    )
