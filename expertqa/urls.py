from django.urls import include, path

from socialearn.views import KeptJavaScriptCatalog

from . import views

app_name = "expertqa"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("<int:pk>/board/", views.session_board, name="board"),
    path("<int:pk>/changes/", views.board_changes, name="changes"),
    path("<int:pk>/ask/", views.question_ask, name="ask"),
    path("<int:pk>/calendar.ics", views.session_calendar_file, name="calendar"),
    path("questions/<int:pk>/vote/", views.question_vote, name="vote"),
    path("questions/<int:pk>/answer/", views.answer_create, name="answer"),
    path("questions/<int:pk>/defer/", views.question_defer, name="defer"),
    path(
        "questions/<int:pk>/<str:action>/",
        views.question_moderate,
        name="moderate",
    ),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("experts/<int:user_id>/", views.expert_record, name="expert"),
    path("live/", include("expertqa.live.urls")),
    path("", include("expertqa.networks.urls")),
    # The words live.js and expertqa.js show, in the reader's language (djangojs catalogue).
    path("jsi18n/", KeptJavaScriptCatalog.as_view(), name="jsi18n"),
]
