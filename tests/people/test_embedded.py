"""The development services wrapper behind `make run`, `make test` and `make bench`."""

import subprocess
from contextlib import contextmanager

import pytest

from socialearn import embedded


def test_bench_uses_another_database_on_the_same_server():
    url = "postgres://postgres@/socialearn?host=/work/var/pg"
    assert embedded.database_with_name(url, "socialearn_bench") == (
        "postgres://postgres@/socialearn_bench?host=/work/var/pg"
    )


@pytest.fixture
def fake_services(monkeypatch):
    @contextmanager
    def services(database=embedded.DB_NAME):
        yield {"DJANGO_SETTINGS_MODULE": "socialearn.settings.dev"}

    monkeypatch.setattr(embedded, "services", services)
    monkeypatch.setattr(embedded, "_stop_on_signals", lambda: None)


@pytest.mark.parametrize(("pytest_code", "expected"), [(0, 0), (1, 1), (5, 1)])
def test_make_test_passes_pytest_exit_code_through_except_nothing_collected(
    monkeypatch, fake_services, pytest_code, expected
):
    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs["env"]))
        return subprocess.CompletedProcess(args, pytest_code)

    monkeypatch.setattr(embedded.subprocess, "run", run)
    assert embedded.main(["test", "--", "tests/people", "-x"]) == expected
    (args, env) = calls[0]
    assert args[-2:] == ["tests/people", "-x"]
    assert env["DJANGO_SETTINGS_MODULE"] == "socialearn.settings.test"
