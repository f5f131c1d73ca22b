import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kuochan.accounts.models import Role, User
from kuochan.cockpit.models import MonthlyReport
from kuochan.cockpit.selectors import supervision_board
from kuochan.demo.generators import DEMO_PASSWORD, ProjectOwner, other_cities, project_rows
from kuochan.evaluation.models import EvaluationResult
from kuochan.evaluation.selectors import explained
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.selectors import org_units
from kuochan.outreach.models import Ticket
from kuochan.outreach.rules import STATUS_LABELS
from kuochan.outreach.selectors import current_rules, overdue, ticket_queue
from kuochan.projects.models import Progress, Project, YearPlan
from kuochan.projects.rules import STALLS, Light, last_complete_month, project_code_problem, quality_findings
from kuochan.projects.selectors import project_board, project_lists

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> dict:
    call_command("demo_data", "--enterprises", "60", *args, "--format", "json")
    return json.loads(capsys.readouterr().out)


def test_demo_data_creates_one_user_per_role_who_can_log_in(huzhou, capsys, client):
    run(capsys)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values) - {Role.PENDING}
    assert client.login(username="wuxing", password=DEMO_PASSWORD)
    assert User.objects.get(username="wuxing").org_unit.name == "吴兴区"


def test_demo_data_can_run_again(huzhou, capsys):
    run(capsys)
    run(capsys)
    assert User.objects.filter(username="admin").count() == 1


def test_demo_data_needs_the_reference_data_first(db):
    with pytest.raises(CommandError, match="load-reference"):
        call_command("demo_data")


def test_province_scale_hangs_other_cities_beside_the_city_and_keeps_scopes(huzhou, capsys):
    summary = run(capsys, "--scale", "province", "--cities", "4", "--districts", "3", "--towns", "5")
    assert summary["org_units"] == {"created": 3 * (1 + 3 * (1 + 5)), "updated": 0}
    province = OrgUnit.objects.get(code="330000")
    assert set(province.children.values_list("kind", flat=True)) == {"city"}
    assert province.children.count() == 4 and huzhou["330500"].parent == province
    town = OrgUnit.objects.get(code="330502-T08")
    assert town.depth == 3
    wuxing = User.objects.get(username="wuxing")
    assert set(org_units(actor=wuxing).values_list("code", flat=True)) == {
        code for code in huzhou if code == "330502" or code.startswith("330502-")
    }
    city_staff = User.objects.get(username="city")
    assert org_units(actor=city_staff).count() == len(huzhou) - 1  # all of Huzhou; not the province above


def test_the_same_seed_gives_the_same_data():
    sizes = {"cities": 3, "districts": 2, "towns": 4}
    assert other_cities(seed=7, **sizes) == other_cities(seed=7, **sizes)
    assert other_cities(seed=7, **sizes) != other_cities(seed=8, **sizes)


def test_demo_registry_is_plausible_and_links_the_enterprise_user(huzhou, capsys):
    from kuochan.registry.models import AnnualMetric, Enterprise
    from kuochan.registry.rules import uscc_problem

    summary = run(capsys)
    assert summary["registry"]["enterprises"] == 60
    assert all(uscc_problem(code) is None for code in Enterprise.objects.values_list("uscc", flat=True))
    assert Enterprise.objects.values("district").distinct().count() == 7
    assert AnnualMetric.objects.filter(year=2025).count() > 40
    assert not AnnualMetric.objects.filter(revenue_wan__lt=0).exists()
    qiye = User.objects.get(username="qiye")
    assert qiye.enterprise is not None and qiye.enterprise.district.code == "330502"
    again = run(capsys)
    assert again["registry"] == {"existing": 60}


def test_the_same_seed_gives_the_same_enterprises():
    from kuochan.demo.generators import enterprise_rows

    districts = [(1, "330502", [11, 12]), (2, "330503", [])]
    assert enterprise_rows(seed=3, count=20, districts=districts) == enterprise_rows(
        seed=3, count=20, districts=districts
    )


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def test_demo_projects_show_every_light_and_stall_category_as_of_today(huzhou, capsys):
    summary = run(capsys)
    assert summary["projects"]["projects"] == round(60 / 3.5)
    board = project_board(actor=None, as_of=timezone.localdate())
    assert {verdict.light for verdict in board.verdicts} == set(Light)
    assert {verdict.stall for verdict in board.verdicts} - {None} == set(STALLS)
    kinds = {finding.kind for finding in quality_findings(board.facts, today=board.as_of, rules=board.rules)}
    assert "actual_order" in kinds


