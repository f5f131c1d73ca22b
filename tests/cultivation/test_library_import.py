"""The candidate library as an import (导入名单): a list enters enterprises into a title's library with their
gaps and owners, a second import changes nothing, and every bad row is named by row, column and value with
nothing written."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from kuochan.audit.models import Action, AuditEntry
from kuochan.cultivation import services
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus
from kuochan.registry.models import Enterprise
from tests.cultivation.conftest import MUYE_GAP, THIS_YEAR, TODAY, WEB, XINCAILIAO_GAPS, honour, nominate
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db
HEADER = ["统一社会信用代码", "企业名称", "称号", "年度", "责任人", "计划支持", "备注"]


def problems(result):
    return {(p["row"], p["column"], p["value"]): p["message"] for p in result["errors"]}


def good_rows(srdi, support="技改项目补助（设备投入的 10%）"):
    return [
        HEADER,
        [srdi["xincailiao"].uscc, "", "专精特新中小企业", THIS_YEAR, "wuxing", support, ""],
        ["", "南浔木业有限公司", "srdi_sme", THIS_YEAR, "city", "", "区县推荐"],
    ]


def test_a_list_enters_the_enterprises_with_their_gaps_and_owners_and_again_changes_nothing(
    srdi, users, tmp_path, run_cli
):
    path = write_xlsx(tmp_path / "名单.xlsx", good_rows(srdi))
    code, result = run_cli("title-library", path, "--user", "city")
    assert code == 0 and (result["created"], result["updated"]) == (2, 0), result
    new = entry = Entry.objects.get(enterprise=srdi["xincailiao"], title=srdi["title"], year=THIS_YEAR)
    assert (entry.source, entry.status, entry.entered_on, entry.status_on) == (
        EntrySource.IMPORT,
        EntryStatus.ENTERED,
        TODAY,
        TODAY,
    )
    assert entry.gaps == XINCAILIAO_GAPS
    assert entry.responsible == users["wuxing"]
    assert entry.planned_support == "技改项目补助（设备投入的 10%）"
    muye = Entry.objects.get(enterprise=srdi["muye"], title=srdi["title"], year=THIS_YEAR)
    assert (muye.gaps, muye.responsible, muye.note) == ([MUYE_GAP], users["city_staff"], "区县推荐")
    assert {new.created_batch, muye.created_batch} == {result["batch"]}
    assert not AuditEntry.objects.filter(batch_id=result["batch"]).exists()  # the batch is their record

    code, again = run_cli("title-library", path, "--user", "city")
    assert code == 0 and (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_a_second_list_updates_the_planned_support_and_its_rollback_puts_it_back(
    srdi, users, tmp_path, run_cli
):
    run_cli("title-library", write_xlsx(tmp_path / "名单.xlsx", good_rows(srdi)), "--user", "city")
    path = write_xlsx(tmp_path / "二.xlsx", good_rows(srdi, support="亩均效益提升专项辅导"))
    code, result = run_cli("title-library", path, "--user", "city")
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    entry = Entry.objects.get(enterprise=srdi["xincailiao"], title=srdi["title"], year=THIS_YEAR)
    assert entry.planned_support == "亩均效益提升专项辅导"
    (audit,) = AuditEntry.objects.filter(batch_id=result["batch"], action=Action.UPDATE)
    assert audit.changes == {"planned_support": ["技改项目补助（设备投入的 10%）", "亩均效益提升专项辅导"]}
    call_command("import_rollback", str(result["batch"]))
    entry.refresh_from_db()
    assert entry.planned_support == "技改项目补助（设备投入的 10%）"


def test_rolling_back_a_list_removes_the_entries_it_entered(srdi, tmp_path, run_cli):
    path = write_xlsx(tmp_path / "名单.xlsx", good_rows(srdi))
    code, result = run_cli("title-library", path, "--user", "city")
    assert code == 0 and Entry.objects.count() == 2
    call_command("import_rollback", str(result["batch"]))
    assert Entry.objects.count() == 0


def test_bad_rows_are_named_and_nothing_is_written(srdi, users, tmp_path, run_cli):
    t, x, wuxing = srdi["tongzhuang"], srdi["xincailiao"], srdi["tongzhuang"].district
    Enterprise.objects.create(uscc=uscc(301), name="湖州同名有限公司", district=wuxing)
    Enterprise.objects.create(uscc=uscc(302), name="湖州同名有限公司", district=wuxing)
    honour(x.uscc, "provincial_srdi")  # 新材料 holds the title already
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [
            HEADER,
            [t.uscc, "", "专精特新中小企业", THIS_YEAR, "", "", ""],  # good, but nothing is written
            [uscc(999), "不存在的企业", "专精特新中小企业", THIS_YEAR, "", "", ""],
            ["", "湖州同名有限公司", "专精特新中小企业", THIS_YEAR, "", "", ""],
            [srdi["muye"].uscc, "", "专精特新中小企业", THIS_YEAR, "", "", ""],  # 南浔: not wuxing's
            [t.uscc, "", "专精特新小企业", THIS_YEAR, "", "", ""],
            [x.uscc, "", "专精特新中小企业", THIS_YEAR, "", "", ""],
            [uscc(301), "", "专精特新中小企业", THIS_YEAR, "无此人", "", ""],
            [uscc(302), "", "专精特新中小企业", THIS_YEAR, "nanxun", "", ""],
            [t.uscc, "", "srdi_sme", THIS_YEAR, "", "", ""],  # the first row's enterprise again
            [uscc(301), "", "专精特新中小企业", "", "", "", "过长" * 300],
        ],
    )
    code, result = run_cli("title-library", path, "--user", "wuxing")
    assert code == 2 and not result["applied"]
    assert problems(result) == {
        (3, "统一社会信用代码", uscc(999)): "企业库中没有该统一社会信用代码的企业，请先导入企业名单",
        (4, "企业名称", "湖州同名有限公司"): "数据范围内有 2 家企业同名，请填写统一社会信用代码",
        (5, "统一社会信用代码", srdi["muye"].uscc): "不在您的数据范围内",
        (6, "称号", "专精特新小企业"): (
            "没有该培育称号，应为称号名称或代码；您是否要找：专精特新中小企业、专精特新“小巨人”企业、创新型中小企业？"
        ),
        (7, "统一社会信用代码", x.uscc): f"该企业 {THIS_YEAR} 年已获“专精特新中小企业”称号，无需入库培育",
        (8, "责任人", "无此人"): "平台中没有该用户名或姓名的用户，应为平台用户的用户名或姓名",
        (9, "责任人", "nanxun"): "应为“吴兴区”或其上级单位的在岗工作人员",
        (10, "统一社会信用代码", t.uscc): "同一称号同一年度的同一企业与第 2 行重复",
        (11, "年度", ""): "不能为空",
        (11, "备注", "过长" * 300): "不能超过 500 个字",
    }
    assert Entry.objects.count() == 0


def test_a_district_enters_its_own_enterprises_only(srdi, tmp_path, run_cli):
    path = write_xlsx(tmp_path / "名单.xlsx", good_rows(srdi))
    code, result = run_cli("title-library", path, "--user", "wuxing")
    assert code == 2 and problems(result) == {
        (3, "企业名称", "南浔木业有限公司"): "数据范围内没有该名称的企业，请核对名称或填写统一社会信用代码"
    }
    code, result = run_cli("title-library", path, "--user", "nanxun")
    assert code == 2 and problems(result) == {
        (2, "统一社会信用代码", srdi["xincailiao"].uscc): "不在您的数据范围内"
    }
    assert Entry.objects.count() == 0
    code, result = run_cli("title-library", path, "--user", "nanxun", "--skip-invalid")
    assert code == 0 and result["created"] == 1
    assert Entry.objects.get().enterprise == srdi["muye"]


@pytest.mark.parametrize("who", ["enterprise", "leader"])
def test_only_staff_who_keep_the_library_import_it(srdi, users, tmp_path, run_cli, who):
    path = write_xlsx(tmp_path / "名单.xlsx", good_rows(srdi))
    code, result = run_cli("title-library", path, "--user", users[who].username)
    assert code == 2 and "无权导入数据" in result["errors"][0]["message"]
    assert Entry.objects.count() == 0


def test_the_library_page_links_to_the_upload_with_the_kind_chosen(srdi, users, client):
    page = reverse("cultivation:library", args=["srdi_sme"])
    upload = f"{reverse('imports:list')}?kind=title-library"
    client.force_login(users["wuxing"])
    assert f'href="{upload}"' in client.get(page).content.decode()
    assert '<option value="title-library" selected>' in client.get(upload).content.decode()
    client.force_login(users["leader"])
    assert "导入名单" not in client.get(page).content.decode()


def test_an_entry_already_in_the_library_keeps_its_status_and_source(srdi, users, tmp_path, run_cli):
    """A nominated entry, since removed: the list sets its owner and support, says it stays removed, and
    neither enters it again nor counts it as entered by import."""
    entry = nominate(users["wuxing"], srdi["title"], srdi["xincailiao"])
    services.entry_remove(actor=users["wuxing"], source=WEB, entry=entry, reason="企业暂无意愿", today=TODAY)
    path = write_xlsx(tmp_path / "名单.xlsx", good_rows(srdi)[:2])
    code, result = run_cli("title-library", path, "--user", "wuxing")
    assert code == 0 and (result["created"], result["updated"]) == (0, 1)
    assert result["warnings"][0]["message"].startswith(f"该企业在{THIS_YEAR}年培育库中为“出库”")
    entry.refresh_from_db()
    assert (entry.status, entry.source, entry.responsible) == (
        EntryStatus.REMOVED,
        EntrySource.NOMINATION,
        users["wuxing"],
    )
    assert entry.planned_support == "技改项目补助（设备投入的 10%）"
