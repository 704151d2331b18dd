"""The WSGI application as a server loads it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc
import socialearn.wsgi
print(gc.get_freeze_count())
print(sum(len(gc.get_objects(generation)) for generation in range(3)))
"""


def test_the_loaded_application_is_kept_out_of_the_collectors_walks():
    """Everything loaded with the application (settings, apps, models, views, URLs) is frozen:
    a full collection walked all of it again, 0.1-0.2 s for the request that met it."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialearn.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    probe = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    frozen, tracked = (int(line) for line in probe.stdout.split())
    assert frozen > 50_000
    assert tracked < frozen / 20
