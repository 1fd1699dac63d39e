"""`make share`: a unit's year as one zip that works offline; the footer of every page says where its set is;
the build date in the footer changes no page on an unchanged rebuild."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import PurePosixPath

from helpers.publish.batch import run_batch
from helpers.publish.share import main, share
from tests.conftest import NAMES, TEST_BUILD_DATE, UNIT_ID, digests, page

HREF = re.compile(r'(?:href|src)="([^"#:]+)(?:#[^"]*)?"')


def test_the_zip_holds_the_years_pages_and_an_index_and_every_link_stays_inside(batch_run, tidy_dir, tmp_path):
    out, _ = batch_run
    target = share(UNIT_ID, 2023, reports=out, out=tmp_path, tidy_dir=tidy_dir)
    assert target == tmp_path / "luzhou-traffic-police-2023.zip"
    with zipfile.ZipFile(target) as archive:
        members = sorted(archive.namelist())
        pages = {name: archive.read(name).decode("utf-8") for name in members}
    assert members == sorted(["index.html"] + [f"{UNIT_ID}/2023/{name}.{lang}.html" for name in NAMES
                                               for lang in ("zh", "en")])
    links = 0
    for name, text in pages.items():
        for href in HREF.findall(text):
            if href.startswith("data"):
                continue
            resolved = PurePosixPath(name).parent / href
            parts = []
            for part in resolved.parts:
                parts = parts[:-1] if part == ".." else parts + [part] if part != "." else parts
            assert "/".join(parts) in pages, f"{name} links to {href}, which is not in the zip"
            links += 1
    assert links > 50
    # the index names the unit and lists every page by its title, in both languages
    index = pages["index.html"]
    assert "泸州市公安局交通警察支队2023年度决算报告解读" in index and "Luzhou traffic police detachment" in index
    assert index.count("<li>") == 12 and f'href="{UNIT_ID}/2023/04_summary.en.html"' in index
    # a page received alone says where its set is
    assert "luzhou-traffic-police-2023.zip" in pages[f"{UNIT_ID}/2023/04_summary.en.html"]
    assert "打包文件 luzhou-traffic-police-2023.zip" in pages[f"{UNIT_ID}/2023/04_summary.zh.html"]
    # the same pages make the same zip
    again = share(UNIT_ID, 2023, reports=out, out=tmp_path / "again", tidy_dir=tidy_dir)
    assert again.read_bytes() == target.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_share_without_pages_is_refused_naming_what_was_built(batch_run, tmp_path, capsys):
    out, _ = batch_run
    # by default every unit's latest year: the unit's 2023, not the comparison of units (all_units/2023)
    assert main(["--reports", str(out), "--out", str(tmp_path / "default")]) == 0
    assert [p.name for p in (tmp_path / "default").iterdir()] == ["luzhou-traffic-police-2023.zip"]
    assert main(["--units", UNIT_ID, "--years", "2019", "--reports", str(out), "--out", str(tmp_path)]) == 2
    assert "no pages of luzhou-traffic-police for 2019" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["default"]


def test_footer_has_build_date_and_an_unchanged_rebuild_on_another_day_rewrites_nothing(batch_run, tidy_dir,
                                                                                       tmp_path, monkeypatch):
    out, _ = batch_run
    summary = page(out, "04_summary", "zh").read_text(encoding="utf-8")
    assert f'<dt>生成日期</dt><dd><time datetime="{TEST_BUILD_DATE}">{TEST_BUILD_DATE}</time></dd>' in summary
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    before = digests(copy / UNIT_ID, "*/*.html")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01
    again = run_batch([2023], out_root=copy, tidy_dir=tidy_dir, progress=False)
    assert again.outcomes == [] and digests(copy / UNIT_ID, "*/*.html") == before