def test_demo_projects_fill_this_months_three_lists(huzhou, capsys):
    run(capsys)
    start, end = month_bounds(timezone.localdate())
    lists = project_lists(actor=None, start=start, end=end)
    assert lists.to_start and lists.to_complete and lists.to_above_scale


def test_demo_progress_year_to_date_never_falls_within_a_year(huzhou, capsys):
    run(capsys)
    reports = list(Progress.objects.order_by("project", "month").values_list("project", "month", "ytd_wan"))
    assert reports and reports[-1][1] <= last_complete_month(
        timezone.localdate()
    )  # the month ends today on the 30th
    previous: dict[tuple[int, int], Decimal] = {}
    for project, month, ytd in reports:
        key = (project, month.year)
        assert ytd >= previous.get(key, 0), (project, month)
        previous[key] = ytd
    assert YearPlan.objects.values("year").distinct().count() == 2


def test_demo_projects_are_plausible_audited_and_made_once(huzhou, capsys):
    from kuochan.audit.models import AuditEntry, Source

    run(capsys)
    projects = list(Project.objects.all())
    assert all(project_code_problem(p.code) is None for p in projects)
    assert all(p.equipment_wan <= p.total_wan for p in projects)
    assert {p.status for p in projects} >= {"active", "reserve", "terminated"}
    audited = AuditEntry.objects.filter(content_type__model="project", source=Source.SYSTEM)
    assert audited.count() == len(projects)
    assert run(capsys)["projects"] == {"existing": len(projects)}


def test_the_same_seed_gives_the_same_projects():
    owners = [ProjectOwner(n, 1 + n % 2, "330502", None, "3670", None, n % 3 == 0) for n in range(40)]
    today = dt.date(2026, 11, 22)

    def rows(seed: int) -> list[dict]:
        return list(project_rows(seed=seed, owners=owners, count=12, today=today))

    assert rows(3) == rows(3)
    assert rows(3) != rows(4)


def test_demo_has_last_two_years_evaluated_with_every_class_and_grade(huzhou, capsys):
    run(capsys, "--enterprises", "400")  # enough firms per industry for every carbon grade
    for year in (2024, 2025):
        results = EvaluationResult.objects.filter(year=year)
        assert set(results.values_list("klass", flat=True)) >= {"A", "B", "C", "D", "T"}
        assert set(results.values_list("carbon_grade", flat=True)) - {None} == {1, 2, 3, 4, 5}
    shown = explained(EvaluationResult.objects.filter(year=2025, klass="A")[:20])
    assert any(reason.startswith("较上年") for row in shown for reason in row.reasons)


def test_demo_data_without_enterprises_sets_up_the_rest(huzhou, capsys):
    """The benchmarks build their own enterprises on top of `demo-data --enterprises 0`."""
    summary = run(capsys, "--enterprises", "0")
    assert summary["resources"]["pools"] == 5 and summary["policies"]["applications"] == 0
    assert summary["outreach"] == {"visits": 0, "tickets": 0, "events": 0}


def test_demo_outreach_shows_every_stage_of_the_loop_with_overdue_and_escalated_tickets(huzhou, capsys):
    summary = run(capsys)
    assert summary["outreach"]["visits"] == 40 and summary["outreach"]["events"] == 14
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("status", flat=True)) == set(STATUS_LABELS)
    assert tickets.filter(escalated_at__isnull=False).exists()
    enterprise_user = User.objects.get(username="qiye")
    assert set(ticket_queue(actor=enterprise_user)[0].values_list("status", flat=True)) == {"resolved"}
    assert overdue(actor=None, as_of=timezone.localdate(), rules=current_rules())
    assert run(capsys)["outreach"] == {"existing": summary["outreach"]["tickets"]}


