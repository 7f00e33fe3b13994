# The two commands: `make run` serves the API with demo data, `make test` runs
# the suite. Everything else is for contributors and CI.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run worker test test-browser screenshots invoice-image lint format migrate seed schema fuzz concurrency clean bench bench-smoke bench-scale

# What WeasyPrint (the estimate and invoice PDFs) needs from Debian: Pango
# and HarfBuzz, fonts for Latin, CJK and Arabic script, pdftoppm.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core fonts-noto-core fonts-noto-cjk poppler-utils

$(VENV)/.runtime: requirements.txt
	bash scripts/system-deps.sh $(PDF_PACKAGES)
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

# The README's image of an invoice's first page: demo data in a database of
# its own, the fullest invoice printed, its first page made a PNG.
INVOICE_DB := $(CURDIR)/test-artifacts/invoice-image.sqlite3
invoice-image: $(VENV)/.runtime
	mkdir -p test-artifacts docs/screenshots
	rm -f $(INVOICE_DB)
	DATABASE_URL=sqlite:///$(INVOICE_DB) SHOP_ADDRESS="1200 Harbor Street, Portland, OR 97201" \
	  SHOP_PHONE="555-0142" $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=sqlite:///$(INVOICE_DB) $(BIN)/python manage.py seed_demo --customers 20 --tickets 60
	DATABASE_URL=sqlite:///$(INVOICE_DB) $(BIN)/python manage.py document_pdf invoice test-artifacts/invoice.pdf
	pdftoppm -png -r 60 -singlefile test-artifacts/invoice.pdf docs/screenshots/invoice-page-1

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
