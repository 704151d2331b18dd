"""Rights come from roles, never from staff status.

A right comes from a role on the object (member or manager of the community, coordinator of
the programme, designer, guide or curator of the challenge or flow) or from the "L&D admin"
group. Staff status only opens the Django admin. Each test names the hole it closes.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, FlowItem, Step
from communities.models import Community
from communities.services import community_create, community_propose, community_update
from mentoring.models import COORDINATOR_GROUP, Match, Programme
from socialearn.notifications.models import Notification
from socialearn.people.permissions import LD_ADMIN
from tests.factories import UserFactory

from .conftest import SECRET, leaks


def _group(name):
    return Group.objects.get_or_create(name=name)[0]


@pytest.fixture
def staff_coordinator(world):
    """A mentoring coordinator with staff status (the admin), who belongs to no private
    community and coordinates one programme of their own."""
    person = UserFactory(is_staff=True, profile__display_name="Cole Staff")
    person.groups.add(_group(COORDINATOR_GROUP))
    today = timezone.localdate()
    own = Programme.objects.create(
        name="Programme one",
        goals="Grow",
        commitment="An hour a month",
        enrolment_opens_on=today - timedelta(days=10),
        enrolment_closes_on=today + timedelta(days=10),
        created_by=person,
    )
    own.coordinators.add(person)
    person.own_programme = own
    return person


@pytest.fixture
def staff_lnd(world):
    """An L&D admin with staff status who is not a member of the private community."""
    person = UserFactory(is_staff=True, profile__display_name="Lana Admin")
    person.groups.add(_group(LD_ADMIN))
    return person


# --- a private community's challenge and flow ---------------------------------------------------


def _private_challenge_urls(w):
    ch, st, f, item = w.private_challenge, w.private_step, w.private_flow, w.private_item
    return {
        "step page": ("get", reverse("challenges:step", args=[ch.pk, st.pk])),
        "challenge page": ("get", reverse("challenges:detail", args=[ch.pk])),
        "scoreboard": ("get", reverse("challenges:scoreboard", args=[ch.pk])),
        "challenge edit": ("get", reverse("challenges:edit", args=[ch.pk])),
        "challenge edit post": ("post", reverse("challenges:edit", args=[ch.pk])),
        "add step": ("get", reverse("challenges:step_new", args=[ch.pk])),
        "add step post": ("post", reverse("challenges:step_new", args=[ch.pk])),
        "step edit": ("get", reverse("challenges:step_edit", args=[ch.pk, st.pk])),
        "publish": ("post", reverse("challenges:publish", args=[ch.pk])),
        "copy": ("get", reverse("challenges:copy", args=[ch.pk])),
        "copy post": ("post", reverse("challenges:copy", args=[ch.pk])),
        "flow": ("get", reverse("challenges:flow", args=[f.pk])),
        "flow item": ("get", reverse("challenges:flow_item", args=[f.pk, item.pk])),
        "post now": ("post", reverse("challenges:flow_item_post", args=[f.pk, item.pk])),
        "add flow item": ("post", reverse("challenges:flow_item_new", args=[f.pk])),
        "pause flow": ("post", reverse("challenges:flow_pause", args=[f.pk])),
    }


@pytest.mark.parametrize("who", ["staff_coordinator", "staff_lnd"])
def test_staff_outside_a_private_community_reach_none_of_its_challenges_or_flows(
    client, world, who, request
):
    """Hole closed: staff status opened a private community's step pages (prompt and
    members' answers), its flow items (queued ones too), post-now, challenge edit, add step
    and copy. Not being a member, a staff coordinator and a staff L&D admin get 404 on each,
    see no word of it, and nothing changes."""
    person = request.getfixturevalue(who)
    client.force_login(person)
    public_target = community_create(created_by=person, name="Open target", purpose="x")
    steps_before = Step.objects.count()
    challenges_before = Challenge.objects.count()
    for label, (method, url) in _private_challenge_urls(world).items():
        data = {
            "title": "Copied",
            "community": public_target.pk,
            "start_date": timezone.localdate().isoformat(),
            "prompt": "x",
            "item-title": "x",
            "item-body": "x",
        }
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (label, response.status_code)
        assert not leaks(response), label
    world.private_item.refresh_from_db()
    assert world.private_item.posted_at is None
    assert Step.objects.count() == steps_before
    assert Challenge.objects.count() == challenges_before
    assert not FlowItem.objects.filter(title="x").exists()
    assert not Challenge.objects.filter(title="Copied").exists()


def test_staff_lists_show_no_private_challenge_or_flow(client, world, staff_coordinator):
    """Hole closed: staff saw every challenge and flow in the lists, private ones included."""
    client.force_login(staff_coordinator)
    for name in ("challenges:list", "challenges:flows", "insights:overview"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 403), name
        assert SECRET not in response.content.decode(), name


def test_the_private_communitys_members_and_designers_keep_their_rights(client, world):
    """The same pages still open for those whose role gives the right: the designer (a manager
    of the community) edits and previews, a member reads the released step."""
    ch, st = world.private_challenge, world.private_step
    Step.objects.filter(pk=st.pk).update(posted_at=timezone.now())
    client.force_login(world.manager)
    assert client.get(reverse("challenges:edit", args=[ch.pk])).status_code == 200
    assert client.get(reverse("challenges:step_new", args=[ch.pk])).status_code == 200
    assert client.get(reverse("challenges:flow", args=[world.private_flow.pk])).status_code == 200
    client.force_login(world.member)
    assert client.get(reverse("challenges:step", args=[ch.pk, st.pk])).status_code == 200
    assert client.get(reverse("challenges:edit", args=[ch.pk])).status_code == 403


def test_an_lnd_admin_designs_in_public_communities_without_staff_status(client, world):
    """The L&D admin group, not staff status, lets someone design any public challenge."""
    client.force_login(world.lnd)
    assert world.lnd.is_staff is False
    url = reverse("challenges:edit", args=[world.draft_challenge.pk])
    assert client.get(url).status_code == 200
    staff_only = UserFactory(is_staff=True)
    client.force_login(staff_only)
    assert client.get(url).status_code == 404


# --- programmes -----------------------------------------------------------------------------


def test_a_staff_coordinator_of_one_programme_is_refused_another(client, world, staff_coordinator):
    """Hole closed: a staff coordinator of programme 1 opened programme 2's coordinator page
    and CSV (every pair's names) and edited it. Now: 403 on each, and nothing changes."""
    other = world.programme
    client.force_login(staff_coordinator)
    for name in ("mentoring:coordinate", "mentoring:export", "mentoring:programme_edit"):
        response = client.get(reverse(name, args=[other.pk]))
        assert response.status_code == 403, name
        assert "Sam Member" not in response.content.decode(), name
    response = client.post(
        reverse("mentoring:programme_edit", args=[other.pk]), {"name": "Taken over"}
    )
    assert response.status_code == 403
    for name in ("mentoring:run", "mentoring:publish", "mentoring:call"):
        assert client.post(reverse(name, args=[other.pk])).status_code == 403, name
    assert client.post(reverse("mentoring:lock", args=[world.match.pk])).status_code == 403
    other.refresh_from_db()
    assert other.name == "Quiet mentoring"
    # Their own programme stays theirs.
    own = staff_coordinator.own_programme
    assert client.get(reverse("mentoring:coordinate", args=[own.pk])).status_code == 200
    assert client.get(reverse("mentoring:export", args=[own.pk])).status_code == 200


def test_an_lnd_admin_coordinates_every_programme(client, world, staff_coordinator):
    """The L&D admin group coordinates across the organisation; staff status alone does not."""
    own = staff_coordinator.own_programme
    client.force_login(world.lnd)
    assert client.get(reverse("mentoring:coordinate", args=[own.pk])).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("mentoring:coordinate", args=[own.pk])).status_code == 403
    assert client.get(reverse("mentoring:programme_create")).status_code == 403


