"""Production settings with the reference pages of tests/perf/minimal_urls.py."""

from socialearn.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.perf.minimal_urls"
