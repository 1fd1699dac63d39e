"""Names the whole project shares: the kind of report, the Jupyter kernel, the page languages."""

from __future__ import annotations

# The publishing unit is not a constant: each report names its own (reports.csv, helpers.read.identity).
REPORT_KIND = {"zh": "单位决算", "en": "final-accounts report"}

# The Jupyter kernel the notebooks run on (installed into .venv by `make setup`).
KERNEL = "luzhou-budget"
KERNEL_DISPLAY_NAME = "Python (luzhou-budget)"

# Page languages, in the order editions are listed; the first is the default edition.
LANGUAGES = ("zh", "en")
# A notebook that takes no `lang` parameter predates the Chinese edition: it is written in English.
SINGLE_EDITION_LANG = "en"
