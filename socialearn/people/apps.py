from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "socialearn.people"
    label = "people"
