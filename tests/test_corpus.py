"""The corpus store (helpers.data.corpus): the tidy rows as Parquet partitions per report, read with DuckDB."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers.data import corpus, load
from helpers.data.ingest import ingest
from helpers.data.load import load_year
from helpers.data.schema import read_table
from helpers.errors import ReportError
from helpers.publish.bench_corpus import UNIT_2023, unit_report
from helpers.story import compare
from tests.conftest import REPORT_2023, UNIT_ID
from units import OTHER_ID, OTHER_STEM, other_unit, write_report
from variants import report_2024

STEM_2024 = "luzhou_2024"
# The tables of a YearData
YEAR_FIELDS = ("facts", "classes", "projects", "funding", "indicators", "findings", "checks", "explanations",
               "glossary", "sections")


def files(folder):
    """Every file under `folder` -> (bytes, mtime in ns), by relative path."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_year(data, alone):
    """Two YearData of one report hold the same tables (an empty one: the same columns) and the same identity."""
    for field in YEAR_FIELDS:
        mine, theirs = getattr(data, field), getattr(alone, field)
        if theirs.empty:
            assert mine.empty and list(mine.columns) == list(theirs.columns), field
        else:
            pd.testing.assert_frame_equal(mine, theirs, obj=f"{alone.unit_id} {alone.year} {field}")
    assert (data.year, data.report, data.unit_id, data.unit_zh, data.pages) == (
        alone.year, alone.report, alone.unit_id, alone.unit_zh, alone.pages)


def digests(folder):
    return {name: hashlib.sha256(content).hexdigest() for name, (content, _) in files(folder).items()}


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    """The 2023 report, 泸州市某某局's 2023 report (tests/units.py) and Luzhou's 2024 report (tests/variants.py)."""
    root = tmp_path_factory.mktemp("corpus_raw")
    return {"2023": write_report(root, 2023, REPORT_2023.stem, REPORT_2023.read_text(encoding="utf-8")),
            "other": write_report(root, 2023, OTHER_STEM, other_unit()),
            "2024": write_report(root, 2024, STEM_2024, report_2024())}


@pytest.fixture(scope="module")
def three(raw, tmp_path_factory):
    """The three reports ingested together (`make data`'s way): CSV files and corpus."""
    out = tmp_path_factory.mktemp("corpus_three") / "tidy"
    ingest([raw["2023"], raw["other"], raw["2024"]], out)
    return out


def test_the_corpus_holds_every_row_of_every_tidy_table(three):
    for name in corpus.TABLE_ORDER:
        from_csv, from_corpus = read_table(name, three), corpus.query(name, three)
        if from_csv.empty:  # a header-only CSV gives untyped columns: the corpus types them
            assert from_corpus.empty and list(from_corpus.columns) == list(from_csv.columns), name
        else:
            pd.testing.assert_frame_equal(from_corpus, from_csv, obj=name)
    facts = corpus.query("facts", three, "unit_id = ? AND metric = ? AND year = report_year",
                         [UNIT_ID, "total_expenditure"])
    assert facts["value"].tolist() == [17211.32, 17500.00] and facts["report_year"].tolist() == [2023, 2024]
    projects = corpus.query("projects", three, "report_year = 2023")
    assert projects.groupby("unit_id").size().to_dict() == {UNIT_ID: 17, OTHER_ID: 17}


def test_one_partition_per_report_and_table_in_hive_layout(three):
    layout = sorted(p.relative_to(three / "corpus").as_posix() for p in (three / "corpus").rglob("*.parquet"))
    assert len(layout) == 3 * len(corpus.TABLE_ORDER)
    assert "facts/unit_id=luzhou-traffic-police/report_year=2024/part-0.parquet" in layout
    assert f"projects/unit_id={OTHER_ID}/report_year=2023/part-0.parquet" in layout
    # the 2024 report restates 2023's total; the restatement is kept under the later report only
    kept = corpus.query("restatements", three, "metric = 'total_expenditure' AND year = 2023")
    assert kept[["report_year", "value", "other_report_year", "other_value"]].values.tolist() == [
        [2024, 17211.32, 2023, 17211.32]]


