import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from socialearn.insights import access
from socialearn.insights.figures import Period
from socialearn.insights.models import Scope
from socialearn.insights.services import activity_record, scope_upsert
from socialearn.insights.tasks import refresh_running_period
from tests.factories import TopicFactory
from tests.notifications.test_outbox import broker_unreachable

from .conftest import person

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("insights:overview")
# Session, user, profile, inbox count, access check, savepoint, tuning, then one per figure.
OVERVIEW_QUERIES = 16
SCOPE_QUERIES = 15


def community_url(object_id: int, **params) -> str:
    url = reverse("insights:scope", args=["communities", object_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def manager_of_one(monkeypatch):
    """mo manages community 1 (the feature registers such a check; here, a stand-in)."""
    mo = person("mo")
    monkeypatch.setitem(
        access._checks, "community", lambda user, object_id: user.pk == mo.pk and object_id == 1
    )
    return mo


def seed(communities: int, people: int, events_per_person: int) -> None:
    """Communities with members, threads, answers, reactions, enrolments and steps."""
    now = timezone.now()
    topic = TopicFactory(name="Data")
    users = [person(f"p{i}") for i in range(people)]
    for c in range(1, communities + 1):
        scope_upsert(kind="community", object_id=c, name=f"Community {c}", is_private=c % 5 == 0)
        scope_upsert(kind="programme", object_id=c, name=f"Programme {c}")
        scope_upsert(kind="session", object_id=c, name=f"Session {c}")
        scope_upsert(kind="challenge", object_id=c, name=f"Challenge {c}")
    for i, user in enumerate(users):
        c = i % communities + 1
        activity_record(
            verb="joined", actor=user, community_id=c, occurred_at=now - timedelta(days=60)
        )
        for e in range(events_per_person):
            when = now - timedelta(days=e % 40, hours=i % 7)
            thread = 1000 * c + e
            activity_record(
                verb="posted",
                actor=user,
                community_id=c,
                thread_id=thread,
                topic_ids=[topic.pk],
                is_question=True,
                occurred_at=when,
                extra={"title": f"Thread {thread}"},
            )
            other = users[(i + 1) % len(users)]
            activity_record(
                verb="replied",
                actor=other,
                community_id=c,
                thread_id=thread,
                is_question=True,
                target_user=user,
                occurred_at=when + timedelta(hours=1),
            )
        activity_record(verb="mentor_enrolled", actor=user, programme_id=c, topic_ids=[topic.pk])
        activity_record(verb="challenge_joined", actor=user, challenge_id=c)
        activity_record(
            verb="step_completed",
            actor=user,
            challenge_id=c,
            object_id=1,
            extra={"step_index": 1, "step_title": "First"},
        )
        activity_record(verb="session_question_asked", actor=user, session_id=c, object_id=i)


def test_overview_is_for_lnd_admins_only(client):
    client.force_login(person("someone"))
    response = client.get(OVERVIEW)
    assert response.status_code == 403
    assert b"for L&amp;D admins" in response.content


def test_overview_needs_sign_in(client):
    assert client.get(OVERVIEW).status_code == 302


def test_overview_shows_the_organisation_figures_tables_and_charts(client, lnd_admin):
    seed(communities=3, people=6, events_per_person=2)
    client.force_login(lnd_admin)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Threads and replies per week",
        "Participation personas",
        "Communities",
        "Community 1",
        "Mentoring programmes",
        "Expert sessions",
        "Challenges",
        "Mentoring supply and demand",
        '<svg viewBox="0 0 560 260" role="img"',
        '<title id="weekly-title">',
    ):
        assert text in html, text


def test_private_threads_never_trend_on_the_overview(client, lnd_admin):
    ann = person("ann")
    scope_upsert(kind="community", object_id=1, name="Open")
    scope_upsert(kind="community", object_id=2, name="Closed", is_private=True)
    for c, title in ((1, "Open question"), (2, "Closed question")):
        activity_record(
            verb="posted", actor=ann, community_id=c, thread_id=c, extra={"title": title}
        )
        activity_record(verb="replied", actor=ann, community_id=c, thread_id=c)
    client.force_login(lnd_admin)
    html = client.get(OVERVIEW).content.decode()
    assert "Open question" in html
    assert "Closed question" not in html
    exported = client.get(reverse("insights:export", args=["trending-threads"])).content.decode()
    assert "Open question" in exported
    assert "Closed question" not in exported


@pytest.mark.parametrize("size", [(2, 4, 1), (40, 60, 3)])
def test_overview_runs_a_fixed_number_of_queries(
    client, lnd_admin, django_assert_max_num_queries, size
):
    seed(*size)
    client.force_login(lnd_admin)
    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        response = client.get(OVERVIEW + "?period=90")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [(2, 4, 1), (40, 60, 3)])
