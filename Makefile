# Two commands matter: `make demo` and `make test` (ruff, then pytest). Both set up .venv from
# pyproject.toml.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# rp2040js for the emulated RP2040 (emu/), pinned by emu/package-lock.json.
NODE_STAMP := emu/node_modules/.installed
# MicroPython type stubs for the HAL checks, one folder per port (each port defines machine).
STUBS := rp2 esp32 stm32 unix
STUBS_VERSION := ~=1.29.0
# Debian packages the PDF reports need (host/report/pdf.py).
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

.PHONY: test demo venv bench clean

venv: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml Makefile
	@# Chromium for the browser tests of `meso ui` (Playwright cannot download its own here).
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	@# PDF reports (WeasyPrint) draw text with Pango; DejaVu is the reports' font.
	dpkg -s $(REPORT_DEBS) >/dev/null 2>&1 || { apt-get update -qq && \
	    apt-get install -y -qq $(REPORT_DEBS); }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	for port in $(STUBS); do $(BIN)/python -m pip install -q --no-user --upgrade \
	    --target $(VENV)/stubs/$$port "micropython-$$port-stubs$(STUBS_VERSION)" || exit 1; done
	touch $(STAMP)

$(NODE_STAMP): emu/package.json emu/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the emulated RP2040 (emu/)"; exit 1; }
	cd emu && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/meso demo

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache emu/node_modules
