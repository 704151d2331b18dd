"""Demo data: a course starting in a few days, with participants who introduced themselves,
pre-reading part-way read and a discussion prompt waiting to be opened.

Idempotent: the course is keyed by its title, so a second run adds nothing.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from challenges.models import FlowItem
from socialearn.people.permissions import LD_ADMIN

from . import services
from .models import Course

User = get_user_model()

COURSE_TITLE = "Running great retrospectives"
READINGS = [
    (FlowItem.Kind.RESOURCE, "The prime directive", "Why we assume good intent.", 0),
    (FlowItem.Kind.TIP, "Three formats to try", "Start, stop, continue; 4Ls; sailboat.", 2),
    (FlowItem.Kind.QUESTION, "Your worst retro", "What went wrong, and why?", 5),
]
PROMPTS = [
    ("What makes people speak up?", "Share one thing that helped your team be candid."),
    ("From insight to action", "How do you make sure actions get done?"),
]
INTROS = [
    "Hi! Scrum master in Payments, keen to make our retros less repetitive.",
    "Team lead in Data; our retros run long and we never finish the actions.",
    "Designer here. I facilitate our design crits and want to try retros too.",
]


def _admin():
    return (
        User.objects.filter(email__startswith="ld-admin@").first()
        or User.objects.filter(groups__name=LD_ADMIN).order_by("pk").first()
    )


def seed_demo(*, scale: int, stdout) -> None:
    admin = _admin()
    if admin is None:
        stdout.write("courses: no L&D admin yet, nothing seeded")
        return
    course = Course.objects.filter(title=COURSE_TITLE).first()
    if course is None:
        today = timezone.localdate()
        course = services.course_create(
            created_by=admin,
            title=COURSE_TITLE,
            description=(
                "A two-day workshop on running retrospectives people look forward to. "
                "Introduce yourself and do the short pre-reading before we meet."
            ),
            starts_on=today + timedelta(days=3),
            ends_on=today + timedelta(days=4),
            location="London office, room 4.02",
            online_url="https://meet.example.org/retros",
            capacity=20,
            enrolment=Course.Enrolment.SELF,
            prereading_opens_days=7,
        )
        for kind, title, body, day in READINGS:
            services.course_reading_add(
                course=course,
                added_by=admin,
                kind=kind,
                title=title,
                body=body,
                url="https://example.org/retros" if kind == FlowItem.Kind.RESOURCE else "",
                day=day,
            )
        for title, body in PROMPTS:
            services.prompt_add(course=course, added_by=admin, title=title, body=body)
        demo = User.objects.filter(email__startswith="demo@").first()
        others = list(
            User.objects.filter(is_active=True, profile__isnull=False)
            .exclude(pk__in=[admin.pk, getattr(demo, "pk", 0)])
            .exclude(email__startswith="coordinator@")
            .order_by("pk")[:6]
        )
        people = ([demo] if demo else []) + others
        for user in people:
            services.course_enrol(course=course, user=user)
        readings = list(course.prereading.items.order_by("day_offset", "position"))
        intros = []
        for n, user in enumerate(others[: len(INTROS)]):
            intros.append(services.course_introduce(course=course, user=user, body=INTROS[n]))
            for item in readings[: min(n + 1, 2)]:
                services.reading_mark(item=item, user=user)
        if intros:
            services.guide_spotlight(
                sent_by=admin,
                reply=intros[0],
                text="Clear about what you hope to change: a good example for everyone.",
                course=course,
            )
    stdout.write(f"courses: “{course.title}” with {course.enrolments.count()} participants")
