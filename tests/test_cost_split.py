"""Where 二大队业务技术用房新建项目's 518.61 万元 went, its building at 0 平方米 (square metres)."""

from __future__ import annotations

import pytest

from helpers.data.load import load_year
from helpers.story import low_execution
from helpers.story.wording import say


@pytest.fixture(scope="module")
def split(tidy_dir):
    data = load_year(2023, tidy_dir)
    [found] = low_execution.cost_splits(data, low_execution.low_execution(data, 0.9))
    return found


def test_the_building_projects_spending_splits_as_its_cost_indicators_say(split):
    # line 5562: 518.61 spent; lines 5675, 5687: 副楼3楼 and 主楼5楼 at 0 平方米; cost indicators in 万元: line 5807
    # 主楼+副楼基础设施建设 0, line 5843 项目前期筹备费用 115.07; the other cost rows (lines 5817–5913) price
    # camera poles, lights, cameras, terminals and radars per unit (元/套, 元/台), with no total
    assert (split.project_name, split.executed, split.executed_line) == ("二大队业务技术用房新建项目", 518.61, 5562)
    assert split.areas == (("副楼3楼", 5675), ("主楼5楼", 5687))
    assert split.priced == (("主楼+副楼基础设施建设", 0.0, 5807, "0"), ("项目前期筹备费用", 115.07, 5843, "115.07"))
    assert split.remainder == pytest.approx(403.54)  # 518.61 − 115.07
    assert split.per_unit == ("监控杆件", "三合一补光灯", "监控球机", "违停球机", "智能监测终端",
                              "卡口抓拍、电警抓拍单元", "测速雷达")


def test_the_split_is_worded_in_both_languages(split):
    en = say("en", "low_execution", "cost_split", split=split)
    assert "二大队业务技术用房新建项目 (New building for the 2nd brigade) spent 518.61 万元, yet its floor-area " \
           "targets 副楼3楼 (Annex, 3 floors) and 主楼5楼 (Main building, 5 floors) report 0 平方米" in en
    assert "report 0 平方米 (square metres)" in en
    assert "0 万元 for 主楼+副楼基础设施建设 (Main building and annex construction) and " \
           "115.07 万元 for 项目前期筹备费用 (Preparatory costs) (lines 5562, 5675, 5687, 5807, 5843)" in en
    assert "The remaining 403.54 万元 (computed: 518.61 − 115.07) went to the other cost sub-items, which the table " \
           "prices per unit" in en
    assert en.endswith("and 测速雷达 (Speed radars).")
    zh = say("zh", "low_execution", "cost_split", split=split)
    assert "二大队业务技术用房新建项目支出518.61万元，但面积指标副楼3楼、主楼5楼完成值均为0平方米" in zh
    assert "主楼+副楼基础设施建设0万元，项目前期筹备费用115.07万元（第5562、5675、5687、5807、5843行）" in zh
    assert "其余403.54万元（计算值：518.61−115.07）用于其他成本子项" in zh
    assert "“卡口抓拍、电警抓拍单元”" in zh


def test_a_project_with_its_building_delivered_has_no_split(tidy_dir):
    # with no area_not_delivered finding, nothing is split
    data = load_year(2023, tidy_dir)
    data.findings = data.findings[data.findings["check"] != "area_not_delivered"]
    assert low_execution.cost_splits(data, low_execution.low_execution(data, 0.9)) == []
