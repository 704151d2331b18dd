from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self) -> None:
        from socialearn.insights import access

        from . import (
            audiences,  # noqa: F401 - registers the named audiences
            evidence,  # noqa: F401 - registers mentoring given as evidence of expertise
        )
        from .relationship import handlers  # noqa: F401 - registers the outbox handlers

        @access.register("programme")
        def programme_coordinator(user, object_id: int) -> bool:
            from .models import Programme

            return Programme.objects.filter(pk=object_id, coordinators=user).exists()
