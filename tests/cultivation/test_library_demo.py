"""The demo fills this year's libraries by rule, with district staff answering for most entries."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from kuochan.cultivation.models import Entry

pytestmark = pytest.mark.django_db


def run(capsys) -> dict:
    call_command("demo_data", "--enterprises", "300", "--format", "json")
    return json.loads(capsys.readouterr().out)["cultivation"]


def test_demo_fills_this_year_s_libraries_once_with_owners(huzhou, capsys):
    summary = run(capsys)
    year = timezone.localdate().year
    entries = Entry.objects.filter(year=year)
    assert summary["entries"] == entries.count() > 0
    assert set(entries.values_list("source", flat=True)) == {"rule"}
    owned = entries.filter(responsible__isnull=False).select_related("responsible", "enterprise")
    assert summary["assigned"] == owned.count() > 0
    assert all(e.responsible.org_unit_id == e.enterprise.district_id for e in owned)
    assert entries.filter(responsible__isnull=True).exists()  # left for the work list to chase
    assert run(capsys) == {"existing": summary["entries"]}
