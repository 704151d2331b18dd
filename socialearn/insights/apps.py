from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "socialearn.insights"
    label = "insights"

    def ready(self) -> None:
        from . import handlers  # noqa: F401  registers the xAPI statements outbox handler
