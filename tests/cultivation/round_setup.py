"""What the round tests share: a smart-factory round this year and five library entries in two districts."""

import datetime as dt

from django.utils import timezone

from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Round, Title
from kuochan.registry.models import Enterprise
from tests.xlsx import uscc

YEAR = timezone.localdate().year
OPENS, NOMINATION, REVIEW = dt.date(YEAR, 3, 1), dt.date(YEAR, 5, 31), dt.date(YEAR, 6, 30)
NUMBER, PUBLISHED = "湖经信〔2026〕12号", dt.date(YEAR, 7, 15)


def enterprise(serial, name, district):
    return Enterprise.objects.create(uscc=uscc(serial, district.code), name=name, district=district)


def entry(title, company, status=EntryStatus.ENTERED, year=YEAR):
    return Entry.objects.create(
        title=title, year=year, enterprise=company, status=status, source=EntrySource.RULE,
        entered_on=dt.date(year, 1, 10), status_on=dt.date(year, 1, 10),
    )  # fmt: skip


def make_smart_round(huzhou):
    """基础级智能工厂 this year in Huzhou, and entries 入库 for 吴兴 甲 乙 丙 and 南浔 丁 戊; 南浔 己 is in no
    library and 吴兴 庚 holds the title since two years ago."""
    title = Title.objects.get(code="smart_factory_basic")
    wuxing, nanxun = huzhou["330502"], huzhou["330503"]
    companies = {
        "甲": enterprise(101, "湖州甲智能装备有限公司", wuxing),
        "乙": enterprise(102, "湖州乙精密机械有限公司", wuxing),
        "丙": enterprise(103, "湖州丙纺织有限公司", wuxing),
        "丁": enterprise(201, "南浔丁电梯有限公司", nanxun),
        "戊": enterprise(202, "南浔戊木业有限公司", nanxun),
        "己": enterprise(203, "南浔己新材料有限公司", nanxun),
        "庚": enterprise(104, "湖州庚家居有限公司", wuxing),
    }
    round_ = Round.objects.create(
        title=title, year=YEAR, city=huzhou["330500"], opens_on=OPENS, nomination_deadline=NOMINATION,
        review_deadline=REVIEW, notice="关于开展基础级智能工厂申报的通知",
    )  # fmt: skip
    entries = {key: entry(title, companies[key]) for key in "甲乙丙丁戊"}
    companies["庚"].honours.create(kind="smart_factory_basic", year_granted=YEAR - 2)
    return {"title": title, "round": round_, "companies": companies, "entries": entries}
