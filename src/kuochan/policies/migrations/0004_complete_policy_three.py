"""Policy （三） of Huzhou's 《若干政策措施》 was shipped cut short: its clause stopped after the 揭榜挂帅 sentence.
A clause still reading as shipped gets the seed's full text; one city staff have reworded is left as it is."""

from django.db import migrations

CODE = "open-competition"
SHIPPED = (
    "聚焦市重点发展产业领域，支持企业组建创新联合体，实施核心技术“揭榜挂帅”项目，单个项目最高补助300万元。"
)
COMPLETED = (
    SHIPPED
    + "对国家级、省级科技项目，按照规定比例补助。分类实施市级重点研发计划、科技攻关计划，分别给予项目补助。"
    "支持人工智能赋能，市区联动发放算力券、模型券、数据券、场景券等。"
)


def complete(apps, schema_editor):
    apps.get_model("policies", "Policy").objects.filter(code=CODE, clause=SHIPPED).update(clause=COMPLETED)


def restore(apps, schema_editor):
    apps.get_model("policies", "Policy").objects.filter(code=CODE, clause=COMPLETED).update(clause=SHIPPED)


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_policy_issuer_required")]

    operations = [migrations.RunPython(complete, restore)]
