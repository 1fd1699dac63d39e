"""Several units: a `unit_id` beside `report` in every table; any number of units × years ingest
together; each unit's rows are the same whether or not another unit is present; pages load one unit, name it
from the data, and compare units side by side.

The second unit (泸州市某某局) is made from the 2023 text by tests/units.py.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import paths
from helpers.data.ingest import main
from helpers.data.load import available_years, load_year, units
from helpers.data.schema import TABLES, read_table
from helpers.errors import ReportError
from helpers.read.identity import unit_id, unit_ids
from helpers.story import compare, overview, three_public, trend
from helpers.story.wording import TEMPLATES, say
from units import (
    LUZHOU,
    LUZHOU_ID,
    OTHER,
    OTHER_AUXILIARY_EXECUTED,
    OTHER_FLEET,
    OTHER_ID,
    OTHER_STEM,
    OTHER_TOTAL,
    other_unit,
    other_unit_without_tables,
    write_report,
)
from variants import REPORT_2023, report_2024

STEM_2024 = "luzhou_2024"


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    """Tidy data of: the 2023 report alone; 泸州市某某局 alone; both units of 2023; both with Luzhou's 2024."""
    root = tmp_path_factory.mktemp("units")
    reports = {"luzhou": [(2023, REPORT_2023.stem, REPORT_2023.read_text(encoding="utf-8"))],
               "other": [(2023, OTHER_STEM, other_unit())]}
    reports["both"] = reports["luzhou"] + reports["other"]
    reports["all"] = reports["both"] + [(2024, STEM_2024, report_2024())]
    out = {}
    for name, listed in reports.items():
        for year, stem, text in listed:
            write_report(root / "raw" / name, year, stem, text)
        out[name] = root / "tidy" / name
        assert main(["--raw", str(root / "raw" / name), "--out", str(out[name])]) == 0
    return out


def test_unit_ids_from_the_names_table_or_the_fallback(tidy):
    assert unit_id(LUZHOU) == LUZHOU_ID                  # data/names/units.csv
    assert unit_id(OTHER) == OTHER_ID                    # "unit-" + the first 10 hex digits of sha1 of the name
    reports = read_table("reports", tidy["all"])
    assert reports[["unit_id", "report", "report_year", "unit_zh"]].values.tolist() == [
        [LUZHOU_ID, REPORT_2023.stem, 2023, LUZHOU], [LUZHOU_ID, STEM_2024, 2024, LUZHOU],
        [OTHER_ID, OTHER_STEM, 2023, OTHER]]


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_keys_its_rows_by_unit_and_report(tidy, name):
    df = read_table(name, tidy["all"])
    assert list(df.columns[:3]) == ["unit_id", "report", "report_year"], name
    assert TABLES[name]["key"][:2] == ["unit_id", "report"]
    assert set(df["unit_id"]) <= {LUZHOU_ID, OTHER_ID}
    assert not df.duplicated(subset=TABLES[name]["key"]).any(), name


@pytest.mark.parametrize("name", [n for n in TABLES if n != "restatements"])
@pytest.mark.parametrize(("unit", "alone"), [(LUZHOU_ID, "luzhou"), (OTHER_ID, "other")])
def test_a_units_rows_are_the_same_with_or_without_another_unit(tidy, name, unit, alone):
    """Every row of every table (facts, classes, projects, funding, indicators, explanations, glossary, named
    projects, unconsumed lines, findings, checks, reports) of a unit's 2023 report, alone and beside the other
    unit's report: identical."""
    single = read_table(name, tidy[alone])
    together = read_table(name, tidy["both"])
    mine = together[together["unit_id"] == unit].reset_index(drop=True)
    assert len(single) > 0 or name in ("restatements", "source_locations"), name  # text reports: no PDF pages
    pd.testing.assert_frame_equal(mine, single, obj=f"{unit} {name}")


def test_restatements_pair_only_reports_of_one_unit(tidy):
    table = read_table("restatements", tidy["all"])
    # the 2024 report restates 2023 figures of its own unit: paired with the 2023 Luzhou report only
    assert set(table["report"]) == {STEM_2024} and set(table["other_report"]) == {REPORT_2023.stem}
    assert read_table("restatements", tidy["both"]).empty   # two units of one year restate nothing


