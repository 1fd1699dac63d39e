# Luzhou traffic police final accounts: tidy data and a narrated budget story.
# `make help` lists the targets. Every target sets up the virtual environment on first use.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL := luzhou-budget
YEARS ?= 2023
REPORT_FILES := $(wildcard data/raw/*/*.txt)

.DEFAULT_GOAL := help
.PHONY: help setup data reports test bench lab clean

help: ## List the targets and what they do
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (luzhou-budget)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with the pinned packages, the CJK font and the Jupyter kernel

data: $(STAMP) ## Rebuild data/tidy/ from every report under data/raw/ and validate it
	$(PY) -m helpers.data.ingest $(REPORT_FILES) --out data/tidy
	$(PY) -m helpers.data.validate data/tidy

reports: data ## Run every notebook for YEARS (default 2023) into reports/<year>/ as .ipynb and .html
	$(PY) -m helpers.publish.batch --years $(YEARS)

test: $(STAMP) ## Run the test suite (unit tests, notebooks, exports)
	$(PY) -m pytest

bench: $(STAMP) ## Time the ingest and the batch against the naive pipeline and the floor
	$(PY) -m helpers.publish.bench

lab: $(STAMP) ## Start JupyterLab on the notebooks with the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## Remove the executed reports (the templates and the tidy data stay)
	rm -rf reports/[0-9]* reports/index.html
