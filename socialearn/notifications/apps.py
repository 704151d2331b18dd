from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "socialearn.notifications"
    label = "notifications"
