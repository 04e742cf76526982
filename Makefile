# Two commands: `make run` serves the dashboard, `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint build bench lock clean chromium redis soffice

$(BIN)/python:
	@command -v $(PY) >/dev/null || { echo "error: $(PY) not found; install Python 3.11 or run 'make PY=python3 ...'"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) app:server

# Installs Debian's chromium for the browser tests when missing and the machine allows (root + apt).
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian chromium (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "warning: $(CHROMIUM) missing and cannot install it (need root + apt); browser tests will fail"; fi

# Installs Debian's redis-server for the shared-cache tests when missing and the machine allows (root + apt);
# the tests start their own on a free loopback port (nothing saved) and stop it.
redis:
	@if command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian redis-server (apt)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } \
	  || echo "warning: could not install redis-server; the shared-cache tests will skip"; \
	else echo "warning: redis-server missing and cannot install it (need root + apt); cache tests will skip"; fi

# Installs LibreOffice Impress (no GUI) and poppler for the look at the generated deck (tests/test_slides.py
# renders it to PNG; ~90 MB, a minute or two) when missing and the machine allows (root + apt); else it skips.
soffice:
	@if command -v soffice >/dev/null && command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing LibreOffice Impress and poppler-utils (apt)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq \
	    --no-install-recommends libreoffice-impress-nogui poppler-utils >/dev/null; } \
	  || echo "warning: could not install LibreOffice; the deck's picture test will skip"; \
	else echo "warning: soffice missing and cannot install it (need root + apt); the deck's picture test will skip"; fi

# ruff (lint rules, formatting) and mypy against its baseline (scripts/check_types.py: no new type error)
LINT = $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/python scripts/check_types.py

test: $(VENV)/.installed-test chromium redis soffice
	$(LINT)
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(LINT)

build: $(VENV)/.installed
	$(BIN)/mtm build

bench: $(VENV)/.installed-test chromium
	$(BIN)/python scripts/bench.py

lock: $(BIN)/python
	(echo '# Pinned versions tested together (pip install -c constraints.txt). Regenerate with: make lock'; \
	  $(BIN)/pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
