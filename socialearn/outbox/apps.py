from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "socialearn.outbox"
    label = "outbox"
    verbose_name = "outbox"
