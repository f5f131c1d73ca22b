import datetime as dt
import gc
import io
import os
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.imports.engine import run_import
from kuochan.imports.models import ImportBatch, ImportUpload
from kuochan.jobs.models import Job, JobStatus
from kuochan.registry.importers import EnterpriseOwnedImporter
from kuochan.registry.models import Enterprise
from tests.conftest import ENTERPRISE_HEADER
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db


def upload(client, path, kind="enterprises"):
    with path.open("rb") as stream:
        return client.post("/imports/upload/", {"kind": kind, "file": stream})


def checked(client, run_jobs, path, kind="enterprises"):
    """Upload a file, let the worker check it, and open the preview the job page leads to."""
    queued = upload(client, path, kind)
    assert queued.status_code == 302 and queued["Location"].startswith("/jobs/")
    (job,) = run_jobs()
    assert job.status == JobStatus.DONE, job.error
    return client.get(job.result_url)


def test_upload_previews_then_applies_then_rolls_back_in_the_worker(
    huzhou, users, login, tmp_path, run_jobs, settings
):
    client = login(users["wuxing"])
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [ENTERPRISE_HEADER[:3], [uscc(61), "甲公司", "吴兴区"], [uscc(62), "乙公司", "吴兴区"]],
    )
    queued = upload(client, path)
    job_page = client.get(queued["Location"]).content.decode()
    assert "检查企业名单文件：名单.xlsx" in job_page and "排队中" in job_page
    (job,) = run_jobs()
    preview = client.get(job.result_url)
    page = preview.content.decode()
    assert "将新增" in page and ">导入</button>" in page and not Enterprise.objects.exists()
    upload_row = ImportUpload.objects.get()
    applying = client.post(f"/imports/uploads/{upload_row.pk}/apply/")
    assert applying["Location"].startswith("/jobs/") and not Enterprise.objects.exists()
    (job,) = run_jobs()
    batch = ImportBatch.objects.get()
    assert job.result_url == f"/imports/{batch.pk}/"
    assert client.get(applying["Location"])["Location"] == f"/imports/{batch.pk}/"
    assert Enterprise.objects.count() == 2 and batch.actor == users["wuxing"] and batch.source == "web"
    detail = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "甲公司" in detail and "回滚此批次" in detail
    asked = client.get(f"/imports/{batch.pk}/rollback/").content.decode()  # asks first, saying what it undoes
    assert "从文件“名单.xlsx”导入的企业名单" in asked and "删除该批次新增的企业 2 条" in asked
    unconfirmed = client.post(f"/imports/{batch.pk}/rollback/")
    assert unconfirmed.status_code == 200 and not Job.objects.filter(title__startswith="回滚").exists()
    rolling = client.post(f"/imports/{batch.pk}/rollback/", {"confirm": "1"})
    assert rolling["Location"].startswith("/jobs/") and Enterprise.objects.count() == 2
    (job,) = run_jobs()
    assert job.result_url == f"/imports/{batch.pk}/"
    assert not Enterprise.objects.exists()
    assert ImportBatch.objects.get().status == "rolled_back"
    upload_row.refresh_from_db()
    assert upload_row.status == "applied" and not list(uploads(settings))  # the file went with the apply


def uploads(settings):
    return (Path(settings.MEDIA_ROOT) / "uploads").glob("*.xlsx")


def test_applying_twice_imports_once(huzhou, users, login, tmp_path, run_jobs):
    client = login(users["wuxing"])
    checked(
        client,
        run_jobs,
        write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER[:3], [uscc(66), "甲公司", "吴兴区"]]),
    )
    pk = ImportUpload.objects.get().pk
    client.post(f"/imports/uploads/{pk}/apply/")
    again = client.post(f"/imports/uploads/{pk}/apply/")
    assert [str(m) for m in again.wsgi_request._messages] == ["该文件正在导入或已经导入。"]
    run_jobs()
    assert ImportBatch.objects.count() == 1 and Enterprise.objects.count() == 1


def test_someone_elses_upload_is_not_found(huzhou, users, login, tmp_path, run_jobs):
    checked(
        login(users["wuxing"]),
        run_jobs,
        write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER[:3], [uscc(67), "甲公司", "吴兴区"]]),
    )
    pk = ImportUpload.objects.get().pk
    other = login(users["nanxun"])
    assert other.get(f"/imports/uploads/{pk}/").status_code == 404
    assert other.post(f"/imports/uploads/{pk}/apply/").status_code == 404
    assert not Job.objects.filter(actor=users["nanxun"]).exists()


def test_preview_lists_errors_and_offers_skipping_them(huzhou, users, login, tmp_path, run_jobs):
    client = login(users["wuxing"])
    path = write_xlsx(
        tmp_path / "e.xlsx",
        [ENTERPRISE_HEADER[:3], [uscc(63), "甲公司", "吴兴区"], ["123", "乙公司", "吴兴区"]],
    )
    page = checked(client, run_jobs, path).content.decode()
    assert (
        "统一社会信用代码应为 18 位" in page
        and "跳过错误行导入（导入其余 1 行）" in page
        and 'disabled title="文件有错误，不能整份导入">导入</button>' in page
        and 'type="submit">导入</button>' not in page
    )
    assert "未列出" not in page
    client.post(f"/imports/uploads/{ImportUpload.objects.get().pk}/apply/", {"skip_invalid": "1"})
    (job,) = run_jobs()
    assert job.status == JobStatus.DONE and list(Enterprise.objects.values_list("name", flat=True)) == [
        "甲公司"
    ]


