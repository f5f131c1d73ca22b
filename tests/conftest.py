import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from kuochan.accounts.models import Role, User
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit
from kuochan.policies.models import Policy
from kuochan.policies.services import attachment_add, budget_set, policy_load
from kuochan.projects import services as project_services
from kuochan.registry.models import Enterprise
from tests.xlsx import uscc, write_xlsx

PASSWORD = "correct-horse-battery-staple"

# The suite runs on a clock set to noon of today's local date. Tests compute "today" once, when their module
# is imported, and the pages compute it on every request; a run that crossed local midnight (16:00 UTC for
# Huzhou) would see two different days. The clock still ticks, so timeouts and durations behave.
_NOON_TODAY = dt.datetime.combine(timezone.localdate(), dt.time(12), tzinfo=timezone.get_current_timezone())
_SUITE_CLOCK = time_machine.travel(_NOON_TODAY, tick=True)
_SUITE_CLOCK.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    _SUITE_CLOCK.stop()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in often; the production hasher's deliberate slowness would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded and generated files go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached figures are keyed by the latest audit entry's id, which a rolled-back test may hand out again."""
    cache.clear()


@pytest.fixture
def huzhou(db):
    """Huzhou's org units, loaded as `kuochan load-reference` does."""
    call_command("load_reference", verbosity=0)
    return {unit.code: unit for unit in OrgUnit.objects.all()}


def make_user(username: str, role: str, unit: OrgUnit | None) -> User:
    user = User(username=username, role=role, org_unit=unit)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(huzhou):
    """One user per role, plus a second district's staff."""
    return {
        "city_admin": make_user("admin", Role.CITY_ADMIN, huzhou["330500"]),
        "city_staff": make_user("city", Role.CITY_STAFF, huzhou["330500"]),
        "wuxing": make_user("wuxing", Role.DISTRICT_STAFF, huzhou["330502"]),
        "nanxun": make_user("nanxun", Role.DISTRICT_STAFF, huzhou["330503"]),
        "enterprise": make_user("qiye", Role.ENTERPRISE, huzhou["330502"]),
        "leader": make_user("leader", Role.LEADER, huzhou["330500"]),
    }


@pytest.fixture
def admins(huzhou):
    """The three administrators (三员), at the city."""
    return {
        "system": make_user("sysadmin", Role.SYSTEM_ADMIN, huzhou["330500"]),
        "security": make_user("secadmin", Role.SECURITY_ADMIN, huzhou["330500"]),
        "auditor": make_user("auditor", Role.AUDITOR, huzhou["330500"]),
    }


@pytest.fixture
def login(client):
    def as_user(user: User):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def run_jobs():
    """Run the queued jobs as the worker would (`kuochan.jobs.services.job_run`), in this test's transaction;
    returns them as they ended. tests/jobs drives the real `db_worker` end to end."""
    from kuochan.jobs.models import Job, JobStatus
    from kuochan.jobs.services import job_run

    def run() -> list[Job]:
        queued = list(Job.objects.filter(status=JobStatus.QUEUED).order_by("pk").values_list("pk", flat=True))
        for pk in queued:
            job_run(pk)
        return list(Job.objects.filter(pk__in=queued).order_by("pk"))

    return run


ENTERPRISE_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所属区县",
    "所属乡镇（园区）",
    "成立日期",
    "行业代码",
    "企业规模",
    "是否规上",
]


@pytest.fixture
def run_cli(capsys):
    """Runs `kuochan import …` and returns (exit code, JSON result)."""

    def run(kind, path, *options):
        code = 0
        try:
            call_command("import", kind, str(path), "--format", "json", *options)
        except SystemExit as exc:
            code = exc.code
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    return run


@pytest.fixture
def registered(huzhou, tmp_path, run_cli):
    """Three enterprises: two in 吴兴区, one in 南浔区."""
    path = write_xlsx(
        tmp_path / "enterprises.xlsx",
        [
            ENTERPRISE_HEADER,
            [uscc(1), "湖州织里童装有限公司", "吴兴区", "织里镇", "2012-05-01", "1811", "中", "是"],
            [uscc(2), "湖州吴兴新材料有限公司", "吴兴区", "", "2019-09-09", "2651", "小", "否"],
            [uscc(3, "330503"), "南浔木业有限公司", "南浔区", "双林镇", "2008-01-15", "2110", "中", "是"],
        ],
    )
    code, result = run_cli("enterprises", path)
    assert code == 0 and result["created"] == 3, result
    return [uscc(1), uscc(2), uscc(3, "330503")]


