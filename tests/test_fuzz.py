"""Damaged reports (cut, shuffled rows, garbled numbers, wrong encodings) through the ingest.

The result is either tidy data or the ingest's clean error (exit 2, a message naming the file)
with the output folder untouched: never a traceback, never a half-written output.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from helpers.data.ingest import main
from helpers.data.schema import read_table
from tests.conftest import REPORT_2023

LINES = REPORT_2023.read_text(encoding="utf-8").split("\n")
TABLE_START = next(i for i, l in enumerate(LINES) if "部门预算项目支出绩效自评表" in l)


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each blank-line-separated block of the table part."""
    blocks, start = [], None
    for i in range(TABLE_START, len(lines)):
        if lines[i].strip() and start is None:
            start = i
        elif not lines[i].strip() and start is not None:
            blocks.append((start, i))
            start = None
    return blocks


BLOCKS = _blocks(LINES)
NUMBER_LINES = [i for i, l in enumerate(LINES) if l.startswith("\t") and any(c.isdigit() for c in l)]


def run_ingest(content: bytes) -> tuple[int, str, Path]:
    """Ingest `content` into a folder that already holds a result; check the folder's state after."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        report = tmp / "damaged.txt"
        report.write_bytes(content)
        out = tmp / "tidy"
        out.mkdir()
        (out / "facts.csv").write_text("year,metric\n2022,earlier_result\n", encoding="utf-8")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main([str(report), "--out", str(out)])
        leftovers = [p.name for p in tmp.iterdir() if p.name.startswith(".tidy-")]
        assert not leftovers, f"staging folder left: {leftovers}"
        if status == 2:
            assert str(report) in err.getvalue(), err.getvalue()
            assert [p.name for p in out.iterdir()] == ["facts.csv"]
            assert (out / "facts.csv").read_text(encoding="utf-8") == "year,metric\n2022,earlier_result\n"
        else:
            assert status == 0, status
            projects = read_table("projects", out)
            indicators = read_table("indicators", out)
            assert len(projects) > 0 and set(indicators["project_code"]) <= set(projects["project_code"])
            assert not read_table("facts", out).duplicated(["year", "metric"]).any()
        return status, err.getvalue(), out


@given(st.integers(min_value=0, max_value=len(LINES)))
def test_cut_reports(cut):
    status, err, _ = run_ingest("\n".join(LINES[:cut]).encode())
    if cut < TABLE_START:
        assert status == 2


@given(st.lists(st.tuples(st.sampled_from(range(len(BLOCKS))), st.sampled_from(range(len(BLOCKS)))),
                min_size=1, max_size=4))
def test_shuffled_table_rows(swaps):
    lines = list(LINES)
    blocks = [lines[a:b] for a, b in BLOCKS]
    for i, j in swaps:
        blocks[i], blocks[j] = blocks[j], blocks[i]
    rebuilt = lines[:TABLE_START]
    position = TABLE_START
    for (a, b), block in zip(BLOCKS, blocks, strict=True):
        rebuilt += lines[position:a] + block
        position = b
    rebuilt += lines[position:]
    run_ingest("\n".join(rebuilt).encode())


@given(st.lists(st.tuples(st.sampled_from(NUMBER_LINES),
                          st.text(alphabet="0123456789.,%-+ 〇一二万元abcx", min_size=0, max_size=8)),
                min_size=1, max_size=5))
def test_garbled_number_cells(edits):
    lines = list(LINES)
    for index, garbage in edits:
        lines[index] = "\t" + garbage
    status, err, _ = run_ingest("\n".join(lines).encode())
    if status == 2:
        assert "line " in err and "expected" in err


@given(st.sampled_from(["gb18030", "utf-16", "utf-32", "big5", "shift_jis"]),
       st.integers(min_value=1, max_value=len(LINES)))
def test_wrong_encodings(encoding, cut):
    content = "\n".join(LINES[:cut]).encode(encoding, errors="replace")
    status, err, _ = run_ingest(content)
    assert status == 2 or encoding == "gb18030" and content.isascii()


@given(st.binary(min_size=0, max_size=300), st.integers(min_value=0, max_value=len(LINES)))
def test_random_bytes_spliced_in(junk, at):
    text = "\n".join(LINES).encode()
    position = len("\n".join(LINES[:at]).encode())
    run_ingest(text[:position] + junk + text[position:])


def test_cut_after_the_tables_changes_nothing(tidy_dir):
    """A report cut inside the 第五部分 附表 list still yields exactly the full data."""
    end = next(i for i, l in enumerate(LINES) if l.startswith("第五部分"))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / REPORT_2023.name  # same name: the same report, cut
        report.write_text("\n".join(LINES[: end + 3]), encoding="utf-8")
        assert main([str(report), "--out", str(Path(tmp) / "tidy")]) == 0
        for name in ("facts", "projects", "indicators", "project_funding", "functional_classification"):
            assert (Path(tmp) / "tidy" / f"{name}.csv").read_bytes() == (tidy_dir / f"{name}.csv").read_bytes()
