"""Two units and two years built together by the batch (tests/conftest.py `units_batch`): pages under
reports/<unit>/<year>/, the index grouped by unit, the trend per unit, the comparison per year, and no page of
another unit narrated as the first one."""

from __future__ import annotations

import re

from tests.conftest import UNIT_ID, digests, page, visible_text
from units import OTHER, OTHER_ID

PAGES = {f"{UNIT_ID}/2023/04_summary", f"{UNIT_ID}/2024/04_summary", f"{OTHER_ID}/2023/04_summary",
         f"{UNIT_ID}/all_years/07_trend", f"{OTHER_ID}/all_years/07_trend",
         "all_units/2023/08_compare", "all_units/2024/08_compare"}


def test_every_unit_and_year_is_built_in_both_languages(units_batch):
    _, out, result = units_batch
    assert not result.failures, [f.error for f in result.failures]
    made = sorted(o.job.label for o in result.outcomes)
    assert made == sorted(f"{p}.{lang}" for p in PAGES for lang in ("en", "zh"))
    for label in PAGES:
        for lang in ("en", "zh"):
            assert (out / f"{label}.{lang}.html").is_file(), label


def test_no_page_of_the_other_unit_is_narrated_as_the_first(units_batch):
    _, out, _ = units_batch
    en = visible_text(page(out, "04_summary", "en", 2023, OTHER_ID).read_text(encoding="utf-8"))
    assert "In 2023 the unit spent 9,000.00 万元, against 9,889.32 万元 in 2022" in en
    assert OTHER in en
    for other_page in (out / OTHER_ID).rglob("*.en.html"):
        text = visible_text(other_page.read_text(encoding="utf-8"))
        for word in ("detachment", "traffic police", "支队"):
            assert word not in text, (other_page.name, word)
    zh = visible_text(page(out, "04_summary", "zh", 2023, OTHER_ID).read_text(encoding="utf-8"))
    assert "泸州市公安局交通警察支队" not in zh and OTHER in zh
    luzhou = visible_text(page(out, "04_summary", "en", 2023).read_text(encoding="utf-8"))
    assert "In 2023 the Luzhou traffic police detachment spent 17,211.32 万元" in luzhou


def test_the_comparison_lists_both_units_of_2023_and_one_of_2024(units_batch):
    _, out, _ = units_batch
    en = visible_text((out / "all_units" / "2023" / "08_compare.en.html").read_text(encoding="utf-8"))
    assert "sets the 2 units with a final-accounts report for 2023 side by side" in en
    assert ("The Luzhou traffic police detachment (泸州市公安局交通警察支队) spent 17,211.32 万元, "
            "against 18,100.64 万元 the year before: it fell by 889.32 万元 (4.9%).") in en
    assert "泸州市某某局 spent 9,000.00 万元, against 9,889.32 万元 the year before" in en
    assert en.index("泸州市公安局交通警察支队") < en.index("泸州市某某局")    # largest spending first
    zh = visible_text((out / "all_units" / "2024" / "08_compare.zh.html").read_text(encoding="utf-8"))
    assert "本年度数据中只有一个单位，暂无可比较的对象。" in zh and "泸州市某某局" not in zh


def test_the_index_groups_by_unit_and_promotes_the_trend_only_with_two_years(units_batch):
    _, out, _ = units_batch
    index = (out / "index.html").read_text(encoding="utf-8")
    groups = [g.strip() for g in re.findall(r"<h2>([^<·]+)", index)][1:]
    assert groups == ["泸州市公安局交通警察支队", OTHER, "各单位对比"]
    luzhou = index[index.index("<h2>泸州市公安局交通警察支队"):index.index(f"<h2>{OTHER}")]
    other = index[index.index(f"<h2>{OTHER}"):index.index("<h2>各单位对比")]
    assert [h.strip() for h in re.findall(r"<h3>([^<·]+)", luzhou)] == ["历年对比", "2024年度", "2023年度"]
    assert [h.strip() for h in re.findall(r"<h3>([^<·]+)", other)] == ["2023年度", "历年对比"]   # one year: last
    assert f'href="{OTHER_ID}/2023/04_summary.en.html"' in other
    start = index[index.index('class="start"'):]
    assert f'href="{UNIT_ID}/2024/04_summary.zh.html"' in start
    assert f'href="{OTHER_ID}/2023/04_summary.zh.html"' in start
    # the two summaries share a title: each lead names its unit
    assert f"{OTHER}：不写代码的读者请先读2023年的摘要：" in start
    assert ("Luzhou traffic police detachment (泸州市公安局交通警察支队): Readers who do not code: start with the "
            "2024 summary:") in start


def test_an_unchanged_rebuild_of_two_units_changes_no_file(units_batch):
    from helpers.publish.batch import run_batch

    root, out, _ = units_batch
    before = digests(out, "**/*.*")
    again = run_batch(None, notebook_dir=root / "templates", out_root=out, tidy_dir=root / "tidy", progress=False)
    assert not again.outcomes and len(again.up_to_date) == 2 * len(PAGES)
    assert digests(out, "**/*.*") == before


def test_an_unchanged_rebuild_from_the_command_line_imports_no_pandas(units_batch):
    """What the batch plans from (units, years, project tables, contradictions, unit names) is read without pandas
    (helpers.data.catalog): an unchanged rebuild pays no pandas import (half a second, most of its time)."""
    import subprocess
    import sys

    root, out, _ = units_batch
    before = digests(out, "**/*.*")
    run = ("import runpy, sys\n"
           "sys.argv = ['batch', '--notebooks', sys.argv[1], '--out', sys.argv[2], '--tidy', sys.argv[3],\n"
           "            '--no-progress']\n"
           "try:\n    runpy.run_module('helpers.publish.batch', run_name='__main__')\n"
           "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
           "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'matplotlib')))")
    done = subprocess.run([sys.executable, "-c", run, str(root / "templates"), str(out), str(root / "tidy")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert f"{2 * len(PAGES)} up to date" in done.stdout
    assert digests(out, "**/*.*") == before
