"""Pages cite the report by section and project table (sections.csv), the line (or PDF page) in a tooltip."""

from __future__ import annotations

import re

import pytest

from helpers.data.load import english_names, load_year
from helpers.data.schema import read_table
from helpers.show.display import safe
from helpers.story import citations, wording

OFFICE_REPAIRS = "51050023T000008128935"  # 2023年办公场所维修改造项目: its table runs from line 5950 to 6278


@pytest.fixture
def cited(tidy_dir):
    """wording cites by the 2023 report's sections and tables while the test runs."""
    data = load_year(2023, tidy_dir, "")
    wording.use_citations(citations.spans(data.sections, data.projects, english_names("projects")))
    yield data
    wording.use_citations([])


def test_sections_of_the_2023_report(tidy_dir):
    sections = read_table("sections", tidy_dir)
    tables = sections[sections["kind"] == "project_table"]
    prose = sections[sections["kind"] == "section"].set_index("section")
    assert len(tables) == 17 and len(prose) == 13
    office = tables[tables["project_code"] == OFFICE_REPAIRS].iloc[0]
    assert (office["source_line"], office["last_line"]) == (5950, 6278)
    assert office["heading_zh"] == "部门预算项目支出绩效自评表（2023年度）"
    assert prose.loc["three_public", "heading_zh"] == "七、财政拨款“三公”经费支出决算情况说明"
    assert (prose.loc["three_public", "source_line"], prose.loc["three_public", "last_line"]) == (57, 71)
    assert (prose.loc["general_budget", "source_line"], prose.loc["general_budget", "last_line"]) == (31, 51)
    # the tables follow each other: the 辅警经费 table (line 194) ends before 道路交通管理综合经费's title (464)
    assert list(tables["source_line"][:2]) == [194, 464] and tables["last_line"].iloc[0] == 450


def test_a_project_line_cites_its_self_evaluation_table(cited):
    budget_line = int(cited.projects.set_index("project_code").loc[OFFICE_REPAIRS, "budget_line"])
    assert budget_line == 5987  # the row of 150 万元 adjusted, 102.14 executed
    zh = safe(wording.say("zh", "common", "line", n=budget_line))
    assert zh == '<span class="cite" title="报告第5987行">绩效自评表：2023年办公场所维修改造项目</span>'
    en = safe(wording.say("en", "common", "line", n=budget_line))
    assert en == ('<span class="cite" title="line 5987 of the report (2023年办公场所维修改造项目)">'
                  "self-evaluation table “2023 office repairs and renovation”</span>")


def test_prose_lines_cite_their_section_and_several_lines_group_by_section(cited):
    # line 58: 617.37万元 of 三公; lines 36 and 40: 公共安全支出 and one of its 项 lines
    assert safe(wording.say("zh", "common", "line", n=58)) == (
        '<span class="cite" title="报告第58行">七、财政拨款“三公”经费支出决算情况说明</span>')
    both = safe(wording.say("en", "audit", "lines_text", lines=[36, 40, 5987]))
    assert both == ('<span class="cite" title="lines 36, 40 of the report (五、一般公共预算财政拨款支出决算情况说明)">'
                    "section on general public budget spending</span>; "
                    '<span class="cite" title="line 5987 of the report (2023年办公场所维修改造项目)">'
                    "self-evaluation table “2023 office repairs and renovation”</span>")
    # the evaluation report's heading prints as a bare 附件: the rules table names it
    assert ">附件1 部门预算绩效评价报告<" in safe(wording.say("zh", "common", "line", n=150))
    # the appended tables (第五部分 附表, line 7370 on) are no section the pages cite: by line, as before
    assert wording.say("zh", "common", "line", n=7375) == "第7375行"


def test_a_pdf_report_keeps_its_page_in_the_tooltip(cited):
    try:
        wording.use_pages({5987: 61})
        assert safe(wording.say("zh", "common", "line", n=5987)) == (
            '<span class="cite" title="报告第61页">绩效自评表：2023年办公场所维修改造项目</span>')
    finally:
        wording.use_pages({})


def test_a_hostile_project_name_stays_text_inside_its_citation():
    span = citations.Span(10, 20, "project_table", name_zh='<img src=x onerror="alert(1)">')
    try:
        wording.use_citations([span])
        shown = safe(wording.say("zh", "common", "line", n=12))
        tooltip = safe(wording.say("en", "common", "line", n=12))
        plain = citations.plain(wording.cite("en", 12))
    finally:
        wording.use_citations([])
    assert "<img" not in shown and "&lt;img src=x onerror=\"alert(1)\"&gt;" in shown
    # in the tooltip the name's quotes cannot end the attribute
    assert 'title="line 12 of the report (&lt;img src=x onerror=&quot;alert(1)&quot;&gt;)"' in tooltip
    assert plain.endswith("(line 12 of the report (<img src=x onerror=\"alert(1)\">))")


def test_a_range_of_lines_cites_its_section_with_the_range_in_the_tooltip(cited):
    # lines 40-51: the 项 lines of 五、一般公共预算财政拨款支出决算情况说明, whose rates imply the items' budget
    assert safe(wording.say("zh", "common", "line_range", first=40, last=51)) == (
        '<span class="cite" title="报告第40至51行">五、一般公共预算财政拨款支出决算情况说明</span>')
    assert safe(wording.say("en", "common", "line_range", first=40, last=51)) == (
        '<span class="cite" title="lines 40–51 of the report (五、一般公共预算财政拨款支出决算情况说明)">'
        "section on general public budget spending</span>")


def test_a_sentence_that_names_the_table_cites_with_its_own_words(cited):
    # the 2022 transfer's table (line 6856 in it: 购买清障车1辆、执勤执法汽车14辆…): the sentence names the table,
    # so the citation is those words, not "X绩效自评表（绩效自评表：X）"
    zh = safe(wording.say("zh", "common", "cited", text="2022年省级政法转移支付资金绩效自评表", lines=6856))
    assert zh == '<span class="cite" title="报告第6856行">2022年省级政法转移支付资金绩效自评表</span>'
    en = safe(wording.say("en", "common", "cited", text="The self-evaluation table", lines=5987))
    assert en == ('<span class="cite" title="line 5987 of the report (2023年办公场所维修改造项目)">'
                  "The self-evaluation table</span>")
    # a line outside every section keeps the place beside the words
    assert wording.say("zh", "common", "cited", text="附表", lines=7375) == "附表（第7375行）"


def test_no_page_names_a_table_twice_or_prints_a_bare_line_number(batch_run):
    out, _ = batch_run
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 14
    for page in pages:
        text = page.read_text(encoding="utf-8")
        text = re.sub(r'<span class="cite" title="[^"]*">', "", text)
        assert not re.search(r"([^\s（(>]{4,40})绩效自评表（绩效自评表：\1）", text), page.name
        prose = re.sub(r"<pre.*?</pre>|<code.*?</code>|<script.*?</script>", "", text, flags=re.S)
        assert not re.search(r"（[^（）]*第\d+行）", prose), page.name
