# Luzhou traffic police final accounts: tidy data and a narrated budget story.
# `make help` lists the targets. Every target sets up the virtual environment on first use.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Python keeps its compiled files (__pycache__/, which git ignores) even where PYTHONDONTWRITEBYTECODE is set: without
# them every process compiles the package's modules again (0.3 s of a batch's kernel template process, on the path of
# its first page) and each test worker rewrites the asserts of every test module (5.6 s instead of 2.3 s).
RUN_PY := env -u PYTHONDONTWRITEBYTECODE $(PY)
KERNEL := luzhou-budget
# Which pages `make reports` builds: every unit and year in the tidy data unless these name some
# (YEARS="2023 2024", UNITS="luzhou-traffic-police": ids from the unit_id column of data/tidy/reports.csv).
YEARS ?=
UNITS ?=
# Parameters for every notebook that declares them, papermill's way: PARAMS="-p low_execution_threshold 0.8"
PARAMS ?=
TIDY := data/tidy
TIDY_STAMP := $(TIDY)/datapackage.json
# The corpus store (Parquet, one partition per report; not committed): the ingest writes it beside the CSV files,
# and a fresh clone, whose committed CSV files are current, makes it from them.
CORPUS_STAMP := $(TIDY)/corpus/manifest.json

# Make's own dependencies for the tidy data. Report file names may contain spaces: make reads
# "a\ b" as one prerequisite, so every space found is escaped.
escape = $(shell find $(1) -type f \( $(2) \) -not -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort | sed 's/ /\\ /g')
RAW_REPORTS := $(call escape,data/raw,-name '*.txt' -o -name '*.docx' -o -name '*.pdf')
INGEST_CODE := $(call escape,src/helpers/read src/helpers/data data/names,-name '*.py' -o -name '*.csv' -o -name '*.json') \
               src/helpers/paths.py src/helpers/errors.py src/helpers/files.py
# The ingest finds every report under data/raw/<year>/ itself (.txt, .docx or .pdf, any file name).
INGEST = $(RUN_PY) -m helpers.data.ingest --raw data/raw --out $(TIDY)
# A year with no report under data/raw/<year>/ is refused before anything is built.
MISSING_YEARS := $(strip $(foreach y,$(YEARS),$(if $(wildcard data/raw/$(y)/*.txt data/raw/$(y)/*.docx data/raw/$(y)/*.pdf),,$(y))))

.DEFAULT_GOAL := help
.PHONY: help setup data reports share test test-fast lint bench bench-corpus lab clean years

help: ## List the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (luzhou-budget)" >/dev/null
	@# Notebook templates are committed without outputs: git runs nbstripout on them (see .gitattributes).
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '.venv/bin/python -m helpers.publish.strip --keep-id --extra-keys metadata.language_info' && \
	  git config filter.nbstripout.process '.venv/bin/python -m helpers.publish.strip --process --keep-id --extra-keys metadata.language_info' && \
	  git config filter.nbstripout.smudge cat; fi
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with the pinned packages, the CJK font, the Jupyter kernel and the git filter

years:
	@$(if $(MISSING_YEARS),echo "no report for $(MISSING_YEARS) under data/raw/<year>/ (reports found for:\
	 $(notdir $(wildcard data/raw/[0-9]*))); put the report (.txt, .docx or .pdf) there first" >&2; exit 2)

$(TIDY_STAMP): $(RAW_REPORTS) $(INGEST_CODE) | $(STAMP) years
	$(INGEST)
	$(PY) -m helpers.data.validate $(TIDY)

$(CORPUS_STAMP): $(TIDY_STAMP) | $(STAMP)
	$(PY) -m helpers.data.corpus --tidy $(TIDY)

data: $(TIDY_STAMP) $(CORPUS_STAMP) ## Rebuild data/tidy/ (CSV, and Parquet in data/tidy/corpus/) from data/raw/ (only when they or the code changed)

reports: years $(TIDY_STAMP) $(CORPUS_STAMP) ## Build every page of every unit and year (or UNITS, YEARS) in both languages; only what changed
	$(RUN_PY) -m helpers.publish.batch --years $(YEARS) --units $(UNITS) $(PARAMS)

# Which pages `make share` zips: UNIT (a unit id) and YEAR; by default every unit's latest year built.
UNIT ?=
YEAR ?=

share: $(STAMP) ## Zip a unit's year of pages with an index into reports/share/<unit>-<year>.zip (UNIT, YEAR)
	$(RUN_PY) -m helpers.publish.share --units $(UNIT) --years $(YEAR)

test: $(STAMP) | $(CORPUS_STAMP) ## Run the whole test suite (unit tests, notebooks, exports, browser, PDFs) on both cores
	$(RUN_PY) -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP) | $(CORPUS_STAMP) ## Run the tests that need no kernel, browser or server (well under a minute)
	$(RUN_PY) -m pytest -m "not slow" -q --hypothesis-profile=fast -n 2 --dist loadgroup

lint: $(STAMP) ## Check src, tests and notebooks with ruff
	$(VENV)/bin/ruff check src tests notebooks

bench: $(STAMP) ## Time the cold build, the unchanged rebuild and 2 years x 2 languages against the floor; a 100-page PDF read
	$(RUN_PY) -m helpers.publish.bench

# Generated units for `make bench-corpus` (each with a 2023 and a 2024 report): N=500 on demand.
N ?= 50
# The numbers of units measured (default N/5, N/2 and N), e.g. SIZES="50 200".
SIZES ?=

bench-corpus: $(STAMP) ## Ingest N generated units x 2 years one report at a time (N=50; N=500 on demand), then pages
	$(RUN_PY) -m helpers.publish.bench_corpus --units $(N) $(if $(SIZES),--sizes $(SIZES))

lab: $(STAMP) | $(CORPUS_STAMP) ## Start JupyterLab on the notebooks with the project's kernel (saves templates without outputs)
	@# The project's server config: a template run and saved in JupyterLab is saved without its outputs.
	$(RUN_PY) -m helpers.publish.lab --notebook-dir=notebooks --config=src/helpers/publish/jupyter_server_config.py $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## Remove the executed reports (the templates and the tidy data stay)
	rm -rf reports/*/ reports/index.html reports/.build
