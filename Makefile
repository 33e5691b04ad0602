# Two set-up commands (see README): `make notes` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
NOTES  := docs/notes

.PHONY: notes test bench lint golden clean docs

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Core install plus matplotlib for the figures of the notes.
$(VENV)/.stamp-notes: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[docs]'
	touch $@

# Everything the test-suite uses (peers such as torch are installed by .ci/run).
$(VENV)/.stamp-test: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,docs,dev]'
	touch $@

## make notes: create .venv, install symconv, generate the course notes into docs/notes/
notes: $(VENV)/.stamp-notes
	$(VENV)/bin/symconv notes --out $(NOTES)

## make test: create .venv with the test extras and run the whole suite
test: $(VENV)/.stamp-test
	$(PY) -m pytest

# The documentation site's tools (Sphinx, myst-nb, furo, Playwright for the browser test).
$(VENV)/.stamp-site: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[site]'
	touch $@

## make docs: build the documentation site strictly into docs/_build/html (every warning fails)
SPHINXOPTS ?= -W --keep-going -n
docs: $(VENV)/.stamp-site
	$(VENV)/bin/sphinx-build -b html $(SPHINXOPTS) docs docs/_build/html
	@echo "The site: docs/_build/html/index.html"

## make bench: the performance benchmarks (ratios against references measured in the same run)
bench: $(VENV)/.stamp-test
	$(PY) -m benchmarks

## make lint: ruff, mypy and the layer contracts (import-linter, .importlinter)
lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check symconv tests benchmarks derivations
	$(VENV)/bin/mypy
	PYTHONPATH=tests $(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) build dist *.egg-info
