from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from communities.models import Community
from communities.services import community_create
from expertqa import services
from expertqa.models import Question, Session, org_today
from expertqa.views import POLL_SALT
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _poll_url(client, session):
    """The changes URL exactly as the board hands it to the browser."""
    response = client.get(reverse("expertqa:detail", args=[session.pk]))
    html = response.content.decode()
    start = html.index(reverse("expertqa:changes", args=[session.pk]))
    return html[start : html.index('"', start)].replace("&amp;", "&")


def test_the_unchanged_poll_costs_at_most_two_queries_and_renders_no_template(
    client, open_session, django_assert_max_num_queries
):
    # Someone whose time zone comes from their office: the zone costs no extra query.
    reader = UserFactory(profile__location=LocationFactory(time_zone="Asia/Singapore"))
    client.force_login(reader)
    url = _poll_url(client, open_session)
    client.get(url, **HTMX)  # the first poll after a change fills the cached version
    rendered = []

    def on_render(sender, **kwargs):
        rendered.append(kwargs["template"])

    template_rendered.connect(on_render)
    try:
        with django_assert_max_num_queries(2):
            response = client.get(url, **HTMX)
    finally:
        template_rendered.disconnect(on_render)
    assert response.status_code == 204
    assert response.content == b""
    assert rendered == []


