import pytest

from kuochan.imports.models import ImportBatch
from kuochan.registry.models import Enterprise
from tests.conftest import ENTERPRISE_HEADER
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db


def upload(client, path, kind="enterprises"):
    with path.open("rb") as stream:
        return client.post("/imports/upload/", {"kind": kind, "file": stream})


def test_upload_previews_then_applies_then_rolls_back(huzhou, users, login, tmp_path):
    client = login(users["wuxing"])
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [ENTERPRISE_HEADER[:3], [uscc(61), "甲公司", "吴兴区"], [uscc(62), "乙公司", "吴兴区"]],
    )
    preview = upload(client, path)
    page = preview.content.decode()
    assert "将新增" in page and "确认导入" in page and not Enterprise.objects.exists()
    token = preview.context["token"]
    applied = client.post("/imports/apply/", {"token": token})
    batch = ImportBatch.objects.get()
    assert applied["Location"] == f"/imports/{batch.pk}/"
    assert Enterprise.objects.count() == 2 and batch.actor == users["wuxing"] and batch.source == "web"
    detail = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "甲公司" in detail and "回滚此批次" in detail
    client.post(f"/imports/{batch.pk}/rollback/")
    assert not Enterprise.objects.exists()
    assert ImportBatch.objects.get().status == "rolled_back"


def test_preview_lists_errors_and_offers_skipping_them(huzhou, users, login, tmp_path):
    client = login(users["wuxing"])
    path = write_xlsx(
        tmp_path / "e.xlsx",
        [ENTERPRISE_HEADER[:3], [uscc(63), "甲公司", "吴兴区"], ["123", "乙公司", "吴兴区"]],
    )
    page = upload(client, path).content.decode()
    assert "统一社会信用代码应为 18 位" in page and "跳过错误行" in page and "确认导入" not in page


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


def test_uploads_never_applied_are_cleared_after_a_day(huzhou, users, login, tmp_path, settings):
    import os
    import time

    settings.MEDIA_ROOT = tmp_path / "media"
    client = login(users["wuxing"])
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER[:3], [uscc(65), "甲公司", "吴兴区"]])
    upload(client, path)
    (waiting,) = (tmp_path / "media" / "uploads").glob("*.xlsx")
    old = time.time() - 25 * 3600
    os.utime(waiting, (old, old))
    upload(client, path)
    assert not waiting.exists() and len(list((tmp_path / "media" / "uploads").glob("*.xlsx"))) == 1
