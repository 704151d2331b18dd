from django.apps import AppConfig


class SocialearnConfig(AppConfig):
    name = "socialearn"
    verbose_name = "socialearn"
