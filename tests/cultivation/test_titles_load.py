import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kuochan.audit.models import AuditEntry
from kuochan.cultivation.models import Title
from kuochan.cultivation.services import titles_load
from kuochan.cultivation.title_services import title_save

pytestmark = pytest.mark.django_db


def load(capsys) -> dict:
    call_command("load_reference", format="json")
    return json.loads(capsys.readouterr().out)["titles"]


def test_titles_load_once_and_then_change_nothing(db, capsys):
    first = load(capsys)
    assert first["created"] == Title.objects.count() == 23
    entries = AuditEntry.objects.count()
    assert load(capsys) == {"created": 0, "updated": 0, "unchanged": 23}
    assert AuditEntry.objects.count() == entries
    giant = Title.objects.get(code="little_giant")
    assert (giant.ladder, giant.rank_in_ladder, giant.level, giant.honour_kind) == (
        "srdi",
        3,
        "national",
        "little_giant",
    )
    assert all(c["source"] for title in Title.objects.all() for c in title.criteria)


def test_an_edited_title_is_restored_and_audited(huzhou, capsys):
    Title.objects.filter(code="srdi_sme").update(name="专精特新")
    assert load(capsys)["updated"] == 1
    assert Title.objects.get(code="srdi_sme").name == "专精特新中小企业"


def test_a_bad_criterion_is_refused_in_chinese_and_nothing_is_written(db):
    data = {"titles": [{"code": "x", "name": "某称号", "level": "city", "criteria": [
        {"code": "a", "text": "…", "rule": {"field": "enterprise.nope", "op": ">=", "value": 1}, "source": "某文"},
        {"code": "a", "text": "…", "rule": None, "source": ""},
    ]}]}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        titles_load(data=data)
    messages = refused.value.messages
    assert any("未知的字段“enterprise.nope”" in m for m in messages)  # the rule language's own message
    assert any("条件代码缺失或重复" in m for m in messages) and any("须注明出处" in m for m in messages)
    assert not Title.objects.exists()


def test_criteria_city_staff_edited_stay_through_a_reload(huzhou, users, capsys):
    high_tech = Title.objects.get(code="high_tech")
    changed = [dict(c) for c in high_tech.criteria]
    changed[0]["text"] = "市经信局调整后的条件"
    title_save(actor=users["city_staff"], title=high_tech, criteria=changed)
    Title.objects.filter(code="high_tech").update(name="高企")  # a shipped value still comes back
    load(capsys)
    reloaded = Title.objects.get(code="high_tech")
    assert reloaded.name == "高新技术企业"
    assert reloaded.criteria[0]["text"] == "市经信局调整后的条件"