def test_the_other_units_figures(tidy):
    data = load_year(2023, tidy["both"], OTHER_ID)
    assert (data.unit_id, data.unit_zh, data.report) == (OTHER_ID, OTHER, OTHER_STEM)
    assert data.value("total_expenditure") == OTHER_TOTAL
    assert data.value("total_expenditure", 2022) == 9889.32           # 9,000.00 + 889.32, worked back
    assert (data.value("basic_expenditure"), data.value("project_expenditure")) == (4500.00, 4500.00)
    assert (data.value("fleet_law_enforcement"), data.value("fleet_other_use")) == (25, 15)   # line 83: 40
    auxiliary = data.projects[data.projects["project_name"] == "辅警经费"].iloc[0]
    assert auxiliary["executed"] == OTHER_AUXILIARY_EXECUTED
    luzhou = load_year(2023, tidy["both"], LUZHOU_ID)
    assert (luzhou.value("total_expenditure"), luzhou.value("fleet_law_enforcement")) == (17211.32, 82)


def test_loading_needs_a_unit_when_several_are_present(tidy):
    with pytest.raises(ValueError, match=f"holds 2 units: {LUZHOU_ID} \\({LUZHOU}\\); {OTHER_ID} \\({OTHER}\\); "
                                         "choose one with the `unit` parameter"):
        load_year(2023, tidy["both"])
    with pytest.raises(ValueError, match="no report of unit 'nobody'"):
        load_year(2023, tidy["both"], "nobody")
    assert load_year(2023, tidy["luzhou"]).unit_id == LUZHOU_ID        # one unit: no need to name it
    assert available_years(tidy["all"], LUZHOU_ID) == [2023, 2024]
    assert available_years(tidy["all"], OTHER_ID) == [2023]
    assert units(tidy["all"])["unit_id"].tolist() == [LUZHOU_ID, LUZHOU_ID, OTHER_ID]


def test_the_trend_and_the_previous_report_stay_within_the_unit(tidy):
    # each unit's first report also gives the year before it (2022, worked back from its stated changes)
    other = trend.trend_table(tidy["all"], OTHER_ID)
    assert other["year"].tolist() == [2022, 2023] and trend.own_reports(other) == 1
    luzhou = trend.trend_table(tidy["all"], LUZHOU_ID)
    assert luzhou["total_expenditure"].tolist() == [18100.64, 17211.32, 17500.00]
    assert luzhou["figures"].tolist() == ["worked_back_by_next_report", "own_report", "own_report"]
    assert overview.previous_report(load_year(2023, tidy["all"], OTHER_ID)) is None


