"""The one facts store (`helpers.data.facts.Facts`) on real figures of the 2023 report, and YearData over it.

Line numbers are those of data/raw/2023/luzhou_traffic_police_2023_final_accounts.txt.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from helpers.data.facts import Facts
from helpers.data.load import load_year
from helpers.story import common


@pytest.fixture(scope="module")
def facts(tables) -> Facts:
    return Facts(2023, tables["facts"])


def test_a_stated_figure_has_its_value_line_and_printed_decimals(facts):
    # line 26: "2023年本年支出合计17,211.32万元"
    assert facts.value("total_expenditure") == pytest.approx(17211.32)
    assert facts.line("total_expenditure") == 26
    assert facts.decimals("total_expenditure") == 2
    stated = facts.stated("total_expenditure", 2023)
    assert stated is not None and stated.line == 26 and stated.value == pytest.approx(17211.32)
    assert facts.unit("total_expenditure") == "万元" and facts.label_zh("total_expenditure") == "本年支出合计"


def test_the_prior_year_total_is_derived_from_the_change_stated_on_line_10(facts):
    # line 10: "收、支总计均为17,211.32万元，与2022年度相比，减少889.32万元，下降4.9%"
    prior = facts.fact("total_expenditure", 2022)
    assert prior.value == pytest.approx(18100.64) and prior.line == 10 and prior.derived
    assert facts.stated("total_expenditure", 2022) is None
    assert facts.value("total_expenditure_change") == pytest.approx(-889.32)
    assert facts.decimals("total_expenditure_change_pct") == 1          # "下降4.9%"


def test_a_prior_year_figure_stated_outright_is_not_derived(facts):
    # line 143: "与2022年全年财政下达预算18,100.64万元相比，减少889.32万元，减少4.91%"
    stated = facts.stated("expenditure_budget_adjusted", 2022)
    assert stated is not None and stated.value == pytest.approx(18100.64) and stated.line == 143
    assert facts.decimals("expenditure_budget_change_pct") == 2         # "4.91%"


def test_a_count_keeps_its_counting_word(facts):
    # line 66: 更新购置公务用车15辆
    assert facts.value("vehicles_bought") == 15 and facts.line("vehicles_bought") == 66
    assert facts.unit("vehicles_bought") == "辆" and facts.decimals("vehicles_bought") == 0


def test_a_figure_the_report_does_not_give(facts, tables):
    assert facts.get("total_expenditure", 2021) is None
    assert not facts.has("total_expenditure", "no_such_metric")
    assert facts.has("total_expenditure", "basic_expenditure", "project_expenditure")
    assert facts.has("three_public_total", year=2022) and not facts.has("basic_expenditure", year=2022)
    assert facts.lines_of("total_expenditure_change", "no_such_metric", "vehicles_bought") == [10, 66]
    with pytest.raises(KeyError, match="no_such_metric for 2023"):
        facts.value("no_such_metric")
    with pytest.raises(KeyError, match="basic_expenditure for 2022"):
        facts.line("basic_expenditure", 2022)


def test_rows_of_two_reports_or_a_figure_given_twice_are_refused(tables):
    one = tables["facts"]
    other = one.assign(report="another_report")
    with pytest.raises(ValueError, match="expected one"):
        Facts(2023, pd.concat([one, other]))
    twice = pd.concat([one, one[one["metric"] == "total_expenditure"]])
    with pytest.raises(ValueError, match=r"total_expenditure for 2022 is given 2 times \(lines 10, 10\)"):
        Facts(2023, twice)


def test_year_data_answers_from_the_same_store(tidy_dir):
    data = load_year(2023, tidy_dir)
    assert isinstance(data.fact_store, Facts) and data.fact_store.table is data.facts
    assert data.value("total_expenditure") == pytest.approx(17211.32) and data.line("total_expenditure") == 26
    assert (
        data.value("total_expenditure", 2022) == pytest.approx(18100.64) and data.line("total_expenditure", 2022) == 10
    )
    assert data.has("three_public_total", 2022) and not data.has("basic_expenditure", 2022)
    with pytest.raises(KeyError, match=r"basic_expenditure for 2022 is not in .*facts\.csv"):
        data.value("basic_expenditure", 2022)
    with pytest.raises(KeyError, match="facts.csv"):
        data.line("no_such_metric")


def test_explanations_are_loaded_with_the_year(tidy_dir):
    """The stated reasons come from the YearData, not from re-reading explanations.csv."""
    data = dataclasses.replace(load_year(2023, tidy_dir), tidy_dir=Path("/nonexistent/tidy"))
    reason = common.stated_reason(data, "total_expenditure_change")
    # line 10: "减少的主要原因：一是2022年新增国道546线纳溪至赤水（川黔界）段公路增设交通安全设施项目已完工验收…"
    assert reason.line == 10 and reason.text_zh.startswith("一是2022年新增国道546线纳溪至赤水（川黔界）段")
    assert common.stated_reason(data, "basic_expenditure") is None
    assert set(data.explanations["report"]) == {"luzhou_traffic_police_2023_final_accounts"}
