# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONUNBUFFERED := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test setup system-packages lint migrations-check docs attack

# Re-installs only when requirements.txt changed since the last install.
$(VENV)/.installed: requirements.txt
	@test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

system-packages:
	@bash scripts/install-system-packages.sh

setup: $(VENV)/.installed system-packages

run: export DJANGO_DEBUG := 1
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --if-empty
	@# No model training here: the worker builds the embedded sentiment model in the background.
	$(PY) manage.py ensure_local_admin
	@echo "Creatorscope on http://127.0.0.1:8000 (admin at /admin/, user admin / password admin — local use only)."
	$(VENV)/bin/honcho start -f Procfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

# The documentation site (mkdocs-material) into site/. --strict: a broken link or nav entry fails,
# and the configuration reference is generated from config/settings.py on every build.
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

test: setup lint migrations-check docs
	$(PY) -m pytest

# The attack suite (docs/security.md): the production-style stack on loopback (gunicorn, uvicorn, a
# Celery worker, PostgreSQL, a private redis-server), the access matrix over HTTP and the websocket,
# schemathesis per role, stored-XSS in Chromium, export escaping, and the faults (Redis stopped,
# PostgreSQL connections terminated, a worker killed with kill -9). One table; exit 1 on any finding.
attack: setup
	$(PY) scripts/attack.py
