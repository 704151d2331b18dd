from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "socialearn.people"
    label = "people"

    def ready(self) -> None:
        from . import search  # noqa: F401  the one search's registry, with people and topics
        from .permissions import staff_groups_sync

        # Permissions rows are made after migrate; grant the staff groups theirs then.
        post_migrate.connect(staff_groups_sync, dispatch_uid="people.staff_groups_sync")
