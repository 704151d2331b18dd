"""The development services wrapper behind `make run`, `make test` and `make bench`."""

import os
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


def test_make_run_collects_static_files_only_when_they_or_the_install_changed(
    tmp_path, monkeypatch
):
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "site.css").write_text("body {}")
    (tmp_path / "site-packages").mkdir()
    (tmp_path / "var" / "staticfiles").mkdir(parents=True)
    manifest = tmp_path / "var" / "staticfiles" / "staticfiles.json"
    monkeypatch.setattr(embedded, "ROOT", tmp_path)
    monkeypatch.setattr(embedded, "STATIC_ROOT", tmp_path / "var" / "staticfiles")
    monkeypatch.setattr(
        embedded.sysconfig, "get_paths", lambda: {"purelib": str(tmp_path / "site-packages")}
    )

    def at(path, seconds):
        os.utime(path, (seconds, seconds))

    for path in (tmp_path / "static", tmp_path / "static" / "css", tmp_path / "site-packages"):
        at(path, 1000)
    at(tmp_path / "static" / "css" / "site.css", 1000)
    assert not embedded._static_collected()  # never collected
    manifest.write_text("{}")
    at(manifest, 2000)
    assert embedded._static_collected()
    at(tmp_path / "static" / "css" / "site.css", 3000)  # a stylesheet edited
    assert not embedded._static_collected()
    at(manifest, 4000)
    at(tmp_path / "site-packages", 5000)  # pip installed or removed a package
    assert not embedded._static_collected()
