"""Backup and restore: back up, damage, restore, and every row of every table and every file is as it was."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from kuochan.projects.models import Progress, Project
from kuochan.registry.models import Enterprise


def every_row() -> dict[str, list[dict]]:
    return {
        model._meta.db_table: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.mark.django_db(transaction=True)
def test_backup_damage_restore_gives_back_every_row_and_file(pipeline, tmp_path, capsys):
    upload = Path(settings.MEDIA_ROOT) / "policies" / "2026" / "发票.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 test")
    before = every_row()
    files = {p: p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    target = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(target), "--format", "json")
    made = json.loads(capsys.readouterr().out)
    assert made["files"] == len(files) >= 2 and made["rows"] == sum(len(rows) for rows in before.values())
    # damage: a project gone, an enterprise renamed, an upload lost
    Progress.objects.filter(project=pipeline["red"]).delete()
    Project.objects.filter(pk=pipeline["red"].pk).delete()
    Enterprise.objects.filter(pk=pipeline["green"].enterprise_id).update(name="被误改的名称")
    upload.unlink()
    assert every_row() != before
    with pytest.raises(CommandError, match="确认请加 --yes"):
        call_command("restore", str(target))
    call_command("restore", str(target), "--yes")
    assert every_row() == before
    assert {p: p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == files


@pytest.mark.django_db
def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(registered, tmp_path):
    before = every_row()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError, match="备份文件已损坏"):
        call_command("restore", str(broken), "--yes")
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")
    assert every_row() == before
