"""The demo's rounds: last year's finished with its result list in the registry, this year's open."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from kuochan.cultivation.models import Entry, EntryStatus, Round
from kuochan.registry.models import Honour

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_demo_has_a_finished_round_and_an_open_one(huzhou, capsys):
    call_command("demo_data", "--enterprises", "300", "--format", "json")
    finished, current = Round.objects.order_by("year")
    assert (finished.year, current.year) == (YEAR - 1, YEAR)
    granted = Honour.objects.filter(kind="smart_factory_basic", year_granted=YEAR - 1)
    assert granted.count() == 8 and set(granted.values_list("document_number", flat=True)) == {
        f"湖经信〔{YEAR - 1}〕58号"
    }
    assert not Entry.objects.filter(
        title=finished.title, year=YEAR - 1, status=EntryStatus.RECOMMENDED
    ).exists()
    assert Entry.objects.filter(title=current.title, year=YEAR, status=EntryStatus.APPLIED).exists()
    assert current.opens_on <= timezone.localdate() <= current.nomination_deadline
