from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class PeopleConfig(AppConfig):
    name = "socialearn.people"
    label = "people"

    def ready(self) -> None:
        from . import search  # noqa: F401  the one search's registry, with people and topics
        from .permissions import staff_groups_sync

        # Permissions rows are made after migrate; grant the staff groups theirs then.
        post_migrate.connect(staff_groups_sync, dispatch_uid="people.staff_groups_sync")
        self._watch_social_apps()

    @staticmethod
    def _watch_social_apps() -> None:
        """The identity providers' apps are kept per process (adapters.list_apps); allauth's
        admin saves them without a service of ours, so their writes start the new generation."""
        from allauth.socialaccount.models import SocialApp

        from .adapters import social_apps_changed

        uid = "people.social_apps_changed"
        post_save.connect(social_apps_changed, sender=SocialApp, dispatch_uid=uid)
        post_delete.connect(social_apps_changed, sender=SocialApp, dispatch_uid=uid)
        m2m_changed.connect(social_apps_changed, sender=SocialApp.sites.through, dispatch_uid=uid)