def test_only_the_pair_sees_a_match(client, world, staff_coordinator, staff_lnd):
    """A match is the mentor's and the protégé's: staff, coordinators and L&D get 404."""
    url = reverse("mentoring:match", args=[world.match.pk])
    for person in (staff_coordinator, staff_lnd, world.lnd):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(world.member)
    assert client.get(url).status_code == 200
    assert Match.objects.filter(pk=world.match.pk).exists()


# --- sessions ---------------------------------------------------------------------------------


def test_staff_outside_a_private_community_see_none_of_its_sessions(
    client, world, staff_lnd, django_user_model
):
    """A private community's sessions are for its members, whatever else the person is."""
    root = django_user_model.objects.create_superuser(
        username="root@example.com", email="root@example.com", password="x-long-password"
    )
    session = world.private_session
    for person in (staff_lnd, root):
        client.force_login(person)
        for name in ("expertqa:detail", "expertqa:board", "expertqa:calendar", "expertqa:edit"):
            response = client.get(reverse(name, args=[session.pk]))
            assert response.status_code == 404, (person, name)
        assert SECRET not in client.get(reverse("expertqa:list")).content.decode()


# --- the inbox --------------------------------------------------------------------------------


def test_opening_a_notification_by_get_changes_nothing(client, world):
    """Hole closed: GET /inbox/<id>/open/ marked the notification read."""
    note = Notification.objects.create(
        recipient=world.member, kind="x", title="Look", url="/people/", created_at=timezone.now()
    )
    client.force_login(world.member)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is None
    client.post(reverse("notifications:open", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


# --- kinds of community ------------------------------------------------------------------------


def _proposal(kind):
    return {
        "name": f"A {kind} of my own",
        "kind": kind,
        "purpose": "For us",
        "rules": "",
        "visibility": "public",
        "anonymity": "off",
    }


@pytest.mark.parametrize("kind", ["cohort", "onboarding"])
def test_an_employee_cannot_propose_a_cohort_or_onboarding_community(client, world, kind):
    """Hole closed: employees proposed cohorts and onboarding communities, which then showed
    on L&D's cohort page. The form does not offer those kinds, a crafted POST gets a clear
    form error, and the service refuses them."""
    client.force_login(world.member)
    page = client.get(reverse("communities:create")).content.decode()
    assert f'value="{kind}"' not in page
    response = client.post(reverse("communities:create"), _proposal(kind))
    assert response.status_code == 200
    assert "set up by L&amp;D admins" in response.content.decode()
    assert not Community.objects.filter(kind=kind).exists()
    with pytest.raises(Exception, match="set up by L&D admins"):
        community_propose(created_by=world.member, name="Sneaky", purpose="x", kind=kind)


@pytest.mark.parametrize("kind", ["cohort", "onboarding"])
def test_an_lnd_admin_creates_cohort_and_onboarding_communities(client, world, kind):
    client.force_login(world.lnd)
    page = client.get(reverse("communities:create")).content.decode()
    assert f'value="{kind}"' in page
    response = client.post(reverse("communities:create"), _proposal(kind))
    assert response.status_code == 302
    assert Community.objects.filter(kind=kind).exists()


def test_a_manager_cannot_turn_a_community_into_a_cohort(client, world):
    """A manager keeps the community's kind or picks an ordinary one; a cohort stays L&D's."""
    client.force_login(world.manager)
    data = {**_proposal("cohort"), "name": world.public.name}
    response = client.post(reverse("communities:edit", args=[world.public.slug]), data)
    assert "set up by L&amp;D admins" in response.content.decode()
    world.public.refresh_from_db()
    assert world.public.kind == Community.Kind.PRACTICE
    with pytest.raises(Exception, match="set up by L&D admins"):
        community_update(community=world.public, updated_by=world.manager, kind="onboarding")


# --- the rule itself ---------------------------------------------------------------------------


def test_no_page_list_or_export_reads_staff_status():
    """Staff status opens the admin and nothing else: outside the admin (and the demo seed
    that gives the demo's L&D and coordinator accounts their admin), no code reads it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = []
    folders = ("socialearn", "communities", "challenges", "mentoring", "expertqa", "templates")
    for folder in folders:
        for path in [*(root / folder).rglob("*.py"), *(root / folder).rglob("*.html")]:
            if path.name.startswith("admin") or "admin" in path.parts:
                continue  # the admin is where staff status belongs
            if "migrations" in path.parts:
                continue
            if "management" in path.parts:  # seed_demo makes the demo's staff accounts
                continue
            if "is_staff" in path.read_text():
                readers.append(str(path.relative_to(root)))
    assert readers == []
