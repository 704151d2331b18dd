from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "socialearn.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import handlers  # noqa: F401  registers the fan-out and email outbox handlers
