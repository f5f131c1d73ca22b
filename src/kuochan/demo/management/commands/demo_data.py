import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from kuochan.accounts.models import User
from kuochan.accounts.services import user_create
from kuochan.audit.models import Source
from kuochan.demo.cockpit import demo_cockpit
from kuochan.demo.cultivation import demo_cultivation
from kuochan.demo.digital import demo_digital
from kuochan.demo.generators import (
    DEMO_PASSWORD,
    DEMO_USERS,
    METRIC_YEARS,
    ProjectOwner,
    enterprise_rows,
    other_cities,
    project_rows,
)
from kuochan.demo.land import demo_land
from kuochan.demo.outreach import demo_outreach
from kuochan.demo.policies import demo_policies
from kuochan.demo.resources import demo_resources
from kuochan.demo.rounds import demo_rounds
from kuochan.demo.services import demo_projects_create, demo_registry_create
from kuochan.demo.statistics import demo_statistics
from kuochan.evaluation.models import EvaluationRun, Exemption
from kuochan.evaluation.services import evaluate_every_city
from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.orgs.services import flatten_tree, org_units_load
from kuochan.projects.models import Project
from kuochan.registry.models import AnnualMetric, Enterprise, TagKind

SCALES = {
    # cities in all, districts per extra city, towns per extra district
    "city": None,
    "province": {"cities": 11, "districts": 8, "towns": 12},
}


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "生成演示数据（可用 --seed 复现）：企业库（含宗地、租用厂房、碳抵消）、省级行业碳效基准、项目库（含年度计划与月度进展）、演示账号（每个角色一个），以及省级规模的组织树。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="city", help="city：本市；province：全省规模"
        )
        parser.add_argument("--cities", type=int, help="省级规模时的城市数（含本市）")
        parser.add_argument("--districts", type=int, help="每个其他城市的区县数")
        parser.add_argument("--towns", type=int, help="每个其他区县的乡镇数")
        parser.add_argument("--enterprises", type=int, default=5000, help="企业数（已有企业时不再生成）")
        parser.add_argument("--force", action="store_true", help="在生产环境中也执行（慎用）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("生产环境不生成演示数据（如确需，请加 --force）。", returncode=2)
        city = OrgUnit.objects.select_related("parent").filter(code="330500").first()
        if city is None:
            raise CommandError("请先运行 kuochan load-reference 加载湖州参考数据。", returncode=2)
        province = city.parent if city.parent is not None and city.parent.kind == OrgKind.PROVINCE else None
        if options["scale"] == "province" and province is None:
            raise CommandError(
                "组织架构中湖州市没有上级省级单位，无法生成全省规模的数据；请先运行 kuochan load-reference。",
                returncode=2,
            )
        summary: dict[str, object] = {"seed": options["seed"], "scale": options["scale"]}
        with transaction.atomic():
            if options["scale"] == "province":
                sizes = {key: options[key] or default for key, default in SCALES["province"].items()}
                # the other cities of the province, beside Huzhou under 浙江省
                rows = flatten_tree(other_cities(seed=options["seed"], **sizes), province.code)
                result = org_units_load(rows=rows, source=Source.CLI)
                summary["org_units"] = {"created": result.created, "updated": result.updated}
            summary["registry"] = _demo_registry(options["seed"], options["enterprises"], city)
            summary["land"] = demo_land(options["seed"], timezone.localdate())
            summary["projects"] = _demo_projects(options["seed"], city, timezone.localdate())
            summary["evaluation"] = _demo_evaluation()
            summary["users"] = _demo_users()
            summary["policies"] = demo_policies(timezone.localdate())
            summary["resources"] = demo_resources(timezone.localdate())
            summary["outreach"] = demo_outreach(timezone.localdate(), options["seed"])
            summary["statistics"] = demo_statistics(options["seed"], timezone.localdate())
            summary["digital"] = demo_digital(timezone.localdate(), options["seed"])
            summary["cockpit"] = demo_cockpit(timezone.localdate())
            summary["cultivation"] = demo_cultivation(timezone.localdate())
            summary["rounds"] = demo_rounds(timezone.localdate())
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if "org_units" in summary:
            self.stdout.write(
                f"组织单位：新增 {summary['org_units']['created']}，更新 {summary['org_units']['updated']}"
            )
        registry = summary["registry"]
        if "existing" in registry:
            self.stdout.write(f"企业库已有 {registry['existing']} 家企业，未重复生成。")
        else:
            self.stdout.write(
                f"企业库：企业 {registry['enterprises']}，年度指标 {registry['metrics']}，荣誉 {registry['honours']}，"
                f"扩产意愿 {registry['surveys']}"
            )
        land = summary["land"]
        if "existing" in land:
            self.stdout.write(f"用地与碳数据：已有宗地 {land['existing']} 宗，未重复生成。")
        else:
            self.stdout.write(
                f"用地与碳数据：宗地 {land['parcels']}，租用厂房 {land['tenancies']}，"
                f"省级行业碳效基准 {land['benchmarks']}，碳抵消 {land['offsets']}"
            )
        projects = summary["projects"]
        if "existing" in projects:
            self.stdout.write(f"项目库已有 {projects['existing']} 个项目，未重复生成。")
        else:
            self.stdout.write(
                f"项目库：项目 {projects['projects']}，年度计划 {projects['year_plans']}，月度进展 {projects['progress']}"
            )
        evaluated = "，".join(f"{year} 年 {count} 家" for year, count in summary["evaluation"].items())
        self.stdout.write(f"评价分类：{evaluated or '已有评价结果，未重新计算'}")
        policies = summary["policies"]
        self.stdout.write(f"政策直达：申报 {policies.get('applications', policies.get('existing'))} 件")
        resources = summary["resources"]
        self.stdout.write(f"要素保障：要素池 {resources.get('pools', resources.get('existing'))} 个")
        outreach = summary["outreach"]
        if "existing" in outreach:
            self.stdout.write(f"服务企业：已有诉求 {outreach['existing']} 件，未重复生成。")
        else:
            self.stdout.write(
                f"服务企业：走访 {outreach['visits']} 次，诉求 {outreach['tickets']} 件，供需对接活动 {outreach['events']} 场"
            )
        statistics = summary["statistics"]
        if "existing" in statistics:
            self.stdout.write(f"工业经济月报：已有 {statistics['existing']} 条统计数据，未重复生成。")
        else:
            self.stdout.write(
                f"工业经济月报：统计数据 {statistics['figures']} 条，2025 年工作计划录入值 {statistics['actuals']} 条"
            )
        digital = summary["digital"]
        if "existing" in digital:
            self.stdout.write(f"数字化改造：已有水平评定 {digital['existing']} 条，未重复生成。")
        else:
            self.stdout.write(
                f"数字化改造：水平评定 {digital['levels']} 条，本年清单 {digital['tasks']} 家，工厂称号 {digital['honours']} 个"
            )
        cockpit = summary["cockpit"]
        made = "上月月度通报已生成" if cockpit.get("cycle") else "月度通报未生成（见“月度流程”）"
        self.stdout.write(f"驾驶舱：督办事项 {cockpit.get('tasks', cockpit.get('existing'))} 项，{made}")
        cultivation = summary["cultivation"]
        if "existing" in cultivation:
            self.stdout.write(f"企业培育：本年度培育库已有 {cultivation['existing']} 家，未重复生成。")
        else:
            self.stdout.write(
                f"企业培育：按条件遴选入库 {cultivation['entries']} 家，其中 {cultivation['assigned']} 家已指定责任人"
            )
        rounds = summary["rounds"]
        if "existing" in rounds:
            self.stdout.write(f"申报批次：已有 {rounds['existing']} 个批次，未重复生成。")
        else:
            self.stdout.write(
                f"申报批次：上年度批次已认定 {rounds['granted']} 家、未通过 {rounds['not_granted']} 家；"
                f"本年度批次区县已申报 {rounds['nominated_this_year']} 家"
            )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role_label, unit in summary["users"]:
            self.stdout.write(f"  {username:<8} {role_label}（{unit}）")


def _demo_evaluation() -> dict[int, int]:
    """The per-mu evaluation and carbon code of the last two years with figures, as the bureau would have
    computed them; years already evaluated are left as they are."""
    done = set(EvaluationRun.objects.values_list("year", flat=True))
    evaluated = {}
    for year in METRIC_YEARS[-2:]:
        if year not in done:
            moving = AnnualMetric.objects.filter(year=year).order_by("enterprise__uscc")[:2]
            Exemption.objects.bulk_create(
                [
                    Exemption(enterprise_id=m.enterprise_id, year=year, reason="厂区整体搬迁，过渡期内不参评")
                    for m in moving
                ]
            )
            runs = evaluate_every_city(source=Source.CLI, year=year)
            evaluated[year] = sum(run.enterprises for run, _ in runs)
    return evaluated


def _demo_registry(seed: int, count: int, city: OrgUnit) -> dict[str, int]:
    """About 5,000 Huzhou-like enterprises, once: a second run leaves the registry as it is."""
    existing = Enterprise.objects.count()
    if existing:
        return {"existing": existing}
    reporting = list(OrgUnit.objects.filter(parent=city, kind__in=REPORTING_KINDS))
    towns: dict[int, list[int]] = {}
    for town_id, parent_id in OrgUnit.objects.filter(parent__in=reporting).values_list("id", "parent_id"):
        towns.setdefault(parent_id, []).append(town_id)
    districts = [
        (unit.pk, unit.code[:6] if unit.code[:6].isdigit() else "330500", towns.get(unit.pk, []))
        for unit in reporting
    ]
    rows = enterprise_rows(seed=seed, count=count, districts=districts)
    return demo_registry_create(rows, {unit.pk: unit.path for unit in reporting})


def _demo_projects(seed: int, city: OrgUnit, today: dt.date) -> dict[str, int]:
    """About one project for every 3.5 enterprises of the city, standing as of today, once: a second run
    leaves the project book as it is."""
    existing = Project.objects.count()
    if existing:
        return {"existing": existing}
    reporting = {unit.pk: unit for unit in OrgUnit.objects.filter(parent=city, kind__in=REPORTING_KINDS)}
    chains = dict(
        Enterprise.tags.through.objects.filter(industrytag__kind=TagKind.CHAIN).values_list(
            "enterprise_id", "industrytag_id"
        )
    )
    owners = [
        ProjectOwner(
            pk,
            district,
            reporting[district].code if reporting[district].code.isdigit() else city.code,
            town,
            industry,
            chains.get(pk),
            above,
        )
        for pk, district, town, industry, above in Enterprise.objects.filter(district__in=reporting)
        .order_by("pk")
        .values_list("pk", "district_id", "town_id", "industry_code", "above_scale")
    ]
    rows = list(project_rows(seed=seed, owners=owners, count=round(len(owners) / 3.5), today=today))
    return demo_projects_create(rows, {pk: unit.path for pk, unit in reporting.items()})


def _demo_users() -> list[tuple[str, str, str]]:
    """One user per role; re-running resets their passwords, roles and units."""
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in={row[2] for row in DEMO_USERS})}
    made = []
    for username, role, unit_code, full_name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                source=Source.CLI,
                username=username,
                role=role,
                org_unit=units[unit_code],
                password=DEMO_PASSWORD,
                full_name=full_name,
                check_password=False,
            )
        else:
            user.role, user.org_unit, user.full_name, user.is_active = role, units[unit_code], full_name, True
            user.set_password(DEMO_PASSWORD)
        if role == "enterprise":
            # an enterprise with a project, so the demo can apply for project policies
            found = Enterprise.objects.filter(district=units[unit_code]).order_by("pk")
            user.enterprise = found.filter(projects__isnull=False).first() or found.first()
        user.save()
        made.append((username, user.get_role_display(), units[unit_code].name))
    return made
