"""The platform's daily schedule, run by the background worker (`kuochan db_worker`): each morning the
outreach sweep (escalations and reminders), the re-queueing of lost notices, and — from the configured day
of the month until it succeeds — the monthly cycle for the month before. The tick enqueues itself for the
next morning, so one `kuochan cycle start` keeps the schedule going."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuochan.cockpit.services import cycle_due, cycle_run
from kuochan.imports.services import uploads_expire
from kuochan.notifications.services import notifications_resend_due
from kuochan.outreach.services import outreach_sweep

logger = logging.getLogger("kuochan.cycle")
TICK_HOUR = 6  # local time: done before the working day starts


def next_tick(now: dt.datetime | None = None) -> dt.datetime:
    """Tomorrow at TICK_HOUR, local time."""
    local = timezone.localtime(now or timezone.now())
    tomorrow = local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(TICK_HOUR)))


def tick_pending() -> bool:
    """Whether a tick is already queued (so starting the schedule twice does not run it twice a day)."""
    return DBTaskResult.objects.filter(
        task_path=daily_tick.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_tick(run_after: dt.datetime | None = None) -> None:
    daily_tick.using(run_after=run_after or next_tick()).enqueue()


@task()
def daily_tick() -> dict[str, object]:
    """One morning's work; whatever fails is logged and the next morning is still scheduled."""
    done: dict[str, object] = {}
    try:
        swept = outreach_sweep()
        done["outreach"] = {"escalated": swept.escalated, "notices": swept.notices}
        done["resent"] = notifications_resend_due()
        if (due := cycle_due(timezone.localdate())) is not None:
            run = cycle_run(year=due[0], month=due[1], trigger="schedule")
            done["cycle"] = {"month": f"{due[0]}-{due[1]:02d}", "status": run.status}
        done["expired_uploads"] = uploads_expire()
    finally:
        if not tick_pending():
            schedule_tick()
    return done
