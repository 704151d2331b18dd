from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertqaConfig(AppConfig):
    name = "expertqa"
    verbose_name = _("Expert sessions")

    def ready(self) -> None:
        from socialearn import fastpaths

        from . import (
            access,  # noqa: F401  who sees a session's figures
            audiences,  # noqa: F401  registers the session audience for fan-out
            evidence,  # noqa: F401  registers session answers as evidence of expertise
            hubs,  # noqa: F401  registers sessions on topic hubs
            search,  # noqa: F401  registers sessions and answers with the one search
        )
        from .live import fast

        # The live poll's "nothing changed", answered before the middleware.
        fastpaths.register("expertqa:live_changes", fast.unchanged)
