from django.apps import AppConfig


class SocialearnConfig(AppConfig):
    name = "socialearn"
    verbose_name = "socialearn"

    def ready(self) -> None:
        from . import prepared, translations
        from .waiting import connect_signals

        connect_signals()
        prepared.connect_signals()
        translations.install()