@pytest.fixture(scope="module")
def stream(raw, tmp_path_factory):
    """The three reports written one at a time (helpers.data.corpus.write_report), Luzhou's 2024 first, then its
    2023 (an earlier year after a later one), then 泸州市某某局's; the corpus files before and after the last."""
    tidy = tmp_path_factory.mktemp("corpus_stream") / "tidy"
    corpus.write_report(raw["2024"], tidy)
    corpus.write_report(raw["2023"], tidy)
    before = files(tidy / "corpus")
    corpus.write_report(raw["other"], tidy)
    after = files(tidy / "corpus")
    corpus.export_tidy(tidy)
    return tidy, before, after


def test_one_report_at_a_time_gives_byte_identical_parquet_and_csv_files(three, stream):
    """Two writes of the same reports, in another order and another way: the same bytes in every file (every CSV
    file, datapackage.json, every partition and the manifest)."""
    tidy, _, _ = stream
    assert digests(tidy) == digests(three)
    metadata = pq.ParquetFile(three / "corpus" / "facts" / f"unit_id={UNIT_ID}" / "report_year=2023"
                              / corpus.PART).metadata
    assert metadata.created_by.startswith("parquet-cpp-arrow version 26.0.1")
    assert metadata.metadata is None  # no pandas or Arrow schema metadata, nothing dated


def test_adding_a_report_rewrites_only_its_partition(stream):
    _, before, after = stream
    kept = {k: v for k, v in after.items() if k in before and k != corpus.MANIFEST}
    assert kept == {k: v for k, v in before.items() if k != corpus.MANIFEST}, "bytes or mtime of a partition changed"
    added = sorted(set(after) - set(before))
    assert len(added) == len(corpus.TABLE_ORDER) and all(f"unit_id={OTHER_ID}/report_year=2023/" in k for k in added)


def test_the_ingest_rewrites_only_the_partitions_that_change(three, tmp_path):
    tidy = tmp_path / "tidy"
    shutil.copytree(three, tidy)
    before = files(tidy / "corpus")
    tables = {name: read_table(name, tidy) for name in corpus.TABLE_ORDER}
    tables["facts"].loc[(tables["facts"]["unit_id"] == OTHER_ID) & (tables["facts"]["metric"] == "total_expenditure")
                        & (tables["facts"]["year"] == 2023), "value"] = 9000.01
    written = corpus.write_tables(tables, tidy)
    assert [p.relative_to(tidy / "corpus").as_posix() for p in written] == [
        f"facts/unit_id={OTHER_ID}/report_year=2023/part-0.parquet"]
    after = files(tidy / "corpus")
    # the manifest follows the CSV files on disk, which this test leaves as they were
    assert {k for k in after if after[k] != before[k]} == {f"facts/unit_id={OTHER_ID}/report_year=2023/part-0.parquet"}


def test_a_second_report_of_a_unit_and_year_is_refused_before_anything_is_written(stream, tmp_path):
    tidy, _, _ = stream
    before = digests(tidy)
    copy = write_report(tmp_path / "raw", 2023, "copy_of_2023", REPORT_2023.read_text(encoding="utf-8"))
    with pytest.raises(ReportError, match=f"another report of {UNIT_ID} for 2023: {REPORT_2023.stem}"):
        corpus.write_report(copy, tidy)
    assert digests(tidy) == before


def test_reading_a_year_from_the_corpus_gives_what_load_year_gives(three):
    by_unit = {data.unit_id: data for data in corpus.read_year(2023, three)}
    assert sorted(by_unit) == sorted([UNIT_ID, OTHER_ID])
    for unit, data in by_unit.items():
        assert_same_year(data, load_year(2023, three, unit, from_corpus=False))
    assert by_unit[OTHER_ID].value("total_expenditure") == 9000.00


def test_reading_a_unit_from_the_corpus_gives_what_load_year_gives(three):
    years = corpus.read_unit(UNIT_ID, three)
    assert [(d.year, d.report) for d in years] == [(2023, REPORT_2023.stem), (2024, STEM_2024)]
    for data in years:
        alone = load_year(data.year, three, UNIT_ID, from_corpus=False)
        for field in ("facts", "projects", "findings", "checks"):
            pd.testing.assert_frame_equal(getattr(data, field), getattr(alone, field), obj=f"{data.year} {field}")
    assert years[1].value("total_expenditure") == 17500.00


