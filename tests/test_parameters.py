"""The notebooks' parameters are checked before a batch runs, and a page's footer states them in words."""

from __future__ import annotations

import pytest

from helpers.publish.chrome import parameter_in_words
from helpers.publish.parameters import problem, table


@pytest.mark.parametrize("value", [0.5, 0.8, 0.9, 0.95, 1.0, 1])
def test_a_threshold_between_0_and_1_is_taken(value):
    assert problem("low_execution_threshold", value) is None


def test_a_percentage_typed_as_a_threshold_is_refused_with_the_fraction_meant():
    assert problem("low_execution_threshold", 80).endswith("got 80 (did you mean 0.8?)")
    assert problem("low_execution_threshold", 95.0).endswith("(did you mean 0.95?)")
    assert "got 0" in problem("low_execution_threshold", 0) and "did you mean" not in problem(
        "low_execution_threshold", 0)
    assert "must be float; got 'high'" in problem("low_execution_threshold", "high")


def test_other_parameters_are_checked_by_their_kind():
    assert problem("lang", "fr") == "lang must be one of zh, en; got 'fr'"
    assert problem("year", 23) == "year must be a four-digit year; got 23"
    assert "unit id" in problem("unit", "Luzhou Police") and problem("unit", "luzhou-traffic-police") is None
    assert problem("not_a_declared_parameter", 80) is None  # the batch refuses undeclared names itself


def test_every_notebook_parameter_is_declared_in_the_table():
    import json

    from helpers import paths

    declared = set()
    for notebook in paths.NOTEBOOKS.glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = next("".join(c["source"]) for c in cells if "parameters" in c["metadata"].get("tags", []))
        declared |= {line.split(":")[0].strip() for line in source.splitlines() if ":" in line.split("=")[0]}
    assert declared and declared <= set(table())


def test_the_footer_names_parameters_in_the_page_language():
    assert parameter_in_words("low_execution_threshold", "0.9", "zh") == ("执行率偏低的标准（低于预算的比例）", "90%")
    assert parameter_in_words("low_execution_threshold", 0.925, "en")[1] == "92.5%"
    assert parameter_in_words("lang", "en", "zh") == ("语言", "English")
    assert parameter_in_words("year", 2023, "en") == ("Year", "2023")


@pytest.mark.slow  # inspects the templates with papermill
def test_the_batch_refuses_a_threshold_out_of_range_before_building_anything(tmp_path, capsys):
    from helpers.publish.batch import main

    assert main(["-p", "low_execution_threshold", "80", "--out", str(tmp_path / "reports")]) == 2
    assert "got 80 (did you mean 0.8?)" in capsys.readouterr().err
    assert not list((tmp_path / "reports").glob("*/*.html"))


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9, 0.95, 1.0])
def test_the_reports_own_90_percent_rule_decides_which_reasons_are_missing(tidy_dir, threshold):
    """The form asks for a reason below 90% (the report's rule), whatever threshold the reader picks: at 95% the
    projects at 92.9% and 94.1% owe none; at 50% the one at 78.1% still does. Both languages say whose rule."""
    from helpers.data.load import load_year
    from helpers.story import low_execution, wording

    low = low_execution.low_execution_summary(load_year(2023, tidy_dir), threshold)
    names = low.without_reason["project_name"].tolist()
    assert names == ["文明劝导员工作经费"]  # 78.1%, no reason given; the only one below 90%
    assert low.count == {0.5: 1, 0.8: 6, 0.9: 8, 0.95: 10, 1.0: 15}[threshold]
    zh = wording.say("zh", "low_execution", "unexplained", names=names, rule=low.report_rule,
                     same=low.is_report_rule)
    en = wording.say("en", "low_execution", "unexplained", names=names, rule=low.report_rule,
                     same=low.is_report_rule)
    assert "道路交通安全隐患排查及综合治理项目" not in zh + en and "道路交通事故处理业务项目" not in zh + en
    if threshold == 0.9:
        assert zh == "其中1个项目未按自评表要求说明原因：文明劝导员工作经费。"
    else:
        assert zh == "按报告自身“执行率未达到90%需说明原因”的要求，1个项目未按自评表要求说明原因：文明劝导员工作经费。"
        assert en.startswith("1 project below the report's own 90% rule gives no reason")
