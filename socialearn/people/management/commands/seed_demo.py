"""A believable organisation to try the product on, or to benchmark it with --scale.

Idempotent: people are keyed by email and every insert ignores rows that already exist, so a
second run changes nothing. Set-based: users, profiles, topic links and follows are written
with bulk inserts in large batches, so tens of thousands of people take seconds, not hours.
"""

import importlib
import random
import time
import unicodedata
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from socialearn.notifications.models import Notification, TopicFollow
from socialearn.outbox.services import one_wake
from socialearn.people.bulk import copy_rows
from socialearn.people.models import Department, Location, Profile, Topic
from socialearn.people.permissions import COORDINATOR, LD_ADMIN, staff_groups_sync
from socialearn.people.services import profile_refresh_search

User = get_user_model()

DEMO_PASSWORD = "socialearn-demo"  # noqa: S105 - printed for the demo; never a real account
DEMO_DOMAIN = "socialearn.local"
FEATURE_DEMOS = ["communities", "mentoring", "expertqa", "challenges", "challenges.courses"]

# The offices, and how many people each holds relative to the others (London is the head
# office).
LOCATIONS = [
    ("London", "Europe/London", 4),
    ("New York", "America/New_York", 3),
    ("Austin", "America/Chicago", 2),
    ("Sydney", "Australia/Sydney", 2),
]

# department -> (weight, job titles, the topics its people tend to know)
DEPARTMENTS = {
    "Engineering": (
        5,
        [
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
            "QA Engineer",
            "Site Reliability Engineer",
            "Data Engineer",
        ],
        [
            "Python",
            "Cloud architecture",
            "Kubernetes",
            "Security awareness",
            "Data analysis",
            "Machine learning",
            "Accessibility",
            "Agile delivery",
        ],
    ),
    "Product & Design": (
        2,
        ["Product Manager", "Product Designer", "UX Researcher", "Content Designer"],
        [
            "Product discovery",
            "User research",
            "Accessibility",
            "Agile delivery",
            "Data analysis",
            "Writing for the web",
        ],
    ),
    "Sales": (
        3,
        [
            "Account Executive",
            "Sales Development Representative",
            "Solutions Consultant",
            "Key Account Manager",
        ],
        [
            "Negotiation",
            "Consultative selling",
            "Presentation skills",
            "Customer empathy",
            "Public speaking",
        ],
    ),
    "Customer Success": (
        3,
        [
            "Customer Success Manager",
            "Support Specialist",
            "Implementation Consultant",
            "Technical Account Manager",
        ],
        [
            "Customer empathy",
            "Coaching",
            "Presentation skills",
            "Project management",
            "Conflict resolution",
        ],
    ),
    "Marketing": (
        2,
        ["Marketing Manager", "Content Strategist", "Brand Designer", "Growth Analyst"],
        [
            "Storytelling",
            "Writing for the web",
            "Data analysis",
            "Public speaking",
            "Product discovery",
        ],
    ),
    "Finance": (
        1,
        ["Financial Analyst", "Accountant", "Payroll Specialist", "FP&A Manager"],
        ["Financial planning", "Excel modelling", "Data analysis", "Compliance"],
    ),
    "People & Culture": (
        1,
        [
            "HR Business Partner",
            "Talent Acquisition Partner",
            "L&D Specialist",
            "Learning Experience Designer",
        ],
        [
            "Coaching",
            "Facilitation",
            "Giving feedback",
            "Diversity and inclusion",
            "Leadership",
            "Conflict resolution",
        ],
    ),
    "Operations": (
        2,
        [
            "Operations Analyst",
            "Programme Manager",
            "Procurement Specialist",
            "Workplace Coordinator",
        ],
        [
            "Project management",
            "Lean and continuous improvement",
            "Compliance",
            "Negotiation",
            "Excel modelling",
        ],
    ),
}
MANAGER_TITLES = {
    "Engineering": "Engineering Manager",
    "Product & Design": "Head of Product",
    "Sales": "Sales Manager",
    "Customer Success": "Customer Success Lead",
    "Marketing": "Head of Marketing",
    "Finance": "Finance Manager",
    "People & Culture": "People Partner Lead",
    "Operations": "Operations Manager",
}
GENERAL_TOPICS = [
    "Leadership",
    "Giving feedback",
    "Time management",
    "Public speaking",
    "Mentoring",
    "Wellbeing at work",
    "Remote collaboration",
    "Onboarding",
]
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elena",
    "Farah",
    "George",
    "Hana",
    "Ibrahim",
    "Jia",
    "Kofi",
    "Laura",
    "Mateo",
    "Nadia",
    "Oliver",
    "Priya",
    "Quentin",
    "Rosa",
    "Sanjay",
    "Tomoko",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Bruno",
    "Camille",
    "Daniel",
    "Esther",
    "Felix",
    "Grace",
    "Hugo",
    "Imogen",
    "Jonas",
    "Keiko",
    "Leon",
    "Maya",
    "Noah",
    "Olivia",
    "Pablo",
    "Ruth",
    "Samuel",
    "Tara",
    "Ugo",
    "Vera",
    "William",
    "Yara",
    "Zain",
]
LAST_NAMES = [
    "Okafor",
    "Martin",
    "Dubois",
    "Ivanov",
    "Rossi",
    "Haddad",
    "Smith",
    "Tanaka",
    "Khan",
    "Li",
    "Mensah",
    "Schmidt",
    "García",
    "Petrova",
    "Brown",
    "Patel",
    "Lefèvre",
    "Silva",
    "Gupta",
    "Sato",
    "Nair",
    "Novak",
    "Wang",
    "López",
    "Demir",
    "Campbell",
    "Bello",
    "Costa",
    "Moreau",
    "Fischer",
    "Cohen",
    "Weber",
    "O'Brien",
    "Bernard",
    "Evans",
    "Nilsson",
    "Kim",
    "Müller",
    "Reyes",
    "Johansson",
    "Murphy",
    "Santos",
    "Friedman",
    "Adeyemi",
    "Taylor",
    "Ahmed",
    "Jensen",
    "Walker",
    "Yilmaz",
    "Chen",
]
BIOS = [
    "Happy to pair on anything {topic}. Ask me over coffee or in the community.",
    "I moved into this role recently and love learning from colleagues across the business.",
    "Ten years in the trade; these days I mostly help people get unstuck with {topic}.",
    "Curious about {topic} and always keen to swap notes with other teams.",
    "I run our internal brown-bag sessions on {topic}. Suggestions welcome!",
]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace("'", "")


