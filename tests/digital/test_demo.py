import json

import pytest
from django.core.management import call_command

from kuochan.accounts.models import User
from kuochan.digital.models import DigitalTask
from kuochan.digital.selectors import coverage_of, factory_titles
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_demo_covers_every_above_scale_enterprise_at_1_0_with_lists_and_titles(huzhou, capsys):
    call_command("demo_data", "--enterprises", "200", "--format", "json")
    summary = json.loads(capsys.readouterr().out)["digital"]
    assert summary["levels"] > 0 and summary["tasks"] > 0
    total = coverage_of(actor=None, as_of=TODAY).total
    assert total.above_scale > 0 and total.reached["1.0"] == total.above_scale  # 全覆盖
    assert 0 < total.reached["2.0"] < total.above_scale
    wuxing = User.objects.get(username="wuxing")
    assert DigitalTask.objects.filter(responsible=wuxing).exists()
    assert (
        not DigitalTask.objects.filter(responsible=wuxing)
        .exclude(enterprise__district=wuxing.org_unit)
        .exists()
    )
    titles = factory_titles(actor=None, year=TODAY.year)
    assert titles.national_basic_or_above > 0
    assert all(h.granted_on for holders in titles.by_kind.values() for h in holders)
    call_command("demo_data", "--enterprises", "200", "--format", "json")
    assert "existing" in json.loads(capsys.readouterr().out)["digital"]
