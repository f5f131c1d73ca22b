"""The 通报's words come from fixed templates filled with the month's figures."""

from kuochan.cockpit.rules import heading, narrative, number, percent


def figures(**changes):
    base = {
        "month": "2026-10", "unit": "湖州市",
        "indicators": [
            {"code": "a", "name": "增资扩产投资额", "unit": "亿元", "actual": 128.13, "year_target": 555,
             "completion": 0.230865, "time_pace": 0.833333, "light": "red"},
            {"code": "b", "name": "落地湖州募投项目", "unit": "个", "actual": 16, "year_target": 8, "completion": 2.0,
             "time_pace": 0.833333, "light": "green"},
            {"code": "c", "name": "技改投资增幅", "unit": "%", "actual": None, "year_target": None, "completion": None,
             "time_pace": None, "light": "none"},
        ],
        "ranking": [{"unit": u, "rank": n, "score": str(100 - n)} for n, u in enumerate(["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"], 1)],
        "lights": {"red": 3, "yellow": 5, "green": 10, "none": 2},
        "red_by_district": {"吴兴区": 2, "南浔区": 1},
        "stalls": {"签约未落地": 0, "落地未开工": 4, "开工未竣工": 1, "竣工未投产": 0, "投产未达产": 0},
        "lists": {"to_start": 6, "to_complete": 2, "to_above_scale": 9},
        "tickets": {"raised": 12, "open": 4, "overdue": 2, "escalated": 1, "closed": 7, "satisfied": 6},
        "events": {"events": 3, "enterprises": 40, "orders_wan": "15340.00", "financing_wan": "0.00"},
        "statistics": {"subject": "湖州市", "standings": []},
    }  # fmt: skip
    return base | changes


def test_figures_print_as_the_bureau_writes_them():
    assert (number(128.125), number(3.0), number(15340.5)) == ("128.13", "3", "15,340.5")
    assert (percent(0.230865), percent(2.0)) == ("23.1%", "200.0%")
    assert (number(None), percent(None), number(None, missing="本年无目标")) == (
        "无数据",
        "不适用",
        "本年无目标",
    )


def test_a_level_indicator_reads_as_added_against_to_add_not_as_a_completion_rate():
    level = {"code": "listed", "name": "上市公司", "unit": "家", "actual": 65, "year_target": 67,
             "completion": 0.333333, "time_pace": 0.833333, "light": "red",
             "level_text": "年内新增 1 / 目标新增 3"}  # fmt: skip
    text = "".join(p for s in narrative(figures(indicators=[level])) for p in s.paragraphs)
    assert "上市公司年内新增 1 / 目标新增 3" in text and "上市公司年度目标完成率" not in text


def test_the_narrative_states_every_figure_in_its_section():
    sections = narrative(figures())
    assert [heading(i, s) for i, s in enumerate(sections)] == [
        "一、总体情况",
        "二、工业经济主要指标",
        "三、各区县进展",
        "四、存在问题",
        "五、下月工作重点",
    ]
    overall, statistics, districts, problems, focus = (s.paragraphs for s in sections)
    assert statistics == ("2026年10月工业经济统计数据尚未导入，本期暂不通报。",)
    assert overall[0] == "截至 10 月底，湖州市纳入监测的 2 项年度指标中，绿灯 1 项、黄灯 0 项、红灯 1 项。"
    assert (
        overall[1]
        == "增资扩产投资额128.13亿元（年度目标 555亿元），年度目标完成率 23.1%，落后时序进度 60.2 个百分点。"
    )
    assert (
        overall[2]
        == "落地湖州募投项目16个（年度目标 8个），年度目标完成率 200.0%，快于时序进度 116.7 个百分点。"
    )
    assert overall[-2] == "全市在库增资扩产项目 20 个，其中红灯 3 个、黄灯 5 个、绿灯 10 个，不亮灯 2 个。"
    assert overall[-1] == (
        "本年累计开展供需对接活动 3 场次，参与企业 40 家，对接订单 1.53 亿元、融资 0 亿元；受理企业诉求 12 件，办结并回访 7 件。"
    )
    assert districts == (
        "按赛马综合得分，吴兴区、南浔区、德清县位列前三，长兴县、安吉县排名靠后。",
        "红灯项目较多的是吴兴区（2 个）、南浔区（1 个）。",
    )
    assert problems == (
        "1. 增资扩产投资额年度目标完成率 23.1%，落后时序进度 60.2 个百分点。",
        "2. “破五未”项目 5 个，其中落地未开工 4 个、开工未竣工 1 个。",
        "3. 企业诉求逾期未办结 2 件，其中 1 件已升级市级督办。",
    )
    assert focus[0] == "1. 紧盯 3 个红灯项目，逐个分析原因、明确责任、限期整改，推动红灯转黄转绿。"
    assert focus[2] == "3. 聚焦“落地未开工”等“破五未”项目开展专项攻坚，协调解决要素保障和审批问题。"
    assert len(focus) == 5


def test_a_quiet_month_says_so_and_ranks_nobody_without_split_targets():
    quiet = figures(
        indicators=[], lights={"red": 0, "yellow": 0, "green": 4, "none": 0}, red_by_district={},
        stalls=dict.fromkeys(["签约未落地", "落地未开工", "开工未竣工", "竣工未投产", "投产未达产"], 0),
        lists={"to_start": 0, "to_complete": 0, "to_above_scale": 0},
        tickets={"raised": 0, "open": 0, "overdue": 0, "escalated": 0, "closed": 0, "satisfied": 0},
        ranking=[{"unit": "吴兴区", "rank": None, "score": None}],
    )  # fmt: skip
    _, _, districts, problems, focus = narrative(quiet)
    assert districts.paragraphs == ("各区县年度目标尚未全部分解，本月暂不排名。", "各区县均无红灯项目。")
    assert problems.paragraphs == ("本月各项指标和项目均无红灯，未发现突出问题。",)
    assert focus.paragraphs == ("1. 保持良好态势，持续做好项目服务和要素保障。",)


def test_the_statistics_section_cites_the_months_figures_against_the_province():
    cited = figures(
        month="2026-06",
        statistics={"subject": "全市", "standings": [
            {"indicator": "规上工业增加值增速", "kind": "growth", "unit": "亿元", "ytd": None, "growth": "7.3",
             "rank": 2, "peers": "全省", "peers_growth": "6.1"},
            {"indicator": "制造业投资增速", "kind": "growth", "unit": "亿元", "ytd": None, "growth": "13.4",
             "rank": None, "peers": "全省", "peers_growth": None},
        ]},
    )  # fmt: skip
    section = narrative(cited)[1]
    assert heading(1, section) == "二、工业经济主要指标"
    assert section.paragraphs == (
        "1-6月，全市规上工业增加值同比增长7.3%，高于全省1.2个百分点，居全省第2位；制造业投资同比增长13.4%。",
    )
