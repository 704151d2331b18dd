from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NudgesConfig(AppConfig):
    name = "socialearn.nudges"
    label = "nudges"

    def ready(self) -> None:
        from . import handlers  # noqa: F401  registers the delivery outbox handler

        # Each feature registers its rules in its own nudges.py; the core imports none.
        autodiscover_modules("nudges")
