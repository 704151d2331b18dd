from django.urls import include, path

from . import ask_person, first_run, views
from .feeds import CommunityThreadsAtomFeed, CommunityThreadsFeed

app_name = "communities"

fixed_urlpatterns = [
    path("", views.community_list, name="list"),
    path("new/", views.community_create, name="create"),
    path("approvals/", views.approvals, name="approvals"),
    path("search/", views.search, name="search"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<slug:slug>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<slug:slug>/decline/", views.invitation_decline, name="invitation_decline"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts/upload/", views.cohort_upload, name="cohort_upload"),
    path("ask/<int:user_id>/", ask_person.ask_person, name="ask_person"),
    path("welcome/", first_run.welcome_communities, name="welcome"),
]

# Every path below starts with a community's slug, so it comes last: a fixed path above
# ("cohorts/...") is never taken for a slug.
community_urlpatterns = [
    path("<slug:slug>/", views.community_detail, name="detail"),
    path("<slug:slug>/settings/", views.community_edit, name="edit"),
    path("<slug:slug>/join/", views.community_join, name="join"),
    path("<slug:slug>/leave/", views.community_leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path(
        "<slug:slug>/members/<int:membership_id>/decide/",
        views.membership_decide,
        name="membership_decide",
    ),
    path(
        "<slug:slug>/members/<int:membership_id>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path("<slug:slug>/moderation/", views.moderation, name="moderation"),
    path("<slug:slug>/channels/", include("communities.channels.urls")),
    path("<slug:slug>/post/", views.thread_create, name="thread_create"),
    path("<slug:slug>/post/similar/", views.similar_questions, name="similar"),
    path("<slug:slug>/t/<int:thread_id>/", views.thread_detail, name="thread"),
    path("<slug:slug>/t/<int:thread_id>/reply/", views.reply_create, name="reply"),
    path("<slug:slug>/t/<int:thread_id>/edit/", views.thread_edit, name="thread_edit"),
    path(
        "<slug:slug>/t/<int:thread_id>/r/<int:reply_id>/edit/",
        views.reply_edit,
        name="reply_edit",
    ),
    path("<slug:slug>/t/<int:thread_id>/revisions/", views.revisions, name="revisions"),
    path("<slug:slug>/t/<int:thread_id>/accept/", views.answer_accept, name="accept"),
    path("<slug:slug>/t/<int:thread_id>/react/", views.react, name="react"),
    path("<slug:slug>/t/<int:thread_id>/flag/", views.flag, name="flag"),
    path("<slug:slug>/newcomers/", views.newcomers, name="newcomers"),
    path(
        "<slug:slug>/newcomers/<int:user_id>/welcome/",
        views.newcomer_welcome,
        name="newcomer_welcome",
    ),
    path("<slug:slug>/feed/rss/", CommunityThreadsFeed(), name="feed_rss"),
    path("<slug:slug>/feed/atom/", CommunityThreadsAtomFeed(), name="feed_atom"),
]

urlpatterns: list = fixed_urlpatterns + community_urlpatterns
