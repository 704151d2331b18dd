# socialearn. `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
SERVICES := $(PY) -m socialearn.embedded

.PHONY: run test bench faults soak lint format install messages migrate seed services-stop clean

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed messages

# The compiled catalogues (locale/*/LC_MESSAGES/*.mo) are built from the .po files, never
# committed: three people can change a .po in one week, nobody can merge a .mo. msgfmt is
# GNU gettext's (apt-get install gettext); --check refuses a translation whose placeholders
# differ from its English.
messages:
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: apt-get install gettext"; exit 1; }
	@for po in locale/*/LC_MESSAGES/*.po; do \
		msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; \
	done

# Serve the site with a Celery worker and beat, on embedded PostgreSQL/Redis unless
# DATABASE_URL / REDIS_URL are set.
run: install
	$(SERVICES) run

test: install
	$(SERVICES) test -- $(PYTEST_ARGS)

bench: install
	$(SERVICES) bench

# The clock and the outbox under kill -9, Redis down and frozen, a PostgreSQL restart, two
# beats and an outage, on a PostgreSQL and a Redis of its own (never the machine's). A few
# minutes; not part of `make test`. Prints one table; fails when anything was lost.
faults: install
	$(PY) tests/faults/run.py

# Ten minutes of mixed traffic against gunicorn, a worker and beat on services of its own:
# errors, anything lost, and each process's memory at the start and the end.
soak: install
	$(PY) tests/faults/soak.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy socialearn/*/services.py socialearn/*/selectors.py mentoring/matching/ \
		communities/services communities/selectors mentoring/services.py \
		mentoring/selectors.py expertqa/services expertqa/selectors.py \
		mentoring/relationship/services.py mentoring/relationship/selectors.py \
		mentoring/relationship/ics.py mentoring/buddies.py \
		challenges/services challenges/selectors.py challenges/clock.py challenges/streaks.py \
		challenges/courses/services challenges/courses/selectors.py challenges/courses/permissions.py \
		socialearn/people/permissions.py communities/permissions.py challenges/permissions.py \
		mentoring/permissions.py expertqa/permissions.py \
		socialearn/people/search.py communities/search.py expertqa/search.py challenges/search.py \
		communities/channels/services.py communities/channels/selectors.py \
		communities/channels/handlers.py communities/channels/crypto.py \
		socialearn/notifications/mail.py expertqa/channels.py \
		socialearn/waiting.py communities/waiting.py communities/language.py expertqa/waiting.py \
		mentoring/waiting.py \
		socialearn/calendar.py expertqa/calendar.py challenges/calendar.py \
		expertqa/networks/selectors.py \
		challenges/waiting.py communities/flagging.py communities/confirmations.py \
		socialearn/people/identity/records.py socialearn/people/identity/hr_import.py \
		socialearn/people/identity/claims.py socialearn/people/identity/scim_auth.py \
		socialearn/nudges/registry.py socialearn/insights/nudges.py socialearn/people/nudges.py \
		communities/nudges.py mentoring/nudges.py expertqa/nudges.py challenges/nudges.py \
		socialearn/admin_paging.py \
		expertqa/live/services.py expertqa/live/selectors.py expertqa/live/channel.py \
		expertqa/live/permissions.py socialearn/fastpaths.py \
		socialearn/people/evidence.py socialearn/people/hubs.py socialearn/people/photos.py \
		socialearn/people/first_run.py communities/evidence.py expertqa/evidence.py \
		mentoring/evidence.py communities/hubs.py expertqa/hubs.py challenges/hubs.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

services-stop: install
	$(SERVICES) stop

clean:
	rm -rf var/staticfiles