@pytest.fixture
def two_cities(with_metrics, users):
    """Huzhou (city A, with the three registered enterprises and their figures) and a second city B of the
    same province with one district and one enterprise with 2025 figures, as at province scale; city-level
    staff of each. Returns {"a_staff", "b_staff", "b_district", "b_enterprise"}."""
    from kuochan.orgs.services import org_units_load
    from kuochan.registry.models import AnnualMetric

    org_units_load(
        rows=[
            {"code": "B", "name": "乙市", "kind": "city", "parent_code": "330000"},  # beside Huzhou in 浙江省
            {"code": "B-D1", "name": "乙市甲区", "kind": "district", "parent_code": "B"},
        ]
    )
    district = OrgUnit.objects.get(code="B-D1")
    firm = Enterprise.objects.create(
        uscc=uscc(9, "990101"), name="乙市机械有限公司", district=district, above_scale=True
    )
    for metric in AnnualMetric.objects.filter(enterprise__uscc=with_metrics[2]):
        metric.pk, metric.enterprise = None, firm
        metric.save()
    return {
        "a_staff": users["city_staff"],
        "b_staff": make_user("b_city", Role.CITY_STAFF, OrgUnit.objects.get(code="B")),
        "b_district": district,
        "b_enterprise": firm,
    }


TODAY = timezone.localdate()


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
        project = project_services.project_create(
            actor=actor, source=Source.WEB, code=code, name=name, enterprise=enterprise,
            project_type="renovation", is_renovation=True, total_wan=Decimal(total), status="active",
        )  # fmt: skip
        return project_services.milestones_update(actor=actor, source=Source.WEB, project=project, **dates)

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
    project_services.project_update(
        actor=actor, source=Source.WEB, project=projects["terminated"], status="terminated"
    )
    return projects


METRIC_HEADER = [
    "统一社会信用代码", "年度", "营业收入（万元）", "工业增加值（万元）", "实缴税金（万元）", "研发费用（万元）",
    "综合能耗（吨标准煤）", "用电量（万千瓦时）", "主要污染物排放量（吨）", "碳排放量（吨CO₂）", "零碳电力（万千瓦时）",
    "用地面积（亩）", "年平均职工人数",
]  # fmt: skip


@pytest.fixture
def with_metrics(registered, tmp_path, run_cli):
    """2024 and 2025 figures for the three registered enterprises: 童装 (吴兴, above-scale), 新材料 (吴兴,
    below-scale, 12 亩) and 木业 (南浔, above-scale, 亩均税收 4 万元)."""
    tongzhuang, xincailiao, muye = registered
    rows = [METRIC_HEADER]
    for year, factor in ((2024, 0.9), (2025, 1.0)):
        rows += [
            [
                tongzhuang,
                year,
                10000 * factor,
                2500 * factor,
                400 * factor,
                300,
                500,
                1000,
                5,
                2000,
                0,
                50,
                200,
            ],
            [xincailiao, year, 1900 * factor, 300 * factor, 20 * factor, 30, 80, 150, 1, 400, 10, 12, 30],
            [muye, year, 8000 * factor, 1600 * factor, 160 * factor, 80, 900, 800, 10, 2400, 100, 40, 160],
        ]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "metrics.xlsx", rows))
    assert code == 0, result
    return registered


# 政策直达 -------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%test\n%%EOF\n"
THIS_YEAR = timezone.localdate().year

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
    policy_load(
        data={"source": "测试", "org_unit": "330500", "policies": [EQUIPMENT_GRANT]}, source=Source.CLI
    )
    policy = Policy.objects.get(code="equipment-grant")
    budget_set(
        actor=users["city_staff"], source=Source.WEB, policy=policy, year=THIS_YEAR, amount_wan=Decimal(150)
    )
    return policy


@pytest.fixture
def equipped(pipeline, users):
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
