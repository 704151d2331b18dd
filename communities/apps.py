from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self) -> None:
        from socialearn.insights import access

        from . import (
            audiences,  # noqa: F401  registers the fan-out audiences
            evidence,  # noqa: F401  registers answers and tips as evidence of expertise
            first_run,  # noqa: F401  registers the communities step of the first-run setup
            hubs,  # noqa: F401  registers questions, tips, communities on topic hubs
            search,  # noqa: F401  registers communities, threads, tips with search
        )
        from .channels import (
            admin as channels_admin,  # noqa: F401  the channels' admin (no URL shown)
        )
        from .channels import (
            handlers as channel_handlers,  # noqa: F401  registers the channel outbox handler
        )
        from .permissions import manages_community

        # A community's managers may see its figures.
        access.register("community")(manages_community)