def test_scope_pages_run_a_fixed_number_of_queries(
    client, lnd_admin, django_assert_max_num_queries, size
):
    seed(*size)
    client.force_login(lnd_admin)
    for plural in ("communities", "programmes", "sessions", "challenges"):
        with django_assert_max_num_queries(SCOPE_QUERIES):
            response = client.get(reverse("insights:scope", args=[plural, 1]))
        assert response.status_code == 200, plural


def test_a_manager_sees_their_own_community_and_no_other(client, manager_of_one):
    scope_upsert(kind="community", object_id=1, name="Mine")
    scope_upsert(kind="community", object_id=2, name="Not mine", is_private=True)
    client.force_login(manager_of_one)
    response = client.get(community_url(1))
    assert response.status_code == 200
    assert "Mine" in response.content.decode()
    other = client.get(community_url(2))
    assert other.status_code == 404
    assert b"Not mine" not in other.content
    assert client.get(OVERVIEW).status_code == 403
    export = reverse("insights:scope_export", args=["communities", 2, "summary"])
    assert client.get(export).status_code == 404


def test_unknown_kinds_and_scopes_are_not_found(client, lnd_admin):
    client.force_login(lnd_admin)
    assert client.get(reverse("insights:scope", args=["teams", 1])).status_code == 404
    assert client.get(community_url(99)).status_code == 404


def test_the_period_picker_accepts_chosen_days_and_explains_mistakes(client, lnd_admin):
    scope_upsert(kind="community", object_id=1, name="Data")
    client.force_login(lnd_admin)
    ok = client.get(OVERVIEW + "?period=custom&start=2026-03-02&end=2026-03-15")
    assert "2 Mar 2026 – 15 Mar 2026" in ok.content.decode()
    backwards = client.get(OVERVIEW + "?period=custom&start=2026-03-15&end=2026-03-02")
    assert backwards.status_code == 200
    assert "The first day must come before the last day." in backwards.content.decode()
    assert "the last 30 days" in backwards.content.decode()
    missing = client.get(OVERVIEW + "?period=custom&start=2026-03-15")
    assert "Choose both the first and the last day." in missing.content.decode()
    nonsense = client.get(OVERVIEW + "?period=banana&start=yesterday")
    assert nonsense.status_code == 200


