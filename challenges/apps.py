from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"

    def ready(self) -> None:
        from communities import hooks

        from . import (
            audiences,  # noqa: F401  registers "challenge_participants"
            hubs,  # noqa: F401  registers challenges on topic hubs
            search,  # noqa: F401  registers challenges with the one search
        )
        from .services import on_reply_created

        if on_reply_created not in hooks.reply_created:
            hooks.reply_created.append(on_reply_created)
