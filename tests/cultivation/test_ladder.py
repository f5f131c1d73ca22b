"""梯度培育 on the enterprise profile: each ladder, the rung the enterprise holds in the year, and its next step
with what it lacks in figures."""

import datetime as dt

import pytest
from django.urls import reverse

from kuochan.cultivation.selectors import enterprise_ladders
from tests.cultivation.conftest import BEFORE, MUYE_GAP, TODAY, honour

pytestmark = pytest.mark.django_db


def by_code(ladders):
    return {ladder.code: ladder for ladder in ladders}


def test_each_ladder_gives_the_rung_held_and_the_next_step_with_its_gaps(srdi):
    ladders = by_code(enterprise_ladders(srdi["muye"], TODAY))
    assert list(ladders) == [
        "srdi",
        "tech",
        "smart_factory",
        "zj_future_factory",
        "green_factory",
        "huzhou_large",
    ]
    srdi_ladder = ladders["srdi"]
    assert srdi_ladder.held.name == "创新型中小企业"
    assert srdi_ladder.next.name == "专精特新中小企业"
    assert srdi_ladder.missing == (MUYE_GAP,)
    assert any("上年营业收入不小于 1,500万元（含本数）" in text for text in srdi_ladder.met)
    assert not srdi_ladder.next_met
    assert ladders["tech"].held is None and ladders["tech"].next.name == "科技型中小企业"
    assert [rung.name for rung in ladders["huzhou_large"].rungs] == ["金牛企业", "金象企业"]


def test_the_highest_rung_held_counts_and_a_lost_title_does_not(srdi):
    muye = srdi["muye"]
    honour(muye.uscc, "provincial_srdi")
    honour(muye.uscc, "little_giant")
    assert by_code(enterprise_ladders(muye, TODAY))["srdi"].held.name == "专精特新“小巨人”企业"
    muye.honours.filter(kind="little_giant").update(year_lost=TODAY.year)
    ladder = by_code(enterprise_ladders(muye, TODAY))["srdi"]
    assert ladder.held.name == "专精特新中小企业" and ladder.next.name == "专精特新“小巨人”企业"
    # as of the year before the honours were granted, nothing but the first rung was held
    earlier = by_code(enterprise_ladders(muye, dt.date(BEFORE - 1, 12, 31)))["srdi"]
    assert earlier.held is None and earlier.next.name == "创新型中小企业"


def test_the_top_rung_has_no_next_step(srdi):
    honour(srdi["muye"].uscc, "golden_elephant")
    ladder = by_code(enterprise_ladders(srdi["muye"], TODAY))["huzhou_large"]
    assert ladder.held.name == "金象企业" and ladder.next is None


def test_the_profile_shows_the_ladders(srdi, users, login):
    page = login(users["nanxun"]).get(reverse("registry:detail", args=[srdi["muye"].pk])).content.decode()
    section = page[page.index('data-testid="ladders"') :]
    section = section[
        : section.index('data-testid="evaluation') if 'data-testid="evaluation' in section else None
    ]
    assert "梯度培育" in page
    assert "已获：创新型中小企业" in section
    assert "下一步：专精特新中小企业" in section
    assert MUYE_GAP in section
