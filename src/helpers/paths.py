"""Every path the project uses, built from this file's location.

Notebooks, the batch, the tests and the CLI all import from here, so the code runs the same
from the repository root, from `notebooks/` in JupyterLab, or from a papermill kernel started
in any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "data"
RAW = DATA / "raw"
# Tests and the benchmark point the notebooks at another tidy folder through this variable.
TIDY = Path(os.environ.get("BUDGET_TIDY_DIR", DATA / "tidy"))
NAMES = DATA / "names"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC font file (SIL Open Font License) shipped by the mplfonts package: the charts' Chinese
    labels and the font every page embeds. Only the path: nothing is imported that sets a chart theme."""
    import importlib.util

    spec = importlib.util.find_spec("mplfonts")
    path = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf" if spec and spec.origin else None
    if path is None or not path.exists():
        raise FileNotFoundError(f"{path or 'the mplfonts package'} is missing: reinstall with `make setup` "
                                "(package mplfonts)")
    return path


def raw_reports(raw_dir: Path = RAW) -> list[Path]:
    """Return every report text under `raw_dir`/<year>/, sorted by path."""
    return sorted(p for p in raw_dir.glob("*/*.txt") if p.is_file())