def _weighted_departments(rng: random.Random, names: list[str]) -> list[str]:
    return [name for name in names for _ in range(DEPARTMENTS[name][0])]


# Organisations of a bench's size are analysed at the end of their seed; a demo's few hundred
# rows are planned well enough without statistics, and its tests count queries as they are.
ANALYSED_FROM = 10_000


def analyse_what_was_written() -> None:
    """Planner statistics for every table, as autovacuum would give them within a minute.

    A server that runs without autovacuum, or a benchmark started the minute after the
    seed, would otherwise plan against tables never analysed: the large organisation's
    211 communities, estimated at 2, sent a common word's search through a nested loop
    that took 2 s where it takes 15 ms."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Seed a believable demo organisation (idempotent). --scale N for N people."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=300, help="number of people")
        parser.add_argument(
            "--people-only", action="store_true", help="skip the feature apps' demo data"
        )

    def handle(self, *args, scale: int, people_only: bool, **options):
        started = time.monotonic()
        rng = random.Random(2024)  # the same organisation every time
        today = timezone.localdate()
        staff_groups_sync()
        password = make_password(DEMO_PASSWORD)  # one hash for everyone: hashing is slow
        with transaction.atomic():
            topics = self._topics()
            departments = {
                d.name: d
                for d in (Department.objects.get_or_create(name=n)[0] for n in DEPARTMENTS)
            }
            locations = [
                Location.objects.update_or_create(name=n, defaults={"time_zone": tz})[0]
                for n, tz, _ in LOCATIONS
            ]
            created = self._people(scale, rng, today, password, topics, departments, locations)
            self._demo_accounts(password, topics, departments, locations, today)
            # The demo organisation's people are set up: signing in goes home, not to the
            # first-run setup (that is for accounts created on the site).
            Profile.objects.filter(onboarded_at__isnull=True).update(onboarded_at=timezone.now())
        self.stdout.write(
            f"People: {Profile.objects.count()} profiles ({created} new), "
            f"{Topic.objects.count()} topics, {TopicFollow.objects.count()} topic follows "
            f"in {time.monotonic() - started:.1f}s"
        )
        if not people_only:
            # Each thread, reply and enrolment the demos write commits an outbox message;
            # the relay is woken once at the end rather than after each of those hundreds of
            # commits (a worker started later would otherwise run it hundreds of times).
            with one_wake():
                self._feature_demos(scale)
        if scale >= ANALYSED_FROM:
            analyse_what_was_written()
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for email, role in (
            (f"demo@{DEMO_DOMAIN}", "employee"),
            (f"ld-admin@{DEMO_DOMAIN}", "L&D admin, Django admin at /admin/"),
            (f"coordinator@{DEMO_DOMAIN}", "mentoring coordinator, Django admin at /admin/"),
        ):
            self.stdout.write(f"  {email:32} {role}")

    def _feature_demos(self, scale: int) -> None:
        for app in FEATURE_DEMOS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name not in (app, f"{app}.demo"):
                    raise
                continue
            app_started = time.monotonic()
            module.seed_demo(scale=scale, stdout=self.stdout)
            self.stdout.write(f"{app}: seeded in {time.monotonic() - app_started:.1f}s")

    def _topics(self) -> list[Topic]:
        names = sorted({t for _, _, ts in DEPARTMENTS.values() for t in ts} | set(GENERAL_TOPICS))
        Topic.objects.bulk_create(
            [Topic(name=n, slug=slugify(n)) for n in names],
            ignore_conflicts=True,
        )
        return list(Topic.objects.filter(name__in=names).order_by("name"))

    def _people(self, scale, rng, today, password, topics, departments, locations) -> int:
        by_name = {t.name: t for t in topics}
        dept_names = list(DEPARTMENTS)
        weighted = _weighted_departments(rng, dept_names)
        plan = []
        for i in range(scale):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            dept = dept_names[i] if i < len(dept_names) else rng.choice(weighted)
            email = _ascii(f"{first}.{last}.{i}@{DEMO_DOMAIN}")
            plan.append((first, last, dept, email))
        now = timezone.now()
        copy_rows(
            User._meta.db_table,
            [
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (password, False, email, first, last, email, False, True, now)
                for first, last, _, email in plan
            ),
        )
        emails = [p[3] for p in plan]
        ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
        have_profile = set(
            Profile.objects.filter(user_id__in=ids.values()).values_list("user_id", flat=True)
        )

        # One manager per ~8 people in each department; the first of each is the head.
        managers: dict[str, list[int]] = {d: [] for d in dept_names}
        profiles, expertise, interests, follows = [], [], [], set()
        for first, last, dept, email in plan:
            user_id = ids[email]
            _, titles, dept_topics = DEPARTMENTS[dept]
            is_manager = not managers[dept] or rng.random() < 0.12
            head = managers[dept][0] if managers[dept] else None
            manager_id = head if is_manager else rng.choice(managers[dept])
            if is_manager:
                managers[dept].append(user_id)
            location = rng.choices(locations, weights=[w for _, _, w in LOCATIONS])[0]
            newcomer = rng.random() < 0.06
            if newcomer:
                company = today - timedelta(days=rng.randint(1, 29))
                role = company
            else:
                company = today - timedelta(days=rng.randint(60, 365 * 15))
                role = company + timedelta(days=rng.randint(0, (today - company).days))
            known = rng.sample(dept_topics, k=min(len(dept_topics), rng.randint(1, 3)))
            if rng.random() < 0.3:
                known.append(rng.choice(GENERAL_TOPICS))
            wanted = rng.sample([t for t in by_name if t not in known], k=rng.randint(1, 3))
            title = MANAGER_TITLES[dept] if is_manager else rng.choice(titles)
            if not is_manager and rng.random() < 0.2 and not newcomer:
                title = f"Senior {title}" if not title.startswith(("Senior", "Staff")) else title
            bio = rng.choice(BIOS).format(topic=known[0].lower())
            email_preference = "immediate" if rng.random() < 0.7 else "none"
            if user_id in have_profile:
                continue  # after drawing its random numbers, so later people stay the same
            profiles.append(
                (
                    user_id,
                    f"{first} {last}",
                    title,
                    departments[dept].pk,
                    location.pk,
                    manager_id,
                    is_manager,
                    company,
                    role,
                    bio,
                    "",
                    email_preference,
                    "none",
                )
            )
            expertise.extend((user_id, by_name[t].pk) for t in known)
            interests.extend((user_id, by_name[t].pk) for t in wanted)
            follows.update((user_id, by_name[t].pk) for t in wanted + known[:1])
        copy_rows(
            Profile._meta.db_table,
            [
                "user_id",
                "display_name",
                "job_title",
                "department_id",
                "location_id",
                "manager_id",
                "is_people_manager",
                "started_company_on",
                "started_role_on",
                "bio",
                "time_zone",
                "email_preference",
                "digest_frequency",
            ],
            profiles,
        )
        profile_ids = dict(
            Profile.objects.filter(user_id__in=[p[0] for p in profiles]).values_list(
                "user_id", "id"
            )
        )
        for field, links in (("expertise", expertise), ("interests", interests)):
            copy_rows(
                getattr(Profile, field).through._meta.db_table,
                ["profile_id", "topic_id"],
                ((profile_ids[u], t) for u, t in links),
            )
        copy_rows(
            TopicFollow._meta.db_table,
            ["user_id", "topic_id", "created_at"],
            ((u, t, now) for u, t in sorted(follows)),
        )
        if profile_ids:
            profile_refresh_search(profile_ids=list(profile_ids.values()))
        return len(profiles)

    def _demo_accounts(self, password, topics, departments, locations, today) -> None:
        from django.contrib.auth.models import Group

        accounts = [
            ("demo", "Dana Demo", "Product Designer", "Product & Design", 0, None, []),
            (
                "ld-admin",
                "Lee Learning",
                "Head of Learning & Development",
                "People & Culture",
                0,
                LD_ADMIN,
                ["Coaching", "Facilitation", "Leadership"],
            ),
            (
                "coordinator",
                "Cora Coordinator",
                "Mentoring Programme Coordinator",
                "People & Culture",
                1,
                COORDINATOR,
                ["Mentoring", "Coaching"],
            ),
        ]
        by_name = {t.name: t for t in topics}
        refresh = []
        for local, name, title, dept, loc, group, known in accounts:
            email = f"{local}@{DEMO_DOMAIN}"
            first, last = name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=email,
                defaults={
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "password": password,
                    "is_staff": group is not None,
                },
            )
            if group:
                user.groups.add(Group.objects.get(name=group))
            profile, made = Profile.objects.get_or_create(
                user=user,
                defaults={
                    "display_name": name,
                    "job_title": title,
                    "department": departments[dept],
                    "location": locations[loc],
                    "started_company_on": today - timedelta(days=900),
                    "started_role_on": today - timedelta(days=400),
                    "bio": "A demo account: look around, post, follow topics.",
                },
            )
            if made:
                profile.expertise.set([by_name[t] for t in known])
                profile.interests.set([by_name["Public speaking"], by_name["Data analysis"]])
                TopicFollow.objects.bulk_create(
                    [TopicFollow(user=user, topic=by_name[t]) for t in ("Public speaking",)],
                    ignore_conflicts=True,
                )
                refresh.append(profile.pk)
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient=user,
                        kind="welcome",
                        title="Welcome to socialearn",
                        body="Follow a few topics to hear about questions you can help with.",
                        url="/people/topics/",
                        dedupe_key="demo:welcome",
                        created_at=timezone.now(),
                    )
                ],
                ignore_conflicts=True,
            )
        if refresh:
            profile_refresh_search(profile_ids=refresh)
