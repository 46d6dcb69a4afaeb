# yusuan: budget-disclosure PDFs -> DuckDB, through Dagster.
#   make run    set up (venv, install) and ingest data/samples into data/warehouse.duckdb
#   make test   set up and run the whole test suite (what CI runs)
#   make test-fast  the unit tier only: each rule and reader function on tables built in a few lines (seconds)
#   make test-slow  races and kills repeated 30 times (minutes)
#   make test-browser  the UI and a review page in headless Chromium (screenshots in tests/artifacts/)
#   make ui     the Dagster UI (webserver + daemon, sensor and schedule running) on 127.0.0.1:3000
#   make bench  extraction and the whole pipeline against a bare pdfplumber pass; check cost; 1,000 reports
#   make verify-reader  every object of every page read by pdfplumber as shipped and by yusuan's fast reading, compared
#   make verify-reader-rs  every glyph and table cell read by pdfplumber and by pdfplumber-rs (.venv-rs), compared

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 3000
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: setup run test test-fast test-slow test-browser ui bench verify-reader verify-reader-rs lint clean

$(BIN)/yusuan: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

setup: $(BIN)/yusuan

run: setup
	$(BIN)/yusuan ingest data/samples

test: setup
	$(BIN)/python -m pytest -q -m "not browser and not slow"

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

test-fast: setup
	$(BIN)/python -m pytest -q tests/unit

# the Dagster UI in headless Chromium (installs Debian's chromium when missing; needs root)
test-browser: setup
	(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || \
	    (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk) || \
	    echo "could not install chromium and a CJK font: the browser tests will be skipped or show tofu"
	$(BIN)/python -m pytest -q -m browser

ui: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(PORT)

bench: setup
	$(BIN)/python benchmarks/bench_stages.py
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_checks.py
	$(BIN)/python benchmarks/bench_pipeline.py --compare
	$(BIN)/python benchmarks/bench_review.py
	$(BIN)/python benchmarks/bench_scale.py 1000 100

verify-reader: setup
	$(BIN)/python benchmarks/verify_contents.py

verify-reader-rs: setup
	$(BIN)/python benchmarks/verify_reader.py

lint: setup
	$(BIN)/ruff check yusuan pipelines assets tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data/staging data/store data/review data/warehouse.duckdb* data/warehouse.parts .dagster_home/storage .dagster_home/history \
	       .dagster_home/schedules .dagster_home/logs
