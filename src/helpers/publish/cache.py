"""What a report was built from: one hash of its inputs, stored in the outputs, so a batch reruns
only the notebooks whose inputs changed.

A notebook's execution depends on its template, its parameters, the tidy data and the package
code; its page also on the page chrome around it (links to the other pages, the notice). Both
hashes are stored in the outputs themselves (the executed notebook's metadata, a <meta> of the
page), so deleting or editing an output makes it rebuild, and there is no separate cache to go stale.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from helpers import paths

PACKAGE = Path(__file__).resolve().parents[1]
# Files of the package that change what a notebook computes or shows (not caches, not editor files).
CODE_SUFFIXES = {".py", ".j2", ".csv", ".json", ".css", ".toml"}
PAGE_META = "build-inputs"
# nbconvert's clean-up reorders attributes: <meta content="..." name="build-inputs"/>
_PAGE_KEY = re.compile(r'<meta (?:name="' + PAGE_META + r'" content="([0-9a-f]+)"|content="([0-9a-f]+)" name="'
                       + PAGE_META + '")')


def _digest_files(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:  # in blocks: a tidy table of many reports is never in memory whole
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


# Package files that shape only the page around an executed notebook, not what the notebook computes:
# changing them re-exports the pages without running a kernel.
PAGE_ONLY = ("publish/templates/", "publish/export.py", "publish/chrome.py", "publish/index.py", "publish/bench.py")


def code_hash(package: Path = PACKAGE, part: str = "notebook") -> str:
    """Hash of the package's code and templates: the `notebook` part (what a notebook computes, with
    the names/ tables it reads) or the `page` part (the page around it, see PAGE_ONLY)."""
    def page_only(path: Path) -> bool:
        return path.relative_to(package).as_posix().startswith(PAGE_ONLY)

    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
                   and "__pycache__" not in p.parts and page_only(p) == (part == "page"))
    if part == "page":
        return _digest_files(files, package)
    names = sorted(p for p in paths.NAMES.glob("*") if p.is_file()) if paths.NAMES.is_dir() else []
    return hashlib.sha256((_digest_files(files, package) + _digest_files(names, paths.NAMES)).encode()).hexdigest()


def tidy_hash(tidy_dir: Path) -> str:
    """Hash of every table of the tidy data: contents, not dates (an identical rebuild counts as unchanged)."""
    tidy_dir = Path(tidy_dir)
    return _digest_files(sorted(p for p in tidy_dir.iterdir() if p.is_file() and not p.name.startswith(".")),
                         tidy_dir)


def key(*parts) -> str:
    """A stable hash of JSON-serialisable parts (dict keys sorted)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notebook_key(notebook_path: Path) -> str | None:
    """The inputs hash an executed notebook was built from, or None (missing, unreadable, or older format)."""
    try:
        meta = json.loads(Path(notebook_path).read_text(encoding="utf-8"))["metadata"]
        return meta["budget_story"]["build"]["inputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def page_key(page_path: Path) -> str | None:
    """The hash a page was built from (its <meta name="build-inputs">), or None."""
    try:
        with open(page_path, encoding="utf-8", errors="replace") as handle:
            match = _PAGE_KEY.search(handle.read())
    except OSError:
        return None
    return (match.group(1) or match.group(2)) if match else None


def page_key_of(html: str) -> str | None:
    """The build-inputs hash inside a page's text."""
    match = _PAGE_KEY.search(html)
    return (match.group(1) or match.group(2)) if match else None
