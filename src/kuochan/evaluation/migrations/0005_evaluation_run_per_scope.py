"""An evaluation run is keyed by its scope root and year: a city's staff compute and replace their own
subtree's results only. Each result names the run that computed it; the runs so far were over the whole
database (no scope root), and each of their years' rows is theirs."""

import django.db.models.deletion
from django.db import migrations, models


def results_to_their_run(apps, schema_editor) -> None:
    run_model = apps.get_model("evaluation", "EvaluationRun")
    result_model = apps.get_model("evaluation", "EvaluationResult")
    for pk, year in run_model.objects.values_list("pk", "year"):
        result_model.objects.filter(year=year).update(run_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_results_keyed_by_enterprise_and_year"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluationresult",
            name="run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="evaluation.evaluationrun",
                verbose_name="评价计算",
            ),
        ),
        migrations.AddField(
            model_name="evaluationrun",
            name="org_unit",
            field=models.ForeignKey(
                blank=True,
                help_text="为空表示全库（命令行计算）",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="orgs.orgunit",
                verbose_name="计算范围",
            ),
        ),
        migrations.AlterField(
            model_name="evaluationrun",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="评价年度"),
        ),
        migrations.AddConstraint(
            model_name="evaluationrun",
            constraint=models.UniqueConstraint(
                fields=("org_unit", "year"), name="evaluation_run_once_per_scope"
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluationrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("org_unit__isnull", True)),
                fields=("year",),
                name="evaluation_run_once_for_all",
            ),
        ),
        migrations.RunPython(results_to_their_run, migrations.RunPython.noop),
    ]