def test_one_units_year_is_read_from_its_own_partition_with_what_the_csv_files_give(three, monkeypatch):
    """load_year reads a unit's year from that report's Parquet files alone when the corpus is current: of the CSV
    files only reports.csv (which units and years there are), never the tables of every report."""
    from helpers.data import catalog, schema

    csv = {(unit, year): load_year(year, three, unit, from_corpus=False)
           for unit, year in [(UNIT_ID, 2023), (UNIT_ID, 2024), (OTHER_ID, 2023)]}
    read, opened = [], []
    real_read_csv, real_rows, real_parquet = schema.pd.read_csv, catalog._rows, corpus.pq.ParquetFile
    monkeypatch.setattr(schema.pd, "read_csv", lambda path, *a, **k: read.append(Path(path).name)
                        or real_read_csv(path, *a, **k))
    # the few columns the batch plans from are read without pandas (helpers.data.catalog): count those reads too
    monkeypatch.setattr(catalog, "_rows", lambda tidy_dir, name, *a, **k: read.append(f"{name}.csv")
                        or real_rows(tidy_dir, name, *a, **k))
    monkeypatch.setattr(corpus.pq, "ParquetFile", lambda path, *a, **k: opened.append(Path(path))
                        or real_parquet(path, *a, **k))
    for (unit, year), alone in csv.items():
        read.clear(), opened.clear()
        load._units.cache_clear()  # reports.csv is read once per version of it: read it here
        data = load_year(year, three, unit)
        assert set(read) == {"reports.csv"}, read
        assert {p.parent.parent.name for p in opened} == {f"unit_id={unit}"}, opened
        assert {p.parent.name for p in opened} == {f"report_year={year}"}, opened
        assert_same_year(data, alone)
    assert load_year(2024, three, UNIT_ID).value("total_expenditure") == 17500.00
    assert load_year(2023, three, OTHER_ID).value("total_expenditure") == 9000.00


def test_a_year_is_read_from_the_csv_files_when_the_corpus_is_older_or_missing(three, tmp_path):
    tidy = tmp_path / "tidy"
    shutil.copytree(three, tidy)
    text = (tidy / "facts.csv").read_text(encoding="utf-8")
    (tidy / "facts.csv").write_text(text.replace(",17211.32,", ",17211.33,", 1), encoding="utf-8")
    assert not corpus.is_current(tidy)
    # the CSV files as they are now, not the corpus written before
    assert 17211.33 in load_year(2023, tidy, UNIT_ID).facts["value"].tolist()
    with pytest.raises(ValueError, match=r"other tidy data than facts\.csv"):  # never read old
        load_year(2023, tidy, UNIT_ID, from_corpus=True)
    shutil.rmtree(tidy / "corpus")
    assert 17211.33 in load_year(2023, tidy, UNIT_ID).facts["value"].tolist()


def test_a_year_of_every_unit_read_a_few_units_at_a_time_is_the_year_read_at_once(three):
    at_once = corpus.read_year(2023, three)
    for per_query in (1, 2, 25):
        batched = list(corpus.iter_year(2023, three, units_per_query=per_query))
        assert [(d.unit_id, d.report) for d in batched] == [(d.unit_id, d.report) for d in at_once]
        for mine, theirs in zip(batched, at_once, strict=True):
            assert_same_year(mine, theirs)
    assert {d.unit_id: d.value("total_expenditure") for d in corpus.iter_year(2023, three, 1)} == {
        UNIT_ID: 17211.32, OTHER_ID: 9000.00}


def test_the_trend_reads_the_unit_from_the_corpus(three, tmp_path):
    from helpers.story import trend

    by_year = trend.trend_table(three, UNIT_ID)
    assert by_year["year"].tolist() == [2022, 2023, 2024]
    assert by_year["total_expenditure"].tolist() == [18100.64, 17211.32, 17500.00]
    assert by_year["figures"].tolist() == [trend.WORKED_BACK_BY_NEXT, trend.OWN_REPORT, trend.OWN_REPORT]
    assert sorted(trend.projects_across_years(three, UNIT_ID)["year"].unique()) == [2023, 2024]
    bare = tmp_path / "tidy"
    shutil.copytree(three, bare)
    shutil.rmtree(bare / "corpus")
    with pytest.raises(FileNotFoundError, match="holds no corpus: build it with `make data`"):
        trend.trend_table(bare, UNIT_ID)


