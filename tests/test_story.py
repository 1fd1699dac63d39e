"""The story's numbers, computed from the tidy data, against the report."""

from __future__ import annotations

import pytest

from helpers.story import narrative
from helpers.data.load import load_year

LOW_PROJECTS_2023 = ["2023年省级政法转移支付资金结转", "二大队业务技术用房新建项目", "2022年省级政法转移支付资金",
                     "2023年办公场所维修改造项目", "道安工作专项经费", "文明劝导员工作经费", "车驾管业务项目",
                     "道路交通组织优化项目"]


@pytest.fixture(scope="module")
def data(tidy_dir):
    return load_year(2023, tidy_dir)


def test_decline(data):
    change = narrative.change_of(data, "total_expenditure")
    assert (change.prior, change.current, change.change) == (18100.64, 17211.32, -889.32)
    assert round(change.pct, 3) == -0.049
    sentence = narrative.decline_sentence(data)
    assert "17,211.32 万元" in sentence and "18,100.64 万元" in sentence and "−4.9%" in sentence
    assert "国道546线" in narrative.decline_reason_sentence(data)


def test_three_public(data):
    change = narrative.change_of(data, "three_public_total", "three_public_change")
    assert (change.prior, change.current) == (180.0, 617.37)
    assert round(change.pct, 3) == 2.430  # 437.37 / 180 = 242.98%: the report prints 242.9%
    sentence = narrative.three_public_sentence(data)
    assert "617.37 万元" in sentence and "100%" in sentence
    assert "+243.0% (the report prints +242.9%)" in sentence
    assert "15 new patrol cars" in narrative.vehicle_sentence(data) and "38 police motorcycles" in narrative.vehicle_sentence(data)


def test_low_execution_projects(data):
    low = narrative.low_execution(data, 0.9)
    assert list(low["project_name"]) == LOW_PROJECTS_2023
    building = low.set_index("project_name").loc["二大队业务技术用房新建项目"]
    assert building["unspent"] == pytest.approx(401.39)
    assert building["execution_rate"] == pytest.approx(518.61 / 920)
    assert "(no reason given)" == low.set_index("project_name").loc["文明劝导员工作经费", "reason"]
    assert "文明劝导员工作经费" in narrative.unexplained_sentence(data, 0.9)
    assert narrative.low_execution_sentence(data, 0.9).startswith("8 projects of 17")
    assert narrative.low_execution(data, 0.5).empty is False and len(narrative.low_execution(data, 0.5)) == 1


def test_structure_and_classes(data):
    structure = narrative.structure_table(data)
    assert structure["amount"].tolist() == [8396.90, 8814.42]
    classes = narrative.class_table(data)
    assert classes.iloc[0]["class_zh"] == "公共安全支出"
    assert "Public security 公共安全支出" in narrative.class_sentence(data)


def test_missing_year_is_a_clear_error(tidy_dir):
    with pytest.raises(ValueError, match="no report for 2031"):
        load_year(2031, tidy_dir)
