"""Validate a tidy folder against its datapackage.json with Frictionless.

    python -m helpers.data.validate data/tidy

Checks every table's types, required cells, primary keys and the keys between tables.
Exits 1 and lists the errors when any table does not conform.
"""

from __future__ import annotations

import sys
from pathlib import Path


def validate(tidy_dir: Path | str) -> list[str]:
    """Return the validation errors of the data package in `tidy_dir` (empty when valid)."""
    from frictionless import Package, system

    descriptor = Path(tidy_dir) / "datapackage.json"
    if not descriptor.exists():
        return [f"{descriptor} does not exist: run `make data`"]
    with system.use_context(trusted=True):
        report = Package(str(descriptor)).validate()
    return [f"{task.name}: {err.message}" for task in report.tasks for err in task.errors] + \
        [err.message for err in report.errors]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    tidy_dir = Path(args[0]) if args else Path("data/tidy")
    errors = validate(tidy_dir)
    for error in errors:
        print(f"{tidy_dir}: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"{tidy_dir}: data package valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
