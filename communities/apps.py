from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self) -> None:
        from . import audiences  # noqa: F401  registers the fan-out audiences
