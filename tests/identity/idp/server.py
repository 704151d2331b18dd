"""Start and stop the test identity provider: its database, keys, one client, gunicorn."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "socialearn"
CLIENT_SECRET = "socialearn-secret-for-tests"


@dataclass
class Provider:
    url: str  # the issuer: http://127.0.0.1:<port>/openid
    people_file: Path
    env: dict

    def people(self, people: dict) -> None:
        self.people_file.write_text(json.dumps(people))

    def add_person(self, username: str, password: str) -> None:
        self._django(
            "from django.contrib.auth.models import User\n"
            f"user, _ = User.objects.get_or_create(username={username!r})\n"
            f"user.set_password({password!r})\n"
            "user.save()\n"
        )

    def _django(self, code: str) -> None:
        script = "import django\ndjango.setup()\n" + code
        subprocess.run([sys.executable, "-c", script], env=self.env, check=True, cwd=ROOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin_url(database_url: str) -> tuple[str, str]:
    parsed = urlparse(database_url)
    name = f"{parsed.path.lstrip('/')}_idp"
    return urlunparse(parsed._replace(path="/postgres")), urlunparse(
        parsed._replace(path=f"/{name}")
    )


def start(database_url: str, redirect_uri: str, workdir: Path):
    """A running provider with a client whose redirect URI is the site's callback."""
    admin, idp_database = _admin_url(database_url)
    name = urlparse(idp_database).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    people_file = workdir / "people.json"
    people_file.write_text("{}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.identity.idp.settings",
        "IDP_DATABASE_URL": idp_database,
        "IDP_SITE_URL": f"http://127.0.0.1:{port}",
        "IDP_PEOPLE": str(people_file),
        "PYTHONPATH": str(ROOT),
    }
    provider = Provider(url=f"http://127.0.0.1:{port}/openid", people_file=people_file, env=env)
    manage = [sys.executable, "-m", "django"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "creatersakey"], env=env, check=True, cwd=ROOT, capture_output=True)
    provider._django(
        "from oidc_provider.models import Client, ResponseType\n"
        "client = Client.objects.create(name='socialearn', client_type='confidential',\n"
        f"    client_id={CLIENT_ID!r}, client_secret={CLIENT_SECRET!r},\n"
        f"    redirect_uris=[{redirect_uri!r}], require_consent=False, jwt_alg='RS256',\n"
        "    _scope='openid profile email organisation')\n"
        "client.response_types.add(ResponseType.objects.get(value='code'))\n"
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.identity.idp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{provider.url}/.well-known/openid-configuration", timeout=2)  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the test identity provider did not start") from None
            time.sleep(0.2)

    def stop() -> None:
        server.terminate()
        server.wait(timeout=10)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return provider, stop
