"""Addresses of communities and threads, for pages, feeds, digests and notifications."""

from django.urls import reverse


def community_url(community) -> str:
    return community.get_absolute_url()


def thread_url(*, slug: str, thread_id: int) -> str:
    return reverse("communities:thread", args=[slug, thread_id])
