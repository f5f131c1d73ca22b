import json

import pytest
from django.core.management import CommandError, call_command

from tests.xlsx import write_xlsx

METRIC_HEADER = [
    "统一社会信用代码", "年度", "营业收入（万元）", "工业增加值（万元）", "实缴税金（万元）", "研发费用（万元）",
    "综合能耗（吨标准煤）", "用电量（万千瓦时）", "主要污染物排放量（吨）", "碳排放量（吨CO₂）", "零碳电力（万千瓦时）",
    "用地面积（亩）", "年平均职工人数",
]  # fmt: skip


@pytest.fixture
def with_metrics(registered, tmp_path, run_cli):
    """2024 and 2025 figures for the three registered enterprises: 童装 (吴兴, above-scale), 新材料 (吴兴,
    below-scale, 12 亩) and 木业 (南浔, above-scale, 亩均税收 4 万元)."""
    tongzhuang, xincailiao, muye = registered
    rows = [METRIC_HEADER]
    for year, factor in ((2024, 0.9), (2025, 1.0)):
        rows += [
            [
                tongzhuang,
                year,
                10000 * factor,
                2500 * factor,
                400 * factor,
                300,
                500,
                1000,
                5,
                2000,
                0,
                50,
                200,
            ],
            [xincailiao, year, 1500 * factor, 300 * factor, 20 * factor, 30, 80, 150, 1, 400, 10, 12, 30],
            [muye, year, 8000 * factor, 1600 * factor, 160 * factor, 80, 900, 800, 10, 2400, 100, 40, 160],
        ]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "metrics.xlsx", rows))
    assert code == 0, result
    return registered


@pytest.fixture
def evaluate_cli(capsys):
    """Runs `kuochan evaluate … --format json` as the CLI would: (exit code, JSON or the refusal message)."""

    def run(*options):
        try:
            call_command("evaluate", *options, "--format", "json")
        except CommandError as exc:
            return exc.returncode, str(exc)
        return 0, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    return run
