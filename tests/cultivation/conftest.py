"""The 培育库 tests' data: three enterprises against 专精特新中小企业 with hand-computed gaps."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.cultivation import services
from kuochan.cultivation.models import Entry, Title
from kuochan.registry.models import AnnualMetric, Enterprise, Honour

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
LAST, BEFORE = THIS_YEAR - 1, THIS_YEAR - 2
WEB = Source.WEB
MUYE_GAP = "近两年研发费用（较低一年） 90万元，差 10 万元"
XINCAILIAO_GAPS = ["上年营业收入 1,320万元，差 180 万元", "近两年研发费用（较低一年） 60万元，差 40 万元"]


def metric(code, year, revenue, main, rnd):
    AnnualMetric.objects.update_or_create(
        enterprise=Enterprise.objects.get(uscc=code), year=year,
        defaults={
            "revenue_wan": Decimal(revenue), "main_revenue_wan": Decimal(main), "rnd_wan": Decimal(rnd),
            # 负债率 50%, 1 项Ⅰ类, 专精特新发展评价 60 分: the criteria these tests are not about, met
            "assets_wan": Decimal(1000), "liabilities_wan": Decimal(500), "ip_class1": 1, "srdi_score": 60,
        },
    )  # fmt: skip


def honour(code, kind, year=BEFORE):
    Honour.objects.create(enterprise=Enterprise.objects.get(uscc=code), kind=kind, year_granted=year)


@pytest.fixture
def srdi(registered, users):
    """专精特新中小企业 (srdi_sme): 童装 (吴兴) meets its computable criteria; 木业 (南浔) misses one: 近两年研发
    费用 90万元 < 100万元, 差 10万元 (10% of the bound); 新材料 (吴兴) misses two: 营业收入 1,320 < 1,500 (差 180,
    12%) and 研发 60 < 100 (差 40, 40%). Each holds a prerequisite honour; main revenue shares and R&D shares
    are all above 80% and 3%; each has worked its segment since 2015, a debt ratio of 50%, one class-I patent and
    an SRDI score of 60, so the criteria these tests are not about are met."""
    tongzhuang, xincailiao, muye = registered
    Enterprise.objects.filter(uscc__in=registered).update(segment_since=dt.date(2015, 1, 1))
    for code, kind in ((tongzhuang, "innovative_sme"), (xincailiao, "tech_sme"), (muye, "innovative_sme")):
        honour(code, kind)
    metric(tongzhuang, BEFORE, 1800, 1700, 100)
    metric(tongzhuang, LAST, 2000, 1900, 100)
    metric(xincailiao, BEFORE, 1200, 1140, 60)
    metric(xincailiao, LAST, 1320, 1254, 66)
    metric(muye, BEFORE, 1500, 1300, 100)
    metric(muye, LAST, 1600, 1300, 90)
    return {
        "title": Title.objects.get(code="srdi_sme"),
        "tongzhuang": Enterprise.objects.get(uscc=tongzhuang),
        "xincailiao": Enterprise.objects.get(uscc=xincailiao),
        "muye": Enterprise.objects.get(uscc=muye),
    }


def fill(actor, title, margin="20"):
    return services.entries_fill_by_rule(
        actor=actor, source=WEB, title=title, year=THIS_YEAR, margin_pct=Decimal(margin), today=TODAY
    )


def nominate(actor, title, enterprise, **extra):
    return services.entry_add(
        actor=actor, source=WEB, title=title, year=THIS_YEAR, enterprise=enterprise, today=TODAY, **extra
    )


def entry_of(enterprise, title):
    return Entry.objects.get(enterprise=enterprise, title=title, year=THIS_YEAR)