def test_the_comparison_reads_the_corpus(three):
    table = compare.unit_table(2023, three, 0.9).set_index("unit_id")
    assert table.loc[UNIT_ID, "total_expenditure"] == 17211.32 and table.loc[OTHER_ID, "total_expenditure"] == 9000.0
    assert table.loc[UNIT_ID, "three_public_total"] == 617.37 and table.loc[UNIT_ID, "projects"] == 17
    assert compare.unit_table(2024, three, 0.9)["unit_id"].tolist() == [UNIT_ID]


def test_a_corpus_older_than_its_csv_files_is_refused(three, tmp_path):
    tidy = tmp_path / "tidy"
    shutil.copytree(three, tidy)
    text = (tidy / "facts.csv").read_text(encoding="utf-8")
    (tidy / "facts.csv").write_text(text.replace(",17211.32,", ",17211.33,", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"other tidy data than facts\.csv"):
        compare.unit_table(2023, tidy, 0.9)
    assert corpus.main(["--tidy", str(tidy)]) == 0  # the corpus made again from the CSV files as they are now
    pd.testing.assert_frame_equal(corpus.query("facts", tidy), read_table("facts", tidy))
    assert 17211.33 in corpus.query("facts", tidy)["value"].tolist()
    manifest = json.loads((tidy / "corpus" / corpus.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["tables"] == corpus.TABLE_ORDER


def test_a_tidy_folder_without_corpus_is_refused_naming_the_fix(tidy_dir, tmp_path):
    bare = tmp_path / "tidy"
    bare.mkdir()
    for f in tidy_dir.glob("*.csv"):
        (bare / f.name).write_bytes(f.read_bytes())
    with pytest.raises(FileNotFoundError, match="holds no corpus: build it with `make data`"):
        compare.unit_table(2023, bare, 0.9)


def test_two_reports_of_one_name_are_refused_when_the_csv_files_are_written(stream, tmp_path):
    tidy = tmp_path / "tidy"
    shutil.copytree(stream[0], tidy)
    reports = corpus.query("reports", tidy, "unit_id = ?", [OTHER_ID])
    corpus.write_partition(tidy / "corpus", OTHER_ID, 2023, {"reports": reports.assign(report=REPORT_2023.stem)})
    with pytest.raises(ReportError, match=f"two reports share the name '{REPORT_2023.stem}'"):
        corpus.export_tidy(tidy)


def test_generated_units_are_the_2023_report_under_another_name_with_moved_totals():
    text = REPORT_2023.read_text(encoding="utf-8")
    seventh = unit_report(7, text)
    assert seventh == unit_report(7, text) and seventh != unit_report(8, text)  # seeded by the unit's number
    assert UNIT_2023 not in seventh and seventh.count("泸州市基准测试单位7") == text.count(UNIT_2023) == 29
    stated = re.search(r"本年支出合计([\d,.]+)万元，其中：基本支出([\d,.]+)万元，占48.8%；项目支出([\d,.]+)万元",
                       seventh)
    total, basic, project = (float(v.replace(",", "")) for v in stated.groups())
    assert 0.9 * 17211.32 <= total <= 1.1 * 17211.32 and total != 17211.32
    assert round(basic + project, 2) == total


def test_a_report_no_longer_in_the_tidy_data_leaves_the_corpus(three, tmp_path):
    tidy = tmp_path / "tidy"
    shutil.copytree(three, tidy)
    tables = {name: read_table(name, tidy) for name in corpus.TABLE_ORDER}
    corpus.write_tables({name: df[df["unit_id"] != OTHER_ID] for name, df in tables.items()}, tidy)
    assert corpus.partitions_on_disk(tidy / "corpus") == {(UNIT_ID, 2023), (UNIT_ID, 2024)}
    assert not list((tidy / "corpus").rglob(f"unit_id={OTHER_ID}"))
    assert sorted(corpus.query("reports", tidy)["report"]) == [STEM_2024, REPORT_2023.stem]
