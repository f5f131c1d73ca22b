"""The outreach services check every object they are handed against the actor's scope, whoever calls them;
an enterprise outside it is named by nothing but "不在您的数据范围内"."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.outreach.models import Participant, Ticket, Visit
from kuochan.outreach.services import (
    TaskInput,
    event_save,
    followup_done,
    outcome_add,
    ticket_create,
    visit_create,
)
from kuochan.registry.models import Enterprise
from tests.conftest import TODAY


@pytest.fixture
def wuxing_event(users, huzhou):
    return event_save(
        actor=users["wuxing"], source=Source.WEB, unit=huzhou["330502"], kind="finance", title="银企对接会",
        date=TODAY, organiser="吴兴区经信局",
    )  # fmt: skip


@pytest.fixture
def visit(users, zhili):
    return visit_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=zhili, date=TODAY, purpose="了解扩产需求",
        tasks=[TaskInput("协调用地", users["wuxing"], TODAY + dt.timedelta(days=10))],
    )  # fmt: skip


def test_participants_outside_the_scope_are_refused_without_naming_the_enterprise(
    wuxing_event, users, registered, login
):
    nanxun = Enterprise.objects.get(uscc=registered[2])
    response = login(users["wuxing"]).post(
        f"/api/v1/outreach/events/{wuxing_event.pk}/participants",
        {"role": "enterprise", "names": [nanxun.uscc, "湖州银行"]},
        content_type="application/json",
    )
    body = json.dumps(response.json(), ensure_ascii=False)
    assert response.status_code == 422 and f"“{nanxun.uscc}”不在您的数据范围内" in body
    assert nanxun.name not in body and str(nanxun.pk) not in body.replace(nanxun.uscc, "")
    assert not Participant.objects.filter(event=wuxing_event).exists()


def test_an_outcome_for_an_enterprise_outside_the_scope_is_refused(wuxing_event, users, registered):
    nanxun = Enterprise.objects.get(uscc=registered[2])
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        outcome_add(
            actor=users["wuxing"], source=Source.WEB, event=wuxing_event, kind="order", enterprise=nanxun,
            amount_wan=Decimal(100),
        )  # fmt: skip
    assert not wuxing_event.outcomes.exists()


def test_a_follow_up_owner_moved_out_of_the_scope_cannot_complete_it(visit, users, huzhou):
    User.objects.filter(pk=users["wuxing"].pk).update(org_unit=huzhou["330503"])
    owner = User.objects.get(pk=users["wuxing"].pk)
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        followup_done(actor=owner, source=Source.WEB, followup=visit.tasks.get(), note="已协调")
    assert visit.tasks.get().done_on is None


def test_a_ticket_cannot_be_linked_to_a_visit_outside_the_scope(visit, users, huzhou, zhili):
    Visit.objects.filter(pk=visit.pk).update(district=huzhou["330503"])
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        ticket_create(
            actor=users["wuxing"], source=Source.WEB, enterprise=zhili, category="finance", title="贷款",
            visit=Visit.objects.get(pk=visit.pk),
        )  # fmt: skip
    assert not Ticket.objects.exists()
