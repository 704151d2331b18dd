from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "socialearn.insights"
    label = "insights"
