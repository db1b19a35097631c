# Junheng: `make run` serves the dashboard, `make test` runs every test,
# `make ui-bench` times the dashboard in chromium (`make screens` takes screenshots).
# All create .venv and install the pinned requirements on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PYTHONPATH := $(CURDIR)

.PHONY: run test data bench ui-bench screens system-deps clean-cache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	@echo "[junheng] installing pinned requirements into $(VENV)..."
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.requirements-test: requirements-test.txt requirements.txt $(VENV)/.requirements
	@echo "[junheng] installing test requirements..."
	$(BIN)/pip install -q -r requirements-test.txt
	@touch $@

# The demo layers are committed; rebuild them only when missing.
data/demo/schools.geojson data/demo/villages.geojson data/demo/districts.geojson: | $(VENV)/.requirements
	@echo "[junheng] building the demo region layers..."
	$(BIN)/python data/build_demo.py

data: data/demo/schools.geojson data/demo/villages.geojson data/demo/districts.geojson

# The map exports need the CJK font (and chromium renders map images): installed when missing.
run: $(VENV)/.requirements system-deps data
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests and renders map images; the CJK
# font makes Chinese text readable in screenshots and exports.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "[junheng] installing chromium and fonts-noto-cjk from Debian..."; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-cjk fontconfig; \
	fi

test: $(VENV)/.requirements-test system-deps data
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(VENV)/.requirements-test data
	$(BIN)/python benchmarks/od_bench.py

# Click-to-visible of every control of the four pages (UI_BENCH_ARGS="--quick --json" etc.).
UI_BENCH_ARGS ?=
ui-bench: $(VENV)/.requirements-test system-deps data
	$(BIN)/python benchmarks/ui_bench.py $(UI_BENCH_ARGS)

# Screenshots of every tab at 1440x960 and 1280x800 in both languages.
SCREENS_DIR ?= /tmp/junheng-screens
screens: $(VENV)/.requirements-test system-deps data
	$(BIN)/python benchmarks/screens.py --out $(SCREENS_DIR)

clean-cache:
	rm -rf data/cache
