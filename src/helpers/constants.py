"""Names the whole project shares: the reporting unit, the Jupyter kernel, the page languages."""

from __future__ import annotations

# The unit whose final-accounts reports (单位决算) this project reads.
UNIT_NAME = {"zh": "泸州市公安局交通警察支队", "en": "Luzhou traffic police detachment"}
REPORT_KIND = {"zh": "单位决算", "en": "final-accounts report"}

# The Jupyter kernel the notebooks run on (installed into .venv by `make setup`).
KERNEL = "luzhou-budget"
KERNEL_DISPLAY_NAME = "Python (luzhou-budget)"

# Page languages, in the order editions are listed; the first is the default edition.
LANGUAGES = ("zh", "en")
# A notebook that takes no `lang` parameter predates the Chinese edition: it is written in English.
SINGLE_EDITION_LANG = "en"
