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


def raw_reports(raw_dir: Path = RAW) -> list[Path]:
    """Return every report text under `raw_dir`/<year>/, sorted by path."""
    return sorted(p for p in raw_dir.glob("*/*.txt") if p.is_file())
