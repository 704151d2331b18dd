from django.urls import path  # noqa: F401

from .extra_urls import urlpatterns as extra_urlpatterns

app_name = "communities"

# Onboarding, cohorts, digests and feeds live in extra_urls.py / extra_views.py.
urlpatterns: list = [] + extra_urlpatterns
