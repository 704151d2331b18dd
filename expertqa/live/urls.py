"""Live events, chats and polls, included in expertqa's URLs (names start with live_/poll_)."""

from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.live_create, name="live_create"),
    path("<int:pk>/", views.live_detail, name="live_detail"),
    path("<int:pk>/present/", views.live_present, name="live_present"),
    path("<int:pk>/changes/", views.live_changes, name="live_changes"),
    path("<int:pk>/post/", views.live_post, name="live_post"),
    path("<int:pk>/ask/", views.live_ask, name="live_ask"),
    path("<int:pk>/unpin/", views.live_unpin, name="live_unpin"),
    path("<int:pk>/slow-mode/", views.live_slow, name="live_slow"),
    path("<int:pk>/close/", views.live_close, name="live_close"),
    path("<int:pk>/prompts/", views.live_prompt_add, name="live_prompt_add"),
    path("<int:pk>/polls/", views.session_polls, name="poll_list"),
    path("<int:pk>/polls/new/", views.poll_create, name="poll_create"),
    path("messages/<int:message_pk>/react/", views.live_react, name="live_react"),
    path("messages/<int:message_pk>/hide/", views.live_hide, name="live_hide"),
    path("messages/<int:message_pk>/pin/", views.live_pin, name="live_pin"),
    path("questions/<int:question_pk>/vote/", views.live_vote, name="live_vote"),
    path("questions/<int:question_pk>/answer/", views.live_answer, name="live_answer"),
    path("polls/<int:poll_pk>/vote/", views.poll_vote, name="poll_vote"),
    path("polls/<int:poll_pk>/<str:action>/", views.poll_action, name="poll_action"),
]
