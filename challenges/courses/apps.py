from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Courses are guided learning beside challenges and flows (hence inside `challenges`),
    with tables of their own under the label they were made with."""

    name = "challenges.courses"
    label = "courses"
    verbose_name = _("Courses")
