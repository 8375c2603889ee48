# The two commands a newcomer types: `make run` and `make test`. Both set up everything they
# need on a machine that has only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CHUANGXIAN_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist; each has its own test database). "auto" is one per core.
TEST_WORKERS ?= auto

.PHONY: run test lint typecheck test-postgres migrate worker messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chuangxian needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are stamped so that a second `make run` starts at once; editing the lock or
# pyproject.toml reinstalls.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

migrate: $(VENV)/.installed
	$(BIN)/chuangxian migrate --noinput -v0

# The demo on loopback does not require administrators to enrol a second factor (every other
# installation does: docs/operations.md); `make run CHUANGXIAN_REQUIRE_ADMIN_2FA=1` tries it.
run: export CHUANGXIAN_REQUIRE_ADMIN_2FA ?= 0
run: migrate
	$(BIN)/chuangxian seed_demo --if-empty
	$(BIN)/chuangxian send_reminders
	$(BIN)/chuangxian reports_rebuild --changed
	@echo "任务处理进程（导入等后台任务）已在后台启动，退出后会自动重启；网页地址 http://$(HOST):$(PORT)/"
	@trap 'kill 0' EXIT INT TERM; \
	 $(BIN)/chuangxian run_worker --interval 1 & \
	 $(BIN)/chuangxian runserver $(HOST):$(PORT)

# The background worker, supervised: restarted when it dies, with the heartbeat the staff pages read.
worker: $(VENV)/.installed
	$(BIN)/chuangxian run_worker

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint chuangxian
	CHUANGXIAN_DATA_DIR=$$(mktemp -d) $(BIN)/chuangxian makemigrations --check --dry-run

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy chuangxian

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4

# The same suite on PostgreSQL (CI: 127.0.0.1:5432, database test, user postgres, trust auth).
test-postgres: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m tests.require_postgres
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4

# Regenerates the English catalog (needs GNU gettext: apt-get install gettext).
messages: $(VENV)/.installed-dev
	cd chuangxian && ../$(BIN)/chuangxian makemessages -l en --no-obsolete -i "*/migrations/*" && ../$(BIN)/chuangxian compilemessages -l en

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.roster_import
	$(BIN)/python -m bench.listing

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