def test_demo_cockpit_has_tasks_in_every_light_and_last_months_report(huzhou, capsys):
    summary = run(capsys)
    assert summary["cockpit"] == {"tasks": 11, "cycle": True}
    lights = {row.light for row in supervision_board(actor=None, as_of=timezone.localdate())}
    assert lights >= {"red", "yellow", "green"}
    assert MonthlyReport.objects.count() == 1


def test_demo_land_and_carbon_data_are_plausible_and_made_once(huzhou, capsys):
    from kuochan.demo.land import BENCHMARK_SOURCE
    from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset
    from kuochan.registry.models import AnnualMetric, Enterprise, LandParcel, LandTenancy

    summary = run(capsys)["land"]
    land = {}
    for enterprise, land_mu in AnnualMetric.objects.order_by("year").values_list("enterprise", "land_mu"):
        land[enterprise] = land_mu
    parcels = list(LandParcel.objects.all())
    assert summary["parcels"] == len(parcels) >= 0.8 * (Enterprise.objects.count() - summary["tenancies"])
    assert all(parcel.area_mu == land[parcel.enterprise_id] for parcel in parcels)
    assert all(parcel.granted_on <= timezone.localdate() for parcel in parcels)
    tenancies = list(LandTenancy.objects.select_related("enterprise", "parcel__enterprise"))
    assert summary["tenancies"] == len(tenancies) >= 1
    for tenancy in tenancies:
        owner = tenancy.parcel.enterprise
        assert not tenancy.enterprise.above_scale and owner.above_scale and owner != tenancy.enterprise
        assert owner.district_id == tenancy.enterprise.district_id
    assert set(CarbonBenchmark.objects.values_list("year", flat=True)) == {2024, 2025}
    assert set(CarbonBenchmark.objects.values_list("source", flat=True)) == {BENCHMARK_SOURCE}
    offsets = list(CarbonOffset.objects.select_related("enterprise"))
    assert offsets and all(o.enterprise.above_scale and o.source.startswith("示例数据") for o in offsets)
    assert not AnnualMetric.objects.filter(rnd_wan__gt=0, rnd_spending_wan__isnull=True).exists()
    assert run(capsys)["land"] == {"existing": len(parcels)}


def test_demo_land_grants_a_few_parcels_in_the_last_three_years_and_repeats_with_its_seed():
    from kuochan.demo.land import Firm, land_rows

    firms = [
        Firm(n, 1 + n % 3, "330502", "织里镇", 1, n % 2 == 0, Decimal(10 + n % 40), None, None)
        for n in range(3000)
    ]
    today = dt.date(2026, 11, 22)
    parcels, tenancies = land_rows(seed=5, firms=firms, today=today)
    recent = [p for p in parcels if p["granted_on"] > today - dt.timedelta(days=3 * 365)]
    assert 0.01 < len(recent) / len(parcels) < 0.06
    assert len(tenancies) == round(3000 * 0.008)
    assert (parcels, tenancies) == land_rows(seed=5, firms=firms, today=today)


def test_demo_statistics_fill_the_monthly_table_and_the_work_plan_progresses(huzhou, capsys):
    summary = run(capsys)
    today = timezone.localdate()
    last = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    # 7 indicators × (the province where the tree has one, the city and its 7 districts) × every month from
    # January last year to last month
    months = 12 + last.month if last.year == today.year else 12
    areas = 8 + OrgUnit.objects.filter(kind="province").count()
    assert summary["statistics"]["figures"] == 7 * areas * months
    rows = json.loads(_statistics(capsys, f"{last:%Y-%m}"))["rows"]
    wuxing = [r for r in rows if r["area"] == "吴兴区"]
    assert len(wuxing) == 7 and all(1 <= r["rank"] <= 7 for r in wuxing)
    call_command("targets", "--as-of", "2025-09", "--plan", "huzhou-2025", "--format", "json")
    report = {r["code"]: r for r in json.loads(capsys.readouterr().out)["indicators"]}
    assert report["nev_chain_revenue"]["actual"] == 720 and report["nev_chain_revenue"]["light"] == "green"
    assert report["above_scale_value_added_growth"]["actual"] is not None  # from the monthly statistics
    assert run(capsys)["statistics"] == {"existing": summary["statistics"]["figures"]}


def _statistics(capsys, month: str) -> str:
    call_command("statistics", "--month", month, "--format", "json")
    return capsys.readouterr().out
