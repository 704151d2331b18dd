from django.urls import path

from . import extra_views
from .feeds import CommunityThreadsAtomFeed, CommunityThreadsFeed

urlpatterns: list = [
    path("invitations/", extra_views.invitations, name="invitations"),
    path(
        "invitations/<slug:slug>/accept/",
        extra_views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitations/<slug:slug>/decline/",
        extra_views.invitation_decline,
        name="invitation_decline",
    ),
    path("cohorts/", extra_views.cohorts, name="cohorts"),
    path("cohorts/upload/", extra_views.cohort_upload, name="cohort_upload"),
    path("<slug:slug>/newcomers/", extra_views.newcomers, name="newcomers"),
    path(
        "<slug:slug>/newcomers/<int:user_id>/welcome/",
        extra_views.newcomer_welcome,
        name="newcomer_welcome",
    ),
    path("<slug:slug>/feed/rss/", CommunityThreadsFeed(), name="feed_rss"),
    path("<slug:slug>/feed/atom/", CommunityThreadsAtomFeed(), name="feed_atom"),
]
