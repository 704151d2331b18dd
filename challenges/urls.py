from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("templates/<int:pk>/copy/", views.challenge_copy, name="copy"),
    path("<int:pk>/", views.challenge_detail, name="detail"),
    path("<int:pk>/edit/", views.challenge_edit, name="edit"),
    path("<int:pk>/publish/", views.challenge_publish, name="publish"),
    path("<int:pk>/steps/new/", views.step_edit, name="step_new"),
    path("<int:pk>/steps/<int:step_pk>/edit/", views.step_edit, name="step_edit"),
    path("<int:pk>/join/", views.challenge_join, name="join"),
    path("<int:pk>/leave/", views.challenge_leave, name="leave"),
    path("<int:pk>/me/", views.participant_page, name="participant"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_detail, name="step"),
    path("<int:pk>/steps/<int:step_pk>/answer/", views.step_answer, name="answer"),
    path("<int:pk>/steps/<int:step_pk>/done/", views.step_done, name="done"),
    path("<int:pk>/scoreboard/", views.scoreboard, name="scoreboard"),
    path("<int:pk>/calendar.ics", views.challenge_calendar_file, name="ics"),
    path("flows/", views.flow_list, name="flows"),
    path("flows/new/", views.flow_new, name="flow_new"),
    path("flows/<int:pk>/", views.flow_detail, name="flow"),
    path("flows/<int:pk>/feeds/", views.flow_feeds, name="flow_sources"),
    path(
        "flows/<int:pk>/feeds/<int:feed_pk>/remove/",
        views.flow_feed_remove,
        name="flow_feed_remove",
    ),
    path("flows/<int:pk>/review/", views.flow_review, name="flow_review"),
    path("flows/<int:pk>/review/<int:entry_pk>/", views.flow_entry, name="flow_entry"),
    path(
        "flows/<int:pk>/review/<int:entry_pk>/dismiss/",
        views.flow_entry_dismiss,
        name="flow_entry_dismiss",
    ),
    path("flows/<int:pk>/pause/", views.flow_pause, name="flow_pause"),
    path("flows/<int:pk>/resume/", views.flow_resume, name="flow_resume"),
    path("flows/<int:pk>/items/new/", views.flow_item_new, name="flow_item_new"),
    path("flows/<int:pk>/items/<int:item_pk>/", views.flow_item_detail, name="flow_item"),
    path("flows/<int:pk>/items/<int:item_pk>/move/", views.flow_item_move, name="flow_item_move"),
    path("flows/<int:pk>/items/<int:item_pk>/post/", views.flow_item_post, name="flow_item_post"),
    path(
        "flows/<int:pk>/items/<int:item_pk>/delete/",
        views.flow_item_delete,
        name="flow_item_delete",
    ),
]
