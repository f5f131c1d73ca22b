"""The report's sentence on the month's statistics, in the bureau's words: growth above, below or equal to the
peers', a fall, a missing comparison or rank, and an area with nothing published. Expectations by hand."""

from decimal import Decimal

from kuochan.statistics.rules import Standing, gap_words, rank_words, standings_sentence


def standing(indicator="规上工业增加值增速", kind="growth", unit="亿元", ytd=None, growth="7.3", rank=2,
             peers="全省", peers_growth="6.9"):  # fmt: skip
    def dec(value):
        return None if value is None else Decimal(value)

    return Standing(indicator, kind, unit, dec(ytd), dec(growth), rank, peers, dec(peers_growth))


def test_growth_above_the_province_is_cited_with_the_gap_and_the_rank():
    found = standings_sentence(
        [
            standing(),
            standing("规上工业营业收入", "amount", ytd="4321.5", growth="5.6", rank=3, peers_growth="4.1"),
            standing("制造业投资增速", growth="13.4", rank=2, peers_growth="3.3"),
        ],
        month=6,
        subject="全市",
    )
    assert found == (
        "1-6月，全市规上工业增加值同比增长7.3%，高于全省0.4个百分点，居全省第2位；"
        "规上工业营业收入4,321.5亿元，同比增长5.6%，高于全省1.5个百分点，居全省第3位；"
        "制造业投资同比增长13.4%，高于全省10.1个百分点，居全省第2位。"
    )


def test_a_fall_below_the_city_reads_as_a_fall_and_a_gap_below():
    below = standing(growth="6.00", rank=5, peers="全市", peers_growth="7.3")
    fall = standing("制造业投资增速", growth="-2.5", rank=7, peers="全市", peers_growth="13.4")
    assert standings_sentence([below, fall], month=6, subject="南浔区") == (
        "1-6月，南浔区规上工业增加值同比增长6.0%，低于全市1.3个百分点，居全市第5位；"
        "制造业投资同比下降2.5%，低于全市15.9个百分点，居全市第7位。"
    )


def test_growth_equal_to_the_province_and_flat_growth():
    equal = standing(growth="5.6", peers_growth="5.60", rank=4)
    flat = standing("技改投资增速", growth="0", peers_growth="-1.2", rank=None)
    assert standings_sentence([equal, flat], month=1, subject="全市") == (
        "1月，全市规上工业增加值同比增长5.6%，与全省持平，居全省第4位；技改投资与上年同期持平，高于全省1.2个百分点。"
    )


def test_without_the_province_figure_there_is_no_comparison_and_without_a_rank_no_rank():
    no_province = standing(peers_growth=None)
    no_rank = standing("工业投资增速", growth="10.25", rank=None, peers_growth="8")
    assert standings_sentence([no_province, no_rank], month=3, subject="全市") == (
        "1-3月，全市规上工业增加值同比增长7.3%，居全省第2位；工业投资同比增长10.25%，高于全省2.25个百分点。"
    )
    assert gap_words(no_province) is None and rank_words(no_rank) is None


def test_an_amount_without_growth_and_nothing_published():
    profit = standing("利润总额", "amount", ytd="250.8", growth=None, rank=None, peers_growth=None)
    nothing = standing("工业用电量", "amount", unit="亿千瓦时", ytd=None, growth=None, rank=5)
    assert (
        standings_sentence([profit, nothing], month=12, subject="全市") == "1-12月，全市利润总额250.8亿元。"
    )
    assert standings_sentence([nothing], month=12, subject="全市") is None
    assert standings_sentence([], month=12, subject="全市") is None


def test_the_cockpit_spaces_the_gap_and_names_the_rank_among_the_peers():
    assert gap_words(standing(), spaced=True) == "高于全省 0.4 个百分点"
    assert gap_words(standing(growth="6.0", peers="全市", peers_growth="7.3"), spaced=True) == (
        "低于全市 1.3 个百分点"
    )
    assert rank_words(standing()) == "全省第2位"
    assert rank_words(standing(peers="")) is None  # the province itself is ranked among nobody
