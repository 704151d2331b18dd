from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Courses are guided learning beside challenges and flows (hence inside `challenges`),
    with tables of their own under the label they were made with."""

    name = "challenges.courses"
    label = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from communities import hooks

        from .selectors import thread_spotlights, thread_spotlit

        # The learning guide's spotlights show pinned inside their threads.
        if thread_spotlights not in hooks.thread_spotlights:
            hooks.thread_spotlights.append(thread_spotlights)
        hooks.thread_spotlit[thread_spotlights] = thread_spotlit
