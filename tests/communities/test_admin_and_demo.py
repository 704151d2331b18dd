import io

import pytest

from communities.demo import seed_demo
from communities.models import Community, Thread, TipRevision
from tests.communities.conftest import make_community
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens(client, manager, member):
    community = make_community(manager, members=[member])
    from communities.services import reply_create, thread_create

    thread = thread_create(community=community, author=member, kind="tip", title="T", body="B")
    reply_create(thread=thread, author=manager, body="R")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in (
        "community",
        "membership",
        "thread",
        "reply",
        "moderationword",
        "moderationaction",
        "flag",
        "tiprevision",
        "reaction",
    ):
        assert client.get(f"/admin/communities/{model}/").status_code == 200, model
    assert client.get(f"/admin/communities/community/{community.pk}/change/").status_code == 200
    assert client.get(f"/admin/communities/thread/{thread.pk}/change/").status_code == 200


def test_the_demo_seed_is_idempotent():
    UserFactory.create_batch(8)
    out = io.StringIO()
    seed_demo(scale=8, stdout=out)
    counts = (Community.objects.count(), Thread.objects.count(), TipRevision.objects.count())
    assert counts[0] == 10
    assert Thread.objects.filter(kind="tip", revisions__number=2).exists()
    assert Thread.objects.filter(accepted_reply__isnull=False).exists()
    assert Community.objects.filter(visibility="private").exists()
    assert Community.objects.exclude(anonymity="off").exists()
    seed_demo(scale=8, stdout=out)
    assert (
        Community.objects.count(),
        Thread.objects.count(),
        TipRevision.objects.count(),
    ) == counts


def test_the_demo_spreads_posts_over_the_past_weeks():
    from django.utils import timezone

    from communities.models import Reply
    from socialearn.insights.models import Activity

    UserFactory.create_batch(8)
    seed_demo(scale=8, stdout=io.StringIO())

    days = {t.created_at.date() for t in Thread.objects.all()}
    assert len(days) > 5
    assert max(t.created_at for t in Thread.objects.all()) < timezone.now()
    for reply in Reply.objects.filter(status="published").select_related("thread")[:20]:
        assert reply.created_at > reply.thread.created_at
        posted = Activity.objects.get(
            verb="posted", object_type="thread", object_id=reply.thread_id
        )
        assert posted.occurred_at == reply.thread.created_at


def test_each_demo_community_talks_about_its_own_subject():
    from communities.demo import COMMUNITIES

    UserFactory.create_batch(8)
    seed_demo(scale=8, stdout=io.StringIO())

    titles = list(Thread.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles)), "no two communities share a thread"
    assert not Thread.objects.filter(community__name="Sales craft", title__icontains="SQL")
    for name, *_ in COMMUNITIES:
        threads = Thread.objects.filter(community__name=name)
        assert 4 <= threads.count() <= 8, name
        kinds = set(threads.values_list("kind", flat=True))
        assert {"help", "tip"} <= kinds, name
        assert threads.filter(kind="question", accepted_reply__isnull=False).exists(), name


def test_in_the_demo_a_few_write_and_most_only_read():
    from communities.models import Membership, Reply

    UserFactory.create_batch(60)
    seed_demo(scale=60, stdout=io.StringIO())

    community = Community.objects.get(name="Data analysts guild")
    members = Membership.objects.filter(community=community, status="active").count()
    writers = set(
        Thread.objects.filter(community=community).values_list("author_id", flat=True)
    ) | set(Reply.objects.filter(thread__community=community).values_list("author_id", flat=True))
    assert members >= 12
    assert len(writers) <= members // 2
