# Safer Colchester site. `make build` builds the site; `make test` runs every test.
# Both create .venv on first use and are quick when nothing changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= output
# Netlify deploy previews pass BASE_URL=$DEPLOY_PRIME_URL.
BASE_URL ?=
BASE_FLAG := $(if $(BASE_URL),--base-url $(BASE_URL),)

.PHONY: help build test check serve clean golden

help:
	@echo "make build   build the site into $(OUT)/"
	@echo "make test    run the whole test suite"
	@echo "make check   check the content without building"
	@echo "make serve   preview the site at http://127.0.0.1:8000/ while you edit"
	@echo "make clean   remove $(OUT)/ and .venv/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per set of dependencies, remade when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(VENV)/.installed $@

build: $(VENV)/.installed
	$(BIN)/site-builder build --out $(OUT) $(BASE_FLAG)

check: $(VENV)/.installed
	$(BIN)/site-builder check

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) $(VENV) .serve .cache

golden: $(VENV)/.installed-test
	$(BIN)/python tests/test_golden.py