def test_the_poll_shows_a_calm_bar_when_something_changed(
    client, open_session, asker, member, expert
):
    client.force_login(member)
    url = _poll_url(client, open_session)
    question = services.question_ask(session=open_session, author=asker, body="New one?")
    services.question_ask(session=open_session, author=asker, body="And another?")
    services.answer_create(question=question, author=expert, body="Yes")
    response = client.get(url, **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 new questions · 1 new answer — Show" in text
    assert "Alex Asker" not in text
    assert reverse("expertqa:board", args=[open_session.pk]) in text


def test_a_poll_token_belongs_to_one_person_and_one_session(client, open_session, asker, member):
    client.force_login(asker)
    url = _poll_url(client, open_session)
    client.force_login(member)
    assert client.get(url, **HTMX).status_code == 400
    forged = signing.dumps({"s": open_session.pk, "u": member.pk, "v": 0}, salt="other")
    changes = reverse("expertqa:changes", args=[open_session.pk])
    assert client.get(f"{changes}?t={forged}", **HTMX).status_code == 400
    assert POLL_SALT


def test_the_poll_notices_the_window_opening(client, make_session, asker):
    session = make_session(starts_in=timedelta(hours=1))
    client.force_login(asker)
    url = _poll_url(client, session)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    # The token carries the window it was issued for; a moved window is noticed at the next
    # change, the clock passing the start at once. Simulate the clock instead:
    token = parse_qs(urlsplit(url).query)["t"][0]
    data = signing.loads(token, salt=POLL_SALT)
    data["a"] = int((timezone.now() - timedelta(minutes=1)).timestamp())
    token = signing.dumps(data, salt=POLL_SALT, compress=False)
    changes = reverse("expertqa:changes", args=[session.pk])
    response = client.get(f"{changes}?t={token}", **HTMX)
    assert "The session is open" in response.content.decode()


def _board_queries(client, session, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(reverse("expertqa:detail", args=[session.pk]))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_full_board_runs_a_fixed_number_of_queries_whatever_its_size(
    client, make_session, expert, manager, django_assert_max_num_queries
):
    few = make_session()
    many = make_session()
    people = UserFactory.create_batch(5)
    for session, count in ((few, 2), (many, 40)):
        for i in range(count):
            q = services.question_ask(
                session=session, author=manager, body=f"Question {i}?", is_anonymous=i % 2 == 0
            )
            if i % 3 == 0:
                services.answer_create(question=q, author=expert, body="An answer")
            if i % 3 == 1:
                services.question_defer(
                    question=q, by=expert, to=org_today() + timedelta(days=2), note="Soon"
                )
            for person in people[: i % 5]:
                services.vote_toggle(question=q, user=person)
    client.force_login(expert)
    n_few = _board_queries(client, few, django_assert_max_num_queries, 16)
    n_many = _board_queries(client, many, django_assert_max_num_queries, 16)
    assert n_few == n_many


def test_a_busy_board_shows_a_window_of_questions_and_the_next_on_demand(
    client, make_session, manager, monkeypatch
):
    monkeypatch.setattr("expertqa.views.BOARD_WINDOW", 3)
    session = make_session()
    for i in range(5):
        services.question_ask(session=session, author=manager, body=f"Busy question {i}?")
    client.force_login(manager)
    url = reverse("expertqa:detail", args=[session.pk])

    page = client.get(url + "?sort=new").content.decode()
    assert page.count('class="card eqa-question') == 3
    assert "5 questions" in page
    assert "Busy question 4?" in page
    assert "Busy question 1?" not in page
    assert "Show more questions" in page
    assert "?sort=new&amp;page=2" in page

    # Without JavaScript: the next window as a page of its own, numbered on.
    second = client.get(url + "?sort=new&page=2").content.decode()
    assert second.count('class="card eqa-question') == 2
    assert "Busy question 1?" in second
    assert "Busy question 0?" in second
    assert 'start="4"' in second
    assert "Show more questions" not in second

    # With htmx: only the next window's questions, to append in place of the button.
    board = reverse("expertqa:board", args=[session.pk])
    more = client.get(
        board + "?sort=new&page=2", HTTP_HX_TARGET="board-more", **HTMX
    ).content.decode()
    assert more.count('class="card eqa-question') == 2
    assert 'id="board"' not in more
    assert "Show more questions" not in more


def test_a_busy_board_counts_its_record_over_every_question_not_the_window(
    client, make_session, expert, manager, monkeypatch
):
    monkeypatch.setattr("expertqa.views.BOARD_WINDOW", 2)
    session = make_session()
    asked = [
        services.question_ask(session=session, author=manager, body=f"Busy question {i}?")
        for i in range(5)
    ]
    services.answer_create(question=asked[0], author=expert, body="In the window")
    services.question_defer(
        question=asked[1], by=expert, to=org_today() + timedelta(days=2), note="Soon"
    )
    Session.objects.filter(pk=session.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    client.force_login(manager)
    page = client.get(reverse("expertqa:detail", args=[session.pk])).content.decode()
    assert page.count('class="card eqa-question') == 2
    assert "3 questions still owed." in page
    assert "Owed: 3 questions without an answer or a date" in page


def test_a_busy_board_shows_answers_and_merged_duplicates_of_the_questions_it_shows(
    client, make_session, expert, manager, monkeypatch
):
    monkeypatch.setattr("expertqa.views.BOARD_WINDOW", 2)
    session = make_session()
    asked = [
        services.question_ask(session=session, author=manager, body=f"Busy question {i}?")
        for i in range(4)
    ]
    for i, q in enumerate(asked):
        services.answer_create(question=q, author=expert, body=f"Answer number {i}")
    services.vote_toggle(question=asked[0], user=expert)
    duplicate = services.question_ask(session=session, author=expert, body="Same as the first?")
    services.question_merge(duplicate=duplicate, into=asked[0], by=manager)
    client.force_login(manager)
    url = reverse("expertqa:detail", args=[session.pk])

    page = client.get(url).content.decode()
    assert page.count('class="card eqa-question') == 2
    assert "1 duplicate merged in" in page
    assert page.count("Answer number") == 2

    second = client.get(url + "?page=2").content.decode()
    assert second.count("Answer number") == 2


def test_anonymous_asker_hidden_on_every_surface_but_from_moderators(
    client, open_session, asker, member, expert, manager
):
    services.question_ask(session=open_session, author=asker, body="Is it safe?", is_anonymous=True)
    urls = [
        reverse("expertqa:detail", args=[open_session.pk]),
        reverse("expertqa:board", args=[open_session.pk]),
        reverse("expertqa:list") + "?q=safe",
        reverse("expertqa:expert", args=[expert.pk]),
    ]
    for viewer in (member, expert, asker):
        client.force_login(viewer)
        for url in urls:
            html = client.get(url, **HTMX).content.decode()
            assert "Alex Asker" not in html, (viewer, url)
    client.force_login(manager)
    html = client.get(urls[0]).content.decode()
    assert "Alex Asker" in html


def test_private_sessions_are_invisible_to_non_members_on_every_url(
    client, manager, topic, make_session, asker
):
    private = community_create(
        created_by=manager,
        name="Inner circle",
        purpose="Private",
        visibility=Community.Visibility.PRIVATE,
        topics=[topic],
    )
    session = make_session(community=private, title="Secret roadmap session")
    question = services.question_ask(session=session, author=manager, body="Hidden?")
    outsider = UserFactory()
    client.force_login(outsider)
    for name in ("detail", "board", "calendar"):
        assert client.get(reverse(f"expertqa:{name}", args=[session.pk]), **HTMX).status_code == 404
    assert client.post(reverse("expertqa:vote", args=[question.pk])).status_code == 404
    assert client.post(reverse("expertqa:ask", args=[session.pk]), {"body": "x"}).status_code == 404
    assert "Secret roadmap" not in client.get(reverse("expertqa:list")).content.decode()
    assert "Secret roadmap" not in client.get(reverse("home")).content.decode()
    client.force_login(manager)
    assert client.get(reverse("expertqa:detail", args=[session.pk])).status_code == 200


def test_a_question_after_close_shows_the_reason_on_the_form(client, make_session, asker):
    session = make_session(starts_in=timedelta(hours=-1), duration=timedelta(minutes=59))
    client.force_login(asker)
    response = client.post(reverse("expertqa:ask", args=[session.pk]), {"body": "Late?"}, **HTMX)
    assert "no longer takes questions" in response.content.decode()
    assert not Question.objects.exists()


def test_asking_on_the_board_swaps_in_the_board_with_the_question(client, open_session, asker):
    client.force_login(asker)
    response = client.post(
        reverse("expertqa:ask", args=[open_session.pk]), {"body": "How do we scale?"}, **HTMX
    )
    assert response.status_code == 200
    assert "How do we scale?" in response.content.decode()
    assert 'id="board"' in response.content.decode()


def test_deferring_to_today_explains_the_date_must_be_in_the_future(
    client, open_session, asker, expert
):
    question = services.question_ask(session=open_session, author=asker, body="Later?")
    client.force_login(expert)
    response = client.post(
        reverse("expertqa:defer", args=[question.pk]),
        {"deferred_to": org_today().isoformat(), "note": "Checking"},
        **HTMX,
    )
    assert "Choose a date in the future" in response.content.decode()
    question.refresh_from_db()
    assert question.deferred_to is None


def test_voting_returns_the_button_with_the_new_count(client, open_session, asker, member):
    question = services.question_ask(session=open_session, author=asker, body="Votes?")
    client.force_login(member)
    response = client.post(reverse("expertqa:vote", args=[question.pk]), **HTMX)
    assert "▲ 1" in response.content.decode()
    assert 'aria-pressed="true"' in response.content.decode()
    response = client.post(reverse("expertqa:vote", args=[question.pk]), **HTMX)
    assert "▲ 0" in response.content.decode()


def test_only_experts_see_answer_tools_and_only_moderators_see_moderation(
    client, open_session, asker, expert, manager
):
    services.question_ask(session=open_session, author=asker, body="Q?")
    url = reverse("expertqa:detail", args=[open_session.pk])
    client.force_login(asker)
    html = client.get(url).content.decode()
    assert "Post answer" not in html
    assert "Hide as off-topic" not in html
    client.force_login(expert)
    assert "Post answer" in client.get(url).content.decode()
    client.force_login(manager)
    assert "Hide as off-topic" in client.get(url).content.decode()
    question = Question.objects.get()
    client.force_login(asker)
    assert (
        client.post(reverse("expertqa:answer", args=[question.pk]), {"body": "me"}).status_code
        == 403
    )


def test_the_calendar_file_validates(client, open_session, asker):
    client.force_login(asker)
    response = client.get(reverse("expertqa:calendar", args=[open_session.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"expertqa-session-{open_session.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == open_session.starts_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == open_session.ends_at.replace(microsecond=0)
    assert str(event["SUMMARY"]) == open_session.title
    assert str(event["URL"]).endswith(open_session.get_absolute_url())
    assert "mailto:" in str(event["ORGANIZER"])
    assert open_session.get_absolute_url() in str(event["DESCRIPTION"])


def test_the_calendar_file_reads_its_session_in_one_query(
    client, open_session, asker, django_assert_max_num_queries
):
    client.force_login(asker)
    url = reverse("expertqa:calendar", args=[open_session.pk])
    client.get(url)
    with django_assert_max_num_queries(4) as captured:
        assert client.get(url).status_code == 200
    assert [q["sql"] for q in captured.captured_queries if "expertqa_" in q["sql"]] == [
        next(q["sql"] for q in captured.captured_queries if "expertqa_session" in q["sql"])
    ]


def test_invitations_reach_members_and_topic_followers_once_with_the_calendar_attached(
    make_session, member, topic, expert, mailoutbox
):
    from socialearn.notifications.models import Notification
    from socialearn.notifications.services import topic_follow

    follower = UserFactory()
    topic_follow(user=follower, topic=topic)
    quiet = UserFactory(profile__email_preference="none")
    topic_follow(user=quiet, topic=topic)
    session = make_session(starts_in=timedelta(days=2), invite=True)
    Session.objects.filter(pk=session.pk).update(invited_at=None)
    services.session_send_invitations(session_id=session.pk)
    services.session_send_invitations(session_id=session.pk)
    invited = set(
        Notification.objects.filter(kind="expertqa_invited").values_list("recipient", flat=True)
    )
    assert {member.pk, follower.pk, quiet.pk, expert.pk} <= invited
    emailed = sorted(m.to[0] for m in mailoutbox)
    assert quiet.email not in emailed
    assert follower.email in emailed
    assert member.email in emailed
    assert len(emailed) == len(set(emailed))
    filename, content, mimetype = mailoutbox[0].attachments[0]
    assert mimetype == "text/calendar"
    assert Calendar.from_ical(content).walk("VEVENT")


def test_a_reminder_goes_out_once_shortly_before_the_window_opens(make_session, member):
    from socialearn.notifications.models import Notification

    later = make_session(starts_in=timedelta(hours=3))
    soon = make_session(starts_in=timedelta(minutes=10))
    services.send_due_reminders()
    services.send_due_reminders()
    reminders = Notification.objects.filter(recipient=member, kind="expertqa_reminder")
    assert [r.url for r in reminders] == [soon.get_absolute_url()]
    assert later.pk


def test_listing_pages_run_a_fixed_number_of_queries(
    client, make_session, manager, asker, expert, django_assert_max_num_queries
):
    from expertqa.services import series_create

    series = series_create(title="Data Fridays", community=make_session().community)

    def add(n):
        for i in range(n):
            s = make_session(starts_in=timedelta(days=i - n // 2), series=series)
            services.question_ask(
                session=s, author=asker, body="Q?", now=s.starts_at - timedelta(minutes=1)
            )

    client.force_login(asker)
    urls = [
        reverse("expertqa:list"),
        reverse("expertqa:list") + "?q=Q",
        reverse("expertqa:series", args=[series.slug]),
        reverse("expertqa:expert", args=[expert.pk]),
        reverse("home"),
    ]
    counts = {}
    add(3)  # one past, one live, one upcoming: every section has rows
    for url in urls:
        with django_assert_max_num_queries(25) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    add(25)
    for url in urls:
        with django_assert_max_num_queries(counts[url], info=url):
            assert client.get(url).status_code == 200


def test_a_manager_schedules_a_session_from_the_site(client, manager, community, topic, expert):
    client.force_login(manager)
    starts = timezone.localtime(timezone.now() + timedelta(days=3))
    response = client.post(
        reverse("expertqa:create"),
        {
            "title": "Ask the SRE team",
            "kind": "ask",
            "community": community.pk,
            "topic": topic.pk,
            "experts": f"{expert.email}, nobody@example.com",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration": 60,
        },
    )
    assert "Nobody here has the address nobody@example.com" in response.content.decode()
    response = client.post(
        reverse("expertqa:create"),
        {
            "title": "Ask the SRE team",
            "kind": "ask",
            "community": community.pk,
            "topic": topic.pk,
            "experts": expert.email,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration": 60,
        },
    )
    session = Session.objects.get(title="Ask the SRE team")
    assert response.status_code == 302
    assert list(session.experts.all()) == [expert]


def test_people_who_manage_no_community_cannot_schedule(client, asker):
    client.force_login(asker)
    assert client.get(reverse("expertqa:create")).status_code == 403


def test_the_home_dashboard_shows_sessions_live_now(client, open_session, asker):
    client.force_login(asker)
    html = client.get(reverse("home")).content.decode()
    assert "Expert sessions live now" in html
    assert open_session.title in html


def test_a_live_session_ending_on_another_day_says_which(client, open_session, asker):
    """ "until 09:14" for a backchannel open three more days read as this morning."""
    from django.utils import dateformat

    ends = timezone.now() + timedelta(days=3)
    Session.objects.filter(pk=open_session.pk).update(ends_at=ends)
    client.force_login(asker)
    html = client.get(reverse("home")).content.decode()
    assert f"until {dateformat.format(timezone.localtime(ends), 'j M, H:i')} ·" in html


def test_after_my_own_question_the_poll_reports_nothing_new(client, open_session, asker):
    client.force_login(asker)
    response = client.post(
        reverse("expertqa:ask", args=[open_session.pk]), {"body": "Mine?"}, **HTMX
    )
    html = response.content.decode()
    start = html.index(reverse("expertqa:changes", args=[open_session.pk]))
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    assert client.get(url, **HTMX).status_code == 204


def test_the_listing_finds_sessions_by_title_topic_and_question_text(
    client, make_session, manager, asker
):
    found = make_session(title="Kafka office hours", starts_in=timedelta(days=-3))
    services.question_ask(
        session=found, author=asker, body="What about exactly-once?", now=found.starts_at
    )
    hidden_only = make_session(title="Another one", starts_in=timedelta(days=-4))
    off_topic = services.question_ask(
        session=hidden_only, author=asker, body="exactly-once lunch?", now=hidden_only.starts_at
    )
    services.question_hide(question=off_topic, by=manager)
    client.force_login(asker)
    list_url = reverse("expertqa:list")
    html = client.get(list_url, {"q": "exactly-once"}).content.decode()
    assert "Kafka office hours" in html
    assert "Another one" not in html
    assert "Kafka office hours" in client.get(list_url, {"q": "kafka"}).content.decode()
    html = client.get(list_url, {"q": "data engineering"}).content.decode()
    assert "Kafka office hours" in html  # the topic's name
    partial = client.get(
        list_url, {"q": "kafka"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="session-results"
    ).content.decode()
    assert "Kafka office hours" in partial
    assert "<html" not in partial


def test_a_signed_out_poll_is_refused_without_a_redirect(client, open_session, asker):
    client.force_login(asker)
    url = _poll_url(client, open_session)
    client.logout()
    assert client.get(url, **HTMX).status_code == 401


def test_the_admin_lists_sessions_questions_and_answers(client, open_session, asker, expert):
    question = services.question_ask(session=open_session, author=asker, body="Admin?")
    services.answer_create(question=question, author=expert, body="Yes")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for name in ("session", "series", "question", "answer"):
        assert client.get(reverse(f"admin:expertqa_{name}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:expertqa_session_change", args=[open_session.pk])).status_code
        == 200
    )


def test_the_expert_record_runs_a_fixed_number_of_queries_and_lists_the_most_pressing(
    client, make_session, expert, manager, asker, monkeypatch
):
    monkeypatch.setattr("expertqa.selectors.PENDING_LISTED", 3)
    closed = make_session(starts_in=timedelta(hours=-3))
    ask_at = closed.starts_at + timedelta(minutes=5)
    services.question_ask(session=closed, author=asker, body="Owed one?", now=ask_at)
    client.force_login(manager)
    url = reverse("expertqa:expert", args=[expert.pk])
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "Owed one?" in page
    assert "more." not in page

    for i in range(6):
        session = make_session(starts_in=timedelta(hours=-3 - i))
        services.question_ask(
            session=session,
            author=asker,
            body=f"Owed {i}?",
            now=session.starts_at + timedelta(minutes=5),
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("· owed") == 3
    assert "And 4 more." in page
    assert "Across 7 sessions" in page


def test_a_link_to_one_question_opens_the_window_it_is_in(
    client, make_session, manager, monkeypatch
):
    from expertqa.models import question_address

    monkeypatch.setattr("expertqa.views.BOARD_WINDOW", 2)
    session = make_session()
    asked = [
        services.question_ask(session=session, author=manager, body=f"Busy question {i}?")
        for i in range(5)
    ]
    services.vote_toggle(question=asked[4], user=UserFactory())
    client.force_login(manager)
    # By votes: 4 first, then 0, 1, 2, 3 by age; question 2 is in the second window.
    page = client.get(question_address(session.pk, asked[2].pk)).content.decode()
    assert f'id="question-{asked[2].pk}"' in page
    assert 'start="3"' in page
    url = reverse("expertqa:detail", args=[session.pk])
    newest = client.get(f"{url}?sort=new&question={asked[0].pk}").content.decode()
    assert f'id="question-{asked[0].pk}"' in newest
    assert 'start="5"' in newest
