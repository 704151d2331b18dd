from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self) -> None:
        from . import audiences  # noqa: F401 - registers the named audiences
