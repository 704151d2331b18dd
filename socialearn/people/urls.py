from django.urls import path

from . import views
from .identity import views as identity_views

app_name = "people"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("<int:user_id>/", views.profile, name="profile"),
    path("import/", identity_views.people_import, name="import"),
    path("import/<int:import_id>/", identity_views.people_import_review, name="import_review"),
    path(
        "import/<int:import_id>/apply/",
        identity_views.people_import_apply_view,
        name="import_apply",
    ),
]
