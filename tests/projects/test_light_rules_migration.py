"""The rule set in force before thresholds said whether they include their bound gets the sources' bounds:
exactly 30 points behind pace is yellow from then on, the other thresholds fire as before."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("projects", "0002_project_version")
AFTER = ("projects", "0003_thresholds_include_their_bound")
migration = importlib.import_module("kuochan.projects.migrations.0003_thresholds_include_their_bound")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def back_to_latest():
    """Going back to the projects' 0002 unapplies every app that depends on a later projects migration (the
    digital app's tasks link projects): put all of them back, for the tests that run after this one."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_the_rule_set_in_force_takes_the_bounds_its_sources_state():
    old = migrate(BEFORE).get_model("projects", "LightRuleSet")
    old.objects.create(
        name="default", milestone_order=["signed", "started"], stall_labels={}, basis=migration.SHIPPED_BASIS
    )
    old.objects.create(
        name="edited", milestone_order=["signed", "started"], stall_labels={}, basis="本市规定"
    )
    rules = migrate(AFTER).get_model("projects", "LightRuleSet")
    shipped, edited = rules.objects.get(name="default"), rules.objects.get(name="edited")
    names = ("schedule_yellow", "schedule_red", "pace_yellow", "pace_red", "in_stats_yellow", "in_stats_red")
    assert {name: getattr(shipped, f"{name}_inclusive") for name in names} == {
        "schedule_yellow": True, "schedule_red": True, "pace_yellow": True,
        "pace_red": False, "in_stats_yellow": False, "in_stats_red": False,
    }  # fmt: skip
    assert "超过 30 个百分点（不含本数）红灯" in shipped.basis
    assert edited.basis == "本市规定"  # a basis the city wrote is theirs