def test_a_units_id_in_the_names_table_is_checked(tmp_path):
    names = tmp_path / "units.csv"
    names.write_text("name_zh,name_en,id\n甲局,Bureau A,bureau-a\n乙局,Bureau B,Bureau B\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"units.csv, line 3: unit id 'Bureau B' is not usable"):
        unit_ids(names)
    names.write_text("name_zh,name_en,id\n甲局,,bureau-a\n乙局,,bureau-a\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"line 3: unit id 'bureau-a' is given to two units"):
        unit_ids(names)
    names.write_text("name_zh,name_en,id\n甲局,,bureau-a\n乙局,,\n", encoding="utf-8")
    assert unit_ids(names) == {"甲局": "bureau-a"}


# ------------------------------------------------------------------------------- words for any unit

def test_no_template_names_or_describes_the_first_unit():
    for path in sorted(TEMPLATES.glob("*/*.j2")):
        text = path.read_text(encoding="utf-8")
        for word in ("detachment", "支队", "交警", "traffic", "Luzhou", "泸州"):
            assert word not in text, f"{path.name}: {word}"
        # "police" only as the word for a staff count the report gives (staff_police, staff_auxiliary_police)
        assert all("staff_" in line for line in text.splitlines() if "police" in line.lower()), path.name


def test_english_names_the_unit_by_its_gloss_or_as_the_unit(tidy):
    from helpers.show.page import Page

    other = Page(2023, "en", str(tidy["both"]), OTHER_ID)
    assert other.unit == {"zh": OTHER, "en": ""}
    assert other.text("overview", "title", year=2023) == \
        "2023 overview: how much the unit spent, and why it changed"
    totals = other.text("overview", "totals", totals=overview.totals(other.data))
    assert totals.startswith("In 2023 the unit spent 9,000.00 万元, against 9,889.32 万元 in 2022")
    assert other.text("three_public", "fleet", year=2023, total=OTHER_FLEET, duty=25, other=15) == (
        "At the end of 2023 the unit had 40 official vehicles, 25 of them law-enforcement duty vehicles "
        "(执法执勤用车) and 15 for other uses.")
    luzhou = Page(2023, "en", str(tidy["both"]), LUZHOU_ID)
    assert luzhou.text("overview", "title", year=2023) == \
        "2023 overview: how much the Luzhou traffic police detachment spent, and why it changed"


def _no_vehicles(project: bool) -> three_public.VehiclePurchases:
    bought = three_public.project_vehicles("购买清障车1辆、执勤执法汽车4辆、警用摩托车38辆", "车辆购置")
    return three_public.VehiclePurchases(0.0, pd.DataFrame(columns=["kind", "vehicles", "amount"]),
                                    "车辆购置" if project else None, 300 if project else None,
                                    0.0 if project else None, 301 if project else None,
                                    bought.assign(counted_with="no_list"))


def test_with_no_vehicle_bought_nothing_is_called_listed_or_left_out():
    v = _no_vehicles(project=True)
    assert say("en", "three_public", "listed", vehicles=v) == (
        "No vehicle was bought: the “三公” section books 0.00 万元 as vehicle purchase (公务用车购置) and lists no "
        "purchase.")
    assert say("zh", "three_public", "listed", vehicles=v) == \
        "本年度未购置公务用车：“三公”经费部分公务用车购置支出为0.00万元，未列示购置车辆。"
    en = say("en", "three_public", "project", vehicles=v)
    assert en == ("The self-evaluation table (line 300) of 车辆购置 names vehicles bought: 1 清障车 (tow truck), "
                  "4 执勤执法汽车 (law-enforcement duty cars) and 38 警用摩托车 (police motorcycles); the “三公” "
                  "section lists no vehicle purchase, so the two cannot be matched.")
    assert "leaves out" not in en and "of the list" not in en
    assert "未列入清单" not in say("zh", "three_public", "project", vehicles=v)


def test_staff_words_follow_the_kinds_the_report_counts():
    en = say("en", "overview", "staff", total=12, total_spending=120.0, kinds=["staff_civil_servants", "staff_workers"])
    assert en.startswith("Adding up the civil servants and workers the report lists gives 12 people in post")
    zh = say("zh", "overview", "staff", total=12, total_spending=120.0, kinds=["staff_civil_servants"])
    assert zh.startswith("按报告列示的公务员人数合计，在职人员12人")


# ------------------------------------------------------------------------------- units side by side

def test_units_side_by_side_with_exact_figures(tidy):
    table = compare.unit_table(2023, tidy["both"], 0.9).set_index("unit_id")
    assert table.index.tolist() == [LUZHOU_ID, OTHER_ID]              # largest spending first
    luzhou, other = table.loc[LUZHOU_ID], table.loc[OTHER_ID]
    assert (luzhou["total_expenditure"], luzhou["total_change"], luzhou["three_public_total"]) == \
        (17211.32, -889.32, 617.37)
    assert (luzhou["staff"], luzhou["projects"], luzhou["project_budget"]) == (593, 17, 14407.20)
    assert luzhou["low_execution_budget"] == 6260.47 and luzhou["unspent"] == 2676.14
    assert (round(luzhou["low_score"], 1), round(luzhou["rest_score"], 1)) == (81.5, 98.9)   # README
    assert (luzhou["error_causes"], luzhou["basic_share"]) == (9, pytest.approx(8396.90 / 17211.32))
    assert (other["total_expenditure"], other["prior_total_expenditure"], other["basic_share"]) == \
        (9000.0, 9889.32, 0.5)
    assert other["unspent"] == round(2676.14 - (OTHER_AUXILIARY_EXECUTED - 2879.25), 2)     # 2,655.39
    assert other["three_public_per_head"] == pytest.approx(617.37 / 593)
    en = say("en", "compare", "spending", unit_row=other.to_dict() | {"unit_id": OTHER_ID})
    assert en == ("泸州市某某局 spent 9,000.00 万元, against 9,889.32 万元 the year before: it fell by 889.32 万元 "
                  "(9.0%). Basic spending (基本支出) was 50.0% of it, project spending (项目支出) the rest.")


def test_a_unit_without_project_tables_is_not_reported_not_zero(tmp_path):
    write_report(tmp_path / "raw", 2023, REPORT_2023.stem, REPORT_2023.read_text(encoding="utf-8"))
    write_report(tmp_path / "raw", 2023, OTHER_STEM, other_unit_without_tables())
    assert main(["--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "tidy")]) == 0
    assert read_table("projects", tmp_path / "tidy")["unit_id"].unique().tolist() == [LUZHOU_ID]
    table = compare.unit_table(2023, tmp_path / "tidy", 0.9).set_index("unit_id")
    bare = table.loc[OTHER_ID]
    assert not bare["has_project_tables"] and bare["projects"] == 0
    for column in ("project_budget", "low_execution_budget", "low_execution_budget_share", "unspent", "mean_score"):
        assert math.isnan(bare[column]), column
    assert bare["total_expenditure"] == 9000.0 and table.loc[LUZHOU_ID, "projects"] == 17
    u = bare.to_dict()
    assert say("en", "compare", "execution", unit_row=u, threshold=0.9) == (
        "泸州市某某局: the report has no project self-evaluation tables, so project execution is not reported.")
    assert say("zh", "compare", "selfeval", unit_row=u, threshold=0.9) == "泸州市某某局：自评得分未列示。"
    # its own pages: the audit still ran; the project pages are not planned for it
    assert load_year(2023, tmp_path / "tidy", OTHER_ID).checks["check"].nunique() > 0
    from helpers.publish.plan import plan

    jobs = plan(None, paths.NOTEBOOKS, tmp_path / "reports", tmp_path / "tidy")
    made = {(j.unit, j.name) for j in jobs if j.lang == "en"}
    assert (OTHER_ID, "03_low_execution") not in made and (OTHER_ID, "06_self_evaluation") not in made
    assert (LUZHOU_ID, "03_low_execution") in made and (OTHER_ID, "04_summary") in made
    assert (None, "08_compare") in made


def test_what_the_batch_plans_from_is_read_as_the_schema_reads_it(tidy):
    from helpers.data import catalog

    folder = tidy["all"]
    reports = read_table("reports", folder)
    listed = catalog.reports(folder)
    assert [(r["unit_id"], r["report_year"]) for r in listed] == \
        [(LUZHOU_ID, 2023), (LUZHOU_ID, 2024), (OTHER_ID, 2023)]
    assert sorted((r["unit_id"], r["report_year"], r["report"], r["unit_zh"]) for r in listed) == \
        sorted({(r.unit_id, r.report_year, r.report, r.unit_zh) for r in reports.itertuples()})
    assert {r["unit_zh"] for r in listed} == {LUZHOU, OTHER}
    findings = read_table("audit_findings", folder)
    errors = findings[findings["severity"] == "error"]
    assert len(errors) > 0  # the 2023 report contradicts itself (no procurement stated, 4,444.82 万元 of it)
    assert catalog.audit_errors(folder) == [{"unit_id": u, "report_year": int(y), "cause": c} for u, y, c in
                                            zip(errors["unit_id"], errors["report_year"], errors["cause"], strict=True)]
    projects = read_table("projects", folder)
    tabled = catalog.reports_with_project_tables(folder)
    assert tabled == {(u, int(y)) for u, y in zip(projects["unit_id"], projects["report_year"], strict=True)}
    assert {(LUZHOU_ID, 2023), (OTHER_ID, 2023)} <= tabled
    assert catalog.english_names(paths.NAMES, "units")[LUZHOU] == "Luzhou traffic police detachment"


def test_a_tidy_table_the_batch_cannot_read_names_its_file_and_line(tmp_path):
    from helpers.data import catalog

    with pytest.raises(FileNotFoundError, match=r"reports.csv does not exist: build the tidy data first"):
        catalog.reports(tmp_path)
    (tmp_path / "reports.csv").write_text("unit_id,report,year\nx,r,2023\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reports.csv: no column unit_zh, report_year in its header"):
        catalog.reports(tmp_path)
    (tmp_path / "reports.csv").write_text("unit_id,report,report_year,unit_zh\nx,r,2023,甲\n\nx,s,二〇二四,甲\n",
                                          encoding="utf-8")
    with pytest.raises(ValueError, match=r"reports.csv, line 4: report_year '二〇二四' is not a year"):
        catalog.reports(tmp_path)
    (tmp_path / "reports.csv").write_text("unit_id,report,report_year,unit_zh\nx,r,2023\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reports.csv, line 2: 3 fields where the header has 4"):
        catalog.reports(tmp_path)