def test_a_file_of_many_errors_gives_a_small_page_and_the_full_list_to_download(
    huzhou, users, login, tmp_path, run_jobs
):
    bad = [[f"9133050{n:010d}", f"公司{n}", "吴兴区"] for n in range(3000)]  # 17 characters: wrong length
    client = login(users["wuxing"])
    response = checked(client, run_jobs, write_xlsx(tmp_path / "bad.xlsx", [ENTERPRISE_HEADER[:3], *bad]))
    page = response.content.decode()
    assert len(response.content) < 150_000
    groups = page.split('data-testid="error-groups"')[1].split("</table>")[0]
    assert groups.count("应为 18 位") == 1 and ">3,000<" in groups  # one group: its count, its first rows
    assert page.count("应为 18 位") == 1 + 50  # the group, then the first page of the list one by one
    assert "另有 2,000 条错误未逐条列出" in page and "下载全部错误清单" in page
    listed = client.get(f"/imports/uploads/{ImportUpload.objects.get().pk}/errors.csv")
    lines = b"".join(listed.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "行,列,值,问题" and len(lines) == 3001


def test_a_file_the_worker_cannot_read_fails_its_job_with_the_reason(
    huzhou, users, login, tmp_path, run_jobs, settings
):
    client = login(users["wuxing"])
    queued = upload(client, write_xlsx(tmp_path / "x.xlsx", [["甲", "乙"], [1, 2]]))
    (job,) = run_jobs()
    assert job.status == JobStatus.FAILED
    assert "找不到表头" in client.get(queued["Location"]).content.decode()
    assert ImportUpload.objects.get().status == "refused" and not list(uploads(settings))


def test_non_excel_uploads_are_refused_with_a_message(huzhou, users, login, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("a,b")
    response = upload(login(users["wuxing"]), path)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "不是 .xlsx 格式" in messages[0]


def test_template_download_has_example_and_notes(users, login):
    import io

    from python_calamine import CalamineWorkbook

    response = login(users["wuxing"]).get("/imports/template/enterprise-metrics.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["企业年度指标", "填表说明"]
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["统一社会信用代码", "企业名称", "年度"] and len(rows) == 2
    notes = book.get_sheet_by_name("填表说明").to_python()
    assert any("营业收入（万元）" in str(row[0]) for row in notes)


def test_a_batch_of_another_district_is_not_found(registered, users, login):
    batch = ImportBatch.objects.get()
    batch.scope_path = users["nanxun"].org_unit.path
    batch.save()
    assert login(users["wuxing"]).get(f"/imports/{batch.pk}/").status_code == 404


def test_leaders_cannot_upload(huzhou, users, login, tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER[:3], [uscc(64), "甲公司", "吴兴区"]])
    assert upload(login(users["leader"]), path).status_code == 403


def test_uploads_never_applied_are_deleted_after_a_day_and_expire(
    huzhou, users, login, tmp_path, run_jobs, settings
):
    client = login(users["wuxing"])
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER[:3], [uscc(65), "甲公司", "吴兴区"]])
    checked(client, run_jobs, path)
    stale = ImportUpload.objects.get()
    ImportUpload.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    left_over = Path(settings.MEDIA_ROOT) / "uploads" / "0123abcd.xlsx"  # no upload of its own
    left_over.write_bytes(b"x")
    old = time.time() - 25 * 3600
    os.utime(left_over, (old, old))
    checked(client, run_jobs, path)
    fresh = ImportUpload.objects.exclude(pk=stale.pk).get()

    call_command("import_cleanup", stdout=io.StringIO())

    stale.refresh_from_db()
    assert stale.status == "expired" and stale.stored_file == ""
    assert [p.name for p in uploads(settings)] == [Path(fresh.stored_file).name]
    response = client.get(f"/imports/uploads/{stale.pk}/")
    assert [str(m) for m in response.wsgi_request._messages] == ["上传的文件已过期，请重新上传。"]
    assert client.post(f"/imports/uploads/{stale.pk}/apply/").status_code == 302
    assert not Job.objects.filter(handler__endswith="upload_apply").exists()


def test_the_daily_tick_expires_stale_uploads(huzhou, users, login, tmp_path, run_jobs, settings):
    from kuochan.cockpit.tasks import daily_tick

    checked(
        login(users["wuxing"]),
        run_jobs,
        write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER[:3], [uscc(68), "甲公司", "吴兴区"]]),
    )
    ImportUpload.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert daily_tick.call()["expired_uploads"] == 1
    assert ImportUpload.objects.get().status == "expired" and not list(uploads(settings))


def test_only_the_worker_and_command_line_pause_garbage_collection(registered, users, tmp_path, monkeypatch):
    """A web request must not pause the collector for the whole process, nor read or query on other threads."""
    seen = []
    check = EnterpriseOwnedImporter.check

    def watched(self, rows):
        seen.append((gc.isenabled(), threading.active_count(), self.alongside))
        return check(self, rows)

    monkeypatch.setattr(EnterpriseOwnedImporter, "check", watched)
    path = write_xlsx(
        tmp_path / "m.xlsx", [["统一社会信用代码", "年度", "营业收入（万元）"], [registered[0], 2025, 1]]
    )
    threads = threading.active_count()
    run_import("enterprise-metrics", path, actor=users["wuxing"], source=Source.API, dry_run=True)
    run_import(
        "enterprise-metrics", path, actor=users["wuxing"], source=Source.WEB, dry_run=True, background=True
    )
    assert seen == [(True, threads, False), (False, threads, True)]
    assert gc.isenabled()
