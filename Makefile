# The two commands: `make run` serves the API with demo data, `make test` runs
# the suite. Everything else is for contributors and CI.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run worker test test-browser screenshots lint format migrate seed schema fuzz concurrency clean bench bench-smoke bench-scale

$(VENV)/.runtime: requirements.txt
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

$(VENV)/.fuzz: $(VENV)/.dev requirements-fuzz.txt
	$(BIN)/pip install -q -r requirements-fuzz.txt
	touch $@

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Swagger UI: http://$(HOST):$(PORT)/api/docs/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The background worker with its scheduler (events, webhooks), on the broker
# of CELERY_BROKER_URL (default REDIS_URL): Redis must be running.
worker: $(VENV)/.runtime
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-mechanic_shop.settings.dev} \
	  $(BIN)/celery -A mechanic_shop worker -B --loglevel=info --schedule=$(VENV)/celerybeat-schedule

test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests alone, Debian's chromium installed first when missing
# (make test runs them too, and skips them without chromium).
test-browser: $(VENV)/.dev
	bash scripts/system-deps.sh chromium
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# The README's screenshots, as the browser tests leave them.
screenshots: test-browser
	mkdir -p docs/screenshots
	cp test-artifacts/swagger-ui.png test-artifacts/admin-ticket-list.png \
	   test-artifacts/approval-page-phone.png docs/screenshots/

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Schemathesis against /api/schema/ of a real server, as each role; fixed
# seed. DATABASE_URL / REDIS_URL are honoured (see scripts/fuzz.py).
fuzz: $(VENV)/.fuzz
	$(BIN)/python scripts/fuzz.py $(FUZZ_ARGS)

# Two gunicorn servers on MariaDB + Redis, simultaneous requests: stock,
# payments, login throttle. Needs DATABASE_URL=mysql://... and REDIS_URL.
concurrency: $(VENV)/.dev
	$(BIN)/python scripts/concurrency_check.py

# The benchmark (bench/README.md): BENCH_DB=sqlite for SQLite + local memory;
# BENCH_BASELINE=<git rev> runs that commit first and compares the two.
$(VENV)/.bench: $(VENV)/.runtime requirements-bench.txt
	bash scripts/system-deps.sh wrk
	$(BIN)/pip install -q -r requirements-bench.txt
	touch $@

BENCH_BASELINE_ARG = $(if $(BENCH_BASELINE),--baseline '$(BENCH_BASELINE)')

bench: $(VENV)/.bench
	$(BIN)/python bench/run.py $(BENCH_BASELINE_ARG) $(BENCH_ARGS)

bench-smoke: $(VENV)/.bench
	$(BIN)/python bench/run.py --smoke $(BENCH_BASELINE_ARG) $(BENCH_ARGS)

bench-scale: $(VENV)/.bench
	$(BIN)/python bench/scale.py $(BENCH_ARGS)

schema: $(VENV)/.runtime
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yaml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts bench/tmp
