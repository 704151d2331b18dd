from django.urls import path

from . import feeds, views
from .identity import views as identity_views

app_name = "people"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("mentions/", views.mention_suggest, name="mention_suggest"),
    path("topic-suggestions/", views.topic_suggest, name="topic_suggest"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/people/", views.welcome_experts, name="welcome_experts"),
    path("welcome/done/", views.welcome_finish, name="welcome_finish"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/feed.rss", feeds.TopicFeed(), name="topic_feed_rss"),
    path("topics/<slug:slug>/feed.atom", feeds.TopicAtomFeed(), name="topic_feed_atom"),
    path("<int:user_id>/", views.profile, name="profile"),
    path("<int:user_id>/photo/", views.photo, name="photo"),
    path("<int:user_id>/topics/<slug:slug>/", views.evidence, name="evidence"),
    path("import/", identity_views.people_import, name="import"),
    path("import/<int:import_id>/", identity_views.people_import_review, name="import_review"),
    path(
        "import/<int:import_id>/apply/",
        identity_views.people_import_apply_view,
        name="import_apply",
    ),
]
