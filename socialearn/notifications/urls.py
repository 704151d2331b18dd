from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("topics/<slug:slug>/follow/", views.follow_topic, name="topic_follow"),
    path("topics/<slug:slug>/unfollow/", views.unfollow_topic, name="topic_unfollow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("people/<int:user_id>/follow/", views.follow_person, name="person_follow"),
]
