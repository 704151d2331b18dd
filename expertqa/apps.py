from django.apps import AppConfig


class ExpertqaConfig(AppConfig):
    name = "expertqa"
