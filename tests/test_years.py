"""Several reports together: every row knows its report, each year reads its own report,
and restated figures are lined up, not merged.

The 2024 report is made from the 2023 text by tests/variants.py (years shifted, totals, 三公 and one
project changed).
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data.ingest import main
from helpers.data.load import available_years, load_year
from helpers.data.schema import read_table
from helpers.data.validate import validate
from variants import AUXILIARY_CODE_2024, REPORT_2023, report_2024

STEM_2023 = REPORT_2023.stem
# Names as a browser saves them: spaces, a "(1)" copy number, Chinese.
NAME_2024 = "泸州市公安局交通警察支队 2024年度单位决算 (1)"


@pytest.fixture(scope="module")
def raw_dirs(tmp_path_factory):
    """data/raw-like folders: 2023 alone, 2024 alone, and both."""
    root = tmp_path_factory.mktemp("raw")
    text_2023, text_2024 = REPORT_2023.read_text(encoding="utf-8"), report_2024()
    folders = {}
    for name, reports in {"only2023": [2023], "only2024": [2024], "both": [2023, 2024]}.items():
        for year in reports:
            folder = root / name / str(year)
            folder.mkdir(parents=True)
            filename = f"{STEM_2023}.txt" if year == 2023 else f"{NAME_2024}.txt"
            (folder / filename).write_text(text_2023 if year == 2023 else text_2024, encoding="utf-8")
        folders[name] = root / name
    return folders


@pytest.fixture(scope="module")
def tidy(raw_dirs, tmp_path_factory):
    out = {}
    for name, raw in raw_dirs.items():
        out[name] = tmp_path_factory.mktemp(f"tidy-{name}")
        assert main(["--raw", str(raw), "--out", str(out[name])]) == 0
    return out


TABLES = ["facts", "functional_classification", "projects", "project_funding", "indicators", "explanations",
          "glossary", "unconsumed_lines", "audit_findings", "audit_checks"]


def test_every_table_names_its_report(tidy):
    for name in TABLES:
        df = read_table(name, tidy["both"])
        assert set(zip(df["report"], df["report_year"], strict=True)) == {(STEM_2023, 2023), (NAME_2024, 2024)}, name


@pytest.mark.slow  # frictionless: seconds to import and validate (`make data` validates too)
def test_both_reports_validate_together(tidy):
    # The 2024 report states 2023 figures the 2023 report states too: keyed by report, both are kept.
    assert validate(tidy["both"]) == []
    facts = read_table("facts", tidy["both"])
    budget_2023 = facts[(facts["metric"] == "income_budget_adjusted") & (facts["year"] == 2023)]
    assert sorted(budget_2023["value"]) == [17211.32, 18100.64]  # 2023 report line 140; 2024 report's restatement


def test_available_years_are_years_with_their_own_report(tidy):
    assert available_years(tidy["both"]) == [2023, 2024]
    assert available_years(tidy["only2024"]) == [2024]  # 2023 figures stated by the 2024 report make no 2023


def test_each_year_reads_its_own_report(tidy):
    data_2024, data_2023 = load_year(2024, tidy["both"]), load_year(2023, tidy["both"])
    assert (data_2024.report, data_2023.report) == (NAME_2024, STEM_2023)
    assert data_2024.value("total_income_expenditure") == 17500.00
    assert data_2024.value("total_expenditure_change") == 288.68
    assert (data_2024.value("total_expenditure"), data_2024.value("total_expenditure", 2023)) == (17500.00, 17211.32)
    # What the 2024 report says about 2023, not what the 2023 report says:
    assert data_2024.value("income_budget_adjusted", 2023) == 18100.64
    assert data_2023.value("income_budget_adjusted") == 17211.32   # 2023 report, line 140
    assert data_2023.value("income_budget_adjusted", 2022) == 18100.64
    assert data_2024.value("three_public_total", 2023) == 617.37  # 500.00 + 117.37, implied by the change
    auxiliary_2024 = data_2024.projects[data_2024.projects["project_name"] == "辅警经费"].iloc[0]
    auxiliary_2023 = data_2023.projects[data_2023.projects["project_name"] == "辅警经费"].iloc[0]
    assert (auxiliary_2024["project_code"], auxiliary_2024["executed"]) == (AUXILIARY_CODE_2024, 2900.00)
    assert (auxiliary_2023["project_code"], auxiliary_2023["executed"]) == ("51050022T000000367054", 2879.25)
    assert len(data_2024.projects) == len(data_2023.projects) == 17
    assert set(data_2024.funding["report"]) == {NAME_2024} and set(data_2023.indicators["report"]) == {STEM_2023}


def test_year_loaded_alongside_another_is_the_year_loaded_alone(tidy):
    """Every table of a year's data (and its report, unit and name) is the same with or without the other year;
    only the later report's audit gains the restatement checks that pair it with the earlier one."""
    import dataclasses

    for year, alone in ((2023, "only2023"), (2024, "only2024")):
        together, single = load_year(year, tidy["both"]), load_year(year, tidy[alone])
        for field in dataclasses.fields(together):
            mine, theirs = getattr(together, field.name), getattr(single, field.name)
            if field.name in ("findings", "checks"):
                mine = _own_checks(mine)
            if isinstance(mine, pd.DataFrame):
                pd.testing.assert_frame_equal(mine, theirs, obj=f"{year} {field.name}")
            elif field.name not in ("tidy_dir", "fact_store"):
                assert mine == theirs, (year, field.name)
        assert (together.report, together.unit_id) == ((STEM_2023, "luzhou-traffic-police") if year == 2023
                                                       else (NAME_2024, "luzhou-traffic-police"))


