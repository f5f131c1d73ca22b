"""The district clerk's 三张清单 at a phone's 390 px: the page fits the screen, every control is a tap target,
and a task's status is changed with the select and 更新 on its own card."""

import pytest

from kuochan.audit.models import Source
from kuochan.digital.models import DigitalTask
from kuochan.digital.services import task_save
from tests.conftest import TODAY
from tests.web.test_phone_in_browser import MEASURE, phone  # noqa: F401  (the phone's 390×844 page)
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_updates_a_task_status_on_a_phone(live_server, phone, pipeline, users, screenshot):  # noqa: F811
    task = task_save(
        actor=users["city_staff"], source=Source.WEB, enterprise=pipeline["red"].enterprise, year=TODAY.year,
        target_level="2.0", responsible=users["wuxing"], projects=[pipeline["red"]],
    )  # fmt: skip
    sign_in(phone, live_server, "wuxing")
    phone.goto(f"{live_server.url}/digital/tasks/")
    found = phone.evaluate(MEASURE)
    screenshot(phone, "phone-digital-tasks")
    assert found["width"] <= found["viewport"], found
    assert not found["small"], found["small"]
    card = phone.locator(f"[data-task='{task.pk}']")
    card.get_by_label("湖州织里童装有限公司的状态").select_option("underway")
    card.get_by_role("button", name="更新").click()
    phone.wait_for_load_state("load")
    assert "已改为“改造中”" in phone.locator("[role=alert]").first.inner_text()
    assert DigitalTask.objects.get(pk=task.pk).status == "underway"
