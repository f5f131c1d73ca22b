"""A policy has an issuing unit (the city, or a district for its own district) and a state (draft, in
force, closed). The policies already here were all loaded from the data set's 《若干政策措施》, issued by
its city: they get that city, and stay in force."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kuochan.reference import read_json


def _first_city(nodes):
    """The code of the data set's city (its tree starts at the province above it), or None."""
    for node in nodes:
        found = node["code"] if node.get("kind") == "city" else _first_city(node.get("children", []))
        if found is not None:
            return found
    return None


def dataset_city(apps, schema_editor):
    Policy = apps.get_model("policies", "Policy")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    if not Policy.objects.exists():
        return
    root = _first_city(read_json(settings.KUOCHAN_DATASET, "org_units.json")["units"])
    city = OrgUnit.objects.filter(code=root).first()
    if city is None:
        cities = list(OrgUnit.objects.filter(kind="city")[:2])
        city = cities[0] if len(cities) == 1 else None
    if city is None:
        raise RuntimeError(
            f"无法确定已有政策的发布单位：组织单位中没有数据集的城市（{root}）。请先运行 kuochan load-reference。"
        )
    Policy.objects.filter(issuer__isnull=True).update(issuer=city)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="closed_on",
            field=models.DateField(blank=True, null=True, verbose_name="关闭日期"),
        ),
        migrations.AddField(
            model_name="policy",
            name="closed_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="关闭原因"),
        ),
        migrations.AddField(
            model_name="policy",
            name="document_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="文号"),
        ),
        migrations.AddField(
            model_name="policy",
            name="issuer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="policies",
                to="orgs.orgunit",
                verbose_name="发布单位",
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="state",
            field=models.CharField(
                choices=[("draft", "草稿"), ("in_force", "施行中"), ("closed", "已关闭")],
                default="in_force",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(dataset_city, migrations.RunPython.noop),
    ]