def _own_checks(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["check"] != "restatement"].reset_index(drop=True)


@pytest.mark.parametrize("table", ["audit_checks", "audit_findings"])
def test_each_years_audit_is_unchanged_by_the_other_report(tidy, table):
    both = read_table(table, tidy["both"])
    for report, alone in ((STEM_2023, "only2023"), (NAME_2024, "only2024")):
        single = read_table(table, tidy[alone])
        pd.testing.assert_frame_equal(_own_checks(both[both["report"] == report]), single)
    # The earlier report is never judged by the later one: restatements sit in the later report's audit.
    assert not (both[both["report"] == STEM_2023]["check"] == "restatement").any()


def test_restatements_list_both_values_reports_and_lines(tidy):
    table = read_table("restatements", tidy["both"]).set_index(["year", "metric"])
    total = table.loc[(2023, "total_expenditure")]
    # 2024 report: 17,500.00 − 288.68 (its line 10); 2023 report: 17,211.32 (line 26, 本年支出合计).
    assert (total["value"], total["other_value"], total["passed"]) == (17211.32, 17211.32, True)
    assert (total["report"], total["other_report"], total["source_line"], total["other_source_line"]) == \
        (NAME_2024, STEM_2023, 10, 26)
    budget = table.loc[(2023, "income_budget_adjusted")]
    assert (budget["value"], budget["other_value"], budget["passed"]) == (18100.64, 17211.32, False)
    assert (budget["source_line"], budget["other_source_line"]) == (140, 140)
    assert budget["difference"] == pytest.approx(889.32)
    checks = read_table("audit_checks", tidy["both"])
    rows = checks[(checks["check"] == "restatement") & checks["subject"].str.startswith("income_budget_adjusted 2023")]
    # a later report restating a figure is a note, not a doubtful digit
    assert len(rows) == 1 and rows.iloc[0]["severity"] == "info"
    assert (rows.iloc[0]["lines"], rows.iloc[0]["related"]) == ("140", f"{STEM_2023}:140:2023")
    findings = read_table("audit_findings", tidy["both"])
    restated = findings[findings["check"] == "restatement"]
    # a cause of its own, numbered after the 2024 report's own causes
    assert restated["cause"].is_unique and (restated["cause"] > "C").all()
    own = findings[(findings["report"] == NAME_2024) & (findings["check"] != "restatement")]
    assert set(restated["cause"]).isdisjoint(own["cause"])
    assert (findings[findings["check"] == "restatement"]["report"] == NAME_2024).all()
    assert len(findings[findings["check"] == "restatement"]) == int((~table["passed"]).sum())


