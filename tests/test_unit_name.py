"""The publishing unit is read from the report, so another unit's report is never narrated under this one's name."""

from __future__ import annotations

import pytest

from helpers.data.ingest import ingest
from helpers.data.schema import read_table
from helpers.errors import ReportError
from helpers.show.page import Page
from helpers.story.wording import say

LUZHOU = "泸州市公安局交通警察支队"
OTHER = "泸州市公安局巡逻警察支队"


def test_the_unit_is_read_from_the_report(tidy_dir):
    reports = read_table("reports", tidy_dir)
    # line 7 (二、机构设置): 泸州市公安局交通警察支队属市公安局下属独立核算的一级财务核算单位
    assert reports[["unit_zh", "source_line"]].values.tolist() == [[LUZHOU, 7]]
    page = Page(2023, "en", str(tidy_dir))
    assert page.unit == {"zh": LUZHOU, "en": "Luzhou traffic police detachment"}


def test_another_units_report_is_named_as_that_unit(tmp_path, report_lines):
    path = tmp_path / "2023" / "other_unit.txt"
    path.parent.mkdir()
    path.write_text("\n".join(report_lines).replace(LUZHOU, OTHER), encoding="utf-8")
    ingest([path], tmp_path / "tidy")
    page_en, page_zh = Page(2023, "en", str(tmp_path / "tidy")), Page(2023, "zh", str(tmp_path / "tidy"))
    # no English name is known for the other unit: its own Chinese name, never the Luzhou traffic police
    assert page_en.unit == {"zh": OTHER, "en": ""}
    assert (
        page_en.text("summary", "title", year=2023, unit=page_en.unit) == f"{OTHER}: the 2023 final accounts in brief"
    )
    assert page_zh.text("summary", "title", year=2023, unit=page_zh.unit) == f"2023年度{OTHER}决算摘要"
    for page in (page_en, page_zh):
        for topic in ("summary", "overview"):
            intro = page.text(topic, "intro", unit=page.unit)
            assert OTHER in intro and LUZHOU not in intro and "Luzhou" not in intro


def test_a_report_that_names_no_unit_is_a_clear_error(tmp_path, report_lines):
    path = tmp_path / "nameless.txt"
    path.write_text("\n".join(report_lines).replace(LUZHOU, ""), encoding="utf-8")
    with pytest.raises(ReportError, match="no sentence names the unit") as error:
        ingest([path], tmp_path / "tidy")
    assert "第一部分" in str(error.value) and "rules/unit_name.csv" in str(error.value)
    assert not (tmp_path / "tidy").exists()


def test_templates_name_the_unit_from_the_data():
    unit = {"zh": OTHER, "en": ""}
    assert say("zh", "overview", "intro", unit=unit).startswith(f"{OTHER}每年公开单位决算")


def test_a_sentence_that_opens_with_the_unit_opens_with_a_capital():
    known = {"zh": LUZHOU, "en": "Luzhou traffic police detachment"}
    named = f"Luzhou traffic police detachment ({LUZHOU})"
    assert say("en", "overview", "intro", unit=known).startswith(f"The {named} publishes")
    assert say("en", "summary", "intro", unit=known).startswith(f"What the {named} spent")
    # a Chinese name has no capital to give: it opens the sentence as printed
    assert say("en", "overview", "intro", unit={"zh": OTHER, "en": ""}).startswith(f"{OTHER} publishes")
