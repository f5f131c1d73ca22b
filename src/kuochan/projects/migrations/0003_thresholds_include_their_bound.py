"""Each light-rule threshold says whether it includes its bound (含本数): inclusive fires at value ≥
threshold, not inclusive at value > threshold. The rule set in force takes the defaults the sources word:
逾期 1 天 and 3 个月 (90 天) inclusive; 10 points behind inclusive, red only 超过 30 个百分点 (so exactly 30
points behind is now yellow, no longer red); 入库 超过 30 / 60 天 not inclusive, as before. A basis still
reading as shipped is reworded to say the bounds."""

from django.db import migrations, models

SHIPPED_BASIS = "平台默认规则；参照银川市 2025 年项目亮灯做法：节点逾期即黄灯、逾期 3 个月红灯；投资进度落后时序 10–30 个百分点黄灯、30 个百分点以上红灯；开工后 1 个月未入库黄灯、2 个月红灯。湖州《2024 年工作总结》：全周期管理（备案、开工、竣工、投产、上规、达产）、亮灯预警、破五未攻坚。"
BASIS = "平台默认规则；参照银川市 2025 年项目亮灯做法：节点逾期 1 天以上（含本数）黄灯、逾期 3 个月即 90 天以上（含本数）红灯；投资进度低于序时进度 10~30 个百分点（含 10~30 个百分点）黄灯、超过 30 个百分点（不含本数）红灯；开工超过 1 个月即 30 天（不含本数）未入库黄灯、超过 2 个月即 60 天（不含本数）红灯。以上、以下、以内包括本数，超过不包括本数（民法典 第1259条）。湖州《2024 年工作总结》：全周期管理（备案、开工、竣工、投产、上规、达产）、亮灯预警、破五未攻坚。"


def reword_basis(apps, schema_editor):
    LightRuleSet = apps.get_model("projects", "LightRuleSet")
    LightRuleSet.objects.filter(basis=SHIPPED_BASIS).update(basis=BASIS)


def restore_basis(apps, schema_editor):
    LightRuleSet = apps.get_model("projects", "LightRuleSet")
    LightRuleSet.objects.filter(basis=BASIS).update(basis=SHIPPED_BASIS)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_project_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="lightruleset",
            name="in_stats_red_inclusive",
            field=models.BooleanField(default=False, verbose_name="开工后未入库红灯含本数"),
        ),
        migrations.AddField(
            model_name="lightruleset",
            name="in_stats_yellow_inclusive",
            field=models.BooleanField(default=False, verbose_name="开工后未入库黄灯含本数"),
        ),
        migrations.AddField(
            model_name="lightruleset",
            name="pace_red_inclusive",
            field=models.BooleanField(default=False, verbose_name="投资进度落后红灯含本数"),
        ),
        migrations.AddField(
            model_name="lightruleset",
            name="pace_yellow_inclusive",
            field=models.BooleanField(default=True, verbose_name="投资进度落后黄灯含本数"),
        ),
        migrations.AddField(
            model_name="lightruleset",
            name="schedule_red_inclusive",
            field=models.BooleanField(default=True, verbose_name="节点逾期红灯含本数"),
        ),
        migrations.AddField(
            model_name="lightruleset",
            name="schedule_yellow_inclusive",
            field=models.BooleanField(default=True, verbose_name="节点逾期黄灯含本数"),
        ),
        migrations.AlterField(
            model_name="lightruleset",
            name="in_stats_red_after_days",
            field=models.PositiveIntegerField(default=60, verbose_name="开工后未入库红灯（天）"),
        ),
        migrations.AlterField(
            model_name="lightruleset",
            name="in_stats_yellow_after_days",
            field=models.PositiveIntegerField(default=30, verbose_name="开工后未入库黄灯（天）"),
        ),
        migrations.RunPython(reword_basis, restore_basis),
    ]
