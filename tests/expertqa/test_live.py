"""Live events, live chats and polls: the rules, the live transport and the kept record."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Reply, Thread
from expertqa.live import channel, services
from expertqa.live.tasks import release_chat_prompts
from expertqa.models import LivePrompt, PollBallot
from socialearn.people.search import search
from tests.factories import UserFactory


@pytest.fixture
def make_event(manager, community, topic, expert):
    def make(*, starts_in=timedelta(minutes=-5), duration=timedelta(hours=1), **kwargs):
        starts_at = timezone.now() + starts_in
        kwargs.setdefault("title", "All-hands: the data platform in 2027")
        kwargs.setdefault("hosts", [expert])
        return services.live_event_schedule(
            created_by=manager,
            community=community,
            topic=topic,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            invite=False,
            **kwargs,
        )

    return make


@pytest.fixture
def event(make_event):
    return make_event(agenda="10:00 welcome\n10:10 the roadmap")


def ops_after(session_id: int, since: int = 0) -> list[dict]:
    _, ops = channel.changes_since(session_id, since)
    return ops or []


# --- live chats: prompts on the clock ---------------------------------------------------------


def test_a_chat_prompt_is_released_at_its_time_exactly_once(
    make_event, manager, django_capture_on_commit_callbacks
):
    chat = make_event(format="chat")
    now = timezone.now()
    first = services.live_prompt_add(
        event=chat, by=manager, body="What slowed you down this week?", release_at=now
    )
    later = services.live_prompt_add(
        event=chat,
        by=manager,
        body="What would you automate?",
        release_at=now + timedelta(minutes=10),
    )
    assert (first.number, later.number) == (1, 2)

    with django_capture_on_commit_callbacks(execute=True):
        assert release_chat_prompts() == 1  # the beat's task, called
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_due_prompts() == 0  # a second beat finds nothing to do
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.released_at is not None
    assert later.released_at is None
    released = [op for op in ops_after(chat.pk) if op["op"] == "prompt"]
    assert [(op["id"], op["number"]) for op in released] == [(first.pk, 1)]
    assert "Q1. What slowed you down this week?" in released[0]["html"]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_due_prompts(now=now + timedelta(minutes=11)) == 1
    assert LivePrompt.objects.filter(released_at__isnull=False).count() == 2


def test_answers_group_under_their_prompt_and_unreleased_prompts_take_none(
    make_event, manager, member
):
    chat = make_event(format="chat")
    prompt = services.live_prompt_add(
        event=chat, by=manager, body="Q?", release_at=timezone.now() + timedelta(minutes=5)
    )
    with pytest.raises(ValidationError, match="released"):
        services.live_message_post(event=chat, author=member, body="Early", prompt=prompt)
    services.release_due_prompts(now=timezone.now() + timedelta(minutes=6))
    prompt.refresh_from_db()
    answer = services.live_message_post(event=chat, author=member, body="Mine", prompt=prompt)
    assert list(prompt.answers.all()) == [answer]


def test_prompts_are_released_inside_the_chat_window(make_event, manager):
    chat = make_event(format="chat")
    with pytest.raises(ValidationError, match="window"):
        services.live_prompt_add(
            event=chat, by=manager, body="Q?", release_at=timezone.now() + timedelta(days=2)
        )


# --- polls ------------------------------------------------------------------------------------


def test_a_person_answers_a_poll_once(event, manager, member):
    poll = services.poll_create(
        session=event.session,
        by=manager,
        kind="single",
        question="Tea or coffee?",
        options=["Tea", "Coffee"],
    )
    services.poll_set_state(poll=poll, by=manager, action="open")
    tea = poll.options.get(label="Tea")
    services.poll_vote(poll=poll, user=member, option_ids=[tea.pk])
    with pytest.raises(ValidationError, match="already answered"):
        services.poll_vote(poll=poll, user=member, option_ids=[tea.pk])
    poll.refresh_from_db()
    assert poll.ballot_count == 1
    # The database says so too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        PollBallot.objects.create(poll=poll, user=member, created_at=timezone.now())


def test_poll_kinds_check_their_answers(event, manager, member, asker):
    def poll(kind, options=()):
        p = services.poll_create(
            session=event.session, by=manager, kind=kind, question="How?", options=options
        )
        services.poll_set_state(poll=p, by=manager, action="open")
        return p

    single = poll("single", ["A", "B"])
    with pytest.raises(ValidationError, match="one answer"):
        services.poll_vote(
            poll=single, user=member, option_ids=[o.pk for o in single.options.all()]
        )
    rating = poll("rating")
    with pytest.raises(ValidationError, match="1 to 5"):
        services.poll_vote(poll=rating, user=member, rating=9)
    services.poll_vote(poll=rating, user=member, rating=4)
    cloud = poll("words")
    services.poll_vote(poll=cloud, user=member, words="  Data   Quality ")
    services.poll_vote(poll=cloud, user=asker, words="data quality")
    assert set(cloud.ballots.values_list("words", flat=True)) == {"data quality"}
    with pytest.raises(ValidationError, match="two choices"):
        services.poll_create(
            session=event.session, by=manager, kind="single", question="?", options=["Only"]
        )
    with pytest.raises(ValidationError, match="not open"):
        services.poll_vote(
            poll=services.poll_create(
                session=event.session, by=manager, kind="rating", question="Draft"
            ),
            user=member,
            rating=3,
        )


def test_poll_results_are_hidden_until_the_host_reveals_them(
    client, event, manager, member, asker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        poll = services.poll_create(
            session=event.session,
            by=manager,
            kind="single",
            question="Which team?",
            options=["Platform", "Analytics"],
        )
        services.poll_set_state(poll=poll, by=manager, action="open")
    platform = poll.options.get(label="Platform")
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_vote(poll=poll, user=asker, option_ids=[platform.pk])
    client.force_login(member)
    page = client.get(reverse("expertqa:live_detail", args=[event.pk])).content.decode()
    assert "The results show when the host reveals them" in page
    assert "1 · 100%" not in page
    latest = [op for op in ops_after(event.pk) if op["op"] == "poll"][-1]
    assert "100%" not in latest["html"]  # what every attendee receives
    assert "100%" in latest["host"]  # hosts watch the results come in

    with django_capture_on_commit_callbacks(execute=True):
        services.poll_set_state(poll=poll, by=manager, action="reveal")
    latest = [op for op in ops_after(event.pk) if op["op"] == "poll"][-1]
    assert "1 · 100%" in latest["html"]
    page = client.get(reverse("expertqa:live_detail", args=[event.pk])).content.decode()
    assert "1 · 100%" in page


def test_only_hosts_and_moderators_run_polls(event, member):
    with pytest.raises(PermissionDenied, match="hosts"):
        services.poll_create(session=event.session, by=member, kind="rating", question="?")


def test_polls_work_in_expert_sessions(client, open_session, expert, member):
    poll = services.poll_create(session=open_session, by=expert, kind="rating", question="Useful?")
    services.poll_set_state(poll=poll, by=expert, action="open")
    client.force_login(member)
    response = client.get(reverse("expertqa:poll_list", args=[open_session.pk]))
    assert response.status_code == 200
    assert "Useful?" in response.content.decode()
    response = client.post(reverse("expertqa:poll_vote", args=[poll.pk]), {"rating": "5"})
    assert response.status_code == 302
    assert poll.ballots.get().rating == 5


# --- the backchannel --------------------------------------------------------------------------


def test_slow_mode_holds_people_to_one_message_per_interval(event, manager, member, expert):
    services.live_slow_mode_set(event=event, by=manager, seconds=30)
    now = timezone.now()
    services.live_message_post(event=event, author=member, body="First!", now=now)
    with pytest.raises(ValidationError) as refused:
        services.live_message_post(
            event=event, author=member, body="Second", now=now + timedelta(seconds=10)
        )
    assert "Slow mode is on: one message every 30 seconds" in refused.value.messages[0]
    assert "again in 20 seconds" in refused.value.messages[0]
    services.live_message_post(
        event=event, author=member, body="Later", now=now + timedelta(seconds=31)
    )
    # Hosts keep talking.
    services.live_message_post(event=event, author=expert, body="One", now=now)
    services.live_message_post(event=event, author=expert, body="Two", now=now)


def test_slow_mode_says_so_on_the_page_without_losing_the_message(client, event, manager, member):
    services.live_slow_mode_set(event=event, by=manager, seconds=60)
    client.force_login(member)
    url = reverse("expertqa:live_post", args=[event.pk])
    assert client.post(url, {"body": "One"}, headers={"X-Live": "1"}).json() == {"ok": True}
    answer = client.post(url, {"body": "Two"}, headers={"X-Live": "1"})
    assert answer.status_code == 200
    assert answer.json()["ok"] is False
    assert "Slow mode is on" in answer.json()["error"]
    # Without JavaScript: the same message, on the page it returns to.
    page = client.post(url, {"body": "Two"}, follow=True).content.decode()
    assert "Slow mode is on" in page


def test_messages_replies_reactions_and_mentions(event, member, asker, expert):
    asker.email = "alex.asker@example.org"
    asker.save()
    first = services.live_message_post(event=event, author=member, body="Hi @alex.asker")
    assert 'class="mention"' in first.body_html
    assert asker.notifications.filter(kind="mention").exists()
    reply = services.live_message_post(event=event, author=asker, body="Hello!", parent=first)
    assert reply.parent == first
    assert services.live_reaction_toggle(message=first, user=asker, kind="clap") is True
    assert services.live_reaction_toggle(message=first, user=asker, kind="clap") is False


def test_hosts_pin_and_hide_and_attendees_cannot(event, member, expert):
    message = services.live_message_post(event=event, author=member, body="Slides at go/slides")
    with pytest.raises(Exception, match="hosts and moderators"):
        services.live_message_pin(event=event, message=message, by=member)
    services.live_message_pin(event=event, message=message, by=expert)
    services.live_message_hide(message=message, by=expert)
    event.refresh_from_db()
    assert event.pinned is None
    message.refresh_from_db()
    assert message.hidden_at is not None


def test_a_closed_event_takes_no_more_messages(event, manager, member):
    services.live_event_close(event=event, by=manager)
    with pytest.raises(ValidationError, match="closed"):
        services.live_message_post(event=event, author=member, body="Late")
    with pytest.raises(ValidationError, match="already closed"):
        services.live_event_close(event=event, by=manager)


# --- anonymity --------------------------------------------------------------------------------


def test_anonymous_questions_stay_anonymous_live_and_in_the_kept_thread(
    client, event, manager, asker, member, expert, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = services.live_question_ask(
            event=event, author=asker, body="Why was my team reorganised?", is_anonymous=True
        )
    ops = [op for op in ops_after(event.pk) if op["op"] == "question"]
    assert ops
    assert all("Alex Asker" not in op["html"] + op["host"] for op in ops)
    assert "Anonymous" in ops[0]["html"]
    client.force_login(member)
    page = client.get(reverse("expertqa:live_detail", args=[event.pk])).content.decode()
    assert "Why was my team reorganised?" in page
    assert "Alex Asker" not in page
    presenter = client.get(reverse("expertqa:live_present", args=[event.pk])).content.decode()
    assert "Alex Asker" not in presenter

    with django_capture_on_commit_callbacks(execute=True):
        services.live_answer(question=question, author=expert, body="To bring data together.")
        thread = services.live_event_close(event=event, by=manager)
    kept = thread.body + "".join(Reply.objects.filter(thread=thread).values_list("body", flat=True))
    assert "Why was my team reorganised?" in kept
    assert "Alex Asker" not in kept
    assert "**Anonymous** asked" in kept


# --- the kept record --------------------------------------------------------------------------


def test_closing_keeps_everything_as_a_community_thread_search_finds(
    event, manager, member, asker, expert, django_capture_on_commit_callbacks
):
    services.live_message_post(event=event, author=member, body="Great kickoff on lakehouses")
    services.live_message_post(event=event, author=asker, body="Agreed, @morgan see you at 3")
    answered = services.live_question_ask(event=event, author=asker, body="When is the migration?")
    services.live_answer(question=answered, author=expert, body="In March, team by team.")
    services.live_question_ask(event=event, author=member, body="Is there training?")
    poll = services.poll_create(
        session=event.session,
        by=manager,
        kind="single",
        question="Ready to migrate?",
        options=["Yes", "Not yet"],
    )
    services.poll_set_state(poll=poll, by=manager, action="open")
    services.poll_vote(poll=poll, user=member, option_ids=[poll.options.get(label="Yes").pk])
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.live_event_close(event=event, by=manager)
    event.refresh_from_db()
    assert event.kept_thread == thread
    assert event.closed_at is not None
    assert thread.community == event.session.community
    assert thread.title.startswith("Record of the live event")
    kept = thread.body + "".join(Reply.objects.filter(thread=thread).values_list("body", flat=True))
    for text in (
        "10:10 the roadmap",  # the agenda
        "Great kickoff on lakehouses",
        "When is the migration?",
        "In March, team by team.",
        "Is there training?",
        "_Not answered during the event._",
        "Ready to migrate?",
        "- Yes: 1 (100%)",
    ):
        assert text in kept, text
    # Mentions are recorded, not sent again nor linked.
    assert "@\u200bmorgan" in kept
    _, groups = search(member, "lakehouses")
    urls = [hit.url for group in groups for hit in group.hits]
    assert any(thread.get_absolute_url().split("#")[0] in url for url in urls), urls


def test_a_long_backchannel_is_kept_in_replies_that_fit(event, manager, member, asker):
    for i in range(60):
        for author in (member, asker):
            services.live_message_post(
                event=event, author=author, body=f"{i} " + "word " * 90, now=timezone.now()
            )
    thread = services.live_event_close(event=event, by=manager)
    replies = list(Reply.objects.filter(thread=thread))
    assert replies
    assert all(len(r.body) <= 20_000 for r in replies)
    assert "Backchannel, part 1 of" in replies[0].body
    assert Thread.objects.filter(pk=thread.pk, status=Thread.Status.PUBLISHED).exists()


# --- the transport ----------------------------------------------------------------------------


def _poll_url(client, event):
    page = client.get(reverse("expertqa:live_detail", args=[event.pk]))
    html = page.content.decode()
    token = html.split('data-token="', 1)[1].split('"', 1)[0]
    version = int(html.split('data-version="', 1)[1].split('"', 1)[0])
    return reverse("expertqa:live_changes", args=[event.pk]) + f"?t={token}", version


def test_an_unchanged_live_poll_costs_no_database_query(client, event, member):
    client.force_login(member)
    url, version = _poll_url(client, event)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}&v={version}")
    assert response.status_code == 204
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_the_live_poll_brings_new_messages_votes_and_answers(
    client, event, member, asker, expert, django_capture_on_commit_callbacks
):
    client.force_login(member)
    url, version = _poll_url(client, event)
    with django_capture_on_commit_callbacks(execute=True):
        services.live_message_post(event=event, author=asker, body="Hello room")
        q = services.live_question_ask(event=event, author=asker, body="Budget?")
        services.live_vote_toggle(question=q, user=member)
        services.live_answer(question=q, author=expert, body="Doubled.")
    data = client.get(f"{url}&v={version}").json()
    kinds = [op["op"] for op in data["ops"]]
    assert kinds == ["message", "question", "votes", "question"]
    assert "Hello room" in data["ops"][0]["html"]
    assert data["ops"][2]["votes"] == 1
    assert data["ops"][3]["answered"] is True
    assert "Doubled." in data["ops"][3]["html"]
    assert client.get(f"{url}&v={data['v']}").status_code == 204
    # A page far behind (or a Redis that lost the log) reloads its parts once.
    assert client.get(f"{url}&v=999").json()["reset"] is True


def test_the_live_poll_is_for_the_signed_in_person_it_was_issued_to(client, event, member):
    client.force_login(member)
    url, version = _poll_url(client, event)
    client.force_login(UserFactory())
    assert client.get(f"{url}&v={version}").status_code == 401
    assert (
        client.get(reverse("expertqa:live_changes", args=[event.pk]) + "?t=x&v=0").status_code
        == 400
    )


def test_private_events_are_invisible_to_outsiders(client, event, community):
    community.visibility = "private"
    community.save()
    client.force_login(UserFactory())
    assert client.get(reverse("expertqa:live_detail", args=[event.pk])).status_code == 404
    assert client.get(reverse("expertqa:live_present", args=[event.pk])).status_code == 404
    assert client.get(reverse("expertqa:poll_list", args=[event.pk])).status_code == 404


# --- pages ------------------------------------------------------------------------------------


def _fill(event, people, n):
    poll = services.poll_create(
        session=event.session,
        by=event.session.experts.first(),
        kind="multiple",
        question="Which?",
        options=["A", "B", "C"],
    )
    services.poll_set_state(poll=poll, by=event.session.experts.first(), action="open")
    for i in range(n):
        person = people[i % len(people)]
        m = services.live_message_post(event=event, author=person, body=f"Message {i} @someone")
        services.live_reaction_toggle(message=m, user=person, kind="idea")
        q = services.live_question_ask(
            event=event, author=person, body=f"Q {i}", is_anonymous=i % 2 == 0
        )
        services.live_vote_toggle(question=q, user=people[(i + 1) % len(people)])
        if i % 3 == 0:
            services.live_answer(question=q, author=event.session.experts.first(), body="Yes.")
    for person in people:
        services.poll_vote(poll=poll, user=person, option_ids=[poll.options.first().pk])


@pytest.mark.parametrize("viewer", ["member", "expert"])
def test_the_live_page_runs_a_fixed_number_of_queries(
    client, make_event, member, asker, expert, viewer, django_assert_max_num_queries
):
    small, large = make_event(title="Small"), make_event(title="Large")
    _fill(small, [member, asker], 2)
    _fill(large, [member, asker], 40)
    client.force_login({"member": member, "expert": expert}[viewer])
    counts = []
    for e in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("expertqa:live_detail", args=[e.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1]):
        client.get(reverse("expertqa:live_present", args=[large.pk]))


def test_scheduling_a_live_event_from_the_form(client, manager, community, topic, expert):
    client.force_login(manager)
    listing = client.get(reverse("expertqa:list")).content.decode()
    assert reverse("expertqa:live_create") in listing
    assert client.get(reverse("expertqa:live_create")).status_code == 200
    starts = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("expertqa:live_create"),
        {
            "title": "Town hall",
            "format": "event",
            "community": community.pk,
            "topic": topic.pk,
            "agenda": "",
            "hosts": expert.email,
            "moderators": "nobody@nowhere.example",
            "starts_at": starts,
            "duration": 60,
            "slow_mode_seconds": 0,
        },
    )
    assert "Nobody here has the address nobody@nowhere.example" in response.content.decode()
    response = client.post(
        reverse("expertqa:live_create"),
        {
            "title": "Town hall",
            "format": "event",
            "community": community.pk,
            "topic": topic.pk,
            "hosts": expert.email,
            "starts_at": starts,
            "duration": 60,
            "slow_mode_seconds": 0,
        },
    )
    assert response.status_code == 302
    event_page = client.get(response["Location"]).content.decode()
    assert "Town hall" in event_page
    assert "Add to calendar (.ics)" in event_page


def _wsgi_get(path: str, cookie: str) -> tuple[str, bytes]:
    from io import BytesIO

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from socialearn.wsgi import application

    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_COOKIE": cookie,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": BytesIO(),
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    # As Django's test client does: the test's transaction outlives the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], body


def test_the_server_answers_an_unchanged_poll_before_django_with_no_query(
    client, event, member, asker, django_capture_on_commit_callbacks
):
    from django.conf import settings

    client.force_login(member)
    url, version = _poll_url(client, event)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    with CaptureQueriesContext(connection) as queries:
        status, _ = _wsgi_get(f"{url}&v={version}", cookie)
    assert status.startswith("204")
    assert len(queries) == 0
    # Anything else is Django's to answer, with every check: a stranger's cookie, a change.
    status, _ = _wsgi_get(f"{url}&v={version}", f"{settings.SESSION_COOKIE_NAME}=nope")
    assert status.startswith("401")
    with django_capture_on_commit_callbacks(execute=True):
        services.live_message_post(event=event, author=asker, body="News")
    status, body = _wsgi_get(f"{url}&v={version}", cookie)
    assert status.startswith("200")
    assert "News" in body.decode()


def test_an_expired_poll_token_asks_the_page_to_renew_it(client, event, member):
    import time
    from unittest import mock

    from django.core import signing

    from expertqa.live.views import POLL_MAX_AGE, POLL_SALT

    client.force_login(member)
    issued = time.time() - POLL_MAX_AGE - 5
    with mock.patch("django.core.signing.time.time", return_value=issued):
        token = signing.dumps({"s": event.pk, "u": member.pk}, salt=POLL_SALT, compress=False)
    url = reverse("expertqa:live_changes", args=[event.pk])
    assert client.get(f"{url}?t={token}&v=0").json() == {"renew": True}
