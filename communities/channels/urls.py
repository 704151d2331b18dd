"""Included under <slug:slug>/channels/ by communities/urls.py, in the communities namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.channels, name="channels"),
    path("<int:channel_id>/test/", views.channel_test, name="channel_test"),
    path("<int:channel_id>/disconnect/", views.channel_disconnect, name="channel_disconnect"),
]
