# Junheng: `make run` serves the dashboard, `make test` runs every test.
# Both create .venv and install the pinned requirements on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PYTHONPATH := $(CURDIR)

.PHONY: run test data bench system-deps clean-cache

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

run: $(VENV)/.requirements data
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

clean-cache:
	rm -rf data/cache
