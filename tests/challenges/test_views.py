"""The challenge and flow pages: permissions, htmx partials and query budgets."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import classics, services
from challenges.models import Challenge, Completion, FlowItem, Participant, Step
from communities.models import Community
from communities.services import community_create, reply_create
from tests.factories import UserFactory

from .conftest import make_challenge

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(community, designer):
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate() - timedelta(days=2),
        release_time=time(0, 0),
        steps=5,
        allow_mark_done=True,
    )
    services.post_due()
    return challenge


def joined(challenge, n):
    users = [UserFactory() for _ in range(n)]
    for user in users:
        services.participant_join(challenge=challenge, user=user)
    return users


def test_list_shows_running_challenges_and_templates_to_designers(client, designer, running):
    classics.ensure(Challenge, Step)
    client.force_login(designer)
    page = client.get(reverse("challenges:list"))
    assert page.status_code == 200
    assert running.title in page.content.decode()
    assert "30-day daily challenge" in page.content.decode()


def test_people_who_design_nothing_see_no_templates(client, running):
    classics.ensure(Challenge, Step)
    client.force_login(UserFactory())
    body = client.get(reverse("challenges:list")).content.decode()
    assert running.title in body
    assert "30-day daily challenge" not in body


def test_a_private_communitys_challenge_is_invisible_to_outsiders(client, designer):
    private = community_create(
        created_by=designer, name="Leaders", purpose="x", visibility=Community.Visibility.PRIVATE
    )
    challenge = make_challenge(community=private, designer=designer, start=timezone.localdate())
    outsider = UserFactory()
    client.force_login(outsider)
    assert challenge.title not in client.get(reverse("challenges:list")).content.decode()
    for name in ("detail", "scoreboard", "participant"):
        assert client.get(reverse(f"challenges:{name}", args=[challenge.pk])).status_code == 404
    step = challenge.steps.first()
    url = reverse("challenges:answer", args=[challenge.pk, step.pk])
    assert client.post(url, {"body": "x"}, HTTP_HX_REQUEST="true").status_code == 404


def test_join_then_answer_by_htmx_moves_the_progress_bar(client, running):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("challenges:join", args=[running.pk]))
    assert response.url == reverse("challenges:participant", args=[running.pk])
    page = client.get(response.url).content.decode()
    assert 'value="0" max="5"' in page
    today = running.steps.filter(posted_at__isnull=False).order_by("-position").first()
    answer = client.post(
        reverse("challenges:answer", args=[running.pk, today.pk]),
        {"body": "I tried it"},
        HTTP_HX_REQUEST="true",
    )
    fragment = answer.content.decode()
    assert '<div id="today"' in fragment
    assert "<html" not in fragment
    assert 'value="1" max="5"' in fragment
    assert "I tried it" in fragment
    assert Completion.objects.filter(user=user, step=today).exists()


def test_an_empty_answer_is_a_message_on_the_form(client, running):
    user = UserFactory()
    services.participant_join(challenge=running, user=user)
    client.force_login(user)
    step = running.steps.filter(posted_at__isnull=False).first()
    response = client.post(reverse("challenges:answer", args=[running.pk, step.pk]), {"body": ""})
    assert response.status_code == 200
    assert "Write your answer first." in response.content.decode()


def test_mark_done(client, running):
    user = UserFactory()
    services.participant_join(challenge=running, user=user)
    client.force_login(user)
    step = running.steps.filter(posted_at__isnull=False).first()
    client.post(reverse("challenges:done", args=[running.pk, step.pk]))
    assert Completion.objects.get(user=user).via == Completion.Via.MARK_DONE


def test_unreleased_steps_are_hidden_and_bad_ids_are_404(client, running):
    client.force_login(UserFactory())
    future = running.steps.filter(posted_at__isnull=True).first()
    assert client.get(reverse("challenges:step", args=[running.pk, future.pk])).status_code == 404
    assert client.get(reverse("challenges:step", args=[running.pk, 999999])).status_code == 404
    assert client.get(reverse("challenges:detail", args=[999999])).status_code == 404


def test_copy_page_creates_a_draft_for_a_community_manager(client, designer, community):
    classics.ensure(Challenge, Step)
    template = Challenge.objects.get(is_template=True, title="30-day daily challenge")
    client.force_login(designer)
    response = client.post(
        reverse("challenges:copy", args=[template.pk]),
        {"title": "Feedback month", "community": community.pk, "start_date": "2026-03-02"},
    )
    copy = Challenge.objects.get(title="Feedback month")
    assert response.url == reverse("challenges:edit", args=[copy.pk])
    assert copy.steps.count() == 30
    assert client.get(response.url).status_code == 200
    assert client.post(reverse("challenges:publish", args=[copy.pk])).status_code == 302
    copy.refresh_from_db()
    assert copy.status == Challenge.Status.PUBLISHED


def test_copy_form_errors_are_shown(client, designer, community):
    classics.ensure(Challenge, Step)
    template = Challenge.objects.filter(is_template=True).first()
    client.force_login(designer)
    response = client.post(reverse("challenges:copy", args=[template.pk]), {"title": "x"})
    assert "Choose the community the steps go into." in response.content.decode()


def test_members_cannot_copy_or_edit(client, running, member):
    classics.ensure(Challenge, Step)
    client.force_login(member)
    template = Challenge.objects.filter(is_template=True).first()
    assert client.get(reverse("challenges:copy", args=[template.pk])).status_code == 404
    assert client.get(reverse("challenges:edit", args=[running.pk])).status_code == 403


def test_flow_editor_reorders_by_htmx_and_only_for_curators(client, designer, community, member):
    flow = services.flow_create(community=community, curator=designer, name="Tips")
    a = services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title="Alpha", body="x")
    b = services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title="Bravo", body="x")
    client.force_login(member)
    assert client.get(reverse("challenges:flow", args=[flow.pk])).status_code == 404
    move = reverse("challenges:flow_item_move", args=[flow.pk, b.pk])
    assert client.post(move, {"direction": "up"}).status_code == 404
    client.force_login(designer)
    fragment = client.post(move, {"direction": "up"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.index("Bravo") < fragment.index("Alpha")
    assert "<html" not in fragment
    assert client.get(reverse("challenges:flow_item", args=[flow.pk, a.pk])).status_code == 200
    client.post(reverse("challenges:flow_item_post", args=[flow.pk, a.pk]))
    a.refresh_from_db()
    assert a.is_posted
    client.post(reverse("challenges:flow_pause", args=[flow.pk]))
    flow.refresh_from_db()
    assert flow.is_paused


def test_flow_item_form_errors(client, designer, community):
    flow = services.flow_create(community=community, curator=designer, name="Tips")
    client.force_login(designer)
    response = client.post(
        reverse("challenges:flow_item_new", args=[flow.pk]),
        {"item-kind": "resource", "item-title": "Read", "item-day_offset": 0},
    )
    assert "A resource needs its link." in response.content.decode()


def _populate(challenge, n):
    users = joined(challenge, n)
    steps = list(challenge.steps.filter(posted_at__isnull=False))
    for user in users:
        for step in steps:
            reply_create(thread=step.thread, author=user, body=f"Answer from {user.pk}")
    return users


@pytest.mark.parametrize("n", [2, 40])
def test_pages_run_a_fixed_number_of_queries(
    client, running, designer, n, django_assert_max_num_queries
):
    users = _populate(running, n)
    flow = services.flow_create(community=running.community, curator=designer, name="Tips")
    for i in range(n):
        services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title=f"Tip {i}", body="x")
    viewer = users[0]
    client.force_login(viewer)
    step = running.steps.filter(posted_at__isnull=False).first()
    pages = [
        reverse("challenges:list"),
        reverse("challenges:detail", args=[running.pk]),
        reverse("challenges:participant", args=[running.pk]),
        reverse("challenges:step", args=[running.pk, step.pk]),
        reverse("challenges:scoreboard", args=[running.pk]),
        reverse("home"),
    ]
    for url in pages:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url
    client.force_login(designer)
    for url in [reverse("challenges:flows"), reverse("challenges:flow", args=[flow.pk])]:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url
    assert Participant.objects.filter(challenge=running).count() == n


def test_the_scoreboard_ranks_by_steps_done_and_pages(client, running):
    users = joined(running, 3)
    steps = list(running.steps.filter(posted_at__isnull=False).order_by("position"))
    for step in steps:
        reply_create(thread=step.thread, author=users[2], body="done")
    reply_create(thread=steps[0].thread, author=users[1], body="done")
    client.force_login(users[0])
    page = client.get(reverse("challenges:scoreboard", args=[running.pk]))
    rows = page.context["board"]["rows"]
    assert [r.participant.user_id for r in rows] == [users[2].pk, users[1].pk, users[0].pk]
    assert rows[0].completions == len(steps)
    assert page.context["board"]["active_this_week"] == 2
    assert "<svg" in page.content.decode()
    assert (
        client.get(reverse("challenges:scoreboard", args=[running.pk]) + "?page=x").status_code
        == 200
    )


def test_the_guide_is_chosen_by_email_with_a_clear_error(client, designer, running):
    client.force_login(designer)
    url = reverse("challenges:edit", args=[running.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        start_date=running.start_date.isoformat(), release_time="09:00", guide_email="no@x.org"
    )
    response = client.post(url, data)
    assert "Nobody here has that email address." in response.content.decode()
    guide = UserFactory()
    data["guide_email"] = guide.email
    assert client.post(url, data).status_code == 302
    running.refresh_from_db()
    assert running.guide == guide


def test_admin_lists_and_copies_a_challenge(admin_client, running):
    assert admin_client.get(reverse("admin:challenges_challenge_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:challenges_flow_changelist")).status_code == 200
    admin_client.post(
        reverse("admin:challenges_challenge_changelist"),
        {"action": "copy_challenges", "_selected_action": [running.pk]},
    )
    copy = Challenge.objects.get(copied_from=running)
    assert copy.steps.count() == running.steps.count()
    assert copy.status == Challenge.Status.DRAFT


def _ld_admin():
    from django.contrib.auth.models import Group

    from socialearn.insights.access import LND_ADMIN_GROUP

    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LND_ADMIN_GROUP)[0])
    return admin


def test_the_copy_and_new_flow_forms_list_every_community_in_a_fixed_number_of_queries(
    client, designer, community, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    classics.ensure(Challenge, Step)
    template = Challenge.objects.filter(is_template=True).first()
    client.force_login(_ld_admin())
    pages = [reverse("challenges:copy", args=[template.pk]), reverse("challenges:flow_new")]
    counts = {}
    for size in ("few", "many"):
        if size == "many":
            for i in range(25):
                community_create(
                    created_by=designer, name=f"Guild {i:02d}", purpose="Practice together."
                )
        for url in pages:
            with CaptureQueriesContext(connection) as captured:
                page = client.get(url).content.decode()
            counts.setdefault(url, []).append(len(captured.captured_queries))
            assert f'<option value="{community.pk}">{community.name}</option>' in page
    assert "Guild 24" in page
    for url, (few, many) in counts.items():
        assert few == many, url


def test_the_kept_scoreboard_is_counted_again_when_someone_joins_completes_or_leaves(
    client, running, django_capture_on_commit_callbacks
):
    first, second = joined(running, 2)
    step = running.steps.filter(posted_at__isnull=False).order_by("position").first()
    url = reverse("challenges:scoreboard", args=[running.pk])
    client.force_login(first)

    def board():
        return client.get(url).context["board"]

    assert (board()["joined"], board()["completions"]) == (2, 0)
    assert "<strong>0</strong><span>steps completed</span>" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(thread=step.thread, author=second, body="done")
    assert [r.participant.user_id for r in board()["rows"]] == [second.pk, first.pk]
    assert board()["completions"] == 1
    html = client.get(url).content.decode()
    assert "<strong>1</strong><span>steps completed</span>" in html
    with django_capture_on_commit_callbacks(execute=True):
        (third,) = joined(running, 1)
    assert board()["joined"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.participant_leave(challenge=running, user=second)
    assert [r.participant.user_id for r in board()["rows"]] == [first.pk, third.pk]
    assert board()["joined"] == 2


def test_the_kept_scoreboard_counts_again_after_an_edit_in_the_admin(
    admin_client, client, running, django_capture_on_commit_callbacks
):
    first, second = joined(running, 2)
    step = running.steps.filter(posted_at__isnull=False).order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(thread=step.thread, author=second, body="done")
    url = reverse("challenges:scoreboard", args=[running.pk])
    client.force_login(first)
    assert client.get(url).context["board"]["completions"] == 1
    completion = Completion.objects.get(challenge=running, user=second)
    response = admin_client.post(
        reverse("admin:challenges_completion_delete", args=[completion.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert client.get(url).context["board"]["completions"] == 0
    participant = Participant.objects.get(challenge=running, user=second)
    response = admin_client.post(
        reverse("admin:challenges_participant_changelist"),
        {"action": "delete_selected", "_selected_action": [participant.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert client.get(url).context["board"]["joined"] == 1


def test_the_kept_scoreboard_pages_like_the_paginator(client, running, monkeypatch):
    from challenges import selectors

    monkeypatch.setattr(selectors, "SCOREBOARD_PAGE", 2)
    users = joined(running, 3)
    client.force_login(users[0])
    url = reverse("challenges:scoreboard", args=[running.pk])
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first
    assert '?page=2">Next<' in first
    last = client.get(url + "?page=9").content.decode()
    assert "Page 2 of 2" in last
    assert '?page=1">Previous<' in last
    assert "Next<" not in last
    assert client.get(url + "?page=2").context["board"]["offset"] == 2
