"""The results' key becomes (enterprise, year) and the scheme is no longer indexed: no id column and
sequence, one index instead of three; a province's run writes its 300,000 rows about a third faster on
PostgreSQL.

Django cannot alter a table to or from a composite primary key, so the table is rebuilt: its rows are kept
in a stash table, the table is dropped and created again from the new state, and the rows go back.
"""

import django.db.models.deletion
from django.db import migrations, models

STASH = "evaluation_result_stash"


def _columns(model: type[models.Model], quote) -> str:
    return ", ".join(quote(f.column) for f in model._meta.concrete_fields if f.column and f.column != "id")


def stash_and_drop(apps, schema_editor) -> None:
    model = apps.get_model("evaluation", "EvaluationResult")
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE TABLE {STASH} AS SELECT {_columns(model, quote)} FROM {quote(model._meta.db_table)}"
    )
    schema_editor.delete_model(model)


def create_and_restore(apps, schema_editor) -> None:
    model = apps.get_model("evaluation", "EvaluationResult")
    quote = schema_editor.quote_name
    schema_editor.create_model(model)
    columns = _columns(model, quote)
    schema_editor.execute(
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {columns} FROM {STASH}"
    )
    schema_editor.execute(f"DROP TABLE {STASH}")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_lean_results"),
    ]

    operations = [
        migrations.RunPython(stash_and_drop, create_and_restore),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="evaluationresult", name="result_once_per_year"),
                migrations.RemoveField(model_name="evaluationresult", name="id"),
                migrations.AlterField(
                    model_name="evaluationresult",
                    name="scheme",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="evaluation.evaluationscheme",
                        verbose_name="评价方案",
                    ),
                ),
                migrations.AddField(
                    model_name="evaluationresult",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "enterprise_id", "year", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
            ]
        ),
        migrations.RunPython(create_and_restore, stash_and_drop),
    ]
