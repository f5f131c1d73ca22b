import json

import pytest
from django.core.management import call_command

from tests.xlsx import uscc, write_xlsx

ENTERPRISE_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所属区县",
    "所属乡镇（园区）",
    "成立日期",
    "行业代码",
    "企业规模",
    "是否规上",
]


@pytest.fixture
def run_cli(capsys):
    """Runs `kuochan import …` and returns (exit code, JSON result)."""

    def run(kind, path, *options):
        code = 0
        try:
            call_command("import", kind, str(path), "--format", "json", *options)
        except SystemExit as exc:
            code = exc.code
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    return run


@pytest.fixture
def registered(huzhou, tmp_path, run_cli):
    """Three enterprises: two in 吴兴区, one in 南浔区."""
    path = write_xlsx(
        tmp_path / "enterprises.xlsx",
        [
            ENTERPRISE_HEADER,
            [uscc(1), "湖州织里童装有限公司", "吴兴区", "织里镇", "2012-05-01", "1811", "中", "是"],
            [uscc(2), "湖州吴兴新材料有限公司", "吴兴区", "", "2019-09-09", "2651", "小", "否"],
            [uscc(3, "330503"), "南浔木业有限公司", "南浔区", "双林镇", "2008-01-15", "2110", "中", "是"],
        ],
    )
    code, result = run_cli("enterprises", path)
    assert code == 0 and result["created"] == 3, result
    return [uscc(1), uscc(2), uscc(3, "330503")]
