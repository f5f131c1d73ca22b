"""The official result list (认定名单) as an import: every bad row named by row, column and value, and
nothing written; the round and the document come from the options."""

import pytest

from kuochan.cultivation.models import Entry, Round, Title
from kuochan.registry.models import Enterprise, Honour
from tests.cultivation.round_setup import NUMBER, PUBLISHED, make_smart_round
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db
HEADER = ["统一社会信用代码", "企业名称", "结果"]


@pytest.fixture
def smart_round(users, huzhou):
    return make_smart_round(huzhou)


def options(r, number=NUMBER, published=str(PUBLISHED)):
    return ("--user", "city", "--option", f"round={r['round'].pk}", "--option", f"document_number={number}",
            "--option", f"published_on={published}")  # fmt: skip


def problems(result):
    return {(p["row"], p["column"], p["value"]): p["message"] for p in result["errors"]}


def test_bad_rows_are_named_and_nothing_is_written(smart_round, two_cities, tmp_path, run_cli):
    r = smart_round
    c = r["companies"]
    Enterprise.objects.create(uscc=uscc(301), name="湖州同名有限公司", district=c["甲"].district)
    Enterprise.objects.create(uscc=uscc(302, "330503"), name="湖州同名有限公司", district=c["丁"].district)
    other_city = two_cities["b_enterprise"]
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [
            HEADER,
            [c["甲"].uscc, c["甲"].name, "认定"],  # good: but nothing is written while any row is bad
            [uscc(999), "不存在的企业", "认定"],
            ["", "湖州同名有限公司", "认定"],
            [c["乙"].uscc, c["乙"].name, "优秀"],
            [other_city.uscc, other_city.name, "认定"],
            ["", "", "认定"],
            [c["丙"].uscc, c["丙"].name, "撤销"],  # holds no such title
        ],
    )
    honours, entries = Honour.objects.count(), Entry.objects.count()
    code, result = run_cli("title-results", path, *options(r))
    assert code == 2 and not result["applied"]
    found = problems(result)
    assert found[(3, "统一社会信用代码", uscc(999))].startswith("企业库中没有该统一社会信用代码的企业")
    assert found[(4, "企业名称", "湖州同名有限公司")] == "数据范围内有 2 家企业同名，请填写统一社会信用代码"
    assert found[(5, "结果", "优秀")] == "应为以下之一：认定、通过、未通过、不通过、撤销"
    assert found[(6, "统一社会信用代码", other_city.uscc)] == "不在您的数据范围内"
    assert found[(7, "企业名称", "")] == "统一社会信用代码和企业名称至少填一项"
    assert found[(8, "结果", "撤销")] == "该企业未持有“基础级智能工厂”，无法撤销"
    assert len(found) == 6
    assert (Honour.objects.count(), Entry.objects.count()) == (honours, entries)
    assert Round.objects.get(pk=r["round"].pk).result_document_number == ""


def test_a_district_cannot_import_the_citys_list(smart_round, tmp_path, run_cli):
    r = smart_round
    path = write_xlsx(tmp_path / "名单.xlsx", [HEADER, [r["companies"]["甲"].uscc, "", "认定"]])
    code, result = run_cli("title-results", path, *options(r)[2:], "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "认定名单由组织该申报批次的市级工作人员导入。"


@pytest.mark.parametrize(
    ("number", "published", "message"),
    [("", "2026-07-15", "请填写认定文号"), (NUMBER, "七月", "发文日期“七月”不是日期")],
)
def test_the_document_number_and_date_are_required(
    smart_round, tmp_path, run_cli, number, published, message
):
    r = smart_round
    path = write_xlsx(tmp_path / "名单.xlsx", [HEADER, [r["companies"]["甲"].uscc, "", "认定"]])
    code, result = run_cli("title-results", path, *options(r, number, published))
    assert code == 2 and result["errors"][0]["message"].startswith(message)
    assert not Honour.objects.filter(year_granted=r["round"].year).exists()


def test_the_round_by_title_and_year_and_a_title_column(smart_round, huzhou, tmp_path, run_cli):
    """A file listing two titles of the year: each row's 称号 picks its round."""
    r = smart_round
    advanced = Round.objects.create(
        title=Title.objects.get(code="smart_factory_advanced"),
        year=r["round"].year, city=huzhou["330500"], opens_on=r["round"].opens_on,
        nomination_deadline=r["round"].nomination_deadline, review_deadline=r["round"].review_deadline,
    )  # fmt: skip
    c = r["companies"]
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [["统一社会信用代码", "称号", "结果"], [c["甲"].uscc, "基础级智能工厂", "认定"], [c["乙"].uscc, "先进级智能工厂", "认定"],
         [c["丙"].uscc, "未来工厂", "认定"]],
    )  # fmt: skip
    args = ("--user", "city", "--option", "title=smart_factory_basic", "--option", f"year={r['round'].year}",
            "--option", f"document_number={NUMBER}", "--option", f"published_on={PUBLISHED}")  # fmt: skip
    code, result = run_cli("title-results", path, *args)
    assert code == 2 and problems(result) == {
        (4, "称号", "未来工厂"): f"{r['round'].year}年没有该称号的申报批次，请先建立批次或核对称号名称"
    }
    code, result = run_cli("title-results", path, *args, "--skip-invalid")
    assert code == 0 and result["created"] == 2
    assert set(Honour.objects.filter(year_granted=r["round"].year).values_list("kind", flat=True)) == {
        "smart_factory_basic",
        "smart_factory_advanced",
    }
    assert Round.objects.get(pk=advanced.pk).result_document_number == NUMBER


def test_a_file_may_carry_its_round_and_document_row_by_row(smart_round, tmp_path, run_cli):
    r = smart_round
    c, year = r["companies"], r["round"].year
    header = ["统一社会信用代码", "称号", "年度", "结果", "认定文号", "发文日期"]
    path = write_xlsx(tmp_path / "名单.xlsx", [header, [c["甲"].uscc, "基础级智能工厂", year, "认定", "", ""],
                                               [c["乙"].uscc, "基础级智能工厂", year - 5, "认定", NUMBER, PUBLISHED]])  # fmt: skip
    code, result = run_cli("title-results", path, "--user", "city")
    assert code == 2 and problems(result) == {
        (2, "认定文号", ""): "认定须有认定文号：请填写，或在导入时指定",
        (
            3,
            "称号",
            "基础级智能工厂",
        ): f"{year - 5}年没有“基础级智能工厂”的申报批次，请先建立批次或核对称号名称",
    }
    path = write_xlsx(
        tmp_path / "好.xlsx", [header, [c["甲"].uscc, "基础级智能工厂", year, "认定", NUMBER, PUBLISHED]]
    )
    code, result = run_cli("title-results", path, "--user", "city")
    assert code == 0 and result["created"] == 1
    assert Honour.objects.get(enterprise=c["甲"], year_granted=year).document_number == NUMBER
    code, result = run_cli("title-results", path, "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "认定名单由组织该申报批次的市级工作人员导入。"