def test_htmx_gets_only_the_figures(client, lnd_admin):
    client.force_login(lnd_admin)
    response = client.get(OVERVIEW + "?period=7", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="figures"')
    assert "<html" not in html
    assert "the last 7 days" in html


def test_figures_are_shown_in_the_viewers_time_zone(client, lnd_admin):
    profile = lnd_admin.profile
    profile.time_zone = "Asia/Tokyo"
    profile.save(update_fields=["time_zone"])
    client.force_login(lnd_admin)
    assert "Asia/Tokyo" in client.get(OVERVIEW).content.decode()


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_overview_table_exports_as_csv(client, lnd_admin):
    seed(communities=2, people=4, events_per_person=1)
    client.force_login(lnd_admin)
    for table in (
        "summary",
        "communities",
        "programmes",
        "sessions",
        "challenges",
        "weekly",
        "trending-topics",
        "trending-threads",
        "personas",
        "people",
        "mentoring",
    ):
        response = client.get(reverse("insights:export", args=[table]) + "?period=7")
        assert response.status_code == 200, table
        assert "attachment" in response["Content-Disposition"]
        assert len(read_csv(response)) >= 1, table
    rows = read_csv(client.get(reverse("insights:export", args=["communities"])))
    assert rows[0][:3] == ["Name", "Members", "Active people"]
    assert sorted(r[0] for r in rows[1:]) == ["Community 1", "Community 2"]
    assert client.get(reverse("insights:export", args=["steps"])).status_code == 404
    assert client.get(reverse("insights:export", args=["nope"])).status_code == 404


def test_exports_are_for_those_who_may_see_the_figures(client, manager_of_one):
    scope_upsert(kind="community", object_id=1, name="Mine")
    client.force_login(manager_of_one)
    assert client.get(reverse("insights:export", args=["communities"])).status_code == 403
    mine = client.get(reverse("insights:scope_export", args=["communities", 1, "summary"]))
    assert mine.status_code == 200
    assert read_csv(mine)[0][0] == "Members"


def test_csv_cells_never_become_spreadsheet_formulas(client, lnd_admin):
    scope_upsert(kind="community", object_id=1, name="=HYPERLINK(1)")
    client.force_login(lnd_admin)
    rows = read_csv(client.get(reverse("insights:export", args=["communities"])))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_challenge_page_shows_completion_per_step(client, lnd_admin):
    seed(communities=1, people=3, events_per_person=1)
    client.force_login(lnd_admin)
    html = client.get(reverse("insights:scope", args=["challenges", 1])).content.decode()
    assert "Completion per step" in html
    assert "1. First" in html
    rows = read_csv(client.get(reverse("insights:scope_export", args=["challenges", 1, "steps"])))
    assert rows[1][1:] == ["First", "3", "3", "100.0"]


def test_a_closed_period_is_computed_once_until_something_is_recorded_into_it(
    client, lnd_admin, django_assert_max_num_queries
):
    """Page views (recorded as they happen) cannot change a closed period: its figures are
    kept; an event recorded with a moment in the past works them out again."""
    seed(3, 6, 2)
    client.force_login(lnd_admin)
    last_week = timezone.localdate() - timedelta(days=7)
    closed = f"?period=custom&start={last_week - timedelta(days=20)}&end={last_week}"
    first = client.get(OVERVIEW + closed)
    # Session, user, profile, inbox count, access check, then the cache key's version.
    with django_assert_max_num_queries(6):
        again = client.get(OVERVIEW + closed)
    assert first.status_code == again.status_code == 200
    assert "Community 1" in again.content.decode()
    client.get(community_url(1) + closed)
    with django_assert_max_num_queries(7):  # and the scope itself
        assert client.get(community_url(1) + closed).status_code == 200

    activity_record(verb="viewed", actor=lnd_admin, community_id=1)
    activity_record(verb="posted", actor=lnd_admin, community_id=1, occurred_at=timezone.now())
    with django_assert_max_num_queries(6):
        client.get(OVERVIEW + closed)

    backdated = timezone.now() - timedelta(days=10)
    activity_record(verb="posted", actor=lnd_admin, community_id=1, occurred_at=backdated)
    with django_assert_max_num_queries(OVERVIEW_QUERIES) as recomputed:
        client.get(OVERVIEW + closed)
    assert len(recomputed.captured_queries) > 6


def test_a_running_period_is_computed_at_most_every_five_minutes_and_says_when(
    client, lnd_admin, django_assert_max_num_queries, settings
):
    from django.core.cache import cache

    from socialearn.insights import selectors

    seed(3, 6, 2)
    profile = lnd_admin.profile
    profile.time_zone = "Asia/Tokyo"
    profile.save(update_fields=["time_zone"])
    client.force_login(lnd_admin)
    first = client.get(OVERVIEW).context
    posts = first["summary"].posts
    as_of = timezone.localtime(first["as_of"], timezone=timezone.get_fixed_timezone(9 * 60))

    activity_record(verb="posted", actor=lnd_admin, community_id=1, occurred_at=timezone.now())
    # Session, user, profile, inbox count, access check: no figure is computed again.
    with django_assert_max_num_queries(5):
        again = client.get(OVERVIEW)
    assert again.context["summary"].posts == posts
    assert f"As of {as_of:%H:%M}" in again.content.decode()  # in the viewer's time zone

    # Five minutes later, while another request is working them out: the last figures.
    period = first["period"]
    key = f"insights:overview:current:{period.start.isoformat()}:{period.end.isoformat()}"
    stale = {**cache.get(key), "as_of": timezone.now() - timedelta(seconds=301)}
    cache.set(key, stale)
    assert selectors.CURRENT_PERIOD_SECONDS == 300
    cache.add(f"{key}:busy", True)
    with django_assert_max_num_queries(5):
        assert client.get(OVERVIEW).context["summary"].posts == posts
    # Nobody working them out: this request asks a worker and is shown the last figures at
    # once; the worker's figures are what the next request reads.
    cache.delete(f"{key}:busy")
    with django_assert_max_num_queries(5):
        assert client.get(OVERVIEW).context["summary"].posts == posts
    assert cache.get(f"{key}:busy")  # asked: nobody else asks again
    refresh_running_period(
        page="overview", period=period.as_dict(), language=settings.LANGUAGE_CODE
    )
    assert cache.get(f"{key}:busy") is None
    assert client.get(OVERVIEW).context["summary"].posts == posts + 1


def test_the_running_figures_are_worked_out_by_the_request_when_no_worker_can_be_asked(
    client, lnd_admin
):
    from django.core.cache import cache

    seed(2, 3, 1)
    client.force_login(lnd_admin)
    first = client.get(OVERVIEW).context
    period = first["period"]
    key = f"insights:overview:current:{period.start.isoformat()}:{period.end.isoformat()}"
    cache.set(key, {**cache.get(key), "as_of": timezone.now() - timedelta(seconds=301)})
    activity_record(verb="posted", actor=lnd_admin, community_id=1, occurred_at=timezone.now())

    with broker_unreachable():
        assert client.get(OVERVIEW).context["summary"].posts == first["summary"].posts + 1
    assert cache.get(f"{key}:busy") is None


def test_the_worker_works_out_a_communitys_running_figures_in_the_readers_language(
    client, lnd_admin
):
    from django.core.cache import cache

    seed(2, 3, 1)
    scope = Scope.objects.filter(kind=Scope.Kind.COMMUNITY).first()
    period = Period.last_days(30, tz="Europe/London")
    refresh_running_period(page="scope", period=period.as_dict(), language="de", scope_id=scope.pk)
    what = f"scope:{scope.kind}:{scope.object_id}:de"
    kept = cache.get(f"insights:{what}:current:{period.start.isoformat()}:{period.end.isoformat()}")
    assert kept is not None
    assert "summary" in kept