def test_restatement_within_rounding_passes():
    from helpers.data.restatement import restatements

    def fact(report, report_year, value, decimals, unit="ratio", derived=False):
        return dict(unit_id="u", report=report, report_year=report_year, year=2023, metric="budget_completion_rate",
                    value=value, unit=unit, label_zh="", decimals=decimals, source_line=1, derived=derived)
    # 75% (2023 report) against 75.4% (next year's): within half a printed unit of each (0.5% + 0.05%).
    rows = restatements(pd.DataFrame([fact("a", 2023, 0.75, 0), fact("b", 2024, 0.754, 1)]))
    assert rows["passed"].tolist() == [True] and rows["tolerance"].tolist() == [0.0055]
    rows = restatements(pd.DataFrame([fact("a", 2023, 0.75, 0), fact("b", 2024, 0.756, 1)]))
    assert rows["passed"].tolist() == [False]


def test_two_reports_for_one_year_is_an_error(raw_dirs, tmp_path, capsys):
    both = raw_dirs["both"]
    copy = both / "2023" / "copy.txt"
    copy.write_bytes(REPORT_2023.read_bytes())
    try:
        assert main(["--raw", str(both), "--out", str(tmp_path / "t")]) == 2
    finally:
        copy.unlink()
    err = capsys.readouterr().err
    assert "two reports of 泸州市公安局交通警察支队 (luzhou-traffic-police) are for 2023" in err and "copy.txt" in err
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("lang, words", [
    ("en", ["The 2024 report (line 140) restates 2023's", "as 18,100.64 万元; the 2023 report (line 140) printed "
            "17,211.32 万元, 889.32 万元 less"]),
    ("zh", ["2024年度报告（第140行）把2023年的", "重述为18,100.64万元，而2023年度报告（第140行）列示为17,211.32万元，"
            "少889.32万元"])])
def test_the_audit_page_names_both_reports_by_year(tidy, lang, words):
    # the 2024 report's lines 140 and 143 restate 2023's adjusted budget (18,100.64, income and spending) against the
    # 2023 report's own 17,211.32: notes on the 2024 audit page, not doubtful figures
    from helpers.data.load import load_year
    from helpers.story import audit

    data = load_year(2024, tidy["both"])
    notes = [b for b in audit.finding_lines(data, "info", lang) if "18,100.64" in b]
    assert len(notes) == 2 and any(all(w in n for w in words) for n in notes), notes
    assert not [b for b in audit.finding_lines(data, "warning", lang) if "18,100.64" in b]
    assert not [n for n in notes if STEM_2023 in n]


def test_the_trend_steps_from_the_later_reports_own_figure_as_its_summary_does(tidy):
    # the 2024 report states 2023's adjusted budget as 18,100.64 (its line 140) where the 2023 report printed
    # 17,211.32: the step to 2024 starts from 18,100.64, the figure the 2024 pages compare with
    import pandas as pd

    from helpers.data.load import load_year
    from helpers.story import trend

    own = {y: load_year(y, tidy["both"]).value("income_budget_adjusted") for y in (2023, 2024)}
    by_year = pd.DataFrame({"year": [2023, 2024], "income_budget_adjusted": [own[2023], own[2024]],
                            "figures": [trend.OWN_REPORT, trend.OWN_REPORT]})
    [step] = trend.steps(by_year, "income_budget_adjusted", tidy["both"])
    assert own[2023] == 17211.32 and step.prior == 18100.64 and step.current == own[2024]
    assert step.change == round(own[2024] - 18100.64, 2)
