"""Reports, supervised tasks and meetings belong to an org unit (their data scope); tasks and meetings may be
shared with every district; a city-wide report reaches the districts once published. Existing rows: a report
and a meeting belong to the root unit (the city, as before), a task to its contact person's unit."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_units(apps, schema_editor):
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    MonthlyReport = apps.get_model("cockpit", "MonthlyReport")
    Meeting = apps.get_model("cockpit", "Meeting")
    SupervisedTask = apps.get_model("cockpit", "SupervisedTask")
    if root is None:
        return  # no org tree yet, so no rows either
    MonthlyReport.objects.filter(unit__isnull=True).update(unit=root)
    Meeting.objects.filter(unit__isnull=True).update(unit=root)
    for task in SupervisedTask.objects.filter(unit__isnull=True).select_related("owner"):
        task.unit_id = task.owner.org_unit_id or root.pk
        task.save(update_fields=["unit"])


class Migration(migrations.Migration):
    dependencies = [
        ("cockpit", "0001_initial"),
        ("orgs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyreport",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="范围",
            ),
        ),
        migrations.AddField(
            model_name="monthlyreport",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="发布时间"),
        ),
        migrations.AddField(
            model_name="monthlyreport",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="发布人",
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="所属单位",
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="shared",
            field=models.BooleanField(
                default=False, help_text="勾选后各区县都能看到", verbose_name="各区县共享"
            ),
        ),
        migrations.AddField(
            model_name="supervisedtask",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="所属单位",
                help_text="事项归属的单位，其工作人员可见；默认为联络人所在单位",
            ),
        ),
        migrations.AddField(
            model_name="supervisedtask",
            name="shared",
            field=models.BooleanField(
                default=False, help_text="勾选后各区县都能看到", verbose_name="各区县共享"
            ),
        ),
        migrations.RunPython(fill_units, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="monthlyreport",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="范围",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="所属单位",
            ),
        ),
        migrations.AlterField(
            model_name="supervisedtask",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="所属单位",
                help_text="事项归属的单位，其工作人员可见；默认为联络人所在单位",
            ),
        ),
    ]
