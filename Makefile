# plangov: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test lint bench bench-compare clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Install, migrate, load the demo and serve plangov (web, Celery worker and beat) on :8000.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py serve

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL). Installs
## Debian's Chromium for the browser tests when it is missing (see scripts/ensure-chromium).
test: install
	@case '$(PYTEST_ARGS)' in *"not browser"*|*"not once"*) ;; *) ./scripts/ensure-chromium ;; esac
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/lifecycle_throughput.py

## plangov's hot paths side by side with bare viewflow and plain ORM (SQLite and PostgreSQL).
bench-compare: install
	$(BIN)/python bench/side_by_side.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
