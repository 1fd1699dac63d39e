"""The batch's parts that need no kernel: atomic writes, the chrome table, `-p` values, the inputs hash,
clean templates, and `make reports` refusing a year with no report before anything is built."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths
from helpers.constants import LANGUAGES
from helpers.files import atomic_write, write_all
from helpers.publish import cache
from helpers.publish.chrome import CHROME_TABLE, phrase
from helpers.publish.lab import strip_outputs
from helpers.publish.plan import notice_words, parse_value, templates


def test_atomic_write_replaces_whole_files_and_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "page.html"
    atomic_write(target, "old")
    atomic_write(target, "新的")
    assert target.read_text(encoding="utf-8") == "新的" and oct(target.stat().st_mode & 0o777) == "0o644"
    with pytest.raises(TypeError):
        atomic_write(target, 42)  # not text or bytes: the old file stays, no temporary file is left
    assert target.read_text(encoding="utf-8") == "新的" and [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_write_all_is_all_or_nothing(tmp_path):
    out = tmp_path / "tidy"
    write_all(out, {"a.csv": b"1\n", "b.csv": b"2\n"})
    with pytest.raises(TypeError):
        write_all(out, {"a.csv": b"changed\n", "b.csv": None})
    assert (out / "a.csv").read_bytes() == b"1\n" and (out / "b.csv").read_bytes() == b"2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tidy"], "staging folder left behind"


def test_every_chrome_phrase_exists_in_every_language_with_the_same_placeholders():
    with open(CHROME_TABLE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"key", *LANGUAGES}
    for row in rows:
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(row[lang]) if f} for lang in LANGUAGES}
        assert all(row[lang].strip() for lang in LANGUAGES), row["key"]
        assert len({frozenset(f) for f in fields.values()}) == 1, (row["key"], fields)


def test_the_notice_counts_places_in_each_language():
    assert notice_words(2023, "en", 13) == ("Caution: the 2023 report contradicts itself in 13 places (see ",
                                            "). Figures quoted from the report are given as printed; figures we "
                                            "computed are marked as such.")
    assert notice_words(2023, "en", 1)[0].endswith("in 1 place (see ")
    assert notice_words(2023, "zh", 13)[0] == "提示：2023年度决算报告有13处数字前后矛盾，详见"
    assert notice_words(2023, "zh", 0) == ("", "")
    assert phrase("zh", "other_edition", language=phrase("zh", "language_name")) == "本页的中文版"


@pytest.mark.parametrize(("text", "value"), [("0.8", 0.8), ("2024", 2024), ("True", True), ("None", None),
                                             ("zh", "zh"), ("1e-3", 0.001)])
def test_parameters_are_read_as_papermill_reads_them(text, value):
    assert parse_value(text) == value and type(parse_value(text)) is type(value)


def test_the_inputs_hash_follows_contents_not_dates(tmp_path, tidy_dir):
    copy = tmp_path / "tidy"
    shutil.copytree(tidy_dir, copy)
    before = cache.tidy_hash(copy)
    os.utime(copy / "facts.csv", (0, 0))
    assert cache.tidy_hash(copy) == before
    (copy / "facts.csv").write_text((copy / "facts.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.tidy_hash(copy) != before
    assert cache.key("a", {"x": 1, "y": 2}) == cache.key("a", {"y": 2, "x": 1})


def test_templates_in_notebooks_carry_no_outputs():
    """Executed copies live under reports/; a template with outputs was saved from JupyterLab by mistake."""
    for path in templates():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert not cell["outputs"] and cell["execution_count"] is None, (
                    f"{path.name}, cell {index}: outputs in a template; clear them (`make setup` installs the "
                    "nbstripout git filter that does it on commit; `make lab` saves without them)")
        assert "papermill" not in nb["metadata"], f"{path.name}: an executed copy was saved over the template"


def template_run_in_jupyterlab() -> tuple[Path, dict]:
    """The first template, and the same notebook as JupyterLab holds it after a run: outputs and counts."""
    template = templates()[0]
    nb = json.loads(template.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "a figure\n"}]
    code["execution_count"] = 3
    code["metadata"]["execution"] = {"iopub.status.busy": "2026-11-27T07:44:59.708Z"}
    return template, nb


@pytest.mark.slow  # runs the filter in a subprocess
def test_git_strips_notebook_outputs_on_commit():
    attributes = (paths.ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert re.search(r"^notebooks/\*\.ipynb filter=nbstripout$", attributes, flags=re.M)
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    flags = ["--keep-id", "--extra-keys", "metadata.language_info"]
    clean = f".venv/bin/python -m helpers.publish.strip {' '.join(flags)}"
    assert f"git config filter.nbstripout.clean '{clean}'" in makefile
    # what git hands the filter: a template saved from JupyterLab with outputs; what it commits: the template
    template, nb = template_run_in_jupyterlab()
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7"}  # what a kernel adds on a run
    cleaned = subprocess.run([sys.executable, "-m", "helpers.publish.strip", *flags], input=json.dumps(nb),
                             capture_output=True, text=True, check=True).stdout
    assert cleaned == template.read_text(encoding="utf-8")
    # nbstripout's own command gives the same bytes: the filter only starts faster
    assert cleaned == subprocess.run([sys.executable, "-m", "nbstripout", *flags], input=json.dumps(nb),
                                     capture_output=True, text=True, check=True).stdout


@pytest.mark.slow  # imports nbstripout (nbformat)
def test_the_filter_process_cleans_every_notebook_git_hands_it_in_one_process():
    """git's long-running filter protocol: a handshake, then each notebook as a clean request; one process for all."""
    import io

    from helpers.publish.strip import serve

    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    flags = ["--keep-id", "--extra-keys", "metadata.language_info"]
    assert f"git config filter.nbstripout.process '.venv/bin/python -m helpers.publish.strip --process " \
           f"{' '.join(flags)}'" in makefile
    template, nb = template_run_in_jupyterlab()
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7"}
    run = json.dumps(nb).encode("utf-8")

    def packets(*items: bytes | None) -> bytes:
        return b"".join(b"0000" if p is None else b"%04x" % (len(p) + 4) + p for p in items)

    def request(path: str, content: bytes) -> bytes:  # content over several packets, as git splits a large file
        return packets(b"command=clean\n", f"pathname={path}\n".encode(), None,
                       *(content[i:i + 1000] for i in range(0, len(content), 1000)), None)

    asked = (packets(b"git-filter-client\n", b"version=2\n", None, b"capability=clean\n", b"capability=smudge\n",
                     None) + request("notebooks/a.ipynb", run) + request("notebooks/b.ipynb", b"not a notebook")
             + request("notebooks/c.ipynb", template.read_bytes()))
    answer = io.BytesIO()
    serve(flags, io.BytesIO(asked), answer)
    stream, replies = io.BytesIO(answer.getvalue()), []
    while size := stream.read(4):
        replies.append(None if size == b"0000" else stream.read(int(size, 16) - 4))
    assert replies[:6] == [b"git-filter-server\n", b"version=2\n", None, b"capability=clean\n", None,
                           b"status=success\n"]
    # the first notebook: stripped to the template itself, then the list ends and the status stays
    first_end = replies.index(None, 7)
    assert b"".join(replies[7:first_end]) == template.read_bytes() and replies[first_end + 1] is None
    # not a notebook: an error for that file, and the next one is still served
    assert replies[first_end + 2:first_end + 4] == [b"status=error\n", None]
    assert replies[first_end + 4:first_end + 6] == [b"status=success\n", None]
    assert b"".join(replies[first_end + 6:-2]) == template.read_bytes() and replies[-2:] == [None, None]


def test_jupyterlab_saves_a_run_template_as_the_template():
    template, nb = template_run_in_jupyterlab()
    assert strip_outputs({"type": "notebook", "content": nb}, template.name) == 1
    assert nb == json.loads(template.read_text(encoding="utf-8"))
    assert strip_outputs({"type": "notebook", "content": nb}, template.name) == 0  # nothing left to strip
    text = {"type": "file", "content": "outputs: []"}
    assert strip_outputs(text) == 0 and text["content"] == "outputs: []"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_reports_refuses_a_year_without_a_report_before_any_ingest(tmp_path):
    tidy = paths.TIDY / "datapackage.json"
    before = tidy.stat().st_mtime_ns if tidy.exists() else None
    # -o: never (re)build the environment from a test
    run = subprocess.run(["make", "-o", ".venv/.installed", "reports", "YEARS=2023 2031"], cwd=paths.ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "no report for 2031 under data/raw/<year>/" in run.stderr and "2023" in run.stderr
    assert "helpers.data.ingest" not in run.stdout
    assert (tidy.stat().st_mtime_ns if tidy.exists() else None) == before
