"""The large organisation's shape: what the bench seed promises at 100,000 people."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from communities.bulk_demo import EVERYONE_SLUG, SUBJECTS, _plan, lay_out_as_written
from communities.models import Reply, Thread


def test_the_large_organisation_has_one_community_everyone_is_in_and_a_long_tail():
    plan = _plan(random.Random(12), 100_000)
    _, slug, _, members, _, _ = plan[0]
    assert slug == EVERYONE_SLUG
    assert members == 100_000
    sizes = [p[3] for p in plan]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] < 1_000
    assert sum(p[4] for p in plan) >= 50_000
    assert sum(p[5] for p in plan) >= 500_000


def test_each_community_talks_about_its_own_subject():
    plan = _plan(random.Random(12), 100_000)
    assert len({p[2] for p in plan}) == len(SUBJECTS)
    assert len({p[0] for p in plan}) == len(plan)


@pytest.mark.django_db(transaction=True)
def test_copied_posts_are_laid_out_in_the_order_a_site_writes_them(community, manager):
    """Thread by thread on copy; after the seed, the week's replies lie together as a
    site's do, and threads follow their last activity."""
    now = timezone.now()
    threads = [
        Thread.objects.create(
            community=community,
            author=manager,
            title=f"T{n}",
            body="b",
            body_html="<p>b</p>",
            created_at=now - timedelta(days=2),
            last_activity_at=now,
        )
        for n in range(3)
    ]
    # Copied thread by thread: each thread's replies one after the other, times interleaved.
    for n, thread in enumerate(threads):
        for k in range(4):
            Reply.objects.create(
                thread=thread,
                author=manager,
                body="r",
                body_html="<p>r</p>",
                created_at=now - timedelta(hours=10 * k + n),
            )
    for n, thread in enumerate(threads):
        Thread.objects.filter(pk=thread.pk).update(last_activity_at=now - timedelta(hours=n))

    lay_out_as_written()

    def on_disk(table: str, column: str) -> list:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} ORDER BY ctid")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    replies = on_disk("communities_reply", "created_at")
    assert replies == sorted(replies)
    threads_active = on_disk("communities_thread", "last_activity_at")
    assert threads_active == sorted(threads_active)
