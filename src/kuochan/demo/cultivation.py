"""The demo's 培育库: this year's libraries of a few titles filled by rule as city staff would, with the
district staff answering for their districts' entries and support planned for those already meeting the
criteria, so the libraries, the work list and the profiles' ladders show something real."""

from __future__ import annotations

import datetime as dt

from kuochan.accounts.models import Role, User
from kuochan.audit.models import Source
from kuochan.cultivation.models import Entry, Title
from kuochan.cultivation.rules import DEFAULT_MARGIN_PCT
from kuochan.cultivation.services import entries_fill_by_rule, entry_update

TITLES = ("innovative_sme", "srdi_sme", "little_giant", "tech_sme", "high_tech")
SUPPORT = "研发费用加计扣除及研发补助政策辅导；季度走访，指导申报材料准备"


def demo_cultivation(today: dt.date) -> dict[str, int]:
    """Once a year: when this year's libraries hold entries, they are left as they are."""
    if Entry.objects.filter(year=today.year).exists():
        return {"existing": Entry.objects.filter(year=today.year).count()}
    city = User.objects.filter(username="city").first()
    added = 0
    for title in Title.objects.filter(code__in=TITLES):
        added += entries_fill_by_rule(
            actor=city,
            source=Source.CLI,
            title=title,
            year=today.year,
            margin_pct=DEFAULT_MARGIN_PCT,
            today=today,
        )
    staff = {
        user.org_unit_id: user
        for user in User.objects.filter(role=Role.DISTRICT_STAFF, is_active=True).order_by("-username")
    }
    entries = list(
        Entry.objects.filter(year=today.year).select_related("enterprise__district").order_by("pk")
    )
    assigned = 0
    for n, entry in enumerate(entries):
        owner = staff.get(entry.enterprise.district_id)
        if owner is None or n % 3 == 2:  # a third left unassigned, for the work list to chase
            continue
        entry_update(
            actor=city, source=Source.CLI, entry=entry, responsible=owner,
            planned_support=SUPPORT if not entry.gaps else "", note="",
        )  # fmt: skip
        assigned += 1
    return {"entries": added, "assigned": assigned}
